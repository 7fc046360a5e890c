// The service-role supabase-js client, loaded when the first ledger write needs it.
//
// Loading supabase-js costs a cold worker ~150 ms on Deno 2.1 (auth-js, postgrest-js, realtime,
// storage; per-module import times in docs/PERFORMANCE.md), and the first request never needs it
// before its answer: the ledger row is written in the
// background after the response (EdgeRuntime.waitUntil). So the module is imported on first use,
// once per worker, and the answer does not wait for it.
import type { SupabaseClient } from "@supabase/supabase-js";
import type { BaselinesClient } from "./ai/baselines.ts";
import type { MetricsClient } from "./ai/tracking.ts";

/**
 * A client for the ledger (`upsert`) and the baselines table (`select`) whose supabase-js is
 * imported at the first call.
 * @example const supabase = lazyServiceClient(env.SUPABASE_URL!, secretKeyFromEnv(env));
 */
export function lazyServiceClient(url: string, key: string): MetricsClient & BaselinesClient {
  let client: Promise<SupabaseClient> | undefined;
  const get = () =>
    client ??= import("@supabase/supabase-js").then(({ createClient }) =>
      createClient(url, key, {
        auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      })
    );
  return {
    from: (table: string) => ({
      upsert: (rows, options) =>
        get().then((c) =>
          c.from(table).upsert(rows as unknown as Record<string, unknown>[], options)
        ),
      select: (columns: string) => get().then((c) => c.from(table).select(columns)),
    }),
  };
}
