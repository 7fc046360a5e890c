-- Budgets and idempotency through the Data API. Functions used to open their own Postgres pools
-- (up to 10 direct connections per isolate) to reach ai_private; hosted runs many isolates and a
-- small instance allows about 60 direct connections, shared with PostgREST, Auth and Storage.
-- These wrappers let functions call the same procedures with supabase-js / PostgREST `.rpc()`,
-- whose pool is fixed, so the functions themselves hold no connection.
--
-- The wrappers are in `public` (the only exposed schema) but callable only by service_role (the
-- secret keys): anon and authenticated cannot execute them. They are security invoker: the
-- procedures underneath stay security definer in ai_private with their own grants.
--
-- ai_reserve_budget also says how much of the refusal is in-flight holds (held_usd): when the
-- student's settled spend plus this request fits the limit and only other running requests' holds
-- block it, the function waits briefly for them instead of refusing until the period resets.

create function public.ai_reserve_budget(
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
  period text,
  held_usd numeric
)
language sql
volatile
security invoker
set search_path = ''
as $$
  select
    r.ok,
    r.reservation_id,
    r.retry_after_seconds,
    r.limit_usd,
    r.used_usd,
    r.period,
    case when r.ok then 0 else (
      select coalesce(sum(h.amount_usd), 0)
      from ai_private.budget_reservations h
      where h.user_id = p_user_id and h.platform = p_platform and h.status = 'held'
        and h.expires_at > now()
    ) end
  from ai_private.reserve_budget(p_user_id, p_platform, p_request_id, p_amount_usd) r;
$$;

create function public.ai_settle_budget(p_reservation_id uuid, p_actual_usd numeric)
returns void
language sql
volatile
security invoker
set search_path = ''
as $$
  select ai_private.settle_budget(p_reservation_id, p_actual_usd);
$$;

create function public.ai_idempotency_begin(
  p_user_id uuid,
  p_function text,
  p_key text,
  p_request_hash text
)
returns table (state text, response_status integer, response_body jsonb)
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from ai_private.idempotency_begin(p_user_id, p_function, p_key, p_request_hash);
$$;

create function public.ai_idempotency_complete(
  p_user_id uuid,
  p_function text,
  p_key text,
  p_status integer,
  p_body jsonb
)
returns void
language sql
volatile
security invoker
set search_path = ''
as $$
  select ai_private.idempotency_complete(p_user_id, p_function, p_key, p_status, p_body);
$$;

create function public.ai_idempotency_release(p_user_id uuid, p_function text, p_key text)
returns void
language sql
volatile
security invoker
set search_path = ''
as $$
  select ai_private.idempotency_release(p_user_id, p_function, p_key);
$$;

comment on function public.ai_reserve_budget(uuid, text, uuid, numeric) is
  'Data API entry to ai_private.reserve_budget for the functions (service_role only); held_usd = live holds of the user on the platform when refused.';
comment on function public.ai_settle_budget(uuid, numeric) is
  'Data API entry to ai_private.settle_budget for the functions (service_role only).';
comment on function public.ai_idempotency_begin(uuid, text, text, text) is
  'Data API entry to ai_private.idempotency_begin for the functions (service_role only).';
comment on function public.ai_idempotency_complete(uuid, text, text, integer, jsonb) is
  'Data API entry to ai_private.idempotency_complete for the functions (service_role only).';
comment on function public.ai_idempotency_release(uuid, text, text) is
  'Data API entry to ai_private.idempotency_release for the functions (service_role only).';

revoke all on function public.ai_reserve_budget(uuid, text, uuid, numeric)
  from public, anon, authenticated;
revoke all on function public.ai_settle_budget(uuid, numeric) from public, anon, authenticated;
revoke all on function public.ai_idempotency_begin(uuid, text, text, text)
  from public, anon, authenticated;
revoke all on function public.ai_idempotency_complete(uuid, text, text, integer, jsonb)
  from public, anon, authenticated;
revoke all on function public.ai_idempotency_release(uuid, text, text)
  from public, anon, authenticated;
grant execute on function public.ai_reserve_budget(uuid, text, uuid, numeric) to service_role;
grant execute on function public.ai_settle_budget(uuid, numeric) to service_role;
grant execute on function public.ai_idempotency_begin(uuid, text, text, text) to service_role;
grant execute on function public.ai_idempotency_complete(uuid, text, text, integer, jsonb)
  to service_role;
grant execute on function public.ai_idempotency_release(uuid, text, text) to service_role;
