// Routing, providers and metering against the offline provider (the only stand-in: the network
// to Groq and OpenAI), started in-process on a free port. Failures are injected the way Groq and
// OpenAI fail: 429 with retry-after, 400 model_decommissioned, 503, 400, a hang, a cut stream.
import assert from "node:assert/strict";
import {
  createOfflineProvider,
  type FaultRuleInput,
} from "../../scripts/offline-provider/server.ts";
import {
  type OperationContext,
  runAIOperation,
} from "../../supabase/functions/_shared/ai/operation.ts";
import {
  chatCompletion,
  createProviderClients,
  type ModelTarget,
  type ProviderClients,
  streamChatCompletion,
} from "../../supabase/functions/_shared/ai/providers.ts";
import type { OperationMetric } from "../../supabase/functions/_shared/ai/tracking.ts";

const GROQ: ModelTarget = { provider: "groq", model: "openai/gpt-oss-120b" };
const GROQ_RETIRED: ModelTarget = { provider: "groq", model: "llama-3.3-70b-versatile" };
const OPENAI: ModelTarget = { provider: "openai", model: "gpt-4.1-mini" };
const messages = [{ role: "user" as const, content: "Объясни, что такое фотосинтез." }];

interface Offline {
  clients: ProviderClients;
  addFault(rule: FaultRuleInput): void;
  requests(): Array<{ provider: string; model: string | null; status: number; fault?: string }>;
}

/** Runs `fn` with a fresh offline provider on a free port, then stops it. */
async function withOffline(fn: (o: Offline) => Promise<void>) {
  const provider = createOfflineProvider();
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    provider.handler,
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  try {
    await fn({
      clients: createProviderClients({
        GROQ_API_KEY: "offline-groq-key",
        GROQ_BASE_URL: `${base}/openai/v1`,
        OPENAI_API_KEY: "offline-openai-key",
        OPENAI_BASE_URL: `${base}/v1`,
      }),
      addFault: (rule) => void provider.state.addFault(rule),
      requests: () => provider.state.requests.map((r) => ({ ...r })),
    });
  } finally {
    await server.shutdown();
  }
}

function context(): OperationContext {
  return {
    requestId: crypto.randomUUID(),
    userId: null,
    platform: "main",
    functionName: "ai-chat",
    operationType: "chat",
  };
}

function ledger() {
  const rows: OperationMetric[] = [];
  return { rows, tracker: { track: (m: OperationMetric) => void rows.push(m) } };
}

Deno.test("a 429 with retry-after is retried after the advertised delay", async () => {
  await withOffline(async (o) => {
    o.addFault({
      provider: "groq",
      path: "chat/completions",
      fault: { type: "rate_limit", retryAfterSeconds: 1 },
    });
    const { rows, tracker } = ledger();
    const waits: number[] = [];
    const started = performance.now();
    let retriedAt = 0;
    const result = await runAIOperation({
      context: context(),
      candidates: [GROQ, OPENAI],
      tracker,
      sleep: async (ms, signal) => {
        waits.push(ms);
        await new Promise((r) => setTimeout(r, ms, signal));
        retriedAt = performance.now();
      },
      attempt: (t, { signal, timeoutMs }) =>
        chatCompletion(o.clients, t, { messages }, { signal, timeoutMs }),
    });
    assert.ok(result.ok, JSON.stringify(!result.ok && result.failure));
    assert.equal(result.provider, "groq");
    assert.equal(result.attempts, 2);
    assert.deepEqual(waits, [1_000], "slept exactly the advertised second");
    assert.ok(retriedAt - started >= 1_000);
    assert.deepEqual(o.requests().map((r) => [r.provider, r.status]), [["groq", 429], [
      "groq",
      200,
    ]]);
    assert.deepEqual(rows.map((r) => [r.attempt, r.status, r.error_code]), [
      [1, "error", "rate_limited"],
      [2, "success", null],
    ]);
    assert.ok(Number(rows[1].cost_usd) > 0 && rows[1].input_tokens! > 0);
  });
});

Deno.test("a decommissioned model falls through to its replacement", async () => {
  await withOffline(async (o) => {
    const { rows, tracker } = ledger();
    const warnings: string[] = [];
    // Configured before the shutdown, so the list still names the retired model.
    const result = await runAIOperation({
      context: context(),
      candidates: [GROQ_RETIRED, OPENAI],
      tracker,
      onWarning: (w) => warnings.push(w.message),
      attempt: (t, { signal, timeoutMs }) =>
        chatCompletion(o.clients, t, { messages }, { signal, timeoutMs }),
    });
    assert.ok(result.ok);
    assert.equal(result.provider, "groq");
    assert.equal(result.model, "openai/gpt-oss-120b", "the catalog's replacement answered");
    assert.deepEqual(o.requests().map((r) => [r.model, r.status]), [
      ["llama-3.3-70b-versatile", 400],
      ["openai/gpt-oss-120b", 200],
    ]);
    assert.deepEqual(rows.map((r) => [r.model, r.status, r.error_code]), [
      ["llama-3.3-70b-versatile", "error", "model_decommissioned"],
      ["openai/gpt-oss-120b", "success", null],
    ]);
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0],
      /llama-3\.3-70b-versatile skipped \(model_decommissioned\); trying groq:openai\/gpt-oss-120b/,
    );
  });
});

Deno.test("Groq 503s fall back to OpenAI", async () => {
  await withOffline(async (o) => {
    o.addFault({ provider: "groq", times: 10, fault: { type: "status", status: 503 } });
    const { rows, tracker } = ledger();
    const result = await runAIOperation({
      context: context(),
      candidates: [GROQ, OPENAI],
      tracker,
      baseDelayMs: 10,
      attempt: (t, { signal, timeoutMs }) =>
        chatCompletion(o.clients, t, { messages }, { signal, timeoutMs }),
    });
    assert.ok(result.ok);
    assert.equal(result.provider, "openai");
    assert.equal(result.fallbackUsed, true);
    assert.equal(result.attempts, 4);
    assert.deepEqual(o.requests().map((r) => [r.provider, r.status]), [
      ["groq", 503],
      ["groq", 503],
      ["groq", 503],
      ["openai", 200],
    ]);
    assert.deepEqual(
      rows.map((r) => [r.attempt, r.provider, r.status, r.cost_usd === "0.0000000000"]),
      [
        [1, "groq", "error", true],
        [2, "groq", "error", true],
        [3, "groq", "error", true],
        [4, "openai", "success", false],
      ],
    );
    assert.equal(result.costUsd, rows[3].cost_usd);
  });
});

Deno.test("a 400 is not retried", async () => {
  await withOffline(async (o) => {
    o.addFault({
      provider: "groq",
      fault: { type: "status", status: 400, message: "secret-ish provider text" },
    });
    const { rows, tracker } = ledger();
    const result = await runAIOperation({
      context: context(),
      candidates: [GROQ, OPENAI],
      tracker,
      attempt: (t, { signal, timeoutMs }) =>
        chatCompletion(o.clients, t, { messages }, { signal, timeoutMs }),
    });
    assert.ok(!result.ok);
    assert.equal(result.failure.code, "upstream_rejected");
    assert.equal(result.failure.status, 502);
    assert.ok(!result.failure.message.includes("secret-ish"), "the provider's text stays out");
    assert.equal(o.requests().length, 1);
    assert.deepEqual(rows.map((r) => [r.status, r.error_code]), [["error", "bad_request"]]);
  });
});

Deno.test("a hang hits the deadline", async () => {
  await withOffline(async (o) => {
    o.addFault({ provider: "groq", times: 10, fault: { type: "hang", ms: 1_500 } });
    const { rows, tracker } = ledger();
    const started = performance.now();
    const result = await runAIOperation({
      context: context(),
      candidates: [GROQ],
      tracker,
      deadlineMs: 400,
      attempt: (t, { signal, timeoutMs }) =>
        chatCompletion(o.clients, t, { messages }, { signal, timeoutMs }),
    });
    const elapsed = performance.now() - started;
    assert.ok(!result.ok);
    assert.equal(result.failure.code, "deadline_exceeded");
    assert.equal(result.failure.status, 504);
    assert.ok(elapsed >= 390 && elapsed < 3_000, `gave up after ${elapsed} ms`);
    assert.deepEqual(rows.map((r) => [r.status, r.error_code]), [["error", "upstream_timeout"]]);
  });
});

Deno.test("a hung Groq attempt times out and OpenAI answers within the deadline", async () => {
  await withOffline(async (o) => {
    o.addFault({ provider: "groq", times: 10, fault: { type: "hang", ms: 1_500 } });
    const { rows, tracker } = ledger();
    const result = await runAIOperation({
      context: context(),
      candidates: [GROQ, OPENAI],
      tracker,
      attemptTimeoutMs: 300,
      deadlineMs: 5_000,
      attempt: (t, { signal, timeoutMs }) =>
        chatCompletion(o.clients, t, { messages }, { signal, timeoutMs }),
    });
    assert.ok(result.ok);
    assert.equal(result.provider, "openai");
    assert.deepEqual(rows.map((r) => [r.provider, r.status, r.error_code]), [
      ["groq", "error", "upstream_timeout"],
      ["openai", "success", null],
    ]);
  });
});

Deno.test("a streamed call cut midway is reported partial, with its usage so far", async () => {
  await withOffline(async (o) => {
    o.addFault({
      provider: "groq",
      path: "chat/completions",
      fault: { type: "cut_stream", afterChunks: 3 },
    });
    const { rows, tracker } = ledger();
    const delivered: string[] = [];
    const result = await runAIOperation({
      context: context(),
      candidates: [GROQ, OPENAI],
      tracker,
      attempt: (t, { signal, timeoutMs }) =>
        streamChatCompletion(o.clients, t, { messages }, {
          signal,
          timeoutMs,
          onDelta: (d) => void delivered.push(d),
        }),
    });
    assert.ok(result.ok);
    assert.equal(result.partial, true, "the routing result says partial");
    assert.equal(result.value.partial, true);
    assert.equal(result.attempts, 1, "text already reached the user: no retry");
    assert.ok(delivered.length > 0);
    assert.equal(result.value.text, delivered.join(""));
    assert.equal(rows.length, 1);
    assert.equal(rows[0].status, "partial");
    assert.equal(rows[0].error_code, "stream_interrupted");
    assert.ok(
      rows[0].output_tokens! > 0 && Number(rows[0].cost_usd) > 0,
      "the spent usage is priced",
    );
  });
});

Deno.test("an uncut stream reports the provider's usage, the same as the plain call", async () => {
  await withOffline(async (o) => {
    const streamed = await streamChatCompletion(o.clients, GROQ, { messages });
    const plain = await chatCompletion(o.clients, GROQ, { messages });
    assert.equal(streamed.partial, false);
    assert.equal(streamed.usageEstimated, false);
    assert.equal(streamed.usage?.prompt_tokens, plain.usage?.prompt_tokens);
    assert.ok(streamed.text.startsWith("[offline-provider]"));
  });
});

Deno.test("Groq never receives the fields it rejects", async () => {
  await withOffline(async (o) => {
    const result = await chatCompletion(o.clients, GROQ, {
      messages: [{ role: "user", content: "привет", name: "student" }],
      logprobs: true,
      top_logprobs: 2,
      logit_bias: { "1": 1 },
      n: 2,
    });
    assert.ok(result.text.length > 0);
    assert.deepEqual(o.requests().map((r) => r.status), [200]);
  });
});
