// The harness's measures on inputs whose answers are known by hand.
import assert from "node:assert/strict";
import {
  answerCostUsd,
  cer,
  characterErrors,
  errorRate,
  isRussian,
  outputTokensPerSecond,
  percentile,
  wer,
  werWords,
  wordErrors,
} from "../../scripts/eval/metrics.ts";
import { parseScores, shuffledOrder } from "../../scripts/eval/judge.ts";
import { parseCandidates } from "../../scripts/eval/candidates.ts";
import { sample } from "../../scripts/eval/data.ts";

Deno.test("WER counts substitutions, deletions and insertions over the reference's words", () => {
  assert.equal(wer("сдать домашку до пятницы", "сдать домашку до пятницы"), 0);
  assert.equal(wer("сдать домашку до пятницы", "сдать домашнюю до пятницы"), 1 / 4); // one substitution
  assert.equal(wer("сдать домашку до пятницы", "сдать до пятницы"), 1 / 4); // one deletion
  assert.equal(wer("раз два", "раз два три четыре"), 2 / 2); // insertions can exceed 1 in total
});

Deno.test("WER ignores case, punctuation and ё, but keeps decimal numbers as one word", () => {
  assert.equal(wer("Вебинар перенесён на четверг.", "вебинар перенесен, на четверг"), 0);
  assert.deepEqual(werWords("Пример: 2,5% — это 2.5 %"), ["пример", "2,5%", "это", "2,5", "%"]);
});

Deno.test("CER is character edits over the reference's characters, line breaks read as spaces", () => {
  assert.equal(cer("Срок сдачи", "Срок сдачи"), 0);
  assert.equal(cer("кот", "кит"), 1 / 3);
  assert.equal(cer("Строка один\nСтрока два", "строка один строка два"), 0);
  assert.deepEqual(characterErrors("абв", ""), { edits: 3, referenceLength: 3 });
});

Deno.test("a corpus error rate weighs each item by its length, not equally", () => {
  const long = wordErrors(
    "один два три четыре пять шесть семь восемь девять десять",
    "один два три четыре пять шесть семь восемь девять десять",
  );
  const short = wordErrors("да", "нет");
  assert.equal(errorRate([long, short]), 1 / 11);
  assert.equal(errorRate([]), null);
});

Deno.test("percentiles interpolate between closest ranks (numpy's default)", () => {
  assert.equal(percentile([1, 2, 3, 4], 50), 2.5);
  assert.equal(percentile([4, 1, 3, 2], 50), 2.5); // order does not matter
  assert.equal(percentile([10, 20, 30, 40, 50], 95), 48);
  assert.equal(percentile([7], 95), 7);
  assert.equal(percentile([], 50), null);
  assert.throws(() => percentile([1], 101), RangeError);
});

Deno.test("tokens per second leave hidden reasoning out and count streamed reasoning", () => {
  // 500 tokens of which 300 reasoning the provider hid; the answer streamed for 2 s after the first delta.
  assert.equal(
    outputTokensPerSecond({
      completionTokens: 500,
      reasoningTokens: 300,
      reasoningStreamed: false,
      firstDeltaMs: 1000,
      latencyMs: 3000,
    }),
    100,
  );
  assert.equal(
    outputTokensPerSecond({
      completionTokens: 500,
      reasoningTokens: 300,
      reasoningStreamed: true,
      firstDeltaMs: 1000,
      latencyMs: 3000,
    }),
    250,
  );
  assert.equal(
    outputTokensPerSecond({
      completionTokens: 10,
      reasoningTokens: 0,
      reasoningStreamed: false,
      firstDeltaMs: 5,
      latencyMs: 5,
    }),
    null,
  );
});

Deno.test("cost per answer comes from the catalog and includes reasoning tokens (they are output)", () => {
  const at = new Date("2026-12-01T12:00:00Z");
  // 1000 × 0.15/1e6 + 500 × 0.60/1e6
  assert.equal(
    answerCostUsd(
      "groq",
      "openai/gpt-oss-120b",
      { prompt_tokens: 1000, completion_tokens: 500 },
      at,
    ),
    0.00045,
  );
  // 300 of the 500 output tokens are reasoning: same price, they are already in completion_tokens.
  assert.equal(
    answerCostUsd("groq", "openai/gpt-oss-120b", {
      prompt_tokens: 1000,
      completion_tokens: 500,
      completion_tokens_details: { reasoning_tokens: 300 },
    }, at),
    0.00045,
  );
  // A 4 s clip on Groq Whisper is billed as 10 s: 10 × 0.111 / 3600.
  assert.equal(answerCostUsd("groq", "whisper-large-v3", { audio_seconds: 4 }, at), 0.0003083333);
});

Deno.test("an answer is Russian when most of its letters are Cyrillic", () => {
  assert.equal(isRussian("Среднее в pandas считает метод mean()"), true);
  assert.equal(isRussian("The refund policy is simple."), false);
  assert.equal(isRussian("12:00"), false);
});

Deno.test("the judge's order is a seeded shuffle and its scores must match the answers", () => {
  assert.deepEqual(shuffledOrder(4, 7), shuffledOrder(4, 7));
  assert.deepEqual([...shuffledOrder(5, 3)].sort(), [0, 1, 2, 3, 4]);
  assert.deepEqual(parseScores('Итог: {"scores": [5, 3]}', 2), [5, 3]);
  assert.equal(parseScores('{"scores": [5]}', 2), null);
  assert.equal(parseScores("[offline-provider] не JSON", 2), null);
});

Deno.test("candidates are provider:model entries of the catalog with the task's capability", () => {
  assert.deepEqual(parseCandidates("photo", "groq:qwen/qwen3.8-27b, openai:gpt-4o"), [
    { provider: "groq", model: "qwen/qwen3.8-27b" },
    { provider: "openai", model: "gpt-4o" },
  ]);
  assert.throws(() => parseCandidates("scan", "groq:openai/gpt-oss-120b"), /no vision/);
  assert.throws(() => parseCandidates("chat", "mistral:large"), /provider:model/);
});

Deno.test("a sample keeps every category, so negation items are always in it", () => {
  const items = ["a", "a", "a", "b", "c"].map((category, i) => ({ id: String(i), category }));
  assert.deepEqual(sample(items, 3).map((i) => i.category), ["a", "b", "c"]);
});
