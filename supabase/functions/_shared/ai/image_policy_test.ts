import assert from "node:assert/strict";
import {
  DEFAULT_IMAGE_POLICY,
  ImagePolicyConfigError,
  imagePolicyFromEnv,
  imageTarget,
  UNBOUNDED_IMAGE_POLICY,
} from "./image_policy.ts";
import { calculateCost } from "./cost.ts";

const PHONE_12MP = { width: 4000, height: 3000 };
const AT = new Date("2026-12-06T12:00:00Z");
/** The vision prompt around a photo (system prompt + instruction) and a typical answer. */
const TEXT_TOKENS = 300;
const ANSWER_TOKENS = 400;

function photoCost(provider: "groq" | "openai", model: string, imageTokens: number): number {
  const cost = calculateCost(provider, model, {
    prompt_tokens: TEXT_TOKENS + imageTokens,
    completion_tokens: ANSWER_TOKENS,
  }, AT);
  // A ratio of two 10-dp amounts: float is fine for a test's comparison, never for billing.
  return Number(cost.cost_usd);
}

Deno.test("a 12 MP homework photo under the default policy costs ≤ 40 % of today's on the same model", () => {
  for (
    const [provider, model] of [
      ["groq", "qwen/qwen3.8-27b"],
      ["groq", "qwen/qwen3.6-27b"],
    ] as const
  ) {
    const today = imageTarget(provider, model, PHONE_12MP, "photo", UNBOUNDED_IMAGE_POLICY);
    const bounded = imageTarget(provider, model, PHONE_12MP, "photo");
    assert.equal(today.tokens, 11_750);
    assert.ok(bounded.tokens <= DEFAULT_IMAGE_POLICY.photo.maxTokens);
    const ratio = photoCost(provider, model, bounded.tokens) /
      photoCost(provider, model, today.tokens);
    assert.ok(ratio <= 0.4, `${model}: ${ratio}`);
  }
});

Deno.test("a scan gets a larger ceiling than a photo", () => {
  const photo = imageTarget("groq", "qwen/qwen3.8-27b", PHONE_12MP, "photo");
  const scan = imageTarget("groq", "qwen/qwen3.8-27b", PHONE_12MP, "scan");
  assert.ok(scan.tokens > photo.tokens && scan.tokens <= 4_096);
  assert.ok(scan.width > photo.width);
});

Deno.test("an image already under the ceiling is left as it is", () => {
  const small = imageTarget("groq", "qwen/qwen3.8-27b", { width: 1000, height: 750 }, "photo");
  assert.equal(small.downscale, false);
  assert.deepEqual([small.width, small.height], [1000, 750]);
});

Deno.test("the policy comes from the environment; a typo throws", () => {
  const policy = imagePolicyFromEnv({
    AI_IMAGE_MAX_TOKENS_PHOTO: "1200",
    AI_IMAGE_DETAIL_SCAN: "low",
  });
  assert.equal(policy.photo.maxTokens, 1200);
  assert.equal(policy.scan.detail, "low");
  assert.equal(policy.scan.maxTokens, DEFAULT_IMAGE_POLICY.scan.maxTokens);
  assert.equal(
    imagePolicyFromEnv({ AI_IMAGE_MAX_TOKENS_SCAN: "none" }).scan.maxTokens,
    Number.MAX_SAFE_INTEGER,
  );
  for (
    const env of [
      { AI_IMAGE_MAX_TOKENS_PHOTO: "12k" },
      { AI_IMAGE_MAX_TOKENS_PHOTO: "10" },
      { AI_IMAGE_DETAIL_PHOTO: "medium" },
    ]
  ) {
    assert.throws(() => imagePolicyFromEnv(env), ImagePolicyConfigError);
  }
});

Deno.test("OpenAI tile models: detail low is the policy's cheapest setting (85 tokens)", () => {
  const low = imagePolicyFromEnv({ AI_IMAGE_DETAIL_PHOTO: "low" });
  assert.equal(imageTarget("openai", "gpt-4o", PHONE_12MP, "photo", low).tokens, 85);
  assert.equal(imageTarget("openai", "gpt-4o", PHONE_12MP, "photo").tokens, 765);
});
