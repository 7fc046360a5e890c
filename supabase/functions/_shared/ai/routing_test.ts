import assert from "node:assert/strict";
import { type ModelTarget, ProviderError, type ProviderErrorCode } from "./providers.ts";
import { type AttemptReport, type RoutingOptions, runWithFallback } from "./routing.ts";

const GROQ: ModelTarget = { provider: "groq", model: "openai/gpt-oss-120b" };
const GROQ_OLD: ModelTarget = { provider: "groq", model: "llama-3.3-70b-versatile" };
const OPENAI: ModelTarget = { provider: "openai", model: "gpt-4.1-mini" };

function fail(
  target: ModelTarget,
  code: ProviderErrorCode,
  status: number | null,
  extra: { retryable?: boolean; retryAfterMs?: number } = {},
): ProviderError {
  const retryable = extra.retryable ??
    ["rate_limited", "capacity_exceeded", "upstream_unavailable", "upstream_timeout"].includes(
      code,
    );
  return new ProviderError({
    ...target,
    code,
    status,
    retryable,
    retryAfterMs: extra.retryAfterMs,
  });
}

/** A fake clock: `sleep` advances `now` and records each wait. */
function fakeClock() {
  let t = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: (ms: number) => {
      sleeps.push(ms);
      t += ms;
      return Promise.resolve();
    },
  };
}

/** Plays a script of outcomes per model: an Error is thrown, anything else returned. */
function scripted(script: Record<string, unknown[]>) {
  const calls: string[] = [];
  const fn = (target: ModelTarget) => {
    calls.push(`${target.provider}:${target.model}`);
    const next = script[`${target.provider}:${target.model}`]?.shift();
    if (next instanceof Error) return Promise.reject(next);
    return Promise.resolve(next ?? "answer");
  };
  return { fn, calls };
}

function options<T>(
  clock: ReturnType<typeof fakeClock>,
  reports: AttemptReport<T>[],
  extra: RoutingOptions<T> = {},
) {
  return {
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0,
    onAttempt: (r: AttemptReport<T>) => {
      reports.push(r);
    },
    onWarning: () => {},
    ...extra,
  };
}

Deno.test("a 429 is retried after exactly the advertised retry-after", async () => {
  const clock = fakeClock();
  const reports: AttemptReport<unknown>[] = [];
  const { fn, calls } = scripted({
    "groq:openai/gpt-oss-120b": [fail(GROQ, "rate_limited", 429, { retryAfterMs: 3_000 }), "ok"],
  });
  const result = await runWithFallback([GROQ, OPENAI], fn, options(clock, reports));
  assert.deepEqual(clock.sleeps, [3_000]);
  assert.deepEqual(calls, ["groq:openai/gpt-oss-120b", "groq:openai/gpt-oss-120b"]);
  assert.ok(result.ok);
  assert.equal(result.value, "ok");
  assert.equal(result.attempts, 2);
  assert.equal(result.fallbackUsed, false);
  assert.deepEqual(reports.map((r) => [r.attempt, r.outcome, r.errorCode]), [
    [1, "error", "rate_limited"],
    [2, "success", undefined],
  ]);
});

Deno.test("a retry-after beyond the cap moves to the next model instead of sleeping", async () => {
  const clock = fakeClock();
  const { fn, calls } = scripted({
    "groq:openai/gpt-oss-120b": [fail(GROQ, "rate_limited", 429, { retryAfterMs: 179_560 })],
  });
  const result = await runWithFallback([GROQ, OPENAI], fn, options(clock, []));
  assert.deepEqual(clock.sleeps, []);
  assert.deepEqual(calls, ["groq:openai/gpt-oss-120b", "openai:gpt-4.1-mini"]);
  assert.ok(result.ok && result.fallbackUsed && result.provider === "openai");
});

Deno.test("5xx without a hint backs off exponentially, then falls back to OpenAI", async () => {
  const clock = fakeClock();
  const reports: AttemptReport<unknown>[] = [];
  const e503 = () => fail(GROQ, "upstream_unavailable", 503);
  const { fn, calls } = scripted({ "groq:openai/gpt-oss-120b": [e503(), e503(), e503()] });
  const result = await runWithFallback([GROQ, OPENAI], fn, options(clock, reports));
  // retries 1 and 2 with random() = 0: 500/2 = 250, 1000/2 = 500
  assert.deepEqual(clock.sleeps, [250, 500]);
  assert.equal(calls.length, 4);
  assert.ok(result.ok);
  assert.equal(result.provider, "openai");
  assert.equal(result.model, "gpt-4.1-mini");
  assert.equal(result.attempts, 4);
  assert.equal(result.fallbackUsed, true);
  assert.deepEqual(reports.map((r) => r.attempt), [1, 2, 3, 4]);
});

Deno.test("a 400 is not retried and does not fall back", async () => {
  const clock = fakeClock();
  const reports: AttemptReport<unknown>[] = [];
  const { fn, calls } = scripted({ "groq:openai/gpt-oss-120b": [fail(GROQ, "bad_request", 400)] });
  const result = await runWithFallback([GROQ, OPENAI], fn, options(clock, reports));
  assert.deepEqual(calls, ["groq:openai/gpt-oss-120b"]);
  assert.deepEqual(clock.sleeps, []);
  assert.equal(result.ok, false);
  assert.ok(!result.ok);
  assert.equal(result.failure.code, "upstream_rejected");
  assert.equal(result.failure.status, 502);
  assert.equal(result.attempts, 1);
  assert.equal(reports.length, 1);
});

Deno.test("a decommissioned model moves to the next candidate with a warning", async () => {
  const clock = fakeClock();
  const warnings: string[] = [];
  const { fn, calls } = scripted({
    "groq:llama-3.3-70b-versatile": [
      fail(GROQ_OLD, "model_decommissioned", 400, { retryable: false }),
    ],
  });
  const result = await runWithFallback([GROQ_OLD, GROQ, OPENAI], fn, {
    ...options(clock, []),
    onWarning: (w) => warnings.push(`${w.code}:${w.model}`),
  });
  assert.deepEqual(calls, ["groq:llama-3.3-70b-versatile", "groq:openai/gpt-oss-120b"]);
  assert.deepEqual(warnings, ["model_decommissioned:llama-3.3-70b-versatile"]);
  assert.ok(result.ok && result.model === "openai/gpt-oss-120b" && result.attempts === 2);
  assert.deepEqual(clock.sleeps, []);
});

Deno.test("when every model is gone the failure is 503 no_model_available", async () => {
  const clock = fakeClock();
  const { fn } = scripted({
    "groq:llama-3.3-70b-versatile": [fail(GROQ_OLD, "model_not_found", 404, { retryable: false })],
  });
  const result = await runWithFallback([GROQ_OLD], fn, options(clock, []));
  assert.ok(!result.ok);
  assert.equal(result.failure.code, "no_model_available");
  assert.equal(result.failure.status, 503);
});

Deno.test("exhausted rate limits fail as 429 with the longest advertised wait", async () => {
  const clock = fakeClock();
  const rl = (t: ModelTarget, ms: number) => fail(t, "rate_limited", 429, { retryAfterMs: ms });
  const { fn } = scripted({
    "groq:openai/gpt-oss-120b": [rl(GROQ, 20_000)],
    "openai:gpt-4.1-mini": [rl(OPENAI, 1_200), rl(OPENAI, 1_200), rl(OPENAI, 1_200)],
  });
  const result = await runWithFallback([GROQ, OPENAI], fn, options(clock, []));
  assert.ok(!result.ok);
  assert.equal(result.failure.code, "rate_limited");
  assert.equal(result.failure.status, 429);
  assert.equal(result.failure.retryAfterSeconds, 20);
  assert.deepEqual(clock.sleeps, [1_200, 1_200]);
  assert.equal(result.attempts, 4);
});

Deno.test("a wait that would pass the deadline is not slept: deadline_exceeded", async () => {
  const clock = fakeClock();
  const { fn } = scripted({
    "openai:gpt-4.1-mini": [fail(OPENAI, "rate_limited", 429, { retryAfterMs: 5_000 })],
  });
  const result = await runWithFallback([OPENAI], fn, { ...options(clock, []), deadlineMs: 4_000 });
  assert.deepEqual(clock.sleeps, []);
  assert.ok(!result.ok);
  assert.equal(result.failure.code, "deadline_exceeded");
  assert.equal(result.failure.status, 504);
});

Deno.test("a hanging attempt is cut at the deadline and reported as a timeout", async () => {
  const reports: AttemptReport<unknown>[] = [];
  const seenSignals: AbortSignal[] = [];
  const started = Date.now();
  const result = await runWithFallback(
    [GROQ, OPENAI],
    (_t, { signal }) => {
      seenSignals.push(signal);
      return new Promise(() => {}); // never settles and ignores the signal
    },
    {
      deadlineMs: 150,
      attemptTimeoutMs: 10_000,
      onAttempt: (r) => void reports.push(r),
      onWarning: () => {},
    },
  );
  const elapsed = Date.now() - started;
  assert.ok(!result.ok);
  assert.equal(result.failure.code, "deadline_exceeded");
  assert.ok(elapsed >= 140 && elapsed < 2_000, `took ${elapsed} ms`);
  assert.equal(reports.length, 1);
  assert.equal(reports[0].errorCode, "upstream_timeout");
  assert.ok(seenSignals[0].aborted, "the attempt's signal was aborted");
});

Deno.test("an attempt timeout moves to the next model when there is one", async () => {
  const calls: string[] = [];
  const result = await runWithFallback(
    [GROQ, OPENAI],
    (t) => {
      calls.push(t.provider);
      return t.provider === "groq" ? new Promise(() => {}) : Promise.resolve("from openai");
    },
    { attemptTimeoutMs: 50, deadlineMs: 5_000, onWarning: () => {} },
  );
  assert.deepEqual(calls, ["groq", "openai"]);
  assert.ok(result.ok && result.value === "from openai" && result.fallbackUsed);
});

Deno.test("the caller's abort stops routing at once", async () => {
  const controller = new AbortController();
  const reports: AttemptReport<unknown>[] = [];
  setTimeout(() => controller.abort(), 30);
  const result = await runWithFallback([GROQ, OPENAI], () => new Promise(() => {}), {
    signal: controller.signal,
    onAttempt: (r) => void reports.push(r),
  });
  assert.ok(!result.ok);
  assert.equal(result.failure.code, "aborted");
  assert.equal(reports.length, 1);
  assert.equal(reports[0].errorCode, "aborted");
});

Deno.test("a partial value ends routing and is reported as partial", async () => {
  const reports: AttemptReport<{ partial: boolean }>[] = [];
  const result = await runWithFallback(
    [GROQ, OPENAI],
    () => Promise.resolve({ partial: true }),
    { onAttempt: (r) => void reports.push(r) },
  );
  assert.ok(result.ok && result.partial);
  assert.deepEqual(reports.map((r) => r.outcome), ["partial"]);
});

Deno.test("a failed attempt that spent tokens is reported as partial with its usage", async () => {
  const clock = fakeClock();
  const reports: AttemptReport<unknown>[] = [];
  const cut = new ProviderError({
    ...GROQ,
    status: null,
    code: "stream_interrupted",
    retryable: true,
    usage: { prompt_tokens: 10, completion_tokens: 0 },
  });
  const { fn } = scripted({ "groq:openai/gpt-oss-120b": [cut, "ok"] });
  const result = await runWithFallback([GROQ], fn, options(clock, reports));
  assert.ok(result.ok);
  assert.deepEqual(reports.map((r) => r.outcome), ["partial", "success"]);
  assert.deepEqual(reports[0].error?.usage, { prompt_tokens: 10, completion_tokens: 0 });
});

Deno.test("a bug in the attempt function is reported, then rethrown", async () => {
  const reports: AttemptReport<unknown>[] = [];
  await assert.rejects(
    runWithFallback([GROQ], () => Promise.reject(new TypeError("oops")), {
      onAttempt: (r) => void reports.push(r),
    }),
    TypeError,
  );
  assert.equal(reports[0].errorCode, "internal_error");
});

Deno.test("a throwing onAttempt never fails the request", async () => {
  const result = await runWithFallback([GROQ], () => Promise.resolve(1), {
    onAttempt: () => {
      throw new Error("ledger down");
    },
  });
  assert.ok(result.ok && result.value === 1);
});

Deno.test("no candidates at all is 503 no_model_available", async () => {
  const result = await runWithFallback([], () => Promise.resolve(1));
  assert.ok(!result.ok);
  assert.equal(result.failure.code, "no_model_available");
  assert.equal(result.attempts, 0);
});

Deno.test("a retired model's replacement is tried next when it is not listed", async () => {
  const clock = fakeClock();
  const { fn, calls } = scripted({
    "groq:llama-3.3-70b-versatile": [
      fail(GROQ_OLD, "model_decommissioned", 400, { retryable: false }),
    ],
  });
  const result = await runWithFallback([GROQ_OLD, OPENAI], fn, {
    ...options(clock, []),
    replacementFor: (t) => (t.model === GROQ_OLD.model ? GROQ : undefined),
  });
  assert.deepEqual(calls, ["groq:llama-3.3-70b-versatile", "groq:openai/gpt-oss-120b"]);
  assert.ok(result.ok && result.model === GROQ.model && result.fallbackUsed);
});

Deno.test("a 413 is not retried but moves to the next model; on the last one it fails as 413", async () => {
  const clock = fakeClock();
  const reports: AttemptReport<unknown>[] = [];
  const { fn, calls } = scripted({
    "groq:openai/gpt-oss-120b": [fail(GROQ, "payload_too_large", 413)],
  });
  const result = await runWithFallback([GROQ, OPENAI], fn, options(clock, reports));
  assert.deepEqual(calls, ["groq:openai/gpt-oss-120b", "openai:gpt-4.1-mini"]);
  assert.deepEqual(clock.sleeps, []);
  assert.ok(result.ok && result.fallbackUsed);

  const last = scripted({ "openai:gpt-4.1-mini": [fail(OPENAI, "payload_too_large", 413)] });
  const alone = await runWithFallback([OPENAI], last.fn, options(fakeClock(), []));
  assert.deepEqual(last.calls, ["openai:gpt-4.1-mini"]);
  assert.ok(!alone.ok);
  assert.equal(alone.failure.status, 413);
});
