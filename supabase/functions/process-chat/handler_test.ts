// The handler called directly with a Request and fake dependencies: what happens when the
// database behind budgets and idempotency fails.
import assert from "node:assert/strict";
import { createOfflineProvider } from "../../../scripts/offline-provider/server.ts";
import { createProviderClients } from "../_shared/ai/providers.ts";
import { type ControlStore, StoreTimeoutError } from "../_shared/db.ts";
import type { Runtime } from "../_shared/runtime.ts";
import { createChatHandler } from "./handler.ts";
import { chatRequest, grantingStore, testRuntime } from "./test_runtime.ts";

const down = () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432"));
const working = grantingStore();

async function withProvider(
  fn: (
    rt: (store: ControlStore) => Runtime,
    calls: () => number,
  ) => Promise<void>,
) {
  const provider = createOfflineProvider();
  const server = Deno.serve({ port: 0, onListen() {} }, provider.handler);
  const base = `http://127.0.0.1:${server.addr.port}`;
  const clients = createProviderClients({
    GROQ_API_KEY: "k",
    GROQ_BASE_URL: `${base}/openai/v1`,
    OPENAI_API_KEY: "k",
    OPENAI_BASE_URL: `${base}/v1`,
  });
  try {
    await fn((store) => testRuntime(clients, store), () => provider.state.requests.length);
  } finally {
    await provider.close?.();
    await server.shutdown();
  }
}

const ask = (headers: Record<string, string> = {}) => chatRequest({}, headers);

Deno.test("the budget database down → 503 service_unavailable with Retry-After, no provider call", async () => {
  await withProvider(async (rt, calls) => {
    const res = await createChatHandler(
      rt({ ...working, reserveBudget: down }),
    )(await ask());
    assert.equal(res.status, 503);
    assert.equal((await res.json()).error.code, "service_unavailable");
    assert.equal(res.headers.get("retry-after"), "2");
    assert.equal(
      calls(),
      0,
      "budgets fail closed: no unbudgeted provider call",
    );
  });
});

Deno.test("the idempotency database down at the start → 503, no provider call", async () => {
  await withProvider(async (rt, calls) => {
    const res = await createChatHandler(
      rt({ ...working, idempotencyBegin: down }),
    )(
      await ask({ "idempotency-key": "k-1" }),
    );
    assert.equal(res.status, 503);
    await res.body?.cancel();
    assert.equal(calls(), 0);
  });
});

Deno.test("storing the idempotent result fails after the answer → the student still gets it", async () => {
  await withProvider(async (rt, calls) => {
    const res = await createChatHandler(
      rt({ ...working, idempotencyComplete: down }),
    )(
      await ask({ "idempotency-key": "k-2" }),
    );
    assert.equal(res.status, 200, "a paid answer is never thrown away");
    assert.match((await res.json()).reply, /offline-provider/);
    assert.equal(calls(), 1);
  });
});

Deno.test("a reservation that timed out is given back once the database answers: reserved again under the same request id, settled at 0", async () => {
  await withProvider(async (rt, calls) => {
    const landed = crypto.randomUUID();
    const requests: string[] = [];
    const settled: [string, string][] = [];
    let stalled = true;
    const background: Promise<unknown>[] = [];
    const store: ControlStore = {
      ...working,
      reserveBudget: (a) => {
        requests.push(a.requestId);
        // The first call times out (the database is stalled); it lands later as `landed`.
        return stalled
          ? (stalled = false, Promise.reject(new StoreTimeoutError("reserve_budget: 1200 ms")))
          : Promise.resolve({
            ok: true,
            reservationId: landed,
            retryAfterSeconds: 0,
            limitUsd: null,
            usedUsd: null,
            period: null,
          });
      },
      settleBudget: (id, usd) => (settled.push([id, usd]), Promise.resolve()),
    };
    const res = await createChatHandler({
      ...rt(store),
      waitUntil: (p) => void background.push(p),
    })(await ask());
    assert.equal(res.status, 503);
    await res.body?.cancel();
    await Promise.all(background);
    assert.equal(requests.length, 2);
    assert.equal(
      requests[0],
      requests[1],
      "the same request id: nothing more is reserved",
    );
    assert.deepEqual(settled, [[landed, "0"]]);
    assert.equal(calls(), 0);
  });
});
