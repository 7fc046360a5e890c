/**
 * Connection info and small helpers for the database tests.
 *
 * Env (set by the test runner): SUPABASE_URL (the gateway; PostgREST under /rest/v1),
 * SUPABASE_ANON_KEY, SUPABASE_SERVICE_ROLE_KEY, SUPABASE_DB_URL, SUPABASE_JWT_SECRET.
 * POSTGREST_URL (optional, for a PostgREST run without the gateway) replaces
 * `${SUPABASE_URL}/rest/v1` as the REST base.
 */
import postgres from "postgres";
import { createHmac, randomUUID } from "node:crypto";

/** The well-known local keys (docs/DESIGN.md), used when the env does not set them. */
const LOCAL_ANON_KEY =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0";
const LOCAL_SERVICE_ROLE_KEY =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU";

export const env = {
  dbUrl: Deno.env.get("SUPABASE_DB_URL") ??
    "postgresql://postgres:postgres@127.0.0.1:25322/postgres",
  supabaseUrl: Deno.env.get("SUPABASE_URL") ?? "http://127.0.0.1:25321",
  anonKey: Deno.env.get("SUPABASE_ANON_KEY") ?? LOCAL_ANON_KEY,
  serviceRoleKey: Deno.env.get("SUPABASE_SERVICE_ROLE_KEY") ?? LOCAL_SERVICE_ROLE_KEY,
  jwtSecret: Deno.env.get("SUPABASE_JWT_SECRET") ??
    "super-secret-jwt-token-with-at-least-32-characters-long",
};

/** Base URL of the REST API: the gateway's /rest/v1, or POSTGREST_URL when set. */
export function restUrl(path: string): string {
  const base = Deno.env.get("POSTGREST_URL") ?? `${env.supabaseUrl.replace(/\/$/, "")}/rest/v1`;
  return `${base.replace(/\/$/, "")}/${path.replace(/^\//, "")}`;
}

/** A postgres.js client as the `postgres` superuser; close it with `.end()`. */
export function connect(max = 4): postgres.Sql {
  return postgres(env.dbUrl, { max, onnotice: () => {}, idle_timeout: 5 });
}

function base64url(input: string | Uint8Array): string {
  const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
}

/** Signs an HS256 JWT with the project's secret. */
export function signJwt(claims: Record<string, unknown>): string {
  const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = base64url(JSON.stringify(claims));
  const signature = createHmac("sha256", env.jwtSecret).update(`${header}.${payload}`).digest();
  return `${header}.${payload}.${base64url(new Uint8Array(signature))}`;
}

/** A user token shaped like GoTrue's (docs/DESIGN.md). */
export function userJwt(userId: string, options: { admin?: boolean } = {}): string {
  return signJwt({
    sub: userId,
    role: "authenticated",
    aud: "authenticated",
    exp: Math.floor(Date.now() / 1000) + 3600,
    email: `${userId}@example.test`,
    app_metadata: options.admin ? { provider: "email", role: "admin" } : { provider: "email" },
  });
}

/** Creates a user in auth.users with a random id and returns the id. */
export async function createUser(sql: postgres.Sql, options: { admin?: boolean } = {}) {
  const id = randomUUID();
  const appMetadata = options.admin ? { provider: "email", role: "admin" } : { provider: "email" };
  await sql`
    insert into auth.users (id, aud, role, email, raw_app_meta_data)
    values (${id}, 'authenticated', 'authenticated', ${`${id}@example.test`},
      ${sql.json(appMetadata)})`;
  return id;
}

export type Caller = { name: string; apikey: string; bearer: string };

/** Calls PostgREST as a caller; returns status and parsed body. */
export async function rest(
  caller: Caller,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(restUrl(path), {
    method,
    headers: {
      apikey: caller.apikey,
      Authorization: `Bearer ${caller.bearer}`,
      "Content-Type": "application/json",
      Prefer: "return=representation",
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // keep the text
  }
  return { status: response.status, body: parsed };
}

/** A random UTC day far in the past, so rows written on it are this test's alone. */
export function isolatedDay(): string {
  const start = Date.UTC(1990, 0, 1);
  const day = new Date(start + Math.floor(Math.random() * 3650) * 86_400_000);
  return day.toISOString().slice(0, 10);
}

export type LedgerRow = {
  request_id?: string;
  attempt?: number;
  operation_type?: string;
  platform?: string;
  provider?: string;
  model?: string;
  input_tokens?: number;
  cached_input_tokens?: number;
  output_tokens?: number;
  audio_seconds?: string | null;
  billed_audio_seconds?: string | null;
  cost_usd?: string;
  baseline_cost_usd?: string | null;
  user_id?: string | null;
  function_name?: string | null;
  duration_ms?: number;
  status?: string;
  error_code?: string | null;
  created_at?: string;
};

/** A complete ledger row with sensible defaults (a small Groq chat call). */
export function ledgerRow(overrides: LedgerRow = {}): Required<LedgerRow> {
  return {
    request_id: randomUUID(),
    attempt: 1,
    operation_type: "chat",
    platform: "main",
    provider: "groq",
    model: "openai/gpt-oss-120b",
    input_tokens: 1000,
    cached_input_tokens: 0,
    output_tokens: 500,
    audio_seconds: null,
    billed_audio_seconds: null,
    // 1000 × 0.15/1M + 500 × 0.60/1M
    cost_usd: "0.0004500000",
    // 1000 × 2.50/1M + 500 × 10.00/1M (gpt-4o)
    baseline_cost_usd: "0.0075000000",
    user_id: null,
    function_name: "process-chat",
    duration_ms: 800,
    status: "success",
    error_code: null,
    created_at: new Date().toISOString(),
    ...overrides,
  };
}

/** Inserts ledger rows as the table owner (bypassing the API). */
export async function insertRows(sql: postgres.Sql, rows: Required<LedgerRow>[]): Promise<void> {
  await sql`insert into public.ai_operations_metrics ${sql(rows)}`;
}
