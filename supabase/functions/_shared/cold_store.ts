// A cold worker's first requests, without waiting for its Postgres connection. Opening it costs a
// fresh backend's fork and authentication locally, TLS and SCRAM with the transaction pooler on
// hosted (50–90 ms that a cold worker's first budget step waited for, `npm run bench:cold`), and
// before that loading postgres.js and making its client (~12 ms of the worker's one thread). The
// Data API answers the same control calls (the same SQL functions, through PostgREST's warm
// connections), so the calls a request waits for go there until the worker's own connection has
// answered. process-chat opens that connection at its first call of any kind — normally the
// ledger write after its first answer — so none of that work lands in the first request: started
// while the first reservation was in flight instead, it made that budget step 15 ms slower and
// gained nothing (docs/PERFORMANCE.md, "Sixth session").
import type { ControlStore } from "./db.ts";

/**
 * `postgres`, except that the calls a request waits for (idempotency begin, reservation) go to
 * `dataApi` until `postgres` is ready (`ready()`; a store without it: until the worker's first
 * reservation has been sent). The calls that run after the answer (settle, complete, release)
 * always go over Postgres: a hold or key taken through the Data API is the same row.
 * @example const store = dataApiFirst(createControlStore(url, { warm: false }), createRestControlStore({ url, key }));
 */
export function dataApiFirst(
  postgres: ControlStore,
  dataApi: ControlStore,
  opts: { warmAfterMs?: number } = {},
): ControlStore {
  let reserved = false;
  let fallback: ReturnType<typeof setTimeout> | undefined;
  // A store that says when its connection is ready is used from then on; one that cannot say, from
  // the first reservation on (its connection has had that request's time to open).
  const foreground = () => {
    if (postgres.ready ? postgres.ready() : reserved) return postgres;
    // Normally the first ledger write opens the connection, after the first answer; a worker that
    // answers nothing for a while (every request refused) opens it after WARM_AFTER_MS.
    if (fallback === undefined && postgres.warm) {
      fallback = setTimeout(() => postgres.warm?.(), opts.warmAfterMs ?? WARM_AFTER_MS);
      unref(fallback);
    }
    return dataApi;
  };
  return {
    reserveBudget(a) {
      const store = foreground();
      reserved = true;
      return store.reserveBudget(a);
    },
    idempotencyBegin: (a) => foreground().idempotencyBegin(a),
    settleBudget: (id, usd) => postgres.settleBudget(id, usd),
    idempotencyComplete: (a) => postgres.idempotencyComplete(a),
    idempotencyRelease: (a) => postgres.idempotencyRelease(a),
    async close() {
      clearTimeout(fallback);
      await Promise.all([postgres.close(), dataApi.close()]);
    },
  };
}

/** How long after its first request a worker opens its Postgres connection if nothing has yet. */
export const WARM_AFTER_MS = 2_000;

function unref(timer: ReturnType<typeof setTimeout>): void {
  try {
    Deno.unrefTimer(timer as unknown as number);
  } catch { /* not Deno: the timer only delays exit */ }
}
