-- Daily spend rollups, so that the spend views stay fast at tens of millions of ledger rows.
--
-- Admins' 90-day dashboards read these small tables instead of aggregating millions of ledger rows;
-- a student's own spend is read from the ledger through the (user_id, created_at) index, which is
-- a few thousand rows at most. The rollups are maintained in the same transaction as the ledger
-- write by statement-level triggers with transition tables (one aggregate upsert per statement,
-- not per row), so they are never stale and a batched insert pays once per batch.
--
-- Days and months are UTC, the same periods as the budgets. Spend per user is kept per month:
-- a day-by-user grain would be every (user, day) pair, too many rows to rank users over 90 days
-- fast; a student's own daily detail is in the other views.
-- Keys cannot hold nulls in a primary key, so a missing function_name is stored as '' and a
-- missing user (deleted account, system call) as the nil uuid; the views turn both back into null.

create table ai_private.ai_spend_daily (
  day date not null,
  platform text not null,
  provider text not null,
  model text not null,
  function_name text not null,
  operation_type text not null,
  operations bigint not null default 0,
  failed_operations bigint not null default 0,
  input_tokens bigint not null default 0,
  cached_input_tokens bigint not null default 0,
  output_tokens bigint not null default 0,
  audio_seconds numeric(20, 3) not null default 0,
  billed_audio_seconds numeric(20, 3) not null default 0,
  cost_usd numeric(30, 10) not null default 0,
  baseline_cost_usd numeric(30, 10) not null default 0,
  primary key (day, platform, provider, model, function_name, operation_type)
) with (fillfactor = 70);

comment on table ai_private.ai_spend_daily is
  'Ledger totals per UTC day, platform, provider, model, function and operation type; maintained by triggers on public.ai_operations_metrics. Admin-readable.';

create table ai_private.ai_spend_monthly_by_user (
  -- First day of the UTC month.
  month date not null,
  user_id uuid not null,
  platform text not null,
  operations bigint not null default 0,
  failed_operations bigint not null default 0,
  input_tokens bigint not null default 0,
  cached_input_tokens bigint not null default 0,
  output_tokens bigint not null default 0,
  audio_seconds numeric(20, 3) not null default 0,
  billed_audio_seconds numeric(20, 3) not null default 0,
  cost_usd numeric(30, 10) not null default 0,
  primary key (month, user_id, platform)
) with (fillfactor = 70);

comment on table ai_private.ai_spend_monthly_by_user is
  'Ledger totals per UTC month, user and platform (nil uuid = no user); maintained by triggers on public.ai_operations_metrics. Admin-readable.';

-- Admins read the rollups; students read their own monthly totals (and their own ledger rows for
-- the daily views). service_role bypasses row level security. Nobody but the trigger writes.
alter table ai_private.ai_spend_daily enable row level security;
alter table ai_private.ai_spend_monthly_by_user enable row level security;
revoke all on table ai_private.ai_spend_daily, ai_private.ai_spend_monthly_by_user
  from public, anon, authenticated, service_role;
grant select on table ai_private.ai_spend_daily, ai_private.ai_spend_monthly_by_user
  to authenticated, service_role;

-- The whole admin test is one subquery (an InitPlan): the JWT is read and parsed once per query
-- and each row only compares one text; the inner (select auth.jwt()) is the form the advisors
-- look for.
create policy "Admins read the daily spend of everyone"
  on ai_private.ai_spend_daily
  for select
  to authenticated
  using ((select (select auth.jwt()) -> 'app_metadata' ->> 'role') = 'admin');

create policy "Users read their own monthly spend and admins read all"
  on ai_private.ai_spend_monthly_by_user
  for select
  to authenticated
  using (
    user_id = (select auth.uid())
    or ((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'admin'
  );

-- The policy filters on user_id.
create index ai_spend_monthly_by_user_user_id_month_idx
  on ai_private.ai_spend_monthly_by_user (user_id, month);

-- Applies a statement's ledger changes to both rollups: rows removed (update/delete) are
-- subtracted, rows added (insert/update) are added. Upserts run in key order so that concurrent
-- batches lock rollup rows in the same order and cannot deadlock each other.
create function ai_private.apply_ai_operations_to_rollups()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row record;
  v_rows bigint;
begin
  -- Fast path for the common case, one row per statement (the tracker writes one row per
  -- attempt): plain upserts of the row's values, without the aggregate plans below. Measured on
  -- 2 cores it roughly halves the trigger's cost for a single-row insert.
  if tg_op = 'INSERT' then
    select count(*) into v_rows from new_rows;
    if v_rows = 1 then
      select * into v_row from new_rows;
      insert into ai_private.ai_spend_daily as d (
        day, platform, provider, model, function_name, operation_type, operations,
        failed_operations, input_tokens, cached_input_tokens, output_tokens, audio_seconds,
        billed_audio_seconds, cost_usd, baseline_cost_usd
      )
      values (
        (v_row.created_at at time zone 'UTC')::date, v_row.platform, v_row.provider, v_row.model,
        coalesce(v_row.function_name, ''), v_row.operation_type,
        1, (v_row.status <> 'success')::int,
        coalesce(v_row.input_tokens, 0), coalesce(v_row.cached_input_tokens, 0),
        coalesce(v_row.output_tokens, 0), coalesce(v_row.audio_seconds, 0),
        coalesce(v_row.billed_audio_seconds, 0), v_row.cost_usd,
        coalesce(v_row.baseline_cost_usd, v_row.cost_usd)
      )
      on conflict (day, platform, provider, model, function_name, operation_type) do update set
        operations = d.operations + excluded.operations,
        failed_operations = d.failed_operations + excluded.failed_operations,
        input_tokens = d.input_tokens + excluded.input_tokens,
        cached_input_tokens = d.cached_input_tokens + excluded.cached_input_tokens,
        output_tokens = d.output_tokens + excluded.output_tokens,
        audio_seconds = d.audio_seconds + excluded.audio_seconds,
        billed_audio_seconds = d.billed_audio_seconds + excluded.billed_audio_seconds,
        cost_usd = d.cost_usd + excluded.cost_usd,
        baseline_cost_usd = d.baseline_cost_usd + excluded.baseline_cost_usd;

      insert into ai_private.ai_spend_monthly_by_user as u (
        month, user_id, platform, operations, failed_operations, input_tokens, cached_input_tokens,
        output_tokens, audio_seconds, billed_audio_seconds, cost_usd
      )
      values (
        date_trunc('month', v_row.created_at at time zone 'UTC')::date,
        coalesce(v_row.user_id, '00000000-0000-0000-0000-000000000000'::uuid), v_row.platform,
        1, (v_row.status <> 'success')::int,
        coalesce(v_row.input_tokens, 0), coalesce(v_row.cached_input_tokens, 0),
        coalesce(v_row.output_tokens, 0), coalesce(v_row.audio_seconds, 0),
        coalesce(v_row.billed_audio_seconds, 0), v_row.cost_usd
      )
      on conflict (month, user_id, platform) do update set
        operations = u.operations + excluded.operations,
        failed_operations = u.failed_operations + excluded.failed_operations,
        input_tokens = u.input_tokens + excluded.input_tokens,
        cached_input_tokens = u.cached_input_tokens + excluded.cached_input_tokens,
        output_tokens = u.output_tokens + excluded.output_tokens,
        audio_seconds = u.audio_seconds + excluded.audio_seconds,
        billed_audio_seconds = u.billed_audio_seconds + excluded.billed_audio_seconds,
        cost_usd = u.cost_usd + excluded.cost_usd;
      return null;
    end if;
  end if;

  if tg_op in ('UPDATE', 'DELETE') then
    insert into ai_private.ai_spend_daily as d (
      day, platform, provider, model, function_name, operation_type, operations,
      failed_operations, input_tokens, cached_input_tokens, output_tokens, audio_seconds,
      billed_audio_seconds, cost_usd, baseline_cost_usd
    )
    select
      (o.created_at at time zone 'UTC')::date, o.platform, o.provider, o.model,
      coalesce(o.function_name, ''), o.operation_type,
      -count(*), -count(*) filter (where o.status <> 'success'),
      -sum(coalesce(o.input_tokens, 0)), -sum(coalesce(o.cached_input_tokens, 0)),
      -sum(coalesce(o.output_tokens, 0)), -sum(coalesce(o.audio_seconds, 0)),
      -sum(coalesce(o.billed_audio_seconds, 0)), -sum(o.cost_usd),
      -sum(coalesce(o.baseline_cost_usd, o.cost_usd))
    from old_rows o
    group by 1, 2, 3, 4, 5, 6
    order by 1, 2, 3, 4, 5, 6
    on conflict (day, platform, provider, model, function_name, operation_type) do update set
      operations = d.operations + excluded.operations,
      failed_operations = d.failed_operations + excluded.failed_operations,
      input_tokens = d.input_tokens + excluded.input_tokens,
      cached_input_tokens = d.cached_input_tokens + excluded.cached_input_tokens,
      output_tokens = d.output_tokens + excluded.output_tokens,
      audio_seconds = d.audio_seconds + excluded.audio_seconds,
      billed_audio_seconds = d.billed_audio_seconds + excluded.billed_audio_seconds,
      cost_usd = d.cost_usd + excluded.cost_usd,
      baseline_cost_usd = d.baseline_cost_usd + excluded.baseline_cost_usd;

    insert into ai_private.ai_spend_monthly_by_user as u (
      month, user_id, platform, operations, failed_operations, input_tokens, cached_input_tokens,
      output_tokens, audio_seconds, billed_audio_seconds, cost_usd
    )
    select
      date_trunc('month', o.created_at at time zone 'UTC')::date,
      coalesce(o.user_id, '00000000-0000-0000-0000-000000000000'::uuid), o.platform,
      -count(*), -count(*) filter (where o.status <> 'success'),
      -sum(coalesce(o.input_tokens, 0)), -sum(coalesce(o.cached_input_tokens, 0)),
      -sum(coalesce(o.output_tokens, 0)), -sum(coalesce(o.audio_seconds, 0)),
      -sum(coalesce(o.billed_audio_seconds, 0)), -sum(o.cost_usd)
    from old_rows o
    group by 1, 2, 3
    order by 1, 2, 3
    on conflict (month, user_id, platform) do update set
      operations = u.operations + excluded.operations,
      failed_operations = u.failed_operations + excluded.failed_operations,
      input_tokens = u.input_tokens + excluded.input_tokens,
      cached_input_tokens = u.cached_input_tokens + excluded.cached_input_tokens,
      output_tokens = u.output_tokens + excluded.output_tokens,
      audio_seconds = u.audio_seconds + excluded.audio_seconds,
      billed_audio_seconds = u.billed_audio_seconds + excluded.billed_audio_seconds,
      cost_usd = u.cost_usd + excluded.cost_usd;
  end if;

  if tg_op in ('INSERT', 'UPDATE') then
    insert into ai_private.ai_spend_daily as d (
      day, platform, provider, model, function_name, operation_type, operations,
      failed_operations, input_tokens, cached_input_tokens, output_tokens, audio_seconds,
      billed_audio_seconds, cost_usd, baseline_cost_usd
    )
    select
      (n.created_at at time zone 'UTC')::date, n.platform, n.provider, n.model,
      coalesce(n.function_name, ''), n.operation_type,
      count(*), count(*) filter (where n.status <> 'success'),
      sum(coalesce(n.input_tokens, 0)), sum(coalesce(n.cached_input_tokens, 0)),
      sum(coalesce(n.output_tokens, 0)), sum(coalesce(n.audio_seconds, 0)),
      sum(coalesce(n.billed_audio_seconds, 0)), sum(n.cost_usd),
      sum(coalesce(n.baseline_cost_usd, n.cost_usd))
    from new_rows n
    group by 1, 2, 3, 4, 5, 6
    order by 1, 2, 3, 4, 5, 6
    on conflict (day, platform, provider, model, function_name, operation_type) do update set
      operations = d.operations + excluded.operations,
      failed_operations = d.failed_operations + excluded.failed_operations,
      input_tokens = d.input_tokens + excluded.input_tokens,
      cached_input_tokens = d.cached_input_tokens + excluded.cached_input_tokens,
      output_tokens = d.output_tokens + excluded.output_tokens,
      audio_seconds = d.audio_seconds + excluded.audio_seconds,
      billed_audio_seconds = d.billed_audio_seconds + excluded.billed_audio_seconds,
      cost_usd = d.cost_usd + excluded.cost_usd,
      baseline_cost_usd = d.baseline_cost_usd + excluded.baseline_cost_usd;

    insert into ai_private.ai_spend_monthly_by_user as u (
      month, user_id, platform, operations, failed_operations, input_tokens, cached_input_tokens,
      output_tokens, audio_seconds, billed_audio_seconds, cost_usd
    )
    select
      date_trunc('month', n.created_at at time zone 'UTC')::date,
      coalesce(n.user_id, '00000000-0000-0000-0000-000000000000'::uuid), n.platform,
      count(*), count(*) filter (where n.status <> 'success'),
      sum(coalesce(n.input_tokens, 0)), sum(coalesce(n.cached_input_tokens, 0)),
      sum(coalesce(n.output_tokens, 0)), sum(coalesce(n.audio_seconds, 0)),
      sum(coalesce(n.billed_audio_seconds, 0)), sum(n.cost_usd)
    from new_rows n
    group by 1, 2, 3
    order by 1, 2, 3
    on conflict (month, user_id, platform) do update set
      operations = u.operations + excluded.operations,
      failed_operations = u.failed_operations + excluded.failed_operations,
      input_tokens = u.input_tokens + excluded.input_tokens,
      cached_input_tokens = u.cached_input_tokens + excluded.cached_input_tokens,
      output_tokens = u.output_tokens + excluded.output_tokens,
      audio_seconds = u.audio_seconds + excluded.audio_seconds,
      billed_audio_seconds = u.billed_audio_seconds + excluded.billed_audio_seconds,
      cost_usd = u.cost_usd + excluded.cost_usd;
  end if;

  if tg_op in ('UPDATE', 'DELETE') then
    delete from ai_private.ai_spend_daily where operations = 0;
    delete from ai_private.ai_spend_monthly_by_user where operations = 0;
  end if;

  return null;
end;
$$;

revoke all on function ai_private.apply_ai_operations_to_rollups() from public;

create trigger ai_operations_metrics_rollup_insert
  after insert on public.ai_operations_metrics
  referencing new table as new_rows
  for each statement execute function ai_private.apply_ai_operations_to_rollups();

-- Updates never come through the API; this keeps the rollups right when an account is deleted
-- (user_id set null) or an operator corrects rows as the table owner.
create trigger ai_operations_metrics_rollup_update
  after update on public.ai_operations_metrics
  referencing old table as old_rows new table as new_rows
  for each statement execute function ai_private.apply_ai_operations_to_rollups();

create trigger ai_operations_metrics_rollup_delete
  after delete on public.ai_operations_metrics
  referencing old table as old_rows
  for each statement execute function ai_private.apply_ai_operations_to_rollups();

create function ai_private.truncate_ai_spend_rollups()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  truncate ai_private.ai_spend_daily, ai_private.ai_spend_monthly_by_user;
  return null;
end;
$$;

revoke all on function ai_private.truncate_ai_spend_rollups() from public;

create trigger ai_operations_metrics_rollup_truncate
  after truncate on public.ai_operations_metrics
  for each statement execute function ai_private.truncate_ai_spend_rollups();

-- Rows written before this migration (none on a fresh project) are folded in once.
insert into ai_private.ai_spend_daily (
  day, platform, provider, model, function_name, operation_type, operations, failed_operations,
  input_tokens, cached_input_tokens, output_tokens, audio_seconds, billed_audio_seconds, cost_usd,
  baseline_cost_usd
)
select
  (created_at at time zone 'UTC')::date, platform, provider, model, coalesce(function_name, ''),
  operation_type, count(*), count(*) filter (where status <> 'success'),
  sum(coalesce(input_tokens, 0)), sum(coalesce(cached_input_tokens, 0)),
  sum(coalesce(output_tokens, 0)), sum(coalesce(audio_seconds, 0)),
  sum(coalesce(billed_audio_seconds, 0)), sum(cost_usd), sum(coalesce(baseline_cost_usd, cost_usd))
from public.ai_operations_metrics
group by 1, 2, 3, 4, 5, 6;

insert into ai_private.ai_spend_monthly_by_user (
  month, user_id, platform, operations, failed_operations, input_tokens, cached_input_tokens,
  output_tokens, audio_seconds, billed_audio_seconds, cost_usd
)
select
  date_trunc('month', created_at at time zone 'UTC')::date,
  coalesce(user_id, '00000000-0000-0000-0000-000000000000'::uuid), platform,
  count(*), count(*) filter (where status <> 'success'),
  sum(coalesce(input_tokens, 0)), sum(coalesce(cached_input_tokens, 0)),
  sum(coalesce(output_tokens, 0)), sum(coalesce(audio_seconds, 0)),
  sum(coalesce(billed_audio_seconds, 0)), sum(cost_usd)
from public.ai_operations_metrics
group by 1, 2, 3;
