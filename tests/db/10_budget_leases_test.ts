// A reservation that pays for several requests (a per-worker lease, _shared/budget_lease.ts): its
// requests' ledger rows name it in budget_reservation_id, and the budget counts their cost once —
// as the lease's hold while it lives, as its settled cost after, and as the rows themselves if it
// expired unsettled (the worker died).
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { connect, createUser, insertRows, ledgerRow } from "./stack.ts";

async function usedToday(sql: postgres.Sql, userId: string): Promise<string> {
  const [row] = await sql`
    select used_usd::numeric(20, 10)::text as used
    from ai_private.budget_usage(${userId}, 'main') where period = 'day'`;
  return row.used;
}

async function lease(sql: postgres.Sql, userId: string, amountUsd: string): Promise<string> {
  const [row] = await sql`
    select ok, reservation_id from ai_private.reserve_budget(
      ${userId}, 'main', ${randomUUID()}, ${amountUsd}::numeric)`;
  assert.equal(row.ok, true);
  return row.reservation_id;
}

/** Two rows of two requests, both paid for by `reservationId` (0.00045 each). */
const leaseRows = (userId: string, reservationId: string | null) =>
  [1, 2].map(() =>
    ({ ...ledgerRow({ user_id: userId }), budget_reservation_id: reservationId }) as ReturnType<
      typeof ledgerRow
    >
  );

Deno.test("budget leases", async (t) => {
  const sql = connect(4);
  try {
    await t.step(
      "a live lease counts its held amount; its rows are not counted again",
      async () => {
        const userId = await createUser(sql);
        const id = await lease(sql, userId, "0.0040000000");
        await insertRows(sql, leaseRows(userId, id));
        assert.equal(await usedToday(sql, userId), "0.0040000000");
      },
    );

    await t.step("settled, the lease counts what its requests cost: once", async () => {
      const userId = await createUser(sql);
      const id = await lease(sql, userId, "0.0040000000");
      await insertRows(sql, leaseRows(userId, id));
      await sql`select ai_private.settle_budget(${id}, 0.0009)`;
      assert.equal(await usedToday(sql, userId), "0.0009000000");
    });

    await t.step(
      "expired unsettled (the worker died), it counts the rows it paid for",
      async () => {
        const userId = await createUser(sql);
        const id = await lease(sql, userId, "0.0040000000");
        await insertRows(sql, leaseRows(userId, id));
        await sql`update ai_private.budget_reservations set expires_at = now() - interval '1 second'
                where id = ${id}`;
        assert.equal(await usedToday(sql, userId), "0.0009000000");
      },
    );

    await t.step("a row naming another student's reservation is counted as uncovered", async () => {
      const owner = await createUser(sql);
      const other = await createUser(sql);
      const id = await lease(sql, owner, "0.0040000000");
      await insertRows(sql, leaseRows(other, id));
      assert.equal(await usedToday(sql, other), "0.0009000000", "the other student pays");
      assert.equal(await usedToday(sql, owner), "0.0040000000", "the owner's hold only");
    });
  } finally {
    await sql.end();
  }
});
