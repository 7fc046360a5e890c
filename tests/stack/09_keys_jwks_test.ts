// The platform's current keys and tokens, as hosted has them: the new publishable / secret keys
// beside the legacy anon / service_role JWTs, user tokens signed with ES256 and published as a
// JWKS, HS256 user tokens still accepted where the legacy secret is known.
import assert from "node:assert/strict";
import { createClient } from "@supabase/supabase-js";
import { invokeChat } from "../../shared/index.ts";
import { closeDb, createUser, stackEnv, userToken } from "../_support/stack.ts";

const rest = (path: string, headers: Record<string, string>, init: RequestInit = {}) =>
  fetch(`${stackEnv.url}/rest/v1${path}`, { ...init, headers });

Deno.test("the JWKS is served at /auth/v1/.well-known/jwks.json with public keys only", async () => {
  const res = await fetch(`${stackEnv.url}/auth/v1/.well-known/jwks.json`);
  assert.equal(res.status, 200);
  const { keys } = await res.json();
  assert.ok(keys.length >= 1);
  const es = keys.find((k: Record<string, string>) => k.alg === "ES256");
  assert.ok(es && es.kid && es.kty === "EC", "an ES256 key with its kid");
  assert.ok(keys.every((k: Record<string, string>) => !("d" in k) && !("k" in k)), "no secret");
});

Deno.test("/rest/v1 accepts the publishable and secret keys as well as the legacy ones", async () => {
  for (const key of [stackEnv.publishableKey, stackEnv.secretKey, stackEnv.anonKey]) {
    const res = await rest("/", { apikey: key });
    assert.equal(res.status, 200, key.slice(0, 16));
    await res.body?.cancel();
  }
  const bad = await rest("/", { apikey: "sb_secret_not-this-projects" });
  assert.equal(bad.status, 401);
  await bad.body?.cancel();
});

Deno.test("the functions' control RPCs answer the secret key only, never the publishable key", async () => {
  const args = JSON.stringify({
    p_user_id: crypto.randomUUID(),
    p_function: "process-chat",
    p_key: "k",
  });
  const call = (key: string) =>
    rest("/rpc/ai_idempotency_release", {
      apikey: key,
      authorization: `Bearer ${key}`,
      "content-type": "application/json",
    }, { method: "POST", body: args });
  const secret = await call(stackEnv.secretKey);
  assert.ok(secret.status === 200 || secret.status === 204, `secret key: ${secret.status}`);
  await secret.body?.cancel();
  const pub = await call(stackEnv.publishableKey);
  assert.ok(pub.status === 401 || pub.status === 403 || pub.status === 404, `${pub.status}`);
  await pub.body?.cancel();
});

Deno.test("a student with supabase-js on the publishable key: ES256 and HS256 tokens both answered", async () => {
  const student = await createUser();
  for (const alg of ["ES256", "HS256"] as const) {
    const token = await userToken(student.id, { alg });
    const supabase = createClient(stackEnv.url, stackEnv.publishableKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      global: { headers: { Authorization: `Bearer ${token}` } },
    });
    const res = await invokeChat(supabase, { platform: "main", message: "Привет!" });
    assert.ok(res.reply.length > 0, alg);
  }
  await closeDb();
});

Deno.test("record-ai-operation accepts the secret key as apikey (supabase-js) and refuses the publishable key", async () => {
  const post = (headers: Record<string, string>) =>
    fetch(`${stackEnv.url}/functions/v1/record-ai-operation`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: "{}",
    });
  // Past authentication an empty body is a 400: the key was accepted.
  const viaSecret = await post({ apikey: stackEnv.secretKey });
  assert.equal(viaSecret.status, 400, await viaSecret.text());
  const viaJs = await createClient(stackEnv.url, stackEnv.secretKey, {
    auth: { persistSession: false },
  }).functions.invoke("record-ai-operation", { body: {} });
  assert.equal((viaJs.error as { context?: Response })?.context?.status, 400);
  await (viaJs.error as { context?: Response })?.context?.body?.cancel();
  const legacy = await post({ authorization: `Bearer ${stackEnv.serviceRoleKey}` });
  assert.equal(legacy.status, 400, "the legacy service-role key still works");
  await legacy.body?.cancel();
  const pub = await post({
    apikey: stackEnv.publishableKey,
    authorization: `Bearer ${stackEnv.publishableKey}`,
  });
  assert.equal(pub.status, 403);
  await pub.body?.cancel();
  const wrong = await post({ apikey: "sb_secret_not-this-projects" });
  assert.equal(wrong.status, 401);
  await wrong.body?.cancel();
});

/** A browser's User-Agent: hosted's gateway recognises browsers by it. */
const BROWSER_UA =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/147.0.0.0 Safari/537.36";

Deno.test("a secret key sent from a browser is refused with 401 on /rest/v1 and /functions/v1, as hosted does", async () => {
  const fromBrowser = await rest("/", { apikey: stackEnv.secretKey, "user-agent": BROWSER_UA });
  assert.equal(fromBrowser.status, 401, "the secret key from a browser, on /rest/v1");
  assert.equal((await fromBrowser.json()).error.code, "secret_key_in_browser");
  const inQuery = await fetch(`${stackEnv.url}/rest/v1/?apikey=${stackEnv.secretKey}`, {
    headers: { "user-agent": BROWSER_UA },
  });
  assert.equal(inQuery.status, 401, "the secret key in the query string, from a browser");
  await inQuery.body?.cancel();
  const fnFromBrowser = await fetch(`${stackEnv.url}/functions/v1/stack-fixture-public`, {
    method: "POST",
    headers: {
      apikey: stackEnv.secretKey,
      authorization: `Bearer ${stackEnv.secretKey}`,
      "user-agent": BROWSER_UA,
    },
    body: "{}",
  });
  assert.equal(fnFromBrowser.status, 401, "the secret key from a browser, on /functions/v1");
  assert.equal((await fnFromBrowser.json()).error.code, "secret_key_in_browser");

  // The same keys from a server pass, and the publishable key passes from a browser.
  const fromServer = await rest("/", { apikey: stackEnv.secretKey, "user-agent": "Deno/2.1.4" });
  assert.equal(fromServer.status, 200, "the secret key from a server");
  await fromServer.body?.cancel();
  const publishable = await rest("/", {
    apikey: stackEnv.publishableKey,
    "user-agent": BROWSER_UA,
  });
  assert.equal(publishable.status, 200, "the publishable key from a browser");
  await publishable.body?.cancel();
  const fnFromServer = await fetch(`${stackEnv.url}/functions/v1/stack-fixture-public`, {
    method: "POST",
    headers: { apikey: stackEnv.secretKey, "user-agent": "node" },
    body: "{}",
  });
  assert.equal(fnFromServer.status, 200, "the secret key from a server, on /functions/v1");
  await fnFromServer.body?.cancel();
});
