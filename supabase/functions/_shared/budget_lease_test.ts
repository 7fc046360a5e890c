// The per-worker budget lease against an in-memory store that keeps the database's accounting
// (holds count their amount until settled, then their actual cost).
import assert from "node:assert/strict";
import { createBudgetLeases, type LeaseOptions, leaseOptionsFromEnv } from "./budget_lease.ts";
import type { ControlStore, Reservation } from "./db.ts";
import { HttpError } from "./http/errors.ts";
import { type BudgetHold, settleOpenHolds } from "./request.ts";
// mulberry32, so a failing sequence can be replayed with LEASE_SEED=<n>.
import { prng as seeded } from "../../../scripts/bench/inputs/random.mjs";

interface Hold {
  id: string;
  userId: string;
  amount: number;
  actual: number | null;
}

function fakeStore(limitUsd: number) {
  const holds: Hold[] = [];
  const calls: string[] = [];
  let limit = limitUsd;
  let down = false;
  const used = (userId: string) =>
    holds.filter((h) => h.userId === userId).reduce((s, h) => s + (h.actual ?? h.amount), 0);
  const store: ControlStore = {
    reserveBudget({ userId, amountUsd }) {
      calls.push(`reserve ${amountUsd}`);
      if (down) return Promise.reject(new Error("connect ECONNREFUSED"));
      const amount = Number(amountUsd);
      const u = used(userId);
      if (u + amount > limit + 1e-12) {
        const r: Reservation = {
          ok: false,
          reservationId: null,
          retryAfterSeconds: 3600,
          limitUsd: String(limit),
          usedUsd: String(u),
          period: "day",
          // No held amount is reported: the exact path's wait for other holds (request.ts, up to
          // 8 s on the real clock) is tested with the handler, not here.
          heldUsd: null,
        };
        return Promise.resolve(r);
      }
      const id = crypto.randomUUID();
      holds.push({ id, userId, amount, actual: null });
      return Promise.resolve({
        ok: true,
        reservationId: id,
        retryAfterSeconds: 0,
        limitUsd: String(limit),
        usedUsd: String(u),
        period: "day",
      });
    },
    settleBudget(id, actualUsd) {
      calls.push(`settle ${actualUsd}`);
      const h = holds.find((h) => h.id === id);
      if (h && h.actual === null) h.actual = Number(actualUsd);
      return Promise.resolve();
    },
    idempotencyBegin: () => Promise.resolve({ state: "new" }),
    idempotencyComplete: () => Promise.resolve(),
    idempotencyRelease: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  return {
    store,
    holds,
    calls,
    used,
    setLimit: (v: number) => (limit = v),
    setDown: (v: boolean) => (down = v),
  };
}

function setup(limitUsd: number, opts: Partial<LeaseOptions> = {}) {
  const db = fakeStore(limitUsd);
  let now = 0;
  const background: Promise<unknown>[] = [];
  const rt = {
    store: db.store,
    waitUntil: (p: Promise<unknown>) => void background.push(p),
    log: () => {},
    clock: () => now,
    sleep: () => Promise.resolve(),
  };
  const leases = createBudgetLeases(rt, { requests: 4, drawMs: 2_000, idleMs: 5, ...opts });
  const ask = (userId = "u1", amountUsd = "0.001") =>
    leases.reserve({ userId, platform: "main", requestId: crypto.randomUUID(), amountUsd });
  const settled = async () => {
    await new Promise((r) => setTimeout(r, 20)); // idle timers (5 ms) fire
    await Promise.all(background);
  };
  return { db, rt, leases, ask, settled, advance: (ms: number) => (now += ms) };
}

Deno.test("four requests of one student draw from one reservation, settled once at what they cost", async () => {
  const { db, ask, settled } = setup(1);
  const holds: BudgetHold[] = [];
  for (let i = 0; i < 4; i++) {
    const h = await ask();
    holds.push(h);
    h.settle("0.0002");
  }
  await settled();
  // The second reservation is the successor opened ahead once the third request had answered
  // (never used here, so it is given back at 0 once idle).
  assert.deepStrictEqual(db.calls.sort(), [
    "reserve 0.0040000000",
    "reserve 0.0040000000",
    "settle 0",
    "settle 0.0008000000",
  ]);
  assert.ok(holds.every((h) => h.reservationId === holds[0].reservationId));
  assert.deepStrictEqual(db.used("u1"), 0.0008);
});

Deno.test("the successor is reserved after the answer that made room for it, never during a request", async () => {
  const { db, ask, settled } = setup(1, { idleMs: 40 });
  for (let i = 0; i < 2; i++) (await ask()).settle("0.0001");
  const third = await ask(); // leaves room for one more: the successor is due
  await new Promise((r) => setTimeout(r, 5));
  // While the third request runs (its provider call), the database is not asked for anything.
  assert.deepStrictEqual(db.calls.filter((c) => c.startsWith("reserve")).length, 1);
  third.settle("0.0001"); // its answer is out: now the successor is reserved
  await new Promise((r) => setTimeout(r, 5));
  assert.deepStrictEqual(db.calls.filter((c) => c.startsWith("reserve")).length, 2);
  const fourth = await ask(); // the last ceiling of the first lease
  fourth.settle("0.0001");
  const fifth = await ask(); // the successor's first: no third reservation
  fifth.settle("0.0001");
  assert.notEqual(fifth.reservationId, fourth.reservationId);
  await new Promise((r) => setTimeout(r, 50)); // both leases idle out and are settled
  await settled();
  assert.deepStrictEqual(db.calls.filter((c) => c.startsWith("reserve")).length, 2);
  assert.deepStrictEqual(db.used("u1").toFixed(4), "0.0005");
});

Deno.test("the fifth request opens a new lease once the first is drawn out", async () => {
  const { db, ask, settled } = setup(1);
  const ids = new Set<string>();
  for (let i = 0; i < 5; i++) {
    const h = await ask();
    ids.add(h.reservationId);
    h.settle("0.0001");
  }
  await settled();
  assert.deepStrictEqual(ids.size, 2);
  assert.deepStrictEqual(db.calls.filter((c) => c.startsWith("reserve")).length, 2);
  assert.deepStrictEqual(db.used("u1").toFixed(4), "0.0005");
});

Deno.test("a lease takes no request after drawMs: the next one reserves again", async () => {
  const { db, ask, settled, advance } = setup(1);
  (await ask()).settle("0.0001");
  advance(2_001);
  const h = await ask();
  h.settle("0.0001");
  await settled();
  assert.deepStrictEqual(db.calls.filter((c) => c.startsWith("reserve")).length, 2);
  assert.deepStrictEqual(db.used("u1").toFixed(4), "0.0002");
});

Deno.test("the bound: a limit set to 0 during a lease lets its unused ceilings (requests − 1) through, then 429", async () => {
  const { db, ask } = setup(1);
  const first = await ask();
  db.setLimit(0);
  first.settle("0.001");
  let through = 0;
  for (let i = 0; i < 10; i++) {
    try {
      (await ask()).settle("0.001");
      through++;
    } catch (e) {
      assert.ok(e instanceof HttpError);
      assert.equal(e.code, "budget_exceeded");
      break;
    }
  }
  assert.deepStrictEqual(through, 3); // requests − 1 = 3 (the lease's unused ceilings), never more
  // And the spend never passed what was held when the lease was granted.
  assert.ok(db.used("u1") <= 0.004 + 1e-12);
});

Deno.test("the bound counts answers: a lease opened by a long request serves at most `requests` short ones", async () => {
  const { db, ask } = setup(1);
  // A long conversation's ceiling opens the lease (4 × 0.004), then the budget is withdrawn.
  (await ask("u1", "0.004")).settle("0.001");
  db.setLimit(0);
  let through = 0;
  for (let i = 0; i < 10; i++) {
    try {
      (await ask("u1", "0.0005")).settle("0.0001"); // short questions: 24 would fit its money
      through++;
    } catch (e) {
      assert.ok(e instanceof HttpError);
      assert.equal(e.code, "budget_exceeded");
      break;
    }
  }
  assert.deepStrictEqual(through, 3); // requests − 1, as for same-size requests
});

Deno.test("the bound with a successor opened ahead: at most 2 × requests − 1 more answers", async () => {
  const { db, ask } = setup(1, { idleMs: 50 });
  for (let i = 0; i < 3; i++) (await ask()).settle("0.001"); // the third opens the successor
  await new Promise((r) => setTimeout(r, 1));
  assert.equal(db.calls.filter((c) => c.startsWith("reserve")).length, 2);
  db.setLimit(0);
  let through = 0;
  for (let i = 0; i < 12; i++) {
    try {
      (await ask()).settle("0.001");
      through++;
    } catch (e) {
      assert.ok(e instanceof HttpError && e.code === "budget_exceeded");
      break;
    }
  }
  assert.equal(through, 5); // one left in the first lease, four in its successor
  assert.ok(through <= 2 * 4 - 1);
  await new Promise((r) => setTimeout(r, 60)); // the idle leases close
});

Deno.test("no room for a whole lease: the request's own exact hold, and no lease tried for drawMs", async () => {
  const { db, ask, settled } = setup(0.0025);
  const a = await ask(); // 0.004 does not fit in 0.0025: exact 0.001
  a.settle("0.001");
  const b = await ask();
  b.settle("0.001");
  await settled();
  assert.deepStrictEqual(db.calls, [
    "reserve 0.0040000000",
    "reserve 0.001",
    "settle 0.001",
    "reserve 0.001",
    "settle 0.001",
  ]);
  await assert.rejects(() => ask(), (e) => e instanceof HttpError && e.code === "budget_exceeded");
});

Deno.test("two students never share a lease", async () => {
  const { db, ask } = setup(1);
  const a = await ask("u1");
  const b = await ask("u2");
  assert.ok(a.reservationId !== b.reservationId);
  assert.deepStrictEqual(db.holds.map((h) => h.userId), ["u1", "u2"]);
});

Deno.test("requests of one student arriving together open one lease", async () => {
  const { db, ask } = setup(1);
  const holds = await Promise.all([ask(), ask()]);
  assert.deepStrictEqual(new Set(holds.map((h) => h.reservationId)).size, 1);
  assert.deepStrictEqual(db.calls, ["reserve 0.0040000000"]);
});

Deno.test("a lease that stopped drawing is settled when its last running request ends", async () => {
  const { db, ask, settled, advance } = setup(1);
  const slow = await ask();
  advance(2_001);
  const next = await ask(); // the old lease stops drawing; slow still runs on it
  assert.deepStrictEqual(db.calls.filter((c) => c.startsWith("settle")).length, 0);
  slow.settle("0.0003");
  next.settle("0.0001");
  await settled();
  assert.deepStrictEqual(db.calls.filter((c) => c.startsWith("settle")).sort(), [
    "settle 0.0001000000",
    "settle 0.0003000000",
  ]);
});

Deno.test("at shutdown an open lease is settled at what it can have spent", async () => {
  const { db, ask, rt } = setup(1);
  const done = await ask();
  done.settle("0.0002");
  await ask(); // still running: its ceiling 0.001 may be spent
  await settleOpenHolds(rt);
  assert.ok(db.calls.includes("settle 0.0012000000"), db.calls.join(", "));
});

Deno.test("leases off (requests ≤ 1): every request its own reservation", async () => {
  const { db, ask } = setup(1, { requests: 1 });
  (await ask()).settle("0.0001");
  (await ask()).settle("0.0001");
  assert.deepStrictEqual(db.calls.filter((c) => c.startsWith("reserve")), [
    "reserve 0.001",
    "reserve 0.001",
  ]);
});

Deno.test("the database down: 503, as without leases", async () => {
  const { db, ask } = setup(1);
  db.setDown(true);
  await assert.rejects(
    () => ask(),
    (e) => e instanceof HttpError && e.code === "service_unavailable",
  );
});

Deno.test("lease options from the environment, with the draw window capped below the hold's life", () => {
  assert.deepStrictEqual(leaseOptionsFromEnv({}), { requests: 4, drawMs: 2_000, idleMs: 250 });
  assert.deepStrictEqual(
    leaseOptionsFromEnv({ AI_BUDGET_LEASE_REQUESTS: "1", AI_BUDGET_LEASE_MS: "600000" }).drawMs,
    10_000,
  );
  assert.deepStrictEqual(leaseOptionsFromEnv({ AI_BUDGET_LEASE_REQUESTS: "x" }).requests, 4);
});

const LEASE_SEED = Number(Deno.env.get("LEASE_SEED") ?? Date.now() % 1_000_000);

// A hostile student's shapes, generated: bursts of parallel requests, ceilings of every size
// (one larger than a whole lease), answers that finish out of order, the clock jumping past the
// draw window, a budget withdrawn and given back mid-burst, two students on one worker.
// Every run replays, besides a fresh seed, the seeds that once found a fault: 898022 (2026-12-06)
// made a lease opened by a large ceiling serve 8 small answers after a withdrawal (the bound is 7).
const REGRESSION_SEEDS = [898022];
for (const seed of [LEASE_SEED, ...REGRESSION_SEEDS]) {
  Deno.test(`generated sequences (seed ${seed}): every draw covered by its hold, holds settled at what their requests cost, never shared, at most 7 answers after a withdrawal`, async () => {
    console.log(`lease seed ${seed} (replay: LEASE_SEED=${seed})`);
    const r = seeded(seed);
    for (let sequence = 0; sequence < 25; sequence++) {
      const { db, ask, advance, settled } = setup(0.05, { idleMs: 1 });
      const drawn = new Map<string, { user: string; ceilings: number; spent: number }>();
      const running: { hold: BudgetHold; amount: number }[] = [];
      const grantedSinceWithdrawal = new Map<string, number>();
      let withdrawn = false;
      const finish = (i: number) => {
        const [{ hold, amount }] = running.splice(i, 1);
        const actual = Math.round(amount * r() * 1e10) / 1e10;
        drawn.get(hold.reservationId)!.spent += actual;
        hold.settle(actual.toFixed(10));
      };
      for (let op = 0; op < 60; op++) {
        const x = r();
        if (x < 0.45) {
          const user = r() < 0.7 ? "u1" : "u2";
          const amount = [0.0005, 0.001, 0.002, 0.03][Math.floor(r() * 4)];
          const burst = r() < 0.2 ? 3 : 1;
          const results = await Promise.allSettled(
            Array.from({ length: burst }, () => ask(user, amount.toFixed(10))),
          );
          for (const res of results) {
            if (res.status === "rejected") {
              assert.ok(res.reason instanceof HttpError, String(res.reason));
              assert.ok(["budget_exceeded", "rate_limited"].includes(res.reason.code));
              continue;
            }
            const hold = res.value;
            const d = drawn.get(hold.reservationId) ?? { user, ceilings: 0, spent: 0 };
            assert.equal(d.user, user, "a hold is never shared between students");
            d.ceilings += amount;
            drawn.set(hold.reservationId, d);
            running.push({ hold, amount });
            if (withdrawn) {
              grantedSinceWithdrawal.set(user, (grantedSinceWithdrawal.get(user) ?? 0) + 1);
            }
          }
        } else if (x < 0.8 && running.length) {
          finish(Math.floor(r() * running.length));
        } else if (x < 0.9) {
          advance(Math.floor(r() * 3_000));
          await new Promise((res) => setTimeout(res, 3)); // idle leases close
        } else if (x < 0.95) {
          withdrawn = true;
          db.setLimit(0);
        } else {
          withdrawn = false;
          grantedSinceWithdrawal.clear();
          db.setLimit(0.05);
        }
        for (const [user, n] of grantedSinceWithdrawal) {
          assert.ok(n <= 2 * 4 - 1, `${user}: ${n} answers after the budget was withdrawn`);
        }
      }
      while (running.length) finish(0);
      await settled(); // idle leases close, and every settle started after an answer lands
      for (const [id, d] of drawn) {
        const h = db.holds.find((h) => h.id === id)!;
        assert.ok(d.ceilings <= h.amount + 1e-9, `draws ${d.ceilings} within the hold ${h.amount}`);
        assert.ok(h.actual !== null, "every hold settled once its requests ended");
        assert.ok(Math.abs(h.actual - d.spent) < 1e-9, `settled ${h.actual}, spent ${d.spent}`);
      }
      assert.ok(db.holds.every((h) => h.actual !== null), "no hold left held");
    }
  });
}
