// Intervals are over items (repeats averaged within an item), paired comparisons say "not enough
// evidence" when their interval includes 0, and two runs compare item by item.
import assert from "node:assert/strict";
import { compareResults, type EvalResults } from "../../scripts/eval/compare.ts";
import {
  detectableDifference,
  itemsToDetect,
  meanInterval,
  pairedComparison,
} from "../../scripts/eval/stats.ts";
import { itemResults, summarise } from "../../scripts/eval/run.ts";

Deno.test("the mean of item scores has a standard error and a clipped 95 % interval", () => {
  const e = meanInterval([100, 0, 100, 100], 0, 100)!;
  assert.equal(e.mean, 75);
  assert.equal(e.se, 25);
  assert.ok(Math.abs(e.low - (75 - 1.96 * 25)) < 0.1);
  assert.equal(e.high, 100);
  assert.equal(meanInterval([]), null);
});

Deno.test("a paired comparison decides only when its interval excludes 0", () => {
  const ids = Array.from({ length: 40 }, (_, i) => `q${i}`);
  const a = new Map(ids.map((id, i) => [id, i % 10 === 0 ? 0 : 100]));
  const same = new Map(ids.map((id, i) => [id, i % 10 === 1 ? 0 : 100]));
  assert.equal(pairedComparison(a, same)!.verdict, "not enough evidence");
  const worse = new Map(ids.map((id, i) => [id, i % 2 === 0 ? 0 : 100]));
  const p = pairedComparison(a, worse)!;
  assert.equal(p.verdict, "a");
  assert.equal(p.n, 40);
  assert.equal(p.aBetter, 16);
});

Deno.test("detectable difference and items needed follow the usual power formula", () => {
  assert.ok(Math.abs(detectableDifference(200, 25) - 4.95) < 0.01);
  assert.equal(itemsToDetect(5, 25), 197);
});

Deno.test("repeats are averaged per item before the interval, and runs compare item by item", () => {
  const answer = (model: string, itemId: string, repeat: number, pass: boolean) => ({
    task: "chat" as const,
    provider: "groq",
    model,
    itemId,
    repeat,
    ok: true,
    retries: 0,
    pass,
    score: pass ? 1 : 0,
  });
  const answers = [
    answer("m", "a", 0, true),
    answer("m", "a", 1, false),
    answer("m", "b", 0, true),
    answer("m", "b", 1, true),
  ];
  const [row] = summarise(answers, { chat: [{ provider: "groq", model: "m" }] });
  assert.equal(row.metrics.items, 2);
  assert.equal(row.metrics.repeats, 2);
  assert.equal(row.metrics.score!.mean, 75);
  assert.equal(row.metrics.repeat_se, 25, "item a: SE 50 between its repeats, item b: 0");
  const items = itemResults(answers);
  assert.deepEqual(items.map((i) => i.score), [0.5, 1]);
  const run = (scores: number[]) =>
    ({
      offline: false,
      items: scores.map((score, i) => ({
        task: "chat",
        provider: "groq",
        model: "m",
        itemId: `q${i}`,
        score,
        pass: score,
        repeats: [],
      })),
    }) as unknown as EvalResults;
  const before = run(Array.from({ length: 50 }, (_, i) => (i % 4 === 0 ? 0 : 1)));
  const after = run(Array.from({ length: 50 }, () => 1));
  const [c] = compareResults(before, after);
  assert.equal(c.verdict, "B better");
  assert.equal(c.n, 50);
  assert.equal(compareResults(before, before)[0].verdict, "not enough evidence");
});

Deno.test("the eval builds the curator request with production's planCurator and prompt", async () => {
  const { curatorMessages } = await import("../../scripts/eval/run.ts");
  const { CURATOR_PROMPTS } = await import(
    "../../supabase/functions/_shared/curator/prompts.ts"
  );
  const messages = curatorMessages({ provider: "groq", model: "openai/gpt-oss-120b" }, {
    message: "Когда вебинар?",
    history: [{ role: "user", content: "Привет" }, { role: "assistant", content: "Здравствуйте!" }],
  }, new Date("2026-12-01T12:00:00Z"));
  const system = messages.find((m) => m.role === "system");
  assert.ok(
    typeof system?.content === "string" && system.content.includes(CURATOR_PROMPTS.main),
    "the production system prompt",
  );
  assert.equal(messages.at(-1)?.content, "Когда вебинар?");
  assert.ok(messages.some((m) => m.content === "Здравствуйте!"), "history kept");
});
