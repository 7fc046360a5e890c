import assert from "node:assert/strict";
import {
  authenticate,
  checkClaims,
  claimPolicyFromEnv,
  createJwksSource,
  type Jwk,
  preloadJwks,
  requirePlatform,
  verifyAccessToken,
} from "./auth.ts";
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
  aud: "authenticated",
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

Deno.test("preloading imports the inline keys once, fetches nothing, and the first request reuses them", async () => {
  const k = await es256Pair("k1");
  let fetches = 0;
  const jwks = createJwksSource({
    keys: [k.jwk, { kty: "oct", kid: "legacy", k: "c2VjcmV0" }], // a symmetric key is not imported
    url: "https://project.example/auth/v1/.well-known/jwks.json",
    fetch: () => {
      fetches++;
      return Promise.resolve(Response.json({ keys: [] }));
    },
  });
  const subtle = crypto.subtle;
  const realImport = subtle.importKey;
  const imported: string[] = [];
  subtle.importKey = ((...a: Parameters<SubtleCrypto["importKey"]>) => {
    imported.push(String((a[1] as JsonWebKey).kty));
    return (realImport as (...x: unknown[]) => Promise<CryptoKey>).apply(subtle, a);
  }) as SubtleCrypto["importKey"];
  try {
    preloadJwks(jwks);
    assert.deepEqual(imported, ["EC"], "the EC key is imported at once, the oct key never");
    const claims = user();
    const u = await authenticate(req(await signEs256(claims, k.privateKey, "k1")), { jwks });
    assert.equal(u.id, claims.sub);
    assert.deepEqual(imported, ["EC"], "the request used the preloaded key");
    assert.equal(fetches, 0);
  } finally {
    subtle.importKey = realImport;
  }
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
  const token = await sign({
    sub: crypto.randomUUID(),
    role: "authenticated",
    aud: "authenticated",
    exp,
  });
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

// --- registered claims: aud, iss, nbf, exp (checked on every use, cached signature or not) ---

const PROJECT = { audience: "authenticated", issuers: ["https://abc.supabase.co/auth/v1"] };
const refused = (claims: Record<string, unknown>, pattern: RegExp) =>
  assert.rejects(
    (async () => verifyAccessToken(await sign(claims), { secret: SECRET, policy: PROJECT }))(),
    (e) => e instanceof HttpError && e.code === "unauthorized" && pattern.test(e.message),
  );

Deno.test("a correctly signed token with a foreign aud is refused", async () => {
  await refused({ ...user(), aud: "another-app" }, /aud/);
  await refused({ ...user(), aud: ["x", "y"] }, /aud/);
  const { aud: _aud, ...noAud } = user();
  await refused(noAud, /aud/);
});

Deno.test("a correctly signed token with a foreign iss is refused when the project's issuer is known", async () => {
  await refused({ ...user(), iss: "https://evil.supabase.co/auth/v1" }, /iss/);
  const ok = await verifyAccessToken(
    await sign({ ...user(), iss: "https://abc.supabase.co/auth/v1" }),
    { secret: SECRET, policy: PROJECT },
  );
  assert.equal(ok.iss, "https://abc.supabase.co/auth/v1");
  // Issuer unknown (no SUPABASE_URL, no AUTH_JWT_ISSUER): not checked.
  await verifyAccessToken(await sign({ ...user(), iss: "whatever" }), {
    secret: SECRET,
    policy: { audience: "authenticated", issuers: [] },
  });
});

Deno.test("a token whose nbf is an hour ahead is refused; 10 s of clock skew is not", async () => {
  await refused({ ...user(), nbf: Date.now() / 1000 + 3600 }, /nbf/);
  await verifyAccessToken(await sign({ ...user(), nbf: Date.now() / 1000 + 10 }), {
    secret: SECRET,
    policy: PROJECT,
  });
});

Deno.test("a token without exp is refused", async () => {
  const { exp: _exp, ...noExp } = user();
  await refused(noExp, /expired/);
});

Deno.test("the audience is configurable and the issuer comes from SUPABASE_URL or AUTH_JWT_ISSUER", () => {
  assert.deepEqual(claimPolicyFromEnv({ SUPABASE_URL: "https://abc.supabase.co/" }), PROJECT);
  assert.deepEqual(
    claimPolicyFromEnv({
      SUPABASE_URL: "https://abc.supabase.co",
      AUTH_JWT_AUDIENCE: "school",
      AUTH_JWT_ISSUER: "https://auth.school.example/auth/v1, https://abc.supabase.co/auth/v1",
    }),
    {
      audience: "school",
      issuers: ["https://auth.school.example/auth/v1", "https://abc.supabase.co/auth/v1"],
    },
  );
  assert.deepEqual(claimPolicyFromEnv({}), { audience: "authenticated", issuers: [] });
  assert.throws(
    () => checkClaims({ ...user(), aud: "authenticated" }, { audience: "school", issuers: [] }, 0),
    /aud/,
  );
});

// --- platforms: from app_metadata (only the Auth admin API writes it), never from the body ---

Deno.test("app_metadata.platforms decides which platforms a student may use; absent = all", async () => {
  const mainOnly = await authenticate(
    req(await sign({ ...user(), app_metadata: { platforms: ["main"] } })),
    { secret: SECRET },
  );
  assert.deepEqual(mainOnly.platforms, ["main"]);
  requirePlatform(mainOnly, "main");
  assert.throws(
    () => requirePlatform(mainOnly, "tripwire"),
    (e) => e instanceof HttpError && e.code === "platform_forbidden" && e.status === 403,
  );
  const legacy = await authenticate(req(await sign(user())), { secret: SECRET });
  assert.equal(legacy.platforms, "all");
  requirePlatform(legacy, "tripwire");
  const broken = await authenticate(
    req(await sign({ ...user(), app_metadata: { platforms: "main" } })),
    { secret: SECRET },
  );
  assert.throws(() => requirePlatform(broken, "main"), /may not use/);
  // user_metadata is the student's own to write: it grants nothing.
  const selfGranted = await authenticate(
    req(
      await sign({
        ...user(),
        app_metadata: { platforms: ["main"] },
        user_metadata: { platforms: ["main", "tripwire"] },
      }),
    ),
    { secret: SECRET },
  );
  assert.throws(() => requirePlatform(selfGranted, "tripwire"), HttpError);
});
