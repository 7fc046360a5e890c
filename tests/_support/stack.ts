// What tests need to talk to the stack that `npm test` started: its URLs and keys (from the
// environment the runner sets), users created in auth.users, and access tokens signed the way
// GoTrue signs them.
import postgres from "postgres";

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
};

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
  opts: { admin?: boolean; ttlSeconds?: number } = {},
): Promise<TestUser> {
  const id = crypto.randomUUID();
  const appMetadata = { provider: "email", ...(opts.admin ? { role: "admin" } : {}) };
  await db()`insert into auth.users (id, aud, role, email, raw_app_meta_data)
    values (${id}, 'authenticated', 'authenticated', ${`${id.slice(0, 8)}@example.test`},
            ${db().json(appMetadata)})`;
  return { id, admin: !!opts.admin, token: await userToken(id, opts) };
}

/** An access token for `userId` as GoTrue would issue it. */
export function userToken(
  userId: string,
  opts: { admin?: boolean; ttlSeconds?: number; secret?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return signJwt({
    aud: "authenticated",
    role: "authenticated",
    sub: userId,
    iat: now,
    exp: now + (opts.ttlSeconds ?? 3600),
    app_metadata: { provider: "email", ...(opts.admin ? { role: "admin" } : {}) },
    user_metadata: {},
  }, opts.secret);
}
