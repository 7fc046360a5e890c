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

/** How coarse a break is: a blank line, a line break, a sentence end, a space. */
const Break = { Space: 1, Sentence: 2, Line: 3, Paragraph: 4 } as const;

/**
 * Splits one text into pieces of at most `limit` estimated tokens, preferring coarse breaks: each
 * piece is as long as fits and ends at the coarsest break in the second half of what fits (a blank
 * line, then a line break, a sentence end, a space), else at the last space, else mid-word. The
 * break is dropped (its whitespace, or for a line or paragraph break its line breaks). One
 * backward scan per piece, so the cost is linear in the text: the earlier split-and-rejoin at each
 * level cost ~1.2 µs a word, 1.5 s of CPU for 2.4 MB of "a a a …" (measured on Deno 2.1,
 * 2026-12-06), over a worker's budget for a file it accepts.
 */
function splitToFit(text: string, limit: number): string[] {
  if (estimateTokens(text) <= limit) return [text];
  // estimateTokens is ceil(length / 2.5) + 4: the longest piece that fits, in characters.
  const maxChars = Math.max(1, Math.floor((limit - 4) * 2.5));
  const out: string[] = [];
  let rest = text;
  while (estimateTokens(rest) > limit) {
    const [end, next] = breakWithin(rest, maxChars);
    const piece = rest.slice(0, end);
    if (piece.trim() !== "") out.push(piece);
    rest = rest.slice(next);
  }
  if (rest.trim() !== "") out.push(rest);
  return out;
}

/**
 * Where to cut `text` (longer than `maxChars`): `[end, next]`, the piece being `text[0, end)` and
 * the rest starting at `next` (the break's whitespace in between is dropped). Scans back from
 * `maxChars` over whitespace runs, keeping the last run of each kind; stops at a blank line in the
 * second half.
 */
function breakWithin(text: string, maxChars: number): [number, number] {
  const half = Math.floor(maxChars / 2);
  // The last (highest) whitespace run of each kind that starts after 0: [start, end).
  const best: ([number, number] | undefined)[] = [];
  let lastAny: [number, number] | undefined;
  // A run that starts at or before maxChars may end after it (the piece ends at its start).
  let i = Math.min(maxChars, text.length - 1);
  while (i > 0) {
    if (!isSpace(text.charCodeAt(i))) {
      i--;
      continue;
    }
    let end = i + 1;
    while (end < text.length && isSpace(text.charCodeAt(end))) end++;
    let start = i;
    let newlines = text.charCodeAt(i) === 0x0a ? 1 : 0;
    for (let j = i + 1; j < end; j++) if (text.charCodeAt(j) === 0x0a) newlines++;
    while (start > 0 && isSpace(text.charCodeAt(start - 1))) {
      start--;
      if (text.charCodeAt(start) === 0x0a) newlines++;
    }
    i = start - 1;
    if (start === 0) break;
    const kind = newlines >= 2
      ? Break.Paragraph
      : newlines === 1
      ? Break.Line
      : isSentenceEnd(text.charCodeAt(start - 1))
      ? Break.Sentence
      : Break.Space;
    // A line or paragraph break drops its line breaks only (from the first to the last), as a
    // split at /\n\s*\n/ or /\n/ did, so joining paragraph-cut pieces with "\n\n" restores them.
    const firstNewline = kind >= Break.Line ? text.indexOf("\n", start) : -1;
    const run: [number, number] = firstNewline >= 0 && firstNewline <= maxChars
      ? [firstNewline, text.lastIndexOf("\n", end - 1) + 1]
      : [start, end];
    lastAny ??= run;
    best[kind] ??= run;
    if (kind === Break.Paragraph && start >= half) break;
  }
  for (const kind of [Break.Paragraph, Break.Line, Break.Sentence, Break.Space]) {
    const run = best[kind];
    if (run && run[0] >= half) return run;
  }
  return lastAny ?? [maxChars, maxChars];
}

/** `\s` as JavaScript's RegExp has it, without a regular expression per character. */
function isSpace(c: number): boolean {
  if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) return true;
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 ||
    c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

function isSentenceEnd(c: number): boolean {
  return c === 0x2e /* . */ || c === 0x21 /* ! */ || c === 0x3f /* ? */ || c === 0x2026; /* … */
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
