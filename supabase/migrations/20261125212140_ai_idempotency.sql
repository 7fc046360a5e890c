-- Idempotent requests: a frontend retry with the same Idempotency-Key gets the first result back
-- without a second provider call or a second charge.
--
-- Keyed by (user, function, key). idempotency_begin claims a key ('new'), or reports what is
-- there: 'done' with the stored response, 'in_progress' while the first request still runs, or
-- 'mismatch' when the key was used with a different request (hash of method, path and body).
-- A claimed key is leased for 10 minutes (longer than any edge function runs): if its request
-- died without complete or release, the same request may claim it again after that.
-- Stored results live 24 hours from completion.

create table ai_private.idempotency_keys (
  user_id uuid not null references auth.users (id) on delete cascade,
  function_name text not null check (function_name <> ''),
  idempotency_key text not null check (length(idempotency_key) between 1 and 255),
  request_hash text not null,
  state text not null default 'in_progress' check (state in ('in_progress', 'done')),
  response_status integer check (response_status between 100 and 599),
  response_body jsonb,
  created_at timestamptz not null default now(),
  locked_until timestamptz not null,
  expires_at timestamptz not null,
  primary key (user_id, function_name, idempotency_key),
  check (state = 'in_progress' or response_status is not null)
);

create index idempotency_keys_expires_at_idx on ai_private.idempotency_keys (expires_at);

comment on table ai_private.idempotency_keys is
  'Requests by Idempotency-Key: in_progress (leased until locked_until) or done with the stored response, kept until expires_at (24 h after completion).';

alter table ai_private.idempotency_keys enable row level security;
revoke all on table ai_private.idempotency_keys from public, anon, authenticated, service_role;

create function ai_private.idempotency_begin(
  p_user_id uuid,
  p_function text,
  p_key text,
  p_request_hash text
)
returns table (state text, response_status integer, response_body jsonb)
language plpgsql
volatile
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_claimed boolean;
  v_row ai_private.idempotency_keys%rowtype;
begin
  if p_user_id is null or p_function is null or p_key is null or p_request_hash is null then
    raise exception 'idempotency_begin: user, function, key and request hash are required'
      using errcode = '22004';
  end if;

  insert into ai_private.idempotency_keys as k (
    user_id, function_name, idempotency_key, request_hash, state, locked_until, expires_at
  )
  values (
    p_user_id, p_function, p_key, p_request_hash, 'in_progress',
    now() + interval '10 minutes', now() + interval '24 hours'
  )
  on conflict (user_id, function_name, idempotency_key) do update
  set request_hash = excluded.request_hash,
      state = 'in_progress',
      response_status = null,
      response_body = null,
      created_at = now(),
      locked_until = excluded.locked_until,
      expires_at = excluded.expires_at
  -- Reclaim a key whose stored result expired, or whose first request died holding the lease.
  where k.expires_at <= now()
     or (k.state = 'in_progress' and k.locked_until <= now()
         and k.request_hash = excluded.request_hash)
  returning true into v_claimed;

  if v_claimed then
    return query select 'new'::text, null::integer, null::jsonb;
    return;
  end if;

  select * into v_row
  from ai_private.idempotency_keys k
  where k.user_id = p_user_id and k.function_name = p_function and k.idempotency_key = p_key;

  if v_row.request_hash <> p_request_hash then
    return query select 'mismatch'::text, null::integer, null::jsonb;
  elsif v_row.state = 'done' then
    return query select 'done'::text, v_row.response_status, v_row.response_body;
  else
    return query select 'in_progress'::text, null::integer, null::jsonb;
  end if;
end;
$$;

comment on function ai_private.idempotency_begin(uuid, text, text, text) is
  'Claim (user, function, Idempotency-Key) for a request: new | in_progress | done (with the stored response) | mismatch (key reused for a different request).';

create function ai_private.idempotency_complete(
  p_user_id uuid,
  p_function text,
  p_key text,
  p_status integer,
  p_body jsonb
)
returns void
language sql
volatile
security definer
set search_path = ''
as $$
  update ai_private.idempotency_keys k
  set state = 'done',
      response_status = p_status,
      response_body = p_body,
      expires_at = now() + interval '24 hours'
  where k.user_id = p_user_id
    and k.function_name = p_function
    and k.idempotency_key = p_key
    and k.state = 'in_progress';
$$;

comment on function ai_private.idempotency_complete(uuid, text, text, integer, jsonb) is
  'Store the response of a claimed request for 24 hours; later begins with the same key and hash get it back.';

create function ai_private.idempotency_release(p_user_id uuid, p_function text, p_key text)
returns void
language sql
volatile
security definer
set search_path = ''
as $$
  delete from ai_private.idempotency_keys k
  where k.user_id = p_user_id
    and k.function_name = p_function
    and k.idempotency_key = p_key
    and k.state = 'in_progress';
$$;

comment on function ai_private.idempotency_release(uuid, text, text) is
  'Give up a claimed key without storing a result (the request failed before anything was charged), so a retry runs again.';

create function ai_private.purge_idempotency_keys()
returns bigint
language sql
volatile
security definer
set search_path = ''
as $$
  with gone as (
    delete from ai_private.idempotency_keys k where k.expires_at <= now() returning 1
  )
  select count(*) from gone;
$$;

revoke all on function ai_private.idempotency_begin(uuid, text, text, text)
  from public, anon, authenticated;
revoke all on function ai_private.idempotency_complete(uuid, text, text, integer, jsonb)
  from public, anon, authenticated;
revoke all on function ai_private.idempotency_release(uuid, text, text)
  from public, anon, authenticated;
revoke all on function ai_private.purge_idempotency_keys() from public, anon, authenticated;
grant execute on function ai_private.idempotency_begin(uuid, text, text, text) to service_role;
grant execute on function ai_private.idempotency_complete(uuid, text, text, integer, jsonb)
  to service_role;
grant execute on function ai_private.idempotency_release(uuid, text, text) to service_role;
grant execute on function ai_private.purge_idempotency_keys() to service_role;
