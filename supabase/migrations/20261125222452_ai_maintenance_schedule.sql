-- Housekeeping for the budget and idempotency tables: expired idempotency keys (24 h results) and
-- reservations older than last month grow without bound otherwise. Hosted Supabase ships pg_cron
-- (enable it under Database → Extensions if this migration reports it missing); the local stack
-- does not, and there the purge functions can be run by hand.
do $$
begin
  if exists (select 1 from pg_catalog.pg_available_extensions where name = 'pg_cron') then
    create extension if not exists pg_cron with schema pg_catalog;
    -- cron.schedule(name, …) replaces a job of the same name, so re-running is harmless.
    perform cron.schedule(
      'ai-purge-idempotency-keys', '17 * * * *', 'select ai_private.purge_idempotency_keys()'
    );
    perform cron.schedule(
      'ai-purge-budget-reservations', '23 3 * * *',
      'select ai_private.purge_budget_reservations()'
    );
  else
    raise notice 'pg_cron is not available: run ai_private.purge_idempotency_keys() hourly and '
      'ai_private.purge_budget_reservations() daily by other means';
  end if;
end
$$;
