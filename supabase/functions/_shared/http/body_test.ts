import assert from "node:assert/strict";
import { HttpError } from "./errors.ts";
import { ONE_READ_MAX_BYTES, readBytes } from "./body.ts";

/** `n` bytes of a repeating pattern, so a reordered or truncated copy cannot pass. */
function pattern(n: number) {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}

/** A body stream of `chunks`, counting how many were pulled. */
function counted(chunks: Uint8Array[]) {
  const state = { pulled: 0 };
  let i = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (i === chunks.length) return c.close();
      state.pulled++;
      c.enqueue(chunks[i++]);
    },
  }, { highWaterMark: 0 }); // nothing is pulled until the body is read
  return { stream, state };
}

async function refusal(p: Promise<unknown>): Promise<HttpError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof HttpError, `expected an HttpError, got ${e}`);
    return e;
  }
  throw new Error("expected the body to be refused");
}

Deno.test("a small body with its Content-Length arrives whole over a real connection", async () => {
  const sizes = [0, 1, 1000, 70_000, ONE_READ_MAX_BYTES];
  const seen: number[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const bytes = await readBytes(req, ONE_READ_MAX_BYTES);
    seen.push(bytes.byteLength);
    const expected = pattern(Number(req.headers.get("x-size")));
    return new Response(String(
      bytes.byteLength === expected.byteLength &&
        bytes.every((b, i) => b === expected[i]),
    ));
  });
  try {
    for (const n of sizes) {
      const res = await fetch(`http://127.0.0.1:${server.addr.port}/`, {
        method: "POST",
        headers: { "x-size": String(n) },
        body: pattern(n),
      });
      assert.equal(await res.text(), "true", `${n} bytes must arrive unchanged`);
    }
    assert.deepEqual(seen, sizes);
  } finally {
    await server.shutdown();
  }
});

Deno.test("a body larger than one read still arrives whole through the chunk loop", async () => {
  const n = ONE_READ_MAX_BYTES + 12_345;
  const body = pattern(n);
  const chunks = [body.subarray(0, 5000), body.subarray(5000, 700_000), body.subarray(700_000)];
  const { stream } = counted(chunks);
  const req = new Request("http://x/", {
    method: "POST",
    body: stream,
    headers: { "content-length": String(n) },
  });
  assert.deepEqual(await readBytes(req, 2 * n), body);
});

Deno.test("a declared size over the limit is refused 413 before any byte is read", async () => {
  const { stream, state } = counted([pattern(10)]);
  const req = new Request("http://x/", {
    method: "POST",
    body: stream,
    headers: { "content-length": "2000" },
  });
  const e = await refusal(readBytes(req, 1000));
  assert.equal(e.code, "payload_too_large");
  assert.equal(state.pulled, 0);
});

Deno.test("a body longer than its declared Content-Length is refused 400, small or large", async () => {
  for (const declared of [10, ONE_READ_MAX_BYTES + 1]) {
    const { stream } = counted([pattern(declared), pattern(5)]);
    const req = new Request("http://x/", {
      method: "POST",
      body: stream,
      headers: { "content-length": String(declared) },
    });
    const e = await refusal(readBytes(req, 4 * ONE_READ_MAX_BYTES));
    assert.equal(e.code, "invalid_request", `declared ${declared}`);
    assert.match(e.message, /longer than its Content-Length/);
  }
});

Deno.test("a body without Content-Length is refused 413 as soon as it passes the limit", async () => {
  const chunks = Array.from({ length: 50 }, () => pattern(100));
  const { stream, state } = counted(chunks);
  const req = new Request("http://x/", { method: "POST", body: stream });
  const e = await refusal(readBytes(req, 1000));
  assert.equal(e.code, "payload_too_large");
  assert.ok(state.pulled <= 12, `read ${state.pulled} chunks of 100 bytes for a 1000-byte limit`);
});
