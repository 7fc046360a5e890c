-- The admin spend views. security_invoker = true, so row level security of the caller applies:
-- admins (app_metadata.role = 'admin') read the daily rollup, which holds everyone's spend;
-- everyone else gets only their own ledger rows, aggregated on the fly from the covering
-- (user_id, created_at) index. service_role bypasses RLS and reads the rollups.
-- ai_spend_by_user reads the monthly per-user rollup for everyone (its policy filters).
-- The admin check in the second branch only stops an admin's own rows from being counted twice;
-- access itself is decided by the policies on the underlying tables.
-- day = UTC day of created_at (ai_spend_by_user: month = first day of the UTC month). Filter on
-- it (e.g. day >= current_date - 89): the filter is pushed into both branches.

create view public.ai_spend_by_platform
with (security_invoker = true)
as
select
  d.day, d.platform, d.provider,
  sum(d.operations)::bigint as operations,
  sum(d.failed_operations)::bigint as failed_operations,
  sum(d.input_tokens)::bigint as input_tokens,
  sum(d.cached_input_tokens)::bigint as cached_input_tokens,
  sum(d.output_tokens)::bigint as output_tokens,
  sum(d.audio_seconds)::numeric as audio_seconds,
  sum(d.billed_audio_seconds)::numeric as billed_audio_seconds,
  sum(d.cost_usd)::numeric as cost_usd
from ai_private.ai_spend_daily d
group by 1, 2, 3
union all
select
  (m.created_at at time zone 'UTC')::date, m.platform, m.provider,
  count(*)::bigint,
  (count(*) filter (where m.status <> 'success'))::bigint,
  sum(coalesce(m.input_tokens, 0))::bigint,
  sum(coalesce(m.cached_input_tokens, 0))::bigint,
  sum(coalesce(m.output_tokens, 0))::bigint,
  sum(coalesce(m.audio_seconds, 0))::numeric,
  sum(coalesce(m.billed_audio_seconds, 0))::numeric,
  sum(m.cost_usd)::numeric
from public.ai_operations_metrics m
where m.user_id = (select auth.uid())
  and not coalesce(((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'admin', false)
group by 1, 2, 3;

comment on view public.ai_spend_by_platform is
  'AI spend per UTC day, platform and provider. Admins see everyone; other users see their own.';

create view public.ai_spend_by_function
with (security_invoker = true)
as
select
  d.day, d.platform, nullif(d.function_name, '') as function_name,
  sum(d.operations)::bigint as operations,
  sum(d.failed_operations)::bigint as failed_operations,
  sum(d.input_tokens)::bigint as input_tokens,
  sum(d.cached_input_tokens)::bigint as cached_input_tokens,
  sum(d.output_tokens)::bigint as output_tokens,
  sum(d.audio_seconds)::numeric as audio_seconds,
  sum(d.billed_audio_seconds)::numeric as billed_audio_seconds,
  sum(d.cost_usd)::numeric as cost_usd
from ai_private.ai_spend_daily d
group by 1, 2, 3
union all
select
  (m.created_at at time zone 'UTC')::date, m.platform, m.function_name,
  count(*)::bigint,
  (count(*) filter (where m.status <> 'success'))::bigint,
  sum(coalesce(m.input_tokens, 0))::bigint,
  sum(coalesce(m.cached_input_tokens, 0))::bigint,
  sum(coalesce(m.output_tokens, 0))::bigint,
  sum(coalesce(m.audio_seconds, 0))::numeric,
  sum(coalesce(m.billed_audio_seconds, 0))::numeric,
  sum(m.cost_usd)::numeric
from public.ai_operations_metrics m
where m.user_id = (select auth.uid())
  and not coalesce(((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'admin', false)
group by 1, 2, 3;

comment on view public.ai_spend_by_function is
  'AI spend per UTC day, platform and edge function. Admins see everyone; other users see their own.';

create view public.ai_spend_by_model
with (security_invoker = true)
as
select
  d.day, d.platform, d.provider, d.model,
  sum(d.operations)::bigint as operations,
  sum(d.failed_operations)::bigint as failed_operations,
  sum(d.input_tokens)::bigint as input_tokens,
  sum(d.cached_input_tokens)::bigint as cached_input_tokens,
  sum(d.output_tokens)::bigint as output_tokens,
  sum(d.audio_seconds)::numeric as audio_seconds,
  sum(d.billed_audio_seconds)::numeric as billed_audio_seconds,
  sum(d.cost_usd)::numeric as cost_usd
from ai_private.ai_spend_daily d
group by 1, 2, 3, 4
union all
select
  (m.created_at at time zone 'UTC')::date, m.platform, m.provider, m.model,
  count(*)::bigint,
  (count(*) filter (where m.status <> 'success'))::bigint,
  sum(coalesce(m.input_tokens, 0))::bigint,
  sum(coalesce(m.cached_input_tokens, 0))::bigint,
  sum(coalesce(m.output_tokens, 0))::bigint,
  sum(coalesce(m.audio_seconds, 0))::numeric,
  sum(coalesce(m.billed_audio_seconds, 0))::numeric,
  sum(m.cost_usd)::numeric
from public.ai_operations_metrics m
where m.user_id = (select auth.uid())
  and not coalesce(((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'admin', false)
group by 1, 2, 3, 4;

comment on view public.ai_spend_by_model is
  'AI spend per UTC day, platform, provider and model. Admins see everyone; other users see their own.';

create view public.ai_spend_by_user
with (security_invoker = true)
as
-- One source for everyone: the monthly rollup's policy gives a user their own rows and an admin
-- all rows. It has exactly this grain (its primary key), so no regrouping.
select
  d.month,
  nullif(d.user_id, '00000000-0000-0000-0000-000000000000'::uuid) as user_id,
  d.platform,
  d.operations,
  d.failed_operations,
  d.input_tokens,
  d.cached_input_tokens,
  d.output_tokens,
  d.audio_seconds::numeric as audio_seconds,
  d.billed_audio_seconds::numeric as billed_audio_seconds,
  d.cost_usd::numeric as cost_usd
from ai_private.ai_spend_monthly_by_user d;

comment on view public.ai_spend_by_user is
  'AI spend per UTC month (first day of the month), user and platform (user_id null = deleted account or no user). Admins see everyone; other users see their own.';

-- Savings: what the same calls would have cost on the OpenAI baseline (gpt-4o / whisper-1)
-- minus what they cost. Rows without a baseline count with baseline = actual (no savings claimed).
create view public.ai_savings_vs_openai
with (security_invoker = true)
as
select
  s.day,
  s.platform,
  s.operation_type,
  s.operations,
  s.cost_usd,
  s.baseline_cost_usd,
  s.baseline_cost_usd - s.cost_usd as savings_usd,
  round(100 * (s.baseline_cost_usd - s.cost_usd) / nullif(s.baseline_cost_usd, 0), 2)
    as savings_percent
from (
  select
    d.day,
    d.platform,
    d.operation_type,
    sum(d.operations)::bigint as operations,
    sum(d.cost_usd)::numeric as cost_usd,
    sum(d.baseline_cost_usd)::numeric as baseline_cost_usd
  from ai_private.ai_spend_daily d
  group by 1, 2, 3
  union all
  select
    (m.created_at at time zone 'UTC')::date,
    m.platform,
    m.operation_type,
    count(*)::bigint,
    sum(m.cost_usd)::numeric,
    sum(coalesce(m.baseline_cost_usd, m.cost_usd))::numeric
  from public.ai_operations_metrics m
  where m.user_id = (select auth.uid())
  and not coalesce(((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'admin', false)
  group by 1, 2, 3
) s;

comment on view public.ai_savings_vs_openai is
  'Per UTC day, platform and operation type: actual cost, OpenAI baseline cost, savings in USD and percent. Admins see everyone; other users see their own.';

revoke all on table public.ai_spend_by_platform, public.ai_spend_by_function,
  public.ai_spend_by_model, public.ai_spend_by_user, public.ai_savings_vs_openai
  from public, anon, authenticated, service_role;
grant select on table public.ai_spend_by_platform, public.ai_spend_by_function,
  public.ai_spend_by_model, public.ai_spend_by_user, public.ai_savings_vs_openai
  to authenticated, service_role;
