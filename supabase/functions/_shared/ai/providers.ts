/**
 * Provider calls: Groq and OpenAI through {@link OpenAIHttpClient}, our small client for their
 * shared wire format (the `openai` npm package cost ~2 MB of each function's 5 MB bundle).
 *
 * This module makes exactly one HTTP attempt per call; retries, fallback and the
 * deadline belong to `routing.ts`. Every failure leaves here as a {@link ProviderError} with a
 * machine code; the provider's own body is kept on a non-enumerable `detail` for logs only, because
 * provider bodies can echo keys or internals and must never reach a client.
 */
import { Buffer } from "node:buffer";
import {
  OpenAIHttpAbortError,
  OpenAIHttpClient,
  OpenAIHttpError,
  type OpenAIHttpRequestOptions,
  OpenAIHttpTimeoutError,
} from "./openai_http.ts";
import { chatLimitsFor, transcriptionLimitsFor } from "./provider_limits.ts";
import { retryAfterMsFromHeaders } from "./retry.ts";

export type ProviderName = "groq" | "openai";

/** A provider and one of its model ids: what routing tries, in order. */
export interface ModelTarget {
  provider: ProviderName;
  model: string;
}

export const GROQ_DEFAULT_BASE_URL = "https://api.groq.com/openai/v1";
export const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";

/** Where configuration comes from: a plain object (tests) or `Deno.env`. */
export type EnvSource = Record<string, string | undefined> | {
  get(key: string): string | undefined;
};

function readEnv(env: EnvSource, key: string): string | undefined {
  const value = typeof env.get === "function"
    ? (env as { get(key: string): string | undefined }).get(key)
    : (env as Record<string, string | undefined>)[key];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/** One client per provider; `null` when that provider has no API key configured (calls to it
 * then fail with `not_configured`, which routing treats as "try the next candidate"). */
export interface ProviderClients {
  groq: OpenAIHttpClient | null;
  openai: OpenAIHttpClient | null;
}

export interface ProviderClientOptions {
  /** Replaces the global fetch (tests). */
  fetch?: typeof fetch;
  /** Timeout for the response headers of an attempt when a call passes none (default 60 s). */
  timeoutMs?: number;
}

/**
 * Builds the Groq and OpenAI clients from `GROQ_API_KEY`, `GROQ_BASE_URL`, `OPENAI_API_KEY`,
 * `OPENAI_BASE_URL`. Nothing else is read: no organisation, project or custom headers, so the
 * Groq client can never send anything of OpenAI's.
 *
 * @example
 * const clients = createProviderClients(Deno.env);
 * const reply = await chatCompletion(clients, { provider: "groq", model: "openai/gpt-oss-120b" },
 *   { messages: [{ role: "user", content: "Привет" }] });
 */
export function createProviderClients(
  env: EnvSource,
  options: ProviderClientOptions = {},
): ProviderClients {
  const make = (apiKey: string | undefined, baseURL: string): OpenAIHttpClient | null =>
    apiKey === undefined ? null : new OpenAIHttpClient({
      apiKey,
      baseURL,
      timeoutMs: options.timeoutMs,
      fetch: options.fetch,
    });
  return {
    groq: make(
      readEnv(env, "GROQ_API_KEY"),
      readEnv(env, "GROQ_BASE_URL") ?? GROQ_DEFAULT_BASE_URL,
    ),
    openai: make(
      readEnv(env, "OPENAI_API_KEY"),
      readEnv(env, "OPENAI_BASE_URL") ?? OPENAI_DEFAULT_BASE_URL,
    ),
  };
}

// ---------------------------------------------------------------------------------------------
// Errors

export type ProviderErrorCode =
  | "rate_limited"
  | "capacity_exceeded"
  | "model_decommissioned"
  | "model_not_found"
  | "upstream_unavailable"
  | "upstream_timeout"
  | "bad_request"
  | "payload_too_large"
  | "unauthorized"
  | "not_configured"
  | "stream_interrupted"
  | "aborted";

/** Usage as chat completions report it (the shape `calculateCost` accepts). */
export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
}

/** Audio usage for transcription pricing. */
export interface AudioUsage {
  audio_seconds: number;
}

export interface ProviderErrorInit {
  provider: ProviderName;
  model: string;
  status: number | null;
  code: ProviderErrorCode;
  retryable: boolean;
  retryAfterMs?: number;
  /** Usage the provider had already spent when the attempt failed (a stream cut midway). */
  usage?: ChatUsage;
  /** For logs only: the provider's message/body. Never serialised, never sent to clients. */
  detail?: unknown;
}

/**
 * A failed provider attempt, safe to show: `message` is ours, not the provider's.
 * `detail` (non-enumerable) keeps the provider's body for logs.
 */
export class ProviderError extends Error {
  readonly provider: ProviderName;
  readonly model: string;
  readonly status: number | null;
  readonly code: ProviderErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly usage?: ChatUsage;
  declare readonly detail: unknown;

  constructor(init: ProviderErrorInit) {
    super(
      `${init.provider} ${init.model}: ${init.code.replaceAll("_", " ")}` +
        (init.status ? ` (HTTP ${init.status})` : ""),
    );
    this.name = "ProviderError";
    this.provider = init.provider;
    this.model = init.model;
    this.status = init.status;
    this.code = init.code;
    this.retryable = init.retryable;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.usage !== undefined) this.usage = init.usage;
    Object.defineProperty(this, "detail", { value: init.detail, enumerable: false });
  }
}

const RETRYABLE_STATUS = new Set([429, 498, 500, 502, 503, 504]);

/** Maps anything {@link OpenAIHttpClient} (or fetch) throws to a {@link ProviderError}. */
export function toProviderError(
  err: unknown,
  target: ModelTarget,
  signal?: AbortSignal,
): ProviderError {
  if (err instanceof ProviderError) return err;
  const base = { provider: target.provider, model: target.model };
  if (signal?.aborted) {
    // Routing aborts an attempt with a ProviderError as the reason (timeout, deadline); keep it.
    const reason = signal.reason;
    if (reason instanceof ProviderError) {
      return new ProviderError({
        ...base,
        status: null,
        code: reason.code,
        retryable: reason.retryable,
        detail: err,
      });
    }
    return new ProviderError({
      ...base,
      status: null,
      code: "aborted",
      retryable: false,
      detail: err,
    });
  }
  if (err instanceof OpenAIHttpTimeoutError) {
    return new ProviderError({
      ...base,
      status: null,
      code: "upstream_timeout",
      retryable: true,
      detail: err.message,
    });
  }
  if (err instanceof OpenAIHttpAbortError || (err instanceof Error && err.name === "AbortError")) {
    return new ProviderError({
      ...base,
      status: null,
      code: "aborted",
      retryable: false,
      detail: err.message,
    });
  }
  if (err instanceof OpenAIHttpError) {
    const status = err.status;
    const detail = { message: err.message, body: err.error, requestId: err.requestId };
    const providerCode = typeof err.code === "string" ? err.code : undefined;
    if (status === null) {
      // A connection failure or an error event inside a stream.
      return new ProviderError({
        ...base,
        status,
        code: "upstream_unavailable",
        retryable: true,
        detail,
      });
    }
    const code = codeForStatus(status, providerCode);
    return new ProviderError({
      ...base,
      status,
      code,
      retryable: RETRYABLE_STATUS.has(status) && code !== "model_decommissioned",
      retryAfterMs: status === 429 || status === 498 || status === 503
        ? retryAfterMsFromHeaders(err.headers, Date.now(), status === 429)
        : undefined,
      detail,
    });
  }
  // fetch's own TypeError ("connection refused"), a body read error, a malformed SSE line…
  return new ProviderError({
    ...base,
    status: null,
    code: "upstream_unavailable",
    retryable: true,
    detail: err instanceof Error ? err.message : String(err),
  });
}

function codeForStatus(status: number, providerCode: string | undefined): ProviderErrorCode {
  if (providerCode === "model_decommissioned") return "model_decommissioned";
  if (providerCode === "model_not_found") return "model_not_found";
  switch (status) {
    case 429:
      return "rate_limited";
    case 498:
      return "capacity_exceeded";
    case 504:
      return "upstream_timeout";
    case 404:
      return "model_not_found";
    case 413:
      return "payload_too_large";
    case 401:
    case 403:
      return "unauthorized";
    case 499:
      return "aborted";
  }
  if (status >= 500) return "upstream_unavailable";
  return "bad_request";
}

function requestOptions(opts: CallOptions): OpenAIHttpRequestOptions {
  return {
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: Math.max(1, Math.round(opts.timeoutMs)) } : {}),
  };
}

function clientFor(clients: ProviderClients, target: ModelTarget): OpenAIHttpClient {
  const client = clients[target.provider];
  if (!client) {
    throw new ProviderError({
      ...target,
      status: null,
      code: "not_configured",
      retryable: false,
      detail: `${target.provider.toUpperCase()}_API_KEY is not set`,
    });
  }
  return client;
}

// ---------------------------------------------------------------------------------------------
// Requests

// The chat-completions wire format (platform.openai.com/docs/api-reference/chat/create and
// console.groq.com/docs/api-reference, checked 2026-12-01), as much of it as we send or read.

export interface ChatTextPart {
  type: "text";
  text: string;
}

export interface ChatImagePart {
  type: "image_url";
  image_url: { url: string; detail?: "auto" | "low" | "high" };
}

export type ChatContentPart = ChatTextPart | ChatImagePart;

export interface ChatToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export type ChatMessage =
  | { role: "system" | "developer"; content: string | ChatTextPart[]; name?: string }
  | { role: "user"; content: string | ChatContentPart[]; name?: string }
  | {
    role: "assistant";
    content?: string | ChatTextPart[] | null;
    name?: string;
    tool_calls?: ChatToolCall[];
  }
  | { role: "tool"; content: string | ChatTextPart[]; tool_call_id: string };

export interface ChatTool {
  type: "function";
  function: {
    name: string;
    description?: string;
    parameters?: Record<string, unknown>;
    /** Groq's spec takes a boolean only (no null). */
    strict?: boolean;
  };
}

/** A chat request without `model` and `stream` (routing supplies the model; the function picks
 * plain or streamed). */
export interface ChatRequest {
  messages: ChatMessage[];
  max_completion_tokens?: number | null;
  /** Deprecated by OpenAI in favour of `max_completion_tokens`; Groq accepts both. */
  max_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  n?: number | null;
  stop?: string | string[] | null;
  seed?: number | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  response_format?:
    | { type: "text" | "json_object" }
    | {
      type: "json_schema";
      json_schema: {
        name: string;
        description?: string;
        schema?: Record<string, unknown>;
        strict?: boolean | null;
      };
    };
  tools?: ChatTool[];
  tool_choice?:
    | "none"
    | "auto"
    | "required"
    | { type: "function"; function: { name: string } };
  parallel_tool_calls?: boolean;
  /** The values both providers take (Groq: none|default|low|medium|high by model; OpenAI:
   * none|minimal|low|medium|high|xhigh|max on reasoning models); `provider_limits.ts` says which
   * model takes which. */
  reasoning_effort?: "none" | "low" | "medium" | "high" | null;
  /** Groq's Qwen 3 models: where reasoning goes (`raw` = `<think>` in content). */
  reasoning_format?: "raw" | "parsed" | "hidden" | null;
  user?: string;
  /** Groq rejects these three; {@link sanitizeChatRequest} drops them for Groq. */
  logprobs?: boolean | null;
  top_logprobs?: number | null;
  logit_bias?: Record<string, number> | null;
}

/** A chat completion as the providers return it (the fields we read, and what tools need). */
export interface ChatCompletion {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: {
      role: string;
      content: string | null;
      tool_calls?: ChatToolCall[];
      refusal?: string | null;
      /** Groq's gpt-oss and qwen reasoning text, when asked for. */
      reasoning?: string;
    };
    finish_reason: string | null;
  }>;
  usage?: unknown;
}

/** One streamed chunk of a chat completion. */
interface ChatCompletionChunk {
  choices?: Array<{ delta?: { content?: string | null }; finish_reason?: string | null }>;
  usage?: unknown;
  /** Groq sends usage here on the last chunk, and `error` when it stopped the stream early. */
  x_groq?: { usage?: unknown; error?: string | null };
}

export interface CallOptions {
  /** Aborts the HTTP attempt (routing passes one that also fires on timeout and deadline). */
  signal?: AbortSignal;
  /** Per-attempt timeout for the response headers (the client's `timeout`). */
  timeoutMs?: number;
}

/** Fields Groq answers with 400 (console.groq.com/docs/openai, checked 2026-11-25). */
const GROQ_REJECTED_FIELDS = ["logprobs", "logit_bias", "top_logprobs"] as const;

/**
 * Returns a copy of `request` that `provider` accepts. For Groq this drops `logprobs`,
 * `logit_bias`, `top_logprobs`, `messages[].name` and `n` > 1 (Groq supports only n = 1); the
 * request for OpenAI is returned unchanged. `dropped` names what was removed, for a log line.
 */
export function sanitizeChatRequest<R extends Record<string, unknown>>(
  provider: ProviderName,
  request: R,
): { request: R; dropped: string[] } {
  if (provider !== "groq") return { request, dropped: [] };
  const copy: Record<string, unknown> = { ...request };
  const dropped: string[] = [];
  for (const field of GROQ_REJECTED_FIELDS) {
    if (field in copy) {
      delete copy[field];
      dropped.push(field);
    }
  }
  if ("n" in copy) {
    if (copy.n != null && copy.n !== 1) dropped.push("n");
    delete copy.n;
  }
  if (Array.isArray(copy.messages)) {
    let droppedName = false;
    copy.messages = copy.messages.map((message) => {
      if (message && typeof message === "object" && "name" in message) {
        droppedName = true;
        const { name: _name, ...rest } = message as Record<string, unknown>;
        return rest;
      }
      return message;
    });
    if (droppedName) dropped.push("messages[].name");
  }
  return { request: copy as R, dropped };
}

/**
 * `request` with what our calls always send to `target`'s model family (`provider_limits.ts`:
 * e.g. Groq Qwen gets `reasoning_format: "hidden"` and a low `reasoning_effort`, gpt-oss
 * `reasoning_effort: "low"`), unless the caller set those fields itself.
 */
export function withModelDefaults<R extends object>(
  target: ModelTarget,
  request: R,
): R & { reasoning_effort?: string; reasoning_format?: ChatRequest["reasoning_format"] } {
  const ours = chatLimitsFor(target.provider, target.model).ours ?? {};
  const merged = { ...request } as Record<string, unknown>;
  for (const [key, value] of Object.entries(ours)) {
    if (merged[key] === undefined) merged[key] = value;
  }
  return merged as R;
}

/** The request body sent for `target`: our model defaults, then what the provider refuses
 * removed. */
export function buildChatBody(
  target: ModelTarget,
  request: ChatRequest,
  stream: boolean,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    ...withModelDefaults(target, request),
    model: target.model,
    stream,
  };
  // Where the provider documents it (OpenAI, and Groq's current reference): the usage chunk comes
  // only when asked. Groq's x_groq.usage is read as well (provider_limits.ts).
  if (stream && chatLimitsFor(target.provider, target.model).streamUsage === "stream_options") {
    body.stream_options = { include_usage: true };
  }
  return sanitizeChatRequest(target.provider, body).request;
}

/** Matches a Qwen `<think>…</think>` block at the start of an answer (raw reasoning format). */
const LEADING_THINK = /^\s*<think>[\s\S]*?(?:<\/think>\s*|$)/;

/**
 * Removes a leading `<think>…</think>` block (and an unterminated one, which means the token
 * limit was hit while reasoning). We ask Groq Qwen for `reasoning_format: "hidden"`; this is the
 * defence for a model or provider that ignores it.
 */
export function stripThinking(text: string): string {
  return text.startsWith("<think>") || /^\s+<think>/.test(text)
    ? text.replace(LEADING_THINK, "")
    : text;
}

/**
 * The streamed form of {@link stripThinking}: text is held back while the stream could still be
 * opening a `<think>` block or is inside one, and passed through once it is clearly an answer.
 */
export class ThinkingFilter {
  #state: "start" | "inside" | "lead" | "pass" = "start";
  #held = "";

  /** Feeds one delta; returns the part of it (with held text) the user may see now. */
  push(delta: string): string {
    let next = delta;
    if (this.#state === "start") {
      this.#held += next;
      const head = this.#held.trimStart();
      if (head.length < "<think>".length && "<think>".startsWith(head)) return "";
      if (!head.startsWith("<think>")) {
        this.#state = "pass";
        const out = this.#held;
        this.#held = "";
        return out;
      }
      this.#state = "inside";
      next = "";
    }
    if (this.#state === "inside") {
      this.#held += next;
      const end = this.#held.indexOf("</think>");
      if (end < 0) return "";
      next = this.#held.slice(end + "</think>".length);
      this.#held = "";
      this.#state = "lead";
    }
    if (this.#state === "lead") {
      next = next.trimStart();
      if (next === "") return "";
      this.#state = "pass";
    }
    return next;
  }

  /** Text still held when the stream ends (a short answer that looked like "<thi…"). */
  flush(): string {
    const out = this.#state === "start" ? this.#held : "";
    this.#held = "";
    return out;
  }
}

export interface ChatResult {
  text: string;
  usage: ChatUsage | null;
  finishReason: string | null;
  /** The model stopped at its token limit (`finish_reason: "length"`): the text is cut short.
   * Routing records the attempt as `partial`; the answer says `truncated: true`. */
  truncated: boolean;
  /** The full provider response (tool calls, JSON mode…), never to be sent to a client as is. */
  response: ChatCompletion;
}

/**
 * One non-streamed chat completion.
 *
 * @example
 * const { text, usage } = await chatCompletion(clients, target, { messages }, { signal });
 */
export async function chatCompletion(
  clients: ProviderClients,
  target: ModelTarget,
  request: ChatRequest,
  opts: CallOptions = {},
): Promise<ChatResult> {
  const client = clientFor(clients, target);
  const body = buildChatBody(target, request, false);
  try {
    const response = await client.postJson<ChatCompletion>(
      "/chat/completions",
      body,
      requestOptions(opts),
    );
    const choice = response.choices?.[0];
    const finishReason = choice?.finish_reason ?? null;
    return {
      text: stripThinking(choice?.message?.content ?? ""),
      usage: normaliseUsage(response.usage) ?? null,
      finishReason,
      truncated: finishReason === "length",
      response,
    };
  } catch (err) {
    throw toProviderError(err, target, opts.signal);
  }
}

function normaliseUsage(raw: unknown): ChatUsage | undefined {
  if (!raw || typeof raw !== "object") return undefined;
  const u = raw as Record<string, unknown>;
  if (typeof u.prompt_tokens !== "number" || typeof u.completion_tokens !== "number") {
    return undefined;
  }
  const usage: ChatUsage = {
    prompt_tokens: u.prompt_tokens,
    completion_tokens: u.completion_tokens,
  };
  if (typeof u.total_tokens === "number") usage.total_tokens = u.total_tokens;
  const details = u.prompt_tokens_details as Record<string, unknown> | null | undefined;
  if (details && typeof details.cached_tokens === "number") {
    usage.prompt_tokens_details = { cached_tokens: details.cached_tokens };
  }
  return usage;
}

// ---------------------------------------------------------------------------------------------
// Streaming

export interface StreamOptions extends CallOptions {
  /** Called with each text delta as it arrives (write it to the client's stream). */
  onDelta?: (text: string) => void | Promise<void>;
  /** Called whenever the deltas of the bytes received so far have all reached `onDelta` and the
   * stream waits for more: send what they wrote then, in one write (see
   * `OpenAIHttpRequestOptions.onWait`). */
  onWait?: () => void;
  /** Receives JSON log lines (Groq's `x_groq.error`). Default: `console.error`. */
  log?: (line: string) => void;
}

export interface ChatStreamResult {
  text: string;
  /** Provider-reported usage; on a cut stream with no usage chunk, an estimate (see
   * `usageEstimated`). */
  usage: ChatUsage | null;
  usageEstimated: boolean;
  finishReason: string | null;
  /** The model stopped at its token limit (`finish_reason: "length"`). */
  truncated: boolean;
  /** True when the stream ended before the model finished (cut, timed out or aborted) after
   * text had already been delivered: the text is incomplete and must not be retried. */
  partial: boolean;
  /** Why a partial stream ended. */
  interruption?: ProviderErrorCode;
}

/**
 * A streamed chat completion. `stream_options.include_usage` is sent only where the provider
 * documents it (OpenAI); usage is read from a `usage` field and from Groq's `x_groq.usage`,
 * whichever arrives. A Groq `x_groq.error` (the provider stopped the stream) is logged and
 * handled as a cut stream. A leading `<think>` block never reaches `onDelta`. Failures before the
 * first text delta throw a {@link ProviderError} (routing may retry: the user has seen nothing).
 * A stream that breaks after text was delivered resolves with `partial: true` and the usage known
 * so far; when the provider never sent usage, the usage is estimated (prompt ≈ characters / 4,
 * completion = content chunks received, each chunk carrying about one token) and
 * `usageEstimated` is true, because a cut stream is still billed by the provider and a $0 row
 * would understate spend.
 */
export async function streamChatCompletion(
  clients: ProviderClients,
  target: ModelTarget,
  request: ChatRequest,
  opts: StreamOptions = {},
): Promise<ChatStreamResult> {
  const client = clientFor(clients, target);
  const body = buildChatBody(target, request, true);
  const log = opts.log ?? ((line: string) => console.error(line));
  const thinking = new ThinkingFilter();

  let text = "";
  let usage: ChatUsage | undefined;
  let finishReason: string | null = null;
  let contentChunks = 0;
  let failure: ProviderError | undefined;
  let opened = false;
  try {
    const stream = await client.postJsonStream<ChatCompletionChunk>(
      "/chat/completions",
      body,
      opts.onWait ? { ...requestOptions(opts), onWait: opts.onWait } : requestOptions(opts),
    );
    opened = true;
    for await (const chunk of stream) {
      usage = normaliseUsage(chunk.usage) ?? normaliseUsage(chunk.x_groq?.usage) ?? usage;
      for (const choice of chunk.choices ?? []) {
        const raw = choice.delta?.content;
        if (raw) {
          contentChunks++;
          const delta = thinking.push(raw);
          if (delta) {
            text += delta;
            await opts.onDelta?.(delta);
          }
        }
        if (choice.finish_reason) finishReason = choice.finish_reason;
      }
      const groqError = chunk.x_groq?.error;
      if (groqError) {
        log(JSON.stringify({
          level: "warn",
          type: "groq_stream_error",
          provider: target.provider,
          model: target.model,
          error: String(groqError).slice(0, 500),
        }));
        throw new ProviderError({
          ...target,
          status: null,
          code: "stream_interrupted",
          retryable: true,
          detail: { x_groq_error: groqError },
        });
      }
    }
    const tail = thinking.flush();
    if (tail) {
      text += tail;
      await opts.onDelta?.(tail);
    }
    // Our client throws on an abort, but a body that just ends after one must not pass as done.
    if (opts.signal?.aborted) failure = toProviderError(opts.signal.reason, target, opts.signal);
    else if (finishReason === null) {
      failure = new ProviderError({
        ...target,
        status: null,
        code: "stream_interrupted",
        retryable: true,
        detail: "stream ended without finish_reason",
      });
    }
  } catch (err) {
    failure = toProviderError(err, target, opts.signal);
  }

  if (!failure) {
    // A whole stream that still ended without usage was billed by the provider all the same:
    // estimate it from the text rather than record a free call (the row is flagged).
    const estimate = usage === undefined && contentChunks > 0;
    return {
      text,
      usage: usage ??
        (estimate
          ? {
            prompt_tokens: estimatePromptTokens(request.messages),
            completion_tokens: estimateCompletionTokens(text, contentChunks),
          }
          : null),
      usageEstimated: estimate,
      finishReason,
      truncated: finishReason === "length",
      partial: false,
    };
  }
  // Once the stream was open, a transport error is the stream being cut, whatever its cause.
  const interruption: ProviderErrorCode = opened && failure.code === "upstream_unavailable"
    ? "stream_interrupted"
    : failure.code;
  const usageEstimated = usage === undefined && contentChunks > 0;
  const knownUsage = usage ??
    (contentChunks > 0
      ? {
        prompt_tokens: estimatePromptTokens(request.messages),
        completion_tokens: estimateCompletionTokens(text, contentChunks),
      }
      : undefined);
  if (text === "") {
    // Nothing reached the user: let routing decide (retry or fall back), carrying spent usage.
    throw new ProviderError({
      provider: failure.provider,
      model: failure.model,
      status: failure.status,
      code: interruption,
      retryable: failure.retryable,
      retryAfterMs: failure.retryAfterMs,
      usage: knownUsage,
      detail: failure.detail,
    });
  }
  return {
    text,
    usage: knownUsage ?? null,
    usageEstimated,
    finishReason,
    truncated: false,
    partial: true,
    interruption,
  };
}

/**
 * Completion tokens of a stream that reported none: at least one per content chunk (providers
 * send about a token a chunk), and at least one per 3 characters (Russian text runs ~2.5–3.5
 * characters a token), so an estimate errs towards the provider's bill.
 */
function estimateCompletionTokens(text: string, contentChunks: number): number {
  return Math.max(contentChunks, Math.ceil(text.length / 3));
}

/** Rough prompt size for a stream that never reported usage: characters / 4, rounded up. */
function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  let chars = 0;
  for (const message of messages) {
    const content = (message as { content?: unknown }).content;
    if (typeof content === "string") chars += content.length;
    else if (Array.isArray(content)) {
      for (const part of content) {
        if (part && typeof part === "object" && typeof part.text === "string") {
          chars += part.text.length;
        }
      }
    }
  }
  return Math.ceil(chars / 4);
}

// ---------------------------------------------------------------------------------------------
// Vision

export interface ImageInput {
  bytes: Uint8Array;
  /** e.g. "image/jpeg", "image/png", "image/webp". */
  mimeType: string;
  /** OpenAI's `detail` (tile models count `low` as 85 tokens); not sent to Groq. */
  detail?: "auto" | "low" | "high";
}

/** An image as a chat content part with a base64 data URL (Groq takes ≤ 4 MB this way). */
export function imageContentPart(image: ImageInput): ChatImagePart {
  const base64 = Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength)
    .toString("base64");
  return { type: "image_url", image_url: { url: `data:${image.mimeType};base64,${base64}` } };
}

export interface VisionRequest extends Omit<ChatRequest, "messages"> {
  system?: string;
  prompt: string;
  images: readonly ImageInput[];
}

/** A chat completion over images: one user message with the prompt and one part per image. */
export function visionCompletion(
  clients: ProviderClients,
  target: ModelTarget,
  { system, prompt, images, ...rest }: VisionRequest,
  opts: CallOptions = {},
): Promise<ChatResult> {
  const messages: ChatMessage[] = [];
  if (system) messages.push({ role: "system", content: system });
  messages.push({
    role: "user",
    content: [
      { type: "text", text: prompt },
      ...images.map((image) => {
        const part = imageContentPart(image);
        return target.provider === "openai" && image.detail
          ? { ...part, image_url: { ...part.image_url, detail: image.detail } }
          : part;
      }),
    ],
  });
  return chatCompletion(clients, target, { ...rest, messages } as ChatRequest, opts);
}

// ---------------------------------------------------------------------------------------------
// Transcription

export interface TranscriptionRequest {
  audio: Blob | Uint8Array;
  /** File name with an extension the provider recognises (e.g. "voice.ogg"). */
  filename: string;
  mimeType?: string;
  /** ISO-639-1, e.g. "ru". */
  language?: string;
  prompt?: string;
}

export interface TranscriptionResult {
  text: string;
  language?: string;
  /** Audio length the provider reports (`verbose_json`), when it reports one. */
  durationSeconds?: number;
  /** `{ audio_seconds }` for pricing, or null when the provider gave no duration (the caller
   * should then measure the file itself). */
  usage: AudioUsage | null;
}

/**
 * Transcribes audio with the `response_format` the model takes (`provider_limits.ts`):
 * `verbose_json` where it exists (it reports `duration`), `json` for OpenAI's gpt-4o transcribe
 * family, which accepts nothing else. Without a reported duration `usage` is null and the caller
 * bills the duration it measured from the file.
 */
export async function transcribe(
  clients: ProviderClients,
  target: ModelTarget,
  request: TranscriptionRequest,
  opts: CallOptions = {},
): Promise<TranscriptionResult> {
  const client = clientFor(clients, target);
  try {
    const form = new FormData();
    form.append("file", audioBlob(request), request.filename);
    form.append("model", target.model);
    form.append(
      "response_format",
      transcriptionLimitsFor(target.provider, target.model).ours,
    );
    if (request.language) form.append("language", request.language);
    if (request.prompt) form.append("prompt", request.prompt);
    const result = await client.postForm<{ text?: string; language?: string; duration?: number }>(
      "/audio/transcriptions",
      form,
      requestOptions(opts),
    );
    const duration = typeof result.duration === "number" && Number.isFinite(result.duration)
      ? result.duration
      : undefined;
    return {
      text: result.text ?? "",
      ...(result.language ? { language: result.language } : {}),
      ...(duration !== undefined ? { durationSeconds: duration } : {}),
      usage: duration !== undefined ? { audio_seconds: duration } : null,
    };
  } catch (err) {
    throw toProviderError(err, target, opts.signal);
  }
}

/** The audio as a Blob typed with `mimeType` when given (the bytes are not copied for a Blob of
 * the right type). */
function audioBlob({ audio, mimeType }: TranscriptionRequest): Blob {
  if (audio instanceof Blob) {
    return mimeType === undefined || audio.type === mimeType
      ? audio
      : new Blob([audio], { type: mimeType });
  }
  return new Blob([audio as BufferSource], { type: mimeType ?? "" });
}
