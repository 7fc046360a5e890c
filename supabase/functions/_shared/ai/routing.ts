/**
 * Routing: try an ordered list of models until one answers, within one deadline.
 *
 * Policy (why each rule):
 * - 429, 498, 500, 502, 503, 504, connection failures and cut streams are transient: retry the
 *   same model, waiting what the provider advertised (`retry-after`, `x-ratelimit-reset-*`) or
 *   an exponential backoff with jitter, never more than `maxWaitMs` per wait. A provider asking
 *   for longer than that (a spent daily quota says "2m59s") is treated as exhausted for this
 *   request: we go to the next model instead of sleeping.
 * - An attempt that times out moves to the next model when there is one (a hung provider tends
 *   to stay hung, and a second full timeout would eat the deadline); on the last model it is
 *   retried like any transient error.
 * - `model_decommissioned`, `model_not_found`, `unauthorized` and `not_configured` say nothing
 *   about the request, only about that model or key: warn and try the next model. For a retired
 *   model, its replacement (`replacementFor`, the catalog's in `operation.ts`) is tried next when
 *   it is not in the list already: the provider may retire a model before the catalog's date.
 * - A 413 says the request is too large for that provider (Groq takes 4 MB with a base64 image,
 *   OpenAI far more): no retry, but the next model is tried; on the last model it fails as 413.
 * - Other 4xx (400, 422…) would fail the same way anywhere: stop, no retry.
 * - One overall deadline bounds every attempt and every wait; the caller's AbortSignal stops
 *   everything at once.
 */
import {
  type ModelTarget,
  ProviderError,
  type ProviderErrorCode,
  toProviderError,
} from "./providers.ts";
import { OpenAIHttpError } from "./openai_http.ts";
import {
  abortableSleep,
  backoffDelayMs,
  DEFAULT_BASE_DELAY_MS,
  DEFAULT_MAX_WAIT_MS,
} from "./retry.ts";
import { requestTimeLeftMs } from "../request_clock.ts";

/** Default overall deadline: well inside the edge runtime's 150 s wall clock, leaving time to
 * record the operation and answer. */
export const DEFAULT_DEADLINE_MS = 110_000;
/** Default limit for one attempt (response headers for streams, whole answer otherwise). */
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 45_000;
/** Attempts per model, the first one included. */
export const DEFAULT_MAX_ATTEMPTS_PER_CANDIDATE = 3;

export interface AttemptContext {
  /** 1-based across the whole operation (the ledger's `attempt` column). */
  attempt: number;
  /** 1-based within the current candidate. */
  attemptOfCandidate: number;
  /** Fires on the caller's abort, the per-attempt timeout and the overall deadline. */
  signal: AbortSignal;
  /** Time this attempt may take, already capped by the deadline. */
  timeoutMs: number;
}

export type AttemptFn<T> = (candidate: ModelTarget, ctx: AttemptContext) => Promise<T>;

export type AttemptOutcome = "success" | "error" | "partial";

export interface AttemptReport<T> {
  attempt: number;
  provider: ModelTarget["provider"];
  model: string;
  startedAt: Date;
  durationMs: number;
  outcome: AttemptOutcome;
  errorCode?: ProviderErrorCode | "internal_error";
  /** The failed attempt's error (its `usage` is the usage spent before it failed, if known). */
  error?: ProviderError;
  value?: T;
}

export interface RoutingWarning {
  type: "ai_model_skipped";
  provider: ModelTarget["provider"];
  model: string;
  code: ProviderErrorCode;
  message: string;
}

export interface RoutingOptions<T> {
  deadlineMs?: number;
  attemptTimeoutMs?: number;
  maxAttemptsPerCandidate?: number;
  /** Cap on one wait between attempts (default 8 s). */
  maxWaitMs?: number;
  baseDelayMs?: number;
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  random?: () => number;
  /** Called once per attempt, success or not (→ one ledger row). Must not throw; errors are
   * swallowed so that bookkeeping never fails the user's request. */
  onAttempt?: (report: AttemptReport<T>) => void | Promise<void>;
  /** Called when a model is skipped (decommissioned, not found, no key). Defaults to a JSON
   * `console.warn` line. */
  onWarning?: (warning: RoutingWarning) => void;
  /** The model that replaces a retired one (asked on `model_decommissioned` / `model_not_found`);
   * it is tried next unless already listed. */
  replacementFor?: (candidate: ModelTarget) => ModelTarget | undefined;
  /** Says whether a returned value is incomplete (a stream cut after text reached the user).
   * Default: `value.partial === true`. A partial value ends routing: it cannot be retried. */
  isPartial?: (value: T) => boolean;
}

export type RoutingFailureCode =
  | "rate_limited"
  | "upstream_unavailable"
  | "upstream_timeout"
  | "deadline_exceeded"
  | "upstream_rejected"
  | "payload_too_large"
  | "no_model_available"
  | "aborted";

export interface RoutingFailure {
  code: RoutingFailureCode;
  /** Safe for clients: never the provider's text. */
  message: string;
  /** The HTTP status a function should answer with. */
  status: number;
  retryAfterSeconds?: number;
  /** The last provider error, for logs (its `detail` holds the provider body). */
  cause?: ProviderError;
}

export type RoutingResult<T> =
  | {
    ok: true;
    value: T;
    provider: ModelTarget["provider"];
    model: string;
    attempts: number;
    fallbackUsed: boolean;
    partial: boolean;
  }
  | { ok: false; failure: RoutingFailure; attempts: number };

const SKIP_MODEL: ReadonlySet<ProviderErrorCode> = new Set([
  "model_decommissioned",
  "model_not_found",
  "unauthorized",
  "not_configured",
]);

const defaultIsPartial = (value: unknown): boolean =>
  typeof value === "object" && value !== null && (value as { partial?: unknown }).partial === true;

const defaultWarn = (warning: RoutingWarning) => console.warn(JSON.stringify(warning));

/**
 * Runs `attemptFn` over `candidates` in order with retries, fallback and one deadline.
 *
 * @example
 * const result = await runWithFallback(
 *   [{ provider: "groq", model: "openai/gpt-oss-120b" }, { provider: "openai", model: "gpt-4.1-mini" }],
 *   (target, { signal, timeoutMs }) => chatCompletion(clients, target, { messages }, { signal, timeoutMs }),
 *   { signal: req.signal, onAttempt: (a) => console.log(a.attempt, a.outcome) },
 * );
 * if (!result.ok) return errorResponse(result.failure);
 */
export async function runWithFallback<T>(
  candidates: readonly ModelTarget[],
  attemptFn: AttemptFn<T>,
  opts: RoutingOptions<T> = {},
): Promise<RoutingResult<T>> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? abortableSleep;
  // The call's own deadline, cut to what is left of the request's clock (request_clock.ts): every
  // provider call of one request shares it.
  const deadlineAt = now() +
    Math.min(
      opts.deadlineMs ?? DEFAULT_DEADLINE_MS,
      opts.signal ? requestTimeLeftMs(opts.signal) : Infinity,
    );
  const attemptTimeoutMs = opts.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
  const maxAttempts = Math.max(
    1,
    opts.maxAttemptsPerCandidate ?? DEFAULT_MAX_ATTEMPTS_PER_CANDIDATE,
  );
  const maxWaitMs = opts.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const isPartial = opts.isPartial ?? defaultIsPartial;
  const warn = opts.onWarning ?? defaultWarn;
  const signal = opts.signal;

  let attempts = 0;
  let lastError: ProviderError | undefined;
  let longestAdvertisedWaitMs: number | undefined;

  const report = (r: AttemptReport<T>) => {
    try {
      const pending = opts.onAttempt?.(r);
      if (pending && typeof pending.catch === "function") pending.catch(() => {});
    } catch {
      // Bookkeeping must never fail the request.
    }
  };
  const aborted = (): RoutingResult<T> => ({
    ok: false,
    attempts,
    failure: {
      code: "aborted",
      message: "The request was cancelled.",
      status: 499,
      cause: lastError,
    },
  });
  const deadline = (): RoutingResult<T> => ({
    ok: false,
    attempts,
    failure: {
      code: "deadline_exceeded",
      message: "The AI provider did not answer in time.",
      status: 504,
      cause: lastError,
    },
  });

  const queue: ModelTarget[] = [...candidates];
  for (let c = 0; c < queue.length; c++) {
    const candidate = queue[c];
    const hasNext = () => c < queue.length - 1;
    for (let k = 1; k <= maxAttempts; k++) {
      if (signal?.aborted) return aborted();
      const remainingMs = deadlineAt - now();
      if (remainingMs <= 0) return deadline();
      attempts++;
      const timeoutMs = Math.min(attemptTimeoutMs, remainingMs);
      const startedAtMs = now();
      const outcome = await runOneAttempt(candidate, attemptFn, {
        attempt: attempts,
        attemptOfCandidate: k,
        timeoutMs,
        deadlineLimited: timeoutMs < attemptTimeoutMs,
        signal,
      });
      const base = {
        attempt: attempts,
        provider: candidate.provider,
        model: candidate.model,
        startedAt: new Date(startedAtMs),
        durationMs: Math.max(0, Math.round(now() - startedAtMs)),
      };

      if ("value" in outcome) {
        const partial = isPartial(outcome.value);
        report({ ...base, outcome: partial ? "partial" : "success", value: outcome.value });
        return {
          ok: true,
          value: outcome.value,
          provider: candidate.provider,
          model: candidate.model,
          attempts,
          fallbackUsed: c > 0,
          partial,
        };
      }
      if ("bug" in outcome) {
        report({ ...base, outcome: "error", errorCode: "internal_error" });
        throw outcome.bug;
      }

      const error = outcome.error;
      lastError = error;
      report({
        ...base,
        outcome: error.usage ? "partial" : "error",
        errorCode: error.code,
        error,
      });

      if (signal?.aborted) return aborted();
      if (outcome.deadlineHit) return deadline();
      if (SKIP_MODEL.has(error.code)) {
        if (error.code === "model_decommissioned" || error.code === "model_not_found") {
          const replacement = opts.replacementFor?.(candidate);
          if (
            replacement &&
            !queue.some((q) => q.provider === replacement.provider && q.model === replacement.model)
          ) {
            queue.splice(c + 1, 0, replacement);
          }
        }
        warn({
          type: "ai_model_skipped",
          provider: candidate.provider,
          model: candidate.model,
          code: error.code,
          message: `${candidate.provider}:${candidate.model} skipped (${error.code})` +
            (hasNext() ? `; trying ${queue[c + 1].provider}:${queue[c + 1].model}` : ""),
        });
        break;
      }
      if (error.code === "payload_too_large" && hasNext()) break;
      if (!error.retryable) return { ok: false, attempts, failure: failureFrom(error) };
      if (error.code === "upstream_timeout" && hasNext()) break;
      if (k === maxAttempts) break;

      let waitMs: number;
      if (error.retryAfterMs !== undefined) {
        longestAdvertisedWaitMs = Math.max(longestAdvertisedWaitMs ?? 0, error.retryAfterMs);
        if (error.retryAfterMs > maxWaitMs) break; // exhausted for this request: next model
        waitMs = error.retryAfterMs;
      } else {
        waitMs = backoffDelayMs(k, {
          baseDelayMs: opts.baseDelayMs ?? DEFAULT_BASE_DELAY_MS,
          maxWaitMs,
          random: opts.random,
        });
      }
      if (now() + waitMs >= deadlineAt) {
        if (hasNext()) break; // switching models needs no wait
        return deadline();
      }
      try {
        await sleep(waitMs, signal);
      } catch {
        if (signal?.aborted) return aborted();
        throw new Error("sleep failed");
      }
    }
  }

  if (!lastError) {
    return {
      ok: false,
      attempts,
      failure: {
        code: "no_model_available",
        message: "No AI model is configured for this task.",
        status: 503,
      },
    };
  }
  const failure = failureFrom(lastError);
  if (failure.code === "rate_limited" && longestAdvertisedWaitMs !== undefined) {
    failure.retryAfterSeconds = Math.max(1, Math.ceil(longestAdvertisedWaitMs / 1000));
  }
  return { ok: false, attempts, failure };
}

type AttemptOutcomeInternal<T> =
  | { value: T }
  | { error: ProviderError; deadlineHit: boolean }
  | { bug: unknown };

async function runOneAttempt<T>(
  candidate: ModelTarget,
  attemptFn: AttemptFn<T>,
  a: {
    attempt: number;
    attemptOfCandidate: number;
    timeoutMs: number;
    deadlineLimited: boolean;
    signal?: AbortSignal;
  },
): Promise<AttemptOutcomeInternal<T>> {
  const timer = new AbortController();
  const attemptSignal = a.signal ? AbortSignal.any([a.signal, timer.signal]) : timer.signal;
  const timeout = setTimeout(() => {
    timer.abort(
      new ProviderError({
        ...candidate,
        status: null,
        code: "upstream_timeout",
        retryable: true,
        detail: `attempt exceeded ${a.timeoutMs} ms`,
      }),
    );
  }, a.timeoutMs);
  let onAbort: (() => void) | undefined;
  try {
    const running = attemptFn(candidate, {
      attempt: a.attempt,
      attemptOfCandidate: a.attemptOfCandidate,
      signal: attemptSignal,
      timeoutMs: a.timeoutMs,
    });
    running.catch(() => {}); // it may settle after we gave up on it
    // Even an attempt function that ignores the signal cannot outlive the timeout or deadline.
    const stopped = new Promise<never>((_, reject) => {
      onAbort = () => reject(attemptSignal.reason);
      if (attemptSignal.aborted) onAbort();
      else attemptSignal.addEventListener("abort", onAbort, { once: true });
    });
    return { value: await Promise.race([running, stopped]) };
  } catch (err) {
    const timedOut = timer.signal.aborted && !a.signal?.aborted;
    if (err instanceof ProviderError || err instanceof OpenAIHttpError || attemptSignal.aborted) {
      const error = toProviderError(err, candidate, attemptSignal);
      return { error, deadlineHit: timedOut && a.deadlineLimited };
    }
    return { bug: err };
  } finally {
    clearTimeout(timeout);
    if (onAbort) attemptSignal.removeEventListener("abort", onAbort);
  }
}

function failureFrom(error: ProviderError): RoutingFailure {
  const cause = error;
  switch (error.code) {
    case "rate_limited":
    case "capacity_exceeded":
      return {
        code: "rate_limited",
        message: "The AI provider is busy. Try again shortly.",
        status: 429,
        ...(error.retryAfterMs !== undefined
          ? { retryAfterSeconds: Math.max(1, Math.ceil(error.retryAfterMs / 1000)) }
          : {}),
        cause,
      };
    case "upstream_timeout":
      return {
        code: "upstream_timeout",
        message: "The AI provider did not answer in time.",
        status: 504,
        cause,
      };
    case "payload_too_large":
      return {
        code: "payload_too_large",
        message: "The input is too large for the AI model.",
        status: 413,
        cause,
      };
    case "bad_request":
      // Client input is validated before any model call, so a provider 400 means our request
      // and the model disagree: a gateway error, not the client's fault.
      return {
        code: "upstream_rejected",
        message: "The AI provider rejected the request.",
        status: 502,
        cause,
      };
    case "model_decommissioned":
    case "model_not_found":
    case "unauthorized":
    case "not_configured":
      return {
        code: "no_model_available",
        message: "No configured AI model is available.",
        status: 503,
        cause,
      };
    case "aborted":
      return { code: "aborted", message: "The request was cancelled.", status: 499, cause };
    default:
      return {
        code: "upstream_unavailable",
        message: "The AI provider is unavailable.",
        status: 502,
        cause,
      };
  }
}
