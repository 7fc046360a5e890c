// The ledger against the real database of the stack `npm test` starts (SUPABASE_URL,
// SUPABASE_SERVICE_ROLE_KEY, SUPABASE_DB_URL), with the offline provider in-process for the
// provider side: every attempt is one row, and neither a retried write nor a replayed log line
// makes a second one.
import assert from "node:assert/strict";
import { createClient } from "@supabase/supabase-js";
import { createOfflineProvider } from "../../scripts/offline-provider/server.ts";
import { replayMetrics } from "../../scripts/metrics-replay.ts";
import { runAIOperation } from "../../supabase/functions/_shared/ai/operation.ts";
import {
  chatCompletion,
  createProviderClients,
} from "../../supabase/functions/_shared/ai/providers.ts";
import {
  createOperationTracker,
  type OperationMetric,
} from "../../supabase/functions/_shared/ai/tracking.ts";
import { closeDb, createUser, db, stackEnv } from "../_support/stack.ts";

function serviceClient(url = stackEnv.url) {
  return createClient(url, stackEnv.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
}

async function ledgerRows(requestId: string) {
  return await db()<
    Array<{
      attempt: number;
      provider: string;
      model: string;
      status: string;
      error_code: string | null;
      cost_usd: string;
      input_tokens: number;
      user_id: string | null;
    }>
  >`select attempt, provider, model, status, error_code, cost_usd::text as cost_usd, input_tokens, user_id
      from public.ai_operations_metrics where request_id = ${requestId} order by attempt`;
}

const unsavedLine = (metric: OperationMetric) =>
  JSON.stringify({ type: "ai_operation_metric_unsaved", metric });

Deno.test("every attempt is a row, and a replayed write makes no duplicate", async () => {
  const provider = createOfflineProvider();
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    provider.handler,
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  try {
    const clients = createProviderClients({
      GROQ_API_KEY: "offline-groq-key",
      GROQ_BASE_URL: `${base}/openai/v1`,
      OPENAI_API_KEY: "offline-openai-key",
      OPENAI_BASE_URL: `${base}/v1`,
    });
    provider.state.addFault({ provider: "groq", times: 3, fault: { type: "status", status: 503 } });
    const supabase = serviceClient();
    const user = await createUser();
    const background: Promise<unknown>[] = [];
    const tracker = createOperationTracker({
      supabase,
      waitUntil: (p) => void background.push(p),
    });
    const requestId = crypto.randomUUID();

    const result = await runAIOperation({
      context: {
        requestId,
        userId: user.id,
        platform: "main",
        functionName: "ai-chat",
        operationType: "chat",
      },
      candidates: [
        { provider: "groq", model: "openai/gpt-oss-120b" },
        { provider: "openai", model: "gpt-4.1-mini" },
      ],
      tracker,
      baseDelayMs: 10,
      attempt: (t, { signal, timeoutMs }) =>
        chatCompletion(clients, t, { messages: [{ role: "user", content: "Привет!" }] }, {
          signal,
          timeoutMs,
        }),
    });
    assert.ok(result.ok && result.provider === "openai" && result.attempts === 4);
    assert.ok(background.length >= 1, "the rows were written through waitUntil");
    await tracker.flush();

    const rows = await ledgerRows(requestId);
    assert.deepEqual(
      rows.map((r) => [r.attempt, r.provider, r.status, r.error_code, r.user_id]),
      [
        [1, "groq", "error", "upstream_unavailable", user.id],
        [2, "groq", "error", "upstream_unavailable", user.id],
        [3, "groq", "error", "upstream_unavailable", user.id],
        [4, "openai", "success", null, user.id],
      ],
    );
    assert.equal(
      rows[3].cost_usd,
      result.metrics[3].cost_usd,
      "the exact decimal survives the database",
    );
    assert.ok(rows[3].input_tokens > 0);

    // A retried write of the same attempts (the tracker's own retry, or a second flush).
    for (const m of result.metrics) tracker.track(m);
    await tracker.flush();
    assert.equal((await ledgerRows(requestId)).length, 4);

    // A replay of the same metrics from a log.
    const counts = await replayMetrics(
      result.metrics.map(unsavedLine),
      supabase,
    );
    assert.deepEqual(counts, { inserted: 0, already_present: 4, skipped: 0, ignored: 0 });
    assert.equal((await ledgerRows(requestId)).length, 4);
  } finally {
    await server.shutdown();
    await closeDb();
  }
});

Deno.test("a metric the database could not take is logged, and `metrics:replay` inserts it once", async () => {
  // A port nobody listens on: bind one, then close it.
  const listener = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const deadPort = (listener.addr as Deno.NetAddr).port;
  listener.close();
  try {
    const lines: string[] = [];
    const tracker = createOperationTracker({
      supabase: serviceClient(`http://127.0.0.1:${deadPort}`),
      log: (line) => lines.push(line),
      maxRetries: 1,
      backoffMs: 10,
    });
    const requestId = crypto.randomUUID();
    const metric: OperationMetric = {
      request_id: requestId,
      attempt: 1,
      operation_type: "whisper",
      platform: "tripwire",
      provider: "groq",
      model: "whisper-large-v3",
      input_tokens: 0,
      cached_input_tokens: 0,
      output_tokens: 0,
      audio_seconds: "3.000",
      billed_audio_seconds: "10.000",
      cost_usd: "0.0003083333",
      baseline_cost_usd: "0.0003000000",
      user_id: null,
      function_name: "ai-whisper",
      duration_ms: 812,
      status: "success",
      error_code: null,
      created_at: "2026-11-25T10:00:00.000Z",
    };
    tracker.track(metric);
    await tracker.flush();
    assert.equal(lines.length, 1);
    assert.deepEqual(JSON.parse(lines[0]).metric, metric);

    // The log as an operator would feed it: other lines around it, a prefix, a broken metric line.
    const log = [
      "2026-11-25T10:00:01Z INFO listening",
      `2026-11-25T10:00:02Z ERROR ${lines[0]}`,
      '{"type":"ai_operation_metric_unsaved","metric":{"request_id":"not-a-uuid"}}',
      "",
    ].join("\n");
    const replay = async () => {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-all", "scripts/metrics-replay.ts"],
        cwd: new URL("../../", import.meta.url).pathname,
        env: { SUPABASE_URL: stackEnv.url, SUPABASE_SERVICE_ROLE_KEY: stackEnv.serviceRoleKey },
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode(log));
      await writer.close();
      const out = await child.output();
      const text = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      return text;
    };

    assert.match(
      await replay(),
      /inserted 1, already present 0, skipped 1 \(1 other lines ignored\)/,
    );
    assert.match(await replay(), /inserted 0, already present 1, skipped 1/);
    const rows = await db()<Array<{ n: number; cost: string; billed: string; created: Date }>>`
      select count(*)::int as n, max(cost_usd)::text as cost, max(billed_audio_seconds)::text as billed,
             max(created_at) as created
        from public.ai_operations_metrics where request_id = ${requestId}`;
    assert.equal(rows[0].n, 1);
    assert.equal(rows[0].cost, "0.0003083333");
    assert.equal(rows[0].billed, "10.000");
    assert.equal(
      rows[0].created.toISOString(),
      "2026-11-25T10:00:00.000Z",
      "the original time is kept",
    );
  } finally {
    await closeDb();
  }
});
