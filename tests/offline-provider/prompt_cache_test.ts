/**
 * The offline provider's simulation of automatic prefix caching (Groq and OpenAI): what a
 * conversation that resends its history gets reported as cached, and what it does not.
 */
import assert from "node:assert/strict";
import { createOfflineProvider } from "../../scripts/offline-provider/server.ts";
import {
  createPromptCache,
  PROMPT_CACHE_POLICIES,
} from "../../scripts/offline-provider/prompt_usage.ts";

type Message = { role: string; content: string };

async function ask(
  provider: ReturnType<typeof createOfflineProvider>,
  path: string,
  model: string,
  messages: Message[],
) {
  const response = await provider.handler(
    new Request(`http://offline${path}`, {
      method: "POST",
      headers: { authorization: "Bearer offline-key", "content-type": "application/json" },
      body: JSON.stringify({ model, messages }),
    }),
  );
  assert.equal(response.status, 200);
  const body = await response.json();
  return {
    prompt: body.usage.prompt_tokens as number,
    cached: body.usage.prompt_tokens_details.cached_tokens as number,
    reply: body.choices[0].message.content as string,
  };
}

/** About `tokens` tokens of varied Russian text (4 characters a token in the offline provider). */
function turnText(seed: number, tokens: number): string {
  const words = ["домашнее", "задание", "урок", "срок", "сдать", "вопрос", "пример", "решение"];
  let text = "";
  let i = seed;
  while (text.length < tokens * 4) text += words[i = (i * 7 + 3) % words.length] + ` ${i} `;
  return text.slice(0, tokens * 4);
}

Deno.test("a conversation of ~700-token turns: from turn 3 on, at least 60 % of input is cached", async () => {
  for (
    const [path, model] of [
      ["/openai/v1/chat/completions", "openai/gpt-oss-120b"],
      ["/v1/chat/completions", "gpt-6-luna"],
    ]
  ) {
    let clock = Date.parse("2026-12-06T10:00:00Z");
    const provider = createOfflineProvider({ now: () => clock });
    const history: Message[] = [{ role: "system", content: turnText(0, 200) }];
    for (let turn = 1; turn <= 6; turn++) {
      const message = { role: "user", content: turnText(turn, 650) };
      const usage = await ask(provider, path, model, [...history, message]);
      if (turn === 1) assert.equal(usage.cached, 0, "nothing seen yet");
      if (turn >= 3) {
        assert.ok(
          usage.cached / usage.prompt >= 0.6,
          `${model} turn ${turn}: ${usage.cached}/${usage.prompt}`,
        );
      }
      assert.equal(usage.cached % 128, 0, "whole 128-token increments");
      history.push(message, { role: "assistant", content: usage.reply });
      clock += 60_000; // a minute between turns
    }
    provider.close();
  }
});

Deno.test("a prompt that differs in its first bytes (an id or a time in the system prompt) gets nothing cached", async () => {
  const provider = createOfflineProvider();
  const body = turnText(1, 1500);
  await ask(provider, "/openai/v1/chat/completions", "openai/gpt-oss-120b", [
    { role: "system", content: `request 1 at 10:00. ${body}` },
  ]);
  const second = await ask(provider, "/openai/v1/chat/completions", "openai/gpt-oss-120b", [
    { role: "system", content: `request 2 at 10:01. ${body}` },
  ]);
  assert.equal(second.cached, 0);
  provider.close();
});

Deno.test("prompts under 1,024 tokens are never cached; caches are per model", async () => {
  const provider = createOfflineProvider();
  const short = [{ role: "user", content: turnText(2, 900) }];
  await ask(provider, "/openai/v1/chat/completions", "openai/gpt-oss-120b", short);
  const again = await ask(provider, "/openai/v1/chat/completions", "openai/gpt-oss-120b", short);
  assert.equal(again.cached, 0);
  const long = [{ role: "user", content: turnText(3, 3000) }];
  await ask(provider, "/openai/v1/chat/completions", "openai/gpt-oss-120b", long);
  const other = await ask(provider, "/openai/v1/chat/completions", "openai/gpt-oss-20b", long);
  assert.equal(other.cached, 0, "another model has its own cache");
  const same = await ask(provider, "/openai/v1/chat/completions", "openai/gpt-oss-120b", long);
  assert.ok(same.cached >= 2_944 - 128 && same.cached <= same.prompt);
  provider.close();
});

Deno.test("a cached prefix expires after the provider's lifetime without use (Groq 2 h, OpenAI 10 min)", () => {
  for (const provider of ["groq", "openai"] as const) {
    let clock = 0;
    const cache = createPromptCache(() => clock);
    const prompt = "x".repeat(4 * 2048);
    assert.equal(cache.use(provider, "m", prompt, 2048), 0);
    clock += PROMPT_CACHE_POLICIES[provider].ttlMs;
    assert.equal(cache.use(provider, "m", prompt, 2048), 2048, "still alive at the limit");
    clock += PROMPT_CACHE_POLICIES[provider].ttlMs + 1;
    assert.equal(cache.use(provider, "m", prompt, 2048), 0, "gone after it");
  }
});

Deno.test("the cache is bounded: the least recently used prefixes go first", () => {
  const cache = createPromptCache(() => 0, { maxEntries: 10 });
  for (let i = 0; i < 50; i++) cache.use("groq", "m", `${i}`.padEnd(4 * 4096, "y"), 4096);
  assert.ok(cache.size <= 10);
});

Deno.test("the control plane turns prefix caching off and on", async () => {
  const provider = createOfflineProvider();
  const toggle = async (enabled: unknown) =>
    await provider.handler(
      new Request("http://offline/__offline/prompt-caching", {
        method: "POST",
        body: JSON.stringify({ enabled }),
      }),
    );
  const long = [{ role: "user", content: turnText(4, 2000) }];
  const path = "/openai/v1/chat/completions";
  assert.equal((await toggle(false)).status, 200);
  await ask(provider, path, "openai/gpt-oss-120b", long);
  assert.equal((await ask(provider, path, "openai/gpt-oss-120b", long)).cached, 0);
  assert.equal((await toggle(true)).status, 200);
  await ask(provider, path, "openai/gpt-oss-120b", long);
  assert.ok((await ask(provider, path, "openai/gpt-oss-120b", long)).cached > 0);
  const bad = await toggle("yes");
  assert.equal(bad.status, 400);
  await bad.body?.cancel();
  provider.close();
});
