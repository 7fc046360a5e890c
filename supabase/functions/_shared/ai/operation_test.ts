import assert from "node:assert/strict";
import { type OperationContext, runAIOperation } from "./operation.ts";
import { type ModelTarget, ProviderError } from "./providers.ts";
import type { OperationMetric } from "./tracking.ts";

const GROQ: ModelTarget = { provider: "groq", model: "openai/gpt-oss-120b" };
const OPENAI: ModelTarget = { provider: "openai", model: "gpt-4.1-mini" };
const CONTEXT: OperationContext = {
  requestId: "0d6f4a0e-8a7b-4f7e-9a51-3c2f1b0e9d42",
  userId: "a3c1e2d4-5b6f-4a7b-8c9d-0e1f2a3b4c5d",
  platform: "main",
  functionName: "ai-chat",
  operationType: "chat",
};
const T0 = Date.parse("2026-11-25T12:00:00.000Z");

function clock() {
  let t = T0;
  return {
    now: () => t,
    sleep: (ms: number) => {
      t += ms;
      return Promise.resolve();
    },
    tick: (ms: number) => (t += ms),
  };
}

function collector() {
  const rows: OperationMetric[] = [];
  return { rows, tracker: { track: (m: OperationMetric) => void rows.push(m) } };
}

const usage = { prompt_tokens: 1000, completion_tokens: 500 };

Deno.test("a Groq failure then an OpenAI answer records two priced rows under one request id", async () => {
  const c = clock();
  const { rows, tracker } = collector();
  const result = await runAIOperation({
    context: CONTEXT,
    candidates: [GROQ, OPENAI],
    maxAttemptsPerCandidate: 1,
    now: c.now,
    sleep: c.sleep,
    tracker,
    attempt: (target) => {
      c.tick(40);
      if (target.provider === "groq") {
        return Promise.reject(
          new ProviderError({
            ...GROQ,
            status: 503,
            code: "upstream_unavailable",
            retryable: true,
          }),
        );
      }
      return Promise.resolve({ text: "ответ", usage });
    },
  });
  assert.ok(result.ok && result.provider === "openai" && result.attempts === 2);
  assert.deepEqual(rows, [
    {
      request_id: CONTEXT.requestId,
      attempt: 1,
      operation_type: "chat",
      platform: "main",
      provider: "groq",
      model: "openai/gpt-oss-120b",
      input_tokens: 0,
      cached_input_tokens: 0,
      output_tokens: 0,
      audio_seconds: null,
      billed_audio_seconds: null,
      cost_usd: "0.0000000000",
      baseline_cost_usd: "0.0000000000",
      user_id: CONTEXT.userId,
      function_name: "ai-chat",
      duration_ms: 40,
      status: "error",
      error_code: "upstream_unavailable",
      created_at: "2026-11-25T12:00:00.000Z",
    },
    {
      request_id: CONTEXT.requestId,
      attempt: 2,
      operation_type: "chat",
      platform: "main",
      provider: "openai",
      model: "gpt-4.1-mini",
      input_tokens: 1000,
      cached_input_tokens: 0,
      output_tokens: 500,
      audio_seconds: null,
      billed_audio_seconds: null,
      // gpt-4.1-mini: 1000 × 0.40/1M + 500 × 1.60/1M = 0.0004 + 0.0008
      cost_usd: "0.0012000000",
      // gpt-4o: 1000 × 2.50/1M + 500 × 10.00/1M = 0.0025 + 0.005
      baseline_cost_usd: "0.0075000000",
      user_id: CONTEXT.userId,
      function_name: "ai-chat",
      duration_ms: 40,
      status: "success",
      error_code: null,
      created_at: "2026-11-25T12:00:00.040Z",
    },
  ]);
  assert.equal(result.costUsd, "0.0012000000");
});

Deno.test("a failed attempt that had spent tokens is a partial row with that cost", async () => {
  const c = clock();
  const { rows, tracker } = collector();
  const result = await runAIOperation({
    context: CONTEXT,
    candidates: [GROQ],
    now: c.now,
    sleep: c.sleep,
    random: () => 0,
    tracker,
    attempt: (_t, { attempt }) =>
      attempt === 1
        ? Promise.reject(
          new ProviderError({
            ...GROQ,
            status: null,
            code: "stream_interrupted",
            retryable: true,
            usage,
          }),
        )
        : Promise.resolve({ usage }),
  });
  assert.ok(result.ok);
  assert.deepEqual(rows.map((r) => [r.attempt, r.status, r.error_code, r.cost_usd]), [
    // gpt-oss-120b: 1000 × 0.15/1M + 500 × 0.60/1M = 0.00015 + 0.0003
    [1, "partial", "stream_interrupted", "0.0004500000"],
    [2, "success", null, "0.0004500000"],
  ]);
  assert.equal(result.costUsd, "0.0009000000");
});

Deno.test("a partial stream value is recorded as partial with its interruption", async () => {
  const { rows, tracker } = collector();
  const result = await runAIOperation({
    context: CONTEXT,
    candidates: [GROQ],
    tracker,
    now: clock().now,
    attempt: () => Promise.resolve({ partial: true, interruption: "stream_interrupted", usage }),
  });
  assert.ok(result.ok && result.partial);
  assert.deepEqual(rows.map((r) => [r.status, r.error_code, r.output_tokens]), [
    ["partial", "stream_interrupted", 500],
  ]);
});

Deno.test("a transcription is billed with Groq's 10-second minimum, and so is its old-stack baseline", async () => {
  const { rows, tracker } = collector();
  await runAIOperation({
    context: { ...CONTEXT, operationType: "whisper", functionName: "ai-whisper" },
    candidates: [{ provider: "groq", model: "whisper-large-v3" }],
    tracker,
    now: clock().now,
    attempt: () => Promise.resolve({ text: "привет", usage: null }),
    // The provider gave no duration: the function measured the file.
    usageOf: () => ({ audio_seconds: 3 }),
  });
  const [row] = rows;
  assert.equal(row.audio_seconds, "3.000");
  assert.equal(row.billed_audio_seconds, "10.000");
  // 10 s × 0.111 USD / 3600 s = 0.000308333… → half-up at 10 dp
  assert.equal(row.cost_usd, "0.0003083333");
  // The old stack ran Groq whisper-large-v3 too: the same 10 s × 0.111 / 3600 = 0.0003083333
  assert.equal(row.baseline_cost_usd, "0.0003083333");
});

Deno.test("an unpriceable model is still recorded, marked and logged, never silently free", async () => {
  const { rows, tracker } = collector();
  const lines: string[] = [];
  await runAIOperation({
    context: CONTEXT,
    candidates: [{ provider: "groq", model: "some/unknown-model" }],
    tracker,
    log: (l) => lines.push(l),
    now: clock().now,
    attempt: () => Promise.resolve({ usage }),
  });
  assert.equal(rows.length, 1);
  assert.equal(rows[0].status, "success");
  assert.equal(rows[0].error_code, "unknown_model");
  assert.equal(rows[0].baseline_cost_usd, null);
  assert.equal(lines.length, 1);
  assert.equal(JSON.parse(lines[0]).type, "ai_operation_unpriced");
});

Deno.test("an answer without usage is marked usage_missing", async () => {
  const { rows, tracker } = collector();
  const lines: string[] = [];
  await runAIOperation({
    context: CONTEXT,
    candidates: [GROQ],
    tracker,
    log: (l) => lines.push(l),
    now: clock().now,
    attempt: () => Promise.resolve({ usage: null }),
  });
  assert.equal(rows[0].error_code, "usage_missing");
  assert.equal(lines.length, 1);
});

Deno.test("the catalog names the replacement of a retired model, following the chain", async () => {
  const { catalogReplacement } = await import("./operation.ts");
  assert.deepEqual(catalogReplacement({ provider: "groq", model: "llama-3.3-70b-versatile" }), {
    provider: "groq",
    model: "openai/gpt-oss-120b",
  });
  assert.equal(catalogReplacement({ provider: "groq", model: "openai/gpt-oss-120b" }), undefined);
});

Deno.test("attemptOffset numbers a second operation's rows after the first's, same request id", async () => {
  const c = clock();
  const { rows, tracker } = collector();
  const result = await runAIOperation({
    context: CONTEXT,
    candidates: [GROQ, OPENAI],
    maxAttemptsPerCandidate: 1,
    now: c.now,
    sleep: c.sleep,
    tracker,
    attemptOffset: 2,
    attempt: (target) =>
      target.provider === "groq"
        ? Promise.reject(
          new ProviderError({
            ...GROQ,
            status: 503,
            code: "upstream_unavailable",
            retryable: true,
          }),
        )
        : Promise.resolve({ text: "ответ", usage }),
  });
  assert.ok(result.ok && result.attempts === 2, "routing still counts its own attempts from 1");
  const numbers = rows.map((r) => [r.request_id, r.attempt]);
  assert.deepEqual(numbers, [[CONTEXT.requestId, 3], [CONTEXT.requestId, 4]]);
});
