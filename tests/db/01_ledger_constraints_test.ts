import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { connect, createUser, insertRows, ledgerRow } from "./stack.ts";

async function rejects(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: { code?: string }) => error.code === code);
}

Deno.test("ledger constraints", async (t) => {
  const sql = connect();
  try {
    const userId = await createUser(sql);

    await t.step("a 20-token Groq call keeps its cost to the tenth decimal", async () => {
      const row = ledgerRow({
        user_id: userId,
        input_tokens: 20,
        output_tokens: 0,
        cost_usd: "0.0000030000",
      });
      await insertRows(sql, [row]);
      const [stored] = await sql`
        select cost_usd::text from public.ai_operations_metrics where request_id = ${row.request_id}`;
      assert.equal(stored.cost_usd, "0.0000030000", "numeric(20,10) must not round 3e-6 USD away");
    });

    await t.step(
      "operation_type, platform, provider and status accept only known values",
      async () => {
        for (
          const bad of [
            { operation_type: "embedding" },
            { platform: "mobile" },
            { provider: "anthropic" },
            { status: "ok" },
          ]
        ) {
          await rejects(insertRows(sql, [ledgerRow({ user_id: userId, ...bad })]), "23514");
        }
        for (const type of ["chat", "whisper", "vision", "document", "assistant"]) {
          await insertRows(sql, [ledgerRow({ user_id: userId, operation_type: type })]);
        }
      },
    );

    await t.step("no amount may be negative", async () => {
      for (
        const bad of [
          { input_tokens: -1 },
          { output_tokens: -1 },
          { cached_input_tokens: -1 },
          { audio_seconds: "-1" },
          { billed_audio_seconds: "-0.5" },
          { cost_usd: "-0.0000000001" },
          { baseline_cost_usd: "-1" },
          { duration_ms: -5 },
        ]
      ) {
        await rejects(insertRows(sql, [ledgerRow({ user_id: userId, ...bad })]), "23514");
      }
    });

    await t.step("an attempt of a request is recorded once", async () => {
      const requestId = randomUUID();
      await insertRows(sql, [ledgerRow({ user_id: userId, request_id: requestId, attempt: 1 })]);
      await insertRows(sql, [ledgerRow({ user_id: userId, request_id: requestId, attempt: 2 })]);
      await rejects(
        insertRows(sql, [ledgerRow({ user_id: userId, request_id: requestId, attempt: 1 })]),
        "23505",
      );
      const upserted = await sql`
        insert into public.ai_operations_metrics ${
        sql(ledgerRow({ user_id: userId, request_id: requestId, attempt: 1 }))
      }
        on conflict (request_id, attempt) do nothing returning id`;
      assert.equal(upserted.length, 0, "the tracker's upsert with ignoreDuplicates adds nothing");
    });

    await t.step("a ledger row must name a real user or none", async () => {
      await rejects(insertRows(sql, [ledgerRow({ user_id: randomUUID() })]), "23503");
      await insertRows(sql, [ledgerRow({ user_id: null })]);
    });

    await t.step("deleting an account keeps its spend, with user_id set to null", async () => {
      const goneId = await createUser(sql);
      const row = ledgerRow({ user_id: goneId, cost_usd: "0.0100000000" });
      await insertRows(sql, [row]);
      await sql`delete from auth.users where id = ${goneId}`;
      const [kept] = await sql`
        select user_id, cost_usd::text from public.ai_operations_metrics
        where request_id = ${row.request_id}`;
      assert.equal(kept.user_id, null, "the row survives without its user");
      assert.equal(kept.cost_usd, "0.0100000000", "and keeps its cost");
      const [rollup] = await sql`
        select count(*)::int as n from ai_private.ai_spend_monthly_by_user
        where user_id = ${goneId}`;
      assert.equal(rollup.n, 0, "the per-user rollup no longer names the deleted user");
    });
  } finally {
    await sql.end();
  }
});
