/**
 * Re-inserts AI operation metrics that the edge functions could not save.
 *
 * When the database stays unreachable, `_shared/ai/tracking.ts` logs each metric as one line
 * `{"type":"ai_operation_metric_unsaved","metric":{…}}`. Feed the logs on stdin; every other line
 * is ignored. Rows are upserted on (request_id, attempt) with ignoreDuplicates, so running it
 * twice, or over a log where some writes did land, never makes a second row.
 *
 *   SUPABASE_URL=… SUPABASE_SERVICE_ROLE_KEY=… npm run metrics:replay < function.log
 *   deno run --allow-env --allow-net scripts/metrics-replay.ts < function.log
 *
 * Prints the counts: inserted, already present, skipped (metric lines that cannot be used).
 * Exits 1 if the database could not be reached (nothing is lost: run it again).
 */
import { createClient } from "@supabase/supabase-js";
import {
  METRIC_CONFLICT_TARGET,
  METRICS_TABLE,
  type OperationMetric,
  UNSAVED_METRIC_LOG_TYPE,
} from "../supabase/functions/_shared/ai/tracking.ts";

export interface ReplayCounts {
  inserted: number;
  already_present: number;
  skipped: number;
  /** Lines that were not unsaved-metric lines at all. */
  ignored: number;
}

/** What the replay needs from a supabase-js client. */
export interface ReplayClient {
  from(table: string): {
    upsert(
      rows: OperationMetric[],
      options: { onConflict: string; ignoreDuplicates: boolean },
    ): {
      select(columns: string): PromiseLike<{
        data: Array<{ request_id: string; attempt: number }> | null;
        error: { message: string; code?: string } | null;
        status?: number;
      }>;
    };
  };
}

export class ReplayUnreachableError extends Error {
  constructor(message: string, readonly counts: ReplayCounts) {
    super(message);
    this.name = "ReplayUnreachableError";
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The metric in a log line, `null` for a metric line we cannot use, `undefined` for any other
 * line. Tolerates a prefix before the JSON (timestamps, log levels). */
export function parseUnsavedMetricLine(line: string): OperationMetric | null | undefined {
  const marker = line.indexOf(UNSAVED_METRIC_LOG_TYPE);
  if (marker < 0) return undefined;
  const start = line.indexOf("{");
  if (start < 0) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line.slice(start));
  } catch {
    return null;
  }
  const entry = parsed as { type?: unknown; metric?: unknown };
  if (entry?.type !== UNSAVED_METRIC_LOG_TYPE) return undefined;
  const m = entry.metric as Partial<OperationMetric> | undefined;
  if (
    !m || typeof m !== "object" || typeof m.request_id !== "string" || !UUID.test(m.request_id) ||
    !Number.isInteger(m.attempt) || (m.attempt as number) < 1 ||
    typeof m.provider !== "string" || typeof m.model !== "string" ||
    typeof m.operation_type !== "string" || typeof m.platform !== "string"
  ) {
    return null;
  }
  return m as OperationMetric;
}

/**
 * Inserts the unsaved metrics found in `lines`; returns the counts.
 * Throws {@link ReplayUnreachableError} if the database cannot be written at all.
 */
export async function replayMetrics(
  lines: AsyncIterable<string> | Iterable<string>,
  supabase: ReplayClient,
  opts: { batchSize?: number } = {},
): Promise<ReplayCounts> {
  const counts: ReplayCounts = { inserted: 0, already_present: 0, skipped: 0, ignored: 0 };
  const seen = new Set<string>();
  let batch: OperationMetric[] = [];
  const batchSize = opts.batchSize ?? 500;

  const write = async (rows: OperationMetric[]): Promise<void> => {
    if (rows.length === 0) return;
    const { data, error, status } = await supabase
      .from(METRICS_TABLE)
      .upsert(rows, { onConflict: METRIC_CONFLICT_TARGET, ignoreDuplicates: true })
      .select("request_id,attempt");
    if (!error) {
      // ON CONFLICT DO NOTHING returns only the rows it inserted.
      const inserted = data?.length ?? 0;
      counts.inserted += inserted;
      counts.already_present += rows.length - inserted;
      return;
    }
    const permanent = (error.code !== undefined && /^(22|23|42)/.test(error.code)) ||
      (status !== undefined && status >= 400 && status < 500);
    if (!permanent) {
      throw new ReplayUnreachableError(`database unreachable: ${error.message}`, counts);
    }
    if (rows.length === 1) {
      counts.skipped++;
      console.error(
        `skipped ${rows[0].request_id}/${rows[0].attempt}: ${error.message}`,
      );
      return;
    }
    for (const row of rows) await write([row]);
  };

  for await (const line of lines) {
    const metric = parseUnsavedMetricLine(line);
    if (metric === undefined) {
      counts.ignored++;
      continue;
    }
    if (metric === null) {
      counts.skipped++;
      continue;
    }
    const key = `${metric.request_id}/${metric.attempt}`;
    if (seen.has(key)) {
      counts.already_present++; // logged twice in the input
      continue;
    }
    seen.add(key);
    batch.push(metric);
    if (batch.length >= batchSize) {
      await write(batch);
      batch = [];
    }
  }
  await write(batch);
  return counts;
}

async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buffered = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    buffered += text;
    let newline;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      yield buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
    }
  }
  if (buffered.length > 0) yield buffered;
}

if (import.meta.main) {
  const url = Deno.env.get("SUPABASE_URL");
  const key = Deno.env.get("SUPABASE_SERVICE_ROLE_KEY");
  if (!url || !key) {
    console.error("Set SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY (the service-role key).");
    Deno.exit(2);
  }
  const supabase = createClient(url, key, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  try {
    const counts = await replayMetrics(
      readLines(Deno.stdin.readable),
      supabase,
    );
    console.log(
      `inserted ${counts.inserted}, already present ${counts.already_present}, skipped ${counts.skipped}` +
        ` (${counts.ignored} other lines ignored)`,
    );
  } catch (err) {
    if (err instanceof ReplayUnreachableError) {
      const c = err.counts;
      console.error(
        `${err.message}; so far inserted ${c.inserted}, already present ${c.already_present}, skipped ${c.skipped}. Run it again: it is idempotent.`,
      );
      Deno.exit(1);
    }
    throw err;
  }
}
