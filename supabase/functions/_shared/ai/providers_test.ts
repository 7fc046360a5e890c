import assert from "node:assert/strict";
import {
  chatCompletion,
  createProviderClients,
  type ModelTarget,
  ProviderError,
  sanitizeChatRequest,
  streamChatCompletion,
  stripThinking,
  ThinkingFilter,
  transcribe,
  visionCompletion,
} from "./providers.ts";

const GROQ: ModelTarget = { provider: "groq", model: "openai/gpt-oss-120b" };
const OPENAI: ModelTarget = { provider: "openai", model: "gpt-4.1-mini" };

interface Captured {
  url: string;
  headers: Headers;
  body: unknown;
}

/** Clients whose fetch answers with `reply` and records each request. */
function fakeClients(reply: (req: Captured) => Response) {
  const requests: Captured[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const req = new Request(input, init);
    const type = req.headers.get("content-type") ?? "";
    const body = init?.body instanceof FormData
      ? init.body
      : type.includes("json")
      ? await req.json()
      : null;
    const captured = { url: req.url, headers: req.headers, body };
    requests.push(captured);
    return reply(captured);
  };
  const clients = createProviderClients(
    {
      GROQ_API_KEY: "gk",
      OPENAI_API_KEY: "ok",
      GROQ_BASE_URL: "http://groq.test/openai/v1",
      OPENAI_BASE_URL: "http://openai.test/v1",
    },
    { fetch: fetch as typeof globalThis.fetch },
  );
  return { clients, requests };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });

const completion = (
  content: string,
  usage = { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
) => ({
  id: "c1",
  object: "chat.completion",
  created: 0,
  model: "m",
  choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
  usage,
});

function sse(chunks: unknown[], done = true): Response {
  const lines = chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join("") +
    (done ? "data: [DONE]\n\n" : "");
  return new Response(lines, { headers: { "content-type": "text/event-stream" } });
}

const delta = (
  content: string,
  finish: string | null = null,
  extra: Record<string, unknown> = {},
) => ({
  id: "c1",
  object: "chat.completion.chunk",
  created: 0,
  model: "m",
  choices: [{ index: 0, delta: { content }, finish_reason: finish }],
  ...extra,
});

Deno.test("the sanitiser drops every field Groq rejects, and only for Groq", () => {
  const request = {
    messages: [{ role: "user", content: "hi", name: "student" }],
    logprobs: true,
    top_logprobs: 3,
    logit_bias: { "42": 1 },
    n: 2,
    temperature: 0.2,
  };
  const { request: groq, dropped } = sanitizeChatRequest("groq", request);
  assert.deepEqual(groq, { messages: [{ role: "user", content: "hi" }], temperature: 0.2 });
  assert.deepEqual(dropped.sort(), [
    "logit_bias",
    "logprobs",
    "messages[].name",
    "n",
    "top_logprobs",
  ]);
  assert.equal(sanitizeChatRequest("openai", request).request, request);
  assert.equal(request.messages[0].name, "student", "the caller's object is not mutated");
});

Deno.test("clients use the configured base URLs and keys; a missing key leaves that client null", () => {
  const clients = createProviderClients({ GROQ_API_KEY: "gk" });
  assert.equal(clients.groq?.baseURL, "https://api.groq.com/openai/v1");
  assert.equal(clients.groq?.apiKey, "gk");
  assert.equal(clients.groq?.maxRetries, 0);
  assert.equal(clients.openai, null);
  const env = new Map([["OPENAI_API_KEY", "ok"], ["OPENAI_BASE_URL", "http://127.0.0.1:1/v1"]]);
  assert.equal(createProviderClients(env).openai?.baseURL, "http://127.0.0.1:1/v1");
});

Deno.test("a call to an unconfigured provider fails with not_configured", async () => {
  const clients = createProviderClients({ GROQ_API_KEY: "gk" });
  await assert.rejects(
    chatCompletion(clients, OPENAI, { messages: [{ role: "user", content: "x" }] }),
    (e) => e instanceof ProviderError && e.code === "not_configured" && !e.retryable,
  );
});

Deno.test("a plain chat returns text and usage, and sends a sanitised body to Groq", async () => {
  const { clients, requests } = fakeClients(() => json(200, completion("Привет")));
  const result = await chatCompletion(clients, GROQ, {
    messages: [{ role: "user", content: "hi", name: "x" }],
    logprobs: true,
  });
  assert.equal(result.text, "Привет");
  assert.deepEqual(result.usage, { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 });
  assert.equal(requests[0].url, "http://groq.test/openai/v1/chat/completions");
  assert.equal(requests[0].headers.get("authorization"), "Bearer gk");
  assert.deepEqual(requests[0].body, {
    messages: [{ role: "user", content: "hi" }],
    reasoning_effort: "low",
    model: "openai/gpt-oss-120b",
    stream: false,
  });
});

Deno.test("a 429 maps to rate_limited with the advertised wait; the body is kept out of the message", async () => {
  const { clients } = fakeClients(() =>
    json(429, {
      error: {
        message: "Rate limit reached for org_SECRET",
        type: "tokens",
        code: "rate_limit_exceeded",
      },
    }, {
      "retry-after": "2",
      "x-ratelimit-reset-tokens": "7.66s",
    })
  );
  const err = await chatCompletion(clients, GROQ, { messages: [{ role: "user", content: "x" }] })
    .catch((e) => e);
  assert.ok(err instanceof ProviderError);
  assert.equal(err.code, "rate_limited");
  assert.equal(err.status, 429);
  assert.equal(err.retryable, true);
  assert.equal(err.retryAfterMs, 2_000);
  assert.ok(!err.message.includes("org_SECRET"));
  assert.ok(!JSON.stringify(err).includes("org_SECRET"), "detail is not serialised");
  assert.ok(JSON.stringify(err.detail).includes("org_SECRET"), "detail keeps the body for logs");
});

Deno.test("provider statuses map to our codes", async () => {
  const cases: Array<[number, unknown, string, boolean]> = [
    [
      400,
      { error: { message: "gone", type: "invalid_request_error", code: "model_decommissioned" } },
      "model_decommissioned",
      false,
    ],
    [404, { error: { message: "no", code: "model_not_found" } }, "model_not_found", false],
    [400, { error: { message: "bad" } }, "bad_request", false],
    [413, { error: { message: "big" } }, "payload_too_large", false],
    [401, { error: { message: "key" } }, "unauthorized", false],
    [498, { error: { message: "flex" } }, "capacity_exceeded", true],
    [500, { error: { message: "x" } }, "upstream_unavailable", true],
    [502, { error: { message: "x" } }, "upstream_unavailable", true],
    [503, { error: { message: "x" } }, "upstream_unavailable", true],
    [504, { error: { message: "x" } }, "upstream_timeout", true],
  ];
  for (const [status, body, code, retryable] of cases) {
    const { clients } = fakeClients(() => json(status, body));
    const err = await chatCompletion(clients, GROQ, { messages: [{ role: "user", content: "x" }] })
      .catch((e) => e);
    assert.ok(err instanceof ProviderError, `${status}`);
    assert.equal(err.code, code, `${status}`);
    assert.equal(err.retryable, retryable, `${status}`);
  }
});

Deno.test("a connection failure is upstream_unavailable and retryable", async () => {
  const clients = createProviderClients({ GROQ_API_KEY: "gk" }, {
    fetch: () => Promise.reject(new TypeError("connection refused")),
  });
  const err = await chatCompletion(clients, GROQ, { messages: [{ role: "user", content: "x" }] })
    .catch((e) => e);
  assert.ok(err instanceof ProviderError && err.code === "upstream_unavailable" && err.retryable);
});

Deno.test("a stream yields deltas and takes usage from the final usage chunk", async () => {
  const { clients, requests } = fakeClients(() =>
    sse([
      delta("При"),
      delta("вет", "stop"),
      {
        id: "c1",
        object: "chat.completion.chunk",
        created: 0,
        model: "m",
        choices: [],
        usage: { prompt_tokens: 9, completion_tokens: 2 },
      },
    ])
  );
  const deltas: string[] = [];
  const result = await streamChatCompletion(clients, OPENAI, {
    messages: [{ role: "user", content: "x" }],
  }, {
    onDelta: (d) => void deltas.push(d),
  });
  assert.deepEqual(deltas, ["При", "вет"]);
  assert.equal(result.text, "Привет");
  assert.equal(result.partial, false);
  assert.deepEqual(result.usage, { prompt_tokens: 9, completion_tokens: 2 });
  assert.deepEqual((requests[0].body as { stream_options: unknown }).stream_options, {
    include_usage: true,
  });
});

Deno.test("a stream reads Groq's x_groq.usage when no usage chunk comes", async () => {
  const { clients } = fakeClients(() =>
    sse([
      delta("a"),
      delta("b", "stop", {
        x_groq: {
          usage: {
            prompt_tokens: 5,
            completion_tokens: 2,
            prompt_tokens_details: { cached_tokens: 1 },
          },
        },
      }),
    ])
  );
  const result = await streamChatCompletion(clients, GROQ, {
    messages: [{ role: "user", content: "x" }],
  });
  assert.deepEqual(result.usage, {
    prompt_tokens: 5,
    completion_tokens: 2,
    prompt_tokens_details: { cached_tokens: 1 },
  });
});

Deno.test("a stream cut after text is partial, with usage estimated from what arrived", async () => {
  const { clients } = fakeClients(() => sse([delta("один "), delta("два ")], false));
  const result = await streamChatCompletion(clients, GROQ, {
    messages: [{ role: "user", content: "12345678" }], // 8 characters → 2 tokens
  });
  assert.equal(result.partial, true);
  assert.equal(result.interruption, "stream_interrupted");
  assert.equal(result.text, "один два ");
  assert.equal(result.usageEstimated, true);
  // 9 characters of text / 3 = 3 tokens, above the 2 chunks.
  assert.deepEqual(result.usage, { prompt_tokens: 2, completion_tokens: 3 });
});

Deno.test("a stream cut before any text throws a retryable error", async () => {
  const { clients } = fakeClients(() => sse([], false));
  await assert.rejects(
    streamChatCompletion(clients, GROQ, { messages: [{ role: "user", content: "x" }] }),
    (e) => e instanceof ProviderError && e.code === "stream_interrupted" && e.retryable,
  );
});

Deno.test("vision sends each image as a base64 data URL content part", async () => {
  const { clients, requests } = fakeClients(() => json(200, completion("кошка")));
  await visionCompletion(clients, { provider: "groq", model: "qwen/qwen3.8-27b" }, {
    prompt: "Что на фото?",
    images: [{ bytes: new Uint8Array([1, 2, 3]), mimeType: "image/png" }],
  });
  const body = requests[0].body as { messages: Array<{ content: unknown }> };
  assert.deepEqual(body.messages[0].content, [
    { type: "text", text: "Что на фото?" },
    { type: "image_url", image_url: { url: "data:image/png;base64,AQID" } },
  ]);
});

Deno.test("transcription asks for verbose_json and returns text, language and duration", async () => {
  const { clients, requests } = fakeClients(() =>
    json(200, { text: "привет", language: "russian", duration: 3.52, segments: [] })
  );
  const result = await transcribe(clients, { provider: "groq", model: "whisper-large-v3" }, {
    audio: new Uint8Array([0, 1, 2]),
    filename: "voice.ogg",
    language: "ru",
  });
  assert.deepEqual(result, {
    text: "привет",
    language: "russian",
    durationSeconds: 3.52,
    usage: { audio_seconds: 3.52 },
  });
  const form = requests[0].body as FormData;
  assert.equal(form.get("response_format"), "verbose_json");
  assert.equal(form.get("model"), "whisper-large-v3");
  assert.equal(form.get("language"), "ru");
  assert.equal(requests[0].url, "http://groq.test/openai/v1/audio/transcriptions");
});

Deno.test("a transcription without duration has null usage", async () => {
  const { clients } = fakeClients(() => json(200, { text: "x", language: "russian" }));
  const result = await transcribe(clients, { provider: "groq", model: "whisper-large-v3" }, {
    audio: new Uint8Array([0]),
    filename: "a.wav",
  });
  assert.equal(result.usage, null);
  assert.equal(result.durationSeconds, undefined);
});

Deno.test("an aborted call is reported as aborted, not retried", async () => {
  const controller = new AbortController();
  const clients = createProviderClients({ GROQ_API_KEY: "gk" }, {
    fetch: (_i, init) =>
      new Promise((_, reject) => {
        init?.signal?.addEventListener("abort", () =>
          reject(new DOMException("aborted", "AbortError")));
      }),
  });
  const pending = chatCompletion(clients, GROQ, { messages: [{ role: "user", content: "x" }] }, {
    signal: controller.signal,
  }).catch((e) => e);
  controller.abort();
  const err = await pending;
  assert.ok(err instanceof ProviderError && err.code === "aborted" && !err.retryable);
});

Deno.test("no response headers within the timeout is upstream_timeout and retryable", async () => {
  const clients = createProviderClients({ GROQ_API_KEY: "gk" }, {
    fetch: (_i, init) =>
      new Promise((_, reject) => {
        init?.signal?.addEventListener("abort", () =>
          reject(new DOMException("aborted", "AbortError")));
      }),
  });
  const err = await chatCompletion(clients, GROQ, { messages: [{ role: "user", content: "x" }] }, {
    timeoutMs: 10,
  }).catch((e) => e);
  assert.ok(err instanceof ProviderError && err.code === "upstream_timeout" && err.retryable);
});

Deno.test("an error event in an open stream is a retryable cut before text, a partial answer after", async () => {
  const errorEvent = 'event: error\ndata: {"error":{"message":"SECRET overloaded"}}\n\n';
  const early = fakeClients(() =>
    new Response(errorEvent, { headers: { "content-type": "text/event-stream" } })
  );
  const err = await streamChatCompletion(early.clients, GROQ, {
    messages: [{ role: "user", content: "x" }],
  }).catch((e) => e);
  assert.ok(err instanceof ProviderError && err.retryable);
  assert.equal(err.code, "stream_interrupted", "the stream was open: it counts as cut");
  assert.ok(!err.message.includes("SECRET"));

  const late = fakeClients(() =>
    new Response(`data: ${JSON.stringify(delta("Прив"))}\n\n${errorEvent}`, {
      headers: { "content-type": "text/event-stream" },
    })
  );
  const result = await streamChatCompletion(late.clients, GROQ, {
    messages: [{ role: "user", content: "x" }],
  });
  assert.equal(result.partial, true);
  assert.equal(result.text, "Прив");
  assert.equal(result.interruption, "stream_interrupted");
});

Deno.test("an error status on a stream request fails before any text, as a plain call does", async () => {
  const { clients } = fakeClients(() =>
    json(400, { error: { message: "gone", code: "model_decommissioned" } })
  );
  await assert.rejects(
    streamChatCompletion(clients, GROQ, { messages: [{ role: "user", content: "x" }] }),
    (e) => e instanceof ProviderError && e.code === "model_decommissioned" && !e.retryable,
  );
});

Deno.test("Groq gets only its own key: no OpenAI organisation or project headers", async () => {
  const { clients, requests } = fakeClients(() => json(200, completion("ok")));
  await chatCompletion(clients, GROQ, { messages: [{ role: "user", content: "x" }] });
  await chatCompletion(clients, OPENAI, { messages: [{ role: "user", content: "x" }] });
  assert.equal(requests[0].headers.get("authorization"), "Bearer gk");
  assert.equal(requests[1].headers.get("authorization"), "Bearer ok");
  for (const r of requests) {
    assert.equal(r.headers.get("openai-organization"), null);
    assert.equal(r.headers.get("openai-project"), null);
  }
  assert.ok(!JSON.stringify(clients).includes("gk"), "a logged client does not print its key");
});

Deno.test("transcription sends the audio as a file with its name and type", async () => {
  const { clients, requests } = fakeClients(() => json(200, { text: "x", duration: 1 }));
  await transcribe(clients, { provider: "openai", model: "whisper-1" }, {
    audio: new Uint8Array([7, 8, 9]),
    filename: "voice.ogg",
    mimeType: "audio/ogg",
    prompt: "школа",
  });
  const form = requests[0].body as FormData;
  const file = form.get("file");
  assert.ok(file instanceof File);
  assert.equal(file.name, "voice.ogg");
  assert.equal(file.type, "audio/ogg");
  assert.deepEqual([...new Uint8Array(await file.arrayBuffer())], [7, 8, 9]);
  assert.equal(form.get("prompt"), "школа");
  assert.equal(form.get("language"), null, "no language when none is given");
});

Deno.test("Groq streams ask for the usage chunk (stream_options) and still read x_groq.usage", async () => {
  const { clients, requests } = fakeClients(() =>
    sse([
      delta("a"),
      delta("b", "stop", { x_groq: { usage: { prompt_tokens: 4, completion_tokens: 2 } } }),
    ])
  );
  const result = await streamChatCompletion(clients, GROQ, {
    messages: [{ role: "user", content: "x" }],
  });
  assert.deepEqual((requests[0].body as Record<string, unknown>).stream_options, {
    include_usage: true,
  });
  assert.deepEqual(result.usage, { prompt_tokens: 4, completion_tokens: 2 });
  assert.equal(result.usageEstimated, false);
});

Deno.test("a whole stream with no usage anywhere is estimated from the text and flagged", async () => {
  const { clients } = fakeClients(() => sse([delta("привет, "), delta("мир", "stop")]));
  const result = await streamChatCompletion(clients, GROQ, {
    messages: [{ role: "user", content: "x".repeat(40) }],
  });
  assert.equal(result.usageEstimated, true);
  assert.deepEqual(result.usage, {
    prompt_tokens: 10, // 40 characters / 4
    completion_tokens: 4, // "привет, мир": 11 characters / 3, above the 2 chunks
  });
});

Deno.test("Groq Qwen calls ask for hidden reasoning and a low effort; a leaked <think> is stripped", async () => {
  const { clients, requests } = fakeClients(() =>
    json(200, completion("<think>раздумья</think>\n\nОтвет"))
  );
  const result = await chatCompletion(clients, { provider: "groq", model: "qwen/qwen3.8-27b" }, {
    messages: [{ role: "user", content: "x" }],
  });
  assert.equal(result.text, "Ответ");
  const body = requests[0].body as Record<string, unknown>;
  assert.equal(body.reasoning_format, "hidden");
  assert.equal(body.reasoning_effort, "low");
});

Deno.test("finish_reason length marks the result truncated", async () => {
  const { clients } = fakeClients(() => {
    const c = completion("Обрыв") as { choices: { finish_reason: string }[] };
    c.choices[0].finish_reason = "length";
    return json(200, c);
  });
  const result = await chatCompletion(clients, OPENAI, {
    messages: [{ role: "user", content: "x" }],
  });
  assert.equal(result.truncated, true);
});

Deno.test("a streamed <think> block never reaches the user, even split across deltas", () => {
  const f = new ThinkingFilter();
  const out = ["<th", "ink>плаю", "</thi", "nk>", "\n\n", "Отв", "ет"].map((d) => f.push(d)).join(
    "",
  );
  assert.equal(out + f.flush(), "Ответ");
  const g = new ThinkingFilter();
  assert.equal(g.push("<"), "");
  assert.equal(g.push("b>жирный</b>"), "<b>жирный</b>");
  const h = new ThinkingFilter();
  assert.equal(h.push("<t") + h.flush(), "<t");
  assert.equal(stripThinking("<think>a</think> b"), "b");
  assert.equal(stripThinking("<think>cut by the limit"), "");
  assert.equal(stripThinking("a <think>b</think>"), "a <think>b</think>");
});

Deno.test("Groq's x_groq.error in a stream is logged and ends the attempt as a cut stream", async () => {
  const { clients } = fakeClients(() =>
    sse([{ ...delta("a"), x_groq: { error: "over capacity" } }])
  );
  const lines: string[] = [];
  const result = await streamChatCompletion(clients, GROQ, {
    messages: [{ role: "user", content: "x" }],
  }, { log: (l) => lines.push(l) });
  assert.equal(result.partial, true);
  assert.equal(result.interruption, "stream_interrupted");
  assert.match(lines[0], /groq_stream_error.*over capacity/);
});

Deno.test("transcription asks each model for a format it takes", async () => {
  const { clients, requests } = fakeClients(() => json(200, { text: "привет" }));
  const audio = new Uint8Array([1, 2, 3]);
  const r = await transcribe(clients, { provider: "openai", model: "gpt-4o-mini-transcribe" }, {
    audio,
    filename: "v.ogg",
  });
  assert.equal(r.usage, null, "json carries no duration: the caller bills what it measured");
  await transcribe(clients, { provider: "groq", model: "whisper-large-v3" }, {
    audio,
    filename: "v.ogg",
  });
  const formats = requests.map((q) => (q.body as FormData).get("response_format"));
  assert.deepEqual(formats, ["json", "verbose_json"]);
});
