import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { connect, createUser, insertRows, ledgerRow } from "./stack.ts";

type Reservation = {
  ok: boolean;
  reservation_id: string | null;
  retry_after_seconds: number | null;
  limit_usd: string | null;
  used_usd: string | null;
  period: string | null;
};

async function reserve(
  sql: postgres.Sql,
  userId: string,
  platform: string,
  amountUsd: string,
  requestId: string = randomUUID(),
): Promise<Reservation> {
  const [row] = await sql<Reservation[]>`
    select ok, reservation_id, retry_after_seconds, limit_usd::text, used_usd::text, period
    from ai_private.reserve_budget(${userId}, ${platform}, ${requestId}, ${amountUsd}::numeric)`;
  return row;
}

async function setLimit(
  sql: postgres.Sql,
  userId: string,
  platform: string,
  period: string,
  limitUsd: string,
): Promise<void> {
  await sql`
    insert into ai_private.budget_limits (platform, period, user_id, limit_usd)
    values (${platform}, ${period}, ${userId}, ${limitUsd})
    on conflict (platform, period, user_id) do update set limit_usd = excluded.limit_usd`;
}

function secondsUntil(date: Date): number {
  return (date.getTime() - Date.now()) / 1000;
}

Deno.test("budgets", async (t) => {
  const sql = connect(60);
  try {
    await t.step("the defaults give tripwire a much smaller daily limit than main", async () => {
      const rows = await sql`
        select platform, limit_usd from ai_private.budget_limits
        where user_id is null and period = 'day'`;
      const limit = Object.fromEntries(rows.map((r) => [r.platform, Number(r.limit_usd)]));
      assert.ok(limit.tripwire > 0, "tripwire has a daily limit");
      assert.ok(limit.tripwire * 5 <= limit.main, "tripwire's is at most a fifth of main's");
    });

    await t.step("50 parallel reservations with room for 10: exactly 10 succeed", async () => {
      const userId = await createUser(sql);
      await setLimit(sql, userId, "main", "day", "0.10");
      const results = await Promise.all(
        Array.from({ length: 50 }, () => reserve(sql, userId, "main", "0.01")),
      );
      const granted = results.filter((r) => r.ok);
      assert.equal(granted.length, 10, "the limit holds 10 reservations, and no more are granted");
      const denied = results.filter((r) => !r.ok);
      assert.ok(
        denied.every((r) => r.period === "day" && r.limit_usd === "0.1000000000"),
        "every refusal names the daily limit",
      );
      assert.ok(
        denied.every((r) => r.used_usd === "0.1000000000"),
        "every refusal saw the other reservations",
      );
      const [usage] = await sql`
        select used_usd::text from ai_private.budget_usage(${userId}, 'main') where period = 'day'`;
      assert.equal(usage.used_usd, "0.1000000000", "usage is exactly the granted reservations");

      // Settling one reservation at its real, lower cost frees the difference.
      await sql`select ai_private.settle_budget(${granted[0].reservation_id}, 0.004)`;
      const fits = await reserve(sql, userId, "main", "0.006");
      assert.equal(fits.ok, true, "the 0.006 freed by settlement can be reserved again");
      const tooMuch = await reserve(sql, userId, "main", "0.0000000001");
      assert.equal(tooMuch.ok, false, "and after that the budget is full again");

      // Settling twice does not count the call twice.
      await sql`select ai_private.settle_budget(${granted[0].reservation_id}, 0.009)`;
      const [after] = await sql`
        select actual_usd::text from ai_private.budget_reservations
        where id = ${granted[0].reservation_id}`;
      assert.equal(after.actual_usd, "0.0040000000", "the first settlement stands");
    });

    await t.step("a refusal says when to retry: at the next UTC midnight", async () => {
      const userId = await createUser(sql);
      await setLimit(sql, userId, "tripwire", "day", "0.01");
      const refused = await reserve(sql, userId, "tripwire", "0.02");
      assert.equal(refused.ok, false, "a call bigger than the daily limit is refused");
      const midnight = new Date();
      midnight.setUTCHours(24, 0, 0, 0);
      assert.ok(
        Math.abs(refused.retry_after_seconds! - secondsUntil(midnight)) <= 3,
        "retry_after_seconds counts to the next UTC midnight",
      );
    });

    await t.step("a monthly refusal says when the month resets", async () => {
      const userId = await createUser(sql);
      await setLimit(sql, userId, "main", "month", "0.001");
      const refused = await reserve(sql, userId, "main", "0.002");
      assert.equal(refused.period, "month", "the monthly limit is the one that refuses");
      const now = new Date();
      const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
      assert.ok(
        Math.abs(refused.retry_after_seconds! - secondsUntil(nextMonth)) <= 3,
        "retry_after_seconds counts to the first of next month (UTC)",
      );
    });

    await t.step("yesterday's spend does not count against today's limit", async () => {
      const userId = await createUser(sql);
      await setLimit(sql, userId, "main", "day", "0.05");
      const yesterday = new Date(Date.now() - 86_400_000);
      yesterday.setUTCHours(12, 0, 0, 0);
      await sql`
        insert into ai_private.budget_reservations
          (user_id, platform, request_id, amount_usd, actual_usd, status, created_at, expires_at)
        values (${userId}, 'main', ${randomUUID()}, 0.05, 0.05, 'settled', ${yesterday},
          ${yesterday})`;
      await insertRows(sql, [
        ledgerRow({
          user_id: userId,
          cost_usd: "0.0500000000",
          created_at: yesterday.toISOString(),
        }),
      ]);
      const [usage] = await sql`
        select used_usd::text from ai_private.budget_usage(${userId}, 'main') where period = 'day'`;
      assert.equal(usage.used_usd, "0", "the day's usage starts at zero after the reset");
      assert.equal(
        (await reserve(sql, userId, "main", "0.05")).ok,
        true,
        "today's budget is whole",
      );
    });

    await t.step("an unsettled reservation stops counting when it expires", async () => {
      const userId = await createUser(sql);
      await setLimit(sql, userId, "main", "day", "0.05");
      const granted = await reserve(sql, userId, "main", "0.05");
      assert.equal(granted.ok, true, "the first reservation takes the whole budget");
      assert.equal(
        (await reserve(sql, userId, "main", "0.01")).ok,
        false,
        "so the next is refused",
      );
      const [held] = await sql`
        select extract(epoch from expires_at - created_at)::int as seconds
        from ai_private.budget_reservations where id = ${granted.reservation_id}`;
      assert.equal(
        held.seconds,
        150,
        "a reservation is held for hosted's 150 s request timeout, not longer than its request",
      );
      await sql`
        update ai_private.budget_reservations set expires_at = now() - interval '1 second'
        where id = ${granted.reservation_id}`;
      assert.equal(
        (await reserve(sql, userId, "main", "0.01")).ok,
        true,
        "after expiry the held amount is free again",
      );
    });

    await t.step("assistant spend in the ledger counts, and settled calls count once", async () => {
      const userId = await createUser(sql);
      await setLimit(sql, userId, "main", "day", "0.10");
      await insertRows(sql, [
        ledgerRow({
          user_id: userId,
          operation_type: "assistant",
          provider: "openai",
          model: "gpt-4.1-mini",
          function_name: "ai-mentor",
          cost_usd: "0.0300000000",
        }),
      ]);
      const requestId = randomUUID();
      const granted = await reserve(sql, userId, "main", "0.05", requestId);
      assert.equal(granted.used_usd, "0.0300000000", "the assistant's 0.03 is already used");
      await sql`select ai_private.settle_budget(${granted.reservation_id}, 0.02)`;
      // The function's own ledger rows for the reserved request (two attempts).
      await insertRows(sql, [
        ledgerRow({ user_id: userId, request_id: requestId, attempt: 1, cost_usd: "0" }),
        ledgerRow({ user_id: userId, request_id: requestId, attempt: 2, cost_usd: "0.0200000000" }),
      ]);
      const [usage] = await sql`
        select used_usd::text from ai_private.budget_usage(${userId}, 'main') where period = 'day'`;
      assert.equal(usage.used_usd, "0.0500000000", "assistant 0.03 + settled 0.02, not 0.07");
    });

    await t.step("a retried reserve for the same request takes nothing more", async () => {
      const userId = await createUser(sql);
      await setLimit(sql, userId, "main", "day", "0.05");
      const requestId = randomUUID();
      const first = await reserve(sql, userId, "main", "0.04", requestId);
      const again = await reserve(sql, userId, "main", "0.04", requestId);
      assert.equal(again.ok, true, "the retry is granted");
      assert.equal(again.reservation_id, first.reservation_id, "with the same reservation");
    });

    await t.step("a user without limits is never refused", async () => {
      const userId = await createUser(sql);
      await sql`
        insert into ai_private.budget_limits (platform, period, user_id, limit_usd)
        values ('main', 'day', ${userId}, 1000000), ('main', 'month', ${userId}, 1000000)`;
      const granted = await reserve(sql, userId, "main", "999");
      assert.equal(granted.ok, true, "a per-user override replaces the default");
    });

    await t.step("only service_role may call the budget functions", async () => {
      for (const role of ["anon", "authenticated"]) {
        await assert.rejects(
          sql.begin(async (tx) => {
            await tx.unsafe(`set local role ${role}`);
            await tx`select * from ai_private.reserve_budget(${randomUUID()}, 'main', ${randomUUID()}, 0)`;
          }),
          (error: { code?: string }) => error.code === "42501",
          `${role} is refused`,
        );
      }
      const userId = await createUser(sql);
      const granted = await sql.begin(async (tx) => {
        await tx`set local role service_role`;
        return await tx`select ok from ai_private.reserve_budget(${userId}, 'main', ${randomUUID()}, 0)`;
      });
      assert.equal(granted[0].ok, true, "service_role reserves");
    });
  } finally {
    await sql.end();
  }
});
