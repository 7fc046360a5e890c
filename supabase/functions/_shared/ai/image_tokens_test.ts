import assert from "node:assert/strict";
import { CATALOG } from "./catalog.ts";
import {
  countImageTokens,
  FALLBACK_RULE,
  fitImageToTokens,
  hasImageTokenRule,
  IMAGE_TOKEN_RULES,
  imageTokenRule,
  imageTokensFor,
  QWEN3_VL_RULE,
} from "./image_tokens.ts";

const PHONE_12MP = { width: 4000, height: 3000 };

Deno.test("every vision model the catalog still serves has a token rule of its own, with a source and a date", () => {
  const now = new Date("2026-12-06");
  for (const entry of CATALOG) {
    if (!entry.capabilities.includes("vision")) continue;
    if (entry.shutdownOn !== undefined && entry.shutdownOn <= "2026-12-06") continue;
    assert.ok(
      hasImageTokenRule(entry.provider, entry.id),
      `${entry.provider}:${entry.id} has no image token rule (checked ${now.toISOString()})`,
    );
  }
  for (const [key, rule] of Object.entries(IMAGE_TOKEN_RULES)) {
    assert.ok(rule.source.length > 0, `${key} has a source`);
    assert.match(rule.checkedOn, /^\d{4}-\d{2}-\d{2}$/, `${key} has a date`);
  }
});

Deno.test("gpt-6-luna's rule is marked as an estimate (no published figure)", () => {
  assert.ok(imageTokenRule("openai", "gpt-6-luna").estimate);
  assert.ok(imageTokensFor("openai", "gpt-6-luna", PHONE_12MP).estimate);
  assert.equal(imageTokensFor("openai", "gpt-4o", PHONE_12MP).estimate, false);
});

Deno.test("Qwen3-VL: a 12 MP photo is 125 × 94 squares of 32 px = 11,750 tokens (facts: ≈ 11,700)", () => {
  assert.deepEqual(countImageTokens(QWEN3_VL_RULE, PHONE_12MP), {
    tokens: 11_750,
    width: 4000,
    height: 3008,
  });
});

Deno.test("Qwen3-VL: a 4 MP photo ≈ 3,900 tokens and a 1 MP one ≈ 1,000", () => {
  assert.equal(countImageTokens(QWEN3_VL_RULE, { width: 2309, height: 1732 }).tokens, 72 * 54);
  assert.equal(countImageTokens(QWEN3_VL_RULE, { width: 1024, height: 1024 }).tokens, 1024);
});

Deno.test("Qwen3-VL: a tiny image is raised to the 65,536-pixel minimum (64 tokens)", () => {
  assert.deepEqual(countImageTokens(QWEN3_VL_RULE, { width: 100, height: 100 }), {
    tokens: 64,
    width: 256,
    height: 256,
  });
});

Deno.test("Qwen3-VL: a huge image is scaled under the 16,777,216-pixel maximum (≤ 16,384 tokens)", () => {
  const big = countImageTokens(QWEN3_VL_RULE, { width: 8000, height: 6000 });
  assert.ok(big.tokens <= 16_384);
  assert.ok(big.width * big.height <= 16_777_216);
  assert.equal(big.width % 32, 0);
  assert.equal(big.height % 32, 0);
});

Deno.test("GPT-4o high detail: a 12 MP photo is 4 tiles = 765 tokens; low detail is 85", () => {
  assert.equal(imageTokensFor("openai", "gpt-4o", PHONE_12MP, "high").tokens, 765);
  assert.equal(imageTokensFor("openai", "gpt-4o", PHONE_12MP, "low").tokens, 85);
  // The guide's example: 2048 × 4096 → 768 × 1536 → 6 tiles.
  assert.equal(imageTokensFor("openai", "gpt-4o", { width: 2048, height: 4096 }).tokens, 1105);
});

Deno.test("gpt-4.1-mini patches: the guide's 1800 × 2400 example is 1,452 patches × 1.62", () => {
  assert.equal(
    imageTokensFor("openai", "gpt-4.1-mini", { width: 1800, height: 2400 }).tokens,
    Math.ceil(1452 * 1.62),
  );
  assert.equal(
    imageTokensFor("openai", "gpt-4.1-mini", { width: 1024, height: 1024 }).tokens,
    Math.ceil(1024 * 1.62),
  );
  // detail does not change a patch model's count.
  assert.equal(
    imageTokensFor("openai", "gpt-4.1-mini", PHONE_12MP, "low").tokens,
    imageTokensFor("openai", "gpt-4.1-mini", PHONE_12MP, "high").tokens,
  );
});

Deno.test("an unknown or retired model is counted by the fallback rule, marked estimate", () => {
  const rule = imageTokenRule("groq", "meta-llama/llama-4-scout-17b-16e-instruct");
  assert.equal(rule, FALLBACK_RULE);
  assert.ok(rule.estimate);
  assert.equal(countImageTokens(rule, PHONE_12MP).tokens, 11_750);
});

Deno.test("a size that is not whole positive pixels is refused", () => {
  assert.throws(() => countImageTokens(QWEN3_VL_RULE, { width: 0, height: 10 }), RangeError);
  assert.throws(() => countImageTokens(QWEN3_VL_RULE, { width: 1.5, height: 10 }), RangeError);
});

Deno.test("fitImageToTokens: the largest same-shape size under a ceiling, for every rule", () => {
  for (const [key, rule] of Object.entries(IMAGE_TOKEN_RULES)) {
    for (const ceiling of [300, 1_200, 3_000]) {
      const fit = fitImageToTokens(rule, PHONE_12MP, ceiling);
      assert.ok(fit.width <= 4000 && fit.height <= 3000, key);
      assert.equal(fit.tokens, countImageTokens(rule, fit).tokens, key);
      const fullTokens = countImageTokens(rule, PHONE_12MP).tokens;
      const floor = countImageTokens(rule, { width: 4, height: 3 }).tokens;
      if (floor <= ceiling) assert.ok(fit.tokens <= Math.max(ceiling, 0), `${key} ≤ ${ceiling}`);
      if (fullTokens <= ceiling) assert.deepEqual(fit, { ...PHONE_12MP, tokens: fullTokens });
    }
  }
  const qwen = fitImageToTokens(QWEN3_VL_RULE, PHONE_12MP, 1_200);
  assert.equal(qwen.tokens, 1_200);
  // One pixel more on the long side would cross the ceiling.
  const next = Math.round((qwen.width + 1) * 0.75);
  assert.ok(
    countImageTokens(QWEN3_VL_RULE, { width: qwen.width + 1, height: next }).tokens > 1_200,
  );
});
