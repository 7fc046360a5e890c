/**
 * Runs the tasks over the candidates and turns the answers into one metrics row per task and
 * candidate (the names results.json uses).
 *
 * @module
 */

import {
  type ChatMessage,
  imageContentPart,
  type ProviderClients,
  ProviderError,
} from "../../supabase/functions/_shared/ai/providers.ts";
import { planCurator } from "../../supabase/functions/_shared/curator/curator.ts";
import { CURATOR_MAX_OUTPUT_TOKENS } from "../../supabase/functions/_shared/curator/prompts.ts";
import {
  DEFAULT_INSTRUCTIONS,
  FILE_ANSWER_TOKENS,
  FILE_SYSTEM_PROMPT,
  imagePrompt,
  textPrompt,
} from "../../supabase/functions/_shared/files/prompts.ts";
import { readImageHeader } from "../../supabase/functions/_shared/files/image.ts";
import { imageTokensOf } from "./assumptions.ts";
import { streamAnswer, timedTranscript } from "./calls.ts";
import type { EvalCandidate, EvalTask } from "./candidates.ts";
import { type EvalData, readDataFile } from "./data.ts";
import { checkAnswer, type Expectations } from "./expectations.ts";
import {
  answerCostUsd,
  characterErrors,
  type ErrorCount,
  errorRate,
  isRussian,
  mean,
  outputTokensPerSecond,
  percentile,
  wordErrors,
} from "./metrics.ts";
import { ProviderGate } from "./rate_limit.ts";
import { type Estimate, meanInterval } from "./stats.ts";

/**
 * What a student asks of a homework photo in the OCR items (sent through the production
 * `imagePrompt`, with the production `FILE_SYSTEM_PROMPT`).
 */
export const OCR_INSTRUCTION =
  "Перепиши дословно весь текст с фотографии, строка за строкой, без комментариев и без " +
  "форматирования.";

/** An OCR answer passes at a character error rate of at most this; a transcript at this WER. */
export const OCR_PASS_CER = 0.1;
export const VOICE_PASS_WER = 0.1;

/** The production curator's request builder, for a candidate (history trimmed to its window). */
export function curatorMessages(
  candidate: EvalCandidate,
  item: { message: string; history: readonly { role: "user" | "assistant"; content: string }[] },
  at: Date,
): ChatMessage[] {
  const plan = planCurator({ env: {}, now: () => at, log: () => {} }, {
    platform: "main",
    message: item.message,
    history: item.history.map((t) => ({ role: t.role, content: t.content })),
  });
  return plan.messagesFor({ provider: candidate.provider, model: candidate.model });
}

/** Markdown a model may wrap text in (tables, bold, headings) is not a reading error. */
export function plainText(text: string): string {
  return text.replace(/```[a-z]*\n?/g, "").replace(/^\s*\|?\s*:?-{3,}.*$/gm, "").replace(
    /[|*#_`]/g,
    " ",
  );
}

/** One answer, kept in results for the judge and for reading. */
export interface AnswerRecord {
  task: EvalTask;
  provider: string;
  model: string;
  itemId: string;
  /** 0-based repeat of the same item. */
  repeat: number;
  ok: boolean;
  error?: string;
  retries: number;
  text?: string;
  ttftMs?: number | null;
  latencyMs?: number;
  tokensPerSecond?: number | null;
  costUsd?: number | null;
  promptTokens?: number;
  reasoningTokens?: number;
  /** Input tokens the item's images count on this model (image_tokens.ts). */
  imageTokens?: number;
  imageTokensEstimate?: boolean;
  truncated?: boolean;
  russian?: boolean;
  errors?: ErrorCount;
  /** The item's expectations met (chat, scan, document), CER/WER under the bar (photo, voice). */
  pass?: boolean;
  /** 0–1: 1 for a pass (chat, scan, document), 1 − CER / 1 − WER clipped at 0 (photo, voice). */
  score?: number;
  failures?: readonly string[];
  judgeScore?: number;
}

export interface RunOptions {
  readonly clients: ProviderClients;
  readonly data: EvalData;
  readonly candidates: Partial<Record<EvalTask, readonly EvalCandidate[]>>;
  readonly concurrency: number;
  readonly maxRetries: number;
  /** Times each item is asked of each candidate (≥ 1). */
  readonly repeats?: number;
  /** The date prices are taken at. */
  readonly at: Date;
  /** Per-call limit (ms) for one answer. */
  readonly callTimeoutMs?: number;
  readonly onProgress?: (record: AnswerRecord) => void;
}

type Measured = Omit<
  AnswerRecord,
  "task" | "provider" | "model" | "itemId" | "ok" | "retries" | "repeat"
>;

interface Job {
  task: EvalTask;
  candidate: EvalCandidate;
  itemId: string;
  repeat: number;
  perform: (signal: AbortSignal) => Promise<Measured>;
}

const byExpectations = (expect: Expectations) => (text: string): Partial<AnswerRecord> => {
  const r = checkAnswer(text, expect);
  return { pass: r.pass, score: r.pass ? 1 : 0, failures: r.failures };
};

function chatJob(
  opts: RunOptions,
  candidate: EvalCandidate,
  messages: ChatMessage[],
  maxCompletionTokens: number,
  score: (text: string) => Partial<AnswerRecord>,
  images?: { tokens: number; estimate: boolean },
): Job["perform"] {
  return async (signal) => {
    const answer = await streamAnswer(opts.clients, candidate, messages, {
      maxCompletionTokens,
      signal,
    });
    const reasoningTokens = answer.usage?.completion_tokens_details?.reasoning_tokens ?? 0;
    return {
      text: answer.text,
      ttftMs: answer.ttftMs,
      latencyMs: answer.latencyMs,
      tokensPerSecond: answer.usage && answer.firstDeltaMs !== null
        ? outputTokensPerSecond({
          completionTokens: answer.usage.completion_tokens,
          reasoningTokens,
          reasoningStreamed: answer.reasoningStreamed,
          firstDeltaMs: answer.firstDeltaMs,
          latencyMs: answer.latencyMs,
        })
        : null,
      costUsd: answer.usage
        ? answerCostUsd(candidate.provider, candidate.model, answer.usage, opts.at)
        : null,
      promptTokens: answer.usage?.prompt_tokens,
      reasoningTokens,
      ...(images ? { imageTokens: images.tokens, imageTokensEstimate: images.estimate } : {}),
      truncated: answer.finishReason === "length",
      russian: isRussian(answer.text),
      ...score(answer.text),
    };
  };
}

function sizeOf(bytes: Uint8Array): { width: number; height: number } {
  const h = readImageHeader(bytes);
  if (!h) throw new Error("eval data: an image without a readable header");
  return { width: h.width, height: h.height };
}

function imageTokensFor(
  candidate: EvalCandidate,
  sizes: readonly { width: number; height: number }[],
) {
  const counts = sizes.map((s) => imageTokensOf(candidate.provider, candidate.model, s));
  return {
    tokens: counts.reduce((n, c) => n + c.tokens, 0),
    estimate: counts.some((c) => c.estimate),
  };
}

async function jobsFor(opts: RunOptions): Promise<Job[]> {
  const jobs: Job[] = [];
  const { data } = opts;
  const repeats = Math.max(1, opts.repeats ?? 1);
  const add = (
    task: EvalTask,
    candidate: EvalCandidate,
    itemId: string,
    perform: Job["perform"],
  ) => {
    for (let repeat = 0; repeat < repeats; repeat++) {
      jobs.push({ task, candidate, itemId, repeat, perform });
    }
  };
  for (const candidate of opts.candidates.chat ?? []) {
    for (const item of data.curator) {
      add(
        "chat",
        candidate,
        item.id,
        chatJob(
          opts,
          candidate,
          curatorMessages(candidate, item, opts.at),
          CURATOR_MAX_OUTPUT_TOKENS.main,
          byExpectations(item.expect),
        ),
      );
    }
  }
  const photos = await Promise.all(
    data.photos.map(async (i) => {
      const bytes = await readDataFile("vision", i.file);
      return { ...i, bytes, size: sizeOf(bytes) };
    }),
  );
  for (const candidate of opts.candidates.photo ?? []) {
    for (const photo of photos) {
      const messages: ChatMessage[] = [
        { role: "system", content: FILE_SYSTEM_PROMPT },
        {
          role: "user",
          content: [
            { type: "text", text: imagePrompt(OCR_INSTRUCTION, 1) },
            imageContentPart({ bytes: photo.bytes, mimeType: photo.mimeType }),
          ],
        },
      ];
      add(
        "photo",
        candidate,
        photo.id,
        chatJob(opts, candidate, messages, FILE_ANSWER_TOKENS, (text) => {
          const errors = characterErrors(photo.text, plainText(text));
          const cer = errorRate([errors]) ?? 1;
          return { errors, pass: cer <= OCR_PASS_CER, score: Math.max(0, 1 - cer) };
        }, imageTokensFor(candidate, [photo.size])),
      );
    }
  }
  const scans = await Promise.all(
    data.scans.map(async (s) => {
      const pages = await Promise.all(s.files.map((f) => readDataFile("vision", f)));
      return { ...s, pages, sizes: pages.map(sizeOf) };
    }),
  );
  for (const candidate of opts.candidates.scan ?? []) {
    for (const scan of scans) {
      const messages: ChatMessage[] = [
        { role: "system", content: FILE_SYSTEM_PROMPT },
        {
          role: "user",
          content: [
            {
              type: "text",
              text: imagePrompt(
                scan.instruction ?? DEFAULT_INSTRUCTIONS.document,
                scan.pages.length,
              ),
            },
            ...scan.pages.map((bytes) => imageContentPart({ bytes, mimeType: scan.mimeType })),
          ],
        },
      ];
      add(
        "scan",
        candidate,
        scan.id,
        chatJob(
          opts,
          candidate,
          messages,
          FILE_ANSWER_TOKENS,
          byExpectations(scan.expect),
          imageTokensFor(candidate, scan.sizes),
        ),
      );
    }
  }
  for (const candidate of opts.candidates.document ?? []) {
    for (const task of data.documents) {
      const messages: ChatMessage[] = [
        { role: "system", content: FILE_SYSTEM_PROMPT },
        {
          role: "user",
          content: textPrompt(
            task.instruction ?? DEFAULT_INSTRUCTIONS.document,
            `${task.document.title}\n\n${task.document.text}`,
          ),
        },
      ];
      add(
        "document",
        candidate,
        task.id,
        chatJob(opts, candidate, messages, FILE_ANSWER_TOKENS, byExpectations(task.expect)),
      );
    }
  }
  const clips = await Promise.all(
    data.clips.map(async (c) => ({ ...c, bytes: await readDataFile("speech", c.file) })),
  );
  for (const candidate of opts.candidates.voice ?? []) {
    for (const clip of clips) {
      add("voice", candidate, clip.id, async (signal) => {
        const t = await timedTranscript(opts.clients, candidate, clip, { signal });
        const errors = wordErrors(clip.text, t.text);
        const wer = errorRate([errors]) ?? 1;
        return {
          text: t.text,
          latencyMs: t.latencyMs,
          costUsd: answerCostUsd(candidate.provider, candidate.model, {
            audio_seconds: t.audioSeconds,
          }, opts.at),
          russian: isRussian(t.text),
          errors,
          pass: wer <= VOICE_PASS_WER,
          score: Math.max(0, 1 - wer),
        };
      });
    }
  }
  return jobs;
}

/** Runs every job, each provider behind its own {@link ProviderGate}. */
export async function runEval(
  opts: RunOptions,
): Promise<{ answers: AnswerRecord[]; rateLimited: Record<string, number> }> {
  const gates: Record<string, ProviderGate> = {};
  const gate = (provider: string) =>
    gates[provider] ??= new ProviderGate({
      concurrency: opts.concurrency,
      maxRetries: opts.maxRetries,
    });
  const jobs = await jobsFor(opts);
  const answers = await Promise.all(jobs.map(async (job): Promise<AnswerRecord> => {
    const base = {
      task: job.task,
      provider: job.candidate.provider,
      model: job.candidate.model,
      itemId: job.itemId,
      repeat: job.repeat,
    };
    let retries = 0;
    try {
      const { value, retries: r } = await gate(job.candidate.provider).run(() => {
        const signal = AbortSignal.timeout(opts.callTimeoutMs ?? 180_000);
        return job.perform(signal).catch((err) => {
          if (err instanceof ProviderError && err.code === "rate_limited") retries++;
          throw err;
        });
      });
      const record: AnswerRecord = { ...base, ok: true, retries: r, ...value };
      opts.onProgress?.(record);
      return record;
    } catch (err) {
      const code = err instanceof ProviderError ? err.code : (err as Error)?.name ?? "error";
      const record: AnswerRecord = {
        ...base,
        ok: false,
        retries,
        error: `${code}: ${String((err as Error)?.message ?? err).slice(0, 200)}`,
      };
      opts.onProgress?.(record);
      return record;
    }
  }));
  const rateLimited = Object.fromEntries(
    Object.entries(gates).map(([provider, g]) => [provider, g.rateLimited]),
  );
  return { answers, rateLimited };
}

/** The metric names of results.json (null where a metric does not apply or nothing succeeded). */
export interface CandidateMetrics {
  answers: number;
  /** Items asked (answers = items × repeats). */
  items: number;
  repeats: number;
  ttft_ms_p50: number | null;
  ttft_ms_p95: number | null;
  output_tokens_per_second: number | null;
  latency_ms_p50: number | null;
  latency_ms_p95: number | null;
  cost_per_answer_usd: number | null;
  error_rate: number;
  russian_rate: number | null;
  /** Quality 0–100 over items (each item the mean of its repeats), with SE and 95 % interval. */
  score: Estimate | null;
  /** Share of items passed (0–100; an item's pass is the mean over its repeats). */
  pass_rate: Estimate | null;
  /** Standard error of one item's score between repeats, averaged over items (0–100): the noise
   * a single call carries. */
  repeat_se: number | null;
  wer?: number | null;
  cer?: number | null;
  /** Mean input tokens of an item's images on this model (image_tokens.ts). */
  image_tokens_per_item?: number | null;
  judge_score?: number | null;
  reasoning_tokens_per_answer?: number | null;
  truncated_rate?: number | null;
  rate_limit_retries: number;
}

export interface ResultRow {
  task: EvalTask;
  provider: string;
  model: string;
  metrics: CandidateMetrics;
}

/** One item of one candidate: its repeats and their mean. */
export interface ItemResult {
  task: EvalTask;
  provider: string;
  model: string;
  itemId: string;
  /** Mean over repeats, 0–1 (null when every repeat failed). */
  score: number | null;
  pass: number | null;
  imageTokens?: number;
  imageTokensEstimate?: boolean;
  repeats: {
    ok: boolean;
    pass?: boolean;
    score?: number;
    failures?: readonly string[];
    error?: string;
    latencyMs?: number;
    ttftMs?: number | null;
    costUsd?: number | null;
  }[];
}

const round = (value: number | null, digits: number) =>
  value === null ? null : Number(value.toFixed(digits));
const roundEstimate = (e: Estimate | null): Estimate | null =>
  e && {
    n: e.n,
    mean: round(e.mean, 2)!,
    se: round(e.se, 2)!,
    low: round(e.low, 2)!,
    high: round(e.high, 2)!,
  };

/** Per item and candidate, in data order. */
export function itemResults(answers: readonly AnswerRecord[]): ItemResult[] {
  const groups = new Map<string, AnswerRecord[]>();
  for (const a of answers) {
    const key = `${a.task}\u0000${a.provider}:${a.model}\u0000${a.itemId}`;
    groups.set(key, [...(groups.get(key) ?? []), a]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0];
    const ok = group.filter((a) => a.ok && typeof a.score === "number");
    return {
      task: first.task,
      provider: first.provider,
      model: first.model,
      itemId: first.itemId,
      score: round(mean(ok.map((a) => a.score!)), 4),
      pass: round(mean(ok.map((a) => a.pass ? 1 : 0)), 4),
      ...(first.imageTokens !== undefined
        ? { imageTokens: first.imageTokens, imageTokensEstimate: first.imageTokensEstimate }
        : {}),
      repeats: group.sort((a, b) => a.repeat - b.repeat).map((a) => ({
        ok: a.ok,
        ...(a.pass !== undefined ? { pass: a.pass } : {}),
        ...(a.score !== undefined ? { score: round(a.score, 4)! } : {}),
        ...(a.failures?.length ? { failures: a.failures } : {}),
        ...(a.error ? { error: a.error } : {}),
        ...(a.latencyMs !== undefined ? { latencyMs: round(a.latencyMs, 1)! } : {}),
        ...(a.ttftMs !== undefined ? { ttftMs: round(a.ttftMs ?? null, 1) } : {}),
        ...(a.costUsd !== undefined ? { costUsd: a.costUsd } : {}),
      })),
    };
  });
}

/** One row per task and candidate, in the order the candidates were given. */
export function summarise(
  answers: readonly AnswerRecord[],
  candidates: Partial<Record<EvalTask, readonly EvalCandidate[]>>,
): ResultRow[] {
  const rows: ResultRow[] = [];
  const items = itemResults(answers);
  for (const [task, list] of Object.entries(candidates) as [EvalTask, EvalCandidate[]][]) {
    for (const c of list) {
      const all = answers.filter((a) =>
        a.task === task && a.provider === c.provider && a.model === c.model
      );
      const mine = items.filter((i) =>
        i.task === task && i.provider === c.provider && i.model === c.model
      );
      const ok = all.filter((a) => a.ok);
      const nums = (pick: (a: AnswerRecord) => number | null | undefined) =>
        ok.map(pick).filter((v): v is number => typeof v === "number");
      const streamed = task !== "voice";
      const repeatSes = mine.flatMap((i) => {
        const scores = i.repeats.flatMap((r) => typeof r.score === "number" ? [r.score * 100] : []);
        const e = scores.length > 1 ? meanInterval(scores) : null;
        return e ? [e.se] : [];
      });
      const metrics: CandidateMetrics = {
        answers: all.length,
        items: mine.length,
        repeats: Math.max(0, ...mine.map((i) => i.repeats.length)),
        ttft_ms_p50: streamed ? round(percentile(nums((a) => a.ttftMs), 50), 1) : null,
        ttft_ms_p95: streamed ? round(percentile(nums((a) => a.ttftMs), 95), 1) : null,
        output_tokens_per_second: streamed
          ? round(percentile(nums((a) => a.tokensPerSecond), 50), 1)
          : null,
        latency_ms_p50: round(percentile(nums((a) => a.latencyMs), 50), 1),
        latency_ms_p95: round(percentile(nums((a) => a.latencyMs), 95), 1),
        cost_per_answer_usd: round(mean(nums((a) => a.costUsd)), 10),
        error_rate: all.length === 0 ? 0 : round((all.length - ok.length) / all.length, 4)!,
        russian_rate: ok.length === 0
          ? null
          : round(ok.filter((a) => a.russian).length / ok.length, 4),
        score: roundEstimate(
          meanInterval(mine.flatMap((i) => i.score === null ? [] : [i.score * 100]), 0, 100),
        ),
        pass_rate: roundEstimate(
          meanInterval(mine.flatMap((i) => i.pass === null ? [] : [i.pass * 100]), 0, 100),
        ),
        repeat_se: round(mean(repeatSes), 2),
        rate_limit_retries: all.reduce((sum, a) => sum + a.retries, 0),
      };
      if (task === "voice") {
        metrics.wer = round(errorRate(ok.flatMap((a) => a.errors ? [a.errors] : [])), 4);
      }
      if (task === "photo") {
        metrics.cer = round(errorRate(ok.flatMap((a) => a.errors ? [a.errors] : [])), 4);
      }
      if (task === "photo" || task === "scan") {
        metrics.image_tokens_per_item = round(
          mean(mine.flatMap((i) => i.imageTokens === undefined ? [] : [i.imageTokens])),
          1,
        );
      }
      if (streamed) {
        metrics.reasoning_tokens_per_answer = round(mean(nums((a) => a.reasoningTokens)), 1);
        metrics.truncated_rate = ok.length === 0
          ? null
          : round(ok.filter((a) => a.truncated).length / ok.length, 4);
      }
      if (ok.some((a) => a.judgeScore !== undefined)) {
        metrics.judge_score = round(mean(nums((a) => a.judgeScore)), 3);
      }
      rows.push({ task, provider: c.provider, model: c.model, metrics });
    }
  }
  return rows;
}
