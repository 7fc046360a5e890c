// The local gateway behaves like hosted Supabase's where clients notice: its own errors in hosted's
// `{ code, message }` shape with `sb-error-code`, OPTIONS passed to the function (which answers
// its own preflight), functions' own errors untouched, and an early 413 that reaches the client.
import assert from "node:assert/strict";
import { corsHeaders as supabaseJsCors } from "@supabase/supabase-js/cors";
import { AiFunctionError, errorFromResponse } from "../../shared/errors.ts";
import { stackEnv, userToken } from "../_support/stack.ts";
import { startLimitsStack } from "./fixtures/limits_stack.ts";

const fn = (slug: string) => `${stackEnv.url}/functions/v1/${slug}`;
const allowed = (res: Response) =>
  (res.headers.get("access-control-allow-headers") ?? "").split(",").map((h) => h.trim());

Deno.test("a preflight reaches the function, without a JWT, even with verify_jwt on", async () => {
  const res = await fetch(fn("stack-fixture"), {
    method: "OPTIONS",
    headers: { origin: "http://localhost:3000", "access-control-request-method": "POST" },
  });
  assert.equal(res.status, 200);
  assert.equal((await res.json()).method, "OPTIONS", "the echo fixture answered it");
});

Deno.test("every function's preflight allows every header supabase-js 2.119.1 sends", async () => {
  const sent = supabaseJsCors["Access-Control-Allow-Headers"].split(",").map((h) => h.trim());
  // functions-js adds x-region when a region is set; our functions accept Idempotency-Key.
  const needed = [...sent, "x-region", "idempotency-key"];
  for (const slug of ["process-chat", "process-file-upload", "process-voice-message"]) {
    const res = await fetch(fn(slug), {
      method: "OPTIONS",
      headers: {
        origin: "http://localhost:3000",
        "access-control-request-method": "POST",
        "access-control-request-headers": needed.join(", "),
      },
    });
    assert.equal(res.status, 200, slug);
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
    const got = allowed(res);
    for (const h of needed) assert.ok(got.includes(h), `${slug} allows ${h}`);
    await res.body?.cancel();
  }
});

Deno.test("verify_jwt failures are hosted's 401 bodies with sb-error-code", async () => {
  const wrongSecret = await userToken(crypto.randomUUID(), {
    secret: "another-secret-that-is-at-least-32-chars",
  });
  const cases: [Record<string, string>, string, string][] = [
    [{}, "UNAUTHORIZED_NO_AUTH_HEADER", "Missing authorization header"],
    [
      { authorization: "Basic abc" },
      "UNAUTHORIZED_INVALID_JWT_FORMAT",
      "Auth header is not 'Bearer {token}'",
    ],
    [{ authorization: "Bearer not-a-jwt" }, "UNAUTHORIZED_INVALID_JWT_FORMAT", "Invalid JWT"],
    [{ authorization: `Bearer ${wrongSecret}` }, "UNAUTHORIZED_LEGACY_JWT", "Invalid JWT"],
  ];
  for (const [headers, code, message] of cases) {
    const res = await fetch(fn("stack-fixture"), { method: "POST", headers, body: "{}" });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("sb-error-code"), code);
    assert.deepEqual(await res.json(), { code, message });
  }
});

Deno.test("a function's own error passes through the gateway untouched", async () => {
  const res = await fetch(fn("process-chat"), {
    method: "POST",
    headers: {
      authorization: `Bearer ${await userToken(crypto.randomUUID())}`,
      "content-type": "application/json",
    },
    body: "{not json",
  });
  assert.equal(res.status, 400);
  assert.equal(res.headers.get("sb-error-code"), null, "no gateway code on a function's answer");
  assert.equal((await res.json()).error.code, "invalid_request");
});

Deno.test("an early 413 reaches a fetch client that is sending 26 MB", async () => {
  const stack = await startLimitsStack();
  try {
    const body = new Uint8Array(26 * 1024 * 1024).fill(7);
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${stack.url}/reject-413`, {
        method: "POST",
        headers: { "content-type": "application/octet-stream" },
        body,
      });
      assert.equal(res.status, 413);
      assert.equal((await res.json()).error.code, "payload_too_large");
    }
    const read = await fetch(`${stack.url}/size`, { method: "POST", body });
    assert.equal(read.status, 200, "a function that reads a large body gets all of it");
    assert.equal((await read.json()).bytes, body.byteLength);
  } finally {
    await stack.stop();
  }
});

Deno.test("frontends read a hosted 546 as a typed error", async () => {
  const res = new Response(
    JSON.stringify({
      code: "WORKER_RESOURCE_LIMIT",
      message: "Function failed due to not having enough compute resources (please check logs)",
    }),
    { status: 546, headers: { "sb-error-code": "WORKER_RESOURCE_LIMIT" } },
  );
  const e = await errorFromResponse(res);
  assert.ok(e instanceof AiFunctionError);
  assert.equal(e.code, "service_unavailable");
  assert.equal(e.status, 546);
  assert.equal(e.platformCode, "WORKER_RESOURCE_LIMIT");
});

/**
 * One HTTP/1.1 request on its own TCP connection, written by hand so that nothing in between
 * rewrites its `Connection: close`; resolves with the status code (or the socket error's name).
 */
async function rawPost(path: string, body: string, headers: Record<string, string>) {
  const url = new URL(stackEnv.url);
  const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
  try {
    const head = [
      `POST ${path} HTTP/1.1`,
      `Host: ${url.host}`,
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      `Content-Length: ${new TextEncoder().encode(body).length}`,
      "",
      "",
    ].join("\r\n");
    await conn.write(new TextEncoder().encode(head + body));
    const decoder = new TextDecoder();
    const buf = new Uint8Array(16 * 1024);
    let text = "";
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break; // the gateway closes the connection, as the client asked
      text += decoder.decode(buf.subarray(0, n), { stream: true });
    }
    return /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? `no status line: ${text.slice(0, 80)}`;
  } catch (e) {
    return (e as Error).name;
  } finally {
    try {
      conn.close();
    } catch { /* closed by the gateway already */ }
  }
}

Deno.test("200 parallel clients sending Connection: close all get their answer (the gateway keeps its own keep-alive to workers)", async () => {
  const statuses = await Promise.all(
    Array.from(
      { length: 200 },
      (_, i) =>
        rawPost("/functions/v1/stack-fixture-public", JSON.stringify({ i }), {
          Connection: "close",
          "Content-Type": "application/json",
        }),
    ),
  );
  const counts: Record<string, number> = {};
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  assert.deepEqual(counts, { "200": 200 }, "no 500 WORKER_ERROR, no reset");
});
