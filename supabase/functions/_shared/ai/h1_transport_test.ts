// The HTTP/1.1 provider transport against scripted servers: every framing a provider may use,
// split at generated points, and a generated corpus of broken answers, each of which must fail
// like fetch (a TypeError), never be re-sent, and never leave its connection in the pool.
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { concatBytes } from "../bytes.ts";
// mulberry32, seeded, so that a failing split can be replayed (H1_SEED).
import { prng as rng } from "../../../../scripts/bench/inputs/random.mjs";
import { createH1Transport, type H1Transport, type H1TransportOptions } from "./h1_transport.ts";
import { OpenAIHttpClient, OpenAIHttpConnectionError, OpenAIHttpError } from "./openai_http.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

interface Seen {
  head: string;
  body: string;
  /** Which accepted connection it came on (0, 1, …). */
  connection: number;
}

/** What the server does with one request: the bytes to write (each element one write), then
 * whether to keep the connection. `hang` writes nothing and waits for the client to go away. */
type Answer = { writes: (string | Uint8Array)[]; close?: boolean; hang?: boolean };

/** A raw TCP (or TLS) server answering each request with `answer(seen, index)`. */
function scriptedServer(
  answer: (seen: Seen, index: number) => Answer,
  tls?: { cert: string; key: string },
) {
  const listener = tls
    ? Deno.listenTls({ hostname: "127.0.0.1", port: 0, ...tls })
    : Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const seen: Seen[] = [];
  const conns = new Set<Deno.Conn>();
  const tasks: Promise<void>[] = [];
  let accepted = 0;
  const serveConn = async (conn: Deno.Conn, connection: number) => {
    let buf = new Uint8Array(0);
    const read = async (): Promise<boolean> => {
      const chunk = new Uint8Array(65536);
      const n = await conn.read(chunk).catch(() => null);
      if (n === null) return false;
      const next = new Uint8Array(buf.length + n);
      next.set(buf);
      next.set(chunk.subarray(0, n), buf.length);
      buf = next;
      return true;
    };
    try {
      for (;;) {
        let end = -1;
        while ((end = dec.decode(buf).indexOf("\r\n\r\n")) < 0) if (!(await read())) return;
        const head = dec.decode(buf.subarray(0, end));
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        while (buf.length < end + 4 + length) if (!(await read())) return;
        const body = dec.decode(buf.subarray(end + 4, end + 4 + length));
        buf = buf.slice(end + 4 + length);
        const s = { head, body, connection };
        seen.push(s);
        const a = answer(s, seen.length - 1);
        if (a.hang) {
          while (await read()) { /* until the client closes */ }
          return;
        }
        for (const w of a.writes) {
          await conn.write(typeof w === "string" ? enc.encode(w) : w);
          await new Promise((r) => setTimeout(r, 0)); // separate reads on the client's side
        }
        if (a.close) return;
      }
    } catch {
      // the client went away
    } finally {
      conns.delete(conn);
      try {
        conn.close();
      } catch { /* closed */ }
    }
  };
  const acceptLoop = (async () => {
    for await (const conn of listener) {
      conns.add(conn);
      tasks.push(serveConn(conn, accepted++));
    }
  })();
  const port = (listener.addr as Deno.NetAddr).port;
  return {
    url: `${tls ? "https://localhost" : "http://127.0.0.1"}:${port}/openai/v1/chat/completions`,
    seen,
    accepted: () => accepted,
    /** Closes every connection the server holds (the client's kept sockets see the end). */
    dropAll() {
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed */ }
      }
    },
    async close() {
      listener.close();
      this.dropAll();
      await acceptLoop.catch(() => {});
      await Promise.all(tasks);
    },
  };
}

const JSON_HEADERS = {
  "content-type": "application/json",
  accept: "application/json",
  authorization: "Bearer k",
};
const post = (t: H1Transport, url: string, body = '{"q":1}', signal?: AbortSignal) =>
  t(url, { method: "POST", headers: JSON_HEADERS, body, signal });

async function settle(t: H1Transport) {
  t.closeIdle();
  await new Promise((r) => setTimeout(r, 5)); // let the closed sockets' reads finish
}

type Server = ReturnType<typeof scriptedServer>;

/** Runs `fn` with a scripted server and a transport of its own, then closes both. */
async function withServer(
  answer: (seen: Seen, index: number) => Answer,
  options: H1TransportOptions | undefined,
  fn: (server: Server, t: H1Transport) => Promise<void>,
): Promise<void> {
  const server = scriptedServer(answer);
  const t = createH1Transport(options);
  try {
    await fn(server, t);
  } finally {
    await settle(t);
    await server.close();
  }
}

/** Polls below wait up to ~2 s and end as soon as what they wait for happens: a loaded CI machine
 * may take a while to deliver a close, and no assertion here is about time. */

/** Every request answered `{}` on a kept connection. */
const answerEmptyJson = (): Answer => ({
  writes: [`HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}`],
});

const payload = JSON.stringify({ id: "x", choices: [{ message: { content: "Привет" } }] });
const payloadBytes = enc.encode(payload);

Deno.test("a Content-Length answer is read whole and its connection kept for the next call", async () => {
  await withServer(
    () => ({
      writes: [
        `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-request-id: r1\r\ncontent-length: ${payloadBytes.length}\r\n\r\n`,
        payloadBytes,
      ],
    }),
    undefined,
    async (server, t) => {
      for (let i = 0; i < 3; i++) {
        const r = await post(t, server.url, `{"n":${i}}`);
        assert.equal(r.status, 200);
        assert.equal(r.headers.get("x-request-id"), "r1");
        assert.deepEqual(await r.json(), JSON.parse(payload));
      }
      assert.equal(server.accepted(), 1, "one connection for three calls");
      assert.equal(t.stats.connects, 1);
      assert.equal(t.stats.reuses, 2);
      const { head, body } = server.seen[0];
      assert.match(head, /^POST \/openai\/v1\/chat\/completions HTTP\/1\.1\r\n/);
      assert.match(head, new RegExp(`\r\nhost: 127\\.0\\.0\\.1:\\d+\r\n`));
      assert.match(head, /\r\ncontent-length: 7\r\n/);
      assert.match(head, /\r\nauthorization: Bearer k\r\n/);
      assert.match(head, /\r\nuser-agent: Deno\//);
      assert.doesNotMatch(head, /accept-encoding/i, "we never ask for compressed answers");
      assert.equal(body, '{"n":0}');
      assert.equal(server.seen[2].body, '{"n":2}');
    },
  );
});

/** Splits `bytes` into writes at `cuts` random points (or every byte when cuts < 0). */
function split(bytes: Uint8Array, cuts: number, next: () => number): Uint8Array[] {
  if (cuts < 0) return [...bytes].map((b) => Uint8Array.of(b));
  const points = [
    ...new Set(Array.from({ length: cuts }, () => 1 + Math.floor(next() * (bytes.length - 1)))),
  ]
    .sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let at = 0;
  for (const p of points) {
    out.push(bytes.subarray(at, p));
    at = p;
  }
  out.push(bytes.subarray(at));
  return out;
}

function chunked(body: Uint8Array, sizes: number[], ext = "", trailer = ""): Uint8Array {
  const parts: Uint8Array[] = [];
  let at = 0;
  let i = 0;
  while (at < body.length) {
    const size = Math.min(sizes[i++ % sizes.length], body.length - at);
    parts.push(
      enc.encode(`${size.toString(16)}${ext}\r\n`),
      body.subarray(at, at + size),
      enc.encode("\r\n"),
    );
    at += size;
  }
  parts.push(enc.encode(`0\r\n${trailer}\r\n`));
  return concatBytes(parts);
}

/** Every framing a provider (or a proxy in front of one) may answer with: the body it carries and
 * whether the connection may be used again. */
const FRAMINGS: {
  name: string;
  bytes: Uint8Array;
  body: string;
  reusable: boolean;
  status?: number;
}[] = [
  {
    name: "content-length",
    bytes: concatBytes([
      enc.encode(`HTTP/1.1 200 OK\r\ncontent-length: ${payloadBytes.length}\r\n\r\n`),
      payloadBytes,
    ]),
    body: payload,
    reusable: true,
  },
  {
    name: "chunked, uneven chunks, an extension and a trailer",
    bytes: concatBytes([
      enc.encode("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
      chunked(payloadBytes, [1, 7, 30, 2], ";name=value", "x-trailer: 1\r\n"),
    ]),
    body: payload,
    reusable: true,
  },
  {
    name: "chunked, upper-case hex sizes, one chunk",
    bytes: concatBytes([
      enc.encode("HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n"),
      enc.encode(`${payloadBytes.length.toString(16).toUpperCase()}\r\n`),
      payloadBytes,
      enc.encode("\r\n0\r\n\r\n"),
    ]),
    body: payload,
    reusable: true,
  },
  {
    name: "informational 100 and 103 heads first",
    bytes: concatBytes([
      enc.encode("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </x>\r\n\r\n"),
      enc.encode(`HTTP/1.1 200 OK\r\ncontent-length: ${payloadBytes.length}\r\n\r\n`),
      payloadBytes,
    ]),
    body: payload,
    reusable: true,
  },
  {
    name: "bare LF line ends",
    bytes: concatBytes([
      enc.encode(`HTTP/1.1 200 OK\ncontent-length: ${payloadBytes.length}\n\n`),
      payloadBytes,
    ]),
    body: payload,
    reusable: true,
  },
  {
    name: "repeated equal Content-Length",
    bytes: concatBytes([
      enc.encode(
        `HTTP/1.1 200 OK\r\ncontent-length: ${payloadBytes.length}, ${payloadBytes.length}\r\n\r\n`,
      ),
      payloadBytes,
    ]),
    body: payload,
    reusable: true,
  },
  {
    name: "gzip body (never asked for, still read)",
    bytes: (() => {
      const z = gzipSync(payloadBytes);
      return concatBytes([
        enc.encode(
          `HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\ncontent-length: ${z.length}\r\n\r\n`,
        ),
        z,
      ]);
    })(),
    body: payload,
    reusable: true,
  },
  {
    name: "an error status with a JSON body",
    bytes: enc.encode(
      'HTTP/1.1 429 Too Many Requests\r\nretry-after: 2\r\ncontent-length: 41\r\n\r\n{"error":{"message":"slow","code":"x1"}}\n',
    ),
    body: '{"error":{"message":"slow","code":"x1"}}\n',
    reusable: true,
    status: 429,
  },
  {
    name: "204 without a body",
    bytes: enc.encode("HTTP/1.1 204 No Content\r\n\r\n"),
    body: "",
    reusable: true,
    status: 204,
  },
  {
    name: "a 204 with bytes after it",
    bytes: enc.encode("HTTP/1.1 204 No Content\r\n\r\n{}"),
    body: "",
    reusable: false,
    status: 204,
  },
  {
    name: "Connection: close",
    bytes: concatBytes([
      enc.encode(
        `HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: ${payloadBytes.length}\r\n\r\n`,
      ),
      payloadBytes,
    ]),
    body: payload,
    reusable: false,
  },
  {
    name: "HTTP/1.0, delimited by the end of the connection",
    bytes: concatBytes([
      enc.encode("HTTP/1.0 200 OK\r\ncontent-type: application/json\r\n\r\n"),
      payloadBytes,
    ]),
    body: payload,
    reusable: false,
  },
  {
    name: "bytes after the message",
    bytes: concatBytes([
      enc.encode(`HTTP/1.1 200 OK\r\ncontent-length: ${payloadBytes.length}\r\n\r\n`),
      payloadBytes,
      enc.encode("HTTP/1.1 200 OK\r\n"),
    ]),
    body: payload,
    reusable: false,
  },
];

Deno.test("every framing parses the same however the answer is split into reads (generated)", async () => {
  const seed = Number(Deno.env.get("H1_SEED") ?? Date.now() % 1_000_000);
  const next = rng(seed);
  for (const f of FRAMINGS) {
    for (const cuts of [0, 1, 3, 12, -1]) {
      const writes = split(f.bytes, cuts, next);
      await withServer(() => ({ writes, close: !f.reusable }), undefined, async (server, t) => {
        const where = `${f.name}, ${cuts < 0 ? "byte by byte" : `${cuts} cuts`} (H1_SEED=${seed})`;
        const r = await post(t, server.url);
        assert.equal(r.status, f.status ?? 200, where);
        assert.equal(await r.text(), f.body, where);
        // Bytes after a message that arrive in a later read are noticed by the idle socket's read.
        for (let i = 0; i < 1000 && !f.reusable && t.idleCount() > 0; i++) {
          await new Promise((r) => setTimeout(r, 2));
        }
        assert.equal(t.idleCount(), f.reusable ? 1 : 0, `${where}: kept only when reusable`);
      });
    }
  }
});

/** Broken answers: each must reject with a TypeError (what fetch throws), be sent once, and leave
 * nothing in the pool. */
const BROKEN: {
  name: string;
  writes: (string | Uint8Array)[];
  options?: Parameters<typeof createH1Transport>[0];
}[] = [
  { name: "closed before any byte", writes: [] },
  { name: "closed inside the head", writes: ["HTTP/1.1 200 OK\r\ncontent-le"] },
  {
    name: "closed inside the body",
    writes: ['HTTP/1.1 200 OK\r\ncontent-length: 50\r\n\r\n{"a":'],
  },
  {
    name: "closed inside a chunk",
    writes: ["HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n10\r\nabc"],
  },
  {
    name: "closed before the last chunk",
    writes: ["HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n"],
  },
  { name: "not HTTP", writes: ["SSH-2.0-OpenSSH_9.6\r\n\r\n"] },
  { name: "HTTP/2 preface", writes: ["HTTP/2 200\r\n\r\n"] },
  { name: "status out of range", writes: ["HTTP/1.1 600 Nope\r\ncontent-length: 0\r\n\r\n"] },
  {
    name: "protocol switch",
    writes: ["HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\n\r\n"],
  },
  {
    name: "conflicting Content-Length",
    writes: ["HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\nhello!"],
  },
  {
    name: "Content-Length not a number",
    writes: ["HTTP/1.1 200 OK\r\ncontent-length: 0x10\r\n\r\n"],
  },
  { name: "negative Content-Length", writes: ["HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n"] },
  {
    name: "a transfer coding other than chunked",
    writes: ["HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\n\r\n"],
  },
  {
    name: "a chunk size that is not hex",
    writes: ["HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n"],
  },
  {
    name: "a chunk size past 32 bits",
    writes: ["HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n1000000000\r\n"],
  },
  {
    name: "a chunk longer than it says",
    writes: ["HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabcdef\r\n0\r\n\r\n"],
  },
  {
    name: "a folded header",
    writes: ["HTTP/1.1 200 OK\r\nx-a: 1\r\n  2\r\ncontent-length: 0\r\n\r\n"],
  },
  {
    name: "a header without a colon",
    writes: ["HTTP/1.1 200 OK\r\nbroken\r\ncontent-length: 0\r\n\r\n"],
  },
  {
    name: "an unsupported content coding",
    writes: ["HTTP/1.1 200 OK\r\ncontent-encoding: br\r\ncontent-length: 2\r\n\r\n{}"],
  },
  {
    name: "a head larger than allowed",
    writes: [
      `HTTP/1.1 200 OK\r\n${"x-pad: ".concat("a".repeat(1000), "\r\n").repeat(80)}\r\n`,
    ],
    options: { maxHeaderBytes: 64 * 1024 },
  },
  {
    name: "a Content-Length larger than allowed (refused before reading)",
    writes: ["HTTP/1.1 200 OK\r\ncontent-length: 999999999\r\n\r\n"],
    options: { maxBodyBytes: 1024 },
  },
  {
    name: "chunks adding up to more than allowed",
    writes: [
      "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n",
      ...Array(5).fill(`200\r\n${"a".repeat(512)}\r\n`),
    ],
    options: { maxBodyBytes: 2048 },
  },
  {
    name: "a body to the end of the connection larger than allowed",
    writes: ["HTTP/1.0 200 OK\r\n\r\n", "a".repeat(3000)],
    options: { maxBodyBytes: 2048 },
  },
  {
    name: "chunk lines that never end",
    writes: ["HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n1;", ";".repeat(10_000)],
  },
];

Deno.test("a broken answer fails like fetch, is sent once and never pooled (generated corpus)", async () => {
  for (const b of BROKEN) {
    await withServer(() => ({ writes: b.writes, close: true }), b.options, async (server, t) => {
      await assert.rejects(post(t, server.url), TypeError, b.name);
      assert.equal(server.seen.length, 1, `${b.name}: sent once`);
      assert.equal(t.idleCount(), 0, `${b.name}: not pooled`);
      assert.equal(t.stats.retries, 0, b.name);
    });
  }
});

Deno.test("a request the server read and then dropped is not sent again, on a new or a kept connection", async () => {
  await withServer(
    (_s, i) => i === 0 ? answerEmptyJson() : { writes: [], close: true },
    undefined,
    async (server, t) => {
      assert.equal((await post(t, server.url)).status, 200);
      assert.equal(t.idleCount(), 1);
      await assert.rejects(post(t, server.url), TypeError);
      assert.equal(server.seen.length, 2, "the second request reached the server once");
      assert.equal(t.stats.retries, 0);
      assert.equal(t.idleCount(), 0);
    },
  );
});

Deno.test("a kept connection the server closed while idle is dropped, and the call opens a new one", async () => {
  await withServer(
    answerEmptyJson,
    undefined,
    async (server, t) => {
      assert.equal((await post(t, server.url)).status, 200);
      assert.equal(t.idleCount(), 1);
      server.dropAll();
      for (let i = 0; i < 1000 && t.idleCount() > 0; i++) {
        await new Promise((r) => setTimeout(r, 2));
      }
      assert.equal(t.idleCount(), 0, "the idle read noticed the close");
      assert.equal(t.stats.closedByServer, 1);
      assert.equal((await post(t, server.url)).status, 200);
      assert.equal(server.accepted(), 2);
      assert.equal(server.seen.length, 2);
    },
  );
});

Deno.test("a connection idle past idleMs is closed instead of reused", async () => {
  await withServer(
    answerEmptyJson,
    { idleMs: 5 },
    async (server, t) => {
      await (await post(t, server.url)).text();
      await new Promise((r) => setTimeout(r, 20));
      await (await post(t, server.url)).text();
      assert.equal(t.stats.connects, 2);
      assert.equal(t.stats.reuses, 0);
    },
  );
});

Deno.test("concurrent calls each get their own connection; at most maxIdlePerOrigin are kept", async () => {
  await withServer(
    answerEmptyJson,
    { maxIdlePerOrigin: 2 },
    async (server, t) => {
      const rs = await Promise.all(
        Array.from({ length: 5 }, (_, i) => post(t, server.url, `{"i":${i}}`)),
      );
      assert.deepEqual(rs.map((r) => r.status), [200, 200, 200, 200, 200]);
      assert.equal(server.accepted(), 5);
      assert.equal(t.idleCount(), 2);
      assert.deepEqual(
        server.seen.map((s) => s.body).sort(),
        [0, 1, 2, 3, 4].map((i) => `{"i":${i}}`),
      );
    },
  );
});

Deno.test("the caller's abort rejects with its reason and closes the socket; an aborted signal sends nothing", async () => {
  await withServer(() => ({ writes: [], hang: true }), undefined, async (server, t) => {
    const c = new AbortController();
    const call = post(t, server.url, "{}", c.signal);
    for (let i = 0; i < 1000 && server.seen.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 2));
    }
    c.abort(new DOMException("stop", "AbortError"));
    await assert.rejects(call, (e: unknown) => e instanceof DOMException && e.message === "stop");
    assert.equal(t.idleCount(), 0);
    await assert.rejects(post(t, server.url, "{}", AbortSignal.abort()), DOMException);
    assert.equal(server.seen.length, 1, "the pre-aborted call sent nothing");
  });
});

Deno.test("what it does not take goes to the fallback fetch; a header with a line break is refused before sending", async () => {
  const calls: string[] = [];
  const fallback = ((input: RequestInfo | URL, init?: RequestInit) => {
    calls.push(`${init?.method} ${String(input)}`);
    return Promise.resolve(new Response("{}"));
  }) as typeof fetch;
  const t = createH1Transport({ fallback });
  const url = "http://127.0.0.1:9/x";
  await t(url, { method: "GET" });
  await t(url, { method: "POST", body: new FormData() });
  await t(url, { method: "POST", body: "{}", headers: new Headers({ a: "b" }) });
  await t("ftp://127.0.0.1/x", { method: "POST", body: "{}" });
  await t(new Request(url, { method: "POST", body: "{}" }));
  assert.equal(calls.length, 5);
  assert.equal(t.stats.fallbacks, 5);
  await assert.rejects(
    t(url, { method: "POST", body: "{}", headers: { "x-a": "1\r\nx-injected: 1" } }),
    TypeError,
  );
  assert.equal(t.stats.connects, 0);
});

Deno.test("a connection that cannot be opened hands the call to fetch; after three such calls fetch keeps the origin", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const url = `http://127.0.0.1:${(l.addr as Deno.NetAddr).port}/x`;
  l.close();
  const toFetch: string[] = [];
  const fallback = ((_input: RequestInfo | URL, init?: RequestInit) => {
    toFetch.push(String(init?.body));
    return Promise.resolve(new Response('{"via":"fetch"}'));
  }) as typeof fetch;
  const t = createH1Transport({ fallback });
  for (let i = 0; i < 5; i++) {
    assert.deepEqual(await (await post(t, url, `{"n":${i}}`)).json(), { via: "fetch" });
  }
  assert.deepEqual(
    toFetch,
    [0, 1, 2, 3, 4].map((i) => `{"n":${i}}`),
    "each call sent once, by fetch",
  );
  assert.equal(t.stats.connectFailures, 3, "no socket is tried after fetch won three times");
  assert.equal(t.stats.connects, 0);
  // With the real fetch behind it, a refused connection fails as fetch fails.
  await assert.rejects(
    post(createH1Transport(), url),
    TypeError, // "error sending request…" on Deno 2.1, "fetch failed" on 2.9
  );
});

Deno.test("over TLS: the certificate is checked and the connection kept", async () => {
  const dir = new URL("../../../../tests/fixtures/tls/", import.meta.url);
  const cert = Deno.readTextFileSync(new URL("leaf.pem", dir));
  const key = Deno.readTextFileSync(new URL("leaf.key", dir));
  const ca = Deno.readTextFileSync(new URL("ca.pem", dir));
  const server = scriptedServer(() => ({
    writes: [`HTTP/1.1 200 OK\r\ncontent-length: ${payloadBytes.length}\r\n\r\n`, payloadBytes],
  }), { cert, key });
  const trusted = createH1Transport({ caCerts: [ca] });
  const untrusted = createH1Transport();
  let fetchGot = 0;
  const untrustedToStub = createH1Transport({
    fallback: (() => {
      fetchGot++;
      return Promise.resolve(new Response("{}"));
    }) as typeof fetch,
  });
  try {
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(await (await post(trusted, server.url)).json(), JSON.parse(payload));
    }
    assert.equal(trusted.stats.connects, 1);
    assert.equal(trusted.stats.reuses, 1);
    // An unknown CA fails the handshake before a byte of the request is sent; fetch then gets the
    // call (and refuses the certificate too).
    await assert.rejects(post(untrusted, server.url), TypeError, "an unknown CA is refused");
    await post(untrustedToStub, server.url);
    assert.equal(fetchGot, 1);
    assert.equal(untrustedToStub.stats.connectFailures, 1);
    assert.equal(server.seen.length, 2, "only the trusted transport's requests reached the server");
  } finally {
    await settle(trusted);
    await settle(untrusted);
    await settle(untrustedToStub);
    await server.close();
  }
});

Deno.test("through OpenAIHttpClient: JSON calls use the transport and keep fetch's error shapes", async () => {
  await withServer(
    (s) => {
      if (s.body.includes('"fail"')) {
        return {
          writes: [
            'HTTP/1.1 400 Bad Request\r\nx-request-id: req_9\r\ncontent-length: 50\r\n\r\n{"error":{"message":"bad","code":"invalid_x"}}    ',
          ],
        };
      }
      if (s.body.includes('"drop"')) return { writes: [], close: true };
      return {
        writes: [`HTTP/1.1 200 OK\r\ncontent-length: ${payloadBytes.length}\r\n\r\n`, payloadBytes],
      };
    },
    undefined,
    async (server, t) => {
      const client = new OpenAIHttpClient({
        apiKey: "k",
        baseURL: server.url.replace("/chat/completions", ""),
        fetch: t,
      });
      assert.deepEqual(await client.postJson("/chat/completions", { ok: 1 }), JSON.parse(payload));
      const err = await client.postJson("/chat/completions", { fail: 1 }).catch((e) => e);
      assert.ok(err instanceof OpenAIHttpError);
      assert.equal(err.status, 400);
      assert.equal(err.code, "invalid_x");
      assert.equal(err.requestId, "req_9");
      const dropped = await client.postJson("/chat/completions", { drop: 1 }).catch((e) => e);
      assert.ok(dropped instanceof OpenAIHttpConnectionError);
      assert.equal(server.seen.filter((s) => s.body.includes("drop")).length, 1);
      assert.equal(server.accepted(), 1, "the 400 left its connection reusable");
      assert.equal(t.idleCount(), 0, "the drop closed it");
    },
  );
});

Deno.test("a body with non-ASCII text arrives byte for byte with its UTF-8 length; one over 256 KiB goes to fetch", async () => {
  let fetched = 0;
  const fallback = (() => {
    fetched++;
    return Promise.resolve(new Response("{}"));
  }) as typeof fetch;
  await withServer(answerEmptyJson, { fallback }, async (server, t) => {
    const text = JSON.stringify({ text: "домашнее задание № 3 — ёмко ".repeat(7000), emoji: "🙂" });
    assert.ok(text.length < 256 * 1024 && enc.encode(text).length > 256 * 1024);
    assert.equal((await post(t, server.url, text)).status, 200);
    assert.equal((await post(t, server.url, "{}")).status, 200);
    assert.equal(server.seen[0].body, text);
    assert.match(server.seen[0].head, new RegExp(`content-length: ${enc.encode(text).length}\r\n`));
    assert.equal(server.seen[1].body, "{}");
    assert.equal(server.accepted(), 1);
    const images = JSON.stringify({ image: "A".repeat(300_000) });
    assert.equal((await post(t, server.url, images)).status, 200);
    assert.equal(fetched, 1, "a vision-sized body went to fetch");
    assert.equal(server.seen.length, 2);
  });
});

/** What a student's message may hold, as UTF-16: ASCII, Cyrillic, emoji (surrogate pairs), lone
 * surrogates (which UTF-8 writes as U+FFFD, 3 bytes from 1 unit), and control characters. */
const TEXT_PIECES = ["a", "Я", "ё", "🙂", "\ud800", "\udfff", "\u0000", "\n", '"', "\\", "€"];

Deno.test("a student's text reaches the provider as exactly the UTF-8 fetch would send, up to the 256 KiB cap (generated)", async () => {
  const seed = Number(Deno.env.get("H1_SEED") ?? Date.now() % 1_000_000);
  const next = rng(seed);
  await withServer(answerEmptyJson, undefined, async (server, t) => {
    // Random mixes, and the worst case at the cap: every unit a lone surrogate (3 bytes each).
    const bodies = Array.from({ length: 12 }, () => {
      const n = 1 + Math.floor(next() * 40_000);
      let s = "";
      while (s.length < n) s += TEXT_PIECES[Math.floor(next() * TEXT_PIECES.length)];
      return s;
    });
    bodies.push("\ud800".repeat(256 * 1024));
    for (const [i, body] of bodies.entries()) {
      const where = `body ${i} (H1_SEED=${seed})`;
      assert.equal((await post(t, server.url, body)).status, 200, where);
      const bytes = enc.encode(body);
      assert.match(server.seen[i].head, new RegExp(`content-length: ${bytes.length}\r\n`), where);
      assert.equal(server.seen[i].body, dec.decode(bytes), where);
    }
    assert.equal(t.stats.fallbacks, 0, "all of them went over the transport");
  });
});
