/**
 * The eval harness's measures, as pure functions: error rates of text against a known reference
 * (WER for speech, CER for reading images), percentiles, speed, the language of an answer and cost per answer from the catalog (`calculateCost`, reasoning tokens
 * included because providers count them in the output tokens).
 *
 * @module
 */

import { calculateCost, type Usage } from "../../supabase/functions/_shared/ai/cost.ts";

/** Edit distance (insertions, deletions, substitutions) between two sequences. */
export function editDistance<T>(a: readonly T[], b: readonly T[]): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}

/** Lower case, ё read as е (Russian writers drop the dots), whitespace collapsed. */
function fold(text: string): string {
  return text.toLowerCase().replaceAll("ё", "е").replace(/\s+/g, " ").trim();
}

/** Words for WER: {@link fold}, then punctuation dropped (letters, digits, `%` and `,`/`.` inside
 * numbers kept: "2,5%" stays one word). */
export function werWords(text: string): string[] {
  return fold(text)
    .replace(/(\d)[.,](\d)/g, "$1\uE000$2")
    .replace(/[^\p{L}\p{N}%\uE000]+/gu, " ")
    .replaceAll("\uE000", ",")
    .split(" ")
    .filter((w) => w !== "");
}

/** Edits and reference length of one pair, to sum over a corpus. */
export interface ErrorCount {
  readonly edits: number;
  readonly referenceLength: number;
}

/** Word errors of `hypothesis` against `reference` (see {@link werWords}). */
export function wordErrors(reference: string, hypothesis: string): ErrorCount {
  const ref = werWords(reference);
  return { edits: editDistance(ref, werWords(hypothesis)), referenceLength: ref.length };
}

/** Character errors after {@link fold} (case, ё and line breaks do not count as errors). */
export function characterErrors(reference: string, hypothesis: string): ErrorCount {
  const ref = [...fold(reference)];
  return { edits: editDistance(ref, [...fold(hypothesis)]), referenceLength: ref.length };
}

/**
 * A corpus error rate: all edits over all reference units (how WER and CER are reported, so a
 * long clip weighs more than a short one). Can exceed 1 when the hypothesis adds words. Null for
 * an empty list.
 *
 * @example
 * errorRate([wordErrors("раз два три", "раз три")]); // 1/3
 */
export function errorRate(counts: readonly ErrorCount[]): number | null {
  const reference = counts.reduce((sum, c) => sum + c.referenceLength, 0);
  if (counts.length === 0 || reference === 0) return null;
  return counts.reduce((sum, c) => sum + c.edits, 0) / reference;
}

/** WER of one pair. */
export function wer(reference: string, hypothesis: string): number {
  return errorRate([wordErrors(reference, hypothesis)]) ?? 0;
}

/** CER of one pair. */
export function cer(reference: string, hypothesis: string): number {
  return errorRate([characterErrors(reference, hypothesis)]) ?? 0;
}

/**
 * The `p`-th percentile (0–100) with linear interpolation between closest ranks (numpy's
 * default): p50 of [1, 2, 3, 4] is 2.5. Null for no values.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be 0-100, got ${p}`);
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

/** The mean, or null for no values. */
export function mean(values: readonly number[]): number | null {
  const finite = values.filter(Number.isFinite);
  return finite.length === 0 ? null : finite.reduce((a, b) => a + b, 0) / finite.length;
}

/** What one streamed answer took. */
export interface StreamTiming {
  /** All output tokens the provider billed (reasoning included). */
  readonly completionTokens: number;
  /** Reasoning tokens among them (0 when not reported). */
  readonly reasoningTokens: number;
  /** True when reasoning arrived as deltas (then it counts towards the streamed tokens). */
  readonly reasoningStreamed: boolean;
  /** From the request to the first delta of any kind (reasoning or answer). */
  readonly firstDeltaMs: number;
  /** From the request to the end of the stream. */
  readonly latencyMs: number;
}

/**
 * Output tokens per second while the answer streams: tokens that arrived after the first delta,
 * over the time after it. Reasoning a provider hides (it is generated before the first visible
 * delta) is left out of the count, so hidden reasoning shows up as time to first token, not as
 * inflated speed. Null when the window is empty or no tokens are known.
 */
export function outputTokensPerSecond(t: StreamTiming): number | null {
  const tokens = t.reasoningStreamed ? t.completionTokens : t.completionTokens - t.reasoningTokens;
  const windowMs = t.latencyMs - t.firstDeltaMs;
  if (!(tokens > 0) || !(windowMs > 0)) return null;
  return tokens / (windowMs / 1000);
}

/**
 * True when most letters of `text` are Cyrillic (at least 60 %; Latin terms such as "pandas"
 * or "SQL" in a Russian answer are normal). Text without letters is not Russian.
 */
export function isRussian(text: string): boolean {
  const letters = text.match(/\p{L}/gu) ?? [];
  if (letters.length === 0) return false;
  const cyrillic = letters.filter((ch) => /\p{Script=Cyrillic}/u.test(ch)).length;
  return cyrillic / letters.length >= 0.6;
}

/**
 * Cost of one answer in USD from the catalog, as a number (the catalog's exact decimal string,
 * converted once for averaging). `usage` is the provider's usage object unchanged (its output
 * tokens include reasoning tokens) or `{ audio_seconds }`; `at` picks the price period.
 *
 * @example
 * answerCostUsd("groq", "openai/gpt-oss-120b", { prompt_tokens: 1000, completion_tokens: 500 },
 *   new Date("2026-12-01")); // 1000 × 0.15/1e6 + 500 × 0.60/1e6 = 0.00045
 */
export function answerCostUsd(provider: string, model: string, usage: Usage, at: Date): number {
  return Number(calculateCost(provider, model, usage, at).cost_usd);
}
