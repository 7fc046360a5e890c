// Who may call a back-end-only function (record-ai-operation): one of the project's secret keys
// (`sb_secret_…`, as `apikey` — how supabase-js sends it — or as Bearer), the legacy service-role
// key, or a dedicated shared secret. Such a function runs with verify_jwt = false — the gateway would let a
// student's JWT through — so this check is the only one. Students' JWTs and the anon key are
// refused with 403 (a valid key, but not one allowed here); no credential or a bad one is 401.
import { type ClaimPolicy, type JwksSource, verifyAccessToken } from "./auth.ts";
import { HttpError } from "./errors.ts";

export interface ServiceAuthOptions {
  /** LEGACY_JWT_SECRET: when set, a JWT with role service_role and a valid HS256 signature. */
  jwtSecret?: string;
  /** SUPABASE_SERVICE_ROLE_KEY (legacy): accepted as sent. */
  serviceRoleKey?: string;
  /** The values of SUPABASE_SECRET_KEYS (`sb_secret_…`). Default: read from the environment. */
  secretKeys?: readonly string[];
  /** A dedicated secret (e.g. RECORD_AI_OPERATION_SECRET), as `x-record-secret` or Bearer. */
  sharedSecret?: string;
  /** Header that carries the shared secret. Default `x-record-secret`. */
  secretHeader?: string;
  /** Public keys for ES256/RS256 tokens (refused as users, 403). Default: the environment's. */
  jwks?: JwksSource;
  /** The aud/iss policy those tokens are checked against. Default: the environment's. */
  policy?: ClaimPolicy;
  nowSeconds?: number;
}

export type ServiceCaller = {
  via: "secret_key" | "service_role_key" | "service_role_jwt" | "shared_secret";
};

const HINT =
  "Send one of the project's secret keys (sb_secret_…) as the apikey header, or the function's " +
  "dedicated secret in the x-record-secret header.";

/** The secret keys of SUPABASE_SECRET_KEYS (a JSON object of named keys, as hosted sets it). */
export function secretKeysFromEnv(env: Record<string, string | undefined>): string[] {
  try {
    const parsed = env.SUPABASE_SECRET_KEYS ? JSON.parse(env.SUPABASE_SECRET_KEYS) : {};
    return Object.values(parsed ?? {}).filter((v): v is string =>
      typeof v === "string" && v.length > 0
    );
  } catch {
    return [];
  }
}

let envSecretKeys: string[] | undefined;
function defaultSecretKeys(): string[] {
  if (!envSecretKeys) {
    try {
      envSecretKeys = secretKeysFromEnv(Deno.env.toObject());
    } catch {
      envSecretKeys = [];
    }
  }
  return envSecretKeys;
}

/**
 * Whether a request comes from a browser, as hosted's API gateway decides before it refuses a
 * secret key there (Supabase's API keys guide, 2026-12): a browser User-Agent (`Mozilla/…`, which
 * every browser sends), or the Sec-Fetch-* headers only browsers set (page scripts cannot forge
 * them). Servers (Deno, Node, curl, Python) send neither.
 */
export function fromBrowser(req: Request): boolean {
  const agent = req.headers.get("user-agent") ?? "";
  return /^Mozilla\//.test(agent) || req.headers.has("sec-fetch-mode");
}

function refuseSecretFromBrowser(req: Request): void {
  if (!fromBrowser(req)) return;
  throw new HttpError(
    "unauthorized",
    "Secret API keys cannot be used from a browser.",
    {
      hint:
        "A secret key (sb_secret_…) grants full access: use it from servers only. Rotate it if a " +
        "browser page ever held it.",
    },
  );
}

async function isSecretKey(value: string, opts: ServiceAuthOptions): Promise<boolean> {
  let hit = false;
  // Compared against every key (no early exit), each in constant time.
  for (const k of opts.secretKeys ?? defaultSecretKeys()) {
    if (await timingSafeEqual(value, k)) hit = true;
  }
  return hit;
}

const unauthorized = (message: string) => new HttpError("unauthorized", message, { hint: HINT });
const forbidden = (message: string) =>
  new HttpError("forbidden", message, {
    hint:
      "This function is for the school's back-ends only; students and the anon key cannot call it.",
  });

const enc = new TextEncoder();

/** Compares two secrets in time independent of where they differ (both hashed to 32 bytes first,
 * so their lengths do not leak either). */
export async function timingSafeEqual(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([
    crypto.subtle.digest("SHA-256", enc.encode(a)),
    crypto.subtle.digest("SHA-256", enc.encode(b)),
  ]);
  const p = new Uint8Array(x);
  const q = new Uint8Array(y);
  let diff = 0;
  for (let i = 0; i < p.length; i++) diff |= p[i] ^ q[i];
  return diff === 0;
}

function b64urlDecode(s: string): Uint8Array {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

function decodeJwt(
  token: string,
): { header: Record<string, unknown>; claims: Record<string, unknown> } | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  try {
    const header = JSON.parse(new TextDecoder().decode(b64urlDecode(parts[0])));
    const claims = JSON.parse(new TextDecoder().decode(b64urlDecode(parts[1])));
    if (
      typeof header !== "object" || header === null || typeof claims !== "object" || claims === null
    ) {
      return null;
    }
    return { header, claims };
  } catch {
    return null;
  }
}

async function hs256Valid(token: string, secret: string): Promise<boolean> {
  const [h, p, sig] = token.split(".");
  const key = await crypto.subtle.importKey(
    "raw",
    enc.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    [
      "verify",
    ],
  );
  try {
    return await crypto.subtle.verify(
      "HMAC",
      key,
      b64urlDecode(sig) as BufferSource,
      enc.encode(`${h}.${p}`),
    );
  } catch {
    return false;
  }
}

/**
 * Lets through only a trusted back-end; throws 401 `unauthorized` or 403 `forbidden`.
 *
 * Without LEGACY_JWT_SECRET (hosted Supabase does not provide the JWT secret; a project may set it) a JWT cannot be verified, so
 * only the exact SUPABASE_SERVICE_ROLE_KEY or the shared secret is accepted: a forged token that
 * merely claims `role: service_role` never is.
 *
 * @example
 * await authenticateService(req, {
 *   jwtSecret: env.LEGACY_JWT_SECRET,
 *   serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY,
 *   sharedSecret: env.RECORD_AI_OPERATION_SECRET,
 * });
 */
export async function authenticateService(
  req: Request,
  opts: ServiceAuthOptions,
): Promise<ServiceCaller> {
  const headerName = opts.secretHeader ?? "x-record-secret";
  const sent = req.headers.get(headerName);
  if (sent !== null) {
    if (!opts.sharedSecret) throw unauthorized(`This deployment has no secret for ${headerName}.`);
    if (await timingSafeEqual(sent, opts.sharedSecret)) return { via: "shared_secret" };
    throw unauthorized(`The ${headerName} header does not match.`);
  }

  // The new keys travel as `apikey` (supabase-js also copies the key into Authorization).
  const apikey = req.headers.get("apikey");
  if (apikey?.startsWith("sb_secret_")) {
    refuseSecretFromBrowser(req);
    if (await isSecretKey(apikey, opts)) return { via: "secret_key" };
    throw unauthorized("The secret key is not one of this project's.");
  }
  if (apikey && opts.serviceRoleKey && (await timingSafeEqual(apikey, opts.serviceRoleKey))) {
    return { via: "service_role_key" };
  }

  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "");
  if (!m) throw unauthorized("Missing authorization.");
  const token = m[1];
  if (opts.sharedSecret && (await timingSafeEqual(token, opts.sharedSecret))) {
    return { via: "shared_secret" };
  }
  if (token.startsWith("sb_secret_")) refuseSecretFromBrowser(req);
  if (token.startsWith("sb_secret_") && (await isSecretKey(token, opts))) {
    return { via: "secret_key" };
  }
  if (token.startsWith("sb_publishable_") || apikey?.startsWith("sb_publishable_")) {
    if (!decodeJwt(token)) {
      throw forbidden("A publishable key cannot record AI operations.");
    }
  }
  if (opts.serviceRoleKey && (await timingSafeEqual(token, opts.serviceRoleKey))) {
    return { via: "service_role_key" };
  }

  const jwt = decodeJwt(token);
  if (!jwt) throw unauthorized("The key is not one this function accepts.");
  const role = jwt.claims.role;
  if (jwt.header.alg === "ES256" || jwt.header.alg === "RS256") {
    // A user's session token under the project's signing keys: verified (401 when it is not
    // genuine), then refused for what it is. Service callers use keys, never these.
    await verifyAccessToken(token, {
      jwks: opts.jwks,
      policy: opts.policy,
      nowSeconds: opts.nowSeconds,
    }).catch(() => {
      throw unauthorized("The token's signature is invalid.");
    });
    throw forbidden(refusal(role));
  }
  if (!opts.jwtSecret) {
    // Unverifiable: name the refusal by what the token says it is, accept nothing.
    if (role === "anon" || role === "authenticated") throw forbidden(refusal(role));
    throw unauthorized("The key is not one this function accepts.");
  }
  if (jwt.header.alg !== "HS256" || !(await hs256Valid(token, opts.jwtSecret))) {
    throw unauthorized("The token's signature is invalid.");
  }
  // exp is required here as everywhere: a legacy service token without one would never expire.
  const now = opts.nowSeconds ?? Date.now() / 1000;
  if (typeof jwt.claims.exp !== "number" || jwt.claims.exp < now) {
    throw unauthorized("The token has no expiry or has expired.");
  }
  if (typeof jwt.claims.nbf === "number" && jwt.claims.nbf > now + 30) {
    throw unauthorized("The token is not valid yet (nbf).");
  }
  if (role === "service_role") return { via: "service_role_jwt" };
  throw forbidden(refusal(role));
}

function refusal(role: unknown): string {
  return role === "anon"
    ? "The anon key cannot record AI operations."
    : role === "authenticated"
    ? "A user's token cannot record AI operations."
    : "This token's role cannot record AI operations.";
}
