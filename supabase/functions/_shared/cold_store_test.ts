// A cold worker's first request's control calls go over the Data API; every later call, and every
// call after an answer, over Postgres.
import assert from "node:assert/strict";
import { dataApiFirst } from "./cold_store.ts";
import type { ControlStore, Reservation } from "./db.ts";

function recording(name: string, calls: string[]): ControlStore {
  const held: Reservation = {
    ok: true,
    reservationId: crypto.randomUUID(),
    retryAfterSeconds: 0,
    limitUsd: "1",
    usedUsd: "0",
    period: "day",
  };
  return {
    reserveBudget: () => (calls.push(`${name} reserve`), Promise.resolve(held)),
    settleBudget: () => (calls.push(`${name} settle`), Promise.resolve()),
    idempotencyBegin: () => (calls.push(`${name} begin`), Promise.resolve({ state: "new" })),
    idempotencyComplete: () => (calls.push(`${name} complete`), Promise.resolve()),
    idempotencyRelease: () => (calls.push(`${name} release`), Promise.resolve()),
    close: () => (calls.push(`${name} close`), Promise.resolve()),
  };
}

Deno.test("the first request's begin and reservation go over the Data API, the rest over Postgres", async () => {
  const calls: string[] = [];
  const store = dataApiFirst(recording("postgres", calls), recording("data-api", calls));
  const key = { userId: crypto.randomUUID(), fn: "process-chat", key: "k1" };
  const reservation = {
    userId: key.userId,
    platform: "main",
    requestId: crypto.randomUUID(),
    amountUsd: "0.01",
  };
  // The first request: begin and reserve while the connection opens; settle and complete after.
  await store.idempotencyBegin({ ...key, requestHash: "h" });
  const hold = await store.reserveBudget(reservation);
  await store.settleBudget(hold.reservationId!, "0.001");
  await store.idempotencyComplete({ ...key, status: 200, body: {} });
  // The second request, and a released key.
  await store.idempotencyBegin({ ...key, key: "k2", requestHash: "h" });
  await store.reserveBudget({ ...reservation, requestId: crypto.randomUUID() });
  await store.idempotencyRelease({ ...key, key: "k2" });
  await store.close();
  assert.deepEqual(calls, [
    "data-api begin",
    "data-api reserve",
    "postgres settle",
    "postgres complete",
    "postgres begin",
    "postgres reserve",
    "postgres release",
    "postgres close",
    "data-api close",
  ]);
});

Deno.test("requests that arrive together before the first reservation all start over the Data API", async () => {
  const calls: string[] = [];
  const store = dataApiFirst(recording("postgres", calls), recording("data-api", calls));
  const r = () => ({
    userId: crypto.randomUUID(),
    platform: "main",
    requestId: crypto.randomUUID(),
    amountUsd: "0.01",
  });
  const begins = [1, 2].map((i) =>
    store.idempotencyBegin({ userId: r().userId, fn: "f", key: `k${i}`, requestHash: "h" })
  );
  await Promise.all(begins);
  await Promise.all([store.reserveBudget(r()), store.reserveBudget(r())]);
  assert.deepEqual(calls, [
    "data-api begin",
    "data-api begin",
    "data-api reserve",
    "postgres reserve",
  ]);
});
