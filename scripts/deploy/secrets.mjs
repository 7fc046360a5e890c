// Hosted Supabase reserves the SUPABASE_ prefix for the secrets it injects itself: `supabase secrets
// set` skips any other name with it ("Env name cannot start with SUPABASE_, skipping", supabase/cli
// apps/cli-go/internal/secrets/set/set.go, read 2026-12-01). A custom setting the functions read
// under such a name can therefore never be set on hosted: the code silently runs without it.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

/**
 * What hosted injects into every function (supabase.com/docs/guides/functions/secrets, "Default
 * secrets", checked 2026-12-01): the new keys, the JWKS, the legacy keys, and the runtime's own
 * variables.
 */
export const HOSTED_INJECTED = new Set([
  "SUPABASE_URL",
  "SUPABASE_DB_URL",
  "SUPABASE_PUBLISHABLE_KEYS",
  "SUPABASE_SECRET_KEYS",
  "SUPABASE_JWKS",
  "SUPABASE_ANON_KEY",
  "SUPABASE_SERVICE_ROLE_KEY",
  "SB_REGION",
  "SB_EXECUTION_ID",
  "DENO_DEPLOYMENT_ID",
]);

export const RESERVED_PREFIX = "SUPABASE_";

const NAME = String.raw`([A-Z][A-Z0-9_]*)`;
const Q = String.raw`["'\x60]`;
// How the functions read settings: `env.X`, `env.get("X")`, `env["X"]`, and helpers that take the
// env first (`required(env, "X")`, `readEnv(Deno.env, "X")`). Names built at run time (the
// AI_<TASK>_MODELS_<PLATFORM> family in _shared/ai/config.ts) cannot be found this way; none of
// them has the prefix.
const PATTERNS = [
  new RegExp(String.raw`\benv\.${NAME}\b`, "g"),
  new RegExp(String.raw`\benv\.get\(\s*${Q}${NAME}${Q}`, "g"),
  new RegExp(String.raw`\benv\[\s*${Q}${NAME}${Q}\s*\]`, "g"),
  new RegExp(String.raw`\(\s*(?:[A-Za-z_$][\w$]*\.)?env\s*,\s*${Q}${NAME}${Q}`, "g"),
];

/**
 * Setting names read in one source text, each with the 1-based lines it is read on.
 *
 * @example findEnvReads('const k = Deno.env.get("GROQ_API_KEY");') // Map { "GROQ_API_KEY" => [1] }
 */
export function findEnvReads(text) {
  const found = new Map();
  for (const re of PATTERNS) {
    for (const m of text.matchAll(re)) {
      const line = text.slice(0, m.index).split("\n").length;
      const lines = found.get(m[1]) ?? [];
      if (!lines.includes(line)) lines.push(line);
      found.set(m[1], lines);
    }
  }
  return found;
}

/** Keys of a dotenv file (`KEY=value`, `export KEY=value`; comments and blanks skipped). */
export function readEnvFileKeys(text) {
  const keys = [];
  for (const raw of text.split("\n")) {
    const m = raw.trim().match(/^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/);
    if (m) keys.push(m[1]);
  }
  return keys;
}

/** Function sources under `dir`: every .ts, without tests (`*_test.ts`, `test(s)/` folders). */
export function listFunctionSources(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "node_modules" && e.name !== "tests" && e.name !== "test") {
        out.push(...listFunctionSources(p));
      }
    } else if (e.isFile() && e.name.endsWith(".ts") && !/[._]test\.ts$/.test(e.name)) {
      out.push(p);
    }
  }
  return out.sort();
}

/**
 * The custom secrets the functions need (read in code or listed in functions/.env and
 * .env.example, minus what hosted injects), and those among them that hosted cannot hold because
 * of the reserved prefix. `ok` is false when any is reserved.
 *
 * @example
 * checkSecrets({ functionsDir: "supabase/functions", root: "." })
 * // { ok: false, custom: [{ name, where }], reserved: [{ name, where, rename }] }
 */
export function checkSecrets({ functionsDir, root }) {
  const where = new Map();
  const note = (name, place) => {
    const list = where.get(name) ?? [];
    list.push(place);
    where.set(name, list);
  };
  for (const file of listFunctionSources(functionsDir)) {
    for (const [name, lines] of findEnvReads(readFileSync(file, "utf8"))) {
      for (const line of lines) note(name, `${relative(root, file)}:${line}`);
    }
  }
  for (const envFile of [".env", ".env.example"]) {
    const path = join(functionsDir, envFile);
    if (!existsSync(path)) continue;
    for (const key of readEnvFileKeys(readFileSync(path, "utf8"))) {
      note(key, relative(root, path));
    }
  }
  const custom = [...where]
    .filter(([name]) => !HOSTED_INJECTED.has(name))
    .map(([name, places]) => ({ name, where: places }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const reserved = custom
    .filter((s) => s.name.startsWith(RESERVED_PREFIX))
    .map((s) => ({ ...s, rename: s.name.slice(RESERVED_PREFIX.length) }));
  return { ok: reserved.length === 0, custom, reserved };
}
