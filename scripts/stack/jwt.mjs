// JSON Web Tokens with node:crypto: what Auth signs and what the gateway and PostgREST verify.
// User tokens are ES256 by default (hosted Auth's asymmetric signing keys); HS256 with the legacy
// secret is still signed on request and verified, as a project that has not rotated keys does.
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  sign,
  timingSafeEqual,
  verify,
} from "node:crypto";
import { SIGNING_KEY } from "./config.mjs";

const b64url = (buf) => Buffer.from(buf).toString("base64url");

/**
 * Signs `payload` with HS256 (the legacy secret). Kept for the legacy path and callers that pass a
 * secret; `signUserJwt` is what Auth does now.
 */
export function signJwt(payload, secret) {
  const head = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64url(JSON.stringify(payload));
  const sig = createHmac("sha256", secret).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${sig}`;
}

/** Signs `payload` with ES256 and `key` ({kid, privateJwk}); the stack's signing key by default. */
export function signEs256(payload, key = SIGNING_KEY) {
  const head = b64url(JSON.stringify({ alg: "ES256", typ: "JWT", kid: key.kid }));
  const body = b64url(JSON.stringify(payload));
  const pk = createPrivateKey({ key: key.privateJwk, format: "jwk" });
  const sig = sign("sha256", Buffer.from(`${head}.${body}`), {
    key: pk,
    dsaEncoding: "ieee-p1363",
  });
  return `${head}.${body}.${b64url(sig)}`;
}

/**
 * A user token as Auth issues it: ES256 with the stack's signing key, or HS256 with `secret` when
 * `alg: "HS256"`.
 * @param {object} payload
 * @param {{ alg?: "ES256" | "HS256", secret?: string }} [opts]
 */
export function signUserJwt(payload, opts = {}) {
  if (opts.alg === "HS256") return signJwt(payload, opts.secret);
  return signEs256(payload);
}

/** Each JWK's key object, built once (building it costs more than the verification). */
const publicKeys = new WeakMap();
function publicKeyOf(jwk) {
  let key = publicKeys.get(jwk);
  if (!key) publicKeys.set(jwk, key = createPublicKey({ key: jwk, format: "jwk" }));
  return key;
}

/**
 * Verifies a token's signature and expiry: HS256 against `secret`, ES256/RS256 against the keys of
 * `jwks` (matched by `kid`).
 * @param {string} token
 * @param {string | { secret?: string, jwks?: { keys: object[] } }} keys a secret (legacy callers) or both
 * @returns {{ ok: true, payload: object } | { ok: false, reason: string, alg?: string }}
 */
export function verifyJwt(token, keys, nowSeconds = Date.now() / 1000) {
  const { secret, jwks } = typeof keys === "string" ? { secret: keys } : keys;
  const parts = typeof token === "string" ? token.split(".") : [];
  if (parts.length !== 3) return { ok: false, reason: "malformed" };
  let header;
  const fail = (reason) => ({ ok: false, reason, alg: header?.alg });
  let payload;
  try {
    header = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8"));
    payload = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  const given = Buffer.from(parts[2], "base64url");
  if (header.alg === "HS256" && secret) {
    const expected = createHmac("sha256", secret).update(signed).digest();
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return fail("bad signature");
    }
  } else if ((header.alg === "ES256" || header.alg === "RS256") && jwks) {
    const jwk = jwks.keys.find((k) => k.kid === header.kid && k.alg === header.alg);
    if (!jwk) return fail("unknown key");
    const ok = verify(
      "sha256",
      signed,
      header.alg === "ES256"
        ? { key: publicKeyOf(jwk), dsaEncoding: "ieee-p1363" }
        : publicKeyOf(jwk),
      given,
    );
    if (!ok) return fail("bad signature");
  } else {
    return fail("unsupported algorithm");
  }
  if (typeof payload.exp === "number" && payload.exp < nowSeconds) {
    return fail("expired");
  }
  return { ok: true, payload };
}
