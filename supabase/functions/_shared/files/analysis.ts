// The model calls for one upload: planned from the file's content and the catalog's facts (how much
// text fits a call, how many images a call takes), priced for the budget before any call, then run
// one after another under one request id, each call a ledger row, and merged into one answer.
//
// Calls run in sequence, not in parallel: the ledger is unique on (request_id, attempt), and each
// operation numbers its attempts after those of the operations before it (retries included), which
// is only known once they finish. Sequence also keeps at most one big image decoded at a time.
import { type Candidate } from "../ai/config.ts";
import { CATALOG, findModel } from "../ai/catalog.ts";
import { addDecimal, formatDecimal } from "../ai/decimal.ts";
import { runAIOperation } from "../ai/operation.ts";
import { chatLimitsFor } from "../ai/provider_limits.ts";
import {
  chatCompletion,
  type ChatMessage,
  type ChatResult,
  type ImageInput,
  visionCompletion,
} from "../ai/providers.ts";
import { estimateTokens } from "../curator/history.ts";
import { costCeiling } from "../request.ts";
import type { Runtime } from "../runtime.ts";
import type { Platform } from "../contracts/chat.ts";
import { batchImages, splitTextForContext, type TextSection } from "./chunk.ts";
import {
  DEFAULT_IMAGE_POLICY,
  type ImagePolicy,
  imageTarget,
  type ImageTask,
} from "../ai/image_policy.ts";
import { type ImageDetail, imageTokensFor } from "../ai/image_tokens.ts";
import {
  dataUrlLength,
  DEFAULT_RESIZE_TARGET_PIXELS,
  type ImageLimits,
  prepareImageForVision,
  readImageHeader,
} from "./image.ts";
import {
  combinePrompt,
  FILE_ANSWER_TOKENS,
  FILE_SYSTEM_PROMPT,
  imagePrompt,
  partLabel,
  textPrompt,
} from "./prompts.ts";

/** Context assumed when no document candidate states one: small enough for any chat model. */
export const FALLBACK_CONTEXT_WINDOW = 8192;

/**
 * The most input tokens an image can count. Providers count images differently (Qwen-VL one token
 * per 28×28 patch, up to 16,384 at its default max_pixels of 12,845,056; OpenAI's gpt-4.1-mini up
 * to ~2,500). The facts give no figure for qwen3.8 on Groq, so this is an estimate.
 */
export const IMAGE_TOKEN_BOUND = 16_384;

/**
 * Input tokens to reserve for one image: its patches (28×28 each) at the size it will be sent (at
 * most the resize target), capped at IMAGE_TOKEN_BOUND. Reserving the cap for every image priced
 * a tripwire student's 3-page scan above the whole daily budget; a 1 MP screenshot counts ~1,300.
 */
export function imageTokenEstimate(bytes: Uint8Array): number {
  const header = readImageHeader(bytes);
  if (!header) return IMAGE_TOKEN_BOUND;
  const pixels = Math.min(
    header.width * header.height,
    DEFAULT_RESIZE_TARGET_PIXELS,
  );
  return Math.min(IMAGE_TOKEN_BOUND, Math.ceil(pixels / (28 * 28)) + 2);
}

/** Room kept in each text call for its fragment label. */
const LABEL_TOKENS = 512;

/** A file with more text than this many calls' worth is refused (413): one request may not run
 * unbounded calls (8 × ~126K tokens is about 1,000 pages). */
export const MAX_TEXT_PARTS = 8;

/** An image to look at: the uploaded bytes (prepared for the model only when its call comes), and
 * the 1-based page it shows in a PDF. */
export interface ImageSource {
  bytes: Uint8Array;
  page?: number;
  /** How the client named it in the form, for an error message (e.g. "page_images[2]"). */
  field: string;
}

export type AnalysisUnit =
  | { type: "text"; text: string; pages: number[]; inputTokens: number }
  | {
    type: "vision";
    images: ImageSource[];
    pages: number[];
    inputTokens: number;
  };

export interface AnalysisPlan {
  instruction: string;
  /** In page order; one call each, then one combining call when there is more than one. */
  units: AnalysisUnit[];
  document: Candidate[];
  vision: Candidate[];
  /** Who writes the combined answer when there are several units: the document models, or the
   * vision models (chat models too) for a scan with no text, where no document model is set. */
  combine: Candidate[];
  imageLimits: ImageLimits;
  /** Image token ceilings per task (`_shared/ai/image_policy.ts`). */
  imagePolicy: ImagePolicy;
  /** The most the calls can cost together: what the budget reserves. */
  ceilingUsd: string;
}

export type PlanResult =
  | { ok: true; plan: AnalysisPlan }
  | { ok: false; code: "too_long"; parts: number };

/** The smallest context window the document candidates state (unstated ones do not constrain:
 * OpenAI's windows are far larger and not in the facts file). */
export function documentContextWindow(
  candidates: readonly Candidate[],
): number {
  const stated = candidates
    .map((c) => findModel(c.provider, c.model)?.contextWindow)
    .filter((n): n is number => typeof n === "number");
  return stated.length > 0 ? Math.min(...stated) : FALLBACK_CONTEXT_WINDOW;
}

/**
 * Room kept in a vision request for everything but the images: the system prompt, the instruction
 * (at most 4,000 characters, up to 3 bytes each in UTF-8) and the JSON around them.
 */
export const VISION_REQUEST_TEXT_BYTES = 64 * 1024;

/**
 * Images per call and the image limits every vision candidate can take: the smallest stated value.
 * With none stated, one image a call (never wrong), and the strictest limits in the catalog.
 * `maxImageBytesPerRequest` bounds the data URLs of one call together (Groq: 4 MB for a request
 * carrying a base64 image, `provider_limits.ts`, less {@link VISION_REQUEST_TEXT_BYTES}); one
 * image alone is kept under it too, so a batch of one always fits.
 */
export function visionLimits(
  candidates: readonly Candidate[],
): {
  perRequest: number;
  limits: ImageLimits;
  maxImageBytesPerRequest: number;
} {
  const entries = candidates.map((c) => findModel(c.provider, c.model));
  const min = (values: (number | undefined)[], fallback: () => number) => {
    const stated = values.filter((n): n is number => typeof n === "number" && n > 0);
    return stated.length > 0 ? Math.min(...stated) : fallback();
  };
  const visionCatalog = CATALOG.filter((m) => m.capabilities.includes("vision"));
  const requestBytes = min(
    candidates.map((c) => chatLimitsFor(c.provider, c.model).maxBase64RequestBytes),
    () => Infinity,
  ) - VISION_REQUEST_TEXT_BYTES;
  const imageBytes = min(
    entries.map((e) => e?.maxImageBytes),
    () => min(visionCatalog.map((m) => m.maxImageBytes), () => 4_000_000),
  );
  return {
    perRequest: min(entries.map((e) => e?.imagesPerRequest), () => 1),
    maxImageBytesPerRequest: requestBytes,
    limits: {
      maxBytes: Math.min(imageBytes, requestBytes),
      maxPixels: min(
        entries.map((e) => e?.maxImagePixels),
        () => min(visionCatalog.map((m) => m.maxImagePixels), () => 33_177_600),
      ),
    },
  };
}

/**
 * Plans the calls: text split to fit the smallest document context (each part one `document`
 * call), images batched by the vision models' images-per-request (each batch one `vision` call),
 * all in page order, and the budget ceiling summed over every call including the combining one.
 * @example
 * const r = planFileAnalysis({ instruction, text: [{ page: 1, text }], images: [] },
 *   { document: docs.candidates, vision: vis.candidates }, rt.now());
 * if (r.ok) await reserveBudget(rt, { ..., amountUsd: r.plan.ceilingUsd });
 */
export function planFileAnalysis(
  content: {
    instruction: string;
    text: readonly TextSection[];
    images: readonly ImageSource[];
  },
  targets: { document: readonly Candidate[]; vision: readonly Candidate[] },
  at: Date,
  imagePolicy: ImagePolicy = DEFAULT_IMAGE_POLICY,
): PlanResult {
  const document = targets.document.map(({ provider, model }) => ({
    provider,
    model,
  }));
  const vision = targets.vision.map(({ provider, model }) => ({
    provider,
    model,
  }));
  const fixedTokens = estimateTokens(FILE_SYSTEM_PROMPT) +
    estimateTokens(content.instruction);
  const units: AnalysisUnit[] = [];

  if (content.text.length > 0) {
    const parts = splitTextForContext(content.text, {
      // The fragment's label ("Фрагмент 2 из 3, страницы 4–9, 12") is short; LABEL_TOKENS is ample.
      contextWindow: documentContextWindow(document) - LABEL_TOKENS,
      // The framing is sent with every part: it counts with the instruction.
      instruction: FILE_SYSTEM_PROMPT + textPrompt(content.instruction, ""),
      answerTokens: FILE_ANSWER_TOKENS,
    });
    if (parts.length > MAX_TEXT_PARTS) {
      return { ok: false, code: "too_long", parts: parts.length };
    }
    for (const part of parts) {
      units.push({
        type: "text",
        text: part.text,
        pages: part.pages,
        inputTokens: fixedTokens + part.estimatedTokens + LABEL_TOKENS,
      });
    }
  }
  const { perRequest, limits, maxImageBytesPerRequest } = visionLimits(vision);
  const batches = batchImages(content.images, perRequest, {
    sizeOf: (image) => preparedSizeBound(image.bytes, limits),
    maxBytes: maxImageBytesPerRequest,
  });
  for (const batch of batches) {
    units.push({
      type: "vision",
      images: batch,
      pages: batch.flatMap((i) => (i.page === undefined ? [] : [i.page])),
      inputTokens: fixedTokens + LABEL_TOKENS +
        batch.reduce((n, image) => n + imageTokenEstimate(image.bytes), 0),
    });
  }
  // Page order; a text part spanning pages 1 and 3 goes before the scan of page 2.
  units.sort((a, b) => (a.pages[0] ?? 0) - (b.pages[0] ?? 0));

  let ceiling = "0";
  const add = (candidates: Candidate[], inputTokens: number) => {
    const cost = costCeiling(candidates, {
      inputTokens,
      outputTokens: FILE_ANSWER_TOKENS,
    }, at);
    ceiling = formatDecimal(addDecimal(ceiling, cost), 10);
  };
  for (const u of units) {
    add(u.type === "text" ? document : vision, u.inputTokens);
  }
  const combine = document.length > 0 ? document : vision;
  if (units.length > 1) {
    add(combine, fixedTokens + 512 + units.length * (FILE_ANSWER_TOKENS + 16));
  }
  return {
    ok: true,
    plan: {
      instruction: content.instruction,
      units,
      document,
      vision,
      combine,
      imageLimits: limits,
      imagePolicy,
      ceilingUsd: ceiling,
    },
  };
}

/**
 * The most an image's data URL can weigh once prepared: its own size when it passes as is, else
 * the limit the re-encode aims under (`prepareImageForVision` never returns more).
 */
export function preparedSizeBound(
  bytes: Uint8Array,
  limits: ImageLimits,
): number {
  const mime = readImageHeader(bytes)?.mime ?? "image/jpeg";
  return Math.min(dataUrlLength(bytes.length, mime), limits.maxBytes);
}

/** Money and ledger attempts used so far by a request; the handler settles the budget from it
 * whatever happens. */
export interface Spend {
  costUsd: string;
  /** Ledger rows written so far: the next operation numbers its attempts after them. */
  attempts: number;
}

export interface AnalysisContext {
  requestId: string;
  userId: string;
  platform: Platform;
  functionName: string;
  signal?: AbortSignal;
}

export type AnalysisOutcome =
  | {
    ok: true;
    analysis: string;
    provider: "groq" | "openai";
    models: string[];
    /** Which content calls ran (the combining call is neither). */
    usedText: boolean;
    usedVision: boolean;
    /** The final answer stopped at the output-token limit (its ledger row is `partial`). A part
     * cut short before the combining call is still combined (a summary cut at 4,096 tokens
     * keeps most of its content) and only logged; the student sees `truncated` only when the
     * answer they read is cut. Asking for less (a narrower instruction, fewer pages) is theirs
     * to choose: continuing on our own would spend budget the request did not reserve. */
    truncated: boolean;
  }
  | {
    ok: false;
    failure: {
      code: string;
      message: string;
      status: number;
      retryAfterSeconds?: number;
    };
  }
  | { ok: false; unreadableImage: string };

/**
 * Runs the plan: one call per unit, in order, then a combining call when there were several.
 * `spent` is updated after every call, so the caller can settle even when a later call fails.
 */
export async function runFileAnalysis(
  rt: Pick<Runtime, "clients" | "tracker" | "routing" | "log">,
  ctx: AnalysisContext,
  plan: AnalysisPlan,
  spent: Spend,
): Promise<AnalysisOutcome> {
  const answers: { label: string; text: string; truncated: boolean }[] = [];
  const models: string[] = [];
  let provider: "groq" | "openai" = "groq";

  const call = async (
    operationType: "document" | "vision",
    candidates: Candidate[],
    imageTokens: ((target: Candidate) => number) | undefined,
    send: (
      target: Candidate,
      o: { signal: AbortSignal; timeoutMs: number },
    ) => Promise<ChatResult>,
  ) => {
    const result = await runAIOperation<ChatResult>({
      ...rt.routing,
      context: { ...ctx, operationType, ...(imageTokens ? { imageTokens } : {}) },
      candidates,
      tracker: rt.tracker,
      log: rt.log,
      signal: ctx.signal,
      attemptOffset: spent.attempts,
      // A truncated answer is recorded as `partial` and not retried.
      isPartial: (value) => value.truncated,
      attempt: send,
    });
    spent.costUsd = formatDecimal(
      addDecimal(spent.costUsd, result.costUsd),
      10,
    );
    spent.attempts += result.metrics.length;
    if (result.ok) {
      provider = result.provider;
      if (!models.includes(result.model)) models.push(result.model);
    }
    return result;
  };

  const several = plan.units.length > 1;
  for (const [index, unit] of plan.units.entries()) {
    const label = partLabel(
      index,
      plan.units.length,
      unit.pages,
      unit.type === "text" ? "text" : "images",
    );
    let result;
    if (unit.type === "text") {
      const messages: ChatMessage[] = [
        { role: "system", content: FILE_SYSTEM_PROMPT },
        {
          role: "user",
          content: textPrompt(
            plan.instruction,
            unit.text,
            several ? label : undefined,
          ),
        },
      ];
      result = await call(
        "document",
        plan.document,
        undefined,
        (target, o) =>
          chatCompletion(
            rt.clients,
            target,
            { messages, max_completion_tokens: FILE_ANSWER_TOKENS },
            o,
          ),
      );
    } else {
      // Prepared one by one: only one image is ever decoded; the prepared ones fit the limits
      // and the image policy's token ceiling for the first vision model (a photo uploaded as
      // the file, or a scanned page among page_images).
      const images: ImageInput[] = [];
      const sent: { width: number; height: number; detail: ImageDetail }[] = [];
      const primary = plan.vision[0];
      for (const source of unit.images) {
        const task: ImageTask = source.field === "file" ? "photo" : "scan";
        const header = readImageHeader(source.bytes);
        const target = primary && header
          ? imageTarget(primary.provider, primary.model, header, task, plan.imagePolicy)
          : null;
        const prepared = await prepareImageForVision(
          source.bytes,
          plan.imageLimits,
          target?.downscale ? { policyMaxPixels: target.width * target.height } : {},
        );
        if (!prepared.ok) return { ok: false, unreadableImage: source.field };
        const detail = plan.imagePolicy[task].detail;
        images.push({
          bytes: prepared.image.bytes,
          mimeType: prepared.image.mime,
          detail,
        });
        sent.push({ width: prepared.image.width, height: prepared.image.height, detail });
      }
      const prompt = imagePrompt(
        plan.instruction,
        images.length,
        several ? label : undefined,
      );
      result = await call(
        "vision",
        plan.vision,
        (target) =>
          sent.reduce(
            (n, image) =>
              n + imageTokensFor(target.provider, target.model, image, image.detail).tokens,
            0,
          ),
        (target, o) =>
          visionCompletion(rt.clients, target, {
            system: FILE_SYSTEM_PROMPT,
            prompt,
            images,
            max_completion_tokens: FILE_ANSWER_TOKENS,
          }, o),
      );
    }
    if (!result.ok) return { ok: false, failure: result.failure };
    if (result.value.truncated) {
      rt.log(JSON.stringify({
        level: "warn",
        type: "ai_answer_truncated",
        request_id: ctx.requestId,
        unit: index + 1,
        of: plan.units.length,
        model: result.model,
      }));
    }
    answers.push({
      label,
      text: result.value.text,
      truncated: result.value.truncated,
    });
  }

  if (several) {
    const messages: ChatMessage[] = [
      { role: "system", content: FILE_SYSTEM_PROMPT },
      { role: "user", content: combinePrompt(plan.instruction, answers) },
    ];
    const result = await call(
      "document",
      plan.combine,
      undefined,
      (target, o) =>
        chatCompletion(
          rt.clients,
          target,
          { messages, max_completion_tokens: FILE_ANSWER_TOKENS },
          o,
        ),
    );
    if (!result.ok) return { ok: false, failure: result.failure };
    answers.push({
      label: "",
      text: result.value.text,
      truncated: result.value.truncated,
    });
  }
  return {
    ok: true,
    analysis: answers[answers.length - 1]?.text.trim() ?? "",
    provider,
    models,
    usedText: plan.units.some((u) => u.type === "text"),
    usedVision: plan.units.some((u) => u.type === "vision"),
    truncated: answers[answers.length - 1]?.truncated ?? false,
  };
}
