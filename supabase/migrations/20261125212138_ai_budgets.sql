-- Spend budgets per user, platform and period (UTC day, UTC month).
--
-- Limits are rows (user_id null = the platform's default, a row with user_id = that user's
-- override), so they change without a deploy. Before a provider call a function reserves the
-- estimated maximum cost; after it, it settles the reservation with the real cost. Usage in a
-- period = settled reservations (actual cost) + held, unexpired reservations (reserved amount) +
-- ledger rows that no live reservation covers (e.g. `assistant` spend written straight to the
-- ledger, or calls whose reservation expired). Every operation type counts.
--
-- reserve_budget takes a transaction-scoped advisory lock per (user, platform), so concurrent
-- reservations for one student run one after another and each sees the previous one: 50 parallel
-- requests can never reserve more than the limit. Overshoot is bounded by what a settled call
-- costs beyond its own estimate. Call it in its own (autocommit) statement, in read committed
-- isolation, as the postgres driver does by default.

create table ai_private.budget_limits (
  id bigint generated always as identity primary key,
  platform text not null check (platform in ('main', 'tripwire')),
  period text not null check (period in ('day', 'month')),
  -- null: the default for every user of the platform; otherwise this user's override.
  user_id uuid references auth.users (id) on delete cascade,
  limit_usd numeric(20, 10) not null check (limit_usd >= 0),
  note text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint budget_limits_platform_period_user_key unique nulls not distinct (platform, period, user_id)
);

create index budget_limits_user_id_idx on ai_private.budget_limits (user_id);

comment on table ai_private.budget_limits is
  'Spend limits in USD per platform and period (day, month = UTC). user_id null = default for the platform; a row with user_id overrides it for that user. No row for a period = no limit in that period.';

-- Defaults (2026-11-25, product decision, tune as rows): a tripwire student (low-price entry
-- course) gets a tenth of a main student's budget. At catalog prices a typical gpt-oss-120b
-- chat turn (2k tokens in, 500 out) costs about 0.0006 USD: main ~800 turns a day,
-- tripwire ~80.
insert into ai_private.budget_limits (platform, period, limit_usd, note) values
  ('main', 'day', 0.50, 'default daily limit for main students'),
  ('main', 'month', 5.00, 'default monthly limit for main students'),
  ('tripwire', 'day', 0.05, 'default daily limit for tripwire students'),
  ('tripwire', 'month', 0.50, 'default monthly limit for tripwire students');

create table ai_private.budget_reservations (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  platform text not null check (platform in ('main', 'tripwire')),
  -- The request whose provider calls this reservation pays for; its ledger rows are not counted
  -- twice while the reservation is live or settled.
  request_id uuid not null unique,
  amount_usd numeric(20, 10) not null check (amount_usd >= 0),
  actual_usd numeric(20, 10) check (actual_usd >= 0),
  status text not null default 'held' check (status in ('held', 'settled')),
  created_at timestamptz not null default now(),
  -- A held reservation stops counting after this (the function died before settling).
  expires_at timestamptz not null,
  settled_at timestamptz,
  check ((status = 'settled') = (actual_usd is not null))
);

create index budget_reservations_user_platform_created_at_idx
  on ai_private.budget_reservations (user_id, platform, created_at);

comment on table ai_private.budget_reservations is
  'Budget reservations: held (amount_usd counts until expires_at) or settled (actual_usd counts).';

alter table ai_private.budget_limits enable row level security;
alter table ai_private.budget_reservations enable row level security;
revoke all on table ai_private.budget_limits, ai_private.budget_reservations
  from public, anon, authenticated, service_role;
-- Operators read and change limits as postgres (dashboard / SQL); service_role may read them.
grant select on table ai_private.budget_limits, ai_private.budget_reservations to service_role;

-- Usage of one user on one platform in the current UTC day and month, with the limits that apply.
create function ai_private.budget_usage(p_user_id uuid, p_platform text)
returns table (period text, limit_usd numeric, used_usd numeric, resets_at timestamptz)
language sql
stable
security definer
set search_path = ''
as $$
  with bounds as (
    select
      now() as at,
      date_trunc('day', now() at time zone 'UTC') at time zone 'UTC' as day_start,
      (date_trunc('day', now() at time zone 'UTC') + interval '1 day') at time zone 'UTC'
        as day_end,
      date_trunc('month', now() at time zone 'UTC') at time zone 'UTC' as month_start,
      (date_trunc('month', now() at time zone 'UTC') + interval '1 month') at time zone 'UTC'
        as month_end
  ),
  reserved as (
    select
      coalesce(sum(
        case when r.status = 'settled' then r.actual_usd
             when r.expires_at > b.at then r.amount_usd
             else 0 end
      ) filter (where r.created_at >= b.day_start), 0) as day_usd,
      coalesce(sum(
        case when r.status = 'settled' then r.actual_usd
             when r.expires_at > b.at then r.amount_usd
             else 0 end
      ), 0) as month_usd
    from ai_private.budget_reservations r
    cross join bounds b
    where r.user_id = p_user_id
      and r.platform = p_platform
      and r.created_at >= b.month_start
  ),
  recorded as (
    select
      coalesce(sum(m.cost_usd) filter (where m.created_at >= b.day_start), 0) as day_usd,
      coalesce(sum(m.cost_usd), 0) as month_usd
    from public.ai_operations_metrics m
    cross join bounds b
    where m.user_id = p_user_id
      and m.platform = p_platform
      and m.created_at >= b.month_start
      and not exists (
        select 1
        from ai_private.budget_reservations r
        where r.request_id = m.request_id
          and (r.status = 'settled' or r.expires_at > b.at)
      )
  ),
  limits as (
    select distinct on (l.period) l.period, l.limit_usd
    from ai_private.budget_limits l
    where l.platform = p_platform
      and (l.user_id = p_user_id or l.user_id is null)
    order by l.period, l.user_id nulls last
  )
  select
    p.period,
    l.limit_usd,
    case p.period when 'day' then rs.day_usd + rc.day_usd else rs.month_usd + rc.month_usd end,
    case p.period when 'day' then b.day_end else b.month_end end
  from (values ('day'), ('month')) as p (period)
  cross join bounds b
  cross join reserved rs
  cross join recorded rc
  left join limits l on l.period = p.period
  order by p.period;
$$;

comment on function ai_private.budget_usage(uuid, text) is
  'Spend of a user on a platform in the current UTC day and month (settled + held reservations + uncovered ledger rows), the applicable limit (null = none) and when the period resets.';

create function ai_private.reserve_budget(
  p_user_id uuid,
  p_platform text,
  p_request_id uuid,
  p_amount_usd numeric
)
returns table (
  ok boolean,
  reservation_id uuid,
  retry_after_seconds integer,
  limit_usd numeric,
  used_usd numeric,
  period text
)
language plpgsql
volatile
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_existing ai_private.budget_reservations%rowtype;
  v_usage record;
  v_denied_period text;
  v_denied_limit numeric;
  v_denied_used numeric;
  v_denied_resets_at timestamptz;
  v_tight_period text;
  v_tight_limit numeric;
  v_tight_used numeric;
  v_id uuid;
begin
  if p_user_id is null or p_request_id is null then
    raise exception 'reserve_budget: user and request are required' using errcode = '22004';
  end if;
  if p_platform is null or p_platform not in ('main', 'tripwire') then
    raise exception 'reserve_budget: unknown platform %', p_platform using errcode = '22023';
  end if;
  if p_amount_usd is null or p_amount_usd < 0 then
    raise exception 'reserve_budget: amount must be >= 0, got %', p_amount_usd
      using errcode = '22023';
  end if;

  -- One reservation at a time per user and platform (released at commit).
  perform pg_catalog.pg_advisory_xact_lock(
    pg_catalog.hashtextextended('ai_budget:' || p_user_id::text || ':' || p_platform, 0)
  );

  -- A retried reserve for the same request returns the same reservation and takes nothing more.
  select * into v_existing from ai_private.budget_reservations r where r.request_id = p_request_id;
  if found then
    if v_existing.user_id <> p_user_id or v_existing.platform <> p_platform then
      raise exception 'reserve_budget: request % is reserved for another user or platform',
        p_request_id using errcode = '23505';
    end if;
    return query select true, v_existing.id, null::integer, null::numeric, null::numeric,
      null::text;
    return;
  end if;

  for v_usage in select * from ai_private.budget_usage(p_user_id, p_platform) loop
    continue when v_usage.limit_usd is null;
    if v_usage.used_usd + p_amount_usd > v_usage.limit_usd then
      -- Denied by the period that resets last: retrying earlier cannot succeed.
      if v_denied_period is null or v_usage.resets_at > v_denied_resets_at then
        v_denied_period := v_usage.period;
        v_denied_limit := v_usage.limit_usd;
        v_denied_used := v_usage.used_usd;
        v_denied_resets_at := v_usage.resets_at;
      end if;
    elsif v_tight_period is null
      or v_usage.limit_usd - v_usage.used_usd < v_tight_limit - v_tight_used then
      v_tight_period := v_usage.period;
      v_tight_limit := v_usage.limit_usd;
      v_tight_used := v_usage.used_usd;
    end if;
  end loop;

  if v_denied_period is not null then
    return query select
      false,
      null::uuid,
      greatest(1, ceil(extract(epoch from v_denied_resets_at - pg_catalog.clock_timestamp())))::integer,
      v_denied_limit,
      v_denied_used,
      v_denied_period;
    return;
  end if;

  insert into ai_private.budget_reservations (user_id, platform, request_id, amount_usd, expires_at)
  values (p_user_id, p_platform, p_request_id, p_amount_usd, now() + interval '10 minutes')
  returning id into v_id;

  return query select
    true,
    v_id,
    null::integer,
    v_tight_limit,
    v_tight_used,
    v_tight_period;
end;
$$;

comment on function ai_private.reserve_budget(uuid, text, uuid, numeric) is
  'Reserve p_amount_usd (the estimated maximum cost of a call) for a user on a platform. ok = false: over the day or month limit, retry_after_seconds = seconds until that period resets (UTC). limit_usd/used_usd/period: the binding period (used_usd before this reservation); null when no limit applies. Held reservations expire after 10 minutes.';

create function ai_private.settle_budget(p_reservation_id uuid, p_actual_usd numeric)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  if p_actual_usd is null or p_actual_usd < 0 then
    raise exception 'settle_budget: actual cost must be >= 0, got %', p_actual_usd
      using errcode = '22023';
  end if;

  update ai_private.budget_reservations r
  set status = 'settled', actual_usd = p_actual_usd, settled_at = now()
  where r.id = p_reservation_id
    and r.status = 'held';

  if not found then
    -- Settling twice is a no-op (the first actual cost stands); an unknown id is a bug.
    if not exists (select 1 from ai_private.budget_reservations r where r.id = p_reservation_id) then
      raise exception 'settle_budget: reservation % not found', p_reservation_id
        using errcode = 'P0002';
    end if;
  end if;
end;
$$;

comment on function ai_private.settle_budget(uuid, numeric) is
  'Settle a reservation with the real cost of the call (0 releases it). Works after expiry too; a second settle is a no-op.';

-- Keeps the reservation table small: a reservation only matters within its UTC month.
create function ai_private.purge_budget_reservations()
returns bigint
language sql
volatile
security definer
set search_path = ''
as $$
  with gone as (
    delete from ai_private.budget_reservations r
    where r.created_at < (date_trunc('month', now() at time zone 'UTC') - interval '1 month')
      at time zone 'UTC'
    returning 1
  )
  select count(*) from gone;
$$;

revoke all on function ai_private.budget_usage(uuid, text) from public, anon, authenticated;
revoke all on function ai_private.reserve_budget(uuid, text, uuid, numeric)
  from public, anon, authenticated;
revoke all on function ai_private.settle_budget(uuid, numeric) from public, anon, authenticated;
revoke all on function ai_private.purge_budget_reservations() from public, anon, authenticated;
grant execute on function ai_private.budget_usage(uuid, text) to service_role;
grant execute on function ai_private.reserve_budget(uuid, text, uuid, numeric) to service_role;
grant execute on function ai_private.settle_budget(uuid, numeric) to service_role;
grant execute on function ai_private.purge_budget_reservations() to service_role;
