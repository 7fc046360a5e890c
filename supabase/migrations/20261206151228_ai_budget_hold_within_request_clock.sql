-- A held reservation lives as long as the request that made it, not 10 minutes.
--
-- A hold stands in for a provider call that is about to happen. If the worker dies before it
-- settles (hosted ends a worker at its CPU or memory limit, 546), nobody settles it and it used to
-- count against the student for 10 minutes: a 0.029 USD image hold was 58 % of a tripwire
-- student's day, repeatable at no cost by uploading a file that kills the worker. No request lives
-- longer than hosted's 150 s idle timeout (the functions' request clock ends provider calls at
-- 140 s, `_shared/request_clock.ts`), so a hold older than 150 s belongs to a request that is gone.
--
-- Only the hold's lifetime changes: same signature, same locking, same answers.

create or replace function ai_private.reserve_budget(
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
  values (p_user_id, p_platform, p_request_id, p_amount_usd, now() + interval '150 seconds')
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
  'Reserve p_amount_usd (the estimated maximum cost of a call) for a user on a platform. ok = false: over the day or month limit, retry_after_seconds = seconds until that period resets (UTC). limit_usd/used_usd/period: the binding period (used_usd before this reservation); null when no limit applies. Held reservations expire after 150 s (hosted''s request idle timeout): a hold its worker can no longer settle stops counting when its request could no longer be alive.';

-- Holds taken under the old 10-minute rule end where the new rule would have ended them.
update ai_private.budget_reservations
set expires_at = created_at + interval '150 seconds'
where status = 'held'
  and expires_at > created_at + interval '150 seconds';

revoke all on function ai_private.reserve_budget(uuid, text, uuid, numeric)
  from public, anon, authenticated;
grant execute on function ai_private.reserve_budget(uuid, text, uuid, numeric) to service_role;
