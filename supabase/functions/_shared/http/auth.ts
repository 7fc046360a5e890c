// Who is calling. Every token is verified here, on every path, as Supabase's "Securing Edge
// Functions" now recommends (verify_jwt at the gateway cannot check the new asymmetric signing
// keys): ES256/RS256 tokens against the project's JWKS (SUPABASE_JWKS, and for a kid it lacks
// <SUPABASE_URL>/auth/v1/.well-known/jwks.json — fetched once and cached),
// HS256 tokens against LEGACY_JWT_SECRET. A token that cannot be checked is refused. The user id
// comes from `sub`, never the body.
//
// @supabase/server (1.8) does the JWKS half with `jose`, but accepts neither HS256 tokens nor the
// legacy keys, and wraps the whole handler; WebCrypto does the same checks in this one file with no
// dependency (nothing added to the bundle).
import { HttpError } from "./errors.ts";
import { startRequestClock } from "../request_clock.ts";

export interface AuthUser {
  id: string;
  role: string;
  isAdmin: boolean;
  /**
   * The platforms this student may use, from `app_metadata.platforms` — written only through the
   * Auth admin API (service role), never by the student. A token without the claim grants every
   * platform (the default before an admin restricts anyone); see docs/METERING.md.
   */
  platforms: readonly string[] | "all";
  claims: Record<string, unknown>;
}

/** A public signing key as a JWKS lists it. */
export interface Jwk {
  kty: string;
  kid?: string;
  alg?: string;
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
  [k: string]: unknown;
}

/** Where asymmetric tokens' public keys come from. */
export interface JwksSource {
  /** The key for `kid` and `alg`, or null when the project does not publish one. Throws
   * {@link JwksUnavailableError} when the keys cannot be had at all (a broken source, not a bad
   * token: the request gets 503, not 401). */
  keyFor(kid: string | undefined, alg: string): Promise<CryptoKey | null>;
  /** Starts importing the inline keys now (nothing is fetched), so that the first request that
   * needs one finds it imported. */
  preload?(): void;
}

export class JwksUnavailableError extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ASYMMETRIC: Record<string, EcKeyImportParams | RsaHashedImportParams> = {
  ES256: { name: "ECDSA", namedCurve: "P-256" },
  RS256: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
};
/** How long fetched keys are trusted before they are fetched again. */
const JWKS_TTL_MS = 10 * 60_000;
/** An unknown `kid` refetches the keys (a rotation), but at most this often. */
const JWKS_REFETCH_COOLDOWN_MS = 30_000;
const JWKS_FETCH_TIMEOUT_MS = 2_000;

function b64urlDecode(s: string): Uint8Array {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

const hmacKeys = new Map<string, Promise<CryptoKey>>();
function hmacKey(secret: string) {
  let k = hmacKeys.get(secret);
  if (!k) {
    k = crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["verify"],
    );
    hmacKeys.set(secret, k);
  }
  return k;
}

/**
 * A JWKS source from inline keys and/or a URL. Inline keys answer first; a `kid` they lack is
 * looked up at the URL (fetched with a 2 s timeout, cached 10 minutes, refetched on an unknown
 * `kid` at most every 30 s, so a key rotation is picked up without a redeploy).
 * @example const jwks = createJwksSource({ url: "https://<ref>.supabase.co/auth/v1/.well-known/jwks.json" });
 */
export function createJwksSource(
  opts: {
    keys?: readonly Jwk[];
    url?: string;
    fetch?: typeof fetch;
    now?: () => number;
  },
): JwksSource {
  const doFetch = opts.fetch ?? fetch;
  const now = opts.now ?? Date.now;
  const imported = new Map<string, Promise<CryptoKey | null>>();
  let fetched: { keys: Jwk[]; at: number } | null = null;
  let lastAttempt = -Infinity;
  let pending: Promise<void> | null = null;

  const importJwk = (jwk: Jwk, alg: string) => {
    const id = `${jwk.kid}:${alg}:${jwk.x ?? jwk.n}`;
    let k = imported.get(id);
    if (!k) {
      const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, key_ops: _ops, ...pub } = jwk;
      k = crypto.subtle.importKey("jwk", pub as JsonWebKey, ASYMMETRIC[alg], false, ["verify"])
        .catch(() => null);
      imported.set(id, k);
    }
    return k;
  };
  const find = (keys: readonly Jwk[] | undefined, kid: string | undefined, alg: string) =>
    keys?.find((k) => (kid === undefined || k.kid === kid) && (!k.alg || k.alg === alg));

  async function refresh(force: boolean): Promise<void> {
    if (!opts.url) return;
    const t = now();
    const fresh = fetched && t - fetched.at < JWKS_TTL_MS;
    if (fresh && !(force && t - lastAttempt >= JWKS_REFETCH_COOLDOWN_MS)) return;
    if (!fresh && fetched && t - lastAttempt < 1_000) return; // a failing URL is not hammered
    pending ??= (async () => {
      lastAttempt = now();
      try {
        const res = await doFetch(opts.url!, {
          signal: AbortSignal.timeout(JWKS_FETCH_TIMEOUT_MS),
        });
        const body = res.ok ? await res.json() : null;
        if (!body || !Array.isArray(body.keys)) throw new Error(`JWKS answered ${res.status}`);
        fetched = { keys: body.keys, at: now() };
      } catch (e) {
        // Keys already held stay usable; with none at all the request cannot be checked.
        if (!fetched) throw new JwksUnavailableError(`JWKS unavailable: ${String(e)}`);
      } finally {
        pending = null;
      }
    })();
    await pending;
  }

  return {
    preload() {
      for (const jwk of opts.keys ?? []) {
        const alg = jwk.alg ?? (jwk.kty === "EC" ? "ES256" : jwk.kty === "RSA" ? "RS256" : "");
        if (ASYMMETRIC[alg]) void importJwk(jwk, alg);
      }
    },
    async keyFor(kid, alg) {
      if (!ASYMMETRIC[alg]) return null;
      let jwk = find(opts.keys, kid, alg);
      if (!jwk && opts.url) {
        await refresh(false);
        jwk = find(fetched?.keys, kid, alg);
        if (!jwk) {
          await refresh(true);
          jwk = find(fetched?.keys, kid, alg);
        }
      }
      if (!jwk && !opts.keys && !opts.url) {
        throw new JwksUnavailableError("no JWKS configured");
      }
      return jwk ? await importJwk(jwk, alg) : null;
    },
  };
}

/**
 * The JWKS source an environment describes: SUPABASE_JWKS (inline JSON, as hosted sets it), then
 * the project's well-known endpoint under SUPABASE_URL (so a rotated key is found). Both are
 * hosted's own variables: no secret to set.
 */
export function jwksFromEnv(env: Record<string, string | undefined>): JwksSource {
  let keys: Jwk[] | undefined;
  try {
    const parsed = env.SUPABASE_JWKS ? JSON.parse(env.SUPABASE_JWKS) : undefined;
    if (parsed && Array.isArray(parsed.keys)) keys = parsed.keys;
  } catch {
    // A malformed SUPABASE_JWKS is ignored: the URL still works.
  }
  const url = env.SUPABASE_URL
    ? `${env.SUPABASE_URL.replace(/\/+$/, "")}/auth/v1/.well-known/jwks.json`
    : undefined;
  return createJwksSource({ keys, url });
}

let envJwks: JwksSource | undefined;
/** The worker's JWKS source from its environment, built once (keys are cached across requests). */
export function defaultJwks(): JwksSource {
  if (!envJwks) {
    let env: Record<string, string | undefined> = {};
    try {
      env = Deno.env.toObject();
    } catch { /* no env permission: only explicit keys work */ }
    envJwks = jwksFromEnv(env);
  }
  return envJwks;
}

/**
 * Imports the worker's inline signing keys (SUPABASE_JWKS) ahead of its first request: a cold
 * worker calls it at start-up, and the import (~1–4 ms on Deno 2.1, `npm run bench:cold`) runs
 * while its Postgres connection opens instead of inside the first request.
 * @example preloadJwks(); // in a function's index.ts, before Deno.serve
 */
export function preloadJwks(source: JwksSource = defaultJwks()): void {
  source.preload?.();
}

export interface VerifyOptions {
  /** LEGACY_JWT_SECRET: HS256 tokens are verified with it, refused without it. */
  secret?: string;
  /** Public keys for ES256/RS256 tokens. Default: {@link defaultJwks}. */
  jwks?: JwksSource;
  /** Which `aud` and `iss` a token must carry. Default: {@link claimPolicyFromEnv} of the worker. */
  policy?: ClaimPolicy;
  nowSeconds?: number;
}

/** What a verified token's registered claims must say, beyond its signature and `exp`. */
export interface ClaimPolicy {
  /** The audience a user's token must name (`aud`, a string or an array holding it). */
  audience: string;
  /** The issuers accepted in `iss`; empty when the project's issuer is not known (no check). */
  issuers: readonly string[];
}

/** Seconds of clock difference tolerated on `nbf` (Auth's clock and ours). */
const NBF_LEEWAY_SECONDS = 30;

/**
 * The claim policy an environment describes: `aud` = AUTH_JWT_AUDIENCE or `authenticated` (what
 * Supabase Auth issues); `iss` = AUTH_JWT_ISSUER (comma-separated, e.g. a custom domain's
 * `https://auth.school.example/auth/v1`) or `<SUPABASE_URL>/auth/v1`, hosted's own variable.
 */
export function claimPolicyFromEnv(env: Record<string, string | undefined>): ClaimPolicy {
  const fromUrl = env.SUPABASE_URL ? [`${env.SUPABASE_URL.replace(/\/+$/, "")}/auth/v1`] : [];
  const explicit = (env.AUTH_JWT_ISSUER ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  return {
    audience: env.AUTH_JWT_AUDIENCE?.trim() || "authenticated",
    issuers: explicit.length > 0 ? explicit : fromUrl,
  };
}

let envPolicy: ClaimPolicy | undefined;
function defaultPolicy(): ClaimPolicy {
  if (!envPolicy) {
    let env: Record<string, string | undefined> = {};
    try {
      env = Deno.env.toObject();
    } catch { /* no env permission: the defaults */ }
    envPolicy = claimPolicyFromEnv(env);
  }
  return envPolicy;
}

/**
 * Checks the time and origin claims of a token whose signature is valid, on every use (a cached
 * signature does not cache these): `exp` required and past-due refused, `nbf` in the future
 * refused, `aud` must name the policy's audience, `iss` (when present and the issuer is known)
 * must be one of the project's.
 */
export function checkClaims(
  claims: Record<string, unknown>,
  policy: ClaimPolicy,
  nowSeconds: number,
): void {
  if (typeof claims.exp !== "number" || claims.exp < nowSeconds) {
    throw unauthorized("The access token has expired.", "Refresh the session and retry.");
  }
  if (claims.nbf !== undefined) {
    if (typeof claims.nbf !== "number" || claims.nbf > nowSeconds + NBF_LEEWAY_SECONDS) {
      throw unauthorized("The access token is not valid yet (nbf).", "Check the device's clock.");
    }
  }
  const aud = claims.aud;
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(policy.audience)) {
    throw unauthorized(`The access token is not meant for this project (aud).`);
  }
  if (claims.iss !== undefined && policy.issuers.length > 0) {
    if (
      typeof claims.iss !== "string" || !policy.issuers.includes(claims.iss.replace(/\/+$/, ""))
    ) {
      throw unauthorized("The access token was issued by another project (iss).");
    }
  }
}

/**
 * Decodes and verifies a bearer token; throws 401 `unauthorized` for anything but a valid token
 * and 503 `service_unavailable` when the project's keys cannot be fetched.
 */
/**
 * Tokens whose signature was checked, by the token string itself: a student's session token comes
 * back with every request, and an ES256 verify costs ~0.26 ms of CPU on Deno 2.1. Only a valid
 * signature is remembered, for at most VERIFIED_TTL_MS (the JWKS cache's lifetime, so a rotated-out
 * key stops being honoured as soon as it would without the cache); expiry is checked on every use.
 */
const verified = new Map<string, { claims: Record<string, unknown>; until: number }>();
const VERIFIED_TTL_MS = 10 * 60_000;
const VERIFIED_MAX = 1000;

export async function verifyAccessToken(
  token: string,
  opts: VerifyOptions = {},
): Promise<Record<string, unknown>> {
  const nowMs = (opts.nowSeconds ?? Date.now() / 1000) * 1000;
  // The secret is part of the key: a token is only ever vouched for under what verified it.
  const cacheKey = `${opts.secret ?? ""}\u0000${token}`;
  const cacheable = opts.jwks === undefined && opts.nowSeconds === undefined;
  const policy = opts.policy ?? defaultPolicy();
  const known = cacheable ? verified.get(cacheKey) : undefined;
  if (known && known.until > nowMs) {
    checkClaims(known.claims, policy, nowMs / 1000);
    return known.claims;
  }
  const claims = await verifySignedToken(token, opts);
  checkClaims(claims, policy, nowMs / 1000);
  if (cacheable) {
    if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
    verified.set(cacheKey, { claims, until: nowMs + VERIFIED_TTL_MS });
  }
  return claims;
}

async function verifySignedToken(
  token: string,
  opts: VerifyOptions,
): Promise<Record<string, unknown>> {
  const parts = token.split(".");
  if (parts.length !== 3) throw unauthorized("The access token is malformed.");
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  let signature: Uint8Array;
  try {
    header = JSON.parse(new TextDecoder().decode(b64urlDecode(parts[0])));
    claims = JSON.parse(new TextDecoder().decode(b64urlDecode(parts[1])));
    signature = b64urlDecode(parts[2]);
  } catch {
    throw unauthorized("The access token is malformed.");
  }
  if (typeof header !== "object" || header === null || typeof claims !== "object" || !claims) {
    throw unauthorized("The access token is malformed.");
  }
  const alg = String(header.alg);
  const signed = new TextEncoder().encode(`${parts[0]}.${parts[1]}`);
  let ok: boolean;
  if (alg === "HS256") {
    // Hosted gives functions no JWT secret: an HS256 token is only accepted where a project set
    // LEGACY_JWT_SECRET. Never trust a token we cannot check.
    if (!opts.secret) {
      throw unauthorized(
        "HS256 access tokens cannot be verified by this deployment.",
        "Sign in again (new sessions use the project's signing keys), or set LEGACY_JWT_SECRET.",
      );
    }
    ok = await crypto.subtle.verify(
      "HMAC",
      await hmacKey(opts.secret),
      signature as BufferSource,
      signed,
    );
  } else if (alg in ASYMMETRIC) {
    const kid = typeof header.kid === "string" ? header.kid : undefined;
    let key: CryptoKey | null;
    try {
      key = await (opts.jwks ?? defaultJwks()).keyFor(kid, alg);
    } catch (e) {
      if (!(e instanceof JwksUnavailableError)) throw e;
      console.error(JSON.stringify({ level: "error", msg: "jwks unavailable", error: e.message }));
      throw new HttpError("service_unavailable", "Sign-in cannot be checked right now.", {
        hint: "Retry in a few seconds.",
        retryAfterSeconds: 5,
      });
    }
    if (!key) {
      throw unauthorized("The access token was signed by a key this project does not publish.");
    }
    ok = await crypto.subtle.verify(
      alg === "ES256" ? { name: "ECDSA", hash: "SHA-256" } : { name: "RSASSA-PKCS1-v1_5" },
      key,
      signature as BufferSource,
      signed,
    );
  } else {
    // `alg: none` or anything unexpected is refused outright.
    throw unauthorized("The access token's algorithm is not accepted.");
  }
  if (!ok) throw unauthorized("The access token's signature is invalid.");
  return claims;
}

function unauthorized(message: string, hint = "Sign in and send the session's access token.") {
  return new HttpError("unauthorized", message, { hint });
}

/**
 * The signed-in student (or admin) behind a request.
 * @example const user = await authenticate(req, { secret: env.LEGACY_JWT_SECRET, jwks });
 */
export async function authenticate(req: Request, opts: VerifyOptions = {}): Promise<AuthUser> {
  // Every user-facing function authenticates first: the request's clock starts here.
  startRequestClock(req.signal);
  const header = req.headers.get("authorization");
  const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!m) throw unauthorized("Missing authorization header.");
  if (m[1].startsWith("sb_")) {
    throw unauthorized("This function needs a signed-in user's access token, not an API key.");
  }
  const claims = await verifyAccessToken(m[1], opts);
  if (claims.role !== "authenticated" || typeof claims.sub !== "string" || !UUID.test(claims.sub)) {
    throw unauthorized("This function needs a signed-in user's access token, not an API key.");
  }
  const appMeta = (claims.app_metadata ?? {}) as Record<string, unknown>;
  return {
    id: claims.sub,
    role: claims.role,
    isAdmin: appMeta.role === "admin",
    platforms: grantedPlatforms(appMeta.platforms),
    claims,
  };
}

/** `app_metadata.platforms` as a list; absent = every platform; anything malformed = none. */
function grantedPlatforms(value: unknown): readonly string[] | "all" {
  if (value === undefined || value === null) return "all";
  if (!Array.isArray(value)) return [];
  return value.filter((p): p is string => typeof p === "string");
}

/**
 * Refuses a request for a platform the student's account is not granted: 403 `platform_forbidden`
 * (the platform is the student's choice only among those an admin granted).
 * @example requirePlatform(user, input.platform);
 */
export function requirePlatform(user: Pick<AuthUser, "platforms">, platform: string): void {
  if (user.platforms === "all" || user.platforms.includes(platform)) return;
  throw new HttpError(
    "platform_forbidden",
    `Your account may not use the ${platform} platform.`,
    {
      hint: user.platforms.length > 0
        ? `Use ${user.platforms.join(" or ")}; an admin grants platforms (app_metadata.platforms).`
        : "Ask an admin to grant you a platform (app_metadata.platforms), then sign in again.",
    },
  );
}
