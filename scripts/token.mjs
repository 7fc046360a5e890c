#!/usr/bin/env node
// `npm run token -- <user-uuid> [--platforms main|tripwire|main,tripwire] [--admin] [--hs256]
//  [--email e] [--ttl seconds] [--port 54321]`
// Prints an access token for that user as Auth would issue it — ES256 with the stack's signing key
// (its public half at /auth/v1/.well-known/jwks.json), or HS256 with the legacy JWT secret when
// --hs256 is given — and creates the auth.users row when it is missing. --admin sets
// app_metadata.role = "admin". --platforms grants platforms and issues the token in one step: it
// writes app_metadata.platforms on the auth.users row (what the Auth admin API does on hosted) and
// puts the same list in the token; without it the row's existing grant is kept, and a user with none
// may use both platforms.
import pg from "pg";
import { JWT_SECRET, portsFrom, PROFILES } from "./stack/config.mjs";
import { signUserJwt } from "./stack/jwt.mjs";
import { dbUrl } from "./stack/postgres.mjs";

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const userId = args.find((a, i) =>
  !a.startsWith("--") && !args[i - 1]?.startsWith("--") || (i === 0 && !a.startsWith("--"))
);
if (!userId || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(userId)) {
  console.error(
    "usage: npm run token -- <user-uuid> [--platforms main,tripwire] [--admin] [--hs256] [--email e] [--ttl seconds] [--port 54321]",
  );
  process.exit(2);
}
const admin = args.includes("--admin");
const email = option("--email") ?? `${userId.slice(0, 8)}@example.test`;
const ttl = Number(option("--ttl") ?? 3600);
const ports = portsFrom(Number(option("--port") ?? PROFILES.dev.apiPort));
const PLATFORMS = ["main", "tripwire"];
const platformsArg = option("--platforms");
const platforms = platformsArg === undefined
  ? undefined
  : [...new Set(platformsArg.split(",").map((p) => p.trim()).filter(Boolean))];
if (platforms && (platforms.length === 0 || platforms.some((p) => !PLATFORMS.includes(p)))) {
  console.error(`--platforms takes a comma-separated list of ${PLATFORMS.join(", ")}`);
  process.exit(2);
}
const appMetadata = {
  provider: "email",
  providers: ["email"],
  ...(admin ? { role: "admin" } : {}),
  ...(platforms ? { platforms } : {}),
};

const client = new pg.Client({ connectionString: dbUrl(ports.db, { ssl: false }) });
try {
  await client.connect();
  // With --platforms the grant is replaced; without it an existing grant is kept (never widened).
  const { rows } = await client.query(
    `insert into auth.users (id, aud, role, email, raw_app_meta_data, email_confirmed_at)
     values ($1, 'authenticated', 'authenticated', $2, $3, now())
     on conflict (id) do update set raw_app_meta_data = case
       when $4::boolean then excluded.raw_app_meta_data
       else excluded.raw_app_meta_data || jsonb_strip_nulls(
         jsonb_build_object('platforms', auth.users.raw_app_meta_data -> 'platforms'))
     end
     returning raw_app_meta_data`,
    [userId, email, JSON.stringify(appMetadata), platforms !== undefined],
  );
  Object.assign(appMetadata, rows[0].raw_app_meta_data);
} catch (e) {
  console.error(
    `Cannot reach the local database on port ${ports.db} (is \`npm start\` running?): ${e.message}`,
  );
  process.exit(1);
} finally {
  await client.end().catch(() => {});
}
const now = Math.floor(Date.now() / 1000);
console.log(signUserJwt({
  aud: "authenticated",
  exp: now + ttl,
  iat: now,
  iss: `http://127.0.0.1:${ports.api}/auth/v1`,
  sub: userId,
  email,
  role: "authenticated",
  app_metadata: appMetadata,
  user_metadata: {},
  aal: "aal1",
  session_id: crypto.randomUUID(),
  is_anonymous: false,
}, args.includes("--hs256") ? { alg: "HS256", secret: JWT_SECRET } : {}));
