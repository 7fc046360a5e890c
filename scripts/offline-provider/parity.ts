/**
 * What the offline provider refuses and how it shapes answers so that it behaves as Groq and
 * OpenAI document, per model. The rules are the functions' own table,
 * `supabase/functions/_shared/ai/provider_limits.ts` (each entry with its source): one table, so a
 * request the functions build and the real provider would refuse fails here first.
 *
 * - chat: unknown or refused fields → 400 (Groq: "property 'X' is unsupported"), reasoning values
 *   per model family, images per request, and Groq's 4 MB for a request carrying a base64 image
 *   (413);
 * - Qwen reasoning formats: `raw` (Groq's default for Qwen 3) puts `<think>…</think>` in content,
 *   `parsed` moves it to `message.reasoning`, `hidden` drops it; effort `none` reasons not at all;
 * - transcription: `response_format` per model, language codes (ISO-639-1 plus Groq's exceptions).
 */
import {
  chatLimitsFor,
  chatRequestProblem,
  type ReasoningFormat,
  TRANSCRIPTION_LANGUAGES,
  transcriptionLimitsFor,
} from "../../supabase/functions/_shared/ai/provider_limits.ts";

export type ProviderName = "groq" | "openai";

/** A refusal the server turns into the provider's error body. */
export interface Refusal {
  status: number;
  message: string;
  param: string | null;
  code: string | null;
}

/**
 * Why a chat request would be refused (fields and reasoning values, then the request size), or
 * null. `bodyBytes` is the request's JSON size; `images` how many base64 images it carries.
 */
export function chatRefusal(
  provider: ProviderName,
  model: string,
  body: Record<string, unknown>,
  bodyBytes: number,
  base64Images: number,
): Refusal | null {
  const problem = chatRequestProblem(provider, model, body);
  if (problem) {
    return { status: 400, message: problem.message, param: problem.param, code: null };
  }
  const limits = chatLimitsFor(provider, model);
  if (
    base64Images > 0 && limits.maxBase64RequestBytes !== undefined &&
    bodyBytes > limits.maxBase64RequestBytes
  ) {
    return {
      status: 413,
      message: `Request Entity Too Large: a request containing a base64 encoded image may be at ` +
        `most 4MB (this one is ${bodyBytes} bytes).`,
      param: null,
      code: "request_too_large",
    };
  }
  return null;
}

/** Images a model takes in one request at this provider, when the table states it. */
export function maxImagesFor(provider: ProviderName, model: string): number | undefined {
  return chatLimitsFor(provider, model).maxImages;
}

/** How the answer carries reasoning for this request: where it goes, and its text. */
export interface ReasoningOutput {
  format: ReasoningFormat | null;
  /** Text to put first in content (`raw`), or in `message.reasoning` (`parsed`). */
  text: string;
}

/**
 * Qwen on Groq reasons unless asked not to (`reasoning_effort: "none"`), and where the reasoning
 * goes depends on `reasoning_format`, default `raw` (or `parsed` with JSON mode or tools).
 * Other families give `{ format: null }`: their reasoning never appears in content.
 */
export function reasoningOutput(
  provider: ProviderName,
  model: string,
  body: Record<string, unknown>,
): ReasoningOutput {
  const limits = chatLimitsFor(provider, model);
  if (!limits.defaultReasoningFormat || body.reasoning_effort === "none") {
    return { format: null, text: "" };
  }
  const asked = body.reasoning_format as ReasoningFormat | null | undefined;
  const format = asked ??
    (body.response_format !== undefined || body.tools !== undefined
      ? "parsed"
      : limits.defaultReasoningFormat);
  const text = "[offline-provider] Тестовые рассуждения офлайн-провайдера, а не модели.";
  return { format, text: format === "hidden" ? "" : text };
}

/** Why a transcription request would be refused, or null. */
export function transcriptionRefusal(
  provider: ProviderName,
  model: string,
  responseFormat: string,
  language: string | null,
): Refusal | null {
  const limits = transcriptionLimitsFor(provider, model);
  if (!(limits.responseFormats as readonly string[]).includes(responseFormat)) {
    return {
      status: 400,
      message: provider === "openai"
        ? `response_format '${responseFormat}' is not compatible with ${model}, use 'json'.`
        : `response_format must be one of ${limits.responseFormats.join(", ")}`,
      param: "response_format",
      code: "unsupported_value",
    };
  }
  if (language !== null && !TRANSCRIPTION_LANGUAGES.has(language)) {
    return {
      status: 400,
      message: `language '${language}' is not supported: use an ISO-639-1 code such as 'ru'`,
      param: "language",
      code: null,
    };
  }
  return null;
}
