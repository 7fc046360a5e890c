// The two ways functions reach budgets and idempotency (supabase/functions/_shared/db.ts) keep one
// contract: the Postgres store (the transaction pooler's way: one simple-protocol statement per
// call, values inlined as checked literals) and the Data API store (PostgREST `.rpc()` with a
// secret key) give the same answers, and no value a client controls (an idempotency key, a stored
// response) can change the statement the Postgres store sends.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { SECRET_KEY } from "../../scripts/stack/config.mjs";
import {
  type ControlStore,
  createControlStore,
  createRestControlStore,
  sqlLiteral,
} from "../../supabase/functions/_shared/db.ts";
import { connect, createUser, env } from "./stack.ts";

const stores: [string, () => ControlStore][] = [
  ["postgres (transaction pooler)", () => createControlStore(env.dbUrl)],
  ["data-api", () => createRestControlStore({ url: env.supabaseUrl, key: SECRET_KEY })],
];

/** Keys and bodies a client could send, including ones that would break a naively quoted SQL. */
const HOSTILE = [
  "plain-key",
  "it's",
  "back\\slash\\' ); drop table ai_private.budget_limits; --",
  "$$ $tag$ E'\\x41' \\\\",
  "ключ-идемпотентности 🔑",
];

for (const [name, make] of stores) {
  Deno.test(`control store over ${name}: budgets`, async () => {
    const sql = connect(2);
    const store = make();
    try {
      const userId = await createUser(sql);
      await sql`insert into ai_private.budget_limits (platform, period, user_id, limit_usd)
                values ('main', 'day', ${userId}, 0.0100000000)`;
      const requestId = randomUUID();
      const first = await store.reserveBudget({
        userId,
        platform: "main",
        requestId,
        amountUsd: "0.0060000000",
      });
      assert.equal(first.ok, true);
      assert.ok(first.reservationId);
      const again = await store.reserveBudget({
        userId,
        platform: "main",
        requestId,
        amountUsd: "0.0060000000",
      });
      assert.equal(
        again.reservationId,
        first.reservationId,
        "a retried reserve takes nothing more",
      );

      // Only the live hold blocks the next request: refused, and the hold is said.
      const blocked = await store.reserveBudget({
        userId,
        platform: "main",
        requestId: randomUUID(),
        amountUsd: "0.0060000000",
      });
      assert.equal(blocked.ok, false);
      assert.equal(blocked.reservationId, null);
      assert.equal(blocked.period, "day");
      assert.equal(Number(blocked.limitUsd), 0.01);
      assert.equal(Number(blocked.heldUsd), 0.006);
      assert.ok(blocked.retryAfterSeconds > 0);

      await store.settleBudget(first.reservationId!, "0.0010000000");
      await store.settleBudget(first.reservationId!, "0.0090000000"); // a second settle: no-op
      const [{ used }] = await sql`
        select used_usd::text as used from ai_private.budget_usage(${userId}, 'main')
        where period = 'day'`;
      assert.equal(Number(used), 0.001, "the first actual cost stands");
      const next = await store.reserveBudget({
        userId,
        platform: "main",
        requestId: randomUUID(),
        amountUsd: "0.0060000000",
      });
      assert.equal(next.ok, true, "room again once the hold settled at its real cost");
    } finally {
      await store.close();
      await sql.end();
    }
  });

  Deno.test(`control store over ${name}: idempotency with keys and bodies a client controls`, async () => {
    const sql = connect(2);
    const store = make();
    try {
      const userId = await createUser(sql);
      for (const key of HOSTILE) {
        const scope = { userId, fn: "process-chat", key };
        assert.deepEqual(
          await store.idempotencyBegin({ ...scope, requestHash: "h'1\\" }),
          { state: "new" },
          key,
        );
        assert.deepEqual(await store.idempotencyBegin({ ...scope, requestHash: "h'1\\" }), {
          state: "in_progress",
        });
        assert.deepEqual(await store.idempotencyBegin({ ...scope, requestHash: "other" }), {
          state: "mismatch",
        });
        const body = { reply: key, nested: { quote: "'", backslash: "\\", nul: "a\u0001b" } };
        await store.idempotencyComplete({ ...scope, status: 200, body });
        assert.deepEqual(await store.idempotencyBegin({ ...scope, requestHash: "h'1\\" }), {
          state: "done",
          status: 200,
          body,
        });
      }
      // The stored keys are exactly the keys sent.
      const rows = await sql`
        select idempotency_key as key from ai_private.idempotency_keys
        where user_id = ${userId} and function_name = 'process-chat'`;
      assert.deepEqual(rows.map((r) => r.key).sort(), [...HOSTILE].sort());

      const released = { userId, fn: "process-voice-message", key: HOSTILE[2] };
      await store.idempotencyBegin({ ...released, requestHash: "h" });
      await store.idempotencyRelease(released);
      assert.deepEqual(await store.idempotencyBegin({ ...released, requestHash: "h2" }), {
        state: "new",
      }, "a released key can be used again");
    } finally {
      await store.close();
      await sql.end();
    }
  });
}

Deno.test("the Postgres store's literals: checked shapes, escaped text", () => {
  assert.equal(
    sqlLiteral.uuid("0b7e4c1e-2f7a-4c2e-9f59-2d4c5f0e6a11"),
    "'0b7e4c1e-2f7a-4c2e-9f59-2d4c5f0e6a11'::uuid",
  );
  assert.throws(() => sqlLiteral.uuid("x' or '1'='1"), TypeError);
  assert.equal(sqlLiteral.decimal("0.0012000000"), "0.0012000000::numeric");
  assert.throws(() => sqlLiteral.decimal("1e3"), TypeError);
  assert.throws(() => sqlLiteral.decimal("-1"), TypeError);
  assert.throws(() => sqlLiteral.decimal("1); select 1; --"), TypeError);
  assert.equal(sqlLiteral.integer(200), "200");
  assert.throws(() => sqlLiteral.integer(1.5), TypeError);
  assert.equal(sqlLiteral.text("it's a \\ test"), "E'it''s a \\\\ test'");
  assert.throws(() => sqlLiteral.text("a\0b"), TypeError);
  assert.equal(sqlLiteral.jsonb({ a: "'" }), `E'{"a":"''"}'::jsonb`);
});

Deno.test("postgres store: a settle that is still running never holds up the next reservation", async () => {
  const sql = connect(2);
  const store = createControlStore(env.dbUrl);
  try {
    const userId = await createUser(sql);
    const first = await store.reserveBudget({
      userId,
      platform: "main",
      requestId: randomUUID(),
      amountUsd: "0.0010000000",
    });
    assert.ok(first.ok && first.reservationId);
    // Another transaction locks the reservation's row: the settle waits on it in Postgres.
    let unlock!: () => void;
    const unlocked = new Promise<void>((r) => (unlock = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = sql.begin(async (tx) => {
      await tx`select 1 from ai_private.budget_reservations where id = ${first.reservationId}
               for update`;
      locked();
      await unlocked;
    });
    await isLocked;
    let settled = false;
    const settle = store.settleBudget(first.reservationId!, "0.0005000000").then(() => {
      settled = true;
    });
    const next = await store.reserveBudget({
      userId,
      platform: "main",
      requestId: randomUUID(),
      amountUsd: "0.0010000000",
    });
    assert.equal(next.ok, true, "the next request's reservation answered");
    assert.equal(settled, false, "while the settle was still waiting in Postgres");
    unlock();
    await holder;
    await settle;
    assert.equal(settled, true);
  } finally {
    await store.close();
    await sql.end();
  }
});
