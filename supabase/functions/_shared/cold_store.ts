// A cold worker's first request, without waiting for its Postgres connection. A worker's control
// store opens its connection when it is created (db.ts), but a cold worker's first request
// arrives before the handshake is over: a fresh backend's fork and authentication locally, TLS
// and SCRAM with the transaction pooler on hosted — 50–90 ms that the first request's budget step
// waited for (`npm run bench:cold`). The Data API answers the same control calls (the same SQL
// functions, through PostgREST's warm connections), so the calls of that first request go there,
// and every later call goes over Postgres, whose connection has meanwhile opened.
import type { ControlStore } from "./db.ts";

/**
 * `postgres`, except that the calls a request waits for (idempotency begin, reservation) go to
 * `dataApi` until the worker's first reservation has been sent. The calls that run after the
 * answer (settle, complete, release) always go over Postgres: a hold or key taken through the
 * Data API is the same row.
 * @example const store = dataApiFirst(createControlStore(url), createRestControlStore({ url, key }));
 */
export function dataApiFirst(postgres: ControlStore, dataApi: ControlStore): ControlStore {
  let reserved = false;
  const foreground = () => (reserved ? postgres : dataApi);
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
      await Promise.all([postgres.close(), dataApi.close()]);
    },
  };
}
