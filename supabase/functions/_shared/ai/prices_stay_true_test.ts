// Issue 14, "prices that stay true": lifecycle ends, audio billing, long-context tiers, context
// windows, honest baselines and the brief's own API. Every expected cost is worked out by hand in
// the comment beside it (prices per 1M tokens or per audio hour, from
// shared/facts/providers-2026-11.md and its 2026-12-01 addendum), never by calling the code under
// test. "Case N" numbers the hand-worked cases (≥ 30).
import assert from "node:assert/strict";
import { checkAudioLength } from "../audio/billing.ts";
import { ModelRetiredError, UnpricedPeriodError } from "./catalog.ts";
import {
  baselineCost,
  billedAudioSeconds,
  calculateCost,
  claimedCostUsd,
  type OldStackBaseline,
  type Usage,
} from "./cost.ts";
import { formatDecimal } from "./decimal.ts";
import { getModel } from "./catalog.ts";
import { meterAttempt } from "./operation.ts";
import { meterMetric } from "./tracking.ts";

const at = (iso: string) => new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso);
const chat = (prompt: number, completion: number, cached = 0): Usage => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  prompt_tokens_details: { cached_tokens: cached },
});
const cost = (provider: string, model: string, usage: Usage, day?: string) =>
  calculateCost(provider, model, usage, day === undefined ? undefined : at(day)).cost_usd;
const retired = (model: string, shutdownOn: string) => (err: unknown) =>
  err instanceof ModelRetiredError && err.code === "model_retired" && err.model === model &&
  err.shutdownOn === shutdownOn;

// ------------------------------------------------------------------ 1. lifecycle

Deno.test("case 1: llama-3.3-70b-versatile is not priced after its 2026-08-16 shutdown", () => {
  // The audit's example: 2026-11-30 returned $0.00138; now it throws, naming the replacement.
  assert.throws(
    () => cost("groq", "llama-3.3-70b-versatile", chat(1000, 1000), "2026-11-30"),
    (err: unknown) =>
      retired("llama-3.3-70b-versatile", "2026-08-16")(err) &&
      (err as ModelRetiredError).hint.includes("openai/gpt-oss-120b"),
  );
});

Deno.test("case 2: llama-3.3-70b-versatile on its last day keeps its price", () => {
  // 2026-08-15: 1000 × 0.59 + 1000 × 0.79 = 590 + 790 = 1380; 1380/1e6 = 0.00138
  assert.equal(
    cost("groq", "llama-3.3-70b-versatile", chat(1000, 1000), "2026-08-15"),
    "0.0013800000",
  );
});

Deno.test("case 3: the shutdown day itself is past the last price period (UTC days)", () => {
  // 23:59:59 on 2026-08-15 is priced: 1000 × 0.59 = 590; 590/1e6 = 0.00059
  assert.equal(
    cost("groq", "llama-3.3-70b-versatile", chat(1000, 0), "2026-08-15T23:59:59Z"),
    "0.0005900000",
  );
  assert.throws(
    () => cost("groq", "llama-3.3-70b-versatile", chat(1000, 0), "2026-08-16T00:00:00Z"),
    retired("llama-3.3-70b-versatile", "2026-08-16"),
  );
});

Deno.test("case 4: llama3-70b-8192 is priced before 2025-08-30, never 15 months after", () => {
  // 2025-08-29: 2000 × 0.59 = 1180; 500 × 0.79 = 395; 1575/1e6 = 0.001575
  assert.equal(cost("groq", "llama3-70b-8192", chat(2000, 500), "2025-08-29"), "0.0015750000");
  assert.throws(
    () => cost("groq", "llama3-70b-8192", chat(2000, 500), "2026-11-30"),
    retired("llama3-70b-8192", "2025-08-30"),
  );
});

Deno.test("case 5: gpt-4.1-mini is priced until 2027-01-13 and refused from 2027-01-14", () => {
  // 1000 × 0.40 + 1000 × 1.60 = 400 + 1600 = 2000; 2000/1e6 = 0.002
  assert.equal(cost("openai", "gpt-4.1-mini", chat(1000, 1000), "2027-01-13"), "0.0020000000");
  assert.throws(
    () => cost("openai", "gpt-4.1-mini", chat(1000, 1000), "2027-01-14"),
    retired("gpt-4.1-mini", "2027-01-14"),
  );
});

Deno.test("case 6: gpt-5 ends on 2026-12-11", () => {
  // 2026-12-10: 1000 × 1.25 = 1250; 1000 × 10.00 = 10000; 11250/1e6 = 0.01125
  assert.equal(cost("openai", "gpt-5", chat(1000, 1000), "2026-12-10"), "0.0112500000");
  assert.throws(() => cost("openai", "gpt-5", chat(1000, 1000), "2026-12-11"), ModelRetiredError);
});

Deno.test("case 7: whisper-1 ends 2027-02-26 and gpt-transcribe takes over at $0.27/h", () => {
  assert.throws(
    () => cost("openai", "whisper-1", { audio_seconds: 60 }, "2027-02-26"),
    retired("whisper-1", "2027-02-26"),
  );
  // 60 × 0.27 = 16.2; 16.2/3600 = 0.0045
  assert.equal(
    cost("openai", "gpt-transcribe", { audio_seconds: 60 }, "2027-02-26"),
    "0.0045000000",
  );
});

Deno.test("case 8: a retired Groq whisper is refused after its shutdown too", () => {
  // 2025-08-22: 30 × 0.02 = 0.6; 0.6/3600 = 0.000166666… → 0.0001666667
  assert.equal(
    cost("groq", "distil-whisper-large-v3-en", { audio_seconds: 30 }, "2025-08-22"),
    "0.0001666667",
  );
  assert.throws(
    () => cost("groq", "distil-whisper-large-v3-en", { audio_seconds: 30 }, "2025-08-23"),
    retired("distil-whisper-large-v3-en", "2025-08-23"),
  );
});

Deno.test("case 9: a baseline is hypothetical: gpt-4o keeps its last price after 2027-01-14", () => {
  // 2027-03-01 chat on the old stack (gpt-4o): 1000 × 2.50 = 2500; 500 × 10.00 = 5000;
  // 7500/1e6 = 0.0075 — while a real gpt-4o call that day cannot be priced.
  assert.equal(baselineCost("chat", chat(1000, 500), at("2027-03-01")), "0.0075000000");
  assert.throws(() => cost("openai", "gpt-4o", chat(1000, 500), "2027-03-01"), ModelRetiredError);
});

Deno.test("case 10: a model before its launch is still unpriced, not retired", () => {
  // gpt-6-sol was released 2026-09-22.
  assert.throws(() => cost("openai", "gpt-6-sol", chat(10, 10), "2026-09-21"), UnpricedPeriodError);
  // 2026-09-22: 10 × 2.00 + 10 × 10.00 = 120; 120/1e6 = 0.00012
  assert.equal(cost("openai", "gpt-6-sol", chat(10, 10), "2026-09-22"), "0.0001200000");
});

// ------------------------------------------------------------------ 2. audio billing

Deno.test("case 11: Groq Whisper bills 61.5 s as 61.5 s, not 62 s", () => {
  // 61.5 × 0.111 = 6.8265; 6.8265/3600 = 0.00189625
  const r = calculateCost("groq", "whisper-large-v3", { audio_seconds: 61.5 }, at("2026-12-01"));
  assert.equal(r.cost_usd, "0.0018962500");
  assert.equal(r.billed_audio_seconds, "61.500");
});

Deno.test("case 12: Groq Whisper bills 0 s as nothing, not the 10 s minimum", () => {
  // Groq refuses such a file; a zero or missing duration costs zero (genai-prices).
  const r = calculateCost("groq", "whisper-large-v3", { audio_seconds: 0 }, at("2026-12-01"));
  assert.equal(r.cost_usd, "0.0000000000");
  assert.equal(r.billed_audio_seconds, "0.000");
});

Deno.test("case 13: audio under Groq's 0.01 s is never billed; 0.01 s is billed the minimum", () => {
  // 0.009 s: refused by Groq → 0. 0.01 s: 10 s minimum; 10 × 0.111 = 1.11; 1.11/3600 → 0.0003083333
  assert.equal(
    cost("groq", "whisper-large-v3", { audio_seconds: 0.009 }, "2026-12-01"),
    "0.0000000000",
  );
  assert.equal(
    cost("groq", "whisper-large-v3", { audio_seconds: 0.01 }, "2026-12-01"),
    "0.0003083333",
  );
});

Deno.test("case 14: whisper-large-v3-turbo bills exact seconds too", () => {
  // 61.5 × 0.04 = 2.46; 2.46/3600 = 0.000683333… → 0.0006833333
  assert.equal(
    cost("groq", "whisper-large-v3-turbo", { audio_seconds: 61.5 }, "2026-12-01"),
    "0.0006833333",
  );
});

Deno.test("case 15: a provider float is billed to the millisecond, half-up", () => {
  // "14.0465" → 14.047 s (half-up at the millisecond); 14.047 × 0.111 = 1.559217;
  // 1.559217/3600 = 0.000433115833… → 0.0004331158
  const r = calculateCost(
    "groq",
    "whisper-large-v3",
    { audio_seconds: "14.0465" },
    at("2026-12-01"),
  );
  assert.equal(r.billed_audio_seconds, "14.047");
  assert.equal(r.cost_usd, "0.0004331158");
});

Deno.test("case 16: billedAudioSeconds applies rounding, then the minimum", () => {
  const groq = getModel("groq", "whisper-large-v3");
  // 10.0005 → 10.001 (half-up); 10.0004 → 10.000; 9.9995 → 10.000 (the minimum anyway)
  assert.equal(formatDecimal(billedAudioSeconds(groq, "10.0005"), 3), "10.001");
  assert.equal(formatDecimal(billedAudioSeconds(groq, "10.0004"), 3), "10.000");
  assert.equal(formatDecimal(billedAudioSeconds(groq, "9.9995"), 3), "10.000");
});

Deno.test("case 17: OpenAI whisper-1 bills the exact duration without a minimum", () => {
  // 61.5 × 0.36 = 22.14; 22.14/3600 = 0.00615; and 3 s: 3 × 0.36 = 1.08; /3600 = 0.0003
  assert.equal(cost("openai", "whisper-1", { audio_seconds: 61.5 }, "2026-12-01"), "0.0061500000");
  assert.equal(cost("openai", "whisper-1", { audio_seconds: 3 }, "2026-12-01"), "0.0003000000");
});

Deno.test("case 18: gpt-transcribe at $0.27 per audio hour", () => {
  // 90 × 0.27 = 24.3; 24.3/3600 = 0.00675
  assert.equal(
    cost("openai", "gpt-transcribe", { audio_seconds: 90 }, "2026-12-01"),
    "0.0067500000",
  );
});

Deno.test("case 19: gpt-4o-mini-transcribe: 10.0004 s is 10.000 s", () => {
  // 10 × 0.18 = 1.8; 1.8/3600 = 0.0005
  assert.equal(
    cost("openai", "gpt-4o-mini-transcribe", { audio_seconds: 10.0004 }, "2026-12-01"),
    "0.0005000000",
  );
});

Deno.test("case 20: audio under 0.01 s is refused before any call when Groq is a candidate", () => {
  const groq = [{ provider: "groq" as const, model: "whisper-large-v3" }];
  const short = checkAudioLength(0.005, groq);
  assert.equal(short.ok, false);
  assert.equal(!short.ok && short.code, "unprocessable_audio");
  assert.equal(!short.ok && short.minAudioSeconds, "0.01");
  assert.equal(checkAudioLength(0.01, groq).ok, true);
  assert.equal(checkAudioLength(0, [{ provider: "openai", model: "whisper-1" }]).ok, false);
  assert.equal(checkAudioLength(0.005, [{ provider: "openai", model: "whisper-1" }]).ok, true);
});

// ------------------------------------------------------------------ 3. tiers and windows

Deno.test("case 21: gpt-6-sol above 272K input is $4.00/$15.00 for the whole request", () => {
  // 300000 × 4.00 = 1,200,000; 2000 × 15.00 = 30,000; 1,230,000/1e6 = 1.23
  // (base rates would give 300000 × 2 + 2000 × 10 = 620,000 → 0.62: 49.6 % under-billed)
  const r = calculateCost("openai", "gpt-6-sol", chat(300_000, 2000), at("2026-12-01"));
  assert.equal(r.cost_usd, "1.2300000000");
  assert.equal(r.long_context, true);
});

Deno.test("case 22: gpt-6-sol at exactly 272K input stays at the base rates", () => {
  // 272000 × 2.00 = 544,000; 1000 × 10.00 = 10,000; 554,000/1e6 = 0.554
  const r = calculateCost("openai", "gpt-6-sol", chat(272_000, 1000), at("2026-12-01"));
  assert.equal(r.cost_usd, "0.5540000000");
  assert.equal(r.long_context, undefined);
});

Deno.test("case 23: gpt-6-sol's tier prices cached tokens at $0.40", () => {
  // 272001 input, 100000 cached, no output: 172001 × 4.00 = 688,004; 100000 × 0.40 = 40,000;
  // 728,004/1e6 = 0.728004
  assert.equal(
    cost("openai", "gpt-6-sol", chat(272_001, 0, 100_000), "2026-12-01"),
    "0.7280040000",
  );
});

Deno.test("case 24: gpt-6-luna's output tier is ×1.5 ($0.75), not ×2", () => {
  // 300000 × 0.20 = 60,000; 10000 × 0.75 = 7,500; 67,500/1e6 = 0.0675
  assert.equal(cost("openai", "gpt-6-luna", chat(300_000, 10_000), "2026-12-01"), "0.0675000000");
});

Deno.test("case 25: gpt-6-luna Responses usage above the tier, reasoning counted once", () => {
  // input 400000 (200000 cached), output 5000 (4000 reasoning inside):
  // 200000 × 0.20 = 40,000; 200000 × 0.02 = 4,000; 5000 × 0.75 = 3,750; 47,750/1e6 = 0.04775
  const usage: Usage = {
    input_tokens: 400_000,
    output_tokens: 5000,
    input_tokens_details: { cached_tokens: 200_000 },
    output_tokens_details: { reasoning_tokens: 4000 },
  };
  assert.equal(cost("openai", "gpt-6-luna", usage, "2026-12-01"), "0.0477500000");
});

Deno.test("case 26: the new OpenAI fallback gpt-6-luna is cheaper per token than gpt-4.1-mini", () => {
  // 1500 in, 300 out: luna 1500 × 0.10 + 300 × 0.50 = 150 + 150 = 300 → 0.0003;
  // gpt-4.1-mini 1500 × 0.40 + 300 × 1.60 = 600 + 480 = 1080 → 0.00108
  assert.equal(cost("openai", "gpt-6-luna", chat(1500, 300), "2026-12-01"), "0.0003000000");
  assert.equal(cost("openai", "gpt-4.1-mini", chat(1500, 300), "2026-12-01"), "0.0010800000");
  assert.equal(getModel("openai", "gpt-6-luna").contextWindow, 1_050_000);
});

// ------------------------------------------------------------------ 4. the brief's API

Deno.test("case 27: a calculateCost result stands for its cost in JSON, strings and Number()", () => {
  // gpt-oss-20b: 200 × 0.075 = 15; 50 × 0.30 = 15; 30/1e6 = 0.00003
  const r = calculateCost("groq", "openai/gpt-oss-20b", chat(200, 50), at("2026-12-01"));
  assert.equal(JSON.stringify({ cost_usd: r }), '{"cost_usd":"0.0000300000"}');
  assert.equal(`${r}`, "0.0000300000");
  assert.equal(Number(r), 0.00003);
  assert.equal(Object.keys(r).includes("toJSON"), false);
});

Deno.test("case 28: claimedCostUsd reads a number, a string or a result, and refuses NaN", () => {
  // 0.00003 → "0.0000300000"; "1.5e-7" → 0.00000015 → "0.0000001500"
  assert.equal(claimedCostUsd(0.00003), "0.0000300000");
  assert.equal(claimedCostUsd("1.5e-7"), "0.0000001500");
  assert.equal(
    claimedCostUsd(calculateCost("groq", "openai/gpt-oss-20b", chat(200, 50))),
    "0.0000300000",
  );
  for (const bad of [Number.NaN, "abc", {}, -1, Number.POSITIVE_INFINITY]) {
    assert.equal(claimedCostUsd(bad), null, String(bad));
  }
});

Deno.test("case 29: the brief's snippet gives a row priced from the catalog, no mismatch", () => {
  // openai/gpt-oss-120b, 1000 in (400 cached), 200 out: 600 × 0.15 = 90; 400 × 0.075 = 30;
  // 200 × 0.60 = 120; 240/1e6 = 0.00024. Baseline gpt-4o: 600 × 2.50 = 1500; 400 × 1.25 = 500;
  // 200 × 10.00 = 2000; 4000/1e6 = 0.004
  const usage = chat(1000, 200, 400);
  const logs: string[] = [];
  const row = meterMetric({
    operation_type: "chat",
    platform: "main",
    model: "openai/gpt-oss-120b",
    input_tokens: 1000,
    output_tokens: 200,
    usage,
    cost_usd: calculateCost("groq", "openai/gpt-oss-120b", usage),
    user_id: null,
    function_name: "process-chat",
    duration_ms: 850,
    created_at: "2026-12-01T10:00:00Z",
  }, { log: (l) => logs.push(l) });
  assert.equal(row.provider, "groq");
  assert.equal(row.cost_usd, "0.0002400000");
  assert.equal(row.baseline_cost_usd, "0.0040000000");
  assert.equal(row.cached_input_tokens, 400);
  assert.deepEqual(logs, []);
});

Deno.test("case 30: a wrong or NaN cost claim is logged and the row keeps the catalog's price", () => {
  // 1000 × 0.15 + 200 × 0.60 = 150 + 120 = 270; 270/1e6 = 0.00027 (the claim says 0.5)
  for (const claim of [0.5, Number.NaN]) {
    const logs: string[] = [];
    const row = meterMetric({
      operation_type: "chat",
      platform: "main",
      model: "openai/gpt-oss-120b",
      input_tokens: 1000,
      output_tokens: 200,
      cost_usd: claim,
      function_name: "process-chat",
      created_at: "2026-12-01T10:00:00Z",
    }, { log: (l) => logs.push(l) });
    assert.equal(row.cost_usd, "0.0002700000");
    const mismatch = logs.map((l) => JSON.parse(l)).find((l) =>
      l.type === "ai_operation_cost_mismatch"
    );
    assert.equal(mismatch?.catalog_cost_usd, "0.0002700000", String(claim));
  }
});

Deno.test("case 31: the brief's retired model gives a zero-cost row marked model_retired", () => {
  // llama3-70b-8192 shut down on 2025-08-30: no price on 2026-12-01.
  const logs: string[] = [];
  const row = meterMetric({
    operation_type: "chat",
    platform: "main",
    model: "llama3-70b-8192",
    input_tokens: 100,
    output_tokens: 10,
    function_name: "process-chat",
    created_at: "2026-12-01T10:00:00Z",
  }, { log: (l) => logs.push(l) });
  assert.equal(row.cost_usd, "0.0000000000");
  assert.equal(row.error_code, "model_retired");
  assert.equal(row.baseline_cost_usd, null);
  assert.ok(logs.some((l) => l.includes("ai_operation_unpriced")));
});

// ------------------------------------------------------------------ 5. honest baselines

Deno.test("case 32: a Groq whisper-large-v3 row claims no savings (the old stack ran it)", () => {
  // 30 s: 30 × 0.111 = 3.33; 3.33/3600 = 0.000925 — cost and baseline alike.
  const row = meterAttempt(
    {
      requestId: "00000000-0000-4000-8000-000000000032",
      userId: null,
      platform: "main",
      functionName: "process-voice-message",
      operationType: "whisper",
    },
    {
      attempt: 1,
      provider: "groq",
      model: "whisper-large-v3",
      startedAt: at("2026-12-01"),
      durationMs: 500,
      outcome: "success",
    },
    { audio_seconds: 30 },
  );
  assert.equal(row.cost_usd, "0.0009250000");
  assert.equal(row.baseline_cost_usd, "0.0009250000");
});

Deno.test("case 33: an OpenAI whisper-1 fallback costs more than the old stack: negative savings", () => {
  // 30 s on whisper-1: 30 × 0.36 = 10.8; /3600 = 0.003. Baseline whisper-large-v3: 0.000925.
  const row = meterAttempt(
    {
      requestId: "00000000-0000-4000-8000-000000000033",
      userId: null,
      platform: "main",
      functionName: "process-voice-message",
      operationType: "whisper",
    },
    {
      attempt: 2,
      provider: "openai",
      model: "whisper-1",
      startedAt: at("2026-12-01"),
      durationMs: 900,
      outcome: "success",
    },
    { audio_seconds: 30 },
  );
  assert.equal(row.cost_usd, "0.0030000000");
  assert.equal(row.baseline_cost_usd, "0.0009250000");
});

Deno.test("case 34: effective-dated baselines: an admin's new row applies from its day", () => {
  const baselines: OldStackBaseline[] = [
    { operation_type: "vision", effective_from: "2024-01-01", provider: "openai", model: "gpt-4o" },
    {
      operation_type: "vision",
      effective_from: "2026-12-02",
      provider: "openai",
      model: "gpt-4o-mini",
    },
  ];
  // 2026-12-01 on gpt-4o: 1000 × 2.50 + 100 × 10.00 = 2500 + 1000 = 3500 → 0.0035
  assert.equal(
    baselineCost("vision", chat(1000, 100), at("2026-12-01"), { baselines }),
    "0.0035000000",
  );
  // 2026-12-02 on gpt-4o-mini: 1000 × 0.15 + 100 × 0.60 = 150 + 60 = 210 → 0.00021
  assert.equal(
    baselineCost("vision", chat(1000, 100), at("2026-12-02"), { baselines }),
    "0.0002100000",
  );
});

Deno.test("case 35: an assistant row's baseline is its own cost", () => {
  // gpt-4.1 Responses: 2000 in (1000 cached), 400 out: 1000 × 2.00 = 2000; 1000 × 0.50 = 500;
  // 400 × 8.00 = 3200; 5700/1e6 = 0.0057 — and the same as the baseline.
  const row = meterAttempt(
    {
      requestId: "00000000-0000-4000-8000-000000000035",
      userId: null,
      platform: "main",
      functionName: "ai-mentor",
      operationType: "assistant",
    },
    {
      attempt: 1,
      provider: "openai",
      model: "gpt-4.1",
      startedAt: at("2026-12-01"),
      durationMs: 1200,
      outcome: "success",
    },
    {
      input_tokens: 2000,
      output_tokens: 400,
      input_tokens_details: { cached_tokens: 1000 },
    },
  );
  assert.equal(row.cost_usd, "0.0057000000");
  assert.equal(row.baseline_cost_usd, "0.0057000000");
});
