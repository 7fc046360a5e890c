import assert from "node:assert/strict";
import { meterResponse, responseRequestId, trackResponsesUsage } from "./responses.ts";
import type { OperationMetric } from "./tracking.ts";

function fakeTracker() {
  const rows: OperationMetric[] = [];
  return { rows, tracker: { track: (m: OperationMetric) => void rows.push(m) } };
}

const USER = "a3c1e2d4-5b6f-4a7b-8c9d-0e1f2a3b4c5d";
const AT = new Date("2026-11-25T12:00:00.000Z");

// A Responses object as the openai npm client returns it (the fields the ledger reads).
const response = {
  id: "resp_68c1f0a2b3d4e5f6",
  object: "response",
  created_at: Math.floor(AT.getTime() / 1000),
  status: "completed",
  model: "gpt-4.1",
  output: [],
  usage: {
    input_tokens: 12_000,
    input_tokens_details: { cached_tokens: 8_000 },
    output_tokens: 3_000,
    output_tokens_details: { reasoning_tokens: 1_200 },
    total_tokens: 15_000,
  },
};

const context = (tracker: { track(m: OperationMetric): void }) => ({
  platform: "main" as const,
  userId: USER,
  functionName: "ai-mentor",
  durationMs: 1_840,
  tracker,
});

Deno.test("a Responses call is recorded as one assistant row priced at the catalog, reasoning counted once", async () => {
  const { rows, tracker } = fakeTracker();
  const metric = await trackResponsesUsage(response, context(tracker));
  assert.equal(rows.length, 1, "one row handed to the tracker");
  assert.deepEqual(rows[0], metric, "the returned metric is the tracked row");
  // gpt-4.1: 2.00 / 1M input, 0.50 cached, 8.00 output (catalog, checked 2026-11-25):
  // 4,000 × 2.00 + 8,000 × 0.50 + 3,000 × 8.00 = 36,000 / 1M. Adding the 1,200 reasoning tokens
  // again would give 0.0456.
  assert.equal(metric.cost_usd, "0.0360000000");
  // The mentor ran on OpenAI before this project too: its baseline is the call itself.
  assert.equal(metric.baseline_cost_usd, "0.0360000000");
  assert.equal(metric.operation_type, "assistant");
  assert.equal(metric.provider, "openai");
  assert.equal(metric.model, "gpt-4.1");
  assert.equal(metric.input_tokens, 12_000);
  assert.equal(metric.cached_input_tokens, 8_000);
  assert.equal(
    metric.output_tokens,
    3_000,
    "output_tokens as reported: reasoning is already inside",
  );
  assert.equal(metric.attempt, 1);
  assert.equal(metric.user_id, USER);
  assert.equal(metric.function_name, "ai-mentor");
  assert.equal(metric.duration_ms, 1_840);
  assert.equal(metric.status, "success");
  assert.equal(metric.error_code, null);
  assert.equal(metric.created_at, AT.toISOString(), "dated when the response was created");
});

Deno.test("the same response id always maps to the same request id; another id does not", async () => {
  const a = fakeTracker();
  const b = fakeTracker();
  const first = await trackResponsesUsage(response, context(a.tracker));
  const again = await trackResponsesUsage({ ...response }, context(b.tracker));
  assert.equal(again.request_id, first.request_id);
  assert.equal(first.request_id, await responseRequestId(response.id), "derived from the id alone");
  assert.notEqual(await responseRequestId("resp_other"), first.request_id);
  assert.notEqual(
    await responseRequestId(response.id, "groq"),
    first.request_id,
    "provider is part of the name",
  );
});

Deno.test("the derived request id is a stable RFC 9562 version-8 UUID (pinned: changing it breaks idempotency)", async () => {
  const id = await responseRequestId("resp_68c1f0a2b3d4e5f6");
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  // Computed independently: Python's hashlib.sha256(namespace bytes + b"openai:resp_…"), first
  // 16 bytes, version and variant bits set.
  assert.equal(id, "adfe5cea-f761-85fe-ba0f-71e9fd6eafa5");
});

Deno.test("an explicit request id and attempt are kept", async () => {
  const { tracker } = fakeTracker();
  const requestId = "0d6f4a0e-8a7b-4f7e-9a51-3c2f1b0e9d42";
  const metric = await trackResponsesUsage(response, {
    ...context(tracker),
    requestId,
    attempt: 3,
  });
  assert.equal(metric.request_id, requestId);
  assert.equal(metric.attempt, 3);
});

Deno.test("context.model overrides a dated snapshot the catalog does not price", async () => {
  const { rows, tracker } = fakeTracker();
  const snapshot = { ...response, model: "gpt-4.1-2025-04-14" };
  await assert.rejects(trackResponsesUsage(snapshot, context(tracker)), { code: "unknown_model" });
  const metric = await trackResponsesUsage(snapshot, { ...context(tracker), model: "gpt-4.1" });
  assert.equal(metric.model, "gpt-4.1");
  assert.equal(rows.length, 1, "the refused call was not tracked");
});

Deno.test("an unknown model, missing usage or a missing id throws and records nothing — never $0", async () => {
  const { rows, tracker } = fakeTracker();
  await assert.rejects(
    trackResponsesUsage({ ...response, model: "gpt-9-ultra" }, context(tracker)),
    {
      code: "unknown_model",
    },
  );
  await assert.rejects(trackResponsesUsage({ ...response, usage: null }, context(tracker)), {
    code: "invalid_usage",
  });
  await assert.rejects(trackResponsesUsage({ ...response, id: "" }, context(tracker)), {
    code: "invalid_usage",
  });
  await assert.rejects(
    trackResponsesUsage({
      ...response,
      usage: { input_tokens: 10, input_tokens_details: { cached_tokens: 11 }, output_tokens: 1 },
    }, context(tracker)),
    { code: "invalid_usage" },
    "more cached than input tokens is refused",
  );
  assert.equal(rows.length, 0);
});

Deno.test("gpt-6-luna above 272K input tokens is priced at the long-context rates (×2 in, ×1.5 out)", () => {
  const metric = meterResponse(
    {
      id: "resp_long",
      model: "gpt-6-luna",
      usage: { input_tokens: 300_000, output_tokens: 1_000 },
    },
    {
      requestId: crypto.randomUUID(),
      platform: "main",
      userId: null,
      functionName: "ai-analyst",
      durationMs: 9_000,
      at: AT,
    },
  );
  // 300,000 × 0.20 + 1,000 × 0.75 = 60,750 / 1M
  assert.equal(metric.cost_usd, "0.0607500000");
  assert.equal(metric.user_id, null);
});

Deno.test("an incomplete response is a partial row with its reason; a failed one an error row", () => {
  const base = {
    requestId: crypto.randomUUID(),
    platform: "tripwire" as const,
    userId: USER,
    functionName: "ai-mentor",
    durationMs: 10,
    at: AT,
  };
  const incomplete = meterResponse(
    { ...response, status: "incomplete", incomplete_details: { reason: "max_output_tokens" } },
    base,
  );
  assert.equal(incomplete.status, "partial");
  assert.equal(incomplete.error_code, "max_output_tokens");
  assert.equal(incomplete.cost_usd, "0.0360000000", "the tokens produced are still billed");
  const failed = meterResponse(
    { ...response, status: "failed", error: { code: "server_error" } },
    base,
  );
  assert.equal(failed.status, "error");
  assert.equal(failed.error_code, "server_error");
});

Deno.test("without response.created_at or context.at the injected clock dates the row", async () => {
  const { tracker } = fakeTracker();
  const { created_at: _, ...undated } = response;
  const metric = await trackResponsesUsage(undated, { ...context(tracker), now: () => AT });
  assert.equal(metric.created_at, AT.toISOString());
});
