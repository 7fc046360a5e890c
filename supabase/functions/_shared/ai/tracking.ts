/**
 * The metrics writer: one `ai_operations_metrics` row per provider attempt.
 *
 * Rows are written in the background (through `waitUntil`, so the user never waits), batched when
 * they arrive close together, upserted on `(request_id, attempt)` with `ignoreDuplicates` so a
 * retried or replayed write never makes a second row, retried with backoff, and — if the
 * database stays unreachable — written as one JSON log line per metric
 * (`{"type":"ai_operation_metric_unsaved","metric":{…}}`) that `scripts/metrics-replay.ts` can
 * insert later.
 *
 * `user_id` must come from the verified JWT (`auth.getUser()` / the auth middleware's `sub`),
 * never from a request body: this module writes whatever the handler passes, with the
 * service-role key, which bypasses RLS.
 */

import { cachedBaselines } from "./baselines.ts";
import { lazyServiceClient } from "../service_client.ts";
import { CATALOG } from "./catalog.ts";
import { claimedCostUsd, type CostResult, type OldStackBaseline, type Usage } from "./cost.ts";
import { meterAttempt } from "./operation.ts";

export const METRICS_TABLE = "ai_operations_metrics";
export const METRIC_CONFLICT_TARGET = "request_id,attempt";
export const UNSAVED_METRIC_LOG_TYPE = "ai_operation_metric_unsaved";

/** One row of `ai_operations_metrics` (see docs/DESIGN.md). Money as exact decimal strings. */
export interface OperationMetric {
  request_id: string;
  attempt: number;
  operation_type: "chat" | "whisper" | "vision" | "document" | "assistant";
  platform: "main" | "tripwire";
  provider: "groq" | "openai";
  model: string;
  input_tokens: number | null;
  cached_input_tokens: number | null;
  output_tokens: number | null;
  audio_seconds: string | number | null;
  billed_audio_seconds: string | number | null;
  cost_usd: string | null;
  baseline_cost_usd: string | null;
  /** From the verified JWT only; null for anonymous or service calls. */
  user_id: string | null;
  function_name: string;
  duration_ms: number;
  status: "success" | "error" | "partial";
  error_code: string | null;
  /** When the attempt started; kept so a replayed row carries its original time. */
  created_at?: string;
  /** The routing arm (`arms.ts`); absent = the column's default, `default`. */
  arm?: string;
  /** Input tokens spent on images, by the model's rule (`image_tokens.ts`); null = none. */
  image_tokens?: number | null;
  /** The budget reservation that paid for the row when it is not the request's own: a lease
   * covering several requests of one student (`budget_lease.ts`). Absent = the request's own. */
  budget_reservation_id?: string;
}

/** What we need from a supabase-js client (the service-role one); fakes implement just this. */
export interface MetricsClient {
  from(table: string): {
    upsert(
      rows: OperationMetric[],
      options: { onConflict: string; ignoreDuplicates: boolean },
    ): PromiseLike<{ error: MetricsWriteError | null; status?: number }>;
  };
}

export interface MetricsWriteError {
  message: string;
  code?: string;
  details?: string | null;
  hint?: string | null;
}

export type WaitUntil = (promise: Promise<unknown>) => void;

declare const EdgeRuntime: { waitUntil?: WaitUntil } | undefined;

/**
 * `EdgeRuntime.waitUntil` on Supabase's edge runtime (keeps the worker alive after the response
 * until the promise settles); elsewhere (plain Deno, tests) a fire-and-forget that only guards
 * against unhandled rejections.
 */
export function defaultWaitUntil(): WaitUntil {
  const runtime = typeof EdgeRuntime === "undefined" ? undefined : EdgeRuntime;
  if (runtime && typeof runtime.waitUntil === "function") {
    return (promise) => runtime.waitUntil!(promise);
  }
  return (promise) => {
    promise.catch(() => {});
  };
}

export interface TrackerOptions {
  /** A supabase-js client created with the service-role key, or the Postgres control store's
   * ledger writer (`db.ts`, `ledger`: the same upsert over its background connection). */
  supabase: MetricsClient;
  waitUntil?: WaitUntil;
  /** Receives whole log lines (JSON). Default: `console.error`. */
  log?: (line: string) => void;
  /** Retries after the first write fails (default 4, so 5 writes in all). */
  maxRetries?: number;
  /** First backoff delay; doubles per retry up to 2 s (default 200 ms: 200, 400, 800, 1600). */
  backoffMs?: number;
  /** Rows arriving within `windowMs` of the first go in one insert, up to `maxRows`
   * (default 20 ms, 100 rows). `windowMs: 0` writes on the next tick. */
  batch?: { windowMs?: number; maxRows?: number };
  sleep?: (ms: number) => Promise<void>;
}

export interface OperationTracker {
  /** Queues a metric; returns at once. The write runs in the background via `waitUntil`. */
  track(metric: OperationMetric): void;
  /** Writes whatever is queued and waits until every write has been saved or logged. */
  flush(): Promise<void>;
}

const MAX_BACKOFF_MS = 2_000;

/**
 * The tracker for one request whose budget hold is `reservationId`: its rows name the hold, so the
 * budget counts them once (a lease's rows carry another request id than the lease's).
 */
export function trackerPaidBy(
  tracker: OperationTracker,
  reservationId: string,
): OperationTracker {
  return {
    track: (metric) => tracker.track({ ...metric, budget_reservation_id: reservationId }),
    flush: () => tracker.flush(),
  };
}

/**
 * @example
 * const tracker = createOperationTracker({ supabase: serviceClient, waitUntil: defaultWaitUntil() });
 * tracker.track(metric); // returns immediately
 */
export function createOperationTracker(options: TrackerOptions): OperationTracker {
  const waitUntil = options.waitUntil ?? defaultWaitUntil();
  const log = options.log ?? ((line: string) => console.error(line));
  const maxRetries = Math.max(0, options.maxRetries ?? 4);
  const backoffMs = options.backoffMs ?? 200;
  const windowMs = Math.max(0, options.batch?.windowMs ?? 20);
  const maxRows = Math.max(1, options.batch?.maxRows ?? 100);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  interface Batch {
    rows: OperationMetric[];
    release: () => void;
    timer?: ReturnType<typeof setTimeout>;
  }
  let current: Batch | undefined;
  const inFlight = new Set<Promise<void>>();

  function startBatch(): Batch {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const batch: Batch = { rows: [], release };
    // One promise per batch, handed to waitUntil at once so the runtime keeps the worker alive
    // through the batching window as well as the write.
    const done = gate.then(() => writeRows(batch.rows)).catch(() => {});
    inFlight.add(done);
    done.finally(() => inFlight.delete(done));
    waitUntil(done);
    batch.timer = setTimeout(() => {
      if (current === batch) closeBatch();
    }, windowMs);
    current = batch;
    return batch;
  }

  function closeBatch() {
    const batch = current;
    if (!batch) return;
    current = undefined;
    clearTimeout(batch.timer);
    batch.release();
  }

  async function writeRows(rows: OperationMetric[]): Promise<void> {
    if (rows.length === 0) return;
    const result = await writeWithRetry(rows);
    if (result === "saved") return;
    if (result === "permanent" && rows.length > 1) {
      // One bad row (e.g. a user deleted meanwhile) must not sink the rest of the batch.
      for (const row of rows) await writeRows([row]);
      return;
    }
    for (const row of rows) {
      log(JSON.stringify({ type: UNSAVED_METRIC_LOG_TYPE, metric: row, reason: result }));
    }
  }

  async function writeWithRetry(
    rows: OperationMetric[],
  ): Promise<"saved" | "permanent" | "unreachable"> {
    for (let retry = 0; retry <= maxRetries; retry++) {
      if (retry > 0) await sleep(Math.min(MAX_BACKOFF_MS, backoffMs * 2 ** (retry - 1)));
      try {
        const { error, status } = await options.supabase
          .from(METRICS_TABLE)
          .upsert(rows, { onConflict: METRIC_CONFLICT_TARGET, ignoreDuplicates: true });
        if (!error) return "saved";
        if (isPermanent(error, status)) return "permanent";
      } catch {
        // A thrown network error is as transient as a returned one.
      }
    }
    return "unreachable";
  }

  return {
    track(metric) {
      const batch = current ?? startBatch();
      batch.rows.push(metric);
      if (batch.rows.length >= maxRows) closeBatch();
    },
    async flush() {
      closeBatch();
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}

/** Errors a retry cannot fix: bad data (SQLSTATE 22xxx), constraint violations (23xxx),
 * unknown columns (42xxx), or a 4xx from PostgREST other than timeouts and rate limits. */
function isPermanent(error: MetricsWriteError, status: number | undefined): boolean {
  if (error.code && /^(22|23|42)/.test(error.code)) return true;
  return status !== undefined && status >= 400 && status < 500 && status !== 408 &&
    status !== 429;
}

/**
 * One AI call as the brief's `trackAIOperation` takes it: the brief's fields first, ours as
 * optional extras. `cost_usd` is a claim: the row is always priced from the catalog, and a claim
 * that disagrees (or is not a number at all, like a NaN) is logged as
 * `{"type":"ai_operation_cost_mismatch",…}`.
 */
export interface AIOperationMetrics {
  // The brief's fields.
  operation_type: OperationMetric["operation_type"];
  platform: OperationMetric["platform"];
  model: string;
  input_tokens?: number | null;
  output_tokens?: number | null;
  /** Seconds of audio (whisper rows). */
  audio_seconds?: number | string | null;
  /** A number, a decimal string, or a `calculateCost` result: compared, never stored as given. */
  cost_usd?: number | string | CostResult | null;
  /** From the verified JWT only. */
  user_id?: string | null;
  function_name: string;
  duration_ms?: number | null;
  status?: OperationMetric["status"];
  // Ours.
  /** Default: the catalog's provider of `model` (the brief's models are Groq's). */
  provider?: OperationMetric["provider"];
  /** The provider's usage object as returned: priced exactly (cached and reasoning tokens). */
  usage?: Usage | null;
  cached_input_tokens?: number | null;
  /** Default: a new random UUID (one request, one attempt). */
  request_id?: string;
  attempt?: number;
  error_code?: string | null;
  /** When the call started (the price period); default now. */
  created_at?: string | Date;
}

/** The usage a metric describes: its `usage`, else its audio seconds or token counts. */
function usageOfMetric(metric: AIOperationMetrics): Usage | null {
  if (metric.usage) return metric.usage;
  if (metric.audio_seconds !== undefined && metric.audio_seconds !== null) {
    return { audio_seconds: metric.audio_seconds };
  }
  const counts = [metric.input_tokens, metric.output_tokens, metric.cached_input_tokens];
  if (counts.every((n) => n === undefined || n === null)) return null;
  return {
    prompt_tokens: metric.input_tokens ?? 0,
    completion_tokens: metric.output_tokens ?? 0,
    prompt_tokens_details: { cached_tokens: metric.cached_input_tokens ?? 0 },
  };
}

function providerOf(metric: AIOperationMetrics): OperationMetric["provider"] {
  if (metric.provider) return metric.provider;
  const providers = new Set(CATALOG.filter((m) => m.id === metric.model).map((m) => m.provider));
  return providers.size === 1 ? [...providers][0] : "groq";
}

export interface MeterMetricOptions {
  now?: () => Date;
  log?: (line: string) => void;
  baselines?: readonly OldStackBaseline[];
}

/**
 * The ledger row of an {@link AIOperationMetrics}, priced from the catalog at its `created_at`
 * (pure but for `crypto.randomUUID` when no `request_id` is given). A model the catalog cannot
 * price (unknown, retired on that date) still gives a row, at 0 with the error's code, logged as
 * `ai_operation_unpriced`, like every other metered call.
 */
export function meterMetric(
  metric: AIOperationMetrics,
  options: MeterMetricOptions = {},
): OperationMetric {
  const log = options.log ?? ((line: string) => console.error(line));
  const startedAt = metric.created_at === undefined
    ? (options.now ?? (() => new Date()))()
    : new Date(metric.created_at);
  const status = metric.status ?? "success";
  const row = meterAttempt(
    {
      requestId: metric.request_id ?? crypto.randomUUID(),
      userId: metric.user_id ?? null,
      platform: metric.platform,
      functionName: metric.function_name,
      operationType: metric.operation_type,
    },
    {
      attempt: metric.attempt ?? 1,
      provider: providerOf(metric),
      model: metric.model,
      startedAt,
      durationMs: Math.max(0, Math.round(metric.duration_ms ?? 0)),
      outcome: status,
    },
    usageOfMetric(metric),
    log,
    options.baselines,
  );
  if (metric.error_code !== undefined && metric.error_code !== null) {
    row.error_code = metric.error_code;
  }
  if (metric.cost_usd !== undefined && metric.cost_usd !== null) {
    const claimed = claimedCostUsd(metric.cost_usd);
    if (claimed !== row.cost_usd) {
      log(JSON.stringify({
        type: "ai_operation_cost_mismatch",
        claimed_cost_usd: claimed ?? String(metric.cost_usd),
        catalog_cost_usd: row.cost_usd,
        request_id: row.request_id,
        attempt: row.attempt,
        provider: row.provider,
        model: row.model,
        hint: "The row keeps the catalog's price; pass the provider's usage and let it price.",
      }));
    }
  }
  return row;
}

let envTracker:
  | { tracker: OperationTracker; baselines: () => Promise<readonly OldStackBaseline[]> }
  | undefined;

// Built once per worker from SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY: the brief's one-argument
// call has nowhere else to get a client from.
function trackerFromEnv(): typeof envTracker {
  if (envTracker) return envTracker;
  const url = Deno.env.get("SUPABASE_URL");
  const key = Deno.env.get("SUPABASE_SERVICE_ROLE_KEY");
  if (!url || !key) return undefined;
  const supabase = lazyServiceClient(url, key);
  envTracker = {
    tracker: createOperationTracker({ supabase, batch: { windowMs: 0, maxRows: 1 } }),
    baselines: cachedBaselines(supabase),
  };
  return envTracker;
}

/**
 * Records one AI call, priced from the catalog, and resolves with its row once it has been saved
 * (or, with the database unreachable, logged for `scripts/metrics-replay.ts`).
 *
 * With one argument (the brief's form) it uses a tracker built once per worker from
 * `SUPABASE_URL` and `SUPABASE_SERVICE_ROLE_KEY` and the admins' old-stack baselines. With `deps`,
 * it writes through them (tests, or a handler with its own client). A passed `cost_usd` is compared
 * with the catalog's price, and a mismatch logged; the row always holds the catalog's.
 *
 * @example
 * ```ts
 * const response = await groq.chat.completions.create({ model, messages });
 * await trackAIOperation({
 *   operation_type: "chat",
 *   platform: "main",
 *   model,
 *   input_tokens: response.usage.prompt_tokens,
 *   output_tokens: response.usage.completion_tokens,
 *   cost_usd: calculateCost("groq", model, response.usage),
 *   user_id: user.id,
 *   function_name: "process-chat",
 *   duration_ms: Date.now() - started,
 * });
 * ```
 */
export async function trackAIOperation(
  metric: AIOperationMetrics,
  deps?: TrackerOptions & { baselines?: readonly OldStackBaseline[]; now?: () => Date },
): Promise<OperationMetric> {
  const log = deps?.log ?? ((line: string) => console.error(line));
  const fromEnv = deps ? undefined : trackerFromEnv();
  const baselines = deps?.baselines ?? (fromEnv ? await fromEnv.baselines() : undefined);
  const row = meterMetric(metric, { log, baselines, now: deps?.now });
  if (deps) {
    const tracker = createOperationTracker({ ...deps, batch: { windowMs: 0, maxRows: 1 } });
    tracker.track(row);
    await tracker.flush();
  } else if (fromEnv) {
    fromEnv.tracker.track(row);
    await fromEnv.tracker.flush();
  } else {
    log(JSON.stringify({ type: UNSAVED_METRIC_LOG_TYPE, metric: row, reason: "no_supabase_env" }));
  }
  return row;
}
