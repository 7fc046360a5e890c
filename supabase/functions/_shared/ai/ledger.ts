/**
 * Synchronous ledger writes, for callers that must know a row landed before they answer (the
 * `record-ai-operation` endpoint); handlers that meter their own calls use the background tracker
 * (`tracking.ts`) instead.
 *
 * All rows go in one upsert — one INSERT … ON CONFLICT (request_id, attempt) DO NOTHING statement
 * through PostgREST — so a batch is atomic (every row or none) and idempotent (rows already in the
 * ledger are skipped, not duplicated). The returned keys say which rows are new.
 *
 * @module
 */
import {
  METRIC_CONFLICT_TARGET,
  METRICS_TABLE,
  type MetricsWriteError,
  type OperationMetric,
} from "./tracking.ts";

/** What we need from a supabase-js service-role client; fakes implement just this. */
export interface LedgerClient {
  from(table: string): {
    upsert(
      rows: OperationMetric[],
      options: { onConflict: string; ignoreDuplicates: boolean },
    ): {
      select(columns: string): PromiseLike<{
        data: { request_id: string; attempt: number }[] | null;
        error: MetricsWriteError | null;
        status?: number;
      }>;
    };
  };
}

export type LedgerInsertResult =
  | { ok: true; inserted: Set<string> }
  | { ok: false; error: MetricsWriteError; status?: number };

/** `request_id:attempt`, the ledger's unique key as one string. */
export const metricKey = (m: { request_id: string; attempt: number }) =>
  `${m.request_id}:${m.attempt}`;

/**
 * Inserts `rows` in one statement, skipping any already recorded.
 *
 * @example
 * const r = await insertMetrics(serviceClient, rows);
 * if (r.ok) console.log(`${r.inserted.size} new, ${rows.length - r.inserted.size} duplicates`);
 */
export async function insertMetrics(
  client: LedgerClient,
  rows: OperationMetric[],
): Promise<LedgerInsertResult> {
  if (rows.length === 0) return { ok: true, inserted: new Set() };
  const { data, error, status } = await client
    .from(METRICS_TABLE)
    .upsert(rows, { onConflict: METRIC_CONFLICT_TARGET, ignoreDuplicates: true })
    // ON CONFLICT DO NOTHING … RETURNING returns only the rows this statement inserted.
    .select("request_id, attempt");
  if (error) return { ok: false, error, status };
  return { ok: true, inserted: new Set((data ?? []).map(metricKey)) };
}
