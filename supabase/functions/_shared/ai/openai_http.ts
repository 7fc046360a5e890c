/**
 * A minimal client for the OpenAI-compatible HTTP API (Groq's `/openai/v1` and OpenAI's `/v1`):
 * JSON POST, a JSON POST answered with server-sent events, and multipart POST. JSON POSTs go over
 * the worker's HTTP/1.1 transport (`h1_transport.ts`, which reads the answer whole, so `timeoutMs`
 * covers its body too); streams and forms over `fetch`.
 *
 * It replaces the `openai` npm package, which hosted Supabase's server-side bundler copies whole
 * into every function (24 MB on disk, about 2 MB of each function's 5 MB brotli budget, measured
 * with `npm run check:deploy` on 2026-12-01) while we use three of its calls.
 *
 * One HTTP attempt per call and no retries: retries, fallback and the deadline belong to
 * `routing.ts`. Failures are thrown as {@link OpenAIHttpError} and its subclasses, shaped like the
 * SDK's errors (`status`, `headers`, `error`, `code`, `type`, `requestId`) so that
 * `toProviderError` in `providers.ts` maps them as it mapped the SDK's.
 */

import { createH1Transport } from "./h1_transport.ts";

/** Per-call options. */
export interface OpenAIHttpRequestOptions {
  /** Aborts the call, including a stream being read. */
  signal?: AbortSignal;
  /** Milliseconds to wait for the response headers; the client's `timeoutMs` when not given. As
   * in the SDK, the timer stops once headers arrive: a long stream is bounded by `signal`. */
  timeoutMs?: number;
  /** Streams only: called each time every event received so far has been handed out and the
   * reader is about to wait for more bytes. A writer downstream can then send what those events
   * gave it in one write: events the provider sent back to back reach the client together. */
  onWait?: () => void;
}

export interface OpenAIHttpClientOptions {
  apiKey: string;
  /** e.g. "https://api.groq.com/openai/v1"; paths are appended to it. */
  baseURL: string;
  /** Default timeout for the response headers (60 s). */
  timeoutMs?: number;
  /** Replaces the global fetch and the JSON transport (tests). */
  fetch?: typeof fetch;
}

/** A failed call. `status` is null when no HTTP status applies (an `error` event inside a
 * stream, a connection failure, a timeout, an abort). `error` is the provider's `error` object
 * (or the event's payload) for logs only: provider bodies must never reach a client. */
export class OpenAIHttpError extends Error {
  readonly status: number | null;
  readonly headers: Headers | null;
  /** The parsed `error` object of the body (`{ message, type, code, param }`), if any. */
  readonly error: unknown;
  readonly code: string | null | undefined;
  readonly type: string | undefined;
  /** The provider's `x-request-id` header, for support tickets. */
  readonly requestId: string | null;

  constructor(
    status: number | null,
    error: unknown,
    fallbackMessage: string | undefined,
    headers: Headers | null,
  ) {
    super(errorMessage(status, error, fallbackMessage));
    this.name = "OpenAIHttpError";
    this.status = status;
    this.headers = headers;
    this.error = error;
    this.requestId = headers?.get("x-request-id") ?? null;
    const fields = error && typeof error === "object" ? error as Record<string, unknown> : {};
    this.code = typeof fields.code === "string" || fields.code === null ? fields.code : undefined;
    this.type = typeof fields.type === "string" ? fields.type : undefined;
  }
}

/** No connection, or the connection broke while the body was read. `cause` is fetch's error. */
export class OpenAIHttpConnectionError extends OpenAIHttpError {
  constructor(message = "Connection error.", options?: { cause?: unknown }) {
    super(null, undefined, message, null);
    this.name = "OpenAIHttpConnectionError";
    if (options && "cause" in options) this.cause = options.cause;
  }
}

/** The response headers did not arrive within the timeout. */
export class OpenAIHttpTimeoutError extends OpenAIHttpConnectionError {
  constructor(message = "Request timed out.", options?: { cause?: unknown }) {
    super(message, options);
    this.name = "OpenAIHttpTimeoutError";
  }
}

/** The caller's signal aborted the call. Named "AbortError" like fetch's own abort. */
export class OpenAIHttpAbortError extends OpenAIHttpError {
  constructor(message = "Request was aborted.") {
    super(null, undefined, message, null);
    this.name = "AbortError";
  }
}

/** The SDK's message format: "<status> <provider message>", so logs read as before. */
function errorMessage(status: number | null, error: unknown, fallback: string | undefined): string {
  const raw = error && typeof error === "object" ? (error as { message?: unknown }).message : null;
  const message = raw
    ? (typeof raw === "string" ? raw : JSON.stringify(raw))
    : error
    ? JSON.stringify(error)
    : fallback;
  if (status && message) return `${status} ${message}`;
  if (status) return `${status} status code (no body)`;
  return message || "(no status code or body)";
}

/** A single server-sent event before its JSON is parsed. */
interface ServerSentEvent {
  event: string | null;
  data: string;
}

/** An event larger than this is refused: chat chunks are a few hundred bytes, and an upstream
 * that never sends a newline must not grow a worker's memory (256 MB) without bound. */
const MAX_SSE_EVENT_CHARS = 1 << 20;

/**
 * An OpenAI-compatible endpoint with its key: `Authorization: Bearer <apiKey>` on every call and
 * nothing else of ours (no organisation or project headers, so nothing of OpenAI's reaches Groq).
 *
 * @example
 * const groq = new OpenAIHttpClient({ apiKey, baseURL: "https://api.groq.com/openai/v1" });
 * const completion = await groq.postJson("/chat/completions", { model, messages }, { signal });
 * for await (const chunk of await groq.postJsonStream("/chat/completions", { ...body, stream: true })) {
 *   console.log(chunk);
 * }
 */
export class OpenAIHttpClient {
  readonly baseURL: string;
  /** Non-enumerable: a logged or serialised client does not print the key. */
  declare readonly apiKey: string;
  readonly timeoutMs: number;
  /** Always 0: this client makes one attempt per call; `routing.ts` decides on retries. */
  readonly maxRetries = 0;
  readonly #fetch: typeof fetch | undefined;
  /** What `postJson` sends with: the given fetch, else the shared HTTP/1.1 transport. */
  readonly #jsonFetch: typeof fetch | undefined;

  constructor(options: OpenAIHttpClientOptions) {
    this.baseURL = options.baseURL.replace(/\/+$/, "");
    Object.defineProperty(this, "apiKey", { value: options.apiKey, enumerable: false });
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.#fetch = options.fetch;
    this.#jsonFetch = options.fetch ?? providerTransport();
  }

  /** POSTs `body` as JSON and returns the parsed JSON answer. */
  async postJson<T>(path: string, body: unknown, opts: OpenAIHttpRequestOptions = {}): Promise<T> {
    const { response, signal, release } = await this.#send(
      path,
      {
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify(body),
      },
      opts,
      this.#jsonFetch,
    );
    try {
      return await readBody(response, signal, (r) => r.json()) as T;
    } finally {
      release();
    }
  }

  /** POSTs a multipart form (the boundary is set by fetch) and returns the parsed JSON answer. */
  async postForm<T>(path: string, form: FormData, opts: OpenAIHttpRequestOptions = {}): Promise<T> {
    const { response, signal, release } = await this.#send(path, {
      headers: { accept: "application/json" },
      body: form,
    }, opts);
    try {
      return await readBody(response, signal, (r) => r.json()) as T;
    } finally {
      release();
    }
  }

  /**
   * POSTs `body` as JSON (it should say `stream: true`) and resolves once the response headers
   * are in, with the `data:` payloads parsed as JSON. Iteration ends at `data: [DONE]` or at the
   * end of the body; an `error` event, or a payload with an `error` field, throws an
   * {@link OpenAIHttpError} with a null status; a broken connection throws
   * {@link OpenAIHttpConnectionError}; the caller's abort throws {@link OpenAIHttpAbortError}.
   * Leaving the loop early cancels the response body.
   */
  async postJsonStream<T>(
    path: string,
    body: unknown,
    opts: OpenAIHttpRequestOptions = {},
  ): Promise<AsyncIterable<T>> {
    const { response, signal, release } = await this.#send(path, {
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify(body),
    }, opts);
    return parseJsonEvents<T>(response, signal, release, opts.onWait);
  }

  async #send(
    path: string,
    init: { headers: Record<string, string>; body: string | FormData },
    opts: OpenAIHttpRequestOptions,
    transport: typeof fetch | undefined = this.#fetch,
  ): Promise<{ response: Response; signal: AbortSignal; release: () => void }> {
    const caller = opts.signal;
    if (caller?.aborted) throw new OpenAIHttpAbortError();
    const controller = new AbortController();
    const onAbort = () => controller.abort(caller?.reason);
    caller?.addEventListener("abort", onAbort, { once: true });
    const release = () => caller?.removeEventListener("abort", onAbort);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, Math.max(1, Math.round(opts.timeoutMs ?? this.timeoutMs)));
    const doFetch = transport ?? globalThis.fetch;
    let response: Response;
    try {
      response = await doFetch(`${this.baseURL}${path}`, {
        method: "POST",
        headers: { ...init.headers, authorization: `Bearer ${this.apiKey}` },
        body: init.body,
        signal: controller.signal,
      });
    } catch (err) {
      release();
      if (caller?.aborted) throw new OpenAIHttpAbortError();
      // Deno reports a TCP connect timeout as a TypeError "... Operation timed out": the SDK
      // counted those as timeouts too.
      if (timedOut || /timed? ?out/i.test(String(err) + String((err as Error)?.cause ?? ""))) {
        throw new OpenAIHttpTimeoutError(undefined, { cause: err });
      }
      throw new OpenAIHttpConnectionError(
        err instanceof Error ? err.message : undefined,
        { cause: err },
      );
    } finally {
      clearTimeout(timer);
    }
    // From here only the caller's signal can stop the body (the SDK's behaviour): its listener
    // stays attached until the body has been read (`release`).
    if (!response.ok) {
      const text = await readBody(response, controller.signal, (r) => r.text()).finally(release);
      const parsed = safeJson(text);
      const error = parsed && typeof parsed === "object"
        ? (parsed as { error?: unknown }).error
        : undefined;
      throw new OpenAIHttpError(
        response.status,
        error,
        parsed ? undefined : text,
        response.headers,
      );
    }
    return { response, signal: controller.signal, release };
  }
}

let sharedTransport: typeof fetch | null | undefined;

/** Proxy settings that Deno's fetch honours and a raw socket would bypass. */
const PROXY_VARIABLES = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY"];

/**
 * The worker's one HTTP/1.1 transport for JSON calls (h1_transport.ts), shared by every client so
 * that connections to one provider are kept together; undefined (fetch) when the function's
 * environment says `PROVIDER_HTTP_TRANSPORT=fetch` or names a proxy (fetch goes through it; the
 * transport would not).
 */
export function providerTransport(
  env: (name: string) => string | undefined = readEnvironment,
): typeof fetch | undefined {
  if (sharedTransport === undefined) {
    const viaFetch = env("PROVIDER_HTTP_TRANSPORT") === "fetch" ||
      PROXY_VARIABLES.some((name) => env(name));
    sharedTransport = viaFetch ? null : createH1Transport();
  }
  return sharedTransport ?? undefined;
}

/** Forgets the shared transport's choice (tests). */
export function resetProviderTransport(): void {
  sharedTransport = undefined;
}

function readEnvironment(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no permission to read the environment: the default
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Reads a body; a failure is the caller's abort or a broken connection, never a raw TypeError
 * (a 200 whose body is not JSON still throws fetch's SyntaxError: the provider broke the
 * protocol, which `toProviderError` reports as unavailable). */
async function readBody<T>(
  response: Response,
  signal: AbortSignal,
  read: (r: Response) => Promise<T>,
): Promise<T> {
  try {
    return await read(response);
  } catch (err) {
    if (signal.aborted) throw new OpenAIHttpAbortError();
    if (err instanceof SyntaxError) throw err;
    throw new OpenAIHttpConnectionError(
      err instanceof Error ? err.message : undefined,
      { cause: err },
    );
  }
}

async function* parseJsonEvents<T>(
  response: Response,
  signal: AbortSignal,
  release: () => void,
  onWait?: () => void,
): AsyncGenerator<T, void, undefined> {
  for await (const sse of readEvents(response, signal, release, onWait)) {
    if (sse.data === "[DONE]") return;
    let data: unknown;
    try {
      data = JSON.parse(sse.data);
    } catch {
      throw new SyntaxError("Error reading response: malformed server-sent event JSON.");
    }
    const payload = data as { error?: unknown } | null;
    if (sse.event === "error") {
      throw new OpenAIHttpError(null, payload?.error ?? payload, undefined, response.headers);
    }
    if (payload && payload.error) {
      throw new OpenAIHttpError(null, payload.error, undefined, response.headers);
    }
    yield data as T;
  }
}

/** The buffer a provider's stream is read into, reused from read to read. */
const STREAM_READ_BYTES = 16 * 1024;

/**
 * Reads a body chunk by chunk. A byte stream (fetch's bodies are) is read into one buffer reused
 * from read to read: a plain reader gets a new 64 KiB buffer from Deno for every read, which on
 * Deno 2.1 doubled the CPU of reading a 10-event provider stream (647 → 320 µs per stream with
 * the buffer reused; docs/PERFORMANCE.md, "Inside the worker"). Any other stream (a test's, a
 * wrapped fetch's) is read as it comes. Each chunk must be used before the next `read()`.
 */
function chunkReader(body: ReadableStream<Uint8Array>): {
  reader: ReadableStreamDefaultReader<Uint8Array> | ReadableStreamBYOBReader;
  read(): Promise<Uint8Array | null>;
} {
  let byob: ReadableStreamBYOBReader;
  try {
    byob = body.getReader({ mode: "byob" });
  } catch {
    const reader = body.getReader();
    return {
      reader,
      read: async () => {
        const r = await reader.read();
        return r.done ? null : r.value;
      },
    };
  }
  let spare = new ArrayBuffer(STREAM_READ_BYTES);
  return {
    reader: byob,
    read: async () => {
      const r = await byob.read(new Uint8Array(spare));
      if (r.done || !r.value) return null;
      spare = r.value.buffer as ArrayBuffer; // handed back by the stream: the next read reuses it
      return r.value;
    },
  };
}

/**
 * Server-sent events as the HTML standard frames them: lines end in LF, CRLF or CR; `data:`
 * lines join with "\n"; a blank line ends an event; `:` lines are comments. An event left open
 * when the body ends is still delivered (servers sometimes omit the last blank line).
 */
async function* readEvents(
  response: Response,
  signal: AbortSignal,
  release: () => void,
  onWait?: () => void,
): AsyncGenerator<ServerSentEvent, void, undefined> {
  if (!response.body) {
    release();
    throw new OpenAIHttpConnectionError("The stream has no body.");
  }
  const chunks = chunkReader(response.body);
  const reader = chunks.reader;
  const decoder = new TextDecoder();
  let buffer = "";
  let event: string | null = null;
  let data: string[] = [];
  let dataChars = 0;
  let finished = false;

  const take = (line: string): ServerSentEvent | null => {
    if (line === "") {
      const done = data.length > 0 ? { event, data: data.join("\n") } : null;
      event = null;
      data = [];
      dataChars = 0;
      return done;
    }
    if (line.startsWith(":")) return null;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") {
      data.push(value);
      dataChars += value.length;
      if (dataChars > MAX_SSE_EVENT_CHARS) {
        throw new OpenAIHttpConnectionError("A server-sent event exceeded 1 MiB.");
      }
    } else if (field === "event") event = value;
    return null;
  };

  try {
    while (true) {
      let chunk: Uint8Array | null;
      // Every event of the bytes read so far has been consumed (a generator runs only when its
      // consumer asks for the next event): the consumer may send what it gathered now.
      onWait?.();
      try {
        chunk = await chunks.read();
      } catch (err) {
        if (signal.aborted) throw new OpenAIHttpAbortError();
        throw new OpenAIHttpConnectionError(
          err instanceof Error ? err.message : undefined,
          { cause: err },
        );
      }
      if (chunk === null) break;
      buffer += decoder.decode(chunk, { stream: true });
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const ch = buffer.charCodeAt(i);
        if (ch !== 10 && ch !== 13) continue;
        // A CR at the very end may be the first half of CRLF: wait for the next chunk.
        if (ch === 13 && i === buffer.length - 1) break;
        const sse = take(buffer.slice(start, i));
        if (ch === 13 && buffer.charCodeAt(i + 1) === 10) i++;
        start = i + 1;
        if (sse) yield sse;
      }
      buffer = buffer.slice(start);
      if (buffer.length > MAX_SSE_EVENT_CHARS) {
        throw new OpenAIHttpConnectionError("A server-sent event line exceeded 1 MiB.");
      }
    }
    finished = true;
    buffer += decoder.decode();
    for (const line of buffer.split(/\r\n|\r|\n/)) {
      const sse = take(line);
      if (sse) yield sse;
    }
    const pending = take("");
    if (pending) yield pending;
  } finally {
    // Leaving early ([DONE], an error event, the caller's break) must free the connection.
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
    release();
  }
}
