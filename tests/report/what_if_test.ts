// What-if repricing on a small known ledger: totals equal hand-computed ones. Prices from the
// catalog (shared/facts/providers-2026-11.md, checked 2026-11-25; gpt-6-luna and turbo per the
// catalog's sources): gpt-6-luna 0.10 in / 0.01 cached / 0.50 out per 1M; groq
// whisper-large-v3-turbo 0.04 USD per audio hour, 10 s minimum. (Requests stay under luna's
// 272K-token long-context tier.)
import assert from "node:assert/strict";
import {
  parseEvalResults,
  parseWhatIf,
  repriceUsage,
  WhatIfError,
} from "../../scripts/report/what_if.ts";
import type { UsageGroup } from "../../scripts/report/sources.ts";
import { groupUsage } from "../../scripts/report/sources.ts";
import { calculateCost } from "../../supabase/functions/_shared/ai/cost.ts";

const DAY = "2026-11-20";
const chat = (over: Partial<UsageGroup>): UsageGroup => ({
  day: DAY,
  operation_type: "chat",
  platform: "main",
  provider: "groq",
  model: "openai/gpt-oss-120b",
  input_tokens: 0,
  cached_input_tokens: 0,
  output_tokens: 0,
  audio_seconds: null,
  calls: 1,
  cost_usd: "0",
  ...over,
});

// Three chat calls (two identical), one tripwire voice message of 4 s, one main voice message of
// 30 s, one vision call no rule touches.
const LEDGER: UsageGroup[] = [
  // 1000 in (400 cached), 200 out on gpt-oss-120b: 600×0.15 + 400×0.075 + 200×0.60 = 240 per 1M
  chat({
    input_tokens: 1000,
    cached_input_tokens: 400,
    output_tokens: 200,
    calls: 2,
    cost_usd: "0.0004800000",
  }),
  chat({ platform: "tripwire", input_tokens: 2000, output_tokens: 1000, cost_usd: "0.0009000000" }),
  chat({
    operation_type: "whisper",
    platform: "tripwire",
    model: "whisper-large-v3",
    audio_seconds: "4.000",
    cost_usd: "0.0003083333", // 10 s minimum × 0.111/3600
  }),
  chat({
    operation_type: "whisper",
    platform: "main",
    model: "whisper-large-v3",
    audio_seconds: "30.000",
    cost_usd: "0.0009250000", // 30 × 0.111/3600
  }),
  chat({
    operation_type: "vision",
    model: "qwen/qwen3.8-27b",
    input_tokens: 1500,
    output_tokens: 100,
    cost_usd: "0.0016000000",
  }),
];

Deno.test("the luna and turbo prices this test assumes are the catalog's", () => {
  const at = new Date(`${DAY}T12:00:00Z`);
  assert.equal(
    calculateCost("openai", "gpt-6-luna", { prompt_tokens: 100_000, completion_tokens: 0 }, at)
      .cost_usd,
    "0.0100000000",
  );
  assert.equal(
    calculateCost("openai", "gpt-6-luna", { prompt_tokens: 0, completion_tokens: 100_000 }, at)
      .cost_usd,
    "0.0500000000",
  );
  assert.equal(
    calculateCost("openai", "gpt-6-luna", {
      prompt_tokens: 100_000,
      completion_tokens: 0,
      prompt_tokens_details: { cached_tokens: 100_000 },
    }, at).cost_usd,
    "0.0010000000",
  );
  assert.equal(
    calculateCost("groq", "whisper-large-v3-turbo", { audio_seconds: 3600 }, at).cost_usd,
    "0.0400000000",
  );
});

Deno.test("chat on gpt-6-luna and tripwire voice on turbo: totals equal the hand-computed ones", () => {
  const spec = "chat=openai:gpt-6-luna,speech.tripwire=groq:whisper-large-v3-turbo";
  const r = repriceUsage(spec, parseWhatIf(spec), LEDGER);
  // chat main, per call: 600×0.10 + 400×0.01 + 200×0.50 = 164 per 1M → 0.000164, × 2 calls
  // chat tripwire: 2000×0.10 + 1000×0.50 = 700 per 1M → 0.0007
  // voice tripwire: 10 s minimum × 0.04/3600 = 0.0001111111 (rounded half-up once)
  const chatWhatIf = "0.0010280000";
  const voiceWhatIf = "0.0001111111";
  assert.deepEqual(
    r.by_rule.map((
      x,
    ) => [x.rule, x.calls, x.actual_cost_usd, x.what_if_cost_usd, x.difference_usd]),
    [
      ["chat", 3, "0.0013800000", chatWhatIf, "-0.0003520000"],
      ["speech.tripwire", 1, "0.0003083333", voiceWhatIf, "-0.0001972222"],
    ],
  );
  // Untouched: main voice 0.000925 and vision 0.0016 keep their recorded cost.
  assert.equal(r.actual_cost_usd, "0.0042133333");
  assert.equal(r.total_cost_usd, "0.0036641111"); // 0.001028 + 0.0001111111 + 0.000925 + 0.0016
  assert.equal(r.difference_usd, "-0.0005492222");
  assert.deepEqual(
    r.by_operation_type.map((x) => [x.operation_type, x.actual_cost_usd, x.what_if_cost_usd]),
    [
      ["chat", "0.0013800000", chatWhatIf],
      ["vision", "0.0016000000", "0.0016000000"],
      ["whisper", "0.0012333333", "0.0010361111"],
    ],
  );
  assert.ok(r.caveats.some((c) => c.includes("Tokenizers differ")));
  assert.ok(r.caveats.some((c) => c.includes("reasoning")));
});

Deno.test("a platform rule wins over the task's general rule", () => {
  const spec = "chat=openai:gpt-6-luna,chat.tripwire=groq:openai/gpt-oss-20b";
  const r = repriceUsage(spec, parseWhatIf(spec), LEDGER);
  // tripwire chat on gpt-oss-20b: 2000×0.075 + 1000×0.30 = 450 per 1M
  assert.equal(r.by_rule.find((x) => x.rule === "chat.tripwire")?.what_if_cost_usd, "0.0004500000");
  assert.equal(r.by_rule.find((x) => x.rule === "chat")?.calls, 2);
});

Deno.test("measured cost per answer scales the recorded cost where both models were evaluated", () => {
  const spec = "chat=openai:gpt-6-luna";
  const evalResults = parseEvalResults([
    {
      task: "chat",
      provider: "groq",
      model: "openai/gpt-oss-120b",
      metrics: { cost_per_answer_usd: 0.0004 },
    },
    {
      task: "chat",
      provider: "openai",
      model: "gpt-6-luna",
      metrics: { cost_per_answer_usd: 0.0006 },
    },
    {
      task: "vision",
      provider: "openai",
      model: "gpt-6-luna",
      metrics: { cost_per_answer_usd: 0.01 },
    },
  ]);
  const r = repriceUsage(spec, parseWhatIf(spec), LEDGER, evalResults);
  // 0.00138 recorded × 0.0006 / 0.0004 = 0.00207
  assert.equal(r.by_rule[0].eval_adjusted_cost_usd, "0.0020700000");
  assert.equal(r.by_rule[0].eval_measured_calls, 3);
  assert.equal(r.eval_adjusted_total_cost_usd, "0.0049033333"); // 0.00207 + 0.0012333333 + 0.0016
});

Deno.test("bad rules are refused with the entry named", () => {
  assert.throws(() => parseWhatIf("chat=openai:gpt-9"), WhatIfError);
  assert.throws(() => parseWhatIf("speech=openai:gpt-6-luna"), /speech_to_text/);
  assert.throws(() => parseWhatIf("chat.school=openai:gpt-6-luna"), /chat.school/);
  assert.throws(() => parseWhatIf("chat"), /task\[.platform\]=provider:model/);
});

Deno.test("ledger rows read through the Data API fold into the same groups", () => {
  const row = {
    day: DAY,
    operation_type: "chat",
    platform: "main",
    provider: "groq",
    model: "m",
    input_tokens: "10",
    cached_input_tokens: "0",
    output_tokens: "5",
    audio_seconds: null,
  };
  const groups = groupUsage([{ ...row, cost_usd: "0.1" }, { ...row, cost_usd: "0.2" }, {
    ...row,
    output_tokens: "6",
    cost_usd: "0.3",
  }]);
  assert.deepEqual(groups.map((g) => [g.calls, g.cost_usd]), [[2, "0.3000000000"], [
    1,
    "0.3000000000",
  ]]);
});
