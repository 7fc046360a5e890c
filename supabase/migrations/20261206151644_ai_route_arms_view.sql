-- Comparing routing arms (docs/COST_LEVERS.md). One answer = the rows of one request for one
-- operation type (a voice message's transcription and its curator answer are two answers).
--
-- ai_route_arm_answers: one row per answer, per UTC day of its first attempt, with what it cost,
-- how long its attempts took in all, and how it ended: errored (no attempt succeeded or gave a
-- partial answer), fell back (more than one model answered attempts), truncated (a partial row
-- without an error code: the model stopped at its output limit; a cut stream carries a code).
-- ai_route_arms: those answers per platform, operation type and arm: sample size, cost per answer,
-- latency p50/p95, error, fallback and truncation rates. Its operations and cost_usd add up to the
-- ledger's (tests/db/09_route_arms_test.ts).
--
-- security_invoker = true: the ledger's row level security applies, so admins compare arms over
-- everyone's answers and a student sees only their own.

create view public.ai_route_arm_answers
with (security_invoker = true)
as
select
  (min(m.created_at) at time zone 'UTC')::date as day,
  m.platform,
  m.operation_type,
  m.arm,
  m.request_id,
  count(*)::integer as operations,
  sum(m.cost_usd)::numeric as cost_usd,
  sum(coalesce(m.duration_ms, 0))::bigint as duration_ms,
  sum(coalesce(m.input_tokens, 0))::bigint as input_tokens,
  sum(coalesce(m.cached_input_tokens, 0))::bigint as cached_input_tokens,
  sum(coalesce(m.output_tokens, 0))::bigint as output_tokens,
  sum(coalesce(m.image_tokens, 0))::bigint as image_tokens,
  not bool_or(m.status in ('success', 'partial')) as errored,
  count(distinct m.provider || ':' || m.model) > 1 as fell_back,
  bool_or(m.status = 'partial' and m.error_code is null) as truncated
from public.ai_operations_metrics m
group by m.platform, m.operation_type, m.arm, m.request_id;

comment on view public.ai_route_arm_answers is
  'One row per answer (request × operation type) with its arm, cost, latency and outcome.';

create view public.ai_route_arms
with (security_invoker = true)
as
select
  a.platform,
  a.operation_type,
  a.arm,
  min(a.day) as first_day,
  max(a.day) as last_day,
  count(*)::bigint as answers,
  sum(a.operations)::bigint as operations,
  sum(a.cost_usd)::numeric as cost_usd,
  round(sum(a.cost_usd) / count(*), 10) as cost_per_answer_usd,
  percentile_disc(0.5) within group (order by a.duration_ms) as latency_p50_ms,
  percentile_disc(0.95) within group (order by a.duration_ms) as latency_p95_ms,
  round((count(*) filter (where a.errored))::numeric / count(*), 4) as error_rate,
  round((count(*) filter (where a.fell_back))::numeric / count(*), 4) as fallback_rate,
  round((count(*) filter (where a.truncated))::numeric / count(*), 4) as truncation_rate,
  sum(a.input_tokens)::bigint as input_tokens,
  sum(a.cached_input_tokens)::bigint as cached_input_tokens,
  sum(a.output_tokens)::bigint as output_tokens,
  sum(a.image_tokens)::bigint as image_tokens
from public.ai_route_arm_answers a
group by a.platform, a.operation_type, a.arm;

comment on view public.ai_route_arms is
  'Routing arms compared per platform and operation type: sample size, cost per answer, latency p50/p95, error, fallback and truncation rates.';

revoke all on table public.ai_route_arm_answers, public.ai_route_arms
  from public, anon, authenticated, service_role;
grant select on table public.ai_route_arm_answers, public.ai_route_arms
  to authenticated, service_role;
