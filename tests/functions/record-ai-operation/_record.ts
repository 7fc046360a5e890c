// Calling record-ai-operation the way a school back-end does, and reading what it wrote.
import type { RecordResponse } from "../../../shared/index.ts";
import { db, stackEnv } from "../../_support/stack.ts";

/** A success body, or an error body. */
export type Reply = Partial<RecordResponse> & {
  error?: { code: string; message: string; hint?: string; details?: unknown };
};

export const FUNCTION_URL = () => `${stackEnv.url}/functions/v1/record-ai-operation`;

/** POSTs `body` with `authorization` (a key, or none) and returns status and JSON. */
export async function post(
  body: unknown,
  auth: string | null = stackEnv.serviceRoleKey,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Reply }> {
  const res = await fetch(FUNCTION_URL(), {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(auth ? { authorization: `Bearer ${auth}` } : {}),
      ...headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

/** A function name of its own per test, so counting rows by it sees only that test's rows. */
export const testFunctionName = (what: string) => `${what}-${crypto.randomUUID().slice(0, 8)}`;

/** Ledger rows written under `functionName` (the writes are synchronous: no waiting needed). */
export async function rowsFor(functionName: string) {
  return await db()<
    {
      request_id: string;
      attempt: number;
      operation_type: string;
      platform: string;
      provider: string;
      model: string;
      input_tokens: number;
      cached_input_tokens: number;
      output_tokens: number;
      cost_usd: string;
      baseline_cost_usd: string | null;
      user_id: string | null;
      function_name: string;
      duration_ms: number;
      status: string;
      error_code: string | null;
      created_at: Date;
    }[]
  >`select request_id, attempt, operation_type, platform, provider, model, input_tokens,
           cached_input_tokens, output_tokens, cost_usd::text, baseline_cost_usd::text, user_id,
           function_name, duration_ms, status, error_code, created_at
    from public.ai_operations_metrics where function_name = ${functionName} order by created_at, request_id`;
}

/** One Responses call as a back-end reports it: gpt-6-luna with cached and reasoning tokens. */
export function operation(over: Record<string, unknown> = {}) {
  return {
    platform: "main",
    user_id: null,
    model: "gpt-6-luna",
    function_name: "ai-mentor",
    duration_ms: 2_150,
    response_id: `resp_${crypto.randomUUID().replace(/-/g, "")}`,
    usage: {
      input_tokens: 12_000,
      input_tokens_details: { cached_tokens: 8_000 },
      output_tokens: 3_000,
      output_tokens_details: { reasoning_tokens: 1_200 },
      total_tokens: 15_000,
    },
    ...over,
  };
}
