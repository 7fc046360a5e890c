/**
 * Per-item (paired) comparison of two runs: `npm run eval -- --compare A/results.json
 * B/results.json`. For every task and candidate present in both, the mean difference of item
 * scores (B − A, points 0–100) with its 95 % interval and a verdict: "B better", "A better" or
 * "not enough evidence" when the interval includes 0. Used to see whether a prompt or model change
 * moved quality beyond noise.
 *
 * @module
 */

import type { DataSizes } from "./data.ts";
import type { ItemResult, ResultRow } from "./run.ts";
import { pairedComparison } from "./stats.ts";

/** results.json as `npm run eval` writes it. */
export interface EvalResults {
  about: string;
  offline: boolean;
  startedAt: string;
  finishedAt: string;
  repeats: number;
  pricesAt: string;
  dataSizes: DataSizes;
  rows: ResultRow[];
  items: ItemResult[];
}

export interface RunComparison {
  task: string;
  candidate: string;
  n: number;
  meanDifference: number;
  low: number;
  high: number;
  verdict: "A better" | "B better" | "not enough evidence";
}

export function compareResults(a: EvalResults, b: EvalResults): RunComparison[] {
  const scoresOf = (r: EvalResults) => {
    const out = new Map<string, Map<string, number>>();
    for (const i of r.items) {
      if (i.score === null) continue;
      const key = `${i.task} ${i.provider}:${i.model}`;
      if (!out.has(key)) out.set(key, new Map());
      out.get(key)!.set(i.itemId, i.score * 100);
    }
    return out;
  };
  const sa = scoresOf(a), sb = scoresOf(b);
  const out: RunComparison[] = [];
  for (const [key, itemsA] of sa) {
    const itemsB = sb.get(key);
    if (!itemsB) continue;
    const p = pairedComparison(itemsB, itemsA);
    if (!p) continue;
    const [task, candidate] = key.split(" ");
    out.push({
      task,
      candidate,
      n: p.n,
      meanDifference: p.difference.mean,
      low: p.difference.low,
      high: p.difference.high,
      verdict: p.verdict === "a"
        ? "B better"
        : p.verdict === "b"
        ? "A better"
        : "not enough evidence",
    });
  }
  return out;
}

/** Lines for the terminal. */
export function compareRuns(a: EvalResults, b: EvalResults): string[] {
  const lines = ["task\tcandidate\titems\tB − A (points)\t95 % interval\tverdict"];
  if (a.offline || b.offline) {
    lines.unshift("NOTE: at least one run is OFFLINE (a test double, not a model).");
  }
  for (const c of compareResults(a, b)) {
    lines.push(
      `${c.task}\t${c.candidate}\t${c.n}\t${c.meanDifference.toFixed(1)}\t${c.low.toFixed(1)}…${
        c.high.toFixed(1)
      }\t${c.verdict}`,
    );
  }
  return lines;
}
