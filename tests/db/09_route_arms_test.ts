// The routing-arm views: one row per answer, arms compared, and totals that add up to the ledger.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import type postgres from "postgres";
import { connect, createUser, ledgerRow } from "./stack.ts";

type Row = ReturnType<typeof ledgerRow> & { arm: string; image_tokens: number | null };

async function insert(sql: postgres.Sql, rows: Row[]) {
  await sql`insert into public.ai_operations_metrics ${sql(rows)}`;
}

Deno.test("ai_route_arms: per arm, sample size, cost per answer, latency and rates; totals equal the ledger's", async () => {
  const sql = connect();
  try {
    const student = await createUser(sql);
    // Arm names of this run only, so other tests' rows never mix in.
    const tag = randomUUID().slice(0, 8);
    const control = `control-${tag}`;
    const small = `small-${tag}`;
    const rows: Row[] = [];
    const answer = (arm: string, parts: Partial<Row>[]) => {
      const request_id = randomUUID();
      parts.forEach((p, i) =>
        rows.push({
          ...ledgerRow({ user_id: student, request_id, attempt: i + 1 }),
          arm,
          image_tokens: null,
          ...p,
        })
      );
    };
    // control: 3 answers, one of them after a fallback (a 429 on Groq, then OpenAI).
    answer(control, [{ duration_ms: 100 }]);
    answer(control, [{ duration_ms: 300 }]);
    answer(control, [
      {
        status: "error",
        error_code: "rate_limit_exceeded",
        cost_usd: "0",
        input_tokens: 0,
        output_tokens: 0,
        duration_ms: 50,
      },
      { provider: "openai", model: "gpt-6-luna", cost_usd: "0.0003500000", duration_ms: 900 },
    ]);
    // small: 2 answers, one truncated (partial without an error code), one failed.
    answer(small, [{
      model: "openai/gpt-oss-20b",
      status: "partial",
      cost_usd: "0.0002250000",
      duration_ms: 200,
    }]);
    answer(small, [{
      model: "openai/gpt-oss-20b",
      status: "error",
      error_code: "timeout",
      cost_usd: "0",
      input_tokens: 0,
      output_tokens: 0,
      duration_ms: 400,
    }]);
    await insert(sql, rows);

    const arms = await sql`
      select arm, answers::int, operations::int, cost_usd::text, cost_per_answer_usd::text,
        latency_p50_ms::int, latency_p95_ms::int, error_rate::text, fallback_rate::text,
        truncation_rate::text
      from public.ai_route_arms where arm in (${control}, ${small}) order by arm`;
    assert.deepEqual(arms.map((r) => ({ ...r })), [
      {
        arm: control,
        answers: 3,
        operations: 4,
        cost_usd: "0.0012500000",
        cost_per_answer_usd: "0.0004166667",
        latency_p50_ms: 300,
        latency_p95_ms: 950,
        error_rate: "0.0000",
        fallback_rate: "0.3333",
        truncation_rate: "0.0000",
      },
      {
        arm: small,
        answers: 2,
        operations: 2,
        cost_usd: "0.0002250000",
        cost_per_answer_usd: "0.0001125000",
        latency_p50_ms: 200,
        latency_p95_ms: 400,
        error_rate: "0.5000",
        fallback_rate: "0.0000",
        truncation_rate: "0.5000",
      },
    ]);

    const [view] = await sql`
      select sum(operations)::int as operations, sum(cost_usd)::text as cost_usd
      from public.ai_route_arms where arm in (${control}, ${small})`;
    const [ledger] = await sql`
      select count(*)::int as operations, sum(cost_usd)::text as cost_usd
      from public.ai_operations_metrics where arm in (${control}, ${small})`;
    assert.deepEqual({ ...view }, { ...ledger }, "the arm view's totals equal the ledger's");
  } finally {
    await sql.end();
  }
});

Deno.test("the ledger refuses an arm name that is not a slug, and image tokens above the input", async () => {
  const sql = connect();
  try {
    const bad: Partial<Row>[] = [
      { arm: "Robert'); drop table" },
      { arm: "" },
      { image_tokens: 5000, input_tokens: 1000 },
      { image_tokens: -1 },
    ];
    for (const override of bad) {
      const row = { ...ledgerRow(), arm: "default", image_tokens: null, ...override } as Row;
      await assert.rejects(insert(sql, [row]), /check constraint/, JSON.stringify(override));
    }
  } finally {
    await sql.end();
  }
});

Deno.test("a row written without an arm is arm 'default'", async () => {
  const sql = connect();
  try {
    const row = ledgerRow();
    await sql`insert into public.ai_operations_metrics ${sql([row])}`;
    const [stored] = await sql`
      select arm, image_tokens from public.ai_operations_metrics
      where request_id = ${row.request_id}`;
    assert.deepEqual({ ...stored }, { arm: "default", image_tokens: null });
  } finally {
    await sql.end();
  }
});
