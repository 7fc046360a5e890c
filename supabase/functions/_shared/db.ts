// Budgets and idempotency: the control calls a request makes before and after its provider calls.
// Two ways to reach them, measured by `npm run bench` (see README, "Postgres from functions"):
//
//   - the Data API (default): PostgREST `/rest/v1/rpc/ai_*` with a secret key. The functions hold
//     no Postgres connection at all; PostgREST's pool is fixed whatever the number of isolates.
//   - Postgres (AI_CONTROL_STORE=postgres): SUPABASE_DB_URL or AI_CONTROL_DB_URL, which on hosted
//     must be the transaction pooler (Supavisor, :6543: no prepared statements), one connection per
//     isolate by default.
//
// Either way every call has a deadline: a stalled database answers nothing, and the request must
// become 503 `service_unavailable` within 3 s with no provider call (request.ts maps the throw).
import postgres from "postgres";

export interface Reservation {
  ok: boolean;
  reservationId: string | null;
  retryAfterSeconds: number;
  limitUsd: string | null;
  usedUsd: string | null;
  period: string | null;
  /** When refused: what the user's live holds (requests still running) add to `usedUsd`. */
  heldUsd?: string | null;
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

/** A control call that did not answer within its deadline. */
export class StoreTimeoutError extends Error {}

/** Calls a request waits for before its provider call: past this, the database is "unavailable".
 * Two of them (idempotency, budget) plus auth stay inside the 3 s the README promises. */
export const CONTROL_TIMEOUT_MS = 1_200;
/** Calls that run after the answer (settle, complete, release) may wait longer: they are in the
 * background and losing one leaves a hold for 10 minutes. */
export const BACKGROUND_TIMEOUT_MS = 10_000;

const row = (r: Record<string, unknown>): Reservation => ({
  ok: r.ok === true,
  reservationId: (r.reservation_id as string | null) ?? null,
  retryAfterSeconds: Number(r.retry_after_seconds ?? 0),
  limitUsd: r.limit_usd == null ? null : String(r.limit_usd),
  usedUsd: r.used_usd == null ? null : String(r.used_usd),
  period: (r.period as string | null) ?? null,
  heldUsd: r.held_usd == null ? null : String(r.held_usd),
});

const begun = (r: Record<string, unknown>): IdempotencyState =>
  r.state === "done"
    ? { state: "done", status: r.response_status as number, body: r.response_body }
    : { state: r.state as "new" | "in_progress" | "mismatch" };

/**
 * The control store over the Data API: one `fetch` per call, no connection held by the function.
 * @example const store = createRestControlStore({ url: env.SUPABASE_URL!, key: secretKey });
 */
export function createRestControlStore(
  opts: { url: string; key: string; fetch?: typeof fetch; timeoutMs?: number },
): ControlStore {
  const doFetch = opts.fetch ?? fetch;
  const base = `${opts.url.replace(/\/+$/, "")}/rest/v1/rpc/`;
  const headers: Record<string, string> = {
    apikey: opts.key,
    "content-type": "application/json",
  };
  // A legacy service-role key is a JWT and goes as the bearer too; a new sb_secret_ key travels
  // only as apikey (hosted's gateway turns it into the service_role JWT for PostgREST).
  if (!opts.key.startsWith("sb_")) headers.authorization = `Bearer ${opts.key}`;

  async function rpc(fn: string, args: Record<string, unknown>, timeoutMs: number) {
    let res: Response;
    try {
      res = await doFetch(base + fn, {
        method: "POST",
        headers,
        body: JSON.stringify(args),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      if ((e as Error)?.name === "TimeoutError") {
        throw new StoreTimeoutError(`${fn} did not answer within ${timeoutMs} ms`);
      }
      throw e;
    }
    const text = await res.text();
    if (!res.ok) throw new Error(`${fn} answered ${res.status}: ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : null;
  }
  const fg = opts.timeoutMs ?? CONTROL_TIMEOUT_MS;
  const bg = BACKGROUND_TIMEOUT_MS;

  return {
    async reserveBudget({ userId, platform, requestId, amountUsd }) {
      const rows = await rpc("ai_reserve_budget", {
        p_user_id: userId,
        p_platform: platform,
        p_request_id: requestId,
        p_amount_usd: amountUsd,
      }, fg);
      return row(rows[0]);
    },
    async settleBudget(reservationId, actualUsd) {
      await rpc(
        "ai_settle_budget",
        { p_reservation_id: reservationId, p_actual_usd: actualUsd },
        bg,
      );
    },
    async idempotencyBegin({ userId, fn, key, requestHash }) {
      const rows = await rpc("ai_idempotency_begin", {
        p_user_id: userId,
        p_function: fn,
        p_key: key,
        p_request_hash: requestHash,
      }, fg);
      return begun(rows[0]);
    },
    async idempotencyComplete({ userId, fn, key, status, body }) {
      await rpc("ai_idempotency_complete", {
        p_user_id: userId,
        p_function: fn,
        p_key: key,
        p_status: status,
        p_body: body,
      }, bg);
    },
    async idempotencyRelease({ userId, fn, key }) {
      await rpc("ai_idempotency_release", { p_user_id: userId, p_function: fn, p_key: key }, bg);
    },
    async close() {},
  };
}

/** Rejects with {@link StoreTimeoutError} when `p` takes longer than `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new StoreTimeoutError(`${what} did not answer within ${ms} ms`)),
        ms,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * The control store over Postgres: a tiny pool (1 connection by default) with no prepared
 * statements, as the transaction pooler requires.
 * @example const store = createControlStore(env.AI_CONTROL_DB_URL!);
 */
export function createControlStore(
  dbUrl: string,
  opts: { max?: number; timeoutMs?: number } = {},
): ControlStore {
  const sql = postgres(dbUrl, {
    max: opts.max ?? 1,
    // Supavisor in transaction mode cannot keep prepared statements; on a direct connection they
    // would save little for these one-line calls either.
    prepare: false,
    idle_timeout: 20,
    connect_timeout: 2,
    // Postgres ends a statement stuck behind a lock; the client-side deadline below covers a
    // database that does not answer at all.
    connection: { application_name: "edge-functions", statement_timeout: 5000 },
    onnotice: () => {},
  });
  const fg = opts.timeoutMs ?? CONTROL_TIMEOUT_MS;
  const bg = BACKGROUND_TIMEOUT_MS;
  return {
    async reserveBudget({ userId, platform, requestId, amountUsd }) {
      const [r] = await within(
        sql`select * from public.ai_reserve_budget(
          ${userId}::uuid, ${platform}, ${requestId}::uuid, ${amountUsd}::numeric)`,
        fg,
        "reserve_budget",
      );
      return row(r);
    },
    async settleBudget(reservationId, actualUsd) {
      await within(
        sql`select ai_private.settle_budget(${reservationId}::uuid, ${actualUsd}::numeric)`,
        bg,
        "settle_budget",
      );
    },
    async idempotencyBegin({ userId, fn, key, requestHash }) {
      const [r] = await within(
        sql`select * from ai_private.idempotency_begin(
          ${userId}::uuid, ${fn}, ${key}, ${requestHash})`,
        fg,
        "idempotency_begin",
      );
      return begun(r);
    },
    async idempotencyComplete({ userId, fn, key, status, body }) {
      await within(
        sql`select ai_private.idempotency_complete(
          ${userId}::uuid, ${fn}, ${key}, ${status}, ${sql.json(body as postgres.JSONValue)})`,
        bg,
        "idempotency_complete",
      );
    },
    async idempotencyRelease({ userId, fn, key }) {
      await within(
        sql`select ai_private.idempotency_release(${userId}::uuid, ${fn}, ${key})`,
        bg,
        "idempotency_release",
      );
    },
    async close() {
      await sql.end({ timeout: 2 });
    },
  };
}
