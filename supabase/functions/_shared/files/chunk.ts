// Fitting extracted text into a model's context window, and page images into the model's
// images-per-request. Pure: no I/O, no heavy library.
import { estimateTokens } from "../curator/history.ts";
import type { ModelEntry } from "../ai/catalog.ts";

/** A piece of source text: a PDF page (1-based `page`) or a whole document (no page). */
export interface TextSection {
  page?: number;
  text: string;
}

/** One model call's worth of text, with the pages it came from (empty for a DOCX or text file). */
export interface TextPart {
  text: string;
  pages: number[];
  estimatedTokens: number;
}

export interface PartBudget {
  /** The model's context window in tokens (the catalog's `contextWindow`). */
  contextWindow: number;
  /** The instruction and any fixed prompt text sent with every part. */
  instruction: string;
  /** Tokens kept free for the answer (the call's max output tokens). */
  answerTokens: number;
  /**
   * An optional cap below what the window allows, e.g. to stay under a tokens-per-minute limit
   * (Groq's free plan allows 8K TPM per model).
   */
  maxPartTokens?: number;
}

/**
 * Per-call overhead outside the visible text: chat-template tokens for the system and user
 * messages and the part's framing ("Часть 2 из 5…"). A few hundred tokens is ample.
 */
export const PROMPT_OVERHEAD_TOKENS = 256;

/** Estimated tokens available for the document text in one call. */
export function partTokenBudget(budget: PartBudget): number {
  const room = budget.contextWindow - estimateTokens(budget.instruction) -
    budget.answerTokens -
    PROMPT_OVERHEAD_TOKENS;
  const tokens = Math.min(room, budget.maxPartTokens ?? Infinity);
  if (tokens < 64) {
    throw new RangeError(
      `no room for text: ${room} tokens left in a ${budget.contextWindow}-token window`,
    );
  }
  return tokens;
}

/**
 * Splits text into parts that each fit one call (by `estimateTokens`, which over-counts). Whole
 * pages are packed together in order; a page too big for one part is split at paragraph breaks,
 * then line breaks, then sentence ends, then spaces, and only as a last resort mid-word. Parts
 * never reorder text, and joining their texts with "\n\n" gives back every non-blank section.
 * @example
 * const model = getModel("groq", "openai/gpt-oss-120b");
 * const parts = splitTextForContext(pages, {
 *   contextWindow: model.contextWindow!, instruction, answerTokens: 4096,
 * }); // one call per part, then a combining call when parts.length > 1
 */
export function splitTextForContext(
  sections: readonly TextSection[],
  budget: PartBudget,
): TextPart[] {
  const limit = partTokenBudget(budget);
  const parts: TextPart[] = [];
  let texts: string[] = [];
  let pages: number[] = [];
  let tokens = 0;
  const flush = () => {
    if (texts.length === 0) return;
    const text = texts.join("\n\n");
    parts.push({ text, pages, estimatedTokens: estimateTokens(text) });
    texts = [];
    pages = [];
    tokens = 0;
  };
  for (const section of sections) {
    const text = section.text.trim();
    if (text === "") continue;
    for (const piece of splitToFit(text, limit)) {
      const cost = estimateTokens(piece);
      if (tokens > 0 && tokens + cost > limit) flush();
      texts.push(piece);
      tokens += cost;
      if (section.page !== undefined && pages.at(-1) !== section.page) {
        pages.push(section.page);
      }
    }
  }
  flush();
  return parts;
}

const SEPARATORS: readonly RegExp[] = [
  /\n\s*\n/,
  /\n/,
  /(?<=[.!?…])\s+/,
  /\s+/,
];

/** Splits one text into pieces of at most `limit` estimated tokens, preferring coarse breaks. */
function splitToFit(text: string, limit: number, level = 0): string[] {
  if (estimateTokens(text) <= limit) return [text];
  if (level >= SEPARATORS.length) {
    // No break left: cut by characters (estimateTokens is linear in length).
    const chars = Math.max(1, Math.floor((limit - 4) * 2.5));
    const out: string[] = [];
    for (let i = 0; i < text.length; i += chars) {
      out.push(text.slice(i, i + chars));
    }
    return out;
  }
  const units = text.split(SEPARATORS[level]).filter((u) => u.trim() !== "");
  if (units.length <= 1) return splitToFit(text, limit, level + 1);
  const joiner = level === 0 ? "\n\n" : level === 1 ? "\n" : " ";
  const out: string[] = [];
  let current = "";
  for (const unit of units) {
    for (const piece of splitToFit(unit, limit, level + 1)) {
      const candidate = current === "" ? piece : current + joiner + piece;
      if (estimateTokens(candidate) <= limit) {
        current = candidate;
      } else {
        if (current !== "") out.push(current);
        current = piece;
      }
    }
  }
  if (current !== "") out.push(current);
  return out;
}

/**
 * Images a model takes in one request: the catalog's `imagesPerRequest`, or 1 when the catalog
 * does not state it (e.g. qwen3.6-27b, marked uncertain), since one image a call never fails.
 */
export function imagesPerRequestFor(
  model: Pick<ModelEntry, "imagesPerRequest">,
): number {
  return Math.max(1, model.imagesPerRequest ?? 1);
}

/** A bound on what a batch of images may weigh in one request. */
export interface BatchBytes<T> {
  /** Bytes an item adds to the request (for an image: an upper bound of its data URL). */
  sizeOf: (item: T) => number;
  /** Most bytes of items in one request (Groq: 4 MB for a request with a base64 image). */
  maxBytes: number;
}

/**
 * Groups items (page images) into consecutive batches of at most `perRequest` and, with `bytes`,
 * at most `bytes.maxBytes` in total, keeping order. An item larger than `maxBytes` on its own is
 * a batch of one (callers shrink images below the limit first).
 * @example batchImages([p1, p2, p3, p4], 3) // [[p1, p2, p3], [p4]]
 * @example batchImages([a, b], 3, { sizeOf: (i) => i.dataUrlBytes, maxBytes: 3_900_000 })
 * // two 2.8 MB scans (3.73 MB as base64 each) → [[a], [b]]
 */
export function batchImages<T>(
  items: readonly T[],
  perRequest: number,
  bytes?: BatchBytes<T>,
): T[][] {
  if (!Number.isInteger(perRequest) || perRequest < 1) {
    throw new RangeError(
      `perRequest must be a positive integer, got ${perRequest}`,
    );
  }
  const batches: T[][] = [];
  let batch: T[] = [];
  let total = 0;
  for (const item of items) {
    const size = bytes ? bytes.sizeOf(item) : 0;
    if (
      batch.length === perRequest ||
      (bytes && batch.length > 0 && total + size > bytes.maxBytes)
    ) {
      batches.push(batch);
      batch = [];
      total = 0;
    }
    batch.push(item);
    total += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
