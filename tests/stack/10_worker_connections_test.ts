// The gateway's lean client to function workers (scripts/stack/worker-connections.mjs): whatever
// way a worker's answer is cut into reads, the gateway passes on exactly its body, ends it once,
// and reuses a connection only after a clean keep-alive exchange.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { requestHead, WorkerConnections } from "../../scripts/stack/worker-connections.mjs";

type Seen = {
  status?: number;
  headers?: string[];
  body: string;
  pieces: number;
  ends: number;
  errors: string[];
};

function handlers(seen: Seen) {
  const decoder = new TextDecoder();
  return {
    onResponse(status: number, raw: string[]) {
      seen.status = status;
      seen.headers = raw;
    },
    onBody(chunk: Uint8Array) {
      seen.body += decoder.decode(chunk, { stream: true });
      seen.pieces++;
      return true;
    },
    onEnd() {
      seen.ends++;
    },
    onError(e: Error) {
      seen.errors.push(e.message);
    },
  };
}
const fresh = (): Seen => ({ body: "", pieces: 0, ends: 0, errors: [] });

/** A Unix socket server answering each request with `answer(n)` (n counts connections). */
function workerDouble(answer: (connection: number) => string | null) {
  const path = Deno.makeTempFileSync({ suffix: ".sock" });
  Deno.removeSync(path);
  const listener = Deno.listen({ transport: "unix", path });
  let connections = 0;
  const served = (async () => {
    for await (const conn of listener) {
      const n = ++connections;
      (async () => {
        const buf = new Uint8Array(65536);
        let text = "";
        try {
          while (true) {
            const r = await conn.read(buf);
            if (r === null) break;
            text += new TextDecoder().decode(buf.subarray(0, r));
            while (text.includes("\r\n\r\n")) {
              const end = text.indexOf("\r\n\r\n") + 4;
              const len = Number(/content-length: (\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
              if (text.length < end + len) break;
              text = text.slice(end + len);
              const a = answer(n);
              if (a !== null) await conn.write(new TextEncoder().encode(a));
            }
          }
        } catch { /* the gateway closed it */ }
        try {
          conn.close();
        } catch { /* closed already */ }
      })();
    }
  })();
  return {
    path,
    get connections() {
      return connections;
    },
    async close() {
      listener.close();
      await served.catch(() => {});
    },
  };
}

const EVENTS = ["data: 0\n\n", "data: 1\n\n", "data: a longer event, ünïcode 2\n\n"];
const CHUNKED_BODY = EVENTS.join("");
const size = (s: string) => new TextEncoder().encode(s).length.toString(16);
/** A streamed answer as Deno writes one, with a chunk extension and a trailer besides. */
const CHUNKED =
  "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n" +
  EVENTS.map((e, i) => `${size(e)}${i === 1 ? ";ext=1" : ""}\r\n${e}\r\n`).join("") +
  "0\r\nx-trailer: yes\r\n\r\n";

/** Every way to cut `text`'s bytes in two, and byte by byte: the reads an answer may arrive in. */
function* splits(text: string): Generator<Uint8Array[]> {
  const bytes = new TextEncoder().encode(text);
  for (let i = 1; i < bytes.length; i++) yield [bytes.subarray(0, i), bytes.subarray(i)];
  yield [...bytes].map((b) => Uint8Array.of(b));
}

Deno.test("a chunked answer cut into reads anywhere reaches the gateway's client whole, and ends once", async () => {
  const worker = workerDouble(() => null);
  const pool = new WorkerConnections(worker.path);
  try {
    for (const pieces of splits(CHUNKED)) {
      const seen = fresh();
      const ex = pool.request(requestHead("GET", "/f", [], new Set(), null), false, handlers(seen));
      for (const p of pieces) ex.data(Buffer.from(p));
      assert.equal(seen.status, 200, `cut ${pieces.length}`);
      assert.equal(seen.body, CHUNKED_BODY, `cut at byte ${pieces[0].length}`);
      assert.equal(seen.ends, 1);
      assert.deepEqual(seen.errors, []);
      assert.ok(!seen.headers!.includes("x-trailer"), "trailers are not headers");
      ex.destroy();
    }
  } finally {
    pool.destroy();
    await worker.close();
  }
});

Deno.test("counted, HEAD, 204 and 100-continue answers end exactly where HTTP says", async () => {
  const worker = workerDouble(() => null);
  const pool = new WorkerConnections(worker.path);
  const cases = [
    {
      raw: "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello",
      head: false,
      body: "hello",
      status: 200,
    },
    { raw: "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n", head: true, body: "", status: 200 },
    { raw: "HTTP/1.1 204 No Content\r\n\r\n", head: false, body: "", status: 204 },
    {
      raw:
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 413 Payload Too Large\r\ncontent-length: 2\r\n\r\n{}",
      head: false,
      body: "{}",
      status: 413,
    },
  ];
  try {
    for (const c of cases) {
      for (const pieces of splits(c.raw)) {
        const seen = fresh();
        const ex = pool.request(
          requestHead("GET", "/f", [], new Set(), null),
          c.head,
          handlers(seen),
        );
        for (const p of pieces) ex.data(Buffer.from(p));
        assert.equal(seen.status, c.status, c.raw);
        assert.equal(seen.body, c.body, c.raw);
        assert.equal(seen.ends, 1, c.raw);
        ex.destroy();
      }
    }
  } finally {
    pool.destroy();
    await worker.close();
  }
});

Deno.test("a clean keep-alive exchange leaves its connection to the next request; Connection: close does not", async () => {
  let close = false;
  const worker = workerDouble(() =>
    `HTTP/1.1 200 OK\r\ncontent-length: 2\r\n${close ? "connection: close\r\n" : ""}\r\nok`
  );
  const pool = new WorkerConnections(worker.path);
  const send = () =>
    new Promise<Seen>((resolve) => {
      const seen = fresh();
      const h = handlers(seen);
      const ex = pool.request(
        requestHead(
          "POST",
          "/f",
          ["content-length", "3", "Connection", "close"],
          new Set(["connection"]),
          null,
        ),
        false,
        {
          ...h,
          onEnd: () => (h.onEnd(), resolve(seen)),
          onError: (e: Error) => (h.onError(e), resolve(seen)),
        },
      );
      ex.write(new TextEncoder().encode("abc"));
      ex.end();
    });
  try {
    for (let i = 0; i < 3; i++) assert.equal((await send()).body, "ok");
    assert.equal(worker.connections, 1, "three requests, one connection");
    close = true;
    await send();
    close = false;
    await send();
    assert.equal(worker.connections, 2, "a worker's Connection: close is not reused");
  } finally {
    pool.destroy();
    await worker.close();
  }
});

Deno.test("the request head carries no hop-by-hop header and the worker's host", () => {
  const head = requestHead(
    "POST",
    "/process-chat?x=1",
    [
      "Host",
      "127.0.0.1:54321",
      "Connection",
      "close, x-private",
      "X-Private",
      "1",
      "Authorization",
      "Bearer t",
    ],
    new Set([
      "connection",
      "host",
      "keep-alive",
      "te",
      "trailer",
      "upgrade",
      "expect",
      "proxy-connection",
    ]),
    new Set(["x-private"]),
  );
  assert.equal(
    head,
    "POST /process-chat?x=1 HTTP/1.1\r\nhost: localhost\r\nAuthorization: Bearer t\r\n\r\n",
  );
});
