/**
 * Contract tests: every chat request shape the functions build is checked against the request
 * types of the providers' own SDKs (groq-sdk for Groq, openai for OpenAI), at the type level, and
 * against the runtime allow-lists of `provider_limits.ts` that the offline provider enforces. A new
 * parameter cannot slip into a request without one of these failing.
 */
import assert from "node:assert/strict";
import type Groq from "groq-sdk";
import type OpenAI from "openai";
import {
  chatRequestProblem,
  GROQ_CHAT_PARAMS,
  type GroqChatParam,
  OPENAI_CHAT_PARAMS,
  type OpenAIChatParam,
  TRANSCRIPTION_LANGUAGES,
  transcriptionLimitsFor,
} from "../../supabase/functions/_shared/ai/provider_limits.ts";
import {
  buildChatBody,
  type ChatRequest,
  imageContentPart,
  type ModelTarget,
} from "../../supabase/functions/_shared/ai/providers.ts";
import { DEFAULT_CANDIDATES } from "../../supabase/functions/_shared/ai/config.ts";

type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const holds = <T extends true>(_proof?: T) => {};

// The allow-lists are exactly the SDKs' parameter names: a field added to either SDK (or to our
// list) fails type-checking until the table and its source are updated together.
// The last `create` overload takes the base params (streaming or not).
type GroqParams = Parameters<Groq["chat"]["completions"]["create"]>[0];
type OpenAIParams = OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;
// stream_options is Groq's API reference's (2026-12), newer than groq-sdk 1.6.0's types.
holds<Equal<Exclude<GroqChatParam, "stream_options">, keyof GroqParams>>();
holds<Equal<OpenAIChatParam, keyof OpenAIParams>>();

// Our request type, completed with model and stream, is a request of each SDK: every field we can
// send has the SDK's type (reasoning_format is Groq's; for OpenAI it is never set, see below).
type Sent = ChatRequest & { model: string; stream?: false };
holds<Sent extends GroqParams ? true : false>();
holds<Omit<Sent, "reasoning_format"> extends OpenAIParams ? true : false>();
// Transcription formats and languages we send are values of the SDKs' own unions.
type GroqLanguage = NonNullable<Groq.Audio.TranscriptionCreateParams["language"]>;
holds<"ru" extends GroqLanguage ? true : false>();
holds<
  "json" | "verbose_json" extends
    NonNullable<OpenAI.Audio.TranscriptionCreateParams["response_format"]> ? true
    : false
>();

const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xc0, 0, 17, 8, 0, 10, 0, 10, 3, 1, 0x22, 0, 0, 0]);

/** Every request shape the functions build: curator (plain and streamed), document, vision. */
function shapes(): Array<[string, ModelTarget, ChatRequest, boolean]> {
  const text: ChatRequest = {
    messages: [{ role: "system", content: "s" }, { role: "user", content: "u" }],
    max_completion_tokens: 4096,
  };
  const vision: ChatRequest = {
    messages: [{ role: "system", content: "s" }, {
      role: "user",
      content: [
        { type: "text", text: "p" },
        imageContentPart({ bytes: JPEG, mimeType: "image/jpeg" }),
      ],
    }],
    max_completion_tokens: 4096,
  };
  const out: Array<[string, ModelTarget, ChatRequest, boolean]> = [];
  for (const target of [...DEFAULT_CANDIDATES.chat, ...DEFAULT_CANDIDATES.document]) {
    out.push(["curator/document", target, text, false], ["curator stream", target, text, true]);
  }
  for (
    const target of [...DEFAULT_CANDIDATES.vision, {
      provider: "groq" as const,
      model: "qwen/qwen3.6-27b",
    }]
  ) {
    out.push(["vision", target, vision, false]);
  }
  return out;
}

Deno.test("every request body the functions build is one the provider accepts", () => {
  for (const [what, target, request, stream] of shapes()) {
    const body = buildChatBody(target, request, stream);
    const params: readonly string[] = target.provider === "groq"
      ? GROQ_CHAT_PARAMS
      : OPENAI_CHAT_PARAMS;
    for (const key of Object.keys(body)) {
      assert.ok(params.includes(key), `${what} → ${target.model}: ${key} is not in the SDK`);
    }
    assert.equal(
      chatRequestProblem(target.provider, target.model, body),
      null,
      `${what} → ${target.provider}:${target.model}`,
    );
  }
});

Deno.test("Groq and OpenAI streams both ask for the usage chunk (stream_options.include_usage)", () => {
  const [, , text] = shapes()[0];
  const groq = buildChatBody({ provider: "groq", model: "openai/gpt-oss-120b" }, text, true);
  const openai = buildChatBody({ provider: "openai", model: "gpt-4.1-mini" }, text, true);
  assert.deepEqual(groq.stream_options, { include_usage: true });
  assert.deepEqual(openai.stream_options, { include_usage: true });
  assert.equal(chatRequestProblem("groq", "openai/gpt-oss-120b", groq), null);
  const plain = buildChatBody({ provider: "groq", model: "openai/gpt-oss-120b" }, text, false);
  assert.equal(plain.stream_options, undefined, "never on a non-streamed call");
});

Deno.test("Qwen bodies ask for hidden reasoning at an effort the model takes", () => {
  const [, , text] = shapes()[0];
  const q38 = buildChatBody({ provider: "groq", model: "qwen/qwen3.8-27b" }, text, false);
  const q36 = buildChatBody({ provider: "groq", model: "qwen/qwen3.6-27b" }, text, false);
  assert.deepEqual([q38.reasoning_format, q38.reasoning_effort], ["hidden", "low"]);
  assert.deepEqual([q36.reasoning_format, q36.reasoning_effort], ["hidden", "none"]);
  assert.ok(chatRequestProblem("groq", "qwen/qwen3.6-27b", { ...q36, reasoning_effort: "low" }));
});

Deno.test("transcription: gpt-4o transcribe models get json; every language we accept is Groq's", () => {
  assert.equal(transcriptionLimitsFor("openai", "gpt-4o-mini-transcribe").ours, "json");
  assert.equal(transcriptionLimitsFor("openai", "gpt-transcribe").ours, "json");
  assert.equal(transcriptionLimitsFor("openai", "whisper-1").ours, "verbose_json");
  assert.equal(transcriptionLimitsFor("groq", "whisper-large-v3").ours, "verbose_json");
  assert.ok(TRANSCRIPTION_LANGUAGES.has("ru") && !TRANSCRIPTION_LANGUAGES.has("rus"));
  for (const code of TRANSCRIPTION_LANGUAGES) {
    assert.match(code, /^[a-z]{2}$|^(haw|yue)$/, "ISO-639-1, plus Groq's two exceptions");
  }
});
