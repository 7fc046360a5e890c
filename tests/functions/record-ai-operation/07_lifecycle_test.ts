// A model's last price ends at its shutdown: a report dated on or after it cannot be true (the
// provider refuses such calls), so it is refused with 422 and nothing is recorded; the same model
// the day before is priced and recorded.
import assert from "node:assert/strict";
import { closeDb } from "../../_support/stack.ts";
import { operation, post, rowsFor, testFunctionName } from "./_record.ts";

const GROQ_USAGE = {
  input_tokens: 1_000,
  output_tokens: 1_000,
};

Deno.test("a created_at after the model's shutdown → 422 naming the day, and no rows", async () => {
  const fn = testFunctionName("ai-analyst");
  const res = await post({
    operations: [
      operation({ function_name: fn }),
      operation({
        function_name: fn,
        provider: "groq",
        model: "llama-3.3-70b-versatile",
        usage: GROQ_USAGE,
        created_at: "2026-11-30T10:00:00Z",
      }),
    ],
  });
  assert.equal(res.status, 422);
  assert.equal(res.json.error!.code, "unpriced_model");
  assert.match(
    res.json.error!.message,
    /^operations\[1\]: groq:llama-3\.3-70b-versatile was shut down on 2026-08-16/,
  );
  const details = res.json.error!.details as { reason: string; shutdown_on: string }[];
  assert.deepEqual(details.map((d) => [d.reason, d.shutdown_on]), [[
    "model_retired",
    "2026-08-16",
  ]]);
  assert.equal((await rowsFor(fn)).length, 0, "the valid item was not recorded either");
  await closeDb();
});

Deno.test("the same model on its last day is priced and recorded", async () => {
  const fn = testFunctionName("ai-analyst");
  const res = await post(operation({
    function_name: fn,
    provider: "groq",
    model: "llama-3.3-70b-versatile",
    usage: GROQ_USAGE,
    created_at: "2026-08-15T23:00:00Z",
  }));
  assert.equal(res.status, 200);
  // 1000 × 0.59 + 1000 × 0.79 = 1380; 1380/1e6 = 0.00138
  assert.equal(res.json.operations![0].cost_usd, "0.0013800000");
  const [row] = await rowsFor(fn);
  assert.equal(row.cost_usd, "0.0013800000");
  await closeDb();
});
