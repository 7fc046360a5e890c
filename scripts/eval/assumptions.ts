/**
 * THE assumption set: the school's month of traffic and the size of one operation of each kind,
 * including reasoning tokens and image tokens per model. Everything that prices an operation — the
 * README's month (`npm run docs:savings`), RESEARCH.md's Q6 and Q11, the decision table and the
 * cost estimate of a paid run — reads it from here, so they cannot disagree.
 *
 * @module
 */

import { findModel } from "../../supabase/functions/_shared/ai/catalog.ts";
import type { Task } from "../../supabase/functions/_shared/ai/config.ts";
import { calculateCost, type OperationType } from "../../supabase/functions/_shared/ai/cost.ts";
import {
  type ImageSize,
  imageTokensFor,
} from "../../supabase/functions/_shared/ai/image_tokens.ts";
import { RESIZE_TARGET_PIXELS } from "../../supabase/functions/_shared/files/image.ts";

/** The five kinds of work the school decides a model for. */
export const DECISION_TASKS = ["chat", "photo", "scan", "document", "voice"] as const;
export type DecisionTask = typeof DECISION_TASKS[number];

/**
 * Output tokens a reasoning model spends on reasoning per answer, billed as output: gpt-oss at the
 * functions' low effort and gpt-6-luna. One figure for every table (the paid run measures it as
 * `reasoning_tokens_per_answer` and replaces it).
 */
export const REASONING_TOKENS = 300;

/** A homework photo as the functions send it: re-encoded at ≤ 4 MP (image.ts), 4:3. */
export const PHOTO: ImageSize = {
  width: Math.round(Math.sqrt(RESIZE_TARGET_PIXELS * 4 / 3)),
  height: Math.round(Math.sqrt(RESIZE_TARGET_PIXELS * 3 / 4)),
};
/** A scanned page as the browser renders it for `page_images`: A4 at 150 dpi. */
export const SCAN_PAGE: ImageSize = { width: 1240, height: 1754 };

export interface Workload {
  readonly task: DecisionTask;
  /** The functions' routing task whose candidates answer it. */
  readonly routeTask: Task;
  /** How the ledger types it (for the old stack's baseline). */
  readonly operationType: OperationType;
  readonly en: string;
  readonly ru: string;
  readonly perMonth: number;
  /** Text input tokens (system prompt, history, question, document) without images. */
  readonly textInputTokens: number;
  /** Visible output tokens (reasoning comes on top for reasoning models). */
  readonly outputTokens: number;
  readonly images?: { readonly size: ImageSize; readonly count: number };
  readonly audioSeconds?: number;
}

/**
 * The school's month (issue 14's audit: 200k chats, 30k voice messages × 30 s, 10k images, 5k PDFs,
 * of which we assume 1k are scans of 3 pages that go to a vision model and 4k have a text layer).
 */
export const SCHOOL_MONTH: readonly Workload[] = [
  {
    task: "chat",
    routeTask: "chat",
    operationType: "chat",
    en: "curator chat",
    ru: "чат с куратором",
    perMonth: 200_000,
    textInputTokens: 1500,
    outputTokens: 300,
  },
  {
    task: "photo",
    routeTask: "vision",
    operationType: "vision",
    en: "homework photo / OCR",
    ru: "фото домашки / распознавание",
    perMonth: 10_000,
    textInputTokens: 200,
    outputTokens: 300,
    images: { size: PHOTO, count: 1 },
  },
  {
    task: "scan",
    routeTask: "vision",
    operationType: "document",
    en: "scanned PDF (3 pages)",
    ru: "скан PDF (3 страницы)",
    perMonth: 1_000,
    textInputTokens: 300,
    outputTokens: 500,
    images: { size: SCAN_PAGE, count: 3 },
  },
  {
    task: "document",
    routeTask: "document",
    operationType: "document",
    en: "text document (PDF with text)",
    ru: "текстовый документ (PDF с текстом)",
    perMonth: 4_000,
    textInputTokens: 8000,
    outputTokens: 500,
  },
  {
    task: "voice",
    routeTask: "speech",
    operationType: "whisper",
    en: "voice message (30 s)",
    ru: "голосовое (30 с)",
    perMonth: 30_000,
    textInputTokens: 0,
    outputTokens: 0,
    audioSeconds: 30,
  },
];

export function workload(task: DecisionTask): Workload {
  return SCHOOL_MONTH.find((w) => w.task === task)!;
}

/** Image tokens of one image of `size` on a model, and whether that count is an estimate. */
export function imageTokensOf(
  provider: string,
  model: string,
  size: ImageSize,
): { tokens: number; estimate: boolean } {
  const t = imageTokensFor(provider, model, size, "high");
  return { tokens: t.tokens, estimate: t.estimate };
}

/** Whether the catalog says the model reasons (then {@link REASONING_TOKENS} are added). */
export function reasons(provider: string, model: string): boolean {
  const capabilities: readonly string[] =
    findModel(provider as "groq" | "openai", model)?.capabilities ?? [];
  return capabilities.includes("reasoning");
}

/** The usage one operation of `w` bills on `provider:model` (images and reasoning included). */
/** Usage of one operation: tokens, or seconds of audio. */
export type OperationUsage =
  | { prompt_tokens: number; completion_tokens: number }
  | { audio_seconds: number };

export function operationUsage(w: Workload, provider: string, model: string): OperationUsage {
  if (w.audioSeconds !== undefined) return { audio_seconds: w.audioSeconds };
  const images = w.images
    ? imageTokensOf(provider, model, w.images.size).tokens * w.images.count
    : 0;
  return {
    prompt_tokens: w.textInputTokens + images,
    completion_tokens: w.outputTokens + (reasons(provider, model) ? REASONING_TOKENS : 0),
  };
}

/** USD of one operation of `w` on `provider:model` at `at` (catalog prices). */
export function operationCostUsd(w: Workload, provider: string, model: string, at: Date): number {
  return Number(
    calculateCost(provider as "groq" | "openai", model, operationUsage(w, provider, model), at)
      .cost_usd,
  );
}

/** The old stack per task (the seed of `ai_old_stack_baselines`): GPT-4o, Groq Whisper for voice. */
export function oldStackModel(w: Workload): { provider: "groq" | "openai"; model: string } {
  return w.task === "voice"
    ? { provider: "groq", model: "whisper-large-v3" }
    : { provider: "openai", model: "gpt-4o" };
}

/** One line stating the assumptions, for every table that uses them. */
export function assumptionsLine(lang: "en" | "ru"): string {
  const n = (v: number) => formatNumber(v, lang);
  return lang === "en"
    ? `Assumptions (one set, \`scripts/eval/assumptions.ts\`): chat ${n(1500)} tokens in / ${
      n(300)
    } out; a photo ${PHOTO.width}×${PHOTO.height} px (the functions' 4 MP re-encode) with ${
      n(200)
    } tokens of prompt and ${
      n(300)
    } out; a scan of 3 A4 pages at 150 dpi (${SCAN_PAGE.width}×${SCAN_PAGE.height}) with ${
      n(300)
    } in / ${n(500)} out; a text document ${n(8000)} in / ${
      n(500)
    } out; a voice message 30 s; every reasoning model (gpt-oss, gpt-6-luna) adds ${REASONING_TOKENS} reasoning tokens per answer, billed as output; image tokens per model from \`_shared/ai/image_tokens.ts\`. Month: ${
      SCHOOL_MONTH.map((w) => `${n(w.perMonth)} ${w.en}`).join(", ")
    }.`
    : `Допущения (один набор, \`scripts/eval/assumptions.ts\`): чат — ${
      n(1500)
    } токенов на входе / ${
      n(300)
    } на выходе; фото ${PHOTO.width}×${PHOTO.height} пикс. (перекодирование функций до 4 Мп), ${
      n(200)
    } токенов текста запроса и ${
      n(300)
    } на выходе; скан из 3 страниц A4 при 150 dpi (${SCAN_PAGE.width}×${SCAN_PAGE.height}) — ${
      n(300)
    } / ${n(500)}; текстовый документ — ${n(8000)} / ${
      n(500)
    }; голосовое — 30 с; каждая рассуждающая модель (gpt-oss, gpt-6-luna) добавляет ${REASONING_TOKENS} токенов рассуждений на ответ, они оплачиваются как выход; токены изображений — по модели из \`_shared/ai/image_tokens.ts\`. Месяц: ${
      SCHOOL_MONTH.map((w) => `${n(w.perMonth)} — ${w.ru}`).join(", ")
    }.`;
}

/**
 * Numbers as each language writes them: English "272,000" and "0.5"; Russian "272 000" (narrow
 * no-break space, U+202F) and "0,5".
 *
 * @example
 * formatNumber(272000, "ru"); // "272 000"
 * formatNumber(0.5, "ru", 2); // "0,50"
 */
export function formatNumber(value: number, lang: "en" | "ru", digits?: number): string {
  const opts = digits === undefined ? {} : {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  };
  if (lang === "en") return value.toLocaleString("en-US", opts);
  const en = value.toLocaleString("en-US", opts);
  return en.replace(/,/g, "\u202f").replace(".", ",");
}

/** USD as each language writes it: "$0.000570" / "0,000570 $". */
export function formatUsd(value: number, lang: "en" | "ru", digits = 2): string {
  return lang === "en"
    ? `$${formatNumber(value, "en", digits)}`
    : `${formatNumber(value, "ru", digits)} $`;
}
