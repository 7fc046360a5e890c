/**
 * Retry timing: how long to wait before the next attempt at the same model.
 *
 * Pure: no clock and no randomness of its own (both are passed in), so tests can pin every delay.
 */

/** Upper bound on one wait between attempts. A provider that asks for longer is treated as
 * exhausted for this request (routing moves on to the next candidate instead of sleeping). */
export const DEFAULT_MAX_WAIT_MS = 8_000;
/** First backoff step when the provider gives no hint; doubles per retry. */
export const DEFAULT_BASE_DELAY_MS = 500;

/**
 * Parses a duration as providers send it in rate-limit headers.
 *
 * Groq's `x-ratelimit-reset-*` use Go-style durations ("2m59.56s", "7.66s", "120ms", "1h2m");
 * `retry-after` is a number of seconds ("7", "0.5"). Returns milliseconds, or `undefined` when the
 * value is not understood (an unknown format must not turn into "retry now").
 *
 * @example
 * parseDurationMs("2m59.56s"); // 179560
 * parseDurationMs("120ms");    // 120
 */
export function parseDurationMs(value: string | null | undefined): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (text === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const unitMs: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1, us: 0.001 };
  const part = /(\d+(?:\.\d+)?)(ms|us|h|m|s)/y;
  let total = 0;
  let matched = 0;
  part.lastIndex = 0;
  while (part.lastIndex < text.length) {
    const m = part.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * unitMs[m[2]];
    matched++;
  }
  return matched > 0 ? Math.round(total) : undefined;
}

/** The subset of `Headers` we read (so tests can pass a plain Map-like object). */
export interface HeaderSource {
  get(name: string): string | null;
}

/**
 * How long the provider asked us to wait, in ms, or `undefined` when it did not say.
 *
 * Order: `retry-after-ms` (OpenAI), `retry-after` (seconds or an HTTP date; Groq sends it on 429
 * only), then Groq's `x-ratelimit-reset-requests` / `x-ratelimit-reset-tokens`. For the reset
 * headers we take the one whose budget is spent (`x-ratelimit-remaining-*` = 0); when neither
 * says 0 we take the longer one, since we cannot tell which limit tripped. The reset headers
 * describe the quota window and come on every response, so they are read only for a 429
 * (`rateLimited`); for a 503 they say nothing about when the service is back.
 */
export function retryAfterMsFromHeaders(
  headers: HeaderSource | null | undefined,
  nowMs: number = Date.now(),
  rateLimited = true,
): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get("retry-after-ms");
  if (ms != null && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.round(Number(ms));

  const retryAfter = headers.get("retry-after");
  if (retryAfter != null) {
    const parsed = parseDurationMs(retryAfter);
    if (parsed !== undefined) return parsed;
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - nowMs);
  }

  if (!rateLimited) return undefined;
  const resets: number[] = [];
  const spent: number[] = [];
  for (const kind of ["requests", "tokens"]) {
    const reset = parseDurationMs(headers.get(`x-ratelimit-reset-${kind}`));
    if (reset === undefined) continue;
    resets.push(reset);
    if (headers.get(`x-ratelimit-remaining-${kind}`)?.trim() === "0") spent.push(reset);
  }
  if (spent.length > 0) return Math.max(...spent);
  if (resets.length > 0) return Math.max(...resets);
  return undefined;
}

export interface BackoffOptions {
  baseDelayMs?: number;
  maxWaitMs?: number;
  /** Returns a number in [0, 1); injected for tests. */
  random?: () => number;
}

/**
 * Delay before retry number `retry` (1 = the first retry) when the provider gave no hint:
 * exponential (base, 2×base, 4×base…) capped at `maxWaitMs`, with "equal jitter" (a random point
 * in the upper half) so that many clients failing together do not retry in lockstep.
 */
export function backoffDelayMs(retry: number, opts: BackoffOptions = {}): number {
  const base = opts.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const cap = opts.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const random = opts.random ?? Math.random;
  const exp = Math.min(cap, base * 2 ** Math.max(0, retry - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

/** A sleep that ends early (rejecting with the signal's reason) when `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
