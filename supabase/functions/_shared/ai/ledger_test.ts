import assert from "node:assert/strict";
import { insertMetrics, type LedgerClient, metricKey } from "./ledger.ts";
import type { OperationMetric } from "./tracking.ts";

const row = (requestId: string): OperationMetric => ({
  request_id: requestId,
  attempt: 1,
  operation_type: "assistant",
  platform: "main",
  provider: "openai",
  model: "gpt-4.1",
  input_tokens: 1,
  cached_input_tokens: 0,
  output_tokens: 1,
  audio_seconds: null,
  billed_audio_seconds: null,
  cost_usd: "0.0000100000",
  baseline_cost_usd: null,
  user_id: null,
  function_name: "ai-mentor",
  duration_ms: 1,
  status: "success",
  error_code: null,
});

function fakeClient(
  existing: Set<string>,
  calls: { rows: OperationMetric[]; options: unknown }[],
): LedgerClient {
  return {
    from: () => ({
      upsert: (rows, options) => ({
        select: () => {
          calls.push({ rows, options });
          const data = rows.filter((r) => !existing.has(metricKey(r)));
          return Promise.resolve({ data, error: null, status: 201 });
        },
      }),
    }),
  };
}

Deno.test("all rows go in one upsert that ignores duplicates; only new rows count as inserted", async () => {
  const calls: { rows: OperationMetric[]; options: unknown }[] = [];
  const a = row("0d6f4a0e-8a7b-4f7e-9a51-3c2f1b0e9d42");
  const b = row("1d6f4a0e-8a7b-4f7e-9a51-3c2f1b0e9d42");
  const result = await insertMetrics(fakeClient(new Set([metricKey(a)]), calls), [a, b]);
  assert.equal(calls.length, 1, "one statement");
  assert.deepEqual(calls[0].options, { onConflict: "request_id,attempt", ignoreDuplicates: true });
  assert.ok(result.ok);
  assert.deepEqual([...result.inserted], [metricKey(b)]);
});

Deno.test("a database error is returned, not thrown; no rows means no call", async () => {
  const failing: LedgerClient = {
    from: () => ({
      upsert: () => ({
        select: () =>
          Promise.resolve({ data: null, error: { message: "down", code: "08006" }, status: 503 }),
      }),
    }),
  };
  const result = await insertMetrics(failing, [row(crypto.randomUUID())]);
  assert.deepEqual(result, { ok: false, error: { message: "down", code: "08006" }, status: 503 });
  const calls: { rows: OperationMetric[]; options: unknown }[] = [];
  assert.deepEqual(await insertMetrics(fakeClient(new Set(), calls), []), {
    ok: true,
    inserted: new Set(),
  });
  assert.equal(calls.length, 0);
});
