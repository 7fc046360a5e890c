/**
 * The offline provider refuses what Groq and OpenAI document as refused (provider_limits.ts), and
 * our provider calls (providers.ts) pass it: Qwen reasoning, stream usage, request size, token
 * limits, transcription formats and languages.
 */
import assert from "node:assert/strict";
import { createOfflineProvider } from "../../scripts/offline-provider/server.ts";
import {
  chatCompletion,
  createProviderClients,
  type ProviderClients,
  streamChatCompletion,
  transcribe,
  visionCompletion,
} from "../../supabase/functions/_shared/ai/providers.ts";

const QWEN = { provider: "groq" as const, model: "qwen/qwen3.8-27b" };
const GPT_OSS = { provider: "groq" as const, model: "openai/gpt-oss-120b" };
const USER = [{ role: "user" as const, content: "Привет" }];
const WAV = Deno.readFileSync(new URL("../fixtures/audio/short.wav", import.meta.url));

async function withDouble(
  fn: (h: { clients: ProviderClients; origin: string; fault: (rule: unknown) => void }) => Promise<
    void
  >,
) {
  const provider = createOfflineProvider();
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, provider.handler);
  const origin = `http://127.0.0.1:${server.addr.port}`;
  const clients = createProviderClients({
    GROQ_API_KEY: "k",
    OPENAI_API_KEY: "k",
    GROQ_BASE_URL: `${origin}/openai/v1`,
    OPENAI_BASE_URL: `${origin}/v1`,
  });
  try {
    // deno-lint-ignore no-explicit-any
    await fn({ clients, origin, fault: (rule) => provider.state.addFault(rule as any) });
  } finally {
    provider.close();
    await server.shutdown();
  }
}

const post = (origin: string, path: string, body: unknown) =>
  fetch(`${origin}${path}`, {
    method: "POST",
    headers: { authorization: "Bearer k", "content-type": "application/json" },
    body: JSON.stringify(body),
  });

Deno.test("Qwen left at Groq's default puts <think> in content; our calls get none", async () => {
  await withDouble(async ({ clients, origin }) => {
    const raw = await (await post(origin, "/openai/v1/chat/completions", {
      model: QWEN.model,
      messages: USER,
    })).json();
    assert.match(raw.choices[0].message.content, /^<think>/);
    const parsed = await (await post(origin, "/openai/v1/chat/completions", {
      model: QWEN.model,
      messages: USER,
      reasoning_format: "parsed",
    })).json();
    assert.ok(
      parsed.choices[0].message.reasoning && !/<think>/.test(parsed.choices[0].message.content),
    );
    const ours = await chatCompletion(clients, QWEN, { messages: USER });
    assert.doesNotMatch(ours.text, /<think>/);
    const streamed = await streamChatCompletion(clients, QWEN, { messages: USER });
    assert.doesNotMatch(streamed.text, /<think>/);
  });
});

Deno.test("Groq takes stream_options (its current reference) and answers with a usage chunk; reasoning_format on gpt-oss is refused", async () => {
  await withDouble(async ({ origin }) => {
    const a = await post(origin, "/openai/v1/chat/completions", {
      model: GPT_OSS.model,
      messages: USER,
      stream: true,
      stream_options: { include_usage: true },
    });
    assert.equal(a.status, 200);
    const events = (await a.text()).split("\n\n").filter((e) => e.startsWith("data: {"))
      .map((e) => JSON.parse(e.slice(6)));
    const last = events[events.length - 1];
    assert.deepEqual(last.choices, [], "the usage chunk has no choices");
    assert.ok(last.usage.prompt_tokens > 0 && last.usage.completion_tokens > 0);
    assert.ok(events.some((e) => e.x_groq?.usage), "x_groq.usage is still sent");
    const b = await post(origin, "/openai/v1/chat/completions", {
      model: GPT_OSS.model,
      messages: USER,
      reasoning_format: "hidden",
    });
    assert.equal(b.status, 400);
    await b.body?.cancel();
  });
});

Deno.test("a Groq request with a base64 image over 4 MB is a 413; OpenAI takes it", async () => {
  await withDouble(async ({ clients }) => {
    // A 1×1 JPEG header padded to 3 MB: 4 MB of base64 with the prompt.
    const bytes = new Uint8Array(3_000_000);
    bytes.set([0xff, 0xd8, 0xff, 0xc0, 0, 17, 8, 0, 1, 0, 1, 3, 1, 0x22, 0]);
    const images = [{ bytes, mimeType: "image/jpeg" }];
    const err = await visionCompletion(clients, QWEN, { prompt: "p", images }).catch((e) => e);
    assert.equal(err.code, "payload_too_large");
    const ok = await visionCompletion(clients, { provider: "openai", model: "gpt-4.1-mini" }, {
      prompt: "p",
      images,
    });
    assert.ok(ok.text.startsWith("[offline-provider]"));
  });
});

Deno.test("a length stop is reported as truncated", async () => {
  await withDouble(async ({ clients, fault }) => {
    fault({ fault: { type: "length" } });
    const r = await chatCompletion(clients, GPT_OSS, { messages: USER });
    assert.equal(r.finishReason, "length");
    assert.equal(r.truncated, true);
  });
});

Deno.test("Groq stream usage arrives in the asked-for chunk, x_groq.usage or a usage field: all are read", async () => {
  await withDouble(async ({ clients, fault }) => {
    for (const variant of ["x_groq", "usage"]) {
      fault({ fault: { type: "stream_usage", variant } });
      const r = await streamChatCompletion(clients, GPT_OSS, { messages: USER });
      assert.ok(r.usage && r.usage.completion_tokens > 0, variant);
      assert.equal(r.usageEstimated, false);
    }
  });
});

Deno.test("a Groq stream that ends without any usage is estimated from its text and flagged, never 0", async () => {
  await withDouble(async ({ clients, fault }) => {
    fault({ fault: { type: "stream_usage", variant: "none" } });
    const r = await streamChatCompletion(clients, GPT_OSS, { messages: USER });
    assert.equal(r.partial, false);
    assert.equal(r.usageEstimated, true);
    assert.ok(r.usage!.prompt_tokens > 0);
    assert.ok(r.usage!.completion_tokens >= Math.ceil(r.text.length / 3), JSON.stringify(r.usage));
  });
});

Deno.test("transcription: gpt-4o-mini-transcribe takes json only; languages are ISO-639-1", async () => {
  await withDouble(async ({ clients, origin }) => {
    const form = (model: string, format: string, language?: string) => {
      const f = new FormData();
      f.append("file", new Blob([WAV], { type: "audio/wav" }), "v.wav");
      f.append("model", model);
      f.append("response_format", format);
      if (language) f.append("language", language);
      return fetch(`${origin}/v1/audio/transcriptions`, {
        method: "POST",
        headers: { authorization: "Bearer k" },
        body: f,
      });
    };
    const verbose = await form("gpt-4o-mini-transcribe", "verbose_json");
    assert.equal(verbose.status, 400);
    await verbose.body?.cancel();
    const rus = await form("whisper-1", "verbose_json", "rus");
    assert.equal(rus.status, 400);
    await rus.body?.cancel();
    const r = await transcribe(clients, { provider: "openai", model: "gpt-4o-mini-transcribe" }, {
      audio: WAV,
      filename: "v.wav",
      language: "ru",
    });
    assert.ok(r.text.startsWith("[offline-provider]"));
    assert.equal(r.usage, null, "json has no duration: the caller bills what it measured");
  });
});
