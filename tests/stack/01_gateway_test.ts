// The gateway plays Kong's part: API keys on /rest/v1, JWT verification per function, CORS.
import assert from "node:assert/strict";
import { stackEnv, userToken } from "../_support/stack.ts";

const rest = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${stackEnv.url}/rest/v1${path}`, { headers });

Deno.test("PostgREST answers through the gateway with the anon key", async () => {
  const res = await rest("/", { apikey: stackEnv.anonKey });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.ok(body.swagger || body.openapi, "the root is PostgREST's OpenAPI document");
});

Deno.test("a wrong apikey on /rest/v1 is refused with 401 before PostgREST", async () => {
  const res = await rest("/", { apikey: "not-a-key" });
  assert.equal(res.status, 401);
  assert.equal((await res.json()).error.code, "invalid_api_key");
});

Deno.test("no apikey on /rest/v1 is refused with 401", async () => {
  const res = await rest("/");
  assert.equal(res.status, 401);
  await res.body?.cancel();
});

Deno.test("a function with verify_jwt refuses a request without a JWT (401, hosted's body)", async () => {
  const res = await fetch(`${stackEnv.url}/functions/v1/stack-fixture`, {
    method: "POST",
    body: "{}",
  });
  assert.equal(res.status, 401);
  const body = await res.json();
  assert.deepEqual(body, {
    code: "UNAUTHORIZED_NO_AUTH_HEADER",
    message: "Missing authorization header",
  });
});

Deno.test("a function with verify_jwt refuses a token signed with another secret (401)", async () => {
  const token = await userToken(crypto.randomUUID(), {
    secret: "another-secret-that-is-at-least-32-chars",
  });
  const res = await fetch(`${stackEnv.url}/functions/v1/stack-fixture`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 401);
  await res.body?.cancel();
});

Deno.test("a function with verify_jwt refuses an expired token (401)", async () => {
  const token = await userToken(crypto.randomUUID(), { ttlSeconds: -60 });
  const res = await fetch(`${stackEnv.url}/functions/v1/stack-fixture`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 401);
  // Hosted says no more than this for an expired legacy (HS256) token.
  assert.deepEqual(await res.json(), { code: "UNAUTHORIZED_LEGACY_JWT", message: "Invalid JWT" });
});

Deno.test("a valid JWT reaches the function with the Supabase environment", async () => {
  const token = await userToken(crypto.randomUUID());
  const res = await fetch(`${stackEnv.url}/functions/v1/stack-fixture/sub/path?x=1`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
    body: "hello",
  });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.path, "/stack-fixture/sub/path");
  assert.equal(body.authorization, `Bearer ${token}`);
  assert.equal(body.body, "hello");
  assert.equal(body.env.SUPABASE_URL, stackEnv.url);
  assert.ok(body.env.hasAnon && body.env.hasService && body.env.hasDbUrl);
  assert.equal(body.edgeRuntime, "object", "EdgeRuntime.waitUntil is provided");
});

Deno.test("a function with verify_jwt = false is reached without a JWT", async () => {
  const res = await fetch(`${stackEnv.url}/functions/v1/stack-fixture-public`);
  assert.equal(res.status, 200);
  await res.body?.cancel();
});

Deno.test("an unknown function is a 404", async () => {
  const res = await fetch(`${stackEnv.url}/functions/v1/no-such-function`);
  assert.equal(res.status, 404);
  assert.equal((await res.json()).code, "NOT_FOUND");
});

// A function's preflight goes to the function (tests/stack/08_gateway_parity_test.ts).
Deno.test("CORS preflight is answered by the gateway for REST", async () => {
  for (const path of ["/rest/v1/"]) {
    const res = await fetch(`${stackEnv.url}${path}`, {
      method: "OPTIONS",
      headers: {
        origin: "http://localhost:3000",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, apikey, content-type, x-client-info",
      },
    });
    assert.equal(res.status, 200, path);
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
    assert.match(res.headers.get("access-control-allow-headers") ?? "", /authorization/);
    assert.match(res.headers.get("access-control-allow-headers") ?? "", /apikey/);
    await res.body?.cancel();
  }
});

Deno.test("server-sent events pass through the gateway chunk by chunk", async () => {
  const token = await userToken(crypto.randomUUID());
  const res = await fetch(`${stackEnv.url}/functions/v1/stack-fixture/stream`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(res.headers.get("content-type"), "text/event-stream");
  const reader = res.body!.getReader();
  const first = await reader.read();
  assert.equal(
    new TextDecoder().decode(first.value),
    "data: 0\n\n",
    "the first event arrives alone",
  );
  await reader.cancel();
});
