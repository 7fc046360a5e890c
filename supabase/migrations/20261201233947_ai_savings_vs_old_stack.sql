-- Savings against the school's old stack (public.ai_old_stack_baselines), per UTC day, platform and
-- operation type, naming the baseline model in force that day.
--
-- Honest by construction: spend on the very model the old stack ran (Groq whisper-large-v3 for
-- voice), or on work whose baseline is the call itself (assistants), or with no baseline row,
-- counts with baseline = actual, whatever baseline_cost_usd the row carries (rows written before
-- this migration priced voice against OpenAI whisper-1). Otherwise the rows' baseline_cost_usd,
-- priced on the baseline model at write time, stands; a fallback to a dearer model than the old
-- stack's shows as negative savings.
--
-- Same access as the other spend views: admins read the daily rollup (everyone's spend), other
-- users their own ledger rows.

create view public.ai_savings_vs_old_stack
with (security_invoker = true)
as
with spend as (
  select
    d.day, d.platform, d.provider, d.model, d.operation_type,
    sum(d.operations)::bigint as operations,
    sum(d.cost_usd)::numeric as cost_usd,
    sum(d.baseline_cost_usd)::numeric as baseline_cost_usd
  from ai_private.ai_spend_daily d
  group by 1, 2, 3, 4, 5
  union all
  select
    (m.created_at at time zone 'UTC')::date, m.platform, m.provider, m.model, m.operation_type,
    count(*)::bigint,
    sum(m.cost_usd)::numeric,
    sum(coalesce(m.baseline_cost_usd, m.cost_usd))::numeric
  from public.ai_operations_metrics m
  where m.user_id = (select auth.uid())
    and not coalesce(((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'admin', false)
  group by 1, 2, 3, 4, 5
),
judged as (
  select
    s.day, s.platform, s.operation_type,
    b.provider as baseline_provider,
    b.model as baseline_model,
    s.operations,
    s.cost_usd,
    case
      when b.model is null or (b.provider = s.provider and b.model = s.model) then s.cost_usd
      else s.baseline_cost_usd
    end as baseline_cost_usd
  from spend s
  left join lateral (
    select o.provider, o.model
    from public.ai_old_stack_baselines o
    where o.operation_type = s.operation_type and o.effective_from <= s.day
    order by o.effective_from desc
    limit 1
  ) b on true
)
select
  j.day,
  j.platform,
  j.operation_type,
  j.baseline_provider,
  j.baseline_model,
  sum(j.operations)::bigint as operations,
  sum(j.cost_usd)::numeric as cost_usd,
  sum(j.baseline_cost_usd)::numeric as baseline_cost_usd,
  (sum(j.baseline_cost_usd) - sum(j.cost_usd))::numeric as savings_usd,
  round(100 * (sum(j.baseline_cost_usd) - sum(j.cost_usd)) / nullif(sum(j.baseline_cost_usd), 0), 2)
    as savings_percent
from judged j
group by 1, 2, 3, 4, 5;

comment on view public.ai_savings_vs_old_stack is
  'Per UTC day, platform and operation type: actual cost against the old stack in force that day (ai_old_stack_baselines), savings in USD and percent. Spend on the old stack''s own model counts as no savings. Admins see everyone; other users see their own.';

comment on view public.ai_savings_vs_openai is
  'Superseded by ai_savings_vs_old_stack: sums the rows'' stored baseline_cost_usd as written (before 2026-12-01 voice was compared with OpenAI whisper-1, which the old stack did not use).';

revoke all on table public.ai_savings_vs_old_stack from public, anon, authenticated, service_role;
grant select on table public.ai_savings_vs_old_stack to authenticated, service_role;
