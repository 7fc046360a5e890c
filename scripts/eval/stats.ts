/**
 * Statistics of the evaluation: a score per item (the mean over its repeats), the mean over items
 * with its standard error and a 95 % interval, and the paired comparison of two candidates on the
 * same items. Items are the unit (repeats of one item are not independent evidence), so the
 * standard error is that of the item means. Pure functions.
 *
 * @module
 */

/** z for a two-sided 95 % interval. */
export const Z95 = 1.959963984540054;

export interface Estimate {
  /** Number of items. */
  readonly n: number;
  readonly mean: number;
  /** Standard error of the mean (sample standard deviation / √n); 0 for n < 2. */
  readonly se: number;
  readonly low: number;
  readonly high: number;
}

/**
 * Mean, standard error and 95 % interval of per-item values, clipped to [`min`, `max`]. Null for
 * no items. Normal approximation over items: fine from ~30 items, which every task has.
 *
 * @example
 * meanInterval([1, 0, 1, 1]); // { n: 4, mean: 0.75, se: 0.25, low: 0.26, high: 1 }
 */
export function meanInterval(
  values: readonly number[],
  min = Number.NEGATIVE_INFINITY,
  max = Number.POSITIVE_INFINITY,
): Estimate | null {
  const v = values.filter(Number.isFinite);
  const n = v.length;
  if (n === 0) return null;
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const variance = n < 2 ? 0 : v.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  const se = Math.sqrt(variance / n);
  return {
    n,
    mean,
    se,
    low: Math.max(min, mean - Z95 * se),
    high: Math.min(max, mean + Z95 * se),
  };
}

/** Two intervals overlap: the data cannot tell the two apart. */
export function overlaps(a: Estimate, b: Estimate): boolean {
  return a.low <= b.high && b.low <= a.high;
}

export interface PairedComparison {
  /** Items both runs answered. */
  readonly n: number;
  /** Mean of (a − b) over those items, with its standard error and 95 % interval. */
  readonly difference: Estimate;
  /** Items where a scored higher / lower / the same. */
  readonly aBetter: number;
  readonly bBetter: number;
  readonly ties: number;
  /** "a" or "b" when the interval excludes 0, else "not enough evidence". */
  readonly verdict: "a" | "b" | "not enough evidence";
}

/**
 * Per-item (paired) comparison of two runs' item scores: the same items, so item difficulty
 * cancels out and a smaller difference is detectable than by comparing two means.
 */
export function pairedComparison(
  a: ReadonlyMap<string, number>,
  b: ReadonlyMap<string, number>,
): PairedComparison | null {
  const diffs: number[] = [];
  let aBetter = 0, bBetter = 0, ties = 0;
  for (const [id, x] of a) {
    const y = b.get(id);
    if (y === undefined || !Number.isFinite(x) || !Number.isFinite(y)) continue;
    diffs.push(x - y);
    if (x > y) aBetter++;
    else if (x < y) bBetter++;
    else ties++;
  }
  const difference = meanInterval(diffs);
  if (!difference) return null;
  const verdict = difference.low > 0 ? "a" : difference.high < 0 ? "b" : "not enough evidence";
  return { n: diffs.length, difference, aBetter, bBetter, ties, verdict };
}

/**
 * The smallest difference (in the scores' units) a paired comparison of `n` items detects with
 * 80 % power at the 5 % level, given the standard deviation of per-item differences.
 */
export function detectableDifference(n: number, sdOfDifferences: number): number {
  return n === 0 ? Number.POSITIVE_INFINITY : (Z95 + 0.8416212335729143) * sdOfDifferences /
    Math.sqrt(n);
}

/** Items a paired comparison needs to detect `delta` with 80 % power at the 5 % level. */
export function itemsToDetect(delta: number, sdOfDifferences: number): number {
  return Math.ceil(((Z95 + 0.8416212335729143) * sdOfDifferences / delta) ** 2);
}
