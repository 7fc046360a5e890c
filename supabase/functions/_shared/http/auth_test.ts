import assert from "node:assert/strict";
import { authenticate, verifyAccessToken } from "./auth.ts";
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
