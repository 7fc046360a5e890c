/**
 * What each provider and model family accepts in a request, as data with sources: the parameters
 * of a chat completion, reasoning settings, images and base64 bytes per request, how a stream
 * delivers usage, transcription formats and language codes.
 *
 * The functions build their requests from this (`providers.ts`, `files/analysis.ts`,
 * process-voice-message) and the offline provider enforces the same table, so a request the real
 * provider would refuse fails in the test suite first. Models are referenced by id; prices and
 * lifecycle stay in `catalog.ts`. Pure data and look-ups: no I/O.
 *
 * Sources (checked 2026-12-01):
 * - GROQ_SDK: npm groq-sdk 1.6.0, `resources/chat/completions.d.ts` (`CompletionCreateParams`,
 *   generated from Groq's OpenAPI spec) and `resources/audio/transcriptions.d.ts`.
 * - OPENAI_SDK: npm openai 7.57.0, `resources/chat/completions/completions.d.ts`
 *   (`ChatCompletionCreateParamsBase`) and `resources/audio/transcriptions.d.ts`.
 * - GROQ_VISION: console.groq.com/docs/vision — "maximum allowed size for a request containing a
 *   base64 encoded image is 4MB"; 413 beyond it.
 * - GROQ_REASONING: console.groq.com/docs/reasoning — reasoning_format raw (`<think>` in
 *   content), parsed (`message.reasoning`), hidden (final answer only).
 *
 * @module
 */
import type { ProviderName } from "./providers.ts";

export const GROQ_SDK_SOURCE = "npm:groq-sdk@1.6.0 resources/chat/completions.d.ts";
export const OPENAI_SDK_SOURCE = "npm:openai@7.57.0 resources/chat/completions/completions.d.ts";
export const GROQ_VISION_SOURCE = "https://console.groq.com/docs/vision";
export const GROQ_REASONING_SOURCE = "https://console.groq.com/docs/reasoning";
export const LIMITS_CHECKED_ON = "2026-12-01";

// ---------------------------------------------------------------------------------------------
// Chat completion parameters

/**
 * Every request field of Groq's `CompletionCreateParams` (groq-sdk 1.6.0), plus `stream_options`:
 * Groq's current API reference lists `stream_options.include_usage` and current Groq clients send
 * it by default when streaming (LangChain's ChatGroq: "defaults to true when streaming");
 * shared/facts/providers-2026-11.md, addendum 2026-12-06. Older responses carried usage only in
 * `x_groq.usage`, which is still read.
 */
export const GROQ_CHAT_PARAMS = [
  "messages",
  "model",
  "citation_options",
  "compound_custom",
  "disable_tool_validation",
  "documents",
  "exclude_domains",
  "frequency_penalty",
  "function_call",
  "functions",
  "include_domains",
  "include_reasoning",
  "logit_bias",
  "logprobs",
  "max_completion_tokens",
  "max_tokens",
  "metadata",
  "n",
  "parallel_tool_calls",
  "presence_penalty",
  "reasoning_effort",
  "reasoning_format",
  "response_format",
  "search_settings",
  "seed",
  "service_tier",
  "stop",
  "store",
  "stream",
  "stream_options",
  "temperature",
  "tool_choice",
  "tools",
  "top_logprobs",
  "top_p",
  "user",
] as const;

/** Every request field of OpenAI's `ChatCompletionCreateParamsBase` (openai 7.57.0). */
export const OPENAI_CHAT_PARAMS = [
  "messages",
  "model",
  "audio",
  "frequency_penalty",
  "function_call",
  "functions",
  "logit_bias",
  "logprobs",
  "max_completion_tokens",
  "max_tokens",
  "metadata",
  "modalities",
  "moderation",
  "n",
  "parallel_tool_calls",
  "prediction",
  "presence_penalty",
  "prompt_cache_key",
  "prompt_cache_options",
  "prompt_cache_retention",
  "reasoning_effort",
  "response_format",
  "safety_identifier",
  "seed",
  "service_tier",
  "stop",
  "store",
  "stream",
  "stream_options",
  "temperature",
  "tool_choice",
  "tools",
  "top_logprobs",
  "top_p",
  "user",
  "verbosity",
  "web_search_options",
] as const;

export type GroqChatParam = typeof GROQ_CHAT_PARAMS[number];
export type OpenAIChatParam = typeof OPENAI_CHAT_PARAMS[number];

export type ReasoningFormat = "raw" | "parsed" | "hidden";

/** How a streamed chat completion reports usage. */
export type StreamUsageDelivery =
  /** `stream_options: { include_usage: true }` → a last chunk with `usage` and no choices. */
  | "stream_options"
  /** `x_groq.usage` on the final chunk only (Groq before it documented `stream_options`). */
  | "x_groq";

export interface ChatModelLimits {
  provider: ProviderName;
  /** Model ids this entry covers: exact ids or prefixes ending in "*". */
  models: readonly string[];
  /** Fields the endpoint takes; any other field is a 400 (Groq: "property 'X' is unsupported"). */
  params: readonly string[];
  /** Fields in `params` that the model family still refuses with a 400. */
  refused?: readonly string[];
  /** Accepted `reasoning_effort` values; absent = the field is refused for this family. */
  reasoningEfforts?: readonly string[];
  /** Accepted `reasoning_format` values; absent = the field is refused for this family. */
  reasoningFormats?: readonly ReasoningFormat[];
  /** What the provider does with reasoning when no `reasoning_format` is sent. */
  defaultReasoningFormat?: ReasoningFormat;
  /** What our calls send for reasoning (merged into every request to this family). */
  ours?: { reasoning_effort?: string; reasoning_format?: ReasoningFormat };
  /** Images in one request. */
  maxImages?: number;
  /** The whole JSON body of a request that carries a base64 image, in bytes. */
  maxBase64RequestBytes?: number;
  streamUsage: StreamUsageDelivery;
  source: string;
  checkedOn: string;
}

/** Groq refuses these three with a 400 although its spec lists them ("not yet supported by any
 * of our models"), and `n` other than 1 (console.groq.com/docs/openai). */
const GROQ_REFUSED = ["logprobs", "logit_bias", "top_logprobs"] as const;

/**
 * Groq's 4 MB for a request carrying a base64 image, read as 10^6 bytes (the stricter reading,
 * as the catalog reads its per-image 4 MB).
 */
export const GROQ_MAX_BASE64_REQUEST_BYTES = 4_000_000;

/** The table, most specific entries first (the first match wins). */
export const CHAT_MODEL_LIMITS: readonly ChatModelLimits[] = [
  {
    provider: "groq",
    models: ["openai/gpt-oss-*"],
    params: GROQ_CHAT_PARAMS,
    // gpt-oss takes include_reasoning, not reasoning_format (GROQ_REASONING).
    refused: [...GROQ_REFUSED, "reasoning_format"],
    reasoningEfforts: ["low", "medium", "high"],
    // "low" keeps a curator answer and a file summary fast and cheap; reasoning goes to
    // `message.reasoning`, never into content.
    ours: { reasoning_effort: "low" },
    streamUsage: "stream_options",
    source: `${GROQ_SDK_SOURCE} (reasoning_effort doc); ${GROQ_REASONING_SOURCE}`,
    checkedOn: LIMITS_CHECKED_ON,
  },
  {
    provider: "groq",
    models: ["qwen/qwen3.8-27b"],
    params: GROQ_CHAT_PARAMS,
    refused: GROQ_REFUSED,
    // groq-sdk 1.6.0: "qwen/qwen3.8-27b additionally supports low, medium, and high. Its default
    // is medium".
    reasoningEfforts: ["none", "default", "low", "medium", "high"],
    reasoningFormats: ["raw", "parsed", "hidden"],
    defaultReasoningFormat: "raw",
    // Without these Groq puts `<think>…</think>` into content and medium effort spends the
    // answer's token budget on reasoning. Hidden: we never show reasoning to students.
    ours: { reasoning_effort: "low", reasoning_format: "hidden" },
    maxImages: 3,
    maxBase64RequestBytes: GROQ_MAX_BASE64_REQUEST_BYTES,
    streamUsage: "stream_options",
    source: `${GROQ_SDK_SOURCE}; ${GROQ_REASONING_SOURCE}; ${GROQ_VISION_SOURCE}`,
    checkedOn: LIMITS_CHECKED_ON,
  },
  {
    provider: "groq",
    models: ["qwen/*"],
    params: GROQ_CHAT_PARAMS,
    refused: GROQ_REFUSED,
    // groq-sdk 1.6.0: "qwen3 models support `none` to disable reasoning and `default`".
    reasoningEfforts: ["none", "default"],
    reasoningFormats: ["raw", "parsed", "hidden"],
    defaultReasoningFormat: "raw",
    ours: { reasoning_effort: "none", reasoning_format: "hidden" },
    // Images per request are not stated for qwen3.6 (the catalog marks it uncertain): routing
    // plans one image a call for it; the double takes up to 3 as on qwen3.8.
    maxImages: 3,
    maxBase64RequestBytes: GROQ_MAX_BASE64_REQUEST_BYTES,
    streamUsage: "stream_options",
    source: `${GROQ_SDK_SOURCE}; ${GROQ_REASONING_SOURCE}; ${GROQ_VISION_SOURCE}`,
    checkedOn: LIMITS_CHECKED_ON,
  },
  {
    provider: "groq",
    models: ["*"],
    params: GROQ_CHAT_PARAMS,
    refused: GROQ_REFUSED,
    maxBase64RequestBytes: GROQ_MAX_BASE64_REQUEST_BYTES,
    streamUsage: "stream_options",
    source: GROQ_SDK_SOURCE,
    checkedOn: LIMITS_CHECKED_ON,
  },
  {
    provider: "openai",
    models: ["gpt-5*", "gpt-6*", "o1*", "o3*", "o4*"],
    params: OPENAI_CHAT_PARAMS,
    // Reasoning models take max_completion_tokens only (OPENAI_SDK: max_tokens "is not
    // compatible with o-series models").
    refused: ["max_tokens"],
    reasoningEfforts: ["none", "minimal", "low", "medium", "high", "xhigh", "max"],
    streamUsage: "stream_options",
    source: OPENAI_SDK_SOURCE,
    checkedOn: LIMITS_CHECKED_ON,
  },
  {
    provider: "openai",
    models: ["*"],
    params: OPENAI_CHAT_PARAMS,
    // gpt-4o and gpt-4.1 are not reasoning models: reasoning_effort is a 400 there.
    refused: ["reasoning_effort"],
    streamUsage: "stream_options",
    source: OPENAI_SDK_SOURCE,
    checkedOn: LIMITS_CHECKED_ON,
  },
];

function matches(pattern: string, model: string): boolean {
  return pattern.endsWith("*") ? model.startsWith(pattern.slice(0, -1)) : pattern === model;
}

/**
 * The limits of `model` at `provider` (the first matching entry; every provider has a catch-all).
 * @example chatLimitsFor("groq", "qwen/qwen3.8-27b").ours // { reasoning_effort: "low", reasoning_format: "hidden" }
 */
export function chatLimitsFor(provider: ProviderName, model: string): ChatModelLimits {
  const entry = CHAT_MODEL_LIMITS.find((e) =>
    e.provider === provider && e.models.some((p) => matches(p, model))
  );
  if (!entry) throw new Error(`no chat limits for ${provider}:${model}`);
  return entry;
}

/**
 * Why `body` would be refused by `provider` for `model`, or null when it would be accepted: an
 * unknown field, a field the family refuses, or a reasoning value it does not take. The offline
 * provider answers 400 with this; the contract tests call it on every request we build.
 */
export function chatRequestProblem(
  provider: ProviderName,
  model: string,
  body: Record<string, unknown>,
): { param: string; message: string } | null {
  const limits = chatLimitsFor(provider, model);
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined) continue;
    const refused = limits.refused?.includes(key) && value !== null && value !== false;
    if (!limits.params.includes(key) || refused) {
      return {
        param: key,
        message: provider === "groq"
          ? `property '${key}' is unsupported`
          : `Unsupported parameter: '${key}' is not supported with this model.`,
      };
    }
  }
  if (provider === "groq" && typeof body.n === "number" && body.n !== 1) {
    return { param: "n", message: "'n' : number must be at most 1" };
  }
  const effort = body.reasoning_effort;
  if (effort !== undefined && effort !== null) {
    if (!limits.reasoningEfforts?.includes(String(effort))) {
      return {
        param: "reasoning_effort",
        message: `reasoning_effort '${effort}' is not supported with model '${model}'`,
      };
    }
  }
  const format = body.reasoning_format;
  if (format !== undefined && format !== null) {
    if (!limits.reasoningFormats?.includes(format as ReasoningFormat)) {
      return {
        param: "reasoning_format",
        message: `reasoning_format '${format}' is not supported with model '${model}'`,
      };
    }
    if (format === "raw" && (body.response_format !== undefined || body.tools !== undefined)) {
      // GROQ_REASONING: raw with JSON mode or tool use is a 400.
      return {
        param: "reasoning_format",
        message: "reasoning_format 'raw' is not supported with JSON mode or tool use",
      };
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Transcription

export type TranscriptionFormat = "json" | "verbose_json" | "text";

export interface TranscriptionModelLimits {
  provider: ProviderName;
  models: readonly string[];
  responseFormats: readonly TranscriptionFormat[];
  /** What we ask for: `verbose_json` where it exists (it carries `duration`), else `json`. */
  ours: TranscriptionFormat;
  source: string;
  checkedOn: string;
}

export const TRANSCRIPTION_MODEL_LIMITS: readonly TranscriptionModelLimits[] = [
  {
    // openai 7.57.0: "For gpt-4o-transcribe and gpt-4o-mini-transcribe, the only supported
    // format is json." gpt-transcribe replaces them (2027-02-26) and is taken as the same family.
    provider: "openai",
    models: ["gpt-4o-transcribe", "gpt-4o-mini-transcribe", "gpt-transcribe*"],
    responseFormats: ["json"],
    ours: "json",
    source: "npm:openai@7.57.0 resources/audio/transcriptions.d.ts (response_format)",
    checkedOn: LIMITS_CHECKED_ON,
  },
  {
    provider: "openai",
    models: ["*"],
    responseFormats: ["json", "text", "verbose_json"],
    ours: "verbose_json",
    source: "npm:openai@7.57.0 resources/audio/transcriptions.d.ts (response_format)",
    checkedOn: LIMITS_CHECKED_ON,
  },
  {
    provider: "groq",
    models: ["*"],
    responseFormats: ["json", "text", "verbose_json"],
    ours: "verbose_json",
    source: "npm:groq-sdk@1.6.0 resources/audio/transcriptions.d.ts (response_format)",
    checkedOn: LIMITS_CHECKED_ON,
  },
];

/** The transcription limits of `model` at `provider` (every provider has a catch-all). */
export function transcriptionLimitsFor(
  provider: ProviderName,
  model: string,
): TranscriptionModelLimits {
  const entry = TRANSCRIPTION_MODEL_LIMITS.find((e) =>
    e.provider === provider && e.models.some((p) => matches(p, model))
  );
  if (!entry) throw new Error(`no transcription limits for ${provider}:${model}`);
  return entry;
}

/**
 * The transcription languages Groq and OpenAI Whisper take: ISO-639-1 codes, plus Groq's two
 * documented exceptions `haw` (Hawaiian, no ISO-639-1 code) and `yue` (Cantonese). The list is
 * groq-sdk 1.6.0's `TranscriptionCreateParams.language`.
 */
// deno-fmt-ignore
export const TRANSCRIPTION_LANGUAGES: ReadonlySet<string> = new Set([
  "en", "zh", "de", "es", "ru", "ko", "fr", "ja", "pt", "tr", "pl", "ca", "nl", "ar", "sv", "it",
  "id", "hi", "fi", "vi", "he", "uk", "el", "ms", "cs", "ro", "da", "hu", "ta", "no", "th", "ur",
  "hr", "bg", "lt", "la", "mi", "ml", "cy", "sk", "te", "fa", "lv", "bn", "sr", "az", "sl", "kn",
  "et", "mk", "br", "eu", "is", "hy", "ne", "mn", "bs", "kk", "sq", "sw", "gl", "mr", "pa", "si",
  "km", "sn", "yo", "so", "af", "oc", "ka", "be", "tg", "sd", "gu", "am", "yi", "lo", "uz", "fo",
  "ht", "ps", "tk", "nn", "mt", "sa", "lb", "my", "bo", "tl", "mg", "as", "tt", "haw", "ln", "ha",
  "ba", "jv", "su", "yue",
]);
