import assert from "node:assert/strict";
import { authenticateService, timingSafeEqual } from "./service_auth.ts";

const SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";
const SERVICE_KEY =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU";
const ANON_KEY =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0";
const RECORD_SECRET = "rec_5f0c2d7e9a1b4c3d8e6f";

const enc = new TextEncoder();
const b64url = (b: Uint8Array) =>
  btoa(String.fromCharCode(...b)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

async function sign(claims: Record<string, unknown>, secret = SECRET, alg = "HS256") {
  const h = b64url(enc.encode(JSON.stringify({ alg, typ: "JWT" })));
  const p = b64url(enc.encode(JSON.stringify(claims)));
  const key = await crypto.subtle.importKey(
    "raw",
    enc.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return `${h}.${p}.${
    b64url(new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(`${h}.${p}`))))
  }`;
}

const req = (headers: Record<string, string>) =>
  new Request("http://x/record-ai-operation", { method: "POST", headers });
const bearer = (t: string) => req({ authorization: `Bearer ${t}` });
const local = { jwtSecret: SECRET, serviceRoleKey: SERVICE_KEY, sharedSecret: RECORD_SECRET };
const hosted = { serviceRoleKey: SERVICE_KEY, sharedSecret: RECORD_SECRET }; // no JWT secret
const exp = Math.floor(Date.now() / 1000) + 3600;

Deno.test("the service-role key and the dedicated secret (header or Bearer) are accepted", async () => {
  assert.deepEqual(await authenticateService(bearer(SERVICE_KEY), local), {
    via: "service_role_key",
  });
  assert.deepEqual(await authenticateService(bearer(SERVICE_KEY), hosted), {
    via: "service_role_key",
  });
  assert.deepEqual(await authenticateService(req({ "x-record-secret": RECORD_SECRET }), hosted), {
    via: "shared_secret",
  });
  assert.deepEqual(await authenticateService(bearer(RECORD_SECRET), hosted), {
    via: "shared_secret",
  });
});

Deno.test("another validly signed service_role JWT is accepted when the JWT secret is known", async () => {
  const token = await sign({ role: "service_role", exp });
  assert.deepEqual(await authenticateService(bearer(token), local), { via: "service_role_jwt" });
});

Deno.test("a student's JWT and the anon key are refused with 403 forbidden", async () => {
  const student = await sign({
    sub: crypto.randomUUID(),
    role: "authenticated",
    aud: "authenticated",
    exp,
  });
  for (const opts of [local, hosted]) {
    await assert.rejects(authenticateService(bearer(student), opts), {
      code: "forbidden",
      status: 403,
    });
    await assert.rejects(authenticateService(bearer(ANON_KEY), opts), {
      code: "forbidden",
      status: 403,
    });
  }
});

Deno.test("no credential, a wrong secret, a garbage key → 401 unauthorized", async () => {
  await assert.rejects(authenticateService(req({}), local), { code: "unauthorized", status: 401 });
  await assert.rejects(authenticateService(req({ "x-record-secret": "guess" }), local), {
    code: "unauthorized",
  });
  await assert.rejects(authenticateService(bearer("not-a-key"), local), { code: "unauthorized" });
  await assert.rejects(
    authenticateService(req({ "x-record-secret": RECORD_SECRET }), { serviceRoleKey: SERVICE_KEY }),
    { code: "unauthorized" },
    "a secret header is refused when the deployment has no secret configured",
  );
});

Deno.test("a forged service_role token is refused: bad signature, alg none, and unverifiable without the secret", async () => {
  const forged = await sign(
    { role: "service_role", exp },
    "another-secret-of-at-least-32-characters!!",
  );
  await assert.rejects(authenticateService(bearer(forged), local), { code: "unauthorized" });
  const [, payload] = forged.split(".");
  const none = `${b64url(enc.encode(JSON.stringify({ alg: "none", typ: "JWT" })))}.${payload}.`;
  await assert.rejects(authenticateService(bearer(none), local), { code: "unauthorized" });
  const valid = await sign({ role: "service_role", exp });
  await assert.rejects(
    authenticateService(bearer(valid), hosted),
    { code: "unauthorized" },
    "hosted: only the exact key",
  );
});

Deno.test("an expired service_role JWT → 401", async () => {
  const token = await sign({ role: "service_role", exp: Math.floor(Date.now() / 1000) - 10 });
  await assert.rejects(authenticateService(bearer(token), local), { code: "unauthorized" });
});

Deno.test("timingSafeEqual compares whole values of any length", async () => {
  assert.equal(await timingSafeEqual("abc", "abc"), true);
  assert.equal(await timingSafeEqual("abc", "abd"), false);
  assert.equal(await timingSafeEqual("abc", "abcd"), false);
  assert.equal(await timingSafeEqual("", "x"), false);
});

const SB_SECRET = "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz";
const withKeys = { ...hosted, secretKeys: [SB_SECRET] };

Deno.test("a secret key (sb_secret_…) is accepted as apikey, as supabase-js sends it, and as Bearer", async () => {
  assert.deepEqual(
    await authenticateService(
      req({ apikey: SB_SECRET, authorization: `Bearer ${SB_SECRET}` }),
      withKeys,
    ),
    { via: "secret_key" },
  );
  assert.deepEqual(await authenticateService(req({ apikey: SB_SECRET }), withKeys), {
    via: "secret_key",
  });
  assert.deepEqual(await authenticateService(bearer(SB_SECRET), withKeys), { via: "secret_key" });
});

Deno.test("an unknown secret key is 401 and a publishable key is 403", async () => {
  await assert.rejects(
    authenticateService(req({ apikey: "sb_secret_not-ours" }), withKeys),
    (e: { status?: number }) => e.status === 401,
  );
  const pub = "sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH";
  await assert.rejects(
    authenticateService(req({ apikey: pub, authorization: `Bearer ${pub}` }), withKeys),
    (e: { status?: number }) => e.status === 403,
  );
});

Deno.test("a legacy HS256 service_role token without exp (or with nbf ahead) is 401", async () => {
  await assert.rejects(
    authenticateService(bearer(await sign({ role: "service_role" })), local),
    (e: { status?: number; message?: string }) => e.status === 401 && /expir/.test(e.message!),
  );
  const early = await sign({
    role: "service_role",
    exp,
    nbf: Math.floor(Date.now() / 1000) + 3600,
  });
  await assert.rejects(authenticateService(bearer(early), local), { code: "unauthorized" });
});

const BROWSER_UA =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

Deno.test("a secret key sent from a browser (its User-Agent or Sec-Fetch headers) is 401, as hosted refuses it", async () => {
  for (
    const headers of <Record<string, string>[]> [
      { apikey: SB_SECRET, "user-agent": BROWSER_UA, origin: "https://school.example" },
      { authorization: `Bearer ${SB_SECRET}`, "user-agent": BROWSER_UA },
      { apikey: SB_SECRET, "sec-fetch-mode": "cors", "user-agent": "Deno/2.1.4" },
    ]
  ) {
    await assert.rejects(
      authenticateService(req(headers), withKeys),
      (e: { status?: number; message?: string }) => e.status === 401 && /browser/.test(e.message!),
      JSON.stringify(headers),
    );
  }
  // The same key from a server (Deno, Node, curl, Python) is accepted.
  for (const agent of ["Deno/2.1.4", "node", "curl/8.5.0", "Python-urllib/3.12"]) {
    assert.deepEqual(
      await authenticateService(req({ apikey: SB_SECRET, "user-agent": agent }), withKeys),
      { via: "secret_key" },
    );
  }
});
