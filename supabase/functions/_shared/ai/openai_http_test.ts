import assert from "node:assert/strict";
import {
  OpenAIHttpAbortError,
  OpenAIHttpClient,
  OpenAIHttpConnectionError,
  OpenAIHttpError,
  OpenAIHttpTimeoutError,
  providerTransport,
  resetProviderTransport,
} from "./openai_http.ts";

type FetchFn = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

function client(fetch: FetchFn, timeoutMs?: number) {
  return new OpenAIHttpClient({
    apiKey: "gk-secret",
    baseURL: "http://groq.test/openai/v1/",
    fetch: fetch as typeof globalThis.fetch,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
}

/** A body that sends `parts` as separate chunks, so events can straddle chunk boundaries. */
function chunked(parts: string[], opts: { end?: "close" | "error" | "hang" } = {}): Response {
  const encoder = new TextEncoder();
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < parts.length) return controller.enqueue(encoder.encode(parts[i++]));
      if (opts.end === "error") return controller.error(new TypeError("connection reset"));
      if (opts.end === "hang") return new Promise(() => {});
      controller.close();
    },
  }, { highWaterMark: 0 });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

Deno.test("a JSON call posts to baseURL + path with the key as a Bearer token and nothing else of ours", async () => {
  let seen: Request | undefined;
  const c = client((input, init) => {
    seen = new Request(input, init);
    return Promise.resolve(Response.json({ ok: 1 }));
  });
  assert.deepEqual(await c.postJson("/chat/completions", { model: "m" }), { ok: 1 });
  assert.equal(seen!.url, "http://groq.test/openai/v1/chat/completions");
  assert.equal(seen!.method, "POST");
  assert.equal(seen!.headers.get("authorization"), "Bearer gk-secret");
  assert.equal(seen!.headers.get("content-type"), "application/json");
  assert.deepEqual(await seen!.json(), { model: "m" });
  for (const name of ["openai-organization", "openai-project", "x-stainless-retry-count"]) {
    assert.equal(seen!.headers.get(name), null, `${name} is not sent`);
  }
});

Deno.test("the key is readable but never serialised with the client; retries are always 0", () => {
  const c = client(() => Promise.resolve(new Response()));
  assert.equal(c.apiKey, "gk-secret");
  assert.equal(c.maxRetries, 0);
  assert.equal(c.baseURL, "http://groq.test/openai/v1", "a trailing slash is dropped");
  assert.ok(!JSON.stringify(c).includes("gk-secret"));
});

Deno.test("an error status carries status, headers, the error object, its code and type, and the request id", async () => {
  let calls = 0;
  const c = client(() => {
    calls++;
    return Promise.resolve(Response.json({
      error: { message: "Rate limit reached", type: "tokens", code: "rate_limit_exceeded" },
    }, { status: 429, headers: { "retry-after": "2", "x-request-id": "req_1" } }));
  });
  const err = await c.postJson("/chat/completions", {}).catch((e) => e);
  assert.ok(err instanceof OpenAIHttpError);
  assert.equal(err.status, 429);
  assert.equal(err.code, "rate_limit_exceeded");
  assert.equal(err.type, "tokens");
  assert.equal(err.requestId, "req_1");
  assert.equal(err.headers?.get("retry-after"), "2");
  assert.deepEqual(err.error, {
    message: "Rate limit reached",
    type: "tokens",
    code: "rate_limit_exceeded",
  });
  assert.equal(err.message, "429 Rate limit reached");
  assert.equal(calls, 1, "no retry: routing decides");
});

Deno.test("an error body that is not JSON becomes the message; no body says so", async () => {
  const text = client(() => Promise.resolve(new Response("bad gateway", { status: 502 })));
  const err = await text.postJson("/x", {}).catch((e) => e);
  assert.ok(err instanceof OpenAIHttpError && err.status === 502 && err.error === undefined);
  assert.equal(err.message, "502 bad gateway");
  const empty = client(() => Promise.resolve(new Response(null, { status: 503 })));
  assert.equal(
    (await empty.postJson("/x", {}).catch((e: Error) => e) as Error).message,
    "503 status code (no body)",
  );
});

Deno.test("a fetch failure is a connection error with fetch's error as its cause", async () => {
  const cause = new TypeError("connection refused");
  const err = await client(() => Promise.reject(cause)).postJson("/x", {}).catch((e) => e);
  assert.ok(err instanceof OpenAIHttpConnectionError && !(err instanceof OpenAIHttpTimeoutError));
  assert.equal(err.status, null);
  assert.equal(err.cause, cause);
});

Deno.test("a TCP connect timeout reported by fetch counts as a timeout", async () => {
  const err = await client(() =>
    Promise.reject(new TypeError("tcp connect error: Operation timed out (os error 60)"))
  ).postJson("/x", {}).catch((e) => e);
  assert.ok(err instanceof OpenAIHttpTimeoutError);
});

/** A fetch that never answers until its signal aborts, then rejects like fetch does. */
const hanging: FetchFn = (_input, init) =>
  new Promise((_, reject) => {
    init?.signal?.addEventListener(
      "abort",
      () => reject(new DOMException("aborted", "AbortError")),
    );
  });

Deno.test("no response headers within the timeout is a timeout error", async () => {
  const c = client(hanging, 60_000);
  const err = await c.postJson("/x", {}, { timeoutMs: 20 }).catch((e) => e);
  assert.ok(err instanceof OpenAIHttpTimeoutError);
});

Deno.test("the caller's abort, before or during the call, is an AbortError", async () => {
  const before = new AbortController();
  before.abort();
  let fetched = false;
  const early = await client(() => {
    fetched = true;
    return Promise.resolve(new Response());
  }).postJson("/x", {}, { signal: before.signal }).catch((e) => e);
  assert.ok(early instanceof OpenAIHttpAbortError && early.name === "AbortError");
  assert.equal(fetched, false);

  const during = new AbortController();
  const pending = client(hanging).postJson("/x", {}, { signal: during.signal }).catch((e) => e);
  during.abort();
  const err = await pending;
  assert.ok(err instanceof OpenAIHttpAbortError);
});

Deno.test("a multipart call lets fetch set the boundary and sends the form as is", async () => {
  let seen: RequestInit | undefined;
  const c = client((_input, init) => {
    seen = init;
    return Promise.resolve(Response.json({ text: "привет" }));
  });
  const form = new FormData();
  form.append("model", "whisper-large-v3");
  assert.deepEqual(await c.postForm("/audio/transcriptions", form), { text: "привет" });
  assert.equal(seen!.body, form);
  assert.equal(new Headers(seen!.headers).get("content-type"), null);
  assert.equal(new Headers(seen!.headers).get("authorization"), "Bearer gk-secret");
});

Deno.test("a stream yields each data payload as JSON and stops at [DONE]", async () => {
  let seen: Request | undefined;
  const c = client((input, init) => {
    seen = new Request(input, init);
    return Promise.resolve(chunked([
      ": keep-alive comment\n\n",
      'data: {"n":1}\n\n',
      'data: {"n"', // an event split across chunks
      ":2}\r\n\r\n", // CRLF line endings
      'data:{"n":3}\r', // CR alone, split from its pair
      "\n\r\n",
      "data: [DONE]\n\n",
      'data: {"n":"after done"}\n\n',
    ]));
  });
  const stream = await c.postJsonStream<{ n: number }>("/chat/completions", { stream: true });
  assert.deepEqual(await collect(stream), [{ n: 1 }, { n: 2 }, { n: 3 }]);
  assert.equal(seen!.headers.get("accept"), "text/event-stream");
});

Deno.test("onWait is called once per read, after every event of the bytes read so far was consumed", async () => {
  const c = client(() =>
    Promise.resolve(chunked([
      'data: {"n":1}\n\ndata: {"n":2}\n\ndata: {"n',
      '":3}\n\n',
      'data: {"n":4}\n\ndata: [DONE]\n\n',
    ]))
  );
  const seen: string[] = [];
  const stream = await c.postJsonStream<{ n: number }>("/x", {}, {
    onWait: () => seen.push("wait"),
  });
  for await (const item of stream) seen.push(String(item.n));
  // Before the first read; after 1 and 2 (3 is half read); after 3; none after [DONE].
  assert.deepEqual(seen, ["wait", "1", "2", "wait", "3", "wait", "4"]);
});

Deno.test("multi-line data joins with a newline, and a last event without a blank line is kept", async () => {
  const c = client(() => Promise.resolve(chunked(['data: {"a":\ndata: 1}\n\n', 'data: {"b":2}'])));
  assert.deepEqual(await collect(await c.postJsonStream("/x", {})), [{ a: 1 }, { b: 2 }]);
});

Deno.test("an error event or an error payload inside a stream throws with a null status", async () => {
  const events = [
    'event: error\ndata: {"error":{"message":"overloaded","code":"server_error"}}\n\n',
    'data: {"error":{"message":"boom","type":"server_error"}}\n\n',
  ];
  for (const event of events) {
    const c = client(() => Promise.resolve(chunked(['data: {"n":1}\n\n', event])));
    const got: unknown[] = [];
    const err = await (async () => {
      for await (const item of await c.postJsonStream("/x", {})) got.push(item);
    })().catch((e) => e);
    assert.deepEqual(got, [{ n: 1 }], "events before the error are delivered");
    assert.ok(err instanceof OpenAIHttpError && err.status === null, event);
    assert.ok(["server_error", undefined].includes(err.code as string | undefined));
  }
});

Deno.test("malformed event JSON is a SyntaxError; a broken connection mid-stream is a connection error", async () => {
  const bad = client(() => Promise.resolve(chunked(["data: {nope\n\n"])));
  await assert.rejects(collect(await bad.postJsonStream("/x", {})), SyntaxError);
  const cut = client(() => Promise.resolve(chunked(['data: {"n":1}\n\n'], { end: "error" })));
  await assert.rejects(collect(await cut.postJsonStream("/x", {})), OpenAIHttpConnectionError);
});

Deno.test("aborting while a stream is read is an AbortError, even when the body hangs", async () => {
  const controller = new AbortController();
  const c = client((_input, init) => {
    // Like fetch: the body errors when the request's signal aborts.
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(ctrl) {
        ctrl.enqueue(encoder.encode('data: {"n":1}\n\n'));
        init?.signal?.addEventListener(
          "abort",
          () => ctrl.error(new DOMException("aborted", "AbortError")),
        );
      },
    });
    return Promise.resolve(new Response(body));
  });
  const stream = await c.postJsonStream("/x", {}, { signal: controller.signal, timeoutMs: 5 });
  const got: unknown[] = [];
  const err = await (async () => {
    for await (const item of stream) {
      got.push(item);
      // The header timeout has passed by now: only the caller's signal may stop a stream.
      await new Promise((r) => setTimeout(r, 20));
      controller.abort();
    }
  })().catch((e) => e);
  assert.deepEqual(got, [{ n: 1 }]);
  assert.ok(err instanceof OpenAIHttpAbortError);
});

Deno.test("leaving a stream early cancels the response body", async () => {
  let cancelled = false;
  const c = client(() =>
    Promise.resolve(
      new Response(
        new ReadableStream<Uint8Array>({
          pull(ctrl) {
            ctrl.enqueue(new TextEncoder().encode('data: {"n":1}\n\n'));
          },
          cancel() {
            cancelled = true;
          },
        }),
      ),
    )
  );
  for await (const _ of await c.postJsonStream("/x", {})) break;
  assert.equal(cancelled, true);
});

Deno.test("an event that never ends is refused before it fills the worker's memory", async () => {
  const big = "x".repeat(256 * 1024);
  const c = client(() => Promise.resolve(chunked(["data: ", big, big, big, big, big])));
  await assert.rejects(collect(await c.postJsonStream("/x", {})), OpenAIHttpConnectionError);
});

/** Like `chunked`, as a byte stream (fetch's bodies are): read into the client's own buffer. */
function byteChunked(parts: Uint8Array[], onCancel?: () => void): Response {
  let i = 0;
  const body = new ReadableStream({
    type: "bytes",
    pull(controller) {
      if (i < parts.length) return controller.enqueue(parts[i++]);
      controller.close();
    },
    cancel: onCancel,
  });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
}

Deno.test("a byte-stream body parses the same: split UTF-8, events larger than one read", async () => {
  const encoder = new TextEncoder();
  const long = "Ж".repeat(30_000); // 60 KB of two-byte characters: several reads of the buffer
  const text = `data: {"n":1,"t":"привет"}\n\ndata: {"n":2,"t":"${long}"}\r\n\r\ndata: [DONE]\n\n`;
  const bytes = encoder.encode(text);
  // Cut at odd offsets, so that characters and CRLF pairs straddle chunks.
  const cuts = [0, 9, 17, 25, 4099, 40_001, 40_002, bytes.length - 9, bytes.length];
  const parts = cuts.slice(1).map((end, k) => bytes.slice(cuts[k], end));
  const c = client(() => Promise.resolve(byteChunked(parts)));
  const got = await collect(await c.postJsonStream<{ n: number; t: string }>("/x", {}));
  assert.deepEqual(got, [{ n: 1, t: "привет" }, { n: 2, t: long }]);
});

Deno.test("leaving a byte-stream body early cancels it", async () => {
  let cancelled = false;
  const event = new TextEncoder().encode('data: {"n":1}\n\n');
  const c = client(() =>
    Promise.resolve(byteChunked([event, event, event], () => (cancelled = true)))
  );
  for await (const _ of await c.postJsonStream("/x", {})) break;
  assert.equal(cancelled, true);
});

Deno.test("a real server's event stream arrives event by event through fetch", async () => {
  const encoder = new TextEncoder();
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, () => {
    let n = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(c) {
        if (n === 50) {
          c.enqueue(encoder.encode("data: [DONE]\n\n"));
          return c.close();
        }
        n++;
        c.enqueue(encoder.encode(`data: {"n":${n},"t":"${"ы".repeat(n * 40)}"}\n\n`));
        if (n % 10 === 0) await new Promise((r) => setTimeout(r, 1));
      },
    });
    return new Response(body, { headers: { "content-type": "text/event-stream" } });
  });
  try {
    const c = new OpenAIHttpClient({
      apiKey: "k",
      baseURL: `http://127.0.0.1:${server.addr.port}`,
    });
    const got = await collect(await c.postJsonStream<{ n: number; t: string }>("/x", {}));
    assert.deepEqual(got.map((e) => e.n), Array.from({ length: 50 }, (_, i) => i + 1));
    assert.ok(got.every((e) => e.t === "ы".repeat(e.n * 40)));
  } finally {
    await server.shutdown();
  }
});

Deno.test("JSON calls use the HTTP/1.1 transport unless PROVIDER_HTTP_TRANSPORT=fetch or a proxy is set", () => {
  const pick = (vars: Record<string, string>) => {
    resetProviderTransport();
    const chosen = providerTransport((name) => vars[name]);
    resetProviderTransport();
    return chosen === undefined ? "fetch" : "h1";
  };
  assert.equal(pick({}), "h1");
  assert.equal(pick({ PROVIDER_HTTP_TRANSPORT: "fetch" }), "fetch");
  assert.equal(pick({ PROVIDER_HTTP_TRANSPORT: "h1" }), "h1");
  assert.equal(pick({ HTTPS_PROXY: "http://proxy.school:3128" }), "fetch");
  assert.equal(pick({ http_proxy: "http://proxy.school:3128" }), "fetch");
});
