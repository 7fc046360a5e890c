import assert from "node:assert/strict";
import {
  ASSUMED_EFFECTIVE_FROM,
  CATALOG,
  findModel,
  getModel,
  isRetired,
  modelsWithCapability,
  overrideModel,
  pricePeriodAt,
  resolveModel,
  UnknownModelError,
  UnpricedPeriodError,
} from "./catalog.ts";
import { parseDecimal } from "./decimal.ts";

const NOW = new Date("2026-11-25T12:00:00Z");
const DATE = /^\d{4}-\d{2}-\d{2}$/;

// Every model the facts file (shared/facts/providers-2026-11.md) names, current and retired.
const FACTS_MODELS: Array<[string, string]> = [
  ["groq", "openai/gpt-oss-120b"],
  ["groq", "openai/gpt-oss-20b"],
  ["groq", "qwen/qwen3.6-27b"],
  ["groq", "qwen/qwen3.8-27b"],
  ["groq", "whisper-large-v3"],
  ["groq", "whisper-large-v3-turbo"],
  ["groq", "llama-3.3-70b-versatile"],
  ["groq", "llama-3.1-8b-instant"],
  ["groq", "meta-llama/llama-4-scout-17b-16e-instruct"],
  ["groq", "qwen/qwen3-32b"],
  ["groq", "moonshotai/kimi-k2-instruct-0905"],
  ["groq", "meta-llama/llama-4-maverick-17b-128e-instruct"],
  ["groq", "gemma2-9b-it"],
  ["groq", "llama3-70b-8192"],
  ["groq", "llama-3.2-90b-vision-preview"],
  ["groq", "llama-3.2-11b-vision-preview"],
  ["groq", "mixtral-8x7b-32768"],
  ["groq", "distil-whisper-large-v3-en"],
  ["openai", "gpt-4o"],
  ["openai", "gpt-4o-mini"],
  ["openai", "gpt-4.1"],
  ["openai", "gpt-4.1-mini"],
  ["openai", "gpt-5"],
  ["openai", "gpt-5-mini"],
  ["openai", "gpt-5-nano"],
  ["openai", "gpt-6-sol"],
  ["openai", "gpt-6-luna"],
  ["openai", "whisper-1"],
  ["openai", "gpt-4o-transcribe"],
  ["openai", "gpt-4o-mini-transcribe"],
  ["openai", "gpt-transcribe"],
];

Deno.test("the catalog holds every model the facts file names, once", () => {
  for (const [provider, id] of FACTS_MODELS) {
    assert.ok(findModel(provider, id), `${provider}:${id} missing`);
  }
  const keys = CATALOG.map((m) => `${m.provider}:${m.id}`);
  assert.equal(new Set(keys).size, keys.length, "duplicate entries");
  assert.equal(CATALOG.length, FACTS_MODELS.length);
});

Deno.test("every entry carries a source URL and the date it was checked", () => {
  for (const m of CATALOG) {
    assert.match(m.source, /^https:\/\//, m.id);
    assert.match(m.checkedOn, DATE, m.id);
  }
});

Deno.test("every price is an exact decimal string and periods are in date order", () => {
  for (const m of CATALOG) {
    let previous = "";
    for (const p of m.prices) {
      assert.match(p.effectiveFrom, DATE, m.id);
      assert.ok(p.effectiveFrom > previous, `${m.id}: periods out of order`);
      previous = p.effectiveFrom;
      for (
        const price of [p.inputPerMTok, p.cachedInputPerMTok, p.outputPerMTok, p.audioPerHour]
      ) {
        if (price !== undefined) assert.ok(parseDecimal(price).units >= 0n, `${m.id} ${price}`);
      }
    }
  }
});

Deno.test("speech models are priced per hour and carry billing rules; chat models per token", () => {
  for (const m of CATALOG) {
    const isSpeech = m.capabilities.includes("speech_to_text");
    assert.equal(m.billing !== undefined, isSpeech, `${m.id}: billing rules`);
    for (const p of m.prices) {
      assert.equal(p.audioPerHour !== undefined, isSpeech, `${m.id}: audio price`);
      assert.equal(p.inputPerMTok !== undefined, !isSpeech, `${m.id}: input price`);
      assert.equal(p.outputPerMTok !== undefined, !isSpeech, `${m.id}: output price`);
    }
  }
});

Deno.test("Groq speech models bill exact seconds with a 10 s minimum, refuse under 0.01 s, and cite it", () => {
  for (const id of ["whisper-large-v3", "whisper-large-v3-turbo", "distil-whisper-large-v3-en"]) {
    const billing = getModel("groq", id).billing!;
    assert.equal(billing.minBilledAudioSeconds, "10");
    assert.equal(billing.audioIncrementSeconds, "0.001");
    assert.equal(billing.rounding, "nearest");
    assert.equal(billing.minAudioSeconds, "0.01");
    assert.match(billing.source, /speech-to-text/);
    assert.match(billing.uncertain ?? "", /fraction of a second/);
  }
  assert.equal(getModel("openai", "whisper-1").billing?.minBilledAudioSeconds, "0");
});

Deno.test("only models with no price in the facts have an empty price list, and say so", () => {
  const unpriced = CATALOG.filter((m) => m.prices.length === 0).map((m) => m.id).sort();
  assert.deepEqual(unpriced, [
    "llama-3.2-11b-vision-preview",
    "llama-3.2-90b-vision-preview",
  ]);
  for (const id of unpriced) {
    const entry = CATALOG.find((m) => m.id === id)!;
    assert.match(entry.uncertain ?? "", /price/, id);
  }
});

Deno.test("qwen3.8-27b keeps 0.80/4.00 and flags the placeholder price as uncertain", () => {
  const m = getModel("groq", "qwen/qwen3.8-27b");
  assert.equal(m.prices[0].inputPerMTok, "0.80");
  assert.equal(m.prices[0].outputPerMTok, "4.00");
  assert.match(m.uncertain ?? "", /0\.60\/3\.00/);
  assert.equal(m.imagesPerRequest, 3);
  assert.equal(m.maxImagePixels, 33_177_600);
});

Deno.test("gpt-6 models carry the ×2 input / ×1.5 output long-context tier, marked uncertain", () => {
  assert.deepEqual(getModel("openai", "gpt-6-luna").prices[0].longContext, {
    aboveInputTokens: 272_000,
    inputPerMTok: "0.20",
    cachedInputPerMTok: "0.02",
    outputPerMTok: "0.75",
  });
  assert.deepEqual(getModel("openai", "gpt-6-sol").prices[0].longContext, {
    aboveInputTokens: 272_000,
    inputPerMTok: "4.00",
    cachedInputPerMTok: "0.40",
    outputPerMTok: "15.00",
  });
  for (const id of ["gpt-6-luna", "gpt-6-sol"]) {
    assert.match(getModel("openai", id).uncertain ?? "", /long-context tier/);
  }
});

Deno.test("every OpenAI chat model states its context window", () => {
  for (const m of CATALOG) {
    if (m.provider !== "openai" || !m.capabilities.includes("chat")) continue;
    assert.ok((m.contextWindow ?? 0) >= 128_000, m.id);
  }
  assert.equal(getModel("openai", "gpt-4.1-mini").contextWindow, 1_047_576);
  assert.equal(getModel("openai", "gpt-4o").contextWindow, 128_000);
});

Deno.test("retired models keep a price period from before their shutdown", () => {
  for (const m of CATALOG) {
    if (m.shutdownOn === undefined || m.prices.length === 0) continue;
    assert.ok(m.prices[0].effectiveFrom < m.shutdownOn, m.id);
    assert.equal(m.prices[0].effectiveFrom, ASSUMED_EFFECTIVE_FROM, m.id);
  }
});

Deno.test("every replacement exists, at the same provider", () => {
  for (const m of CATALOG) {
    if (m.replacement === undefined) continue;
    assert.ok(findModel(m.provider, m.replacement), `${m.id} → ${m.replacement}`);
    assert.ok(m.shutdownOn, `${m.id} has a replacement but no shutdown date`);
  }
});

Deno.test("getModel throws UnknownModelError with code unknown_model", () => {
  assert.throws(
    () => getModel("groq", "gpt-4o"),
    (e: unknown) => e instanceof UnknownModelError && e.code === "unknown_model",
  );
  assert.equal(findModel("groq", "gpt-4o"), undefined);
  assert.equal(getModel("openai", "gpt-4o").id, "gpt-4o");
});

Deno.test("a model is retired from its shutdown day on (UTC)", () => {
  const llama = getModel("groq", "llama-3.3-70b-versatile");
  assert.equal(isRetired(llama, new Date("2026-08-15T23:59:59Z")), false);
  assert.equal(isRetired(llama, new Date("2026-08-16T00:00:00Z")), true);
  assert.equal(isRetired(getModel("groq", "openai/gpt-oss-120b"), NOW), false);
});

Deno.test("resolveModel keeps a live model as it is", () => {
  const r = resolveModel("groq", "llama-3.3-70b-versatile", new Date("2026-08-15T12:00:00Z"));
  assert.equal(r.entry.id, "llama-3.3-70b-versatile");
  assert.equal(r.warning, undefined);
  assert.equal(r.replacedFrom, undefined);
  assert.equal(r.retired, false);
});

Deno.test("resolveModel follows the replacement past shutdown, with a warning", () => {
  const r = resolveModel("groq", "llama-3.3-70b-versatile", NOW);
  assert.equal(r.entry.id, "openai/gpt-oss-120b");
  assert.equal(r.replacedFrom, "llama-3.3-70b-versatile");
  assert.equal(r.retired, false);
  assert.equal(
    r.warning,
    "groq:llama-3.3-70b-versatile was shut down on 2026-08-16; using its replacement groq:openai/gpt-oss-120b",
  );
  assert.equal(
    resolveModel("groq", "distil-whisper-large-v3-en", NOW).entry.id,
    "whisper-large-v3-turbo",
  );
});

Deno.test("resolveModel follows a chain and reports a dead end", () => {
  // whisper-1 → gpt-transcribe after 2027-02-26
  const r = resolveModel("openai", "whisper-1", new Date("2027-03-01T00:00:00Z"));
  assert.equal(r.entry.id, "gpt-transcribe");
  // gemma2-9b-it has no replacement
  const dead = resolveModel("groq", "gemma2-9b-it", NOW);
  assert.equal(dead.entry.id, "gemma2-9b-it");
  assert.equal(dead.retired, true);
  assert.match(dead.warning ?? "", /no replacement/);
  // a patched catalog where the replacement is retired too: two hops, then a dead end
  const patched = overrideModel(CATALOG, "groq", "openai/gpt-oss-120b", {
    shutdownOn: "2026-10-01",
  });
  const chain = resolveModel("groq", "qwen/qwen3-32b", NOW, patched);
  assert.equal(chain.entry.id, "openai/gpt-oss-120b");
  assert.equal(chain.retired, true);
  assert.match(chain.warning ?? "", /qwen3-32b was shut down.*gpt-oss-120b was shut down/);
  assert.throws(() => resolveModel("groq", "nope", NOW), UnknownModelError);
});

Deno.test("resolveModel stops on a replacement cycle in a patched catalog", () => {
  let patched = overrideModel(CATALOG, "groq", "openai/gpt-oss-120b", {
    shutdownOn: "2026-10-01",
    replacement: "qwen/qwen3-32b",
  });
  patched = overrideModel(patched, "groq", "qwen/qwen3-32b", {
    replacement: "openai/gpt-oss-120b",
  });
  const r = resolveModel("groq", "qwen/qwen3-32b", NOW, patched);
  assert.equal(r.retired, true);
});

Deno.test("pricePeriodAt picks the period in force, or throws unpriced_period", () => {
  const sol = getModel("openai", "gpt-6-sol");
  assert.equal(pricePeriodAt(sol, NOW).effectiveFrom, "2026-09-22");
  assert.equal(pricePeriodAt(sol).effectiveFrom, "2026-09-22");
  assert.throws(
    () => pricePeriodAt(sol, new Date("2026-09-01T00:00:00Z")),
    (e: unknown) => e instanceof UnpricedPeriodError && e.code === "unpriced_period",
  );
  const twoPeriods = overrideModel(CATALOG, "openai", "gpt-6-sol", {
    prices: [...sol.prices, { effectiveFrom: "2027-01-01", inputPerMTok: "1", outputPerMTok: "5" }],
  });
  const patchedSol = getModel("openai", "gpt-6-sol", twoPeriods);
  assert.equal(pricePeriodAt(patchedSol, NOW).effectiveFrom, "2026-09-22");
  assert.equal(
    pricePeriodAt(patchedSol, new Date("2027-01-01T00:00:00Z")).effectiveFrom,
    "2027-01-01",
  );
  assert.throws(() => pricePeriodAt(sol, new Date("not a date")), RangeError);
});

Deno.test("modelsWithCapability lists what a router may pick, without retired models", () => {
  assert.deepEqual(
    modelsWithCapability("vision", { provider: "groq", at: NOW }).map((m) => m.id),
    ["qwen/qwen3.6-27b", "qwen/qwen3.8-27b"],
  );
  assert.deepEqual(
    modelsWithCapability("speech_to_text", { provider: "groq", at: NOW }).map((m) => m.id),
    ["whisper-large-v3", "whisper-large-v3-turbo"],
  );
  assert.ok(
    modelsWithCapability("vision", { provider: "groq" }).some((m) =>
      m.id === "meta-llama/llama-4-scout-17b-16e-instruct"
    ),
  );
  assert.ok(modelsWithCapability("reasoning").every((m) => m.capabilities.includes("reasoning")));
});

Deno.test("overrideModel returns a patched copy and leaves CATALOG alone", () => {
  const patched = overrideModel(CATALOG, "groq", "whisper-large-v3", {
    billing: {
      minBilledAudioSeconds: "10",
      audioIncrementSeconds: "1",
      rounding: "up",
      source: "a test",
    },
  });
  assert.equal(
    getModel("groq", "whisper-large-v3", patched).billing?.audioIncrementSeconds,
    "1",
  );
  assert.equal(getModel("groq", "whisper-large-v3").billing?.audioIncrementSeconds, "0.001");
  assert.throws(() => overrideModel(CATALOG, "groq", "nope", {}), UnknownModelError);
});
