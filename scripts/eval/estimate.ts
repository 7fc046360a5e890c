/**
 * What a run with real keys costs, estimated from the catalog before any call: the number of
 * calls per candidate times an assumed usage per answer, priced with `calculateCost` (so the
 * estimate follows the catalog, reasoning models included). The assumptions are written here and
 * printed with the estimate; the run's own `cost_per_answer_usd` replaces them.
 *
 * @module
 */

import { getModel } from "../../supabase/functions/_shared/ai/catalog.ts";
import { calculateCost } from "../../supabase/functions/_shared/ai/cost.ts";
import type { EvalCandidate, EvalTask } from "./candidates.ts";
import type { EvalData } from "./data.ts";
import { CURATOR_SYSTEM, DOCUMENT_SYSTEM, VISION_PROMPT } from "./run.ts";
import { JUDGE_RUBRIC } from "./judge.ts";

/** The assumptions (tokens are Russian text at ~3 characters a token). */
export const ESTIMATE_ASSUMPTIONS = {
  charsPerToken: 3,
  /** Visible answer tokens. */
  outputTokens: { chat: 400, vision: 120, document: 250, judge: 60 },
  /** Extra output tokens a reasoning model spends per answer (billed as output). */
  reasoningTokens: 600,
  /** Input tokens of one image (OpenAI's high detail for a 1280×720 image is ~1,100). */
  imageTokens: 1100,
  /** Seconds per call, for the duration estimate. */
  secondsPerCall: 4,
} as const;

export interface EstimateRow {
  task: EvalTask | "judge";
  provider: string;
  model: string;
  calls: number;
  /** USD for all calls of this row, or null when the model cannot be priced at that date. */
  costUsd: number | null;
  note?: string;
}

const tokens = (text: string) => Math.ceil(text.length / ESTIMATE_ASSUMPTIONS.charsPerToken);

function priceCalls(
  candidate: EvalCandidate,
  inputs: readonly number[],
  visibleOutput: number,
  at: Date,
): { costUsd: number | null; note?: string } {
  const entry = getModel(candidate.provider, candidate.model);
  const output = visibleOutput +
    (entry.capabilities.includes("reasoning") ? ESTIMATE_ASSUMPTIONS.reasoningTokens : 0);
  try {
    let sum = 0;
    for (const input of inputs) {
      sum += Number(
        calculateCost(candidate.provider, candidate.model, {
          prompt_tokens: input,
          completion_tokens: output,
        }, at).cost_usd,
      );
    }
    return { costUsd: sum };
  } catch (err) {
    return { costUsd: null, note: (err as Error).message };
  }
}

/** The estimate for `candidates` over `data`, priced at `at`; a judge adds one call per item. */
export function estimateRun(
  data: EvalData,
  candidates: Partial<Record<EvalTask, readonly EvalCandidate[]>>,
  at: Date,
  judge?: EvalCandidate,
): EstimateRow[] {
  const a = ESTIMATE_ASSUMPTIONS;
  const rows: EstimateRow[] = [];
  const chatInputs = data.questions.map((q) => tokens(CURATOR_SYSTEM + q.question));
  const visionInputs = data.images.map(() => tokens(VISION_PROMPT) + a.imageTokens);
  const docInputs = data.documents.map((d) => tokens(DOCUMENT_SYSTEM + d.title + d.text));
  const add = (task: EvalTask, inputs: number[], output: number) => {
    for (const c of candidates[task] ?? []) {
      rows.push({ task, ...c, calls: inputs.length, ...priceCalls(c, inputs, output, at) });
    }
  };
  add("chat", chatInputs, a.outputTokens.chat);
  add("vision", visionInputs, a.outputTokens.vision);
  add("document", docInputs, a.outputTokens.document);
  for (const c of candidates.speech ?? []) {
    try {
      const costUsd = data.clips.reduce(
        (sum, clip) =>
          sum + Number(
            calculateCost(c.provider, c.model, {
              audio_seconds: clip.durationSeconds,
            }, at).cost_usd,
          ),
        0,
      );
      rows.push({ task: "speech", ...c, calls: data.clips.length, costUsd });
    } catch (err) {
      rows.push({
        task: "speech",
        ...c,
        calls: data.clips.length,
        costUsd: null,
        note: String(err),
      });
    }
  }
  if (judge) {
    const answerTokens = a.outputTokens.chat;
    const inputs = [
      ...data.questions.map((q) =>
        tokens(JUDGE_RUBRIC + q.question) + answerTokens * (candidates.chat?.length ?? 0)
      ),
      ...data.documents.map(() =>
        tokens(JUDGE_RUBRIC) + a.outputTokens.document * (candidates.document?.length ?? 0)
      ),
    ];
    rows.push({
      task: "judge",
      ...judge,
      calls: inputs.length,
      ...priceCalls(judge, inputs, a.outputTokens.judge, at),
    });
  }
  return rows;
}

/** Calls per provider and the wall-clock minutes they take at `concurrency` calls in flight. */
export function estimateMinutes(rows: readonly EstimateRow[], concurrency: number): number {
  const perProvider = new Map<string, number>();
  for (const r of rows) perProvider.set(r.provider, (perProvider.get(r.provider) ?? 0) + r.calls);
  const slowest = Math.max(0, ...perProvider.values());
  return slowest / concurrency * ESTIMATE_ASSUMPTIONS.secondsPerCall / 60;
}
