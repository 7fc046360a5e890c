-- The AI operations ledger: one row per provider attempt (a request that falls back from Groq to
-- OpenAI writes attempt 1 and attempt 2 under the same request_id). Append-only: access is
-- restricted in the next migration, and the daily rollups (later migration) depend on it.
--
-- Money is numeric(20,10): a 20-token Groq call costs about 0.000003 USD, which DECIMAL(10,6)
-- would round to zero.

create table public.ai_operations_metrics (
  id uuid primary key default gen_random_uuid(),
  request_id uuid not null,
  attempt integer not null default 1,
  operation_type text not null,
  platform text not null,
  provider text not null,
  model text not null,
  input_tokens integer default 0,
  cached_input_tokens integer default 0,
  output_tokens integer default 0,
  audio_seconds numeric(12, 3),
  billed_audio_seconds numeric(12, 3),
  cost_usd numeric(20, 10) not null default 0,
  -- What the same call would have cost on the OpenAI baseline (gpt-4o / whisper-1); null when no
  -- baseline applies, which the savings view counts as "no savings" (baseline = actual).
  baseline_cost_usd numeric(20, 10),
  -- Spend history survives a deleted account.
  user_id uuid references auth.users (id) on delete set null,
  function_name text,
  duration_ms integer,
  status text not null default 'success',
  error_code text,
  created_at timestamptz not null default now(),

  constraint ai_operations_metrics_request_attempt_key unique (request_id, attempt),
  constraint ai_operations_metrics_operation_type_check
    check (operation_type in ('chat', 'whisper', 'vision', 'document', 'assistant')),
  constraint ai_operations_metrics_platform_check check (platform in ('main', 'tripwire')),
  constraint ai_operations_metrics_provider_check check (provider in ('groq', 'openai')),
  constraint ai_operations_metrics_status_check check (status in ('success', 'error', 'partial')),
  constraint ai_operations_metrics_attempt_check check (attempt >= 1),
  constraint ai_operations_metrics_model_check check (model <> ''),
  constraint ai_operations_metrics_nonnegative_check check (
    coalesce(input_tokens, 0) >= 0
    and coalesce(cached_input_tokens, 0) >= 0
    and coalesce(output_tokens, 0) >= 0
    and coalesce(audio_seconds, 0) >= 0
    and coalesce(billed_audio_seconds, 0) >= 0
    and cost_usd >= 0
    and coalesce(baseline_cost_usd, 0) >= 0
    and coalesce(duration_ms, 0) >= 0
  ),
  constraint ai_operations_metrics_cached_within_input_check
    check (coalesce(cached_input_tokens, 0) <= coalesce(input_tokens, 0))
);

comment on table public.ai_operations_metrics is
  'Append-only ledger of AI provider calls, one row per attempt. Written only by the edge functions (service_role).';
comment on column public.ai_operations_metrics.cost_usd is
  'What the provider bills for this attempt, at catalog prices, USD with 10 decimal places.';
comment on column public.ai_operations_metrics.baseline_cost_usd is
  'What the same call would cost on the OpenAI baseline (gpt-4o, whisper-1); null = no baseline.';

-- Time-range scans by operators and the rollup backfill (the seed's created_at index).
create index ai_operations_metrics_created_at_idx
  on public.ai_operations_metrics (created_at);
-- The policy filters on user_id; a student's spend views and the budget's period sums read one
-- user's rows by time; it also covers the foreign key (the seed's user_id index, extended).
-- INCLUDE makes those reads index-only: a heavy student's 90 days are ~7,000 rows spread over
-- as many heap pages of a 10M-row table, too slow to fetch one by one within 50 ms.
create index ai_operations_metrics_user_id_created_at_idx
  on public.ai_operations_metrics (user_id, created_at)
  include (platform, provider, model, function_name, operation_type, status, input_tokens,
    cached_input_tokens, output_tokens, audio_seconds, billed_audio_seconds, cost_usd,
    baseline_cost_usd, request_id);
