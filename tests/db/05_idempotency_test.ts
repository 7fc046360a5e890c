import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { connect, createUser } from "./stack.ts";

type Begin = { state: string; response_status: number | null; response_body: unknown };

async function begin(
  sql: postgres.Sql,
  userId: string,
  fn: string,
  key: string,
  hash: string,
): Promise<Begin> {
  const [row] = await sql<Begin[]>`
    select state, response_status, response_body
    from ai_private.idempotency_begin(${userId}, ${fn}, ${key}, ${hash})`;
  return { ...row };
}

Deno.test("idempotency", async (t) => {
  const sql = connect(8);
  try {
    const userId = await createUser(sql);

    await t.step("a key is new, then in progress, then done with the stored response", async () => {
      const key = randomUUID();
      assert.equal((await begin(sql, userId, "process-chat", key, "h1")).state, "new", "first use");
      assert.equal(
        (await begin(sql, userId, "process-chat", key, "h1")).state,
        "in_progress",
        "a duplicate while the first runs is in progress",
      );
      await sql`select ai_private.idempotency_complete(${userId}, 'process-chat', ${key}, 200,
        ${sql.json({ reply: "Привет", cost_usd: "0.0004500000" })})`;
      assert.deepEqual(
        await begin(sql, userId, "process-chat", key, "h1"),
        {
          state: "done",
          response_status: 200,
          response_body: { reply: "Привет", cost_usd: "0.0004500000" },
        },
        "a retry gets the first response back",
      );
    });

    await t.step("a key reused for a different request is a mismatch", async () => {
      const key = randomUUID();
      await begin(sql, userId, "process-chat", key, "h1");
      assert.equal(
        (await begin(sql, userId, "process-chat", key, "other")).state,
        "mismatch",
        "while in progress",
      );
      await sql`select ai_private.idempotency_complete(${userId}, 'process-chat', ${key}, 200, '{}')`;
      assert.equal(
        (await begin(sql, userId, "process-chat", key, "other")).state,
        "mismatch",
        "and after completion",
      );
    });

    await t.step("keys are scoped by user and function", async () => {
      const key = randomUUID();
      const otherUser = await createUser(sql);
      await begin(sql, userId, "process-chat", key, "h1");
      assert.equal(
        (await begin(sql, otherUser, "process-chat", key, "h1")).state,
        "new",
        "per user",
      );
      assert.equal(
        (await begin(sql, userId, "process-voice-message", key, "h1")).state,
        "new",
        "per function",
      );
    });

    await t.step("a released key runs again", async () => {
      const key = randomUUID();
      await begin(sql, userId, "process-chat", key, "h1");
      await sql`select ai_private.idempotency_release(${userId}, 'process-chat', ${key})`;
      assert.equal((await begin(sql, userId, "process-chat", key, "h1")).state, "new", "claimable");
    });

    await t.step("a stored result lives 24 hours", async () => {
      const key = randomUUID();
      await begin(sql, userId, "process-chat", key, "h1");
      await sql`select ai_private.idempotency_complete(${userId}, 'process-chat', ${key}, 201, '{}')`;
      const [row] = await sql`
        select round(extract(epoch from expires_at - now()) / 3600)::int as hours
        from ai_private.idempotency_keys
        where user_id = ${userId} and function_name = 'process-chat' and idempotency_key = ${key}`;
      assert.equal(row.hours, 24, "it expires 24 hours after completion");
      await sql`
        update ai_private.idempotency_keys set expires_at = now() - interval '1 second'
        where user_id = ${userId} and idempotency_key = ${key}`;
      assert.equal(
        (await begin(sql, userId, "process-chat", key, "new-hash")).state,
        "new",
        "after expiry the key is free, even for a different request",
      );
    });

    await t.step("a request that died holding the key frees it after its lease", async () => {
      const key = randomUUID();
      await begin(sql, userId, "process-chat", key, "h1");
      await sql`
        update ai_private.idempotency_keys set locked_until = now() - interval '1 second'
        where user_id = ${userId} and idempotency_key = ${key}`;
      assert.equal(
        (await begin(sql, userId, "process-chat", key, "h1")).state,
        "new",
        "the same request may claim it again",
      );
    });

    await t.step("parallel duplicates: exactly one is new", async () => {
      const key = randomUUID();
      const states = await Promise.all(
        Array.from({ length: 8 }, () => begin(sql, userId, "process-chat", key, "h1")),
      );
      const counts = states.reduce<Record<string, number>>((acc, s) => {
        acc[s.state] = (acc[s.state] ?? 0) + 1;
        return acc;
      }, {});
      assert.deepEqual(counts, { new: 1, in_progress: 7 }, "one runs, the others wait");
    });

    await t.step("only service_role may call the idempotency functions", async () => {
      await assert.rejects(
        sql.begin(async (tx) => {
          await tx`set local role authenticated`;
          await tx`select * from ai_private.idempotency_begin(${userId}, 'f', 'k', 'h')`;
        }),
        (error: { code?: string }) => error.code === "42501",
        "authenticated is refused",
      );
    });
  } finally {
    await sql.end();
  }
});
