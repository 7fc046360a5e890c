// Every expected cost below is worked out by hand in the comment beside it (prices per 1M tokens or
// per audio hour, from shared/facts/providers-2026-11.md), never by calling the code under test.
import assert from "node:assert/strict";
import { CATALOG, overrideModel } from "./catalog.ts";
import {
  baselineCost,
  calculateCost,
  type CostResult,
  InvalidUsageError,
  UnknownModelError,
  UnpricedPeriodError,
  type Usage,
} from "./cost.ts";

const NOW = new Date("2026-11-25T12:00:00Z");

function day(date: string): Date {
  return new Date(`${date}T12:00:00Z`);
}

function chat(prompt: number, completion: number, cached?: number): Usage {
  return cached === undefined ? { prompt_tokens: prompt, completion_tokens: completion } : {
    prompt_tokens: prompt,
    completion_tokens: completion,
    prompt_tokens_details: { cached_tokens: cached },
  };
}

function responses(input: number, output: number, cached: number, reasoning: number): Usage {
  return {
    input_tokens: input,
    output_tokens: output,
    input_tokens_details: { cached_tokens: cached },
    output_tokens_details: { reasoning_tokens: reasoning },
  };
}

function costOf(provider: string, model: string, usage: Usage, at?: Date): string {
  return calculateCost(provider, model, usage, at).cost_usd;
}

// ------------------------------------------------------------------ Groq, current chat models

Deno.test("groq gpt-oss-120b: plain chat usage", () => {
  // 1000 × 0.15/1e6 + 200 × 0.60/1e6 = 0.00015 + 0.00012 = 0.00027
  assert.equal(costOf("groq", "openai/gpt-oss-120b", chat(1000, 200), NOW), "0.0002700000");
});

Deno.test("groq gpt-oss-120b: cached tokens are priced once, at the cached rate", () => {
  // uncached 1000 − 400 = 600: 600 × 0.15 = 90; cached 400 × 0.075 = 30; 200 × 0.60 = 120
  // (90 + 30 + 120)/1e6 = 240/1e6 = 0.00024
  assert.equal(costOf("groq", "openai/gpt-oss-120b", chat(1000, 200, 400), NOW), "0.0002400000");
});

Deno.test("groq gpt-oss-20b: plain chat usage", () => {
  // 2000 × 0.075 = 150; 500 × 0.30 = 150; 300/1e6 = 0.0003
  assert.equal(costOf("groq", "openai/gpt-oss-20b", chat(2000, 500), NOW), "0.0003000000");
});

Deno.test("groq gpt-oss-20b: half the prompt cached, 4-decimal cached price", () => {
  // 1000 × 0.075 = 75; 1000 × 0.0375 = 37.5; 0 output; 112.5/1e6 = 0.0001125
  assert.equal(costOf("groq", "openai/gpt-oss-20b", chat(2000, 0, 1000), NOW), "0.0001125000");
});

Deno.test("groq qwen3.6-27b: plain chat usage after its launch", () => {
  // 10000 × 0.60 = 6000; 1000 × 3.00 = 3000; 9000/1e6 = 0.009
  assert.equal(
    costOf("groq", "qwen/qwen3.6-27b", chat(10000, 1000), day("2026-07-01")),
    "0.0090000000",
  );
});

Deno.test("groq qwen3.6-27b: a fully cached prompt", () => {
  // 0 uncached; 10000 × 0.30 = 3000; 10 × 3.00 = 30; 3030/1e6 = 0.00303
  assert.equal(costOf("groq", "qwen/qwen3.6-27b", chat(10000, 10, 10000), NOW), "0.0030300000");
});

Deno.test("groq qwen3.8-27b: plain chat usage (uncertain price 0.80/4.00 kept)", () => {
  // 1500 × 0.80 = 1200; 300 × 4.00 = 1200; 2400/1e6 = 0.0024
  assert.equal(costOf("groq", "qwen/qwen3.8-27b", chat(1500, 300), NOW), "0.0024000000");
});

Deno.test("groq qwen3.8-27b: cached tokens", () => {
  // 1000 × 0.80 = 800; 500 × 0.40 = 200; 300 × 4.00 = 1200; 2200/1e6 = 0.0022
  assert.equal(costOf("groq", "qwen/qwen3.8-27b", chat(1500, 300, 500), NOW), "0.0022000000");
});

Deno.test("groq qwen3.8-27b: a patched catalog bills the placeholder price instead", () => {
  const patched = overrideModel(CATALOG, "groq", "qwen/qwen3.8-27b", {
    prices: [{ effectiveFrom: "2026-08-27", inputPerMTok: "0.60", outputPerMTok: "3.00" }],
  });
  // 1500 × 0.60 = 900; 300 × 3.00 = 900; 1800/1e6 = 0.0018
  const result = calculateCost("groq", "qwen/qwen3.8-27b", chat(1500, 300), NOW, {
    catalog: patched,
  });
  assert.equal(result.cost_usd, "0.0018000000");
});

// ------------------------------------------------------------------ OpenAI chat models

Deno.test("openai gpt-4o: plain chat usage", () => {
  // 1000 × 2.50 = 2500; 500 × 10.00 = 5000; 7500/1e6 = 0.0075
  assert.equal(costOf("openai", "gpt-4o", chat(1000, 500), NOW), "0.0075000000");
});

Deno.test("openai gpt-4o: cached tokens", () => {
  // 400 × 2.50 = 1000; 600 × 1.25 = 750; 500 × 10.00 = 5000; 6750/1e6 = 0.00675
  assert.equal(costOf("openai", "gpt-4o", chat(1000, 500, 600), NOW), "0.0067500000");
});

Deno.test("openai gpt-4o-mini: a million prompt tokens", () => {
  // 1000000 × 0.15 = 150000; 100000 × 0.60 = 60000; 210000/1e6 = 0.21
  assert.equal(costOf("openai", "gpt-4o-mini", chat(1_000_000, 100_000), NOW), "0.2100000000");
});

Deno.test("openai gpt-4o-mini: all cached, no output", () => {
  // 1000 × 0.075 = 75; 75/1e6 = 0.000075
  assert.equal(costOf("openai", "gpt-4o-mini", chat(1000, 0, 1000), NOW), "0.0000750000");
});

Deno.test("openai gpt-4.1: plain chat usage", () => {
  // 1000 × 2.00 = 2000; 1000 × 8.00 = 8000; 10000/1e6 = 0.01
  assert.equal(costOf("openai", "gpt-4.1", chat(1000, 1000), NOW), "0.0100000000");
});

Deno.test("openai gpt-4.1: cached tokens", () => {
  // 1000 × 2.00 = 2000; 1000 × 0.50 = 500; 100 × 8.00 = 800; 3300/1e6 = 0.0033
  assert.equal(costOf("openai", "gpt-4.1", chat(2000, 100, 1000), NOW), "0.0033000000");
});

Deno.test("openai gpt-4.1-mini: odd token counts stay exact", () => {
  // 1234 × 0.40 = 493.6; 567 × 1.60 = 907.2; 1400.8/1e6 = 0.0014008
  assert.equal(costOf("openai", "gpt-4.1-mini", chat(1234, 567), NOW), "0.0014008000");
});

Deno.test("openai gpt-4.1-mini: cached tokens", () => {
  // 1000 × 0.40 = 400; 234 × 0.10 = 23.4; 567 × 1.60 = 907.2; 1330.6/1e6 = 0.0013306
  assert.equal(costOf("openai", "gpt-4.1-mini", chat(1234, 567, 234), NOW), "0.0013306000");
});

Deno.test("openai gpt-5: Responses usage, reasoning tokens not added again", () => {
  // 800 × 1.25 = 1000; 200 × 0.125 = 25; 500 × 10.00 = 5000 (300 reasoning are inside the 500)
  // 6025/1e6 = 0.006025
  assert.equal(costOf("openai", "gpt-5", responses(1000, 500, 200, 300), NOW), "0.0060250000");
});

Deno.test("openai gpt-5-mini: plain chat usage", () => {
  // 1000 × 0.25 = 250; 1000 × 2.00 = 2000; 2250/1e6 = 0.00225
  assert.equal(costOf("openai", "gpt-5-mini", chat(1000, 1000), NOW), "0.0022500000");
});

Deno.test("openai gpt-5-mini: Responses usage, all cached", () => {
  // 1000 × 0.025 = 25; 100 × 2.00 = 200 (60 reasoning inside); 225/1e6 = 0.000225
  assert.equal(costOf("openai", "gpt-5-mini", responses(1000, 100, 1000, 60), NOW), "0.0002250000");
});

Deno.test("openai gpt-5-nano: one token each way", () => {
  // 1 × 0.05 + 1 × 0.40 = 0.45; 0.45/1e6 = 0.00000045
  assert.equal(costOf("openai", "gpt-5-nano", chat(1, 1), NOW), "0.0000004500");
});

Deno.test("openai gpt-5-nano: ten cached tokens cost a twentieth of a millionth", () => {
  // 10 × 0.005 = 0.05; 0.05/1e6 = 0.00000005
  assert.equal(costOf("openai", "gpt-5-nano", responses(10, 0, 10, 0), NOW), "0.0000000500");
});

Deno.test("openai gpt-6-sol: plain chat usage after its release", () => {
  // 1000 × 2.00 = 2000; 1000 × 10.00 = 10000; 12000/1e6 = 0.012
  assert.equal(costOf("openai", "gpt-6-sol", chat(1000, 1000), day("2026-10-01")), "0.0120000000");
});

Deno.test("openai gpt-6-sol: Responses usage with cached and reasoning tokens", () => {
  // 1000 × 2.00 = 2000; 4000 × 0.20 = 800; 1000 × 10.00 = 10000; 12800/1e6 = 0.0128
  assert.equal(
    costOf("openai", "gpt-6-sol", responses(5000, 1000, 4000, 800), NOW),
    "0.0128000000",
  );
});

Deno.test("openai gpt-6-luna: exactly 272K input tokens stays at the base rate", () => {
  // 272000 × 0.10 = 27200; 1000 × 0.50 = 500; 27700/1e6 = 0.0277
  assert.equal(costOf("openai", "gpt-6-luna", chat(272_000, 1000), NOW), "0.0277000000");
});

Deno.test("openai gpt-6-luna: above 272K input tokens input doubles and output ×1.5 for the request", () => {
  // 272001 input (1 cached): 272000 × 0.20 = 54400; 1 × 0.02 = 0.02; 1000 × 0.75 = 750
  // 55150.02/1e6 = 0.05515002
  assert.equal(costOf("openai", "gpt-6-luna", chat(272_001, 1000, 1), NOW), "0.0551500200");
});

Deno.test("openai gpt-6-luna: cached tokens at the base rate", () => {
  // 50000 × 0.10 = 5000; 50000 × 0.01 = 500; 100 × 0.50 = 50; 5550/1e6 = 0.00555
  assert.equal(costOf("openai", "gpt-6-luna", chat(100_000, 100, 50_000), NOW), "0.0055500000");
});

// ------------------------------------------------------------------ audio

Deno.test("groq whisper-large-v3: a 3 s clip is billed as the 10 s minimum", () => {
  // 10 × 0.111/3600 = 1.11/3600 = 0.000308333… → 0.0003083333
  const result = calculateCost("groq", "whisper-large-v3", { audio_seconds: 3 }, NOW);
  assert.equal(result.cost_usd, "0.0003083333");
  assert.equal(result.audio_seconds, "3.000");
  assert.equal(result.billed_audio_seconds, "10.000");
});

Deno.test("groq whisper-large-v3: half-up rounding at the 10th decimal matters", () => {
  // 20 × 0.111/3600 = 2.22/3600 = 0.00061666666… → 0.0006166667 (truncating gives …6666)
  assert.equal(costOf("groq", "whisper-large-v3", { audio_seconds: 20 }, NOW), "0.0006166667");
});

Deno.test("groq whisper-large-v3: one hour costs the hourly price", () => {
  // 3600 × 0.111/3600 = 0.111
  assert.equal(costOf("groq", "whisper-large-v3", { audio_seconds: 3600 }, NOW), "0.1110000000");
});

Deno.test("groq whisper-large-v3: a partial second is billed exactly, not as a whole second", () => {
  // 12.3 s billed as 12.3 s; 12.3 × 0.111 = 1.3653; 1.3653/3600 = 0.00037925
  const result = calculateCost("groq", "whisper-large-v3", { audio_seconds: 12.3 }, NOW);
  assert.equal(result.cost_usd, "0.0003792500");
  assert.equal(result.billed_audio_seconds, "12.300");
});

Deno.test("groq whisper-large-v3: just over the minimum stays at 10 s (to the millisecond)", () => {
  // 10.0001 s → 10.000 s to the millisecond; 10 × 0.111 = 1.11; 1.11/3600 = 0.000308333… → …3333
  const result = calculateCost("groq", "whisper-large-v3", { audio_seconds: 10.0001 }, NOW);
  assert.equal(result.cost_usd, "0.0003083333");
  assert.equal(result.audio_seconds, "10.000");
  assert.equal(result.billed_audio_seconds, "10.000");
});

Deno.test("groq whisper-large-v3-turbo: 3 s billed as 10 s", () => {
  // 10 × 0.04/3600 = 0.4/3600 = 0.000111111… → 0.0001111111
  assert.equal(costOf("groq", "whisper-large-v3-turbo", { audio_seconds: 3 }, NOW), "0.0001111111");
});

Deno.test("groq whisper-large-v3-turbo: 45 s", () => {
  // 45 × 0.04 = 1.8; 1.8/3600 = 0.0005
  assert.equal(
    costOf("groq", "whisper-large-v3-turbo", { audio_seconds: 45 }, NOW),
    "0.0005000000",
  );
});

Deno.test("groq whisper-large-v3-turbo: the shortest file (0.01 s) still pays the minimum", () => {
  // 0.01 s → 1 s → minimum 10 s; 10 × 0.04/3600 = 0.000111111… → 0.0001111111
  const result = calculateCost("groq", "whisper-large-v3-turbo", { audio_seconds: 0.01 }, NOW);
  assert.equal(result.cost_usd, "0.0001111111");
  assert.equal(result.billed_audio_seconds, "10.000");
});

Deno.test("openai whisper-1: no minimum, real seconds", () => {
  // 3 × 0.36/3600 = 1.08/3600 = 0.0003
  const result = calculateCost("openai", "whisper-1", { audio_seconds: 3 }, NOW);
  assert.equal(result.cost_usd, "0.0003000000");
  assert.equal(result.billed_audio_seconds, "3.000");
});

Deno.test("openai whisper-1: a provider float duration is billed to the millisecond", () => {
  // 3.4649999141693115 s → 3.465 s; 3.465 × 0.36 = 1.2474; 1.2474/3600 = 0.0003465
  const result = calculateCost("openai", "whisper-1", { audio_seconds: 3.4649999141693115 }, NOW);
  assert.equal(result.cost_usd, "0.0003465000");
  assert.equal(result.audio_seconds, "3.465");
  assert.equal(result.billed_audio_seconds, "3.465");
});

Deno.test("openai gpt-4o-transcribe: one minute", () => {
  // 60 × 0.36 = 21.6; 21.6/3600 = 0.006
  assert.equal(costOf("openai", "gpt-4o-transcribe", { audio_seconds: 60 }, NOW), "0.0060000000");
});

Deno.test("openai gpt-4o-mini-transcribe: one minute", () => {
  // 60 × 0.18 = 10.8; 10.8/3600 = 0.003
  assert.equal(
    costOf("openai", "gpt-4o-mini-transcribe", { audio_seconds: 60 }, NOW),
    "0.0030000000",
  );
});

Deno.test("openai gpt-4o-mini-transcribe: seconds given as a decimal string", () => {
  // 10.5 × 0.18 = 1.89; 1.89/3600 = 0.000525
  assert.equal(
    costOf("openai", "gpt-4o-mini-transcribe", { audio_seconds: "10.5" }, NOW),
    "0.0005250000",
  );
});

// ------------------------------------------------------------------ retired models, while live

Deno.test("retired llama-3.3-70b-versatile the day before its shutdown", () => {
  // 1000 × 0.59 = 590; 1000 × 0.79 = 790; 1380/1e6 = 0.00138
  assert.equal(
    costOf("groq", "llama-3.3-70b-versatile", chat(1000, 1000), day("2026-08-15")),
    "0.0013800000",
  );
});

Deno.test("retired llama-3.3-70b-versatile: cached tokens at Groq's 50%", () => {
  // 1000 × (0.59 × 50% = 0.295) = 295; 295/1e6 = 0.000295
  assert.equal(
    costOf("groq", "llama-3.3-70b-versatile", chat(1000, 0, 1000), day("2026-08-15")),
    "0.0002950000",
  );
});

Deno.test("retired llama-3.1-8b-instant in May 2026", () => {
  // 10000 × 0.05 = 500; 2000 × 0.08 = 160; 660/1e6 = 0.00066
  assert.equal(
    costOf("groq", "llama-3.1-8b-instant", chat(10000, 2000), day("2026-05-01")),
    "0.0006600000",
  );
});

Deno.test("retired llama-4-scout in January 2026", () => {
  // 2000 × 0.11 = 220; 500 × 0.34 = 170; 390/1e6 = 0.00039
  assert.equal(
    costOf("groq", "meta-llama/llama-4-scout-17b-16e-instruct", chat(2000, 500), day("2026-01-10")),
    "0.0003900000",
  );
});

Deno.test("retired qwen3-32b the day before its shutdown", () => {
  // 1000 × 0.29 = 290; 1000 × 0.59 = 590; 880/1e6 = 0.00088
  assert.equal(
    costOf("groq", "qwen/qwen3-32b", chat(1000, 1000), day("2026-07-16")),
    "0.0008800000",
  );
});

Deno.test("retired kimi-k2-instruct-0905 with cached tokens", () => {
  // 500 × 1.00 = 500; 500 × 0.50 = 250; 100 × 3.00 = 300; 1050/1e6 = 0.00105
  assert.equal(
    costOf("groq", "moonshotai/kimi-k2-instruct-0905", chat(1000, 100, 500), day("2026-03-01")),
    "0.0010500000",
  );
});

Deno.test("retired llama-4-maverick the day before its shutdown", () => {
  // 1000 × 0.20 = 200; 1000 × 0.60 = 600; 800/1e6 = 0.0008
  assert.equal(
    costOf(
      "groq",
      "meta-llama/llama-4-maverick-17b-128e-instruct",
      chat(1000, 1000),
      day("2026-03-08"),
    ),
    "0.0008000000",
  );
});

Deno.test("retired gemma2-9b-it in June 2025", () => {
  // 5000 × 0.20 = 1000; 5000 × 0.20 = 1000; 2000/1e6 = 0.002
  assert.equal(costOf("groq", "gemma2-9b-it", chat(5000, 5000), day("2025-06-01")), "0.0020000000");
});

Deno.test("retired llama3-70b-8192 (the seed's model) in January 2025", () => {
  // 1000 × 0.59 = 590; 1000 × 0.79 = 790; 1380/1e6 = 0.00138
  assert.equal(
    costOf("groq", "llama3-70b-8192", chat(1000, 1000), day("2025-01-15")),
    "0.0013800000",
  );
});

Deno.test("retired mixtral-8x7b-32768 the day before its shutdown", () => {
  // 1000 × 0.24 = 240; 1000 × 0.24 = 240; 480/1e6 = 0.00048
  assert.equal(
    costOf("groq", "mixtral-8x7b-32768", chat(1000, 1000), day("2025-03-19")),
    "0.0004800000",
  );
});

Deno.test("retired distil-whisper-large-v3-en: 5 s billed as 10 s, rounded half-up", () => {
  // 10 × 0.02 = 0.2; 0.2/3600 = 0.0000555555… → 0.0000555556
  assert.equal(
    costOf("groq", "distil-whisper-large-v3-en", { audio_seconds: 5 }, day("2025-05-01")),
    "0.0000555556",
  );
});

// ------------------------------------------------------------------ shapes, defaults, big numbers

Deno.test("the result reports the billed units and the price period used", () => {
  // 600 × 0.15 = 90; 400 × 0.075 = 30; 200 × 0.60 = 120; 240/1e6 = 0.00024
  const expected: Omit<CostResult, "toJSON" | "toString"> = {
    cost_usd: "0.0002400000",
    input_tokens: 1000,
    cached_input_tokens: 400,
    output_tokens: 200,
    audio_seconds: null,
    billed_audio_seconds: null,
    price_effective_from: "2024-01-01",
  };
  assert.deepEqual(
    calculateCost("groq", "openai/gpt-oss-120b", chat(1000, 200, 400), NOW),
    expected,
  );
});

Deno.test("without a date the latest price period applies", () => {
  // 1000 × 0.15 + 200 × 0.60 = 150 + 120 = 270; 270/1e6 = 0.00027
  const result = calculateCost("groq", "openai/gpt-oss-120b", chat(1000, 200));
  assert.equal(result.cost_usd, "0.0002700000");
  assert.equal(result.price_effective_from, "2024-01-01");
});

Deno.test("chat reasoning_tokens in completion_tokens_details are not added again", () => {
  // 100 × 0.15 = 15; 1000 × 0.60 = 600 (900 reasoning are inside the 1000); 615/1e6 = 0.000615
  const usage: Usage = {
    prompt_tokens: 100,
    completion_tokens: 1000,
    completion_tokens_details: { reasoning_tokens: 900 },
  };
  assert.equal(costOf("groq", "openai/gpt-oss-120b", usage, NOW), "0.0006150000");
});

Deno.test("Groq's extra usage fields and a null details object are tolerated", () => {
  // 400 × 0.075 = 30; 100 × 0.30 = 30; 60/1e6 = 0.00006
  const usage = {
    prompt_tokens: 400,
    completion_tokens: 100,
    total_tokens: 500,
    queue_time: 0.01,
    prompt_time: 0.002,
    prompt_tokens_details: null,
  };
  assert.equal(costOf("groq", "openai/gpt-oss-20b", usage, NOW), "0.0000600000");
});

Deno.test("a call with no tokens costs exactly zero, reported as such", () => {
  // 0 × 0.15 + 0 × 0.60 = 0
  assert.equal(costOf("groq", "openai/gpt-oss-120b", chat(0, 0), NOW), "0.0000000000");
});

Deno.test("large token counts stay exact (no float drift)", () => {
  // 123456789 × 2.50 = 308641972.5; 987654321 × 10.00 = 9876543210
  // (308641972.5 + 9876543210)/1e6 = 10185185182.5/1e6 = 10185.1851825
  assert.equal(
    costOf("openai", "gpt-4o", chat(123_456_789, 987_654_321), NOW),
    "10185.1851825000",
  );
});

// ------------------------------------------------------------------ errors, never a silent $0

Deno.test("an unknown model throws UnknownModelError, code unknown_model", () => {
  assert.throws(
    () => calculateCost("groq", "llama-9-imaginary", chat(10, 10), NOW),
    (error: unknown) =>
      error instanceof UnknownModelError && error.code === "unknown_model" &&
      error.message.includes("groq:llama-9-imaginary"),
  );
});

Deno.test("a model id under the wrong provider is unknown", () => {
  assert.throws(
    () => calculateCost("openai", "openai/gpt-oss-120b", chat(10, 10), NOW),
    UnknownModelError,
  );
});

Deno.test("a date before a model's launch throws UnpricedPeriodError, code unpriced_period", () => {
  // qwen3.6-27b was added 2026-06-16
  assert.throws(
    () => calculateCost("groq", "qwen/qwen3.6-27b", chat(10, 10), day("2026-06-15")),
    (error: unknown) => error instanceof UnpricedPeriodError && error.code === "unpriced_period",
  );
  // 10 × 0.60 + 10 × 3.00 = 36; 36/1e6 = 0.000036 on launch day
  assert.equal(costOf("groq", "qwen/qwen3.6-27b", chat(10, 10), day("2026-06-16")), "0.0000360000");
});

Deno.test("the price period is chosen by UTC date", () => {
  // gpt-6-sol released 2026-09-22: one second before midnight UTC there is no price
  assert.throws(
    () => calculateCost("openai", "gpt-6-sol", chat(10, 10), new Date("2026-09-21T23:59:59Z")),
    UnpricedPeriodError,
  );
  // 10 × 2.00 + 10 × 10.00 = 120; 120/1e6 = 0.00012
  assert.equal(
    costOf("openai", "gpt-6-sol", chat(10, 10), new Date("2026-09-22T00:00:00Z")),
    "0.0001200000",
  );
});

Deno.test("a date before the assumed 2024-01-01 start throws", () => {
  assert.throws(
    () => calculateCost("openai", "gpt-4o", chat(10, 10), day("2023-12-31")),
    UnpricedPeriodError,
  );
});

Deno.test("a retired model with no price in the facts throws rather than costing $0", () => {
  assert.throws(
    () => calculateCost("groq", "llama-3.2-90b-vision-preview", chat(10, 10), day("2025-01-01")),
    UnpricedPeriodError,
  );
});

Deno.test("invalid token counts are refused with InvalidUsageError", () => {
  const bad: unknown[] = [
    { prompt_tokens: -1, completion_tokens: 0 },
    { prompt_tokens: 10.5, completion_tokens: 0 },
    { prompt_tokens: 10, completion_tokens: Number.NaN },
    { prompt_tokens: "10", completion_tokens: 1 },
    { prompt_tokens: 10 },
    { input_tokens: 10, output_tokens: -3 },
    {},
  ];
  for (const usage of bad) {
    assert.throws(
      () => calculateCost("groq", "openai/gpt-oss-120b", usage as Usage, NOW),
      (error: unknown) => error instanceof InvalidUsageError && error.code === "invalid_usage",
      JSON.stringify(usage),
    );
  }
});

Deno.test("cached tokens above the prompt are refused", () => {
  assert.throws(
    () => calculateCost("openai", "gpt-4o", chat(100, 10, 101), NOW),
    InvalidUsageError,
  );
  assert.throws(
    () => calculateCost("openai", "gpt-5", responses(100, 10, 101, 0), NOW),
    InvalidUsageError,
  );
});

Deno.test("usage of the wrong kind for the model is refused", () => {
  assert.throws(
    () => calculateCost("groq", "openai/gpt-oss-120b", { audio_seconds: 10 }, NOW),
    InvalidUsageError,
  );
  assert.throws(
    () => calculateCost("groq", "whisper-large-v3", chat(10, 10), NOW),
    InvalidUsageError,
  );
});

Deno.test("bad audio durations are refused", () => {
  for (const seconds of [-1, Number.POSITIVE_INFINITY, "abc", "-0.5"]) {
    assert.throws(
      () => calculateCost("groq", "whisper-large-v3", { audio_seconds: seconds }, NOW),
      InvalidUsageError,
      String(seconds),
    );
  }
});

// ------------------------------------------------------------------ baseline

Deno.test("baselineCost: chat is priced on gpt-4o", () => {
  // 1000 × 2.50 = 2500; 500 × 10.00 = 5000; 7500/1e6 = 0.0075
  assert.equal(baselineCost("chat", chat(1000, 500), NOW), "0.0075000000");
});

Deno.test("baselineCost: vision on gpt-4o keeps the cached split", () => {
  // 400 × 2.50 = 1000; 600 × 1.25 = 750; 500 × 10.00 = 5000; 6750/1e6 = 0.00675
  assert.equal(baselineCost("vision", chat(1000, 500, 600), NOW), "0.0067500000");
});

Deno.test("baselineCost: document on gpt-4o", () => {
  // 3000 × 2.50 = 7500; 200 × 10.00 = 2000; 9500/1e6 = 0.0095
  assert.equal(baselineCost("document", chat(3000, 200), NOW), "0.0095000000");
});

Deno.test("baselineCost: an assistant's baseline is the call itself (the old stack ran it too)", () => {
  // The mentor was on OpenAI before this project: baseline = the actual cost, no savings.
  const usage = responses(2000, 400, 1000, 100);
  assert.equal(
    baselineCost("assistant", usage, NOW, { actualCostUsd: "0.00061" }),
    "0.0006100000",
  );
  assert.throws(() => baselineCost("assistant", usage, NOW), InvalidUsageError);
});

Deno.test("baselineCost: whisper on Groq whisper-large-v3 with its 10 s minimum, as the school ran it", () => {
  // 3 s billed as 10 s: 10 × 0.111/3600 = 1.11/3600 = 0.000308333… → 0.0003083333
  assert.equal(baselineCost("whisper", { audio_seconds: 3 }, NOW), "0.0003083333");
  // 12.3 × 0.111 = 1.3653; 1.3653/3600 = 0.00037925
  assert.equal(baselineCost("whisper", { audio_seconds: 12.3 }), "0.0003792500");
});

Deno.test("baselineCost refuses usage of the wrong kind and dates before any baseline", () => {
  assert.throws(() => baselineCost("whisper", chat(10, 10), NOW), InvalidUsageError);
  assert.throws(() => baselineCost("chat", { audio_seconds: 3 }, NOW), InvalidUsageError);
  assert.throws(() => baselineCost("chat", chat(10, 10), day("2023-06-01")), InvalidUsageError);
});
