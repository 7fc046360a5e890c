// The brief's own API, run as the brief writes it: a Groq chat completion (the offline provider,
// in Groq's wire format), then `trackAIOperation({ … cost_usd: calculateCost('groq', model,
// response.usage), … })` with one argument. One row lands, priced from the catalog.
import assert from "node:assert/strict";
import { calculateCost } from "../../supabase/functions/_shared/ai/cost.ts";
import { trackAIOperation } from "../../supabase/functions/_shared/ai/tracking.ts";
import { stackEnv } from "../_support/stack.ts";
import { connect } from "./stack.ts";

Deno.test("the brief's tracking snippet writes one correctly priced row", async () => {
  const sql = connect();
  try {
    const model = "openai/gpt-oss-120b";
    const functionName = `brief-snippet-${crypto.randomUUID().slice(0, 8)}`;
    const started = Date.now();
    const reply = await fetch(`${stackEnv.providerUrl}/openai/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer gsk_offline" },
      body: JSON.stringify({ model, messages: [{ role: "user", content: "Привет!" }] }),
    });
    assert.equal(reply.status, 200);
    const response = await reply.json() as {
      usage: {
        prompt_tokens: number;
        completion_tokens: number;
        prompt_tokens_details?: { cached_tokens?: number };
      };
    };

    // ---- the brief's snippet (with the model id of today's catalog) ----
    const row = await trackAIOperation({
      operation_type: "chat",
      platform: "main",
      model,
      input_tokens: response.usage.prompt_tokens,
      output_tokens: response.usage.completion_tokens,
      cost_usd: calculateCost("groq", model, response.usage),
      user_id: null,
      function_name: functionName,
      duration_ms: Date.now() - started,
    });
    // ---------------------------------------------------------------------

    const rows = await sql<
      {
        provider: string;
        model: string;
        input_tokens: number;
        output_tokens: number;
        cost_usd: string;
        baseline_cost_usd: string;
      }[]
    >`select provider, model, input_tokens, output_tokens, cost_usd::text, baseline_cost_usd::text
      from public.ai_operations_metrics where function_name = ${functionName}`;
    assert.equal(rows.length, 1, "exactly one row");
    const [saved] = rows;
    const u = response.usage;
    const cached = u.prompt_tokens_details?.cached_tokens ?? 0;
    // Worked out from the usage the provider returned: (uncached × 0.15 + cached × 0.075 +
    // output × 0.60) per 1M tokens, in integer micro-units (×1000) to stay exact.
    const units = (u.prompt_tokens - cached) * 150 + cached * 75 + u.completion_tokens * 600;
    const expected = (units / 1e9).toFixed(10);
    assert.equal(saved.provider, "groq");
    assert.equal(saved.model, model);
    assert.equal(saved.input_tokens, u.prompt_tokens);
    assert.equal(saved.output_tokens, u.completion_tokens);
    assert.equal(saved.cost_usd, expected);
    assert.equal(row.cost_usd, expected, "the returned row is the saved one");
    assert.ok(Number(saved.baseline_cost_usd) > Number(saved.cost_usd), "GPT-4o would cost more");
  } finally {
    await sql.end();
  }
});
