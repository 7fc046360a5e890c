// The real dependencies of a function, built once per worker from the environment hosted Supabase
// (or the local stack) provides. Handlers receive them as arguments; tests build their own.
import { createProviderClients, type ProviderClients } from "./ai/providers.ts";
import {
  createOperationTracker,
  defaultWaitUntil,
  type MetricsClient,
  type OperationTracker,
  type WaitUntil,
} from "./ai/tracking.ts";
import type { RoutingOptions } from "./ai/routing.ts";
import { type ControlStore, createControlStore, createRestControlStore } from "./db.ts";
import { settleOpenHolds } from "./request.ts";
import { lazyServiceClient } from "./service_client.ts";

export type Env = Record<string, string | undefined>;

export interface Runtime {
  env: Env;
  clients: ProviderClients;
  tracker: OperationTracker;
  store: ControlStore;
  waitUntil: WaitUntil;
  now: () => Date;
  log: (line: string) => void;
  /** LEGACY_JWT_SECRET: HS256 user tokens are verified with it (refused without it). ES256/RS256
   * tokens are verified against the project's JWKS (see http/auth.ts, `defaultJwks`). */
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

function namedKeys(json: string | undefined): Record<string, string> {
  try {
    const parsed = json ? JSON.parse(json) : {};
    return typeof parsed === "object" && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

/**
 * The key server-side calls use: a secret key from SUPABASE_SECRET_KEYS (its `default` entry, else
 * the first), falling back to the legacy SUPABASE_SERVICE_ROLE_KEY, which a project can turn off.
 */
export function secretKeyFromEnv(env: Env): string {
  const keys = namedKeys(env.SUPABASE_SECRET_KEYS);
  const key = keys.default ?? Object.values(keys).find((v) => typeof v === "string" && v);
  return key ?? required(env, "SUPABASE_SERVICE_ROLE_KEY");
}

/** The publishable key (SUPABASE_PUBLISHABLE_KEYS), falling back to the legacy anon key. */
export function publishableKeyFromEnv(env: Env): string | undefined {
  const keys = namedKeys(env.SUPABASE_PUBLISHABLE_KEYS);
  return keys.default ?? Object.values(keys).find((v) => typeof v === "string" && v) ??
    env.SUPABASE_ANON_KEY;
}

/**
 * Where budgets and idempotency live. With AI_CONTROL_DB_URL set (on hosted: the project's
 * transaction pooler URI, port 6543) they go over Postgres, AI_DB_POOL_SIZE connections per worker
 * (default 1); without it through the Data API, and the function holds no connection.
 * AI_CONTROL_STORE (`postgres` | `data-api`) forces one; `postgres` without AI_CONTROL_DB_URL
 * uses SUPABASE_DB_URL, which on hosted is the direct connection: only for a dedicated setup.
 */
export function controlStoreFromEnv(env: Env): ControlStore {
  const store = env.AI_CONTROL_STORE ?? (env.AI_CONTROL_DB_URL ? "postgres" : "data-api");
  if (store !== "postgres" && store !== "data-api") {
    throw new Error(`AI_CONTROL_STORE must be postgres or data-api, not ${store}`);
  }
  if (store === "postgres") {
    return createControlStore(env.AI_CONTROL_DB_URL ?? required(env, "SUPABASE_DB_URL"), {
      max: positive(env.AI_DB_POOL_SIZE),
    });
  }
  return createRestControlStore({ url: required(env, "SUPABASE_URL"), key: secretKeyFromEnv(env) });
}

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
  // The ledger writer uses a secret key: with the legacy keys turned off, a service-role JWT
  // would make every insert fail (and only be logged). Its supabase-js loads at the first write,
  // after the first answer (service_client.ts).
  const supabase = lazyServiceClient(required(env, "SUPABASE_URL"), secretKeyFromEnv(env));
  const waitUntil = defaultWaitUntil();
  const log = (line: string) => console.log(line);
  const store = controlStoreFromEnv(env);
  // With the control store on Postgres, ledger rows go over its background connection (db.ts);
  // otherwise through the Data API with supabase-js.
  const tracker = createOperationTracker({
    supabase: "ledger" in store ? (store.ledger as MetricsClient) : supabase,
    waitUntil,
    log,
  });
  onShutdown(() => shutdownFlush({ tracker, store, log }));
  return {
    env,
    clients: createProviderClients(env),
    tracker,
    store,
    waitUntil,
    now: () => new Date(),
    log,
    jwtSecret: env.LEGACY_JWT_SECRET,
    routing: routingFromEnv(env),
  };
}

/**
 * What a worker does when the platform ends it (`beforeunload`: wall clock, memory, CPU, or an
 * idle drop): write the queued ledger rows, then settle the holds of requests still running at
 * their reserved amount (an upper bound of what they can have spent; unsettled, a hold would stop
 * counting after 10 minutes while its provider calls were paid).
 */
export async function shutdownFlush(
  rt: Pick<Runtime, "tracker" | "store" | "log">,
): Promise<void> {
  await Promise.allSettled([rt.tracker.flush(), settleOpenHolds(rt)]);
}

function onShutdown(fn: () => Promise<void>) {
  if (typeof globalThis.addEventListener !== "function") return;
  globalThis.addEventListener("beforeunload", (event) => {
    const waitUntil = (globalThis as { EdgeRuntime?: { waitUntil?: WaitUntil } }).EdgeRuntime
      ?.waitUntil;
    const done = fn();
    if (typeof waitUntil === "function") waitUntil(done);
    void event;
  });
}
