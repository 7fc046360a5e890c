// The real dependencies of a function, built once per worker from the environment hosted Supabase
// (or the local stack) provides. Handlers receive them as arguments; tests build their own.
import { createClient } from "@supabase/supabase-js";
import type { Database } from "./database.types.ts";
import { createProviderClients, type ProviderClients } from "./ai/providers.ts";
import {
  createOperationTracker,
  defaultWaitUntil,
  type MetricsClient,
  type OperationTracker,
  type WaitUntil,
} from "./ai/tracking.ts";
import type { RoutingOptions } from "./ai/routing.ts";
import { type ControlStore, createControlStore } from "./db.ts";

export type Env = Record<string, string | undefined>;

export interface Runtime {
  env: Env;
  clients: ProviderClients;
  tracker: OperationTracker;
  store: ControlStore;
  waitUntil: WaitUntil;
  now: () => Date;
  log: (line: string) => void;
  /** Verifies JWT signatures when set (the local stack sets it; hosted relies on verify_jwt). */
  jwtSecret?: string;
  /** Deadline and timeouts for provider calls (AI_DEADLINE_MS, AI_ATTEMPT_TIMEOUT_MS, AI_MAX_WAIT_MS). */
  routing: Pick<RoutingOptions<unknown>, "deadlineMs" | "attemptTimeoutMs" | "maxWaitMs">;
}

function required(env: Env, name: string): string {
  const v = env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

const positive = (v: string | undefined) => (v && Number(v) > 0 ? Number(v) : undefined);

/** Routing limits from the environment; unset values keep routing's defaults. */
export function routingFromEnv(env: Env): Runtime["routing"] {
  return {
    deadlineMs: positive(env.AI_DEADLINE_MS),
    attemptTimeoutMs: positive(env.AI_ATTEMPT_TIMEOUT_MS),
    maxWaitMs: positive(env.AI_MAX_WAIT_MS),
  };
}

/**
 * @example const runtime = createRuntime(Deno.env.toObject());
 */
export function createRuntime(env: Env): Runtime {
  const supabase = createClient<Database>(
    required(env, "SUPABASE_URL"),
    required(env, "SUPABASE_SERVICE_ROLE_KEY"),
    {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    },
  );
  const waitUntil = defaultWaitUntil();
  const log = (line: string) => console.log(line);
  return {
    env,
    clients: createProviderClients(env),
    tracker: createOperationTracker({
      supabase: supabase as unknown as MetricsClient,
      waitUntil,
      log,
    }),
    // Connections per function worker to Postgres (budgets, idempotency); lower it when many
    // workers share a small database (AI_DB_POOL_SIZE).
    store: createControlStore(required(env, "SUPABASE_DB_URL"), {
      max: positive(env.AI_DB_POOL_SIZE),
    }),
    waitUntil,
    now: () => new Date(),
    log,
    jwtSecret: env.LEGACY_JWT_SECRET,
    routing: routingFromEnv(env),
  };
}
