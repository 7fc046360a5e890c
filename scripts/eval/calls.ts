/**
 * One measured call per kind of work, through the functions' own provider code: the request
 * body is `buildChatBody` (the same model defaults, e.g. Qwen's hidden reasoning and gpt-oss's
 * low effort, and the same refused fields dropped), sent with `OpenAIHttpClient`; transcription
 * is `transcribe` from providers.ts.
 *
 * @module
 */

import {
  buildChatBody,
  type ChatMessage,
  type ModelTarget,
  type ProviderClients,
  ProviderError,
  ThinkingFilter,
  toProviderError,
  transcribe,
} from "../../supabase/functions/_shared/ai/providers.ts";

/** Usage as the provider sent it (reasoning tokens kept). */
export interface RawUsage {
  prompt_tokens: number;
  completion_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
}

export interface StreamedAnswer {
  text: string;
  usage: RawUsage | null;
  finishReason: string | null;
  /** Request → first delta of any kind (reasoning or answer). */
  firstDeltaMs: number | null;
  /** Request → first visible answer text: what a student waits for. */
  ttftMs: number | null;
  latencyMs: number;
  reasoningStreamed: boolean;
}

interface Chunk {
  choices?: {
    delta?: { content?: string | null; reasoning?: string | null; reasoning_content?: string };
    finish_reason?: string | null;
  }[];
  usage?: unknown;
  x_groq?: { usage?: unknown; error?: string | null };
}

function rawUsage(value: unknown): RawUsage | null {
  if (!value || typeof value !== "object") return null;
  const u = value as RawUsage;
  return typeof u.prompt_tokens === "number" && typeof u.completion_tokens === "number" ? u : null;
}

/**
 * Streams one chat completion and times it. Throws a `ProviderError` (the functions' mapping of
 * provider failures, with `retryAfterMs` on a 429).
 */
export async function streamAnswer(
  clients: ProviderClients,
  target: ModelTarget,
  messages: ChatMessage[],
  options: { maxCompletionTokens: number; signal?: AbortSignal; now?: () => number },
): Promise<StreamedAnswer> {
  const now = options.now ?? performance.now.bind(performance);
  const client = clients[target.provider];
  if (!client) {
    throw new ProviderError({ ...target, status: null, code: "not_configured", retryable: false });
  }
  const body = buildChatBody(target, {
    messages,
    max_completion_tokens: options.maxCompletionTokens,
  }, true);
  const started = now();
  const thinking = new ThinkingFilter();
  const answer: StreamedAnswer = {
    text: "",
    usage: null,
    finishReason: null,
    firstDeltaMs: null,
    ttftMs: null,
    latencyMs: 0,
    reasoningStreamed: false,
  };
  try {
    const stream = await client.postJsonStream<Chunk>("/chat/completions", body, {
      signal: options.signal,
    });
    for await (const chunk of stream) {
      answer.usage = rawUsage(chunk.usage) ?? rawUsage(chunk.x_groq?.usage) ?? answer.usage;
      if (chunk.x_groq?.error) {
        throw new ProviderError({
          ...target,
          status: null,
          code: "stream_interrupted",
          retryable: true,
        });
      }
      for (const choice of chunk.choices ?? []) {
        const delta = choice.delta ?? {};
        const reasoning = delta.reasoning ?? delta.reasoning_content;
        if (reasoning) {
          answer.reasoningStreamed = true;
          answer.firstDeltaMs ??= now() - started;
        }
        if (delta.content) {
          answer.firstDeltaMs ??= now() - started;
          const visible = thinking.push(delta.content);
          if (visible) {
            answer.ttftMs ??= now() - started;
            answer.text += visible;
          }
        }
        if (choice.finish_reason) answer.finishReason = choice.finish_reason;
      }
    }
    answer.text += thinking.flush();
  } catch (err) {
    throw toProviderError(err, target, options.signal);
  }
  answer.latencyMs = now() - started;
  if (answer.finishReason === null) {
    throw new ProviderError({
      ...target,
      status: null,
      code: "stream_interrupted",
      retryable: true,
    });
  }
  return answer;
}

export interface TimedTranscript {
  text: string;
  /** Seconds the provider reported, else the clip's known duration (what it bills). */
  audioSeconds: number;
  latencyMs: number;
}

/** Transcribes one clip in Russian and times the whole call. */
export async function timedTranscript(
  clients: ProviderClients,
  target: ModelTarget,
  clip: { bytes: Uint8Array; file: string; mimeType: string; durationSeconds: number },
  options: { signal?: AbortSignal; now?: () => number } = {},
): Promise<TimedTranscript> {
  const now = options.now ?? performance.now.bind(performance);
  const started = now();
  const result = await transcribe(clients, target, {
    audio: clip.bytes,
    filename: clip.file,
    mimeType: clip.mimeType,
    language: "ru",
  }, { signal: options.signal });
  return {
    text: result.text,
    audioSeconds: result.durationSeconds ?? clip.durationSeconds,
    latencyMs: now() - started,
  };
}
