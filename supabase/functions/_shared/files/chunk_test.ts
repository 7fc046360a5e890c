import assert from "node:assert/strict";
import { getModel } from "../ai/catalog.ts";
import { estimateTokens } from "../curator/history.ts";
import {
  batchImages,
  imagesPerRequestFor,
  partTokenBudget,
  PROMPT_OVERHEAD_TOKENS,
  splitTextForContext,
  type TextSection,
} from "./chunk.ts";

const instruction = "Кратко перескажи содержание документа на русском языке.";

/** A page of `paragraphs` Russian paragraphs, each ~330 characters. */
function page(n: number, paragraphs: number): TextSection {
  const paragraph = (i: number) =>
    `Страница ${n}, абзац ${i}. ` +
    "Квадратное уравнение решается через дискриминант. ".repeat(6).trim();
  return {
    page: n,
    text: Array.from({ length: paragraphs }, (_, i) => paragraph(i)).join(
      "\n\n",
    ),
  };
}

Deno.test("chunk: a document that fits is one part with all its pages", () => {
  const pages = [page(1, 3), page(2, 3)];
  const parts = splitTextForContext(pages, {
    contextWindow: 131_072,
    instruction,
    answerTokens: 4096,
  });
  assert.equal(parts.length, 1);
  assert.deepEqual(parts[0].pages, [1, 2]);
  assert.equal(parts[0].text, `${pages[0].text}\n\n${pages[1].text}`);
});

Deno.test("chunk: a document past the context window is split at page boundaries, in order", () => {
  const model = getModel("groq", "openai/gpt-oss-120b");
  const pages = Array.from({ length: 80 }, (_, i) => page(i + 1, 20)); // ~480K chars ≈ 190K tokens
  const budget = {
    contextWindow: model.contextWindow!,
    instruction,
    answerTokens: 8192,
  };
  const parts = splitTextForContext(pages, budget);
  const limit = partTokenBudget(budget);
  assert.ok(parts.length >= 2, `${parts.length} parts`);
  for (const part of parts) {
    assert.ok(part.estimatedTokens <= limit);
    assert.ok(
      estimateTokens(instruction) + part.estimatedTokens + 8192 +
          PROMPT_OVERHEAD_TOKENS <=
        model.contextWindow!,
    );
  }
  // Every page appears once, in order, and no page is split when whole pages fit.
  assert.deepEqual(parts.flatMap((p) => p.pages), pages.map((p) => p.page));
  assert.equal(
    parts.map((p) => p.text).join("\n\n"),
    pages.map((p) => p.text).join("\n\n"),
  );
});

Deno.test("chunk: a single page larger than a part is split at paragraph breaks", () => {
  const big = page(7, 40);
  const parts = splitTextForContext([big], {
    contextWindow: 3000,
    instruction,
    answerTokens: 500,
  });
  assert.ok(parts.length >= 3);
  for (const part of parts) {
    assert.deepEqual(part.pages, [7]);
    assert.ok(
      part.text.startsWith("Страница 7, абзац"),
      "parts start at a paragraph",
    );
  }
  assert.equal(parts.map((p) => p.text).join("\n\n"), big.text);
});

Deno.test("chunk: text with no breaks at all is still cut to fit", () => {
  const text = "а".repeat(20_000);
  const budget = {
    contextWindow: 2000,
    instruction: "",
    answerTokens: 200,
    maxPartTokens: 1000,
  };
  const parts = splitTextForContext([{ text }], budget);
  assert.ok(
    parts.every((p) => p.estimatedTokens <= 1000 && p.pages.length === 0),
  );
  assert.equal(parts.map((p) => p.text).join(""), text);
});

Deno.test("chunk: one long paragraph of words is cut at spaces, each part as full as fits", () => {
  // The shape of a DOCX made of one paragraph of runs, or a text file with no line break: the
  // split is one backward scan per part (the earlier split-and-rejoin cost ~1.2 µs a word).
  const text = "a ".repeat(300_000).trim();
  const budget = { contextWindow: 20_000, instruction: "", answerTokens: 1_000 };
  const parts = splitTextForContext([{ text }], budget);
  const limit = partTokenBudget(budget);
  assert.ok(parts.every((p) => p.estimatedTokens <= limit && !p.text.endsWith(" ")));
  assert.ok(
    parts.slice(0, -1).every((p) => p.estimatedTokens >= limit - 2),
    "no part is cut short: as few parts as the text needs",
  );
  assert.equal(parts.map((p) => p.text).join(" "), text);
});

Deno.test("chunk: inside a part's window a sentence end is preferred to a space", () => {
  const sentence = "Ученик решает задачи по теме урока. ";
  const text = sentence.repeat(2_000).trim();
  const parts = splitTextForContext([{ text }], {
    contextWindow: 2_000,
    instruction: "",
    answerTokens: 200,
  });
  assert.ok(parts.length >= 2);
  assert.ok(parts.every((p) => p.text.endsWith(".")), "every part ends a sentence");
  assert.equal(parts.map((p) => p.text).join(" "), text);
});

Deno.test("chunk: maxPartTokens caps parts below the window; blank pages are skipped", () => {
  const parts = splitTextForContext([
    page(1, 10),
    { page: 2, text: "  \n" },
    page(3, 10),
  ], {
    contextWindow: 131_072,
    instruction,
    answerTokens: 4096,
    maxPartTokens: 1500,
  });
  assert.ok(parts.length >= 2);
  assert.ok(
    parts.every((p) => p.estimatedTokens <= 1500 && !p.pages.includes(2)),
  );
});

Deno.test("chunk: a budget with no room for text is a programming error", () => {
  assert.throws(
    () => partTokenBudget({ contextWindow: 1000, instruction, answerTokens: 900 }),
    RangeError,
  );
});

Deno.test("chunk: page images go in batches of the model's images per request", () => {
  const qwen = getModel("groq", "qwen/qwen3.8-27b");
  const perRequest = imagesPerRequestFor(qwen);
  assert.equal(perRequest, 3);
  assert.deepEqual(batchImages([1, 2, 3, 4, 5, 6, 7], perRequest), [[1, 2, 3], [
    4,
    5,
    6,
  ], [7]]);
  assert.deepEqual(batchImages([], perRequest), []);
  assert.equal(imagesPerRequestFor({}), 1, "unknown → one image a call");
  assert.throws(() => batchImages([1], 0), RangeError);
});

Deno.test("chunk: batches are also bounded by their total bytes", () => {
  const sizeOf = (n: number) => n;
  assert.deepEqual(batchImages([3, 3, 1, 1, 2], 3, { sizeOf, maxBytes: 4 }), [
    [3],
    [3, 1],
    [1, 2],
  ]);
  assert.deepEqual(
    batchImages([9, 1], 3, { sizeOf, maxBytes: 4 }),
    [[9], [1]],
    "alone if too big",
  );
});
