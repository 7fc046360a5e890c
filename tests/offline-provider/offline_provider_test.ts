/**
 * The offline provider's wire format, driven by the official `openai` client exactly as the edge
 * functions drive Groq and OpenAI (maxRetries: 0; our routing does the retrying).
 */
import assert from "node:assert/strict";
import OpenAI, { toFile } from "openai";
import {
  createOfflineProvider,
  type FaultRuleInput,
  type OfflineProvider,
  type RequestLogEntry,
} from "../../scripts/offline-provider/server.ts";

const FIXTURES = new URL("../fixtures/audio/", import.meta.url);
const manifest: { fixtures: { file: string; durationSeconds: number }[] } = JSON.parse(
  Deno.readTextFileSync(new URL("manifest.json", FIXTURES)),
);

interface Harness {
  provider: OfflineProvider;
  origin: string;
  groq: OpenAI;
  openai: OpenAI;
  fault(rule: FaultRuleInput): Promise<void>;
  requests(): Promise<RequestLogEntry[]>;
}

/** Serves a fresh provider on a free port for one test, then shuts it down. */
async function withProvider(fn: (h: Harness) => Promise<void>) {
  const provider = createOfflineProvider();
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, provider.handler);
  const origin = `http://127.0.0.1:${server.addr.port}`;
  const harness: Harness = {
    provider,
    origin,
    groq: new OpenAI({
      apiKey: "offline-groq-key",
      baseURL: `${origin}/openai/v1`,
      maxRetries: 0,
    }),
    openai: new OpenAI({ apiKey: "offline-openai-key", baseURL: `${origin}/v1`, maxRetries: 0 }),
    async fault(rule) {
      // Through the HTTP control plane, as tests against the running stack will do it.
      const response = await fetch(`${origin}/__offline/faults`, {
        method: "POST",
        body: JSON.stringify(rule),
      });
      assert.equal(response.status, 201, await response.text());
    },
    async requests() {
      return await (await fetch(`${origin}/__offline/requests`)).json();
    },
  };
  try {
    await fn(harness);
  } finally {
    provider.close();
    await server.shutdown();
  }
}

const USER = (content: string) => [{ role: "user" as const, content }];
const GROQ_CHAT = "openai/gpt-oss-120b";
const GROQ_VISION = "qwen/qwen3.8-27b";

async function rejection(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof OpenAI.APIError, `expected APIError, got ${error}`);
    return error;
  }
  assert.fail("expected the request to fail");
}

// --- images built byte by byte: only the headers matter to the provider --------------------

function pngHeader(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(33);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  bytes.set([8, 6, 0, 0, 0], 24);
  return bytes;
}

function jpegHeader(width: number, height: number): Uint8Array {
  // SOI, an APP0 (JFIF) segment, then SOF0 with the frame size.
  const soi = [0xff, 0xd8];
  const jfif = [...new TextEncoder().encode("JFIF\0"), 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const app0 = [0xff, 0xe0, 0x00, 0x10, ...jfif];
  const sof0 = [0xff, 0xc0, 0x00, 0x11, 8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3];
  const components = [1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  return Uint8Array.from([...soi, ...app0, ...sof0, ...components]);
}

function webpHeader(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(30);
  bytes.set(new TextEncoder().encode("RIFF\0\0\0\0WEBPVP8X"));
  bytes[24] = (width - 1) & 0xff;
  bytes[25] = ((width - 1) >> 8) & 0xff;
  bytes[27] = (height - 1) & 0xff;
  bytes[28] = ((height - 1) >> 8) & 0xff;
  return bytes;
}

function gifHeader(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(13);
  bytes.set(new TextEncoder().encode("GIF89a"));
  bytes.set([width & 0xff, width >> 8, height & 0xff, height >> 8], 6);
  return bytes;
}

function dataUrl(mime: string, bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `data:${mime};base64,${btoa(binary)}`;
}

function imagePart(url: string) {
  return { type: "image_url" as const, image_url: { url } };
}

// --- chat ---------------------------------------------------------------------------------

Deno.test("plain chat on Groq's path answers as the offline provider, never as a model", async () => {
  await withProvider(async ({ groq }) => {
    const { data, response } = await groq.chat.completions
      .create({ model: GROQ_CHAT, messages: USER("Привет! Когда следующий урок?") })
      .withResponse();
    assert.equal(response.headers.get("x-offline-provider"), "1");
    assert.equal(data.system_fingerprint, "offline-provider");
    assert.equal(data.model, GROQ_CHAT);
    assert.equal(data.choices[0].finish_reason, "stop");
    assert.ok(data.choices[0].message.content?.startsWith("[offline-provider]"));
    assert.equal(data.usage?.prompt_tokens_details?.cached_tokens, 0);
    assert.equal(
      data.usage!.total_tokens,
      data.usage!.prompt_tokens + data.usage!.completion_tokens,
    );
    for (const name of ["limit", "remaining", "reset"]) {
      assert.ok(response.headers.get(`x-ratelimit-${name}-requests`));
      assert.ok(response.headers.get(`x-ratelimit-${name}-tokens`));
    }
  });
});

Deno.test("usage grows with the input: prompt tokens ≈ chars/4", async () => {
  await withProvider(async ({ openai }) => {
    const short = await openai.chat.completions.create({
      model: "gpt-4.1-mini",
      messages: USER("Коротко."),
    });
    const long = await openai.chat.completions.create({
      model: "gpt-4.1-mini",
      messages: [
        { role: "system", content: "Ты куратор онлайн-школы." },
        ...USER("а".repeat(4000)),
      ],
    });
    assert.equal(short.usage!.prompt_tokens, Math.ceil("Коротко.".length / 4));
    assert.equal(long.usage!.prompt_tokens, Math.ceil((24 + 4000) / 4));
    assert.ok(long.usage!.completion_tokens >= short.usage!.completion_tokens);
  });
});

Deno.test("a streamed Groq chat arrives in several chunks with usage in x_groq.usage", async () => {
  await withProvider(async ({ groq }) => {
    // Without stream_options Groq still puts usage in x_groq.usage on the last chunk.
    const stream = await groq.chat.completions.create({
      model: GROQ_CHAT,
      messages: USER("Расскажи о курсе"),
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
    assert.ok(text.startsWith("[offline-provider]"));
    assert.ok(chunks.filter((c) => c.choices[0]?.delta?.content).length >= 3);
    const last = chunks[chunks.length - 1];
    assert.equal(last.choices[0]?.finish_reason, "stop");
    // deno-lint-ignore no-explicit-any
    const xGroqUsage = (last as any).x_groq?.usage;
    assert.ok(xGroqUsage.prompt_tokens > 0 && xGroqUsage.completion_tokens > 0);
    assert.ok(chunks.every((c) => c.system_fingerprint === "offline-provider"));
  });
});

Deno.test("an OpenAI stream without include_usage has no usage chunk and no x_groq", async () => {
  await withProvider(async ({ openai }) => {
    const stream = await openai.chat.completions.create({
      model: "gpt-4.1-mini",
      messages: USER("Привет"),
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.ok(chunks.every((c) => c.choices.length === 1 && !c.usage && !("x_groq" in c)));
    assert.equal(chunks[chunks.length - 1].choices[0].finish_reason, "stop");
  });
});

Deno.test("max_tokens cuts the reply and reports finish_reason length", async () => {
  await withProvider(async ({ openai }) => {
    const reply = await openai.chat.completions.create({
      model: "gpt-4o-mini",
      messages: USER("Подробно"),
      max_tokens: 8,
    });
    assert.equal(reply.choices[0].finish_reason, "length");
    assert.ok(reply.choices[0].message.content!.startsWith("[offline-provider]"));
  });
});

// --- images -------------------------------------------------------------------------------

Deno.test("image parts are decoded: bytes, mime and pixel size recorded; tokens counted by the model's rule", async () => {
  await withProvider(async ({ groq, openai, requests }) => {
    const images = [
      dataUrl("image/png", pngHeader(640, 480)),
      dataUrl("image/jpeg", jpegHeader(1024, 768)),
      dataUrl("image/webp", webpHeader(300, 200)),
    ];
    const text = "Что на фото?";
    const reply = await groq.chat.completions.create({
      model: GROQ_VISION,
      messages: [{
        role: "user",
        content: [{ type: "text", text }, ...images.map(imagePart)],
      }],
    });
    // Qwen3-VL: one token per 32×32 square; the 300×200 one is raised to the 65,536 px minimum.
    assert.equal(reply.usage!.prompt_tokens, Math.ceil(text.length / 4) + 300 + 768 + 70);
    const [logged] = await requests();
    assert.deepEqual(logged.body.images, [
      { bytes: 33, width: 640, height: 480, mime: "image/png", tokens: 300 },
      { bytes: 39, width: 1024, height: 768, mime: "image/jpeg", tokens: 768 },
      { bytes: 30, width: 300, height: 200, mime: "image/webp", tokens: 70 },
    ]);

    const gif = await groq.chat.completions.create({
      model: "qwen/qwen3.6-27b",
      messages: [{ role: "user", content: [imagePart(dataUrl("image/gif", gifHeader(5, 7)))] }],
    });
    assert.equal(gif.usage!.prompt_tokens, 70);
    const log = await requests();
    assert.deepEqual(log[1].body.images, [
      { bytes: 13, width: 5, height: 7, mime: "image/gif", tokens: 70 },
    ]);

    // GPT-4o's tiles read `detail`: 1024×768 high is 4 tiles (765), low is 85.
    for (const [detail, tokens] of [["high", 765], ["low", 85]] as const) {
      const r = await openai.chat.completions.create({
        model: "gpt-4o",
        messages: [{
          role: "user",
          content: [{ type: "image_url", image_url: { url: images[1], detail } }],
        }],
      });
      assert.equal(r.usage!.prompt_tokens, tokens, detail);
    }
  });
});

// --- Groq-rejected fields -----------------------------------------------------------------

Deno.test("Groq answers 400 to logprobs, logit_bias, top_logprobs, messages[].name and n > 1", async () => {
  await withProvider(async ({ groq, openai }) => {
    const extras = [
      { logprobs: true },
      { logit_bias: { "50256": -100 } },
      { top_logprobs: 2, logprobs: false },
      { n: 2 },
    ];
    for (const extra of extras) {
      const error = await rejection(
        groq.chat.completions.create({ model: GROQ_CHAT, messages: USER("x"), ...extra }),
      );
      assert.equal(error.status, 400, JSON.stringify(extra));
      assert.ok(error instanceof OpenAI.BadRequestError);
    }
    const named = await rejection(groq.chat.completions.create({
      model: GROQ_CHAT,
      messages: [{ role: "user", content: "x", name: "student" }],
    }));
    assert.equal(named.status, 400);
    assert.equal(named.param, "messages[].name");

    // OpenAI takes the same fields.
    const fine = await openai.chat.completions.create({
      model: "gpt-4.1-mini",
      messages: [{ role: "user", content: "x", name: "student" }],
      logprobs: true,
      top_logprobs: 2,
    });
    assert.ok(fine.choices[0].message.content?.startsWith("[offline-provider]"));
  });
});

// --- models -------------------------------------------------------------------------------

Deno.test("retired Groq models are 400 model_decommissioned, unknown ones 404 model_not_found", async () => {
  await withProvider(async ({ groq, openai }) => {
    for (const model of ["llama-3.3-70b-versatile", "meta-llama/llama-4-scout-17b-16e-instruct"]) {
      const error = await rejection(groq.chat.completions.create({ model, messages: USER("x") }));
      assert.equal(error.status, 400);
      assert.equal(error.code, "model_decommissioned");
      assert.equal(error.type, "invalid_request_error");
    }
    const unknown = await rejection(
      openai.chat.completions.create({ model: "gpt-nonexistent", messages: USER("x") }),
    );
    assert.ok(unknown instanceof OpenAI.NotFoundError);
    assert.equal(unknown.code, "model_not_found");
  });
});

Deno.test("models are listed on both paths", async () => {
  await withProvider(async ({ groq, openai }) => {
    const groqIds = [];
    for await (const model of groq.models.list()) groqIds.push(model.id);
    assert.ok(groqIds.includes("openai/gpt-oss-120b") && groqIds.includes("whisper-large-v3"));
    assert.ok(!groqIds.includes("llama-3.3-70b-versatile"));
    const openaiIds = [];
    for await (const model of openai.models.list()) openaiIds.push(model.id);
    assert.ok(openaiIds.includes("gpt-4.1-mini") && openaiIds.includes("whisper-1"));
  });
});

Deno.test("requests without an API key are 401", async () => {
  await withProvider(async ({ origin }) => {
    const response = await fetch(`${origin}/openai/v1/models`);
    assert.equal(response.status, 401);
    assert.equal((await response.json()).error.code, "invalid_api_key");
    assert.equal(response.headers.get("x-offline-provider"), "1");
  });
});

// --- transcription ------------------------------------------------------------------------

for (const { file, durationSeconds } of manifest.fixtures) {
  Deno.test(`transcription verbose_json of ${file} reports its real duration`, async () => {
    await withProvider(async ({ groq }) => {
      const bytes = Deno.readFileSync(new URL(file, FIXTURES));
      const result = await groq.audio.transcriptions.create({
        file: await toFile(bytes, file),
        model: "whisper-large-v3",
        language: "ru",
        response_format: "verbose_json",
      });
      assert.ok(Math.abs(result.duration - durationSeconds) < 0.1, `${result.duration}`);
      assert.equal(result.language, "russian");
      assert.ok(result.text.startsWith("[offline-provider]"));
      assert.ok(result.segments!.length >= 1);
      assert.ok(Math.abs(result.segments!.at(-1)!.end - durationSeconds) < 0.1);
    });
  });
}

Deno.test("transcription json and text formats, on both paths", async () => {
  await withProvider(async ({ groq, openai, requests }) => {
    const bytes = Deno.readFileSync(new URL("short.ogg", FIXTURES));
    const json = await openai.audio.transcriptions.create({
      file: await toFile(bytes, "voice.ogg"),
      model: "whisper-1",
    });
    assert.ok(json.text.startsWith("[offline-provider]"));
    const text = await groq.audio.transcriptions.create({
      file: await toFile(bytes, "voice.ogg"),
      model: "whisper-large-v3-turbo",
      response_format: "text",
    });
    assert.ok(String(text).startsWith("[offline-provider]"));
    const log = await requests();
    assert.equal(log[0].body.fileBytes, bytes.length);
    assert.equal(log[1].model, "whisper-large-v3-turbo");
  });
});

Deno.test("transcription rejects a PNG, an empty file and a chat model with 400", async () => {
  await withProvider(async ({ groq }) => {
    const png = await rejection(groq.audio.transcriptions.create({
      file: await toFile(pngHeader(1, 1), "voice.ogg"),
      model: "whisper-large-v3",
    }));
    assert.equal(png.status, 400);
    const empty = await rejection(groq.audio.transcriptions.create({
      file: await toFile(new Uint8Array(0), "voice.ogg"),
      model: "whisper-large-v3",
    }));
    assert.equal(empty.status, 400);
    const bytes = Deno.readFileSync(new URL("short.ogg", FIXTURES));
    const wrongModel = await rejection(groq.audio.transcriptions.create({
      file: await toFile(bytes, "voice.ogg"),
      model: GROQ_CHAT,
    }));
    assert.equal(wrongModel.status, 400);
    const retired = await rejection(groq.audio.transcriptions.create({
      file: await toFile(bytes, "voice.ogg"),
      model: "distil-whisper-large-v3-en",
    }));
    assert.equal(retired.code, "model_decommissioned");
  });
});

// --- Responses API ------------------------------------------------------------------------

Deno.test("Responses API: usage has input/cached/output/reasoning tokens", async () => {
  await withProvider(async ({ openai }) => {
    const response = await openai.responses.create({
      model: "gpt-5-mini",
      instructions: "Ты наставник курса.",
      input: "Как мне подготовиться к экзамену?",
    });
    assert.equal(response.status, "completed");
    assert.ok(response.output_text.startsWith("[offline-provider]"));
    const usage = response.usage!;
    assert.equal(
      usage.input_tokens,
      Math.ceil(("Ты наставник курса.".length + "Как мне подготовиться к экзамену?".length) / 4),
    );
    assert.equal(usage.input_tokens_details.cached_tokens, 0);
    assert.ok(usage.output_tokens_details.reasoning_tokens > 0);
    assert.ok(usage.output_tokens > usage.output_tokens_details.reasoning_tokens);
    assert.equal(usage.total_tokens, usage.input_tokens + usage.output_tokens);
  });
});

Deno.test("Responses API streams deltas and ends with response.completed carrying usage", async () => {
  await withProvider(async ({ openai }) => {
    const stream = await openai.responses.create({
      model: "gpt-4.1-mini",
      input: [{ role: "user", content: [{ type: "input_text", text: "Привет" }] }],
      stream: true,
    });
    let text = "";
    let completed;
    for await (const event of stream) {
      if (event.type === "response.output_text.delta") text += event.delta;
      if (event.type === "response.completed") completed = event.response;
    }
    assert.ok(text.startsWith("[offline-provider]"));
    assert.equal(completed!.usage!.output_tokens_details.reasoning_tokens, 0);
    assert.ok(completed!.usage!.input_tokens > 0);
  });
});

// --- injected failures --------------------------------------------------------------------

Deno.test("rate_limit: 429 with retry-after and x-ratelimit-reset-*, then back to normal", async () => {
  await withProvider(async ({ groq, fault }) => {
    await fault({
      provider: "groq",
      path: "chat/completions",
      fault: { type: "rate_limit", retryAfterSeconds: 7 },
    });
    const error = await rejection(
      groq.chat.completions.create({ model: GROQ_CHAT, messages: USER("x") }),
    );
    assert.ok(error instanceof OpenAI.RateLimitError);
    assert.equal(error.status, 429);
    assert.equal(error.code, "rate_limit_exceeded");
    assert.equal(error.headers?.get("retry-after"), "7");
    assert.equal(error.headers?.get("x-ratelimit-reset-tokens"), "7s");
    assert.equal(error.headers?.get("x-ratelimit-remaining-tokens"), "0");
    assert.equal(error.headers?.get("x-offline-provider"), "1");
    // times defaults to 1
    const ok = await groq.chat.completions.create({ model: GROQ_CHAT, messages: USER("x") });
    assert.ok(ok.choices[0].message.content);
  });
});

Deno.test("status faults: 500, 502, 503, 498 and 413 reach the client as APIError", async () => {
  await withProvider(async ({ groq, openai, fault }) => {
    for (const status of [500, 502, 503, 498, 413]) {
      await fault({ fault: { type: "status", status } });
      const error = await rejection(
        groq.chat.completions.create({ model: GROQ_CHAT, messages: USER("x") }),
      );
      assert.equal(error.status, status);
      assert.equal(error.headers?.get("x-offline-provider"), "1");
      if (status >= 500) assert.ok(error instanceof OpenAI.InternalServerError);
    }
    await fault({ provider: "openai", fault: { type: "status", status: 503, code: "overloaded" } });
    const error = await rejection(
      openai.chat.completions.create({ model: "gpt-4.1-mini", messages: USER("x") }),
    );
    assert.equal(error.status, 503);
    assert.equal(error.code, "overloaded");
    assert.equal(error.type, "server_error");
  });
});

Deno.test("faults match on provider, path and model, and apply `times` times", async () => {
  await withProvider(async ({ groq, openai, fault, provider }) => {
    await fault({
      provider: "openai",
      model: "gpt-4o",
      times: 2,
      fault: { type: "status", status: 500 },
    });
    // Other provider and other model are untouched.
    await groq.chat.completions.create({ model: GROQ_CHAT, messages: USER("x") });
    await openai.chat.completions.create({ model: "gpt-4.1-mini", messages: USER("x") });
    for (let i = 0; i < 2; i++) {
      const error = await rejection(
        openai.chat.completions.create({ model: "gpt-4o", messages: USER("x") }),
      );
      assert.equal(error.status, 500);
    }
    await openai.chat.completions.create({ model: "gpt-4o", messages: USER("x") });
    assert.equal(provider.state.faults.length, 0);
    assert.deepEqual(provider.state.requests.map((r) => r.status), [200, 200, 500, 500, 200]);
    assert.deepEqual(provider.state.requests[2].fault, "status");
  });
});

Deno.test("hang: the client's timeout fires and the provider stops waiting", async () => {
  await withProvider(async ({ groq, fault, provider }) => {
    await fault({ fault: { type: "hang", ms: 60_000 } });
    const started = Date.now();
    const error = await rejection(
      groq.chat.completions.create({ model: GROQ_CHAT, messages: USER("x") }, { timeout: 200 }),
    );
    assert.ok(error instanceof OpenAI.APIConnectionTimeoutError);
    assert.ok(Date.now() - started < 5_000);
    // The provider notices the closed connection (no timer left behind: the test sanitizer
    // would flag a pending 60 s timer).
    await waitFor(() => provider.state.requests[0]?.status === 499);
  });
});

Deno.test("hang: an AbortSignal ends the request", async () => {
  await withProvider(async ({ openai, fault, provider }) => {
    await fault({ path: "chat/completions", fault: { type: "hang" } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await rejection(openai.chat.completions.create(
      { model: "gpt-4.1-mini", messages: USER("x") },
      { signal: controller.signal },
    ));
    assert.ok(error instanceof OpenAI.APIUserAbortError);
    await waitFor(() => provider.state.requests[0]?.status === 499);
  });
});

Deno.test("hang with ms on a transcription: a slow answer after ms; close() releases hangs", async () => {
  // Deno 2.9's server does not report a client disconnect once a request body came in more than
  // one read (uploads), so a hung upload lasts `ms` or until close(); small JSON bodies do stop.
  await withProvider(async ({ groq, fault, provider }) => {
    await fault({ path: "audio/transcriptions", fault: { type: "hang", ms: 150 } });
    const bytes = Deno.readFileSync(new URL("short.webm", FIXTURES));
    const started = Date.now();
    const slow = await groq.audio.transcriptions.create({
      file: await toFile(bytes, "voice.webm"),
      model: "whisper-large-v3",
      response_format: "verbose_json",
    });
    assert.ok(Date.now() - started >= 140);
    assert.ok(slow.duration > 2.8);

    await fault({ path: "audio/transcriptions", fault: { type: "hang" } });
    const pending = rejection(groq.audio.transcriptions.create({
      file: await toFile(bytes, "voice.webm"),
      model: "whisper-large-v3",
    }));
    await waitFor(() => provider.state.requests.length === 2);
    provider.close();
    assert.equal((await pending).status, 503);
  });
});

Deno.test("cut_stream: iteration raises after N chunks, with no [DONE] and no usage", async () => {
  await withProvider(async ({ groq, fault }) => {
    await fault({ fault: { type: "cut_stream", afterChunks: 2 } });
    const stream = await groq.chat.completions.create({
      model: GROQ_CHAT,
      messages: USER("Расскажи длинную историю"),
      stream: true,
    });
    const received: OpenAI.ChatCompletionChunk[] = [];
    await assert.rejects(async () => {
      for await (const chunk of stream) received.push(chunk);
    });
    assert.equal(received.length, 2);
    assert.ok(received.every((c) => !c.usage));
  });
});

Deno.test("cut_stream applies only to streamed requests", async () => {
  await withProvider(async ({ groq, fault, provider }) => {
    await fault({ fault: { type: "cut_stream", afterChunks: 0 } });
    const plain = await groq.chat.completions.create({ model: GROQ_CHAT, messages: USER("x") });
    assert.ok(plain.choices[0].message.content);
    assert.equal(provider.state.faults.length, 1);
  });
});

Deno.test("slow_stream paces a streamed answer's chunks and leaves a plain answer alone", async () => {
  await withProvider(async ({ groq, fault, provider }) => {
    await fault({ fault: { type: "slow_stream", chunkDelayMs: 40 } });
    const plain = await groq.chat.completions.create({ model: GROQ_CHAT, messages: USER("x") });
    assert.ok(plain.choices[0].message.content);
    assert.equal(provider.state.faults.length, 1, "a plain answer does not use the rule up");
    const stream = await groq.chat.completions.create({
      model: GROQ_CHAT,
      messages: USER("Расскажи длинную историю"),
      stream: true,
    });
    const arrivals: number[] = [];
    for await (const _ of stream) arrivals.push(performance.now());
    // Every chunk after the first waits its turn: the whole stream takes at least the pauses.
    assert.ok(arrivals.length > 5);
    const spanMs = arrivals.at(-1)! - arrivals[0];
    assert.ok(spanMs >= 40 * (arrivals.length - 2), `${arrivals.length} chunks in ${spanMs} ms`);
    assert.equal(provider.state.faults.length, 0);
  });
});

Deno.test("slow_stream refuses a delay it cannot honour", async () => {
  await withProvider(async ({ origin }) => {
    const response = await fetch(`${origin}/__offline/faults`, {
      method: "POST",
      body: JSON.stringify({ fault: { type: "slow_stream", chunkDelayMs: -1 } }),
    });
    assert.equal(response.status, 400);
    await response.body?.cancel();
  });
});

Deno.test("decommissioned fault turns any model into 400 model_decommissioned", async () => {
  await withProvider(async ({ groq, fault }) => {
    await fault({ model: GROQ_CHAT, fault: { type: "decommissioned" } });
    const error = await rejection(
      groq.chat.completions.create({ model: GROQ_CHAT, messages: USER("x") }),
    );
    assert.ok(error instanceof OpenAI.BadRequestError);
    assert.equal(error.code, "model_decommissioned");
  });
});

Deno.test("no_duration: verbose_json comes back without duration", async () => {
  await withProvider(async ({ groq, fault }) => {
    await fault({ fault: { type: "no_duration" } });
    const bytes = Deno.readFileSync(new URL("short.mp3", FIXTURES));
    const result = await groq.audio.transcriptions.create({
      file: await toFile(bytes, "voice.mp3"),
      model: "whisper-large-v3",
      response_format: "verbose_json",
    });
    assert.equal("duration" in result, false);
    assert.ok(result.text.startsWith("[offline-provider]"));
  });
});

Deno.test("cached_tokens: chat and Responses usage report the cached share", async () => {
  await withProvider(async ({ groq, openai, fault }) => {
    await fault({ fault: { type: "cached_tokens", cached: 100 }, times: 2 });
    const chat = await groq.chat.completions.create({
      model: GROQ_CHAT,
      messages: USER("б".repeat(1000)),
    });
    assert.equal(chat.usage!.prompt_tokens_details!.cached_tokens, 100);
    const response = await openai.responses.create({ model: "gpt-4.1", input: "в".repeat(200) });
    // Never more than the input itself.
    assert.equal(response.usage!.input_tokens_details.cached_tokens, 50);
  });
});

Deno.test("control plane: faults listed, bad fault rejected, reset clears faults and log", async () => {
  await withProvider(async ({ origin, groq, fault, requests }) => {
    await fault({ fault: { type: "status", status: 500 }, times: 3 });
    const listed = await (await fetch(`${origin}/__offline/faults`)).json();
    assert.equal(listed.length, 1);
    assert.equal(listed[0].remaining, 3);
    const bad = await fetch(`${origin}/__offline/faults`, {
      method: "POST",
      body: JSON.stringify({ fault: { type: "explode" } }),
    });
    assert.equal(bad.status, 400);
    await rejection(groq.chat.completions.create({ model: GROQ_CHAT, messages: USER("x") }));
    assert.equal((await requests()).length, 1);
    const reset = await fetch(`${origin}/__offline/reset`, { method: "POST" });
    assert.equal(reset.status, 200);
    await reset.body?.cancel();
    assert.deepEqual(await requests(), []);
    const ok = await groq.chat.completions.create({ model: GROQ_CHAT, messages: USER("x") });
    assert.ok(ok.choices[0].message.content);
    const [entry] = await requests();
    assert.equal(entry.provider, "groq");
    assert.equal(entry.path, "/openai/v1/chat/completions");
    assert.equal(entry.model, GROQ_CHAT);
    assert.equal(entry.status, 200);
    assert.deepEqual({ ...entry.body, bytes: undefined }, {
      stream: false,
      messages: 1,
      bytes: undefined,
    });
    assert.ok((entry.body.bytes ?? 0) > 0, "the body size is logged");
    assert.ok(!Number.isNaN(Date.parse(entry.at)));
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 3000) {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) assert.fail("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

Deno.test("the organization Costs API is served for reconciliation: admin key only, dataset from the control plane", async () => {
  await withProvider(async ({ origin }) => {
    const dataset = {
      costs: [{ day: "2026-11-30", line_item: "gpt-4.1-mini-2025-04-14, input", amount_usd: 0.5 }],
      completions: [],
      audio_transcriptions: [],
    };
    const set = await fetch(`${origin}/__offline/organization`, {
      method: "POST",
      body: JSON.stringify(dataset),
    });
    assert.equal(set.status, 200);
    await set.body?.cancel();
    const start = Date.parse("2026-11-30T00:00:00Z") / 1000;
    const url = `${origin}/v1/organization/costs?start_time=${start}&bucket_width=1d&limit=7`;
    const refused = await fetch(url, { headers: { authorization: "Bearer offline-openai-key" } });
    assert.equal(refused.status, 401, "a project key is not an admin key");
    await refused.body?.cancel();
    const res = await fetch(url, { headers: { authorization: "Bearer sk-admin-offline" } });
    assert.equal(res.status, 200);
    const page = await res.json();
    const amounts = page.data.flatMap((b: { results: { amount: { value: number } }[] }) =>
      b.results.map((r) => r.amount.value)
    );
    assert.deepEqual(amounts, [0.5]);
  });
});
