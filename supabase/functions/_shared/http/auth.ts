// Who is calling. The platform (Supabase's gateway, or the local stack's) has already verified the
// JWT when verify_jwt is on; we verify it again when the secret is known (LEGACY_JWT_SECRET, as the
// local stack sets it) and always check its claims. The user id comes from `sub`, never the body.
import { HttpError } from "./errors.ts";

export interface AuthUser {
  id: string;
  role: string;
  isAdmin: boolean;
  claims: Record<string, unknown>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function b64urlDecode(s: string): Uint8Array {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

const keyCache = new Map<string, Promise<CryptoKey>>();
function hmacKey(secret: string) {
  let k = keyCache.get(secret);
  if (!k) {
    k = crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["verify"],
    );
    keyCache.set(secret, k);
  }
  return k;
}

/** Decodes and checks a bearer token; throws 401 `unauthorized` for anything but a valid user. */
export async function verifyAccessToken(
  token: string,
  opts: { secret?: string; nowSeconds?: number } = {},
): Promise<Record<string, unknown>> {
  const parts = token.split(".");
  if (parts.length !== 3) throw unauthorized("The access token is malformed.");
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(b64urlDecode(parts[0])));
    claims = JSON.parse(new TextDecoder().decode(b64urlDecode(parts[1])));
  } catch {
    throw unauthorized("The access token is malformed.");
  }
  // Never trust a token we cannot check: `alg: none` (or anything unexpected) is refused outright.
  // Hosted Supabase may sign with asymmetric keys (ES256/RS256) after its gateway verified them.
  if (!["HS256", "ES256", "RS256"].includes(String(header.alg))) {
    throw unauthorized("The access token's algorithm is not accepted.");
  }
  if (opts.secret && header.alg !== "HS256") {
    throw unauthorized("The access token's algorithm is not accepted.");
  }
  if (opts.secret) {
    const ok = await crypto.subtle.verify(
      "HMAC",
      await hmacKey(opts.secret),
      b64urlDecode(parts[2]) as BufferSource,
      new TextEncoder().encode(`${parts[0]}.${parts[1]}`),
    );
    if (!ok) throw unauthorized("The access token's signature is invalid.");
  }
  const now = opts.nowSeconds ?? Date.now() / 1000;
  if (typeof claims.exp !== "number" || claims.exp < now) {
    throw unauthorized("The access token has expired.", "Refresh the session and retry.");
  }
  return claims;
}

function unauthorized(message: string, hint = "Sign in and send the session's access token.") {
  return new HttpError("unauthorized", message, { hint });
}

/**
 * The signed-in student (or admin) behind a request.
 * @example const user = await authenticate(req, { secret: Deno.env.get("LEGACY_JWT_SECRET") });
 */
export async function authenticate(
  req: Request,
  opts: { secret?: string } = {},
): Promise<AuthUser> {
  const header = req.headers.get("authorization");
  const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!m) throw unauthorized("Missing authorization header.");
  const claims = await verifyAccessToken(m[1], opts);
  if (claims.role !== "authenticated" || typeof claims.sub !== "string" || !UUID.test(claims.sub)) {
    throw unauthorized("This function needs a signed-in user's access token, not an API key.");
  }
  const appMeta = (claims.app_metadata ?? {}) as Record<string, unknown>;
  return { id: claims.sub, role: claims.role, isAdmin: appMeta.role === "admin", claims };
}
