-- Budget usage in constant time. The first budgets migration summed every reservation and every
-- ledger row of the user's month on each reservation: a student with 600 calls this month paid
-- ~1.8 ms of database time per call, growing with each call, and under load that sum was most of
-- Postgres's CPU. The same numbers are now kept as running totals per user, platform and UTC day:
--
--   committed_usd = actual cost of settled reservations (on the reservation's day)
--                 + ledger rows that no reservation covers (assistant spend, direct records)
--
-- and usage = committed (today, or the month's days) + live held reservations + ledger rows of
-- reservations that expired unsettled (the function died; rare, found through a partial index).
-- This is exactly the accounting of the first migration, maintained incrementally.

create table ai_private.budget_counters (
  user_id uuid not null references auth.users (id) on delete cascade,
  platform text not null check (platform in ('main', 'tripwire')),
  day date not null,
  committed_usd numeric(20, 10) not null default 0 check (committed_usd >= 0),
  primary key (user_id, platform, day)
);

comment on table ai_private.budget_counters is
  'Running spend per user, platform and UTC day for budget checks: settled reservations + ledger rows no reservation covers.';

alter table ai_private.budget_counters enable row level security;
revoke all on table ai_private.budget_counters from public, anon, authenticated, service_role;
grant select on table ai_private.budget_counters to service_role;

-- Held reservations are few at any moment (settled within seconds); this finds them without
-- touching the user's settled history.
create index budget_reservations_held_idx
  on ai_private.budget_reservations (user_id, platform)
  where status = 'held';

-- Backfill from what the first accounting counted, so a deployed project keeps its budgets.
insert into ai_private.budget_counters (user_id, platform, day, committed_usd)
select user_id, platform, day, sum(usd)
from (
  select r.user_id, r.platform, (r.created_at at time zone 'UTC')::date as day, r.actual_usd as usd
  from ai_private.budget_reservations r
  where r.status = 'settled'
  union all
  select m.user_id, m.platform, (m.created_at at time zone 'UTC')::date, m.cost_usd
  from public.ai_operations_metrics m
  where m.user_id is not null
    and m.created_at >= (date_trunc('month', now() at time zone 'UTC') - interval '1 month')
      at time zone 'UTC'
    and not exists (
      select 1 from ai_private.budget_reservations r where r.request_id = m.request_id
    )
) s
group by user_id, platform, day
having sum(usd) > 0;

-- Ledger rows count toward the user's budget unless a reservation pays for their request.
create function ai_private.count_ledger_rows_in_budgets()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into ai_private.budget_counters as c (user_id, platform, day, committed_usd)
  select n.user_id, n.platform, (n.created_at at time zone 'UTC')::date, sum(n.cost_usd)
  from new_rows n
  where n.user_id is not null
    and n.cost_usd > 0
    and not exists (
      select 1 from ai_private.budget_reservations r where r.request_id = n.request_id
    )
  group by 1, 2, 3
  on conflict (user_id, platform, day) do update
    set committed_usd = c.committed_usd + excluded.committed_usd;
  return null;
end;
$$;

revoke all on function ai_private.count_ledger_rows_in_budgets() from public;

create trigger ai_operations_metrics_budget_counters
  after insert on public.ai_operations_metrics
  referencing new table as new_rows
  for each statement execute function ai_private.count_ledger_rows_in_budgets();

-- Same signature and columns as before: only how the numbers are found changes.
create or replace function ai_private.budget_usage(p_user_id uuid, p_platform text)
returns table (period text, limit_usd numeric, used_usd numeric, resets_at timestamptz)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_day date := (now() at time zone 'UTC')::date;
  v_month date := date_trunc('month', now() at time zone 'UTC')::date;
  v_day_start timestamptz := v_day::timestamp at time zone 'UTC';
  v_month_start timestamptz := v_month::timestamp at time zone 'UTC';
  v_committed_day numeric;
  v_committed_month numeric;
  v_held_day numeric;
  v_held_month numeric;
begin
  select
    coalesce(sum(c.committed_usd) filter (where c.day = v_day), 0),
    coalesce(sum(c.committed_usd), 0)
  into v_committed_day, v_committed_month
  from ai_private.budget_counters c
  where c.user_id = p_user_id and c.platform = p_platform and c.day >= v_month;

  -- Held reservations: a live one counts its reserved amount; one that expired unsettled counts
  -- the ledger rows its request wrote (what the first accounting did for uncovered rows).
  select
    coalesce(sum(h.usd) filter (where h.created_at >= v_day_start), 0),
    coalesce(sum(h.usd), 0)
  into v_held_day, v_held_month
  from (
    select r.created_at, r.amount_usd as usd
    from ai_private.budget_reservations r
    where r.user_id = p_user_id and r.platform = p_platform and r.status = 'held'
      and r.expires_at > now() and r.created_at >= v_month_start
    union all
    select m.created_at, m.cost_usd
    from ai_private.budget_reservations r
    join public.ai_operations_metrics m on m.request_id = r.request_id
    where r.user_id = p_user_id and r.platform = p_platform and r.status = 'held'
      and r.expires_at <= now()
      and m.user_id = p_user_id and m.platform = p_platform and m.created_at >= v_month_start
  ) h;

  return query
  select
    p.period,
    l.limit_usd,
    case p.period when 'day' then v_committed_day + v_held_day
                  else v_committed_month + v_held_month end,
    case p.period when 'day' then (v_day + 1)::timestamp at time zone 'UTC'
                  else (v_month + interval '1 month')::timestamp at time zone 'UTC' end
  from (values ('day'), ('month')) as p (period)
  left join lateral (
    select l.limit_usd
    from ai_private.budget_limits l
    where l.platform = p_platform and l.period = p.period
      and (l.user_id = p_user_id or l.user_id is null)
    order by l.user_id nulls last
    limit 1
  ) l on true
  order by p.period;
end;
$$;

create or replace function ai_private.settle_budget(p_reservation_id uuid, p_actual_usd numeric)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_res ai_private.budget_reservations%rowtype;
begin
  if p_actual_usd is null or p_actual_usd < 0 then
    raise exception 'settle_budget: actual cost must be >= 0, got %', p_actual_usd
      using errcode = '22023';
  end if;

  update ai_private.budget_reservations r
  set status = 'settled', actual_usd = p_actual_usd, settled_at = now()
  where r.id = p_reservation_id
    and r.status = 'held'
  returning * into v_res;

  if not found then
    -- Settling twice is a no-op (the first actual cost stands); an unknown id is a bug.
    if not exists (select 1 from ai_private.budget_reservations r where r.id = p_reservation_id) then
      raise exception 'settle_budget: reservation % not found', p_reservation_id
        using errcode = 'P0002';
    end if;
    return;
  end if;

  if p_actual_usd > 0 then
    insert into ai_private.budget_counters as c (user_id, platform, day, committed_usd)
    values (v_res.user_id, v_res.platform, (v_res.created_at at time zone 'UTC')::date, p_actual_usd)
    on conflict (user_id, platform, day) do update
      set committed_usd = c.committed_usd + excluded.committed_usd;
  end if;
end;
$$;

comment on function ai_private.budget_usage(uuid, text) is
  'Spend of a user on a platform in the current UTC day and month (running counters + held reservations), the applicable limit (null = none) and when the period resets.';

revoke all on function ai_private.budget_usage(uuid, text) from public, anon, authenticated;
revoke all on function ai_private.settle_budget(uuid, numeric) from public, anon, authenticated;
grant execute on function ai_private.budget_usage(uuid, text) to service_role;
grant execute on function ai_private.settle_budget(uuid, numeric) to service_role;
