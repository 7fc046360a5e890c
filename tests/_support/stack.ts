// What tests need to talk to the stack that `npm test` started: its URLs and keys (from the
// environment the runner sets), users created in auth.users, and access tokens signed the way
// Auth signs them: ES256 with the stack's signing key by default, HS256 on request.
import postgres from "postgres";
import { PUBLISHABLE_KEY, SECRET_KEY, SIGNING_KEY } from "../../scripts/stack/config.mjs";

function need(name: string): string {
  const v = Deno.env.get(name);
  if (!v) {
    throw new Error(`${name} is not set: run the suite with \`npm test\`, which starts the stack.`);
  }
  return v;
}

export const stackEnv = {
  get url() {
    return need("SUPABASE_URL");
  },
  get anonKey() {
    return need("SUPABASE_ANON_KEY");
  },
  get serviceRoleKey() {
    return need("SUPABASE_SERVICE_ROLE_KEY");
  },
  get dbUrl() {
    return need("SUPABASE_DB_URL");
  },
  get jwtSecret() {
    return need("SUPABASE_JWT_SECRET");
  },
  get providerUrl() {
    return need("OFFLINE_PROVIDER_URL");
  },
  /** The new API keys (the stack's fixed local values). */
  publishableKey: PUBLISHABLE_KEY,
  secretKey: SECRET_KEY,
};

/** An ES256 signing key: its kid and private JWK. */
export interface SigningKey {
  kid: string;
  privateJwk: JsonWebKey;
}

/** A fresh ES256 key no project publishes (for "signed by a foreign key" cases). */
export async function foreignSigningKey(kid = SIGNING_KEY.kid): Promise<SigningKey> {
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  return { kid, privateJwk: await crypto.subtle.exportKey("jwk", pair.privateKey) };
}

/** Signs an ES256 JWT with the stack's signing key (or `key`). */
export async function signEs256(
  payload: Record<string, unknown>,
  key: SigningKey = SIGNING_KEY,
): Promise<string> {
  const head = b64url(enc.encode(JSON.stringify({ alg: "ES256", typ: "JWT", kid: key.kid })));
  const body = b64url(enc.encode(JSON.stringify(payload)));
  const pk = await crypto.subtle.importKey(
    "jwk",
    key.privateJwk,
    { name: "ECDSA", namedCurve: "P-256" },
    false,
    ["sign"],
  );
  const sig = new Uint8Array(
    await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, pk, enc.encode(`${head}.${body}`)),
  );
  return `${head}.${body}.${b64url(sig)}`;
}

const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const enc = new TextEncoder();

/** Signs an HS256 JWT with the stack's secret (or `secret`). */
export async function signJwt(payload: Record<string, unknown>, secret = stackEnv.jwtSecret) {
  const head = b64url(enc.encode(JSON.stringify({ alg: "HS256", typ: "JWT" })));
  const body = b64url(enc.encode(JSON.stringify(payload)));
  const key = await crypto.subtle.importKey(
    "raw",
    enc.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(`${head}.${body}`)));
  return `${head}.${body}.${b64url(sig)}`;
}

let sql: postgres.Sql | undefined;
/** A shared superuser connection to the stack's database (closed by `closeDb`). */
export function db(): postgres.Sql {
  sql ??= postgres(stackEnv.dbUrl, { max: 4, onnotice: () => {} });
  return sql;
}
export async function closeDb() {
  await sql?.end({ timeout: 1 });
  sql = undefined;
}

export interface TestUser {
  id: string;
  token: string;
  admin: boolean;
}

/** Creates a user in auth.users and returns it with a valid access token. */
export async function createUser(
  opts: { admin?: boolean; ttlSeconds?: number; platforms?: string[] } = {},
): Promise<TestUser> {
  const id = crypto.randomUUID();
  const appMetadata = {
    provider: "email",
    ...(opts.admin ? { role: "admin" } : {}),
    ...(opts.platforms ? { platforms: opts.platforms } : {}),
  };
  await db()`insert into auth.users (id, aud, role, email, raw_app_meta_data)
    values (${id}, 'authenticated', 'authenticated', ${`${id.slice(0, 8)}@example.test`},
            ${db().json(appMetadata)})`;
  return { id, admin: !!opts.admin, token: await userToken(id, opts) };
}

/**
 * An access token for `userId` as Auth would issue it: ES256 with the stack's signing key, or
 * HS256 when `alg: "HS256"` or a `secret` is given (the legacy JWT secret by default).
 */
export function userToken(
  userId: string,
  opts: {
    admin?: boolean;
    ttlSeconds?: number;
    secret?: string;
    alg?: "ES256" | "HS256";
    signingKey?: SigningKey;
    /** `app_metadata.platforms`, as the Auth admin API sets it (absent: every platform). */
    platforms?: string[];
    /** Claims to add or override (`undefined` removes one), e.g. `{ aud: "other" }`. */
    claims?: Record<string, unknown>;
  } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = {
    aud: "authenticated",
    role: "authenticated",
    sub: userId,
    iat: now,
    exp: now + (opts.ttlSeconds ?? 3600),
    app_metadata: {
      provider: "email",
      ...(opts.admin ? { role: "admin" } : {}),
      ...(opts.platforms ? { platforms: opts.platforms } : {}),
    },
    user_metadata: {},
    ...opts.claims,
  };
  for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
  return opts.alg === "HS256" || opts.secret
    ? signJwt(payload, opts.secret)
    : signEs256(payload, opts.signingKey);
}
