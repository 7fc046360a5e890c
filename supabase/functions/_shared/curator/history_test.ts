import assert from "node:assert/strict";
import { estimateTokens, trimHistory } from "./history.ts";

const turn = (role: "user" | "assistant", n: number) => ({ role, content: "я".repeat(n) });

Deno.test("estimateTokens counts one token per 2.5 characters plus 4 of overhead", () => {
  // 25 chars / 2.5 = 10, + 4 = 14
  assert.equal(estimateTokens("a".repeat(25)), 14);
});

Deno.test("history that fits is kept whole", () => {
  const h = [turn("user", 10), turn("assistant", 10)];
  assert.deepEqual(trimHistory(h, 1000), h);
});

Deno.test("history is dropped oldest-first and what is kept is the newest suffix", () => {
  // each turn of 100 chars is 100/2.5 + 4 = 44 tokens; a budget of 100 keeps two turns (88)
  const h = [turn("user", 100), turn("assistant", 100), turn("user", 100), turn("assistant", 100)];
  assert.deepEqual(trimHistory(h, 100), h.slice(2));
});

Deno.test("an oversized recent turn drops everything before it, even small older turns", () => {
  const h = [turn("user", 5), turn("assistant", 1000), turn("user", 5)];
  // newest (6 tokens) fits; the 404-token turn does not; the older 6-token turn must go too
  assert.deepEqual(trimHistory(h, 100), h.slice(2));
});
