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

/** A Postgres store that says when its connection is ready, as createControlStore's does. */
function opening(calls: string[]) {
  let ready = false;
  return {
    ...recording("postgres", calls),
    warm: () => void calls.push("postgres warm"),
    ready: () => ready,
    open: () => void (ready = true),
  };
}

Deno.test("with a store that says when it is ready, every waited-for call uses the Data API until then", async () => {
  const calls: string[] = [];
  const postgres = opening(calls);
  const store = dataApiFirst(postgres, recording("data-api", calls));
  const r = () => ({
    userId: crypto.randomUUID(),
    platform: "main",
    requestId: crypto.randomUUID(),
    amountUsd: "0.01",
  });
  const begin = { userId: crypto.randomUUID(), fn: "f", key: "k", requestHash: "h" };
  // Two requests before the connection has answered: no call waits for it.
  await store.idempotencyBegin(begin);
  const hold = await store.reserveBudget(r());
  await store.settleBudget(hold.reservationId!, "0.001"); // after the answer: over Postgres
  await store.idempotencyBegin({ ...begin, key: "k2" });
  await store.reserveBudget(r());
  postgres.open();
  await store.idempotencyBegin({ ...begin, key: "k3" });
  await store.reserveBudget(r());
  await store.close();
  assert.deepEqual(calls, [
    "data-api begin",
    "data-api reserve",
    "postgres settle",
    "data-api begin",
    "data-api reserve",
    "postgres begin",
    "postgres reserve",
    "postgres close",
    "data-api close",
  ]);
});

Deno.test("a worker whose requests make no call after an answer still opens its connection, after warmAfterMs", async () => {
  const calls: string[] = [];
  const store = dataApiFirst(opening(calls), recording("data-api", calls), { warmAfterMs: 20 });
  await store.reserveBudget({
    userId: crypto.randomUUID(),
    platform: "main",
    requestId: crypto.randomUUID(),
    amountUsd: "0.01",
  });
  assert.deepEqual(calls, ["data-api reserve"]);
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(calls, ["data-api reserve", "postgres warm"]);
  await store.close();
});
