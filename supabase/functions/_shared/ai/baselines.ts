/**
 * The old stack, as admins keep it in `public.ai_old_stack_baselines`: which model the school ran
 * for each kind of work before this project, effective-dated. `baseline_cost_usd` of every ledger
 * row is priced on it (`baselineCost` in cost.ts), and `ai_savings_vs_old_stack` reads it.
 *
 * Read once per worker and kept for {@link BASELINE_CACHE_MS}: an admin's edit reaches new rows
 * within minutes, and a request never waits on it twice. When the table cannot be read, the
 * catalog's copy (`OLD_STACK_BASELINES`, seeded identically) is used and the failure logged: a
 * baseline is a report figure, never a reason to fail a student's request.
 *
 * @module
 */
import type { Provider } from "./catalog.ts";
import { OLD_STACK_BASELINES, type OldStackBaseline, type OperationType } from "./cost.ts";

export const BASELINES_TABLE = "ai_old_stack_baselines";
export const BASELINE_CACHE_MS = 5 * 60 * 1000;

/** What we need from a supabase-js client (service role, or an admin's); fakes implement this. */
export interface BaselinesClient {
  from(table: string): {
    select(
      columns: string,
    ): PromiseLike<{ data: unknown[] | null; error: { message: string } | null }>;
  };
}

const OPERATION_TYPES: readonly OperationType[] = [
  "chat",
  "whisper",
  "vision",
  "document",
  "assistant",
];
const PROVIDERS: readonly Provider[] = ["groq", "openai"];

function toBaseline(row: unknown): OldStackBaseline | null {
  if (typeof row !== "object" || row === null) return null;
  const r = row as Record<string, unknown>;
  const type = r.operation_type as OperationType;
  const from = r.effective_from;
  const provider = r.provider ?? null;
  const model = r.model ?? null;
  if (!OPERATION_TYPES.includes(type)) return null;
  if (typeof from !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(from)) return null;
  if (provider !== null && !PROVIDERS.includes(provider as Provider)) return null;
  if ((provider === null) !== (model === null) || (model !== null && typeof model !== "string")) {
    return null;
  }
  return {
    operation_type: type,
    effective_from: from,
    provider: provider as Provider | null,
    model: model as string | null,
  };
}

/**
 * The old-stack rows from the database, or the catalog's copy when they cannot be read (logged).
 *
 * @example
 * const baselines = await loadOldStackBaselines(serviceClient);
 * await runAIOperation({ ...options, baselines });
 */
export async function loadOldStackBaselines(
  client: BaselinesClient,
  log: (line: string) => void = (line) => console.error(line),
): Promise<readonly OldStackBaseline[]> {
  try {
    const { data, error } = await client.from(BASELINES_TABLE).select(
      "operation_type, effective_from, provider, model",
    );
    if (error) throw new Error(error.message);
    const rows = (data ?? []).map(toBaseline);
    if (rows.length === 0 || rows.some((r) => r === null)) {
      throw new Error(`${BASELINES_TABLE} is empty or has a row that cannot be read`);
    }
    return rows as OldStackBaseline[];
  } catch (err) {
    log(JSON.stringify({
      level: "warn",
      msg: "old-stack baselines unreadable; using the catalog's copy",
      error: String(err),
    }));
    return OLD_STACK_BASELINES;
  }
}

/**
 * A per-worker cache over {@link loadOldStackBaselines}.
 *
 * @example
 * const baselinesOf = cachedBaselines(serviceClient);
 * const baselines = await baselinesOf(); // reads the table at most every 5 minutes
 */
export function cachedBaselines(
  client: BaselinesClient,
  options: { now?: () => number; ttlMs?: number; log?: (line: string) => void } = {},
): () => Promise<readonly OldStackBaseline[]> {
  const now = options.now ?? Date.now;
  const ttl = options.ttlMs ?? BASELINE_CACHE_MS;
  let cached: { at: number; rows: Promise<readonly OldStackBaseline[]> } | undefined;
  return () => {
    if (!cached || now() - cached.at >= ttl) {
      cached = { at: now(), rows: loadOldStackBaselines(client, options.log) };
    }
    return cached.rows;
  };
}
