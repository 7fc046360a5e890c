import assert from "node:assert/strict";
import {
  abortableSleep,
  backoffDelayMs,
  parseDurationMs,
  retryAfterMsFromHeaders,
} from "./retry.ts";

Deno.test("Groq's reset durations parse to milliseconds", () => {
  assert.equal(parseDurationMs("2m59.56s"), 179_560); // 2×60 000 + 59 560
  assert.equal(parseDurationMs("7.66s"), 7_660);
  assert.equal(parseDurationMs("120ms"), 120);
  assert.equal(parseDurationMs("1h2m3s"), 3_723_000); // 3 600 000 + 120 000 + 3 000
  assert.equal(parseDurationMs("7"), 7_000); // retry-after: seconds
  assert.equal(parseDurationMs("0.5"), 500);
});

Deno.test("a duration we cannot read is undefined, never zero", () => {
  assert.equal(parseDurationMs("soon"), undefined);
  assert.equal(parseDurationMs("7.66 s"), undefined);
  assert.equal(parseDurationMs(""), undefined);
  assert.equal(parseDurationMs(null), undefined);
});

Deno.test("retry-after wins over the x-ratelimit-reset headers", () => {
  const h = new Headers({ "retry-after": "3", "x-ratelimit-reset-requests": "7.66s" });
  assert.equal(retryAfterMsFromHeaders(h), 3_000);
});

Deno.test("retry-after as an HTTP date is measured from now", () => {
  const now = Date.parse("2026-11-25T12:00:00Z");
  const h = new Headers({ "retry-after": "Wed, 25 Nov 2026 12:00:05 GMT" });
  assert.equal(retryAfterMsFromHeaders(h, now), 5_000);
});

Deno.test("without retry-after, the reset of the spent limit is used", () => {
  const h = new Headers({
    "x-ratelimit-remaining-requests": "12",
    "x-ratelimit-reset-requests": "2m59.56s",
    "x-ratelimit-remaining-tokens": "0",
    "x-ratelimit-reset-tokens": "7.66s",
  });
  assert.equal(retryAfterMsFromHeaders(h), 7_660);
});

Deno.test("when no limit says 0, the longer reset is used", () => {
  const h = new Headers({
    "x-ratelimit-reset-requests": "120ms",
    "x-ratelimit-reset-tokens": "2s",
  });
  assert.equal(retryAfterMsFromHeaders(h), 2_000);
});

Deno.test("no hint at all gives undefined", () => {
  assert.equal(retryAfterMsFromHeaders(new Headers()), undefined);
});

Deno.test("backoff doubles from the base, with jitter in the upper half, capped", () => {
  // exp = 500, 1000, 2000 … ; delay = exp/2 + random × exp/2
  assert.equal(backoffDelayMs(1, { random: () => 0 }), 250);
  assert.equal(backoffDelayMs(1, { random: () => 0.5 }), 375);
  assert.equal(backoffDelayMs(3, { random: () => 0 }), 1_000);
  // 500 × 2^9 = 256 000 → capped at 8 000 → 4 000 … 8 000
  assert.equal(backoffDelayMs(10, { random: () => 0 }), 4_000);
  assert.equal(backoffDelayMs(10, { random: () => 0.999999 }), 8_000);
});

Deno.test("an abortable sleep ends when the signal fires", async () => {
  const controller = new AbortController();
  const started = Date.now();
  const sleeping = abortableSleep(10_000, controller.signal);
  controller.abort(new Error("gone"));
  await assert.rejects(sleeping, /gone/);
  assert.ok(Date.now() - started < 1_000);
});

Deno.test("on a 503 only retry-after counts: quota reset headers are not a recovery time", () => {
  const h = new Headers({
    "x-ratelimit-reset-requests": "2m59.56s",
    "x-ratelimit-remaining-requests": "0",
  });
  assert.equal(retryAfterMsFromHeaders(h, Date.now(), false), undefined);
  assert.equal(
    retryAfterMsFromHeaders(new Headers({ "retry-after": "2" }), Date.now(), false),
    2_000,
  );
});
