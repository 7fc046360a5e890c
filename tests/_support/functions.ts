// Talking to the functions the way a frontend does (supabase-js with a user's session), steering
// the offline provider's failures, and reading the ledger.
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import type { Database } from "../../supabase/functions/_shared/database.types.ts";
import { db, stackEnv, type TestUser } from "./stack.ts";

/** A supabase-js client signed in as `user` (or anonymous without one). */
export function clientFor(user?: TestUser | { token: string }): SupabaseClient<Database> {
  return createClient<Database>(stackEnv.url, stackEnv.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    global: user ? { headers: { Authorization: `Bearer ${user.token}` } } : {},
  });
}

/** The service-role client (what the functions use for the ledger). */
export function serviceClient(): SupabaseClient {
  return createClient(stackEnv.url, stackEnv.serviceRoleKey, { auth: { persistSession: false } });
}

// ---- the offline provider's control plane ----

export interface FaultRule {
  provider?: "groq" | "openai";
  path?: string;
  model?: string;
  times?: number;
  fault: Record<string, unknown> & { type: string };
}

export async function injectFault(rule: FaultRule): Promise<void> {
  const res = await fetch(`${stackEnv.providerUrl}/__offline/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(rule),
  });
  if (!res.ok) throw new Error(`fault not accepted: ${res.status} ${await res.text()}`);
  await res.body?.cancel();
}

export async function resetProvider(): Promise<void> {
  const res = await fetch(`${stackEnv.providerUrl}/__offline/reset`, { method: "POST" });
  await res.body?.cancel();
}

export interface ProviderRequest {
  provider: "groq" | "openai";
  path: string;
  model: string | null;
  status: number;
  fault?: string;
  body: {
    messages?: number;
    images?: {
      bytes: number;
      width: number | null;
      height: number | null;
      mime: string | null;
      tokens?: number;
    }[];
    fileBytes?: number;
    durationSeconds?: number;
    stream: boolean;
  };
}

export async function providerRequests(): Promise<ProviderRequest[]> {
  const res = await fetch(`${stackEnv.providerUrl}/__offline/requests`);
  return await res.json();
}

// ---- the ledger ----

export interface LedgerRow {
  request_id: string;
  attempt: number;
  operation_type: string;
  platform: string;
  provider: string;
  model: string;
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  audio_seconds: string | null;
  billed_audio_seconds: string | null;
  cost_usd: string;
  baseline_cost_usd: string | null;
  user_id: string | null;
  function_name: string;
  duration_ms: number;
  status: string;
  error_code: string | null;
}

/**
 * Ledger rows of a request, waiting (the writes run in the background) until `count` exist, or
 * until `count` says the rows are complete.
 */
export async function ledgerRows(
  requestId: string,
  count: number | ((rows: LedgerRow[]) => boolean) = 1,
  timeoutMs = 5000,
): Promise<LedgerRow[]> {
  const until = Date.now() + timeoutMs;
  while (true) {
    const rows = await db()<LedgerRow[]>`
      select request_id, attempt, operation_type, platform, provider, model, input_tokens,
             cached_input_tokens, output_tokens, audio_seconds::text, billed_audio_seconds::text,
             cost_usd::text, baseline_cost_usd::text, user_id, function_name, duration_ms, status,
             error_code
      from public.ai_operations_metrics where request_id = ${requestId} order by attempt`;
    const complete = typeof count === "number" ? rows.length >= count : count(rows);
    if (complete || Date.now() > until) return rows;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A user's ledger rows, oldest first. */
export async function ledgerRowsForUser(userId: string): Promise<LedgerRow[]> {
  return await db()<LedgerRow[]>`
    select request_id, attempt, operation_type, platform, provider, model, input_tokens,
           cached_input_tokens, output_tokens, audio_seconds::text, billed_audio_seconds::text,
           cost_usd::text, baseline_cost_usd::text, user_id, function_name, duration_ms, status,
           error_code
    from public.ai_operations_metrics where user_id = ${userId} order by created_at, attempt`;
}

/** How many ledger rows a user has (after a short settle for background writes). */
export async function ledgerCountForUser(userId: string, settleMs = 300): Promise<number> {
  await new Promise((r) => setTimeout(r, settleMs));
  const [{ n }] = await db()<{ n: number }[]>`
    select count(*)::int as n from public.ai_operations_metrics where user_id = ${userId}`;
  return n;
}

/** Exact decimal arithmetic for expected values: price (USD per 1M tokens) × tokens. */
export function usd(parts: [tokens: number, pricePerMillion: string][]): string {
  // Everything scaled to 1e-16 USD (prices have ≤ 4 decimals; / 1e6 adds 6; tokens are whole).
  let total = 0n;
  for (const [tokens, price] of parts) {
    const [i, f = ""] = price.split(".");
    const scaled = BigInt(i + f.padEnd(10, "0")); // price × 1e10
    total += BigInt(tokens) * scaled; // × 1e10 per 1M tokens = 1e16 per token
  }
  // to 10 decimal places, half-up: divide by 1e6
  const q = total / 1_000_000n;
  const r = total % 1_000_000n;
  const rounded = r * 2n >= 1_000_000n ? q + 1n : q;
  const s = rounded.toString().padStart(11, "0");
  return `${s.slice(0, -10)}.${s.slice(-10)}`;
}

export interface FormReply {
  status: number;
  body: Record<string, unknown>;
  requestId: string | null;
}

/**
 * Posts a FormData to `fn` through `supabase.functions.invoke` exactly as a frontend would, without
 * a typed helper's own checks, and returns the status and JSON body (success or error).
 */
export async function invokeForm(
  supabase: SupabaseClient<Database> | SupabaseClient,
  fn: string,
  body: FormData,
  headers: Record<string, string> = {},
): Promise<FormReply> {
  const { data, error, response } = await supabase.functions.invoke(fn, { body, headers });
  if (error) {
    const res = (error as { context?: Response }).context;
    if (!(res instanceof Response)) throw error;
    return {
      status: res.status,
      body: await res.json(),
      requestId: res.headers.get("x-request-id"),
    };
  }
  return {
    status: response?.status ?? 200,
    body: data as Record<string, unknown>,
    requestId: response?.headers.get("x-request-id") ?? null,
  };
}
