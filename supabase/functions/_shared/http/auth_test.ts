import assert from "node:assert/strict";
import { authenticate, createJwksSource, type Jwk, verifyAccessToken } from "./auth.ts";
import { HttpError } from "./errors.ts";

const SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";
const enc = (v: unknown) =>
  btoa(JSON.stringify(v)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

async function sign(payload: Record<string, unknown>, alg = "HS256", secret = SECRET) {
  const head = `${enc({ alg, typ: "JWT" })}.${enc(payload)}`;
  if (alg === "none") return `${head}.`;
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(head)));
  return `${head}.${
    btoa(String.fromCharCode(...sig)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
  }`;
}

const user = () => ({
  sub: crypto.randomUUID(),
  role: "authenticated",
  exp: Date.now() / 1000 + 60,
});
const req = (token: string) =>
  new Request("http://x/", { headers: { authorization: `Bearer ${token}` } });

Deno.test("a valid user token gives the user id from sub and the admin flag from app_metadata", async () => {
  const claims = { ...user(), app_metadata: { role: "admin" } };
  const u = await authenticate(req(await sign(claims)), { secret: SECRET });
  assert.equal(u.id, claims.sub);
  assert.equal(u.isAdmin, true);
});

Deno.test("alg none is refused with or without a secret", async () => {
  const token = await sign(user(), "none");
  for (const secret of [SECRET, undefined]) {
    await assert.rejects(
      verifyAccessToken(token, { secret }),
      (e) => e instanceof HttpError && e.code === "unauthorized",
    );
  }
});

Deno.test("a token signed with another secret is refused when the secret is known", async () => {
  await assert.rejects(
    verifyAccessToken(await sign(user(), "HS256", "x".repeat(40)), { secret: SECRET }),
    HttpError,
  );
});

Deno.test("an expired token is refused", async () => {
  await assert.rejects(
    verifyAccessToken(await sign({ ...user(), exp: 1 }), { secret: SECRET }),
    /expired/,
  );
});

Deno.test("an API key (role anon or service_role) is not a user", async () => {
  for (const role of ["anon", "service_role"]) {
    await assert.rejects(
      authenticate(req(await sign({ role, exp: Date.now() / 1000 + 60 })), { secret: SECRET }),
      HttpError,
    );
  }
});

// --- ES256 against a JWKS (hosted's asymmetric signing keys) ---

async function es256Pair(kid: string) {
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const jwk = await crypto.subtle.exportKey("jwk", pair.publicKey);
  return { kid, privateKey: pair.privateKey, jwk: { ...jwk, kid, alg: "ES256" } as Jwk };
}

async function signEs256(payload: Record<string, unknown>, key: CryptoKey, kid: string) {
  const head = `${enc({ alg: "ES256", typ: "JWT", kid })}.${enc(payload)}`;
  const sig = new Uint8Array(
    await crypto.subtle.sign(
      { name: "ECDSA", hash: "SHA-256" },
      key,
      new TextEncoder().encode(head),
    ),
  );
  return `${head}.${
    btoa(String.fromCharCode(...sig)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
  }`;
}

Deno.test("an ES256 token signed by a key of the JWKS is accepted", async () => {
  const k = await es256Pair("k1");
  const jwks = createJwksSource({ keys: [k.jwk] });
  const claims = user();
  const u = await authenticate(req(await signEs256(claims, k.privateKey, "k1")), { jwks });
  assert.equal(u.id, claims.sub);
});

Deno.test("an ES256 token signed by a foreign key with the project's kid is refused (401)", async () => {
  const ours = await es256Pair("k1");
  const foreign = await es256Pair("k1");
  const jwks = createJwksSource({ keys: [ours.jwk] });
  await assert.rejects(
    authenticate(req(await signEs256(user(), foreign.privateKey, "k1")), { jwks }),
    (e) => e instanceof HttpError && e.status === 401,
  );
});

Deno.test("a rotated key is fetched from the JWKS URL once, then cached", async () => {
  const k = await es256Pair("new");
  let fetches = 0;
  const jwks = createJwksSource({
    keys: [],
    url: "https://project.example/auth/v1/.well-known/jwks.json",
    fetch: () => {
      fetches++;
      return Promise.resolve(Response.json({ keys: [k.jwk] }));
    },
  });
  for (let i = 0; i < 3; i++) {
    await authenticate(req(await signEs256(user(), k.privateKey, "new")), { jwks });
  }
  assert.equal(fetches, 1);
});

Deno.test("an unreachable JWKS is a 503, not a 401 (a broken key source is not a bad token)", async () => {
  const k = await es256Pair("k1");
  const jwks = createJwksSource({
    url: "https://project.example/auth/v1/.well-known/jwks.json",
    fetch: () => Promise.reject(new TypeError("connection refused")),
  });
  await assert.rejects(
    authenticate(req(await signEs256(user(), k.privateKey, "k1")), { jwks }),
    (e) => e instanceof HttpError && e.status === 503,
  );
});

Deno.test("an HS256 token is refused where no legacy secret is configured", async () => {
  await assert.rejects(
    verifyAccessToken(await sign(user()), { jwks: createJwksSource({ keys: [] }) }),
    (e) => e instanceof HttpError && e.status === 401,
  );
});

Deno.test("an API key sent as the bearer is not a user", async () => {
  await assert.rejects(
    authenticate(req("sb_publishable_abc"), { secret: SECRET }),
    (e) => e instanceof HttpError && e.status === 401,
  );
});

Deno.test("a verified token is remembered per secret, and its expiry is still checked on every use", async () => {
  const exp = Math.floor(Date.now() / 1000) + 1;
  const token = await sign({ sub: crypto.randomUUID(), role: "authenticated", exp });
  assert.equal((await verifyAccessToken(token, { secret: SECRET })).exp, exp);
  // Remembered under SECRET only: another secret checks the signature afresh, and fails.
  await assert.rejects(
    verifyAccessToken(token, { secret: "another-secret-that-is-long-enough-to-use" }),
    (e) => e instanceof HttpError && e.status === 401,
  );
  assert.equal((await verifyAccessToken(token, { secret: SECRET })).exp, exp, "from memory");
  await new Promise((r) => setTimeout(r, (exp + 0.2) * 1000 - Date.now()));
  await assert.rejects(
    verifyAccessToken(token, { secret: SECRET }),
    (e) => e instanceof HttpError && /expired/.test(e.message),
  );
});
