/**
 * What a run with real keys costs, estimated from the catalog before any call: the number of
 * calls per candidate (items × repeats) times the usage each call is expected to bill, priced with
 * `calculateCost`. Input tokens are the production prompt's characters at ~3 a token plus each
 * item's images counted per model (image_tokens.ts); output tokens and reasoning tokens come from
 * the one assumption set (assumptions.ts), so this estimate, RESEARCH.md's Q6 and the README's
 * month agree. The run's own `cost_per_answer_usd` replaces it.
 *
 * @module
 */

import { calculateCost } from "../../supabase/functions/_shared/ai/cost.ts";
import {
  DEFAULT_INSTRUCTIONS,
  FILE_SYSTEM_PROMPT,
  imagePrompt,
  textPrompt,
} from "../../supabase/functions/_shared/files/prompts.ts";
import { CURATOR_PROMPTS } from "../../supabase/functions/_shared/curator/prompts.ts";
import { imageTokensOf, REASONING_TOKENS, reasons } from "./assumptions.ts";
import type { EvalCandidate, EvalTask } from "./candidates.ts";
import type { EvalData } from "./data.ts";
import { JUDGE_RUBRIC } from "./judge.ts";
import { OCR_INSTRUCTION } from "./run.ts";

/** The assumptions of the estimate beyond assumptions.ts. */
export const ESTIMATE_ASSUMPTIONS = {
  charsPerToken: 3,
  /** Visible answer tokens per call. */
  outputTokens: { chat: 300, photo: 150, scan: 300, document: 300, judge: 60 },
  reasoningTokens: REASONING_TOKENS,
  /** Seconds per call, for the duration estimate. */
  secondsPerCall: 4,
  /** Size the estimate assumes for an image whose pixels it does not read (manifests only). */
  photoSize: { width: 1024, height: 768 },
  scanPageSize: { width: 1240, height: 1754 },
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
  const output = visibleOutput +
    (reasons(candidate.provider, candidate.model) ? REASONING_TOKENS : 0);
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

/** The estimate for `candidates` over `data` × `repeats`, priced at `at`; a judge adds one call
 * per chat and document item. */
export function estimateRun(
  data: EvalData,
  candidates: Partial<Record<EvalTask, readonly EvalCandidate[]>>,
  at: Date,
  judge?: EvalCandidate,
  repeats = 1,
): EstimateRow[] {
  const a = ESTIMATE_ASSUMPTIONS;
  const rows: EstimateRow[] = [];
  const times = <T>(list: readonly T[]) => Array.from({ length: repeats }, () => list).flat();
  const chatInputs = data.curator.map((i) =>
    tokens(CURATOR_PROMPTS.main + i.history.map((t) => t.content).join("") + i.message)
  );
  const docInputs = data.documents.map((t) =>
    tokens(
      FILE_SYSTEM_PROMPT +
        textPrompt(t.instruction ?? DEFAULT_INSTRUCTIONS.document, t.document.text),
    )
  );
  const add = (task: EvalTask, inputs: (c: EvalCandidate) => number[], output: number) => {
    for (const c of candidates[task] ?? []) {
      const list = times(inputs(c));
      rows.push({ task, ...c, calls: list.length, ...priceCalls(c, list, output, at) });
    }
  };
  add("chat", () => chatInputs, a.outputTokens.chat);
  add(
    "photo",
    (c) =>
      data.photos.map(() =>
        tokens(FILE_SYSTEM_PROMPT + imagePrompt(OCR_INSTRUCTION, 1)) +
        imageTokensOf(c.provider, c.model, a.photoSize).tokens
      ),
    a.outputTokens.photo,
  );
  add(
    "scan",
    (c) =>
      data.scans.map((s) =>
        tokens(FILE_SYSTEM_PROMPT + (s.instruction ?? DEFAULT_INSTRUCTIONS.document)) +
        imageTokensOf(c.provider, c.model, a.scanPageSize).tokens * s.files.length
      ),
    a.outputTokens.scan,
  );
  add("document", () => docInputs, a.outputTokens.document);
  for (const c of candidates.voice ?? []) {
    try {
      const costUsd = repeats * data.clips.reduce(
        (sum, clip) =>
          sum + Number(
            calculateCost(c.provider, c.model, { audio_seconds: clip.durationSeconds }, at)
              .cost_usd,
          ),
        0,
      );
      rows.push({ task: "voice", ...c, calls: data.clips.length * repeats, costUsd });
    } catch (err) {
      rows.push({
        task: "voice",
        ...c,
        calls: data.clips.length * repeats,
        costUsd: null,
        note: String(err),
      });
    }
  }
  if (judge) {
    const inputs = [
      ...data.curator.map((i) =>
        tokens(JUDGE_RUBRIC + i.message) +
        a.outputTokens.chat * (candidates.chat?.length ?? 0) * repeats
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
