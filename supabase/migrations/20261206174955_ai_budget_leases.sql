-- A budget reservation may pay for several requests: a per-worker lease (process-chat,
-- _shared/budget_lease.ts) reserves a few requests' ceilings for one student at once, so that the
-- student's next requests on that worker draw from it without a database round trip, and settles
-- once with what they cost together.
--
-- Until now a ledger row was "paid" by the reservation whose request_id equals its own; a lease has
-- its own request id, so its requests' rows name it in budget_reservation_id. The accounting stays
-- exactly the same:
--   - a row a reservation pays for is not counted by the ledger trigger (its reservation counts:
--     the held amount while live, the actual cost once settled);
--   - a reservation that expired unsettled (its worker died) counts the rows it paid for, found
--     by request id as before or, for a lease, by budget_reservation_id.
-- A row names a reservation only if that reservation is the same user's on the same platform;
-- anything else is counted by the trigger as an uncovered row. Only the functions' tracker sets
-- the column (record-ai-operation's input has no such field).

alter table public.ai_operations_metrics
  add column budget_reservation_id uuid;

comment on column public.ai_operations_metrics.budget_reservation_id is
  'The budget reservation that paid for this row when it is not the request''s own (a per-worker lease covering several requests of one student); null otherwise.';

-- budget_usage finds the rows of a lease that expired unsettled through this; the rows without a
-- lease (all but process-chat's) add nothing to it.
create index ai_operations_metrics_budget_reservation_id_idx
  on public.ai_operations_metrics (budget_reservation_id)
  where budget_reservation_id is not null;

create or replace function ai_private.count_ledger_rows_in_budgets()
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
    and not exists (
      select 1 from ai_private.budget_reservations r
      where r.id = n.budget_reservation_id
        and r.user_id = n.user_id
        and r.platform = n.platform
    )
  group by 1, 2, 3
  on conflict (user_id, platform, day) do update
    set committed_usd = c.committed_usd + excluded.committed_usd;
  return null;
end;
$$;

revoke all on function ai_private.count_ledger_rows_in_budgets() from public;

-- Same signature and columns as before; an expired lease counts the rows it paid for.
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
  -- the ledger rows it paid for (its request's rows, or a lease's rows).
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
    union all
    select m.created_at, m.cost_usd
    from ai_private.budget_reservations r
    join public.ai_operations_metrics m on m.budget_reservation_id = r.id
    where r.user_id = p_user_id and r.platform = p_platform and r.status = 'held'
      and r.expires_at <= now()
      and m.request_id <> r.request_id
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

comment on function ai_private.budget_usage(uuid, text) is
  'Spend of a user on a platform in the current UTC day and month (running counters + held reservations, a lease counting as one), the applicable limit (null = none) and when the period resets.';

revoke all on function ai_private.budget_usage(uuid, text) from public, anon, authenticated;
grant execute on function ai_private.budget_usage(uuid, text) to service_role;
