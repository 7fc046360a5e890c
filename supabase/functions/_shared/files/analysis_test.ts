import assert from "node:assert/strict";
import { compareDecimal } from "../ai/decimal.ts";
import { costCeiling } from "../request.ts";
import {
  documentContextWindow,
  FALLBACK_CONTEXT_WINDOW,
  type ImageSource,
  MAX_TEXT_PARTS,
  planFileAnalysis,
  preparedSizeBound,
  VISION_REQUEST_TEXT_BYTES,
  visionLimits,
} from "./analysis.ts";
import { FILE_ANSWER_TOKENS } from "./prompts.ts";
import { pageRanges, partLabel } from "./prompts.ts";

const AT = new Date("2026-11-25T12:00:00Z");
const DOCUMENT = [
  { provider: "groq" as const, model: "openai/gpt-oss-120b" },
  { provider: "openai" as const, model: "gpt-4.1-mini" },
];
const VISION = [
  { provider: "groq" as const, model: "qwen/qwen3.8-27b" },
  { provider: "openai" as const, model: "gpt-4.1-mini" },
];
const image = (page: number): ImageSource => ({
  bytes: new Uint8Array(1),
  page,
  field: `p${page}`,
});

Deno.test("analysis: the context is the smallest one a candidate states; none stated → 8K", () => {
  assert.equal(
    documentContextWindow(DOCUMENT),
    131_072,
    "gpt-oss-120b's, under gpt-4.1-mini's 1M",
  );
  assert.equal(
    documentContextWindow([{
      provider: "openai",
      model: "a-model-not-in-the-catalog",
    }]),
    FALLBACK_CONTEXT_WINDOW,
  );
});

Deno.test("analysis: images per call and image limits follow the catalog (qwen3.8: 3, 4 MB, 33 MP)", () => {
  // Groq's 4 MB is for the whole request: one image keeps 64 KiB free for the prompt.
  assert.deepEqual(visionLimits(VISION), {
    perRequest: 3,
    maxImageBytesPerRequest: 4_000_000 - VISION_REQUEST_TEXT_BYTES,
    limits: {
      maxBytes: 4_000_000 - VISION_REQUEST_TEXT_BYTES,
      maxPixels: 33_177_600,
    },
  });
  // qwen3.6 states no image count: one a call, never rejected.
  assert.equal(
    visionLimits([{ provider: "groq", model: "qwen/qwen3.6-27b" }]).perRequest,
    1,
  );
  // Only OpenAI: no limits stated, so the strictest in the catalog.
  assert.deepEqual(
    visionLimits([{ provider: "openai", model: "gpt-4.1-mini" }]).limits,
    {
      maxBytes: 4_000_000,
      maxPixels: 33_177_600,
    },
  );
});

Deno.test("analysis: 7 page images on qwen3.8 → batches of 3, 3, 1 in page order", () => {
  const r = planFileAnalysis(
    {
      instruction: "Перескажи.",
      text: [],
      images: [1, 2, 3, 4, 5, 6, 7].map(image),
    },
    { document: DOCUMENT, vision: VISION },
    AT,
  );
  assert.ok(r.ok);
  assert.deepEqual(r.plan.units.map((u) => [u.type, u.pages]), [
    ["vision", [1, 2, 3]],
    ["vision", [4, 5, 6]],
    ["vision", [7]],
  ]);
});

Deno.test("analysis: text and scans interleave by page; the ceiling is the sum over every call", () => {
  const r = planFileAnalysis(
    {
      instruction: "Перескажи.",
      text: [{ page: 1, text: "Первая страница. ".repeat(20) }, {
        page: 3,
        text: "Третья. ".repeat(20),
      }],
      images: [image(2)],
    },
    { document: DOCUMENT, vision: VISION },
    AT,
  );
  assert.ok(r.ok);
  assert.deepEqual(r.plan.units.map((u) => [u.type, u.pages]), [["text", [
    1,
    3,
  ]], ["vision", [2]]]);
  const one = (c: typeof DOCUMENT, inputTokens: number) =>
    costCeiling(c, { inputTokens, outputTokens: FILE_ANSWER_TOKENS }, AT);
  // More than the two content calls alone: the combining call is reserved too.
  const contentOnly = Number(one(DOCUMENT, r.plan.units[0].inputTokens)) +
    Number(one(VISION, r.plan.units[1].inputTokens));
  assert.ok(Number(r.plan.ceilingUsd) > contentOnly);
  assert.ok(
    compareDecimal(r.plan.ceilingUsd, "0.1") < 0,
    `a 3-page PDF reserves ${r.plan.ceilingUsd}`,
  );
});

Deno.test("analysis: text past the window is split; past MAX_TEXT_PARTS windows it is refused", () => {
  const para = "Ученик читает учебник и решает задачи по теме урока. ";
  const long = Array.from({ length: 12_000 }, (_, i) => `${i}. ${para}`).join(
    "\n\n",
  ); // ~700K chars
  const r = planFileAnalysis({
    instruction: "Перескажи.",
    text: [{ text: long }],
    images: [],
  }, {
    document: DOCUMENT,
    vision: [],
  }, AT);
  assert.ok(r.ok);
  assert.ok(
    r.plan.units.length >= 2 && r.plan.units.every((u) => u.type === "text"),
  );
  assert.equal(
    r.plan.units.map((u) => (u as { text: string }).text).join("\n\n"),
    long.trim(),
  );

  const small = [{
    provider: "openai" as const,
    model: "a-model-not-in-the-catalog",
  }]; // 8K assumed
  const tooLong = planFileAnalysis({
    instruction: "x",
    text: [{ text: long }],
    images: [],
  }, {
    document: small,
    vision: [],
  }, AT);
  assert.equal(tooLong.ok, false);
  assert.ok(!tooLong.ok && tooLong.parts > MAX_TEXT_PARTS);
});

Deno.test("prompts: page lists are written as ranges", () => {
  assert.equal(pageRanges([1, 2, 3, 5, 7, 8]), "1–3, 5, 7–8");
  assert.equal(
    partLabel(0, 3, [4], "images"),
    "Фрагмент 1 из 3, страница 4 (изображения страниц)",
  );
});

Deno.test("analysis: an image reserves tokens for its own size, capped at the model's most", async () => {
  const { imageTokenEstimate, IMAGE_TOKEN_BOUND } = await import(
    "./analysis.ts"
  );
  const { noisePng } = await import("./test_fixtures.ts");
  // 1000 × 1000 = 1,000,000 px / 784 px per 28×28 patch = 1275.5… → 1276, + 2 = 1278
  assert.equal(imageTokenEstimate(noisePng(1000, 1000)), 1278);
  // 6000 × 4000 = 24 MP is sent at most at the 12 MP resize target: 12,000,000 / 784 = 15306.1…
  // → 15307, + 2 = 15309
  assert.equal(imageTokenEstimate(noisePng(6000, 4000)), 15309);
  assert.equal(
    imageTokenEstimate(new Uint8Array([1, 2, 3])),
    IMAGE_TOKEN_BOUND,
    "unreadable: the cap",
  );
});

Deno.test("analysis: a tripwire student's default daily budget (0.05 USD) covers a 3-page scan", async () => {
  const { fixture } = await import("./test_fixtures.ts");
  const pages = await Promise.all(
    ["scanned-page-1.png", "scanned-page-2.png", "scanned-page-1.png"]
      .map((name) => fixture(name)),
  );
  const r = planFileAnalysis(
    {
      instruction: "Проверь решение.",
      text: [],
      images: pages.map((bytes, i) => ({
        bytes,
        page: i + 1,
        field: `page_images[${i}]`,
      })),
    },
    { document: DOCUMENT, vision: VISION },
    AT,
  );
  assert.ok(r.ok);
  assert.equal(
    r.plan.units.length,
    1,
    "one vision call for three pages on qwen3.8",
  );
  assert.equal(
    compareDecimal(r.plan.ceilingUsd, "0.05"),
    -1,
    `ceiling ${r.plan.ceilingUsd}`,
  );
});

Deno.test("analysis: two 2.8 MB scans go to Groq one per call, each call under 4 MB", () => {
  // 2.8 MB each: 3.73 MB as a data URL, two would be 7.5 MB in one request.
  const scan = (page: number) => ({
    ...image(page),
    bytes: new Uint8Array(2_800_000),
  });
  const r = planFileAnalysis(
    { instruction: "Перескажи.", text: [], images: [scan(1), scan(2)] },
    { document: DOCUMENT, vision: VISION },
    AT,
  );
  assert.ok(r.ok);
  assert.deepEqual(r.plan.units.map((u) => u.pages), [[1], [2]]);
  const { maxImageBytesPerRequest, limits } = visionLimits(VISION);
  for (const unit of r.plan.units) {
    assert.ok(unit.type === "vision");
    const total = unit.images.reduce(
      (n, i) => n + preparedSizeBound(i.bytes, limits),
      0,
    );
    assert.ok(
      total + VISION_REQUEST_TEXT_BYTES <= 4_000_000 &&
        total <= maxImageBytesPerRequest,
    );
  }
});

Deno.test("analysis: a scan with no text is combined by the vision models when no document model is set", () => {
  const big = (page: number) => ({
    ...image(page),
    bytes: new Uint8Array(2_800_000),
  });
  const r = planFileAnalysis(
    { instruction: "Перескажи.", text: [], images: [big(1), big(2)] },
    { document: [], vision: VISION },
    AT,
  );
  assert.ok(r.ok);
  assert.equal(r.plan.units.length, 2);
  assert.deepEqual(r.plan.combine, VISION);
});
