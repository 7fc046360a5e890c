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
  /** A supabase-js client created with the service-role key. */
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
 * Records one metric in the background and resolves when it has been saved or logged.
 * The simple entry point when a handler has a single metric to write.
 *
 * @example
 * await trackAIOperation(metric, { supabase: serviceClient, waitUntil: defaultWaitUntil() });
 */
export function trackAIOperation(metric: OperationMetric, deps: TrackerOptions): Promise<void> {
  const tracker = createOperationTracker({ ...deps, batch: { windowMs: 0, maxRows: 1 } });
  tracker.track(metric);
  return tracker.flush();
}
