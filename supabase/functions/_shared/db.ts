// Budgets and idempotency live in the `ai_private` schema, which the Data API does not expose, so
// functions reach them over SUPABASE_DB_URL (as hosted Supabase provides it) with the `postgres`
// driver. Ledger rows, by contrast, go through supabase-js (see ai/tracking.ts).
import postgres from "postgres";

export interface Reservation {
  ok: boolean;
  reservationId: string | null;
  retryAfterSeconds: number;
  limitUsd: string | null;
  usedUsd: string | null;
  period: string | null;
}

export type IdempotencyState =
  | { state: "new" }
  | { state: "in_progress" }
  | { state: "mismatch" }
  | { state: "done"; status: number; body: unknown };

/** What handlers need from the database besides the ledger. Fakes implement it in unit tests. */
export interface ControlStore {
  reserveBudget(
    a: { userId: string; platform: string; requestId: string; amountUsd: string },
  ): Promise<Reservation>;
  settleBudget(reservationId: string, actualUsd: string): Promise<void>;
  idempotencyBegin(
    a: { userId: string; fn: string; key: string; requestHash: string },
  ): Promise<IdempotencyState>;
  idempotencyComplete(
    a: { userId: string; fn: string; key: string; status: number; body: unknown },
  ): Promise<void>;
  idempotencyRelease(a: { userId: string; fn: string; key: string }): Promise<void>;
  close(): Promise<void>;
}

/**
 * The control store over a Postgres connection pool.
 * @example const store = createControlStore(Deno.env.get("SUPABASE_DB_URL")!);
 */
export function createControlStore(dbUrl: string, opts: { max?: number } = {}): ControlStore {
  // Transaction-mode poolers (Supavisor on :6543) cannot keep prepared statements.
  const pooled = /:6543\//.test(dbUrl);
  const sql = postgres(dbUrl, {
    max: opts.max ?? 10,
    prepare: !pooled,
    idle_timeout: 60,
    connect_timeout: 10,
    onnotice: () => {},
  });
  return {
    async reserveBudget({ userId, platform, requestId, amountUsd }) {
      const [r] = await sql`select * from ai_private.reserve_budget(
        ${userId}::uuid, ${platform}, ${requestId}::uuid, ${amountUsd}::numeric)`;
      return {
        ok: r.ok,
        reservationId: r.reservation_id,
        retryAfterSeconds: Number(r.retry_after_seconds ?? 0),
        limitUsd: r.limit_usd,
        usedUsd: r.used_usd,
        period: r.period,
      };
    },
    async settleBudget(reservationId, actualUsd) {
      await sql`select ai_private.settle_budget(${reservationId}::uuid, ${actualUsd}::numeric)`;
    },
    async idempotencyBegin({ userId, fn, key, requestHash }) {
      const [r] = await sql`select * from ai_private.idempotency_begin(
        ${userId}::uuid, ${fn}, ${key}, ${requestHash})`;
      if (r.state === "done") {
        return { state: "done", status: r.response_status, body: r.response_body };
      }
      return { state: r.state };
    },
    async idempotencyComplete({ userId, fn, key, status, body }) {
      await sql`select ai_private.idempotency_complete(
        ${userId}::uuid, ${fn}, ${key}, ${status}, ${sql.json(body as postgres.JSONValue)})`;
    },
    async idempotencyRelease({ userId, fn, key }) {
      await sql`select ai_private.idempotency_release(${userId}::uuid, ${fn}, ${key})`;
    },
    async close() {
      await sql.end({ timeout: 2 });
    },
  };
}
