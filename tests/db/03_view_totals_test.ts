import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { connect, createUser, insertRows, isolatedDay, ledgerRow } from "./stack.ts";

/** Runs a query as an authenticated user with the given claims, as PostgREST would. */
async function asUser<T>(
  sql: postgres.Sql,
  claims: Record<string, unknown>,
  query: (tx: postgres.TransactionSql) => Promise<T>,
): Promise<T> {
  return await sql.begin(async (tx) => {
    await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
    await tx`set local role authenticated`;
    return await query(tx);
  }) as T;
}

Deno.test("view totals equal the sums of the ledger rows", async (t) => {
  const sql = connect();
  try {
    const studentId = await createUser(sql);
    const otherId = await createUser(sql);
    const day = isolatedDay();
    const at = (hour: number) => `${day}T${String(hour).padStart(2, "0")}:15:00Z`;
    const requestId = randomUUID();
    const known = [
      ledgerRow({ user_id: studentId, created_at: at(8) }),
      ledgerRow({
        user_id: studentId,
        created_at: at(9),
        model: "openai/gpt-oss-20b",
        input_tokens: 2000,
        cached_input_tokens: 1000,
        output_tokens: 100,
        // 1000 × 0.075/1M + 1000 × 0.0375/1M + 100 × 0.30/1M
        cost_usd: "0.0001425000",
        baseline_cost_usd: "0.0047500000",
      }),
      ledgerRow({
        user_id: studentId,
        created_at: at(10),
        operation_type: "whisper",
        function_name: "process-voice-message",
        model: "whisper-large-v3",
        input_tokens: 0,
        output_tokens: 0,
        audio_seconds: "3.000",
        billed_audio_seconds: "10.000",
        // 10 s minimum × 0.111/3600
        cost_usd: "0.0003083333",
        baseline_cost_usd: "0.0003000000",
      }),
      // A Groq 429 then an OpenAI fallback: two attempts of one request.
      ledgerRow({
        user_id: studentId,
        created_at: at(11),
        request_id: requestId,
        attempt: 1,
        status: "error",
        error_code: "rate_limit_exceeded",
        input_tokens: 0,
        output_tokens: 0,
        cost_usd: "0",
        baseline_cost_usd: "0",
      }),
      ledgerRow({
        user_id: studentId,
        created_at: at(11),
        request_id: requestId,
        attempt: 2,
        provider: "openai",
        model: "gpt-4.1-mini",
        // 1000 × 0.40/1M + 500 × 1.60/1M
        cost_usd: "0.0012000000",
      }),
      ledgerRow({
        user_id: studentId,
        created_at: at(12),
        platform: "tripwire",
        operation_type: "assistant",
        function_name: "ai-mentor",
        provider: "openai",
        model: "gpt-4.1-mini",
        cost_usd: "0.0012000000",
        baseline_cost_usd: null,
      }),
    ];
    await insertRows(sql, known);
    await insertRows(sql, [ledgerRow({ user_id: otherId, created_at: at(13) })]);
    const student = { sub: studentId, role: "authenticated" };
    const admin = { sub: otherId, role: "authenticated", app_metadata: { role: "admin" } };

    await t.step(
      "ai_spend_by_platform: a student's totals are the sums of their rows",
      async () => {
        const rows = await asUser(
          sql,
          student,
          (tx) =>
            tx`select platform, provider, operations::int, failed_operations::int,
             input_tokens::int, output_tokens::int, audio_seconds::text, cost_usd::text
           from public.ai_spend_by_platform where day = ${day} order by platform, provider`,
        );
        assert.deepEqual(rows.map((r) => ({ ...r })), [
          {
            platform: "main",
            provider: "groq",
            operations: 4,
            failed_operations: 1,
            input_tokens: 3000,
            output_tokens: 600,
            audio_seconds: "3.000",
            cost_usd: "0.0009008333",
          },
          {
            platform: "main",
            provider: "openai",
            operations: 1,
            failed_operations: 0,
            input_tokens: 1000,
            output_tokens: 500,
            audio_seconds: "0",
            cost_usd: "0.0012000000",
          },
          {
            platform: "tripwire",
            provider: "openai",
            operations: 1,
            failed_operations: 0,
            input_tokens: 1000,
            output_tokens: 500,
            audio_seconds: "0",
            cost_usd: "0.0012000000",
          },
        ]);
      },
    );

    await t.step("ai_spend_by_function and ai_spend_by_model split the same total", async () => {
      const byFunction = await asUser(
        sql,
        student,
        (tx) =>
          tx`select function_name, sum(cost_usd)::text as cost from public.ai_spend_by_function
           where day = ${day} group by 1 order by 1`,
      );
      assert.deepEqual(byFunction.map((r) => [r.function_name, r.cost]), [
        ["ai-mentor", "0.0012000000"],
        ["process-chat", "0.0017925000"],
        ["process-voice-message", "0.0003083333"],
      ]);
      const byModel = await asUser(
        sql,
        student,
        (tx) =>
          tx`select provider, model, operations::int, cost_usd::text from public.ai_spend_by_model
           where day = ${day} and platform = 'main' order by 1, 2`,
      );
      assert.deepEqual(byModel.map((r) => [r.provider, r.model, r.operations, r.cost_usd]), [
        ["groq", "openai/gpt-oss-120b", 2, "0.0004500000"],
        ["groq", "openai/gpt-oss-20b", 1, "0.0001425000"],
        ["groq", "whisper-large-v3", 1, "0.0003083333"],
        ["openai", "gpt-4.1-mini", 1, "0.0012000000"],
      ]);
    });

    await t.step("ai_spend_by_user: the student's month holds exactly their rows", async () => {
      const rows = await asUser(
        sql,
        student,
        (tx) =>
          tx`select user_id, platform, operations::int, cost_usd::text from public.ai_spend_by_user
           where month = date_trunc('month', ${day}::date)::date order by platform`,
      );
      assert.deepEqual(rows.map((r) => [r.user_id, r.platform, r.operations, r.cost_usd]), [
        [studentId, "main", 5, "0.0021008333"],
        [studentId, "tripwire", 1, "0.0012000000"],
      ]);
    });

    await t.step(
      "ai_savings_vs_openai: savings = baseline - actual, null baseline saves 0",
      async () => {
        const rows = await asUser(
          sql,
          student,
          (tx) =>
            tx`select platform, operation_type, cost_usd::text, baseline_cost_usd::text,
             savings_usd::text, savings_percent::text
           from public.ai_savings_vs_openai where day = ${day} order by 1, 2`,
        );
        assert.deepEqual(rows.map((r) => ({ ...r })), [
          {
            platform: "main",
            operation_type: "chat",
            cost_usd: "0.0017925000",
            baseline_cost_usd: "0.0197500000",
            savings_usd: "0.0179575000",
            savings_percent: "90.92",
          },
          {
            platform: "main",
            operation_type: "whisper",
            cost_usd: "0.0003083333",
            baseline_cost_usd: "0.0003000000",
            savings_usd: "-0.0000083333",
            savings_percent: "-2.78",
          },
          {
            platform: "tripwire",
            operation_type: "assistant",
            cost_usd: "0.0012000000",
            baseline_cost_usd: "0.0012000000",
            savings_usd: "0.0000000000",
            savings_percent: "0.00",
          },
        ]);
      },
    );

    await t.step("an admin's view totals equal the ledger's sums for that day", async () => {
      const [ledger] = await sql`
        select count(*)::int as operations, sum(cost_usd)::text as cost,
          sum(coalesce(baseline_cost_usd, cost_usd))::text as baseline
        from public.ai_operations_metrics
        where created_at >= ${day}::date and created_at < ${day}::date + 1`;
      for (
        const view of ["ai_spend_by_platform", "ai_spend_by_function", "ai_spend_by_model"]
      ) {
        const [total] = await asUser(
          sql,
          admin,
          (tx) =>
            tx`select sum(operations)::int as operations, sum(cost_usd)::text as cost
             from ${tx("public." + view)} where day = ${day}`,
        );
        assert.equal(total.operations, ledger.operations, `${view} counts every row of the day`);
        assert.equal(total.cost, ledger.cost, `${view} sums every cost of the day`);
      }
      const [savings] = await asUser(
        sql,
        admin,
        (tx) =>
          tx`select sum(operations)::int as operations, sum(cost_usd)::text as cost,
             sum(baseline_cost_usd)::text as baseline
           from public.ai_savings_vs_openai where day = ${day}`,
      );
      assert.deepEqual({ ...savings }, ledger, "the savings view sums the same rows");
      assert.equal(
        ledger.operations,
        7,
        "the day holds the student's six rows and the other's one",
      );
    });

    await t.step("an admin sees every user's month in ai_spend_by_user", async () => {
      const rows = await asUser(
        sql,
        admin,
        (tx) =>
          tx`select user_id, sum(cost_usd)::text as cost from public.ai_spend_by_user
           where month = date_trunc('month', ${day}::date)::date
             and user_id in (${studentId}, ${otherId})
           group by 1 order by 2`,
      );
      assert.deepEqual(rows.map((r) => [r.user_id, r.cost]), [
        [otherId, "0.0004500000"],
        [studentId, "0.0033008333"],
      ]);
    });
  } finally {
    await sql.end();
  }
});
