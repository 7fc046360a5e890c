/**
 * A fetch-shaped HTTP/1.1 client for the one call that is on every answer's path: a POST with a
 * string body whose answer is read whole (`OpenAIHttpClient.postJson`: chat completions, vision).
 * Forms, streams and anything else go to the global fetch unchanged.
 *
 * Why it exists: Deno 2.1's fetch spent 0.58–0.73 ms p50 on a provider call that raw HTTP/1.1 over a
 * kept socket answered in 0.41 ms (docs/PERFORMANCE.md, "A provider transport"); on the local
 * bench that difference was most of process-chat's time over a bare gateway (issue 26).
 *
 * Bodies over 256 KiB (a vision call's images) go to fetch too: there the transport's gain is nil
 * and fetch spent less CPU on a 4 MB body.
 *
 * What it does, and the rules it keeps so that it never costs a student or the school anything:
 * - **One request per connection at a time**, connections kept per origin (LIFO, at most
 *   `maxIdlePerOrigin` idle) and closed after `idleMs` unused or as soon as the server closes or
 *   sends anything unasked (each idle socket has a read pending that notices).
 * - **Never sent twice.** A request is retried, once, on a new connection only when writing it to
 *   a *reused* connection failed: the server had already closed that socket, so it cannot have
 *   seen the request (what hyper, behind fetch, does too). Once the request is written, any
 *   failure is the caller's to decide (`routing.ts`), exactly as with fetch.
 * - **Fails like fetch.** Network and protocol failures reject with a `TypeError` whose message
 *   names the cause; the caller's signal rejects with its reason and closes the socket. If a
 *   connection (TCP, or TLS with its handshake) cannot be opened, the call goes to fetch instead:
 *   nothing was sent, so a failure is never worse than fetch's own; an origin fetch reaches where
 *   our sockets could not (sockets not allowed, a certificate store only fetch sees) is left to
 *   fetch for the worker's life.
 * - **Bounded**: a response head over `maxHeaderBytes` or a body over `maxBodyBytes` is refused
 *   as it arrives, before it is buffered.
 * - Framing per RFC 9112: Content-Length (all copies equal), chunked (extensions and trailers
 *   ignored), or read to close; 1xx heads skipped; 204/304 have no body. `gzip`/`deflate` bodies
 *   are decoded (we never ask for them). A connection is reused only after a complete HTTP/1.1
 *   message with nothing after it and no `Connection: close`.
 *
 * `PROVIDER_HTTP_TRANSPORT=fetch` in a function's environment turns it off (see openai_http.ts).
 */

import { concatBytes } from "../bytes.ts";

export interface H1TransportOptions {
  /** A kept connection unused for longer is closed instead of reused (default 60 s; hyper's is 90). */
  idleMs?: number;
  /** Idle connections kept per origin (default 16); more are closed when they finish. */
  maxIdlePerOrigin?: number;
  /** Status line and headers, in bytes (default 64 KiB). */
  maxHeaderBytes?: number;
  /** A response body, in bytes after decoding chunks (default 16 MiB; a chat answer is a few KB). */
  maxBodyBytes?: number;
  /** Extra root certificates for TLS (tests). */
  caCerts?: string[];
  /** Where calls this transport does not take go (default: the global fetch). */
  fallback?: typeof fetch;
}

/** What the transport did, for tests and benches. */
export interface H1TransportStats {
  /** Connections opened. */
  connects: number;
  /** Requests sent on a kept connection. */
  reuses: number;
  /** Requests re-sent on a new connection after a write to a kept one failed. */
  retries: number;
  /** Calls handed to the fallback fetch (calls it does not take, and connection failures). */
  fallbacks: number;
  /** Connections (TCP, and TLS with its handshake) that could not be opened; fetch got the call. */
  connectFailures: number;
  /** Kept connections closed because the server closed them or spoke unasked. */
  closedByServer: number;
}

export type H1Transport = typeof fetch & {
  readonly stats: H1TransportStats;
  /** Idle connections kept right now, over all origins. */
  idleCount(): number;
  /** Closes every idle connection (tests; a worker never needs to). */
  closeIdle(): void;
};

interface Kept {
  conn: Deno.Conn;
  /** Read buffer; a response is read from offset 0. */
  buf: Uint8Array;
  /** The read left pending while idle: it becomes the first read of the next response. */
  pending: Promise<number | null> | null;
  idleSince: number;
  /** Set when it is closed (by us, or because the server closed it). */
  closed: boolean;
}

interface Origin {
  hostname: string;
  port: number;
  tls: boolean;
  idle: Kept[];
  /** This runtime cannot open sockets here: every call goes to the fallback. */
  unsupported: boolean;
  /** Calls fetch answered after our connection to this origin failed. */
  fetchReachedAfterFailure: number;
}

/** After this many calls that fetch delivered where our connection had failed, an origin is left
 * to fetch for the worker's life (a transient failure alone does not switch it). */
const FETCH_WINS_TO_SWITCH = 3;

const encoder = new TextEncoder();
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[\0\r\n]/;
/** Headers this transport writes itself; a caller's copy is dropped. */
const OWN_HEADERS = new Set(["host", "content-length", "connection", "transfer-encoding"]);
const FIRST_READ_BYTES = 16 * 1024;

class ProtocolError extends Error {}

/** Creates a transport with its own connection pool. */
export function createH1Transport(options: H1TransportOptions = {}): H1Transport {
  const idleMs = options.idleMs ?? 60_000;
  const maxIdle = options.maxIdlePerOrigin ?? 16;
  const maxHeaderBytes = options.maxHeaderBytes ?? 64 * 1024;
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const origins = new Map<string, Origin>();
  const stats: H1TransportStats = {
    connects: 0,
    reuses: 0,
    retries: 0,
    fallbacks: 0,
    connectFailures: 0,
    closedByServer: 0,
  };
  const fallback = (input: RequestInfo | URL, init?: RequestInit) => {
    stats.fallbacks++;
    return (options.fallback ?? globalThis.fetch)(input, init);
  };

  const close = (kept: Kept) => {
    if (kept.closed) return;
    kept.closed = true;
    try {
      kept.conn.close();
    } catch { /* already closed */ }
  };

  const release = (origin: Origin, kept: Kept) => {
    if (kept.closed || origin.idle.length >= maxIdle) return close(kept);
    kept.idleSince = performance.now();
    // Notice a server that closes the idle socket (or speaks unasked) while we do not use it.
    const pending = kept.conn.read(kept.buf);
    kept.pending = pending;
    // Once the connection is taken, the next response consumes this read instead.
    const stillIdle = () => origin.idle.includes(kept);
    pending.then(
      () => {
        if (!stillIdle()) return;
        stats.closedByServer++;
        forget(origin, kept);
      },
      () => {
        if (stillIdle()) forget(origin, kept);
      },
    );
    unref(kept.conn);
    origin.idle.push(kept);
  };

  const forget = (origin: Origin, kept: Kept) => {
    const at = origin.idle.indexOf(kept);
    if (at >= 0) origin.idle.splice(at, 1);
    close(kept);
  };

  /** A kept connection that is still open and fresh, or null. */
  const takeIdle = (origin: Origin): Kept | null => {
    const now = performance.now();
    while (origin.idle.length > 0) {
      const kept = origin.idle.pop()!;
      if (kept.closed) continue;
      if (now - kept.idleSince > idleMs) {
        close(kept);
        for (const older of origin.idle.splice(0)) close(older); // LIFO: the rest are older
        return null;
      }
      ref(kept.conn);
      return kept;
    }
    return null;
  };

  const connect = async (origin: Origin, signal: AbortSignal | undefined): Promise<Kept> => {
    const opening = (async (): Promise<Deno.Conn> => {
      if (!origin.tls) return await Deno.connect({ hostname: origin.hostname, port: origin.port });
      const tls = await Deno.connectTls({
        hostname: origin.hostname,
        port: origin.port,
        caCerts: options.caCerts,
        alpnProtocols: ["http/1.1"],
      });
      // The handshake (and the certificate check) now, not at the first write: a failure here
      // has sent nothing, so the call can still go to fetch.
      try {
        await tls.handshake?.();
      } catch (err) {
        try {
          tls.close();
        } catch { /* closed */ }
        throw err;
      }
      return tls;
    })();
    const conn = await untilAborted(opening, signal, (late) => late.close());
    stats.connects++;
    try {
      (conn as Partial<Deno.TcpConn>).setNoDelay?.(true);
    } catch { /* not a TCP socket we can tune */ }
    return {
      conn,
      buf: new Uint8Array(FIRST_READ_BYTES),
      pending: null,
      idleSince: 0,
      closed: false,
    };
  };

  const transport = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = typeof input === "string" || input instanceof URL ? new URL(String(input)) : null;
    const headers = plainHeaders(init?.headers);
    if (
      !url || !init || init.method !== "POST" || typeof init.body !== "string" ||
      init.body.length > MAX_BODY_CHARS || !headers ||
      (url.protocol !== "http:" && url.protocol !== "https:") || url.username || url.password
    ) {
      return fallback(input, init);
    }
    const key = `${url.protocol}//${url.host}`;
    let origin = origins.get(key);
    if (!origin) {
      origin = {
        hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"),
        port: Number(url.port || (url.protocol === "https:" ? 443 : 80)),
        tls: url.protocol === "https:",
        idle: [],
        unsupported: typeof Deno?.connect !== "function" || typeof Deno?.connectTls !== "function",
        fetchReachedAfterFailure: 0,
      };
      origins.set(key, origin);
    }
    if (origin.unsupported) return fallback(input, init);

    const signal = init.signal ?? undefined;
    if (signal?.aborted) throw abortReason(signal);
    const request = encodeRequest(url, headers, init.body);

    for (let attempt = 0;; attempt++) {
      let kept = attempt === 0 ? takeIdle(origin) : null; // a retry opens a new connection
      const reused = kept !== null;
      if (kept) {
        stats.reuses++;
      } else {
        try {
          kept = await connect(origin, signal);
        } catch (err) {
          if (signal?.aborted) throw abortReason(signal);
          // Nothing was sent, so fetch gets the call: a connection failure is never worse than
          // fetch's own. Where fetch then reaches the provider and our socket could not (sockets
          // not allowed, a certificate store only fetch sees), the origin stays with fetch.
          stats.connectFailures++;
          if (cannotOpenSockets(err)) origin.unsupported = true;
          const response = await fallback(input, init);
          if (++origin.fetchReachedAfterFailure >= FETCH_WINS_TO_SWITCH) origin.unsupported = true;
          return response;
        }
      }
      const onAbort = () => close(kept!);
      signal?.addEventListener("abort", onAbort, { once: true });
      try {
        try {
          await writeAll(kept.conn, request);
        } catch (err) {
          close(kept);
          if (signal?.aborted) throw abortReason(signal);
          if (reused && attempt === 0) {
            stats.retries++;
            continue; // the kept socket was already closed by the server: it saw nothing
          }
          throw sendError(url, err);
        }
        let answer: { response: Response; reusable: boolean };
        try {
          answer = await readResponse(kept, maxHeaderBytes, maxBodyBytes);
        } catch (err) {
          close(kept);
          if (signal?.aborted) throw abortReason(signal);
          throw err instanceof ProtocolError
            ? new TypeError(`error reading a response from ${key}: ${err.message}`)
            : sendError(url, err);
        }
        if (answer.reusable && !signal?.aborted) release(origin, kept);
        else close(kept);
        return answer.response;
      } finally {
        signal?.removeEventListener("abort", onAbort);
      }
    }
  };

  return Object.assign(transport, {
    stats,
    idleCount: () => [...origins.values()].reduce((n, o) => n + o.idle.length, 0),
    closeIdle: () => {
      for (const origin of origins.values()) {
        for (const kept of origin.idle.splice(0)) close(kept);
      }
    },
  });
}

/** A header record of strings (what OpenAIHttpClient passes), or null for anything else. */
function plainHeaders(h: HeadersInit | undefined): Record<string, string> | null {
  if (h === undefined) return {};
  if (typeof h !== "object" || h === null || Array.isArray(h) || h instanceof Headers) return null;
  for (const v of Object.values(h)) if (typeof v !== "string") return null;
  return h as Record<string, string>;
}

/** Bodies longer than this (in UTF-16 units) go to fetch: a vision call's images. Up to 256 KiB the
 * transport cost no more CPU than fetch; a 4 MB body cost 5–7 ms more per call, on a path whose
 * budget is CPU (process-file-upload) and whose latency is the model's, not ours. */
const MAX_BODY_CHARS = 256 * 1024;

/** The request as one buffer (head and body in one write, so one TCP segment for a chat call). */
function encodeRequest(url: URL, headers: Record<string, string>, body: string): Uint8Array {
  const bodyBytes = utf8(body);
  let head = `POST ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n` +
    `content-length: ${bodyBytes.length}\r\n`;
  let userAgent = false;
  for (const [name, value] of Object.entries(headers)) {
    if (!TOKEN.test(name)) throw new TypeError(`Header name is not valid: ${JSON.stringify(name)}`);
    if (BAD_VALUE.test(value)) throw new TypeError(`Header value is not valid for ${name}`);
    const lower = name.toLowerCase();
    if (OWN_HEADERS.has(lower)) continue;
    if (lower === "user-agent") userAgent = true;
    head += `${name}: ${value.trim()}\r\n`;
  }
  if (!userAgent) head += `user-agent: Deno/${Deno.version?.deno ?? "2"}\r\n`;
  // Latin-1 like fetch: a header value is bytes, and the checks above allow no line breaks.
  const headBytes = latin1(head + "\r\n");
  const out = new Uint8Array(headBytes.length + bodyBytes.length);
  out.set(headBytes);
  out.set(bodyBytes, headBytes.length);
  return out;
}

/** UTF-8 bytes of `s`, encoded once into the most it can need (3 bytes per UTF-16 unit; bodies
 * here are at most MAX_BODY_CHARS). On Deno 2.1, for a 2,800-character curator request in Russian:
 * 5.9 µs, against 7.5 µs for `TextEncoder.encode` and 10.7 µs for trying `s.length` bytes first
 * and encoding again when the text is not ASCII (as until 2026-12-07); 183 against 333 µs at 190 K
 * characters. */
function utf8(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 3);
  return out.subarray(0, encoder.encodeInto(s, out).written);
}

function latin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new TypeError("A header holds a character outside Latin-1.");
    out[i] = c;
  }
  return out;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
}

/** Reads one response from `kept` (its pending read first, if any). */
async function readResponse(
  kept: Kept,
  maxHeaderBytes: number,
  maxBodyBytes: number,
): Promise<{ response: Response; reusable: boolean }> {
  let buf = kept.buf;
  let len = 0;
  /** Reads more into buf[len..]; false at the end of the stream. */
  const more = async (limit: number): Promise<boolean> => {
    if (len === buf.length) {
      if (buf.length >= limit) throw new ProtocolError("the response is larger than allowed");
      const grown = new Uint8Array(Math.min(buf.length * 2, limit));
      grown.set(buf.subarray(0, len));
      buf = grown;
    }
    const pending = kept.pending;
    kept.pending = null;
    const n = pending ? await pending : await kept.conn.read(buf.subarray(len));
    if (n === null) return false;
    len += n;
    return true;
  };

  // The head (skipping 1xx informational heads). `scanned` is where the search for its end
  // resumes after a read: a head that arrives a byte at a time is not scanned again from its start.
  let start = 0;
  let scanned = 0;
  let head: Head;
  for (;;) {
    const end = findHeadEnd(buf, Math.max(start, scanned - 2), len);
    if (end < 0) {
      scanned = len;
      if (len - start > maxHeaderBytes) {
        throw new ProtocolError("the response head is larger than allowed");
      }
      if (!(await more(start + maxHeaderBytes + 4))) {
        throw new ProtocolError(
          len === 0
            ? "the connection closed before a response"
            : "the connection closed inside the response head",
        );
      }
      continue;
    }
    head = parseHead(buf, start, end);
    start = scanned = end;
    if (head.status >= 100 && head.status < 200) {
      if (head.status === 101) throw new ProtocolError("unexpected protocol switch");
      continue;
    }
    break;
  }

  const framing = head.framing;
  const parts: Uint8Array[] = [];
  let bodyBytes = 0;
  let reusable = head.keepAlive;

  if (framing.kind === "none") {
    if (len > start) reusable = false; // bytes after a head that has no body
  } else if (framing.kind === "length") {
    if (framing.length > maxBodyBytes) throw new ProtocolError("the body is larger than allowed");
    const body = new Uint8Array(framing.length);
    const have = Math.min(len - start, framing.length);
    body.set(buf.subarray(start, start + have));
    if (len - start > framing.length) reusable = false; // bytes after the message
    let got = have;
    while (got < framing.length) {
      const n = await kept.conn.read(body.subarray(got)); // straight into the body
      if (n === null) throw new ProtocolError("the connection closed inside the body");
      got += n;
    }
    parts.push(body);
    bodyBytes = body.length;
  } else if (framing.kind === "chunked") {
    // Chunks are decoded from buf, reading more as needed; buf only holds what is not decoded.
    let pos = start;
    const compact = () => {
      if (pos > 0) {
        buf.copyWithin(0, pos, len);
        len -= pos;
        pos = 0;
      }
    };
    const line = async (): Promise<string> => {
      for (;;) {
        for (let i = pos; i < len; i++) {
          if (buf[i] === 10) {
            const text = ascii(buf, pos, i > pos && buf[i - 1] === 13 ? i - 1 : i);
            pos = i + 1;
            return text;
          }
        }
        if (len - pos > 4096) throw new ProtocolError("a chunk line is too long");
        compact();
        if (!(await more(buf.length * 2 + 8192))) {
          throw new ProtocolError("the connection closed inside a chunk");
        }
      }
    };
    for (;;) {
      const sizeLine = await line();
      const m = /^([0-9A-Fa-f]{1,8})[ \t]*(?:;.*)?$/.exec(sizeLine);
      if (!m) throw new ProtocolError("a chunk size is not valid");
      const size = parseInt(m[1], 16);
      if (size === 0) break;
      if (bodyBytes + size > maxBodyBytes) {
        throw new ProtocolError("the body is larger than allowed");
      }
      const chunk = new Uint8Array(size);
      let got = Math.min(len - pos, size);
      chunk.set(buf.subarray(pos, pos + got));
      pos += got;
      while (got < size) {
        compact();
        const n = await kept.conn.read(chunk.subarray(got));
        if (n === null) throw new ProtocolError("the connection closed inside a chunk");
        got += n;
      }
      parts.push(chunk);
      bodyBytes += size;
      if ((await line()) !== "") throw new ProtocolError("a chunk does not end where it says");
    }
    // Trailers: read and ignored, up to the blank line.
    let trailerBytes = 0;
    for (;;) {
      const t = await line();
      if (t === "") break;
      trailerBytes += t.length;
      if (trailerBytes > maxHeaderBytes) throw new ProtocolError("the trailers are too large");
    }
    if (pos < len) reusable = false;
  } else {
    // Delimited by the end of the connection.
    reusable = false;
    if (len > start) {
      parts.push(buf.slice(start, len));
      bodyBytes = len - start;
    }
    for (;;) {
      const chunk = new Uint8Array(FIRST_READ_BYTES);
      const n = await kept.conn.read(chunk);
      if (n === null) break;
      bodyBytes += n;
      if (bodyBytes > maxBodyBytes) throw new ProtocolError("the body is larger than allowed");
      parts.push(chunk.subarray(0, n));
    }
  }

  if (buf !== kept.buf && buf.length <= 4 * FIRST_READ_BYTES) kept.buf = buf;

  // Our own fresh bytes; the cast satisfies both Deno 2.1's and 2.9's typings of BodyInit.
  const bytes = concatBytes(parts);
  const body = bytes as unknown as BodyInit & BlobPart;
  const init: ResponseInit = {
    status: head.status,
    statusText: head.reason,
    headers: head.headers,
  };
  const noBody = head.status === 204 || head.status === 304;
  if (head.encoding && !noBody) {
    const decoded = new Blob([body]).stream().pipeThrough(
      new DecompressionStream(head.encoding),
    );
    return { response: new Response(decoded, init), reusable };
  }
  return { response: new Response(noBody ? null : body, init), reusable };
}

interface Head {
  status: number;
  reason: string;
  headers: [string, string][];
  keepAlive: boolean;
  framing: { kind: "none" } | { kind: "length"; length: number } | { kind: "chunked" } | {
    kind: "close";
  };
  encoding: "gzip" | "deflate" | null;
}

/** Index just past the blank line that ends a head starting at `from`, or -1. LF or CRLF. */
function findHeadEnd(buf: Uint8Array, from: number, len: number): number {
  for (let i = from; i < len; i++) {
    if (buf[i] !== 10) continue;
    if (i + 1 < len && buf[i + 1] === 10) return i + 2;
    if (i + 2 < len && buf[i + 1] === 13 && buf[i + 2] === 10) return i + 3;
  }
  return -1;
}

function ascii(buf: Uint8Array, from: number, to: number): string {
  let s = "";
  for (let i = from; i < to; i++) s += String.fromCharCode(buf[i]);
  return s;
}

function parseHead(buf: Uint8Array, from: number, to: number): Head {
  const lines = ascii(buf, from, to).split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const m = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(lines[0] ?? "");
  if (!m) throw new ProtocolError("the status line is not HTTP/1.x");
  const http11 = m[1] === "1";
  const status = Number(m[2]);
  if (status < 100 || status > 599) throw new ProtocolError("the status is out of range");
  const headers: [string, string][] = [];
  const lengths: string[] = [];
  const codings: string[] = [];
  let connection = "";
  let encoding = "";
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i];
    if (l[0] === " " || l[0] === "\t") throw new ProtocolError("folded header lines");
    const colon = l.indexOf(":");
    if (colon <= 0) throw new ProtocolError("a header line is not valid");
    const name = l.slice(0, colon);
    if (!TOKEN.test(name)) throw new ProtocolError("a header name is not valid");
    const value = l.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, "");
    if (/[\0\r\n]/.test(value)) throw new ProtocolError("a header value is not valid");
    headers.push([name, value]);
    const lower = name.toLowerCase();
    if (lower === "content-length") lengths.push(...value.split(",").map((v) => v.trim()));
    else if (lower === "transfer-encoding") {
      codings.push(...value.split(",").map((v) => v.trim().toLowerCase()).filter(Boolean));
    } else if (lower === "connection") connection += `,${value.toLowerCase()}`;
    else if (lower === "content-encoding") encoding += `,${value.toLowerCase()}`;
  }
  const closeAsked = connection.split(",").some((t) => t.trim() === "close");
  const keepAlive = http11 && !closeAsked;
  const codingsOfBody = encoding.split(",").map((t) => t.trim()).filter((t) =>
    t && t !== "identity"
  );
  if (codingsOfBody.length > 1) throw new ProtocolError("more than one content coding");
  const coding = codingsOfBody[0] ?? null;
  if (coding !== null && coding !== "gzip" && coding !== "x-gzip" && coding !== "deflate") {
    throw new ProtocolError(`an unsupported content coding (${coding})`);
  }
  const enc = coding === null ? null : coding === "deflate" ? "deflate" : "gzip";

  let framing: Head["framing"];
  if (status < 200 || status === 204 || status === 304) framing = { kind: "none" };
  else if (codings.length > 0) {
    if (codings.length !== 1 || codings[0] !== "chunked") {
      throw new ProtocolError("an unsupported transfer coding");
    }
    framing = { kind: "chunked" };
    // A message with both is suspicious (RFC 9112 §6.3): use it, then drop the connection.
    if (lengths.length > 0) return head(false);
  } else if (lengths.length > 0) {
    if (!lengths.every((v) => /^\d{1,15}$/.test(v) && v === lengths[0])) {
      throw new ProtocolError("the Content-Length is not valid");
    }
    framing = { kind: "length", length: Number(lengths[0]) };
  } else framing = { kind: "close" };
  return head(keepAlive);

  function head(reuse: boolean): Head {
    return { status, reason: m![3] ?? "", headers, keepAlive: reuse, framing, encoding: enc };
  }
}

/** Waits for `work` unless `signal` aborts first; a result that arrives late is disposed of. */
function untilAborted<T>(
  work: Promise<T>,
  signal: AbortSignal | undefined,
  dispose: (late: T) => void,
): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const onAbort = () => {
      if (done) return;
      done = true;
      reject(abortReason(signal));
      work.then(dispose, () => {});
    };
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        if (done) return dispose(v);
        done = true;
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        if (done) return;
        done = true;
        reject(e);
      },
    );
  });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The signal has been aborted", "AbortError");
}

/** This runtime may not open sockets at all: the call goes to fetch (nothing was sent). */
function cannotOpenSockets(err: unknown): boolean {
  const errors = Deno.errors as unknown as Record<string, (new () => Error) | undefined>;
  return ["PermissionDenied", "NotCapable", "NotSupported"].some((name) => {
    const kind = errors[name];
    return kind !== undefined && err instanceof kind;
  });
}

function sendError(url: URL, err: unknown): TypeError {
  const message = err instanceof Error ? err.message : String(err);
  return new TypeError(`error sending request for url (${url.origin}${url.pathname}): ${message}`, {
    cause: err,
  });
}

function ref(conn: Deno.Conn): void {
  (conn as { ref?: () => void }).ref?.();
}

function unref(conn: Deno.Conn): void {
  (conn as { unref?: () => void }).unref?.();
}
