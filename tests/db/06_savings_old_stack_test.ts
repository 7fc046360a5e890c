// Honest savings: ai_savings_vs_old_stack compares spend with the school's old stack as admins keep
// it in ai_old_stack_baselines (chat, vision, documents on GPT-4o; voice already on Groq
// whisper-large-v3; assistants on OpenAI as now), not with a flattering OpenAI-only baseline.
import assert from "node:assert/strict";
import postgres from "postgres";
import { OLD_STACK_BASELINES } from "../../supabase/functions/_shared/ai/cost.ts";
import { connect, createUser, insertRows, ledgerRow } from "./stack.ts";

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

/** A random UTC day after the seeded baselines start (2024-01-01), far from other tests' days. */
function baselineDay(fromYear: number): string {
  const start = Date.UTC(fromYear, 0, 1);
  return new Date(start + Math.floor(Math.random() * 3650) * 86_400_000).toISOString().slice(0, 10);
}

Deno.test("the seeded old stack is the catalog's OLD_STACK_BASELINES, row for row", async () => {
  const sql = connect();
  try {
    const rows = await sql<
      {
        operation_type: string;
        effective_from: string;
        provider: string | null;
        model: string | null;
      }[]
    >`select operation_type, effective_from::text, provider, model
      from public.ai_old_stack_baselines where effective_from = '2024-01-01'
      order by operation_type`;
    const expected = [...OLD_STACK_BASELINES]
      .sort((a, b) => a.operation_type.localeCompare(b.operation_type))
      .map((b) => ({ ...b }));
    assert.deepEqual(rows.map((r) => ({ ...r })), expected);
  } finally {
    await sql.end();
  }
});

Deno.test("savings against the old stack: chat on GPT-4o, voice on Groq, assistants themselves", async () => {
  const sql = connect();
  try {
    const adminId = await createUser(sql, { admin: true });
    const day = baselineDay(2040);
    const at = `${day}T10:00:00Z`;
    await insertRows(sql, [
      // Chat on gpt-oss-120b, 1500 in / 300 out: 1500 × 0.15 + 300 × 0.60 = 225 + 180 = 405
      // → 0.000405; on gpt-4o 1500 × 2.50 + 300 × 10.00 = 3750 + 3000 = 6750 → 0.00675.
      ledgerRow({
        created_at: at,
        input_tokens: 1500,
        output_tokens: 300,
        cost_usd: "0.0004050000",
        baseline_cost_usd: "0.0067500000",
      }),
      // Voice on Groq whisper-large-v3, 30 s: 30 × 0.111/3600 = 0.000925. Written before the fix
      // with a whisper-1 baseline (30 × 0.36/3600 = 0.003): the view must not count that.
      ledgerRow({
        created_at: at,
        operation_type: "whisper",
        function_name: "process-voice-message",
        model: "whisper-large-v3",
        input_tokens: 0,
        output_tokens: 0,
        audio_seconds: "30.000",
        billed_audio_seconds: "30.000",
        cost_usd: "0.0009250000",
        baseline_cost_usd: "0.0030000000",
      }),
      // Voice that fell back to OpenAI whisper-1, 30 s: 0.003, against the old stack's 0.000925.
      ledgerRow({
        created_at: at,
        operation_type: "whisper",
        function_name: "process-voice-message",
        provider: "openai",
        model: "whisper-1",
        input_tokens: 0,
        output_tokens: 0,
        audio_seconds: "30.000",
        billed_audio_seconds: "30.000",
        cost_usd: "0.0030000000",
        baseline_cost_usd: "0.0009250000",
      }),
      // The mentor on gpt-6-luna with a stale gpt-4o baseline: the old stack ran it the same way.
      ledgerRow({
        created_at: at,
        operation_type: "assistant",
        function_name: "ai-mentor",
        provider: "openai",
        model: "gpt-6-luna",
        cost_usd: "0.0012000000",
        baseline_cost_usd: "0.0050000000",
      }),
    ]);
    const rows = await asUser(
      sql,
      { sub: adminId, role: "authenticated", app_metadata: { role: "admin" } },
      (tx) =>
        tx<
          {
            operation_type: string;
            baseline_model: string | null;
            operations: string;
            cost_usd: string;
            baseline_cost_usd: string;
            savings_usd: string;
            savings_percent: string;
          }[]
        >`select operation_type, baseline_model, operations::text, cost_usd::text,
            baseline_cost_usd::text, savings_usd::text, savings_percent::text
          from public.ai_savings_vs_old_stack where day = ${day} order by operation_type`,
    );
    const n = (s: string) => Number(s);
    assert.deepEqual(
      rows.map((r) => [
        r.operation_type,
        r.baseline_model,
        n(r.operations),
        n(r.cost_usd),
        n(r.baseline_cost_usd),
        n(r.savings_usd),
        r.savings_percent === null ? null : n(r.savings_percent),
      ]),
      [
        // 0.0012 − 0.0012 = 0: no savings claimed for work the old stack did the same way.
        ["assistant", null, 1, 0.0012, 0.0012, 0, 0],
        // 0.00675 − 0.000405 = 0.006345; 100 × 0.006345 / 0.00675 = 94.00 %
        ["chat", "gpt-4o", 1, 0.000405, 0.00675, 0.006345, 94],
        // cost 0.000925 + 0.003 = 0.003925; baseline 0.000925 (own model) + 0.000925 = 0.00185;
        // savings 0.00185 − 0.003925 = −0.002075; 100 × −0.002075 / 0.00185 = −112.16 %
        ["whisper", "whisper-large-v3", 2, 0.003925, 0.00185, -0.002075, -112.16],
      ],
    );
  } finally {
    await sql.end();
  }
});

Deno.test("admins edit the old stack; a student cannot; the view follows the edit from its day", async () => {
  const sql = connect();
  const day = baselineDay(2070);
  try {
    const adminId = await createUser(sql, { admin: true });
    const studentId = await createUser(sql);
    const student = { sub: studentId, role: "authenticated" };
    const admin = { sub: adminId, role: "authenticated", app_metadata: { role: "admin" } };

    await assert.rejects(
      asUser(
        sql,
        student,
        (tx) =>
          tx`insert into public.ai_old_stack_baselines (operation_type, effective_from, provider, model)
           values ('chat', ${day}, 'openai', 'gpt-4o-mini')`,
      ),
      /row-level security/,
      "a student cannot add a baseline",
    );
    const changed = await asUser(
      sql,
      student,
      (tx) =>
        tx`update public.ai_old_stack_baselines set model = 'gpt-4o-mini' where operation_type = 'chat'`,
    );
    assert.equal(changed.count, 0, "a student's update touches nothing");

    await asUser(
      sql,
      admin,
      (tx) =>
        tx`insert into public.ai_old_stack_baselines (operation_type, effective_from, provider, model, note)
         values ('chat', ${day}, 'openai', 'gpt-4o-mini', 'test: a cheaper old stack')`,
    );
    const before = new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    await insertRows(sql, [
      ledgerRow({ created_at: `${before}T10:00:00Z` }),
      ledgerRow({ created_at: `${day}T10:00:00Z` }),
    ]);
    const named = await asUser(sql, admin, (tx) =>
      tx<{ day: string; baseline_model: string }[]>`
        select day::text, baseline_model from public.ai_savings_vs_old_stack
        where day in (${before}, ${day}) and operation_type = 'chat' order by day`);
    assert.deepEqual(named.map((r) => [r.day, r.baseline_model]), [
      [before, "gpt-4o"],
      [day, "gpt-4o-mini"],
    ]);
  } finally {
    await sql`delete from public.ai_old_stack_baselines where effective_from = ${day}`;
    await sql.end();
  }
});
