import assert from "node:assert/strict";
import { planCurator } from "./curator.ts";

const rt = { env: {}, now: () => new Date("2026-11-25T12:00:00Z"), log: () => {} };
const history = Array.from({ length: 40 }, (_, i) => ({
  role: i % 2 === 0 ? "user" as const : "assistant" as const,
  content: "я".repeat(8000),
}));

Deno.test("each candidate gets as much history as its own context window holds", () => {
  const plan = planCurator(rt, { platform: "main", message: "Итак?", history });
  const groq = plan.messagesFor({ provider: "groq", model: "openai/gpt-oss-120b" });
  const openai = plan.messagesFor({ provider: "openai", model: "gpt-4.1-mini" });
  const unknown = plan.messagesFor({ provider: "openai", model: "a-model-not-in-the-catalog" });
  // gpt-oss-120b: 40 turns of 8,000 / 2.5 + 4 = 3,204 estimated tokens are 128,160, within
  // 131,072 − 2,048 for the answer − ~190 for the system prompt and message: all 40 are kept,
  // + system + message = 42.
  assert.equal(groq.length, 42);
  // gpt-4.1-mini: 1,047,576 tokens (facts addendum 2026-12-01): everything fits too.
  assert.equal(openai.length, 42);
  // A model the catalog states no window for: a safe 8K holds 1 turn (+ system + message).
  assert.equal(unknown.length, 3);
  assert.equal(groq[groq.length - 1].content, "Итак?", "the message comes last");
  assert.equal(groq[0].role, "system");
});

Deno.test("the budget reserves for the largest prompt among the candidates", () => {
  const plan = planCurator(rt, { platform: "main", message: "Итак?", history });
  assert.ok(plan.inputTokens >= 40 * 3204, `reserved for ${plan.inputTokens} input tokens`);
});
