import assert from "node:assert/strict";
import { percentileDisc, summariseArms, tokensByOperation } from "../../scripts/report/arms.ts";
import type { Row } from "../../scripts/report/sources.ts";

const answer = (arm: string, over: Partial<Row> = {}): Row => ({
  day: "2026-12-06",
  platform: "main",
  operation_type: "chat",
  arm,
  request_id: crypto.randomUUID(),
  operations: "1",
  cost_usd: "0.0004500000",
  duration_ms: "100",
  input_tokens: "1000",
  cached_input_tokens: "0",
  image_tokens: "0",
  errored: "false",
  fell_back: "false",
  truncated: "false",
  ...over,
});

Deno.test("arms compared: sample size, exact cost per answer, p50/p95, rates", () => {
  const rows = [
    answer("control", { duration_ms: "100" }),
    answer("control", { duration_ms: "300" }),
    answer("control", {
      duration_ms: "950",
      operations: "2",
      cost_usd: "0.0003500000",
      fell_back: "true",
    }),
    answer("small", { cost_usd: "0.0002250000", duration_ms: "200", truncated: "true" }),
    answer("small", { cost_usd: "0", duration_ms: "400", errored: "true" }),
  ];
  assert.deepEqual(summariseArms(rows), [
    {
      platform: "main",
      operation_type: "chat",
      arm: "control",
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
      platform: "main",
      operation_type: "chat",
      arm: "small",
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
});

Deno.test("cached share and image tokens per operation", () => {
  const rows = [
    answer("default", { input_tokens: "3000", cached_input_tokens: "2048" }),
    answer("default", { input_tokens: "1000" }),
    answer("default", { operation_type: "vision", input_tokens: "1700", image_tokens: "1564" }),
  ];
  assert.deepEqual(tokensByOperation(rows), [
    {
      operation_type: "chat",
      answers: 2,
      input_tokens: 4000,
      cached_input_tokens: 2048,
      cached_percent: "51.2",
      image_tokens: 0,
      image_tokens_per_answer: 0,
    },
    {
      operation_type: "vision",
      answers: 1,
      input_tokens: 1700,
      cached_input_tokens: 0,
      cached_percent: "0.0",
      image_tokens: 1564,
      image_tokens_per_answer: 1564,
    },
  ]);
});

Deno.test("percentileDisc is the nearest rank, as Postgres's percentile_disc", () => {
  assert.equal(percentileDisc([], 0.5), 0);
  assert.equal(percentileDisc([5], 0.95), 5);
  assert.equal(percentileDisc([1, 2, 3, 4], 0.5), 2);
  assert.equal(percentileDisc(Array.from({ length: 100 }, (_, i) => i + 1), 0.95), 95);
});
