-- Demo data for a newcomer's dashboard: five users on both platforms and a week of AI operations
-- (the seven UTC days before today) across Groq and OpenAI. Costs are computed at catalog prices
-- (shared/facts/providers-2026-11.md, checked 2026-11-25), USD per 1M tokens unless stated:
--   groq openai/gpt-oss-120b 0.15 in, 0.075 cached, 0.60 out
--   groq openai/gpt-oss-20b 0.075 in, 0.0375 cached, 0.30 out
--   groq qwen/qwen3.8-27b 0.80 in, 0.40 cached, 4.00 out
--   groq whisper-large-v3 0.111 USD per audio hour, billed per second, 10 s minimum per request
--   openai gpt-4.1-mini 0.40 in, 0.10 cached, 1.60 out; openai gpt-4.1 2.00 in, 0.50 cached, 8.00 out
-- Baseline (what the school paid before the move): gpt-4o 2.50 in, 1.25 cached, 10.00 out;
-- whisper-1 0.006 USD per minute. Money is rounded half-up to 10 decimal places, like cost.ts.
-- Deterministic (setseed), and safe to run twice (fixed ids, on conflict do nothing).
--
-- Platforms: raw_app_meta_data.platforms is what a student may use (it lands in the access token as
-- app_metadata.platforms; only the service role can write it). Anna and Boris are granted main,
-- Vera and Gleb tripwire, the admin both; a user without the key may use both. On a hosted project an
-- admin grants a platform with the Auth admin API (a server with a secret key), e.g.
--   await supabase.auth.admin.updateUserById(userId, { app_metadata: { platforms: ["main"] } })
-- and the student's next token (at the latest on its hourly refresh) carries it. docs/METERING.md.

insert into auth.users (
  instance_id, id, aud, role, email, email_confirmed_at, raw_app_meta_data, raw_user_meta_data,
  created_at, updated_at
) values
  ('00000000-0000-0000-0000-000000000000', '5eed0000-0000-4000-8000-000000000001',
   'authenticated', 'authenticated', 'anna.main@example.com', now(),
   '{"provider":"email","providers":["email"],"platforms":["main"]}', '{"name":"Anna"}',
   now() - interval '30 days', now()),
  ('00000000-0000-0000-0000-000000000000', '5eed0000-0000-4000-8000-000000000002',
   'authenticated', 'authenticated', 'boris.main@example.com', now(),
   '{"provider":"email","providers":["email"],"platforms":["main"]}', '{"name":"Boris"}',
   now() - interval '30 days', now()),
  ('00000000-0000-0000-0000-000000000000', '5eed0000-0000-4000-8000-000000000003',
   'authenticated', 'authenticated', 'vera.tripwire@example.com', now(),
   '{"provider":"email","providers":["email"],"platforms":["tripwire"]}', '{"name":"Vera"}',
   now() - interval '30 days', now()),
  ('00000000-0000-0000-0000-000000000000', '5eed0000-0000-4000-8000-000000000004',
   'authenticated', 'authenticated', 'gleb.tripwire@example.com', now(),
   '{"provider":"email","providers":["email"],"platforms":["tripwire"]}', '{"name":"Gleb"}',
   now() - interval '30 days', now()),
  ('00000000-0000-0000-0000-000000000000', '5eed0000-0000-4000-8000-000000000005',
   'authenticated', 'authenticated', 'admin@example.com', now(),
   '{"provider":"email","providers":["email"],"role":"admin","platforms":["main","tripwire"]}',
   '{"name":"School admin"}',
   now() - interval '30 days', now())
on conflict (id) do nothing;

select setseed(0.4242);

with users (user_id, platform, ops_per_day) as (
  values
    ('5eed0000-0000-4000-8000-000000000001'::uuid, 'main', 22),
    ('5eed0000-0000-4000-8000-000000000002'::uuid, 'main', 14),
    ('5eed0000-0000-4000-8000-000000000003'::uuid, 'tripwire', 7),
    ('5eed0000-0000-4000-8000-000000000004'::uuid, 'tripwire', 4),
    ('5eed0000-0000-4000-8000-000000000005'::uuid, 'main', 3)
),
-- One request per (user, day, n), at a daytime moment of that UTC day.
requests as (
  select
    u.user_id,
    u.platform,
    (current_date - d)::timestamp at time zone 'UTC'
      + interval '6 hours' + random() * interval '16 hours' as created_at,
    random() as pick,
    random() as r1,
    random() as r2,
    random() as r3
  from users u
  cross join generate_series(1, 7) as d
  cross join lateral generate_series(1, u.ops_per_day + (random() * 4)::int - 2) as n
),
-- What each request was, by share: chat on gpt-oss-120b 55%, chat on gpt-oss-20b 8%, voice 14%,
-- image 8%, document 5%, mentor/analyst on OpenAI 7%, chat that fell back to OpenAI after a
-- Groq 429 3%.
kinds as (
  select
    r.*,
    case
      when r.pick < 0.55 then 'chat120'
      when r.pick < 0.63 then 'chat20'
      when r.pick < 0.77 then 'voice'
      when r.pick < 0.85 then 'vision'
      when r.pick < 0.90 then 'document'
      when r.pick < 0.97 then 'assistant'
      else 'fallback'
    end as kind,
    gen_random_uuid() as request_id
  from requests r
),
-- Usage per kind: (input tokens, cached input tokens, output tokens, audio seconds).
usage as (
  select
    k.*,
    case k.kind
      when 'voice' then 0
      when 'vision' then 900 + (k.r1 * 1600)::int
      when 'document' then 3000 + (k.r1 * 9000)::int
      when 'assistant' then 2500 + (k.r1 * 6000)::int
      else 400 + (k.r1 * 2600)::int
    end as input_tokens,
    case k.kind
      when 'voice' then 0
      when 'vision' then 700 + (k.r2 * 900)::int
      when 'document' then 500 + (k.r2 * 1200)::int
      when 'assistant' then 300 + (k.r2 * 1100)::int
      else 150 + (k.r2 * 850)::int
    end as output_tokens,
    case when k.kind = 'voice' then round((2 + k.r3 * 88)::numeric, 3) end as audio_seconds
  from kinds k
),
priced as (
  select
    u.*,
    case when u.kind in ('chat120', 'chat20', 'assistant', 'fallback')
      then (u.input_tokens * u.r3 * 0.4)::int else 0 end as cached_input_tokens
  from usage u
),
attempts as (
  -- The successful attempt of every request.
  select
    p.request_id,
    case when p.kind = 'fallback' then 2 else 1 end as attempt,
    case p.kind
      when 'voice' then 'whisper'
      when 'vision' then 'vision'
      when 'document' then 'document'
      when 'assistant' then 'assistant'
      else 'chat'
    end as operation_type,
    p.platform,
    case when p.kind in ('assistant', 'fallback') then 'openai' else 'groq' end as provider,
    case p.kind
      when 'chat120' then 'openai/gpt-oss-120b'
      when 'document' then 'openai/gpt-oss-120b'
      when 'chat20' then 'openai/gpt-oss-20b'
      when 'vision' then 'qwen/qwen3.8-27b'
      when 'voice' then 'whisper-large-v3'
      when 'fallback' then 'gpt-4.1-mini'
      when 'assistant' then case when p.platform = 'main' and p.r1 < 0.3 then 'gpt-4.1'
                                 else 'gpt-4.1-mini' end
    end as model,
    p.input_tokens,
    p.cached_input_tokens,
    p.output_tokens,
    p.audio_seconds,
    case when p.kind = 'voice' then greatest(p.audio_seconds, 10) end as billed_audio_seconds,
    p.user_id,
    case p.kind
      when 'voice' then 'process-voice-message'
      when 'vision' then 'process-file-upload'
      when 'document' then 'process-file-upload'
      when 'assistant' then case when p.r2 < 0.7 then 'ai-mentor' else 'ai-analyst' end
      else 'process-chat'
    end as function_name,
    case p.kind
      when 'voice' then 300 + (p.audio_seconds * 12)::int
      when 'assistant' then 2500 + (p.r1 * 9000)::int
      else 250 + (p.output_tokens * 2.2)::int
    end as duration_ms,
    p.created_at
  from priced p
),
rows as (
  select
    a.*,
    -- Provider price per 1M tokens (input, cached input, output) for the model.
    case a.model
      when 'openai/gpt-oss-120b' then array[0.15, 0.075, 0.60]
      when 'openai/gpt-oss-20b' then array[0.075, 0.0375, 0.30]
      when 'qwen/qwen3.8-27b' then array[0.80, 0.40, 4.00]
      when 'gpt-4.1-mini' then array[0.40, 0.10, 1.60]
      when 'gpt-4.1' then array[2.00, 0.50, 8.00]
    end as price
  from attempts a
)
insert into public.ai_operations_metrics (
  request_id, attempt, operation_type, platform, provider, model, input_tokens,
  cached_input_tokens, output_tokens, audio_seconds, billed_audio_seconds, cost_usd,
  baseline_cost_usd, user_id, function_name, duration_ms, status, error_code, created_at
)
select
  r.request_id, r.attempt, r.operation_type, r.platform, r.provider, r.model, r.input_tokens,
  r.cached_input_tokens, r.output_tokens, r.audio_seconds, r.billed_audio_seconds,
  case
    when r.model = 'whisper-large-v3' then round(r.billed_audio_seconds * 0.111 / 3600, 10)
    else round(
      ((r.input_tokens - r.cached_input_tokens) * r.price[1] + r.cached_input_tokens * r.price[2]
        + r.output_tokens * r.price[3]) / 1000000, 10)
  end,
  case
    when r.model = 'whisper-large-v3' then round(r.audio_seconds * 0.006 / 60, 10)
    else round(
      ((r.input_tokens - r.cached_input_tokens) * 2.50 + r.cached_input_tokens * 1.25
        + r.output_tokens * 10.00) / 1000000, 10)
  end,
  r.user_id, r.function_name, r.duration_ms, 'success', null, r.created_at
from rows r
union all
-- The failed first attempt of each fallback request: Groq answered 429, nothing billed.
select
  r.request_id, 1, r.operation_type, r.platform, 'groq', 'openai/gpt-oss-120b', 0, 0, 0, null, null,
  0, 0, r.user_id, r.function_name, 40 + (r.duration_ms % 60), 'error', 'rate_limit_exceeded',
  r.created_at - interval '2 seconds'
from rows r
where r.attempt = 2
on conflict (request_id, attempt) do nothing;
