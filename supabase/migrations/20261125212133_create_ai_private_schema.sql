-- ai_private: not in PostgREST's db-schemas, so the API never exposes it. It holds the budget and
-- idempotency machinery (security definer functions, execute for service_role only) and the daily
-- spend rollups that the public views read.

create schema if not exists ai_private;

revoke all on schema ai_private from public;
-- service_role calls the functions; authenticated reads the rollups through the
-- security_invoker views (row level security applies to them there).
grant usage on schema ai_private to service_role, authenticated;

-- Functions created here later are not executable by everyone by default.
alter default privileges in schema ai_private revoke execute on functions from public;
alter default privileges in schema ai_private revoke all on tables from public;
