// Routing arms through the chat handler: the configured arm serves the answer and is written on
// every ledger row; the short rule escalates a truncated answer to the control route.
import assert from "node:assert/strict";
import { createOfflineProvider } from "../../../scripts/offline-provider/server.ts";
import { createProviderClients } from "../_shared/ai/providers.ts";
import type { OperationMetric } from "../_shared/ai/tracking.ts";
import { createChatHandler } from "./handler.ts";
import { grantingStore, testRuntime } from "./test_runtime.ts";
import { studentToken } from "./test_token.ts";

interface Harness {
  handler: (body: Record<string, unknown>, user?: string) => Promise<Response>;
  rows: OperationMetric[];
  reserved: string[];
  provider: ReturnType<typeof createOfflineProvider>;
}

async function withChat(
  env: Record<string, string>,
  fn: (h: Harness) => Promise<void>,
) {
  const provider = createOfflineProvider();
  const server = Deno.serve({ port: 0, onListen() {} }, provider.handler);
  const base = `http://127.0.0.1:${server.addr.port}`;
  const rows: OperationMetric[] = [];
  const reserved: string[] = [];
  const granting = grantingStore();
  const store = grantingStore({
    reserveBudget: (a) => (reserved.push(a.amountUsd), granting.reserveBudget(a)),
  });
  const rt = testRuntime(
    createProviderClients({
      GROQ_API_KEY: "k",
      GROQ_BASE_URL: `${base}/openai/v1`,
      OPENAI_API_KEY: "k",
      OPENAI_BASE_URL: `${base}/v1`,
    }),
    store,
    { env, tracker: { track: (m) => void rows.push(m), flush: () => Promise.resolve() } },
  );
  const chat = createChatHandler(rt);
  try {
    await fn({
      rows,
      reserved,
      provider,
      handler: async (body, user = crypto.randomUUID()) =>
        await chat(
          new Request("http://x/process-chat", {
            method: "POST",
            headers: {
              authorization: `Bearer ${await studentToken(user)}`,
              "content-type": "application/json",
            },
            body: JSON.stringify({ platform: "main", ...body }),
          }),
        ),
    });
  } finally {
    provider.close();
    await server.shutdown();
  }
}

Deno.test("an experiment at 100 %: the arm's model answers and every row carries the arm", async () => {
  await withChat(
    { AI_CHAT_ARMS: "small:100:groq:openai/gpt-oss-20b" },
    async (h) => {
      const res = await h.handler({ message: "Как сдать домашнее задание?" });
      assert.equal(res.status, 200);
      const body = await res.json();
      assert.equal(body.model, "openai/gpt-oss-20b");
      assert.deepEqual(h.rows.map((r) => [r.arm, r.model]), [[
        "small",
        "openai/gpt-oss-20b",
      ]]);
    },
  );
});

Deno.test("no experiment: rows carry the arm default on the configured route", async () => {
  await withChat({}, async (h) => {
    const res = await h.handler({ message: "Привет" });
    assert.equal(res.status, 200);
    await res.body?.cancel();
    assert.equal(h.rows.length, 1);
    assert.equal(h.rows[0].arm, "default");
    assert.equal(h.rows[0].model, "openai/gpt-oss-120b");
  });
});

Deno.test("one conversation stays on its arm from turn to turn", async () => {
  await withChat(
    { AI_CHAT_ARMS: "small:50:groq:openai/gpt-oss-20b" },
    async (h) => {
      const user = crypto.randomUUID();
      const conversation = crypto.randomUUID();
      for (let turn = 0; turn < 4; turn++) {
        const res = await h.handler({
          message: `вопрос ${turn}`,
          conversation_id: conversation,
        }, user);
        assert.equal(res.status, 200);
        await res.body?.cancel();
      }
      assert.equal(
        new Set(h.rows.map((r) => r.arm)).size,
        1,
        JSON.stringify(h.rows.map((r) => r.arm)),
      );
      assert.equal(new Set(h.rows.map((r) => r.model)).size, 1);
    },
  );
});

Deno.test("the short rule: a truncated answer of the small model is asked again on the control route", async () => {
  await withChat(
    { AI_CHAT_ARMS: "quick:short:groq:openai/gpt-oss-20b" },
    async (h) => {
      h.provider.state.addFault({
        model: "openai/gpt-oss-20b",
        fault: { type: "length" },
      });
      const res = await h.handler({ message: "Когда дедлайн?" });
      assert.equal(res.status, 200);
      const body = await res.json();
      assert.equal(body.model, "openai/gpt-oss-120b");
      assert.equal(body.truncated, false);
      assert.deepEqual(
        h.rows.map((r) => [r.attempt, r.arm, r.model, r.status]),
        [
          [1, "quick", "openai/gpt-oss-20b", "partial"],
          [2, "quick", "openai/gpt-oss-120b", "success"],
        ],
      );
      const spent = h.rows.reduce((n, r) => n + Number(r.cost_usd), 0);
      assert.ok(
        Math.abs(Number(body.cost_usd) - spent) < 1e-10,
        "the answer's cost is both calls",
      );
      assert.ok(
        Number(h.reserved[0]) >= spent,
        "the hold covered the escalation",
      );

      // A long question, or one with history, keeps the control route.
      h.rows.length = 0;
      const long = await h.handler({ message: "а".repeat(500) });
      await long.body?.cancel();
      assert.deepEqual(h.rows.map((r) => [r.arm, r.model]), [[
        "control",
        "openai/gpt-oss-120b",
      ]]);
    },
  );
});

Deno.test("a small replay: caching plus routing bring the curator's cost per answer to ≤ 60 % of today's", async () => {
  // 12 conversations of 6 turns of ~700 tokens (history resent) and 2 short questions, fixed
  // students so the arms are the same on every run.
  const users = Array.from(
    { length: 14 },
    (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
  );
  const words = [
    "урок",
    "срок",
    "сдать",
    "вопрос",
    "пример",
    "решение",
    "модуль",
    "проект",
  ];
  const text = (seed: number, tokens: number) => {
    let x = (seed * 2654435761 + 7) >>> 0;
    let out = "";
    while (out.length < tokens * 4) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      out += `${words[x >>> 29]} ${x % 997} `;
    }
    return out.slice(0, tokens * 4);
  };
  const replay = async (h: Harness) => {
    for (let c = 0; c < 12; c++) {
      const history: { role: string; content: string }[] = [];
      for (let t = 0; t < 6; t++) {
        const message = text(c * 10 + t, 640);
        const res = await h.handler({ message, history }, users[c]);
        assert.equal(res.status, 200);
        const body = await res.json();
        history.push({ role: "user", content: message }, {
          role: "assistant",
          content: body.reply,
        });
      }
    }
    for (const user of users.slice(12)) {
      const res = await h.handler({ message: "Когда дедлайн?" }, user);
      await res.body?.cancel();
    }
    return h.rows.reduce((n, r) => n + Number(r.cost_usd), 0) / (12 * 6 + 2);
  };
  let today = 0;
  await withChat({}, async (h) => {
    h.provider.state.reset();
    await h.provider.handler(
      new Request("http://x/__offline/prompt-caching", {
        method: "POST",
        body: JSON.stringify({ enabled: false }),
      }),
    );
    today = await replay(h);
  });
  let after = 0;
  await withChat({
    AI_CHAT_ARMS: "quick:short:groq:openai/gpt-oss-20b,small:50:groq:openai/gpt-oss-20b",
  }, async (h) => {
    after = await replay(h);
    const cachedLate = h.rows.filter((r) => r.input_tokens! > 2000);
    const share = cachedLate.reduce((n, r) => n + r.cached_input_tokens!, 0) /
      cachedLate.reduce((n, r) => n + r.input_tokens!, 0);
    assert.ok(share >= 0.6, `cached share of long prompts ${share}`);
  });
  assert.ok(
    after / today <= 0.6,
    `curator per answer: ${after} vs ${today} (${after / today})`,
  );
});
