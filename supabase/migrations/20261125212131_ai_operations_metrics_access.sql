-- Who may touch the ledger through the API.
-- anon: nothing. authenticated: read own rows; admins (app_metadata.role = 'admin', which only the
-- service can set through the Auth admin API) read every row. service_role: read and insert.
-- Nobody updates or deletes through the API: the ledger is append-only.

alter table public.ai_operations_metrics enable row level security;

revoke all on table public.ai_operations_metrics from public, anon, authenticated, service_role;
grant select on table public.ai_operations_metrics to authenticated;
grant select, insert on table public.ai_operations_metrics to service_role;

-- One permissive policy for both cases (two permissive select policies for the same role would
-- both be evaluated on every row; the advisors flag that as multiple_permissive_policies).
create policy "Users read their own operations and admins read all"
  on public.ai_operations_metrics
  for select
  to authenticated
  using (
    user_id = (select auth.uid())
    or ((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'admin'
  );

-- service_role bypasses RLS, so it needs no policy; no insert/update/delete policy exists for
-- anyone else, and those privileges are not granted either.
