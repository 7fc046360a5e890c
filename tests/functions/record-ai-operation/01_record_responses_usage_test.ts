// A back-end's Responses API call lands in the ledger as one `assistant` row priced by the catalog,
// and reporting the same response again never makes a second row.
import assert from "node:assert/strict";
import OpenAI from "openai";
import { usd } from "../../_support/functions.ts";
import { closeDb, createUser, stackEnv } from "../../_support/stack.ts";
import { serviceClient } from "../../_support/functions.ts";
import { operation, post, rowsFor, testFunctionName } from "./_record.ts";

// gpt-6-luna: 0.10 USD / 1M input, 0.01 cached, 0.50 output (catalog, facts checked 2026-11-25).
// Reasoning tokens are inside output_tokens and must not be added again.
const lunaCost = (input: number, cached: number, output: number) =>
  usd([[input - cached, "0.10"], [cached, "0.01"], [output, "0.50"]]);

Deno.test("a Responses usage object with cached and reasoning tokens → one row at the exact catalog cost", async () => {
  const student = await createUser();
  const fn = testFunctionName("ai-mentor");
  const op = operation({ user_id: student.id, function_name: fn, cost_usd: "0.00" });
  const { data, error } = await serviceClient().functions.invoke("record-ai-operation", {
    body: op,
  });
  assert.equal(error, null, "the service-role client is accepted");

  const expected = lunaCost(12_000, 8_000, 3_000);
  assert.equal(expected, "0.0019800000", "4,000 × 0.10 + 8,000 × 0.01 + 3,000 × 0.50 per 1M");
  assert.equal(data.recorded, 1);
  assert.equal(data.duplicates, 0);
  assert.equal(data.operations.length, 1);
  assert.equal(data.operations[0].response_id, op.response_id);
  assert.equal(
    data.operations[0].cost_usd,
    expected,
    "the cost is the catalog's, the body's cost_usd is ignored",
  );
  assert.equal(data.operations[0].duplicate, false);

  const rows = await rowsFor(fn);
  assert.equal(rows.length, 1, "one row");
  const [row] = rows;
  assert.equal(
    row.request_id,
    data.operations[0].request_id,
    "the row carries the derived request id",
  );
  assert.equal(row.attempt, 1);
  assert.equal(row.operation_type, "assistant");
  assert.equal(row.provider, "openai", "provider defaults to openai");
  assert.equal(row.model, "gpt-6-luna");
  assert.equal(row.platform, "main");
  assert.equal(row.user_id, student.id);
  assert.equal(row.input_tokens, 12_000);
  assert.equal(row.cached_input_tokens, 8_000);
  assert.equal(row.output_tokens, 3_000, "output tokens as reported, reasoning included once");
  assert.equal(row.cost_usd, expected);
  // The mentor and analyst were on OpenAI before this project too: the old-stack baseline of an
  // assistant row is the call itself (ai_old_stack_baselines), so no savings are claimed.
  assert.equal(row.baseline_cost_usd, expected);
  assert.equal(row.duration_ms, 2_150);
  assert.equal(row.status, "success");
  await closeDb();
});

Deno.test("the same response id again → no second row, reported as a duplicate", async () => {
  const fn = testFunctionName("ai-mentor");
  const op = operation({ function_name: fn });
  const first = await post(op);
  assert.equal(first.status, 200);
  const again = await post({ ...op, duration_ms: 9_999 });
  assert.equal(again.status, 200, "a repeat is not an error: the back-end may retry freely");
  assert.equal(again.json.recorded, 0);
  assert.equal(again.json.duplicates, 1);
  assert.equal(again.json.operations![0].duplicate, true);
  assert.equal(
    again.json.operations![0].request_id,
    first.json.operations![0].request_id,
    "same id, same request id",
  );
  const rows = await rowsFor(fn);
  assert.equal(rows.length, 1, "still one row");
  assert.equal(rows[0].duration_ms, 2_150, "the first report stands");
  await closeDb();
});

Deno.test("a created_at in the past dates the row; a dated snapshot model is refused until the catalog has it", async () => {
  const fn = testFunctionName("ai-analyst");
  const createdAt = "2026-11-20T08:30:00.000Z";
  const ok = await post(
    operation({ function_name: fn, created_at: createdAt, platform: "tripwire", model: "gpt-4.1" }),
  );
  assert.equal(ok.status, 200);
  const [row] = await rowsFor(fn);
  assert.equal(row.created_at.toISOString(), createdAt);
  assert.equal(row.platform, "tripwire");
  // gpt-4.1: 2.00 input, 0.50 cached, 8.00 output per 1M.
  assert.equal(row.cost_usd, usd([[4_000, "2.00"], [8_000, "0.50"], [3_000, "8.00"]]));

  const snapshot = await post(operation({ function_name: fn, model: "gpt-4.1-2025-04-14" }));
  assert.equal(snapshot.status, 422);
  assert.equal(snapshot.json.error!.code, "unpriced_model");
  await closeDb();
});

Deno.test("end to end: openai's responses.create (offline provider) then one record call", async () => {
  const student = await createUser();
  const fn = testFunctionName("ai-mentor");
  // The offline stand-in for OpenAI's network (never a real model), as the openai client sees it.
  const openai = new OpenAI({
    apiKey: "offline-openai-key",
    baseURL: `${stackEnv.providerUrl}/v1`,
  });
  const started = Date.now();
  const response = await openai.responses.create({
    model: "gpt-6-luna",
    input: "Разбери мой бизнес-план",
  });
  const body = {
    platform: "main",
    user_id: student.id,
    model: "gpt-6-luna",
    function_name: fn,
    duration_ms: Date.now() - started,
    response_id: response.id,
    usage: response.usage,
  };
  const { data, error } = await serviceClient().functions.invoke("record-ai-operation", { body });
  assert.equal(error, null);
  const u = response.usage!;
  assert.ok(u.output_tokens_details.reasoning_tokens > 0, "the stand-in reports reasoning tokens");
  const expected = lunaCost(u.input_tokens, u.input_tokens_details.cached_tokens, u.output_tokens);
  assert.equal(data.operations[0].cost_usd, expected);
  const rows = await rowsFor(fn);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].output_tokens, u.output_tokens);
  await closeDb();
});
