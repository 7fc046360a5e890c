import assert from "node:assert/strict";
import { planFileAnalysis } from "./analysis.ts";
import { DEFAULT_DOCUMENT_BUDGET, documentBudget, MAX_TEXT_CHARS } from "./budget.ts";

Deno.test("budget: no text the analysis would accept is refused by the text cap", () => {
  // The default document model (openai/gpt-oss-120b, 131,072 tokens): text of MAX_TEXT_CHARS
  // already needs more than MAX_TEXT_PARTS calls, so the cap only refuses what the plan would.
  const planned = planFileAnalysis(
    {
      instruction: "Summarise.",
      text: [{ text: "слово ".repeat(MAX_TEXT_CHARS / 6) }],
      images: [],
    },
    {
      document: [{ provider: "groq", model: "openai/gpt-oss-120b" }],
      vision: [],
    },
    new Date("2026-12-01T00:00:00Z"),
  );
  assert.equal(planned.ok ? "accepted" : planned.code, "too_long");
  assert.ok(DEFAULT_DOCUMENT_BUDGET.maxPdfTextChars <= MAX_TEXT_CHARS);
});

Deno.test("budget: overrides replace only the fields given", () => {
  const budget = documentBudget({ maxPdfPages: 3 });
  assert.equal(budget.maxPdfPages, 3);
  assert.equal(budget.maxTextChars, MAX_TEXT_CHARS);
});
