/**
 * The offline AI provider: an OpenAI-compatible HTTP test double for Groq and OpenAI.
 *
 * The real providers cannot be reached from development and CI machines, so this server answers
 * their wire format instead: Groq on `/openai/v1/...`, OpenAI on `/v1/...`. It is a stand-in for the
 * network, never a model: every reply text starts with `[offline-provider]`, carries
 * `system_fingerprint: "offline-provider"` and the header `x-offline-provider: 1`.
 *
 * Tests make it fail the way the real services fail through the control plane under `/__offline/`
 * (see docs/DESIGN.md, "The offline AI provider").
 *
 * It sits in benchmark paths, so per-request work is kept small: static headers and model tables
 * are built once, images are sized from a decoded prefix of their base64, audio duration is read
 * from container headers.
 *
 * @example
 * ```ts
 * const provider = createOfflineProvider();
 * const server = Deno.serve({ port: 0 }, provider.handler);
 * const groq = new OpenAI({
 *   apiKey: "offline-groq-key",
 *   baseURL: `http://127.0.0.1:${server.addr.port}/openai/v1`,
 *   maxRetries: 0,
 * });
 * provider.state.addFault({ provider: "groq", fault: { type: "rate_limit", retryAfterSeconds: 2 } });
 * ```
 */

import { measureAudioDuration } from "../../supabase/functions/_shared/audio/duration.ts";
import { chatRefusal, reasoningOutput, type Refusal, transcriptionRefusal } from "./parity.ts";
import { createOrganizationApi, type OrganizationDataset } from "./organization.ts";
import { contentKey, createPromptCache, imageTokens, PromptText } from "./prompt_usage.ts";

// ---------------------------------------------------------------------------------------------
// Public types

export type ProviderName = "groq" | "openai";

export type Fault =
  | { type: "rate_limit"; retryAfterSeconds?: number }
  | { type: "status"; status: number; code?: string; message?: string }
  | { type: "hang"; ms?: number }
  | { type: "cut_stream"; afterChunks: number }
  | { type: "decommissioned" }
  | { type: "no_duration" }
  | { type: "cached_tokens"; cached: number }
  /** The model stops at its token limit: half the reply, `finish_reason: "length"`. */
  | { type: "length" }
  /** How a Groq stream delivers usage besides the `stream_options.include_usage` chunk: `x_groq`
   * (the default: `x_groq.usage` on the final chunk), `usage` (a top-level `usage` on the final
   * chunk instead), `both`, or `none` (no usage at all, not even the asked-for chunk). */
  | { type: "stream_usage"; variant: "x_groq" | "usage" | "both" | "none" }
  /** A streamed chat answer paced: `chunkDelayMs` between chunks, as a slow model writes (a
   * browser test watches the answer grow while it is still streaming). */
  | { type: "slow_stream"; chunkDelayMs: number };

/** What `POST /__offline/faults` accepts. */
export interface FaultRuleInput {
  provider?: ProviderName;
  /** Suffix of the request path, e.g. "chat/completions" or "audio/transcriptions". */
  path?: string;
  model?: string;
  /** How many matching requests the rule applies to (default 1). */
  times?: number;
  fault: Fault;
}

export interface FaultRule extends FaultRuleInput {
  id: number;
  /** Requests it still applies to. */
  remaining: number;
}

export interface ImageSummary {
  bytes: number;
  width: number | null;
  height: number | null;
  mime: string | null;
  /** Set for http(s) image URLs, which the offline provider cannot fetch. */
  url?: string;
  /** OpenAI's `detail` as sent. */
  detail?: string;
  /** Image tokens counted by the model's rule (`prompt_usage.ts`). */
  tokens?: number;
}

export interface RequestLogEntry {
  at: string;
  provider: ProviderName;
  path: string;
  model: string | null;
  status: number;
  /** The fault applied to this request, if any. */
  fault?: Fault["type"];
  body: {
    messages?: number;
    images?: ImageSummary[];
    /** Size of a JSON request body in bytes (Groq's 4 MB rule for base64 images). */
    bytes?: number;
    /** Where a Qwen answer put its reasoning (`raw`, `parsed`, `hidden`), when it reasoned. */
    reasoningFormat?: string;
    /** The transcription's response_format and language as sent. */
    responseFormat?: string;
    language?: string;
    fileBytes?: number;
    /** Duration the offline provider measured from the uploaded audio. */
    durationSeconds?: number;
    stream: boolean;
  };
}

export interface OfflineProviderOptions {
  /** Clock (ms since epoch). Also decides which OpenAI models have been shut down. */
  now?: () => number;
  /** Pause between streamed chunks, to look like token-by-token output (default 0). */
  streamChunkDelayMs?: number;
  /** The request log keeps only the newest entries (default 1000). */
  maxLoggedRequests?: number;
  /** Extra model ids to accept, e.g. for a test of a model not in the tables below. */
  extraModels?: Partial<Record<ProviderName, string[]>>;
  /** Simulate the providers' automatic prefix caching (`prompt_usage.ts`); default true. */
  promptCaching?: boolean;
}

export interface OfflineProviderState {
  /** Active fault rules, oldest first. */
  readonly faults: FaultRule[];
  /** Handled requests (control-plane calls excluded), oldest first. */
  readonly requests: RequestLogEntry[];
  addFault(rule: FaultRuleInput): FaultRule;
  reset(): void;
}

export interface OfflineProvider {
  handler(req: Request): Promise<Response>;
  state: OfflineProviderState;
  /** Releases requests held by hang faults (they answer 503), so a server can shut down. */
  close(): void;
}

// ---------------------------------------------------------------------------------------------
// Model tables (facts from /work/shared/facts/providers-2026-11.md, checked 2026-11-25). This is a
// test double: the catalog in _shared/ai is the source of truth for prices; here only what the
// wire shows (does the model exist, is it retired, what can it do).

type Capability = "chat" | "vision" | "reasoning" | "speech";

interface ModelInfo {
  capabilities: readonly Capability[];
  contextWindow?: number;
  maxImages?: number;
  /** OpenAI shutdown date (YYYY-MM-DD); from then on the model answers model_decommissioned. */
  shutdownOn?: string;
}

const GROQ_MODELS: Record<string, ModelInfo> = {
  "openai/gpt-oss-120b": { capabilities: ["chat", "reasoning"], contextWindow: 131072 },
  "openai/gpt-oss-20b": { capabilities: ["chat", "reasoning"], contextWindow: 131072 },
  "qwen/qwen3.6-27b": { capabilities: ["chat", "vision"], contextWindow: 131072 },
  // Three images per request on qwen3.8 (Groq docs, 2026-08; the facts file marks it uncertain).
  "qwen/qwen3.8-27b": { capabilities: ["chat", "vision"], contextWindow: 131042, maxImages: 3 },
  "whisper-large-v3": { capabilities: ["speech"] },
  "whisper-large-v3-turbo": { capabilities: ["speech"] },
};

/** Retired Groq models → Groq's named replacement (empty when none was named). */
const GROQ_RETIRED: Record<string, string> = {
  "llama-3.3-70b-versatile": "openai/gpt-oss-120b",
  "llama-3.1-8b-instant": "openai/gpt-oss-20b",
  "meta-llama/llama-4-scout-17b-16e-instruct": "qwen/qwen3.6-27b",
  "qwen/qwen3-32b": "openai/gpt-oss-120b",
  "moonshotai/kimi-k2-instruct-0905": "openai/gpt-oss-120b",
  "meta-llama/llama-4-maverick-17b-128e-instruct": "openai/gpt-oss-120b",
  "gemma2-9b-it": "",
  "llama3-70b-8192": "",
  "llama-3-70b-8192": "",
  "llama-3.2-90b-vision-preview": "",
  "llama-3.2-11b-vision-preview": "",
  "mixtral-8x7b-32768": "",
  "distil-whisper-large-v3-en": "whisper-large-v3-turbo",
};

const OPENAI_CHAT: readonly Capability[] = ["chat", "vision"];
const OPENAI_REASONING: readonly Capability[] = ["chat", "vision", "reasoning"];
const OPENAI_MODELS: Record<string, ModelInfo> = {
  "gpt-4o": { capabilities: OPENAI_CHAT, shutdownOn: "2027-01-14" },
  "gpt-4o-mini": { capabilities: OPENAI_CHAT, shutdownOn: "2027-01-14" },
  "gpt-4.1": { capabilities: OPENAI_CHAT, shutdownOn: "2027-01-14" },
  "gpt-4.1-mini": { capabilities: OPENAI_CHAT, shutdownOn: "2027-01-14" },
  "gpt-5": { capabilities: OPENAI_REASONING, shutdownOn: "2026-12-11" },
  "gpt-5-mini": { capabilities: OPENAI_REASONING, shutdownOn: "2026-12-11" },
  "gpt-5-nano": { capabilities: OPENAI_REASONING, shutdownOn: "2026-12-11" },
  "gpt-6-sol": { capabilities: OPENAI_REASONING },
  "gpt-6-luna": { capabilities: OPENAI_REASONING },
  "whisper-1": { capabilities: ["speech"], shutdownOn: "2027-02-26" },
  "gpt-4o-transcribe": { capabilities: ["speech"], shutdownOn: "2027-02-26" },
  "gpt-4o-mini-transcribe": { capabilities: ["speech"], shutdownOn: "2027-02-26" },
  "gpt-transcribe": { capabilities: ["speech"] },
};

/** The Assistants API was shut down on 2026-08-26; its paths answer like retired endpoints. */
const OPENAI_GONE_PATH_PREFIXES = ["/v1/assistants", "/v1/threads"];

// Groq vision limits (console.groq.com/docs/vision, facts file 2026-11-25).
const GROQ_MAX_BASE64_IMAGE_BYTES = 4 * 1024 * 1024;
const GROQ_MAX_IMAGE_PIXELS = 33_177_600;
// Direct audio upload limit on both providers (25 MB).
const MAX_AUDIO_BYTES = 25 * 1024 * 1024;

const RATE_LIMITS: Record<ProviderName, { requests: number; tokens: number }> = {
  // Groq developer plan for gpt-oss (1K RPM, 250K TPM); OpenAI: a typical tier-3 figure.
  groq: { requests: 1000, tokens: 250_000 },
  openai: { requests: 5000, tokens: 2_000_000 },
};

// ---------------------------------------------------------------------------------------------
// Pre-built strings and small helpers

const encoder = new TextEncoder();
const SSE_DONE = encoder.encode("data: [DONE]\n\n");
const JSON_TYPE = "application/json";
const REPLY_PREFIX = "[offline-provider]";
const FINGERPRINT = "offline-provider";

const STATIC_HEADERS: Record<ProviderName, [string, string][]> = {
  groq: [
    ["x-offline-provider", "1"],
    ["x-ratelimit-limit-requests", String(RATE_LIMITS.groq.requests)],
    ["x-ratelimit-limit-tokens", String(RATE_LIMITS.groq.tokens)],
  ],
  openai: [
    ["x-offline-provider", "1"],
    ["x-ratelimit-limit-requests", String(RATE_LIMITS.openai.requests)],
    ["x-ratelimit-limit-tokens", String(RATE_LIMITS.openai.tokens)],
    ["openai-organization", "offline-provider"],
  ],
};

const LANGUAGE_NAMES: Record<string, string> = {
  ru: "russian",
  en: "english",
  uk: "ukrainian",
  kk: "kazakh",
  be: "belarusian",
  de: "german",
  fr: "french",
  es: "spanish",
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

function estimateTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

function formatReset(seconds: number): string {
  return `${Math.max(0, seconds).toFixed(2).replace(/\.?0+$/, "")}s`;
}

// ---------------------------------------------------------------------------------------------
// Images

/** Reads pixel dimensions from PNG, JPEG, WebP or GIF headers. */
export function imageInfo(
  bytes: Uint8Array,
): { mime: string; width: number; height: number } | null {
  const b = bytes;
  if (b.length >= 24 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) {
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    return { mime: "image/png", width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (b.length >= 10 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38) {
    return { mime: "image/gif", width: b[6] | (b[7] << 8), height: b[8] | (b[9] << 8) };
  }
  if (
    b.length >= 30 && b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 &&
    b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50
  ) {
    const chunk = String.fromCharCode(b[12], b[13], b[14], b[15]);
    if (chunk === "VP8 ") {
      return {
        mime: "image/webp",
        width: (b[26] | (b[27] << 8)) & 0x3fff,
        height: (b[28] | (b[29] << 8)) & 0x3fff,
      };
    }
    if (chunk === "VP8L") {
      return {
        mime: "image/webp",
        width: 1 + (((b[22] & 0x3f) << 8) | b[21]),
        height: 1 + (((b[24] & 0x0f) << 10) | (b[23] << 2) | ((b[22] & 0xc0) >> 6)),
      };
    }
    if (chunk === "VP8X") {
      return {
        mime: "image/webp",
        width: 1 + (b[24] | (b[25] << 8) | (b[26] << 16)),
        height: 1 + (b[27] | (b[28] << 8) | (b[29] << 16)),
      };
    }
    return null;
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let at = 2;
    while (at + 9 < b.length) {
      if (b[at] !== 0xff) return null;
      const marker = b[at + 1];
      if (marker === 0xff) {
        at++;
        continue;
      }
      const length = (b[at + 2] << 8) | b[at + 3];
      // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
      if (
        marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc
      ) {
        return {
          mime: "image/jpeg",
          height: (b[at + 5] << 8) | b[at + 6],
          width: (b[at + 7] << 8) | b[at + 8],
        };
      }
      at += 2 + length;
    }
    return null;
  }
  return null;
}

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Headers live at the start; only JPEGs with big EXIF blocks need more than this prefix. */
const IMAGE_PREFIX_CHARS = 64 * 1024;

function summariseImageUrl(url: string): ImageSummary {
  if (!url.startsWith("data:")) {
    return { bytes: 0, width: null, height: null, mime: null, url: url.slice(0, 200) };
  }
  const comma = url.indexOf(",");
  const header = url.slice(5, comma);
  if (comma < 0 || !header.endsWith(";base64")) {
    throw new HttpError(400, "Invalid image data URL: expected base64.", "invalid_request_error");
  }
  const payloadLength = url.length - comma - 1;
  let padding = 0;
  if (url.endsWith("==")) padding = 2;
  else if (url.endsWith("=")) padding = 1;
  const bytes = Math.floor((payloadLength * 3) / 4) - padding;
  let info: ReturnType<typeof imageInfo>;
  try {
    const prefixEnd = Math.min(url.length, comma + 1 + IMAGE_PREFIX_CHARS);
    info = imageInfo(decodeBase64(url.slice(comma + 1, prefixEnd)));
    if (info === null && prefixEnd < url.length) {
      info = imageInfo(decodeBase64(url.slice(comma + 1)));
    }
  } catch {
    info = null;
  }
  if (info === null) {
    throw new HttpError(
      400,
      "Invalid image data: expected a PNG, JPEG, WebP or GIF image.",
      "invalid_request_error",
      "invalid_image",
    );
  }
  return { bytes, width: info.width, height: info.height, mime: info.mime };
}

// ---------------------------------------------------------------------------------------------
// Request bodies

interface ChatInput {
  messages: number;
  textChars: number;
  images: ImageSummary[];
  lastUserText: string;
  /** The prompt as the prefix cache sees it, with image tokens counted for the model. */
  prompt: PromptText;
}

/** Image tokens of one image for the request's model. */
type CountImage = (image: ImageSummary) => number;

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Walks chat messages or Responses input items: text parts, image parts, nested content. */
function readContent(content: unknown, input: ChatInput, role: string, count: CountImage) {
  const addImage = (image: ImageSummary, url?: string) => {
    image.tokens = count(image);
    input.images.push(image);
    input.prompt.image(image.tokens, image, url === undefined ? "" : contentKey(url));
  };
  if (typeof content === "string") {
    input.textChars += content.length;
    input.prompt.text(content);
    if (role === "user") input.lastUserText = content;
    return;
  }
  if (!Array.isArray(content)) return;
  for (const part of content) {
    if (!isObject(part)) continue;
    const type = part.type;
    if (
      (type === "text" || type === "input_text" || type === "output_text") &&
      typeof part.text === "string"
    ) {
      input.textChars += part.text.length;
      input.prompt.text(part.text);
      if (role === "user") input.lastUserText = part.text;
    } else if (type === "image_url") {
      const imageUrl = part.image_url;
      const url = isObject(imageUrl) ? imageUrl.url : imageUrl;
      if (typeof url !== "string") {
        throw new HttpError(400, "image_url.url must be a string.", "invalid_request_error");
      }
      const detail = isObject(imageUrl) && typeof imageUrl.detail === "string"
        ? imageUrl.detail
        : undefined;
      addImage({ ...summariseImageUrl(url), ...(detail ? { detail } : {}) }, url);
    } else if (type === "input_image") {
      const detail = typeof part.detail === "string" ? { detail: part.detail } : {};
      if (typeof part.image_url === "string") {
        addImage({ ...summariseImageUrl(part.image_url), ...detail }, part.image_url);
      } else addImage({ bytes: 0, width: null, height: null, mime: null, ...detail });
    }
  }
}

function readChatBody(body: JsonObject, count: CountImage): ChatInput {
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new HttpError(
      400,
      "'messages' must be a non-empty array.",
      "invalid_request_error",
      null,
      "messages",
    );
  }
  const input: ChatInput = {
    messages: messages.length,
    textChars: 0,
    images: [],
    lastUserText: "",
    prompt: new PromptText(),
  };
  for (const message of messages) {
    if (!isObject(message) || typeof message.role !== "string") {
      throw new HttpError(
        400,
        "Each message needs a 'role'.",
        "invalid_request_error",
        null,
        "messages",
      );
    }
    input.prompt.role(message.role);
    readContent(message.content, input, message.role, count);
  }
  return input;
}

function readResponsesBody(body: JsonObject, count: CountImage): ChatInput {
  const input: ChatInput = {
    messages: 0,
    textChars: 0,
    images: [],
    lastUserText: "",
    prompt: new PromptText(),
  };
  if (typeof body.instructions === "string") {
    input.textChars += body.instructions.length;
    input.prompt.role("instructions");
    input.prompt.text(body.instructions);
  }
  if (typeof body.input === "string") {
    input.messages = 1;
    input.prompt.role("user");
    readContent(body.input, input, "user", count);
  } else if (Array.isArray(body.input)) {
    for (const item of body.input) {
      if (!isObject(item)) continue;
      input.messages++;
      const role = typeof item.role === "string" ? item.role : "user";
      input.prompt.role(role);
      readContent(item.content, input, role, count);
    }
  } else {
    throw new HttpError(
      400,
      "'input' must be a string or an array.",
      "invalid_request_error",
      null,
      "input",
    );
  }
  return input;
}

/** Fields Groq's OpenAI-compatible chat endpoint rejects (console.groq.com/docs/openai). */
function groqUnsupportedField(body: JsonObject): string | null {
  if (body.logprobs === true) return "logprobs";
  if (body.logit_bias !== undefined && body.logit_bias !== null) return "logit_bias";
  if (body.top_logprobs !== undefined && body.top_logprobs !== null) return "top_logprobs";
  if (typeof body.n === "number" && body.n > 1) return "n";
  if (Array.isArray(body.messages)) {
    for (const message of body.messages) {
      if (isObject(message) && message.name !== undefined && message.name !== null) {
        return "messages[].name";
      }
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Replies

function makeReply(
  input: ChatInput,
  maxTokens: number | null,
): { text: string; truncated: boolean } {
  const asked = input.lastUserText.replace(/\s+/g, " ").trim().slice(0, 80);
  let text = `${REPLY_PREFIX} Это тестовый ответ офлайн-провайдера, а не модели. ` +
    `Получено сообщений: ${input.messages}, символов: ${input.textChars}, ` +
    `изображений: ${input.images.length}.` + (asked ? ` Вопрос: «${asked}».` : "");
  let truncated = false;
  if (maxTokens !== null && maxTokens > 0 && estimateTokens(text.length) > maxTokens) {
    text = text.slice(0, Math.max(REPLY_PREFIX.length, maxTokens * 4));
    truncated = true;
  }
  return { text, truncated };
}

/** Splits a reply into pieces of a few words, the way tokens arrive from a real stream. */
function streamPieces(text: string): string[] {
  const words = text.split(/(?<= )/);
  const pieces: string[] = [];
  for (let i = 0; i < words.length; i += 3) pieces.push(words.slice(i, i + 3).join(""));
  return pieces;
}

// ---------------------------------------------------------------------------------------------
// The provider

/**
 * Creates the offline provider. `handler` can be given to `Deno.serve` or called with a plain
 * `Request`; `state` exposes the fault rules and the request log to in-process tests.
 */
export function createOfflineProvider(opts: OfflineProviderOptions = {}): OfflineProvider {
  const now = opts.now ?? Date.now;
  const chunkDelayMs = opts.streamChunkDelayMs ?? 0;
  const maxLogged = opts.maxLoggedRequests ?? 1000;
  const extraModels: Record<ProviderName, Set<string>> = {
    groq: new Set(opts.extraModels?.groq ?? []),
    openai: new Set(opts.extraModels?.openai ?? []),
  };

  const faults: FaultRule[] = [];
  const promptCache = createPromptCache(now);
  let promptCaching = opts.promptCaching !== false;
  /** Cached tokens of a prompt: a `cached_tokens` fault wins, else the prefix-cache simulation. */
  const cachedTokens = (
    provider: ProviderName,
    model: string,
    input: ChatInput,
    promptTokens: number,
    fault: Fault | null,
  ) =>
    fault?.type === "cached_tokens"
      ? Math.min(fault.cached, promptTokens)
      : promptCaching
      ? promptCache.use(provider, model, input.prompt.toString(), promptTokens)
      : 0;
  const counter = (provider: ProviderName, model: unknown): CountImage => (image) =>
    imageTokens(provider, typeof model === "string" ? model : "", image);
  // OpenAI's organization Costs and Usage APIs (admin key), for `npm run reconcile`: the dataset
  // is set through POST /__offline/organization.
  const organizationApi = createOrganizationApi();
  const requests: RequestLogEntry[] = [];
  /** The last chat-completions body as sent (GET /__offline/last-chat-body): lets a benchmark send
   * a peer gateway exactly the request a function sent (scripts/bench/peer.mjs). */
  let lastChatBody: JsonObject | null = null;
  /** Wakers of requests held by a hang fault, so close() can release them. */
  const hangs = new Set<() => void>();
  let closed = false;
  let nextFaultId = 1;
  let sequence = 0;
  const windows: Record<ProviderName, { start: number; requests: number; tokens: number }> = {
    groq: { start: 0, requests: 0, tokens: 0 },
    openai: { start: 0, requests: 0, tokens: 0 },
  };

  const state: OfflineProviderState = {
    faults,
    requests,
    addFault(input) {
      const rule: FaultRule = { ...validateFault(input), id: nextFaultId++, remaining: 0 };
      rule.remaining = rule.times ?? 1;
      faults.push(rule);
      return rule;
    },
    reset() {
      faults.length = 0;
      requests.length = 0;
      promptCache.clear();
      for (const window of Object.values(windows)) {
        window.start = 0;
        window.requests = 0;
        window.tokens = 0;
      }
    },
  };

  function log(entry: RequestLogEntry) {
    requests.push(entry);
    if (requests.length > maxLogged) requests.splice(0, requests.length - maxLogged);
  }

  /** Takes the first rule matching this request, if the fault can apply to it. */
  function takeFault(
    provider: ProviderName,
    path: string,
    model: string | null,
    applies: (fault: Fault) => boolean,
  ): Fault | null {
    for (let i = 0; i < faults.length; i++) {
      const rule = faults[i];
      if (rule.provider !== undefined && rule.provider !== provider) continue;
      if (rule.path !== undefined && !path.endsWith(rule.path)) continue;
      if (rule.model !== undefined && rule.model !== model) continue;
      if (!applies(rule.fault)) continue;
      rule.remaining--;
      if (rule.remaining <= 0) faults.splice(i, 1);
      return rule.fault;
    }
    return null;
  }

  function headersFor(ctx: Ctx, tokens: number, contentType: string): Headers {
    const provider = ctx.provider;
    const headers = new Headers(STATIC_HEADERS[provider]);
    headers.set("content-type", contentType);
    headers.set("x-request-id", ctx.requestId);
    const t = now();
    const window = windows[provider];
    if (t - window.start >= 60_000) {
      window.start = t;
      window.requests = 0;
      window.tokens = 0;
    }
    window.requests++;
    window.tokens += tokens;
    const limits = RATE_LIMITS[provider];
    const reset = formatReset((window.start + 60_000 - t) / 1000);
    headers.set(
      "x-ratelimit-remaining-requests",
      String(Math.max(0, limits.requests - window.requests)),
    );
    headers.set("x-ratelimit-remaining-tokens", String(Math.max(0, limits.tokens - window.tokens)));
    headers.set("x-ratelimit-reset-requests", reset);
    headers.set("x-ratelimit-reset-tokens", reset);
    return headers;
  }

  function json(ctx: Ctx, status: number, body: unknown, tokens = 0): Response {
    return new Response(JSON.stringify(body), {
      status,
      headers: headersFor(ctx, tokens, JSON_TYPE),
    });
  }

  function errorResponse(ctx: Ctx, error: HttpError): Response {
    const body = ctx.provider === "openai"
      ? {
        error: { message: error.message, type: error.type, param: error.param, code: error.code },
      }
      : {
        error: {
          message: error.message,
          type: error.type,
          ...(error.param ? { param: error.param } : {}),
          ...(error.code ? { code: error.code } : {}),
        },
      };
    return json(ctx, error.status, body);
  }

  function modelInfo(provider: ProviderName, model: string): ModelInfo | undefined {
    const table = provider === "groq" ? GROQ_MODELS : OPENAI_MODELS;
    const exact = table[model];
    if (exact) return exact;
    if (extraModels[provider].has(model)) return { capabilities: ["chat", "vision", "speech"] };
    // OpenAI dated snapshots, e.g. gpt-4.1-mini-2025-04-14.
    const undated = /^(.*)-\d{4}-\d{2}-\d{2}$/.exec(model);
    return provider === "openai" && undated ? table[undated[1]] : undefined;
  }

  function decommissioned(provider: ProviderName, model: string): HttpError {
    const replacement = provider === "groq" ? GROQ_RETIRED[model] : "";
    const docs = provider === "groq"
      ? "https://console.groq.com/docs/deprecations"
      : "https://platform.openai.com/docs/deprecations";
    return new HttpError(
      400,
      `The model \`${model}\` has been decommissioned and is no longer supported. ` +
        (replacement ? `Groq recommends \`${replacement}\` instead. ` : "") +
        `Please refer to ${docs} for a recommendation on which model to use instead.`,
      "invalid_request_error",
      "model_decommissioned",
    );
  }

  /** Checks the model exists, is not retired and can do `capability`. */
  function checkModel(provider: ProviderName, model: unknown, capability: Capability): ModelInfo {
    if (typeof model !== "string" || model === "") {
      throw new HttpError(400, "'model' is required.", "invalid_request_error", null, "model");
    }
    if (provider === "groq" && model in GROQ_RETIRED) throw decommissioned(provider, model);
    const info = modelInfo(provider, model);
    if (info === undefined) {
      throw new HttpError(
        404,
        `The model \`${model}\` does not exist or you do not have access to it.`,
        "invalid_request_error",
        "model_not_found",
      );
    }
    if (
      info.shutdownOn !== undefined && new Date(now()).toISOString().slice(0, 10) >= info.shutdownOn
    ) {
      throw decommissioned(provider, model);
    }
    if (!info.capabilities.includes(capability)) {
      const what = capability === "speech" ? "audio transcription" : "chat completions";
      throw new HttpError(
        400,
        `The model \`${model}\` does not support ${what}.`,
        "invalid_request_error",
        "model_not_supported",
        "model",
      );
    }
    return info;
  }

  function faultResponse(ctx: Ctx, fault: Fault): Response {
    const { provider } = ctx;
    const model = ctx.entry.model;
    if (fault.type === "rate_limit") {
      const seconds = fault.retryAfterSeconds ?? 1;
      const headers = headersFor(ctx, 0, JSON_TYPE);
      headers.set("retry-after", String(Math.ceil(seconds)));
      headers.set("x-ratelimit-remaining-requests", "0");
      headers.set("x-ratelimit-remaining-tokens", "0");
      headers.set("x-ratelimit-reset-requests", formatReset(seconds));
      headers.set("x-ratelimit-reset-tokens", formatReset(seconds));
      const limit = RATE_LIMITS[provider].tokens;
      const message = `Rate limit reached for model \`${model ?? "unknown"}\` in organization ` +
        `\`org_offline_provider\` on tokens per minute (TPM): Limit ${limit}, Used ${limit}, ` +
        `Requested 1. Please try again in ${formatReset(seconds)}.`;
      const error = provider === "groq"
        ? { message, type: "tokens", code: "rate_limit_exceeded" }
        : { message, type: "tokens", param: null, code: "rate_limit_exceeded" };
      return new Response(JSON.stringify({ error }), { status: 429, headers });
    }
    if (fault.type === "decommissioned") {
      return errorResponse(ctx, decommissioned(provider, model ?? "unknown"));
    }
    if (fault.type === "status") return errorResponse(ctx, statusError(provider, fault));
    throw new Error(`fault ${fault.type} is not an error response`);
  }

  // -------------------------------------------------------------------------------------------
  // Endpoints

  async function chatCompletions(ctx: Ctx): Promise<Response> {
    const { req, provider, entry } = ctx;
    const { body, bytes } = await readJsonSized(req);
    entry.body.bytes = bytes;
    lastChatBody = body;
    const stream = body.stream === true;
    const fault = await beginJson(
      ctx,
      body,
      (f) =>
        f.type !== "no_duration" && (f.type !== "cut_stream" || stream) &&
        (f.type !== "slow_stream" || stream) &&
        (f.type !== "stream_usage" || (stream && provider === "groq")),
    );
    if (fault && isErrorFault(fault)) return faultResponse(ctx, fault);

    const info = checkModel(provider, body.model, "chat");
    if (provider === "groq") {
      const field = groqUnsupportedField(body);
      if (field !== null) {
        throw new HttpError(
          400,
          `'${field}' is not supported by this endpoint.`,
          "invalid_request_error",
          null,
          field,
        );
      }
    }
    const input = readChatBody(body, counter(provider, body.model));
    entry.body.messages = input.messages;
    if (input.images.length > 0) entry.body.images = input.images;
    checkImages(provider, body.model as string, info, input.images);
    const refusal = chatRefusal(
      provider,
      body.model as string,
      body,
      bytes,
      input.images.filter((i) => i.url === undefined).length,
    );
    if (refusal) throw refusalError(refusal);

    const maxTokens = numberOrNull(body.max_completion_tokens) ?? numberOrNull(body.max_tokens);
    const reply = makeReply(input, maxTokens);
    if (fault?.type === "length") {
      reply.text = reply.text.slice(0, Math.ceil(reply.text.length / 2));
      reply.truncated = true;
    }
    // Qwen on Groq: reasoning in content (raw), in message.reasoning (parsed) or dropped (hidden).
    const thinking = reasoningOutput(provider, body.model as string, body);
    if (thinking.format) entry.body.reasoningFormat = thinking.format;
    const content = thinking.format === "raw"
      ? `<think>${thinking.text}</think>\n\n${reply.text}`
      : reply.text;
    const parsedReasoning = thinking.format === "parsed" ? thinking.text : undefined;
    const promptTokens = estimateTokens(input.textChars) + input.prompt.imageTokens;
    const reasoningTokens = (info.capabilities.includes("reasoning") ? 16 : 0) +
      (thinking.format ? estimateTokens(thinking.text.length) + 8 : 0);
    const completionTokens = estimateTokens(reply.text.length) + reasoningTokens;
    const cached = cachedTokens(provider, body.model as string, input, promptTokens, fault);
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: cached },
      completion_tokens_details: { reasoning_tokens: reasoningTokens },
    };
    const id = `chatcmpl-offline-${ctx.number}`;
    const created = Math.floor(now() / 1000);
    const finishReason = reply.truncated ? "length" : "stop";

    if (!stream) {
      const payload: JsonObject = {
        id,
        object: "chat.completion",
        created,
        model: body.model,
        choices: [{
          index: 0,
          message: {
            role: "assistant",
            content,
            ...(parsedReasoning !== undefined ? { reasoning: parsedReasoning } : {}),
          },
          logprobs: null,
          finish_reason: finishReason,
        }],
        usage: provider === "groq" ? groqUsage(usage) : usage,
        system_fingerprint: FINGERPRINT,
      };
      if (provider === "groq") payload.x_groq = { id: ctx.requestId };
      return json(ctx, 200, payload, usage.total_tokens);
    }

    const includeUsage = isObject(body.stream_options) &&
      body.stream_options.include_usage === true;
    const groqUsageVariant = fault?.type === "stream_usage" ? fault.variant : "x_groq";
    const base = {
      id,
      object: "chat.completion.chunk",
      created,
      model: body.model,
      system_fingerprint: FINGERPRINT,
    };
    const extra = provider === "openai" && includeUsage ? { usage: null } : {};
    const groqId = ctx.requestId;
    const events: string[] = [];
    const chunk = (choices: unknown[], more: JsonObject = {}) =>
      events.push(`data: ${JSON.stringify({ ...base, choices, ...extra, ...more })}\n\n`);
    chunk(
      [{
        index: 0,
        delta: { role: "assistant", content: "" },
        logprobs: null,
        finish_reason: null,
      }],
      provider === "groq" ? { x_groq: { id: groqId } } : {},
    );
    if (parsedReasoning !== undefined) {
      for (const piece of streamPieces(parsedReasoning)) {
        chunk([{ index: 0, delta: { reasoning: piece }, logprobs: null, finish_reason: null }]);
      }
    }
    for (const piece of streamPieces(content)) {
      chunk([{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }]);
    }
    // Groq puts usage in x_groq.usage on the last chunk that has choices (or, in the `usage`
    // variant, in a top-level usage field of that chunk).
    const withXGroq = groqUsageVariant === "x_groq" || groqUsageVariant === "both";
    const withTop = groqUsageVariant === "usage" || groqUsageVariant === "both";
    chunk(
      [{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }],
      provider === "groq"
        ? {
          x_groq: withXGroq ? { id: groqId, usage: groqUsage(usage) } : { id: groqId },
          ...(withTop ? { usage: groqUsage(usage) } : {}),
        }
        : {},
    );
    // Like Groq, the usage chunk comes when asked (`none` is a stream that ends without any usage).
    if (includeUsage && groqUsageVariant !== "none") {
      events.push(
        `data: ${
          JSON.stringify({
            ...base,
            choices: [],
            usage: provider === "groq" ? groqUsage(usage) : usage,
            ...(provider === "groq" ? { x_groq: { id: groqId } } : {}),
          })
        }\n\n`,
      );
    }
    const cutAfter = fault?.type === "cut_stream" ? fault.afterChunks : null;
    const delayMs = fault?.type === "slow_stream" ? fault.chunkDelayMs : chunkDelayMs;
    return sseResponse(ctx, events, cutAfter, usage.total_tokens, true, delayMs);
  }

  async function responses(ctx: Ctx): Promise<Response> {
    const { req, provider, entry } = ctx;
    const body = await readJson(req);
    const stream = body.stream === true;
    const fault = await beginJson(
      ctx,
      body,
      (f) =>
        f.type !== "no_duration" && (f.type !== "cut_stream" || stream) && f.type !== "length" &&
        f.type !== "stream_usage" && f.type !== "slow_stream",
    );
    if (fault && isErrorFault(fault)) return faultResponse(ctx, fault);

    const info = checkModel(provider, body.model, "chat");
    if (fault?.type === "length" || fault?.type === "stream_usage") {
      throw new Error(`fault ${fault.type} applies to chat completions only`);
    }
    const input = readResponsesBody(body, counter(provider, body.model));
    entry.body.messages = input.messages;
    if (input.images.length > 0) entry.body.images = input.images;
    checkImages(provider, body.model as string, info, input.images);

    const reply = makeReply(input, numberOrNull(body.max_output_tokens));
    const inputTokens = estimateTokens(input.textChars) + input.prompt.imageTokens;
    const reasoningTokens = info.capabilities.includes("reasoning") ? 16 : 0;
    const outputTokens = estimateTokens(reply.text.length) + reasoningTokens;
    const cached = cachedTokens(provider, body.model as string, input, inputTokens, fault);
    const usage = {
      input_tokens: inputTokens,
      input_tokens_details: { cached_tokens: cached },
      output_tokens: outputTokens,
      output_tokens_details: { reasoning_tokens: reasoningTokens },
      total_tokens: inputTokens + outputTokens,
    };
    const id = `resp_offline_${ctx.number}`;
    const messageId = `msg_offline_${ctx.number}`;
    const createdAt = Math.floor(now() / 1000);
    const message = {
      type: "message",
      id: messageId,
      status: "completed",
      role: "assistant",
      content: [{ type: "output_text", text: reply.text, annotations: [] }],
    };
    const response = (status: string, withOutput: boolean) => ({
      id,
      object: "response",
      created_at: createdAt,
      status,
      model: body.model,
      instructions: typeof body.instructions === "string" ? body.instructions : null,
      previous_response_id: typeof body.previous_response_id === "string"
        ? body.previous_response_id
        : null,
      output: withOutput ? [message] : [],
      incomplete_details: reply.truncated ? { reason: "max_output_tokens" } : null,
      usage: withOutput ? usage : null,
      system_fingerprint: FINGERPRINT,
    });
    const finalStatus = reply.truncated ? "incomplete" : "completed";

    if (!stream) return json(ctx, 200, response(finalStatus, true), usage.total_tokens);

    const events: string[] = [];
    let seq = 0;
    const event = (type: string, data: JsonObject) =>
      events.push(
        `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`,
      );
    event("response.created", { response: response("in_progress", false) });
    event("response.in_progress", { response: response("in_progress", false) });
    event("response.output_item.added", {
      output_index: 0,
      item: { ...message, status: "in_progress", content: [] },
    });
    event("response.content_part.added", {
      item_id: messageId,
      output_index: 0,
      content_index: 0,
      part: { type: "output_text", text: "", annotations: [] },
    });
    for (const delta of streamPieces(reply.text)) {
      event("response.output_text.delta", {
        item_id: messageId,
        output_index: 0,
        content_index: 0,
        delta,
      });
    }
    event("response.output_text.done", {
      item_id: messageId,
      output_index: 0,
      content_index: 0,
      text: reply.text,
    });
    event("response.content_part.done", {
      item_id: messageId,
      output_index: 0,
      content_index: 0,
      part: message.content[0],
    });
    event("response.output_item.done", { output_index: 0, item: message });
    event(`response.${finalStatus}`, { response: response(finalStatus, true) });
    const cutAfter = fault?.type === "cut_stream" ? fault.afterChunks : null;
    // The Responses API ends with its completed event; there is no [DONE] line.
    return sseResponse(ctx, events, cutAfter, usage.total_tokens, false);
  }

  async function transcriptions(ctx: Ctx): Promise<Response> {
    const { req, provider, entry } = ctx;
    const contentType = req.headers.get("content-type") ?? "";
    if (!contentType.startsWith("multipart/form-data")) {
      throw new HttpError(400, "Expected multipart/form-data.", "invalid_request_error");
    }
    const declared = Number(req.headers.get("content-length") ?? "0");
    if (declared > MAX_AUDIO_BYTES + 1024 * 1024) throw tooLarge();
    let form: FormData;
    try {
      form = await req.formData();
    } catch {
      throw new HttpError(400, "Could not parse the multipart body.", "invalid_request_error");
    }
    const model = form.get("model");
    entry.model = typeof model === "string" ? model : null;
    const file = form.get("file");
    const fault = await begin(
      ctx,
      (f) =>
        f.type !== "cut_stream" && f.type !== "cached_tokens" && f.type !== "length" &&
        f.type !== "stream_usage" && f.type !== "slow_stream",
    );
    if (fault && isErrorFault(fault)) return faultResponse(ctx, fault);

    checkModel(provider, model, "speech");
    if (!(file instanceof File)) {
      throw new HttpError(400, "'file' is required.", "invalid_request_error", null, "file");
    }
    entry.body.fileBytes = file.size;
    if (file.size > MAX_AUDIO_BYTES) throw tooLarge();
    const measured = measureAudioDuration(new Uint8Array(await file.arrayBuffer()));
    if (!measured.ok) {
      throw measured.code === "unsupported_media_type"
        ? new HttpError(
          400,
          "file must be one of the following types: [flac mp3 mp4 mpeg mpga m4a ogg opus wav webm]",
          "invalid_request_error",
        )
        : new HttpError(
          400,
          "could not process file - is it a valid media file?",
          "invalid_request_error",
        );
    }
    const duration = Math.round(measured.durationSeconds * 1000) / 1000;
    entry.body.durationSeconds = duration;
    const format = String(form.get("response_format") ?? "json");
    const asked = form.get("language");
    entry.body.responseFormat = format;
    if (typeof asked === "string") entry.body.language = asked;
    const refusal = transcriptionRefusal(
      provider,
      model as string,
      format,
      typeof asked === "string" ? asked : null,
    );
    if (refusal) throw refusalError(refusal);
    const languageCode = typeof asked === "string" ? asked : "ru";
    const language = LANGUAGE_NAMES[languageCode] ?? languageCode;
    const text = `${REPLY_PREFIX} Тестовая расшифровка: ${duration.toFixed(2)} с аудио ` +
      `(${measured.format}, ${file.size} байт), язык ${languageCode}.`;
    const omitDuration = fault?.type === "no_duration";
    const groqMeta = provider === "groq" ? { x_groq: { id: ctx.requestId } } : {};
    const openaiUsage = provider === "openai" && !omitDuration
      ? { usage: { type: "duration", seconds: Math.ceil(duration) } }
      : {};

    if (format === "text") {
      return new Response(text, {
        status: 200,
        headers: headersFor(ctx, 0, "text/plain; charset=utf-8"),
      });
    }
    if (format === "json") return json(ctx, 200, { text, ...openaiUsage, ...groqMeta });
    if (format !== "verbose_json") {
      throw new HttpError(
        400,
        "response_format must be one of json, verbose_json or text.",
        "invalid_request_error",
        null,
        "response_format",
      );
    }
    const payload: JsonObject = {
      task: "transcribe",
      language,
      ...(omitDuration ? {} : { duration }),
      text,
      segments: segmentsFor(text, duration),
      ...openaiUsage,
      ...groqMeta,
    };
    return json(ctx, 200, payload);
  }

  async function models(ctx: Ctx): Promise<Response> {
    const { provider } = ctx;
    const table = provider === "groq" ? GROQ_MODELS : OPENAI_MODELS;
    const fault = await begin(ctx, (f) => isErrorFault(f) || f.type === "hang");
    if (fault && isErrorFault(fault)) return faultResponse(ctx, fault);
    const data = Object.entries(table)
      .filter(([, info]) =>
        info.shutdownOn === undefined ||
        new Date(now()).toISOString().slice(0, 10) < info.shutdownOn
      )
      .map(([id, info]) => ({
        id,
        object: "model",
        created: 1_700_000_000,
        owned_by: "offline-provider",
        ...(provider === "groq"
          ? { active: true, context_window: info.contextWindow ?? null }
          : {}),
      }));
    return json(ctx, 200, { object: "list", data });
  }

  // -------------------------------------------------------------------------------------------
  // Plumbing

  /** Records the model, then takes and applies (for hang: waits out) a matching fault. */
  function beginJson(ctx: Ctx, body: JsonObject, applies: (fault: Fault) => boolean) {
    ctx.entry.model = typeof body.model === "string" ? body.model : null;
    ctx.entry.body.stream = body.stream === true;
    return begin(ctx, applies);
  }

  async function begin(ctx: Ctx, applies: (fault: Fault) => boolean): Promise<Fault | null> {
    const fault = takeFault(ctx.provider, ctx.path, ctx.entry.model, applies);
    if (fault === null) return null;
    ctx.entry.fault = fault.type;
    if (fault.type === "hang") {
      const signal = ctx.req.signal;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          hangs.delete(done);
          resolve();
        };
        const timer = setTimeout(done, fault.ms ?? 10 * 60_000);
        signal.addEventListener("abort", done, { once: true });
        hangs.add(done);
      });
      // The client gave up (its timeout or AbortSignal): stop here, nobody reads the answer.
      if (signal.aborted) throw new ClientGone();
      if (closed) {
        throw new HttpError(503, "The offline provider is shutting down.", "internal_server_error");
      }
    }
    return fault;
  }

  function sseResponse(
    ctx: Ctx,
    events: string[],
    cutAfter: number | null,
    tokens: number,
    done = true,
    delayMs = chunkDelayMs,
  ): Response {
    // The stream's cancel() tells us the client went away; request.signal is left alone on this
    // hot path (in Deno 2.9 touching it prints a legacy-behaviour warning).
    let cancelled = false;
    let wake: (() => void) | null = null;
    let index = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (index > 0 && delayMs > 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, delayMs);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = null;
        }
        if (cancelled) return;
        if (cutAfter !== null && index >= cutAfter) {
          // Ends the body short of its declared length: the client's read fails like it does on a
          // dropped upstream connection (and Deno does not log it, unlike controller.error()).
          controller.close();
          return;
        }
        if (index < events.length) {
          controller.enqueue(encoder.encode(events[index++]));
          return;
        }
        if (done) controller.enqueue(SSE_DONE);
        controller.close();
      },
      cancel() {
        cancelled = true;
        (wake as (() => void) | null)?.();
      },
    }, { highWaterMark: 0 });
    const headers = headersFor(ctx, tokens, "text/event-stream; charset=utf-8");
    headers.set("cache-control", "no-cache");
    if (cutAfter !== null) {
      // Announce the length of the whole stream, then stop early (see pull above).
      let length = done ? SSE_DONE.length : 0;
      for (const event of events) length += encoder.encode(event).length;
      headers.set("content-length", String(length));
    }
    return new Response(stream, { status: 200, headers });
  }

  function checkImages(
    provider: ProviderName,
    model: string,
    info: ModelInfo,
    images: ImageSummary[],
  ) {
    if (images.length === 0) return;
    if (!info.capabilities.includes("vision")) {
      throw new HttpError(
        400,
        `The model \`${model}\` does not support image input.`,
        "invalid_request_error",
        null,
        "messages",
      );
    }
    if (provider !== "groq") return;
    if (info.maxImages !== undefined && images.length > info.maxImages) {
      throw new HttpError(
        400,
        `Too many images provided. This model supports up to ${info.maxImages} images.`,
        "invalid_request_error",
        null,
        "messages",
      );
    }
    for (const image of images) {
      if (image.bytes > GROQ_MAX_BASE64_IMAGE_BYTES) {
        throw new HttpError(
          413,
          "Request Entity Too Large: base64 image exceeds 4MB.",
          "invalid_request_error",
          "request_too_large",
        );
      }
      if (
        image.width !== null && image.height !== null &&
        image.width * image.height > GROQ_MAX_IMAGE_PIXELS
      ) {
        throw new HttpError(
          400,
          "Image exceeds the 33 megapixel limit.",
          "invalid_request_error",
          "invalid_image",
        );
      }
    }
  }

  async function handler(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
    if (path.startsWith("/__offline/")) return control(req, path);
    if (path.startsWith("/v1/organization/")) return organizationApi.handle(req);

    const provider: ProviderName = path.startsWith("/openai/v1/") ? "groq" : "openai";
    const endpoint = provider === "groq"
      ? path.slice("/openai/v1".length)
      : path.slice("/v1".length);
    const number = ++sequence;
    const entry: RequestLogEntry = {
      at: new Date(now()).toISOString(),
      provider,
      path,
      model: null,
      status: 0,
      body: { stream: false },
    };
    log(entry);
    const ctx: Ctx = { req, provider, path, entry, number, requestId: `req_offline_${number}` };
    let response: Response;
    try {
      response = await route(ctx, endpoint);
    } catch (error) {
      if (error instanceof ClientGone) {
        // 499: the client closed the request (Groq lists it among its statuses).
        entry.status = 499;
        return new Response(null, { status: 499 });
      }
      if (!(error instanceof HttpError)) throw error;
      response = errorResponse(ctx, error);
    }
    entry.status = response.status;
    return response;
  }

  function route(ctx: Ctx, endpoint: string): Promise<Response> {
    const { req, provider, path } = ctx;
    if (!(provider === "groq" || path.startsWith("/v1/"))) {
      throw new HttpError(404, `Unknown path ${path}.`, "invalid_request_error", "unknown_url");
    }
    if (
      provider === "openai" && OPENAI_GONE_PATH_PREFIXES.some((prefix) => path.startsWith(prefix))
    ) {
      throw new HttpError(
        404,
        "The Assistants API was shut down on 2026-08-26; use the Responses API.",
        "invalid_request_error",
        "unknown_url",
      );
    }
    if (!/^Bearer \S+/.test(req.headers.get("authorization") ?? "")) {
      throw new HttpError(401, "Invalid API Key", "invalid_request_error", "invalid_api_key");
    }
    switch (`${req.method} ${endpoint}`) {
      case "POST /chat/completions":
        return chatCompletions(ctx);
      case "POST /responses":
        return responses(ctx);
      case "POST /audio/transcriptions":
        return transcriptions(ctx);
      case "GET /models":
        return models(ctx);
    }
    if (
      ["/chat/completions", "/responses", "/audio/transcriptions", "/models"].includes(endpoint)
    ) {
      throw new HttpError(405, `Method ${req.method} not allowed.`, "invalid_request_error");
    }
    throw new HttpError(404, `Unknown path ${path}.`, "invalid_request_error", "unknown_url");
  }

  async function control(req: Request, path: string): Promise<Response> {
    const reply = (status: number, body: unknown) =>
      new Response(JSON.stringify(body), {
        status,
        headers: { "content-type": JSON_TYPE, "x-offline-provider": "1" },
      });
    if (path === "/__offline/organization" && req.method === "POST") {
      try {
        organizationApi.setDataset(await req.json() as OrganizationDataset);
      } catch {
        return reply(400, { error: { code: "invalid_json", message: "Body must be JSON." } });
      }
      return reply(200, { ok: true });
    }
    if (path === "/__offline/faults" && req.method === "POST") {
      let body: unknown;
      try {
        body = await req.json();
      } catch {
        return reply(400, { error: { code: "invalid_json", message: "Body must be JSON." } });
      }
      try {
        const rules = (Array.isArray(body) ? body : [body]).map((rule) =>
          state.addFault(rule as FaultRuleInput)
        );
        return reply(201, Array.isArray(body) ? rules : rules[0]);
      } catch (error) {
        return reply(400, { error: { code: "invalid_fault", message: (error as Error).message } });
      }
    }
    if (path === "/__offline/faults" && req.method === "GET") return reply(200, faults);
    if (path === "/__offline/prompt-caching" && req.method === "POST") {
      // Benchmarks compare a month with and without the providers' prefix caching.
      let body: unknown;
      try {
        body = await req.json();
      } catch {
        return reply(400, { error: { code: "invalid_json", message: "Body must be JSON." } });
      }
      const enabled = (body as { enabled?: unknown })?.enabled;
      if (typeof enabled !== "boolean") {
        return reply(400, {
          error: { code: "invalid_body", message: "Send { enabled: boolean }." },
        });
      }
      promptCaching = enabled;
      promptCache.clear();
      return reply(200, { enabled });
    }
    if (path === "/__offline/reset" && req.method === "POST") {
      await req.body?.cancel();
      state.reset();
      return reply(200, { ok: true });
    }
    if (path === "/__offline/requests" && req.method === "GET") return reply(200, requests);
    if (path === "/__offline/last-chat-body" && req.method === "GET") {
      return reply(lastChatBody ? 200 : 404, lastChatBody ?? { error: { code: "none_yet" } });
    }
    if (path === "/__offline/health" && req.method === "GET") {
      return reply(200, { ok: true, name: "offline-provider" });
    }
    return reply(404, { error: { code: "not_found", message: `Unknown control path ${path}.` } });
  }

  function close() {
    closed = true;
    for (const wake of [...hangs]) wake();
  }

  return { handler, state, close };
}

// ---------------------------------------------------------------------------------------------
// Module-level helpers that need no provider state

class ClientGone extends Error {}

interface Ctx {
  req: Request;
  provider: ProviderName;
  path: string;
  entry: RequestLogEntry;
  /** Per-provider-instance request number, used in ids. */
  number: number;
  requestId: string;
}

function isErrorFault(fault: Fault): boolean {
  return fault.type === "rate_limit" || fault.type === "status" || fault.type === "decommissioned";
}

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function tooLarge(): HttpError {
  return new HttpError(
    413,
    "Request Entity Too Large",
    "invalid_request_error",
    "request_too_large",
  );
}

/** A parity refusal as the provider's error. */
function refusalError(refusal: Refusal): HttpError {
  return new HttpError(
    refusal.status,
    refusal.message,
    "invalid_request_error",
    refusal.code,
    refusal.param,
  );
}

/** The JSON body and its size in bytes (Groq limits a request with a base64 image to 4 MB). */
async function readJsonSized(req: Request): Promise<{ body: JsonObject; bytes: number }> {
  let raw: Uint8Array;
  try {
    raw = new Uint8Array(await req.arrayBuffer());
  } catch {
    throw new HttpError(400, "Could not read the request body.", "invalid_request_error");
  }
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(raw));
  } catch {
    throw new HttpError(
      400,
      "We could not parse the JSON body of your request.",
      "invalid_request_error",
    );
  }
  if (!isObject(body)) {
    throw new HttpError(400, "The body must be a JSON object.", "invalid_request_error");
  }
  return { body, bytes: raw.length };
}

async function readJson(req: Request): Promise<JsonObject> {
  let body: unknown;
  try {
    body = await req.json();
  } catch {
    throw new HttpError(
      400,
      "We could not parse the JSON body of your request.",
      "invalid_request_error",
    );
  }
  if (!isObject(body)) {
    throw new HttpError(400, "The body must be a JSON object.", "invalid_request_error");
  }
  return body;
}

function groqUsage(usage: {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
}) {
  // Groq adds its timing fields next to the OpenAI ones.
  return {
    queue_time: 0.001,
    prompt_tokens: usage.prompt_tokens,
    prompt_time: 0.001,
    completion_tokens: usage.completion_tokens,
    completion_time: 0.002,
    total_tokens: usage.total_tokens,
    total_time: 0.003,
    prompt_tokens_details: usage.prompt_tokens_details,
    completion_tokens_details: usage.completion_tokens_details,
  };
}

function segmentsFor(text: string, duration: number) {
  // Whisper-like segments of at most ~5 s; the text goes into the first one.
  const count = Math.max(1, Math.ceil(duration / 5));
  const segments = [];
  for (let i = 0; i < count; i++) {
    const start = (duration * i) / count;
    const end = (duration * (i + 1)) / count;
    segments.push({
      id: i,
      seek: Math.round(start * 100),
      start: Math.round(start * 100) / 100,
      end: Math.round(end * 100) / 100,
      text: i === 0 ? text : `${REPLY_PREFIX} …`,
      tokens: [],
      temperature: 0,
      avg_logprob: -0.1,
      compression_ratio: 1,
      no_speech_prob: 0.01,
    });
  }
  return segments;
}

const STATUS_DEFAULTS: Record<
  number,
  { message: string; groqType: string; openaiType: string; code: string | null }
> = {
  400: {
    message: "Bad request.",
    groqType: "invalid_request_error",
    openaiType: "invalid_request_error",
    code: null,
  },
  401: {
    message: "Invalid API Key",
    groqType: "invalid_request_error",
    openaiType: "invalid_request_error",
    code: "invalid_api_key",
  },
  403: {
    message: "Forbidden.",
    groqType: "permission_error",
    openaiType: "invalid_request_error",
    code: null,
  },
  404: {
    message: "Not found.",
    groqType: "invalid_request_error",
    openaiType: "invalid_request_error",
    code: null,
  },
  413: {
    message: "Request Entity Too Large",
    groqType: "invalid_request_error",
    openaiType: "invalid_request_error",
    code: "request_too_large",
  },
  422: {
    message: "Unprocessable Entity.",
    groqType: "invalid_request_error",
    openaiType: "invalid_request_error",
    code: null,
  },
  498: {
    message: "Flex tier capacity exceeded. This is a temporary error; try again later.",
    groqType: "capacity_exceeded",
    openaiType: "server_error",
    code: "capacity_exceeded",
  },
  500: {
    message: "Internal Server Error",
    groqType: "internal_server_error",
    openaiType: "server_error",
    code: null,
  },
  502: {
    message: "Bad Gateway",
    groqType: "internal_server_error",
    openaiType: "server_error",
    code: null,
  },
  503: {
    message: "Service Unavailable: the service is temporarily overloaded, please try again later.",
    groqType: "internal_server_error",
    openaiType: "server_error",
    code: null,
  },
  504: {
    message: "Gateway Timeout",
    groqType: "internal_server_error",
    openaiType: "server_error",
    code: null,
  },
};

function statusError(provider: ProviderName, fault: Extract<Fault, { type: "status" }>): HttpError {
  const known = STATUS_DEFAULTS[fault.status];
  const type = known ? (provider === "groq" ? known.groqType : known.openaiType) : "api_error";
  return new HttpError(
    fault.status,
    fault.message ?? known?.message ?? `Offline provider fault: status ${fault.status}.`,
    type,
    fault.code ?? known?.code ?? null,
  );
}

const FAULT_TYPES = new Set([
  "rate_limit",
  "status",
  "hang",
  "cut_stream",
  "decommissioned",
  "no_duration",
  "cached_tokens",
  "length",
  "stream_usage",
  "slow_stream",
]);

function validateFault(input: FaultRuleInput): FaultRuleInput {
  if (!isObject(input) || !isObject(input.fault) || !FAULT_TYPES.has(input.fault.type as string)) {
    throw new Error(`fault.type must be one of ${[...FAULT_TYPES].join(", ")}.`);
  }
  if (input.provider !== undefined && input.provider !== "groq" && input.provider !== "openai") {
    throw new Error('provider must be "groq" or "openai".');
  }
  if (input.times !== undefined && !(Number.isInteger(input.times) && input.times >= 1)) {
    throw new Error("times must be a positive integer.");
  }
  const fault = input.fault;
  if (
    fault.type === "status" &&
    !(Number.isInteger(fault.status) && fault.status >= 400 && fault.status <= 599)
  ) {
    throw new Error("status must be an HTTP error status (400-599).");
  }
  if (
    fault.type === "cut_stream" && !(Number.isInteger(fault.afterChunks) && fault.afterChunks >= 0)
  ) {
    throw new Error("afterChunks must be a non-negative integer.");
  }
  if (fault.type === "cached_tokens" && !(Number.isInteger(fault.cached) && fault.cached >= 0)) {
    throw new Error("cached must be a non-negative integer.");
  }
  if (
    fault.type === "stream_usage" && !["x_groq", "usage", "both", "none"].includes(fault.variant)
  ) {
    throw new Error('variant must be "x_groq", "usage", "both" or "none".');
  }
  if (
    fault.type === "slow_stream" &&
    !(Number.isInteger(fault.chunkDelayMs) && fault.chunkDelayMs >= 0 &&
      fault.chunkDelayMs <= 10_000)
  ) {
    throw new Error("chunkDelayMs must be an integer from 0 to 10000.");
  }
  return {
    ...(input.provider !== undefined ? { provider: input.provider } : {}),
    ...(input.path !== undefined ? { path: String(input.path) } : {}),
    ...(input.model !== undefined ? { model: String(input.model) } : {}),
    times: input.times ?? 1,
    fault,
  };
}
