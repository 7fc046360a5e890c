// Budgets and idempotency: the control calls a request makes before and after its provider calls.
// Two ways to reach them, measured by `npm run bench` (see README, "Postgres from functions"):
//
//   - Postgres through the transaction pooler (when AI_CONTROL_DB_URL is set, or
//     AI_CONTROL_STORE=postgres): one connection per isolate to Supavisor (:6543), whose own pool
//     to Postgres is fixed; one round trip per call. The faster of the two (README, Benchmarks).
//   - the Data API (otherwise): PostgREST `/rest/v1/rpc/ai_*` with a secret key. The functions hold
//     no connection at all; nothing to configure, about 3 ms more per request.
//
// Either way every call has a deadline: a stalled database answers nothing, and the request must
// become 503 `service_unavailable` within 3 s with no provider call (request.ts maps the throw).
import postgres from "postgres";
import type { MetricsClient, OperationMetric } from "./ai/tracking.ts";

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
 * background and losing one leaves a hold until it expires (150 s, the request idle timeout). */
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DECIMAL = /^\d{1,30}(\.\d{1,40})?$/;

/**
 * SQL literals for the control calls. They are sent as one simple-protocol statement (see
 * {@link createControlStore}), so every value is checked or escaped here: uuids and decimals must
 * match their shape, text is an escape-string literal (`E'…'`, backslashes and quotes doubled),
 * which reads the same whatever `standard_conforming_strings` says.
 */
export const sqlLiteral = {
  uuid(v: string): string {
    if (!UUID.test(v)) throw new TypeError(`not a uuid: ${JSON.stringify(v)}`);
    return `'${v}'::uuid`;
  },
  decimal(v: string): string {
    if (!DECIMAL.test(v)) throw new TypeError(`not a decimal: ${JSON.stringify(v)}`);
    return `${v}::numeric`;
  },
  integer(v: number): string {
    if (!Number.isSafeInteger(v)) throw new TypeError(`not an integer: ${v}`);
    return `${v}`;
  },
  text(v: string): string {
    if (v.includes("\0")) throw new TypeError("text with a NUL character");
    return `E'${v.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
  },
  jsonb(v: unknown): string {
    return `${sqlLiteral.text(JSON.stringify(v ?? null))}::jsonb`;
  },
};

/** postgres.js hands a message shorter than this to `setImmediate` before writing it. */
const IMMEDIATE_WRITE_BYTES = 1024;

/**
 * The control store over Postgres: one connection per worker by default, meant for the
 * transaction pooler (Supavisor, :6543), which keeps the database's own connections fixed however
 * many isolates run.
 *
 * Each call is **one round trip**: a single statement over the simple query protocol, with its
 * values inlined as checked literals ({@link sqlLiteral}). postgres.js's parameterised queries
 * with `prepare: false` (what the pooler needs) take two round trips (Parse/Describe, then
 * Bind/Execute), and on Deno 2.1 — hosted's line — each write shorter than 1 KB waits for
 * `setImmediate`, which there is a 1 ms timer tick: `select 1` took 1.6 ms and a reservation
 * 5.6 ms, against 0.2 ms and 2 ms this way (`npm run bench -- --store postgres`). So statements
 * are padded with trailing spaces to 1 KB, which postgres.js writes at once.
 * @example const store = createControlStore(env.AI_CONTROL_DB_URL!);
 */
export function createControlStore(
  dbUrl: string,
  opts: { max?: number; timeoutMs?: number; warm?: boolean } = {},
): ControlStore & { ledger: MetricsClient } {
  const connect = (max: number) =>
    postgres(dbUrl, {
      max,
      // Supavisor in transaction mode cannot keep prepared statements (simple-protocol
      // statements never create any; this also covers anything else sent on the connection).
      prepare: false,
      // postgres.js asks every new connection for the database's array types (one more round
      // trip, ~7.6 KB) before its first statement; the control calls read no arrays.
      fetch_types: false,
      idle_timeout: 20,
      connect_timeout: 2,
      // Postgres ends a statement stuck behind a lock. Supavisor in transaction mode may not pass
      // startup parameters on to the server connection it lends; the client-side deadline below
      // is what guarantees the quick 503, for a database that does not answer at all too.
      connection: { application_name: "edge-functions", statement_timeout: 5000 },
      onnotice: () => {},
    });
  // The calls a request waits for (reserve, idempotency begin) have the worker's connection to
  // themselves. The calls that run after the answer (settle, complete, release) go over a second
  // connection, opened at the first of them: on one connection, the previous request's settle sat
  // in front of the next request's reservation (postgres.js sends them in order and Postgres runs
  // them one after the other), which under load was most of the budget step's wait. So a busy
  // worker holds two connections to the pooler; one that never answered holds one.
  const sql = connect(opts.max ?? 1);
  let background: ReturnType<typeof postgres> | null = null;
  // Open the connection while the worker's first request is still being authenticated and
  // parsed: connecting (TLS and SCRAM with Supavisor) is the slow part of a cold isolate's first
  // reservation (about 50 ms locally). A failure here is the first control call's to report.
  if (opts.warm !== false) sql.unsafe("select 1").catch(() => {});
  const send = (db: ReturnType<typeof postgres>, text: string, ms: number, what: string) =>
    within(
      Promise.resolve(db.unsafe(text.padEnd(IMMEDIATE_WRITE_BYTES))) as Promise<
        Record<string, unknown>[]
      >,
      ms,
      what,
    );
  const run = (text: string, ms: number, what: string) => send(sql, text, ms, what);
  const later = (text: string, what: string) =>
    send(background ??= connect(1), text, BACKGROUND_TIMEOUT_MS, what);
  const fg = opts.timeoutMs ?? CONTROL_TIMEOUT_MS;
  const L = sqlLiteral;
  return {
    async reserveBudget({ userId, platform, requestId, amountUsd }) {
      const [r] = await run(
        `select * from public.ai_reserve_budget(${L.uuid(userId)}, ${L.text(platform)}, ${
          L.uuid(requestId)
        }, ${L.decimal(amountUsd)})`,
        fg,
        "reserve_budget",
      );
      return row(r);
    },
    async settleBudget(reservationId, actualUsd) {
      await later(
        `select ai_private.settle_budget(${L.uuid(reservationId)}, ${L.decimal(actualUsd)})`,
        "settle_budget",
      );
    },
    async idempotencyBegin({ userId, fn, key, requestHash }) {
      const [r] = await run(
        `select * from ai_private.idempotency_begin(${L.uuid(userId)}, ${L.text(fn)}, ${
          L.text(key)
        }, ${L.text(requestHash)})`,
        fg,
        "idempotency_begin",
      );
      return begun(r);
    },
    async idempotencyComplete({ userId, fn, key, status, body }) {
      await later(
        `select ai_private.idempotency_complete(${L.uuid(userId)}, ${L.text(fn)}, ${L.text(key)}, ${
          L.integer(status)
        }, ${L.jsonb(body)})`,
        "idempotency_complete",
      );
    },
    async idempotencyRelease({ userId, fn, key }) {
      await later(
        `select ai_private.idempotency_release(${L.uuid(userId)}, ${L.text(fn)}, ${L.text(key)})`,
        "idempotency_release",
      );
    },
    async close() {
      await Promise.all([sql.end({ timeout: 2 }), background?.end({ timeout: 2 })]);
    },
    // The ledger's rows over the background connection, as the tracker writes them through
    // supabase-js otherwise (an upsert that ignores duplicates of request_id and attempt; a key a
    // row lacks is null, as PostgREST makes it): one statement per batch instead of a request
    // through the gateway and PostgREST — about 1.5 ms of CPU less per batch on the machine that
    // also answers the next request (docs/PERFORMANCE.md, "Budget step").
    ledger: {
      from(table) {
        return {
          async upsert(rows, { onConflict, ignoreDuplicates }) {
            try {
              await later(ledgerInsert(table, rows, onConflict, ignoreDuplicates), "ledger_insert");
              return { error: null, status: 201 };
            } catch (e) {
              const err = e as { message?: string; code?: string; detail?: string };
              return {
                error: {
                  message: String(err?.message ?? e),
                  code: err?.code,
                  details: err?.detail,
                },
              };
            }
          },
        };
      },
    },
  };
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The insert of `rows` into `public.<table>`, their values as checked JSON literals: one statement
 * per set of keys (sent together, one round trip, one transaction), so a key a row lacks takes
 * its column's default, never a null the column may refuse.
 */
export function ledgerInsert(
  table: string,
  rows: OperationMetric[],
  onConflict: string,
  ignoreDuplicates: boolean,
): string {
  if (!ignoreDuplicates) throw new TypeError("only upserts that ignore duplicates are supported");
  const conflict = onConflict.split(",").map((c) => c.trim());
  const groups = new Map<string, OperationMetric[]>();
  for (const row of rows) {
    const key = Object.keys(row).sort().join(",");
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return [...groups].map(([key, group]) => {
    const columns = key.split(",");
    for (const name of [table, ...columns, ...conflict]) {
      if (!IDENTIFIER.test(name)) throw new TypeError(`not an identifier: ${JSON.stringify(name)}`);
    }
    const list = columns.join(", ");
    return `insert into public.${table} (${list}) select ${list} from ` +
      `jsonb_populate_recordset(null::public.${table}, ${sqlLiteral.jsonb(group)}) ` +
      `on conflict (${conflict.join(", ")}) do nothing`;
  }).join(";\n");
}
