// Request-level steps every AI function takes around its provider calls: idempotency (a retried
// request returns the first result without a second call or charge) and the budget (reserve the
// most a call can cost before it, settle the real cost after).
import { calculateCost } from "./ai/cost.ts";
import { compareDecimal, formatDecimal } from "./ai/decimal.ts";
import type { ModelTarget } from "./ai/providers.ts";
import { type ControlStore, type Reservation, StoreTimeoutError } from "./db.ts";
import { answerHeaders } from "./http/cors.ts";
import { HttpError } from "./http/errors.ts";
import type { StepTimer } from "./http/timing.ts";
import type { Runtime } from "./runtime.ts";

const MAX_KEY_LENGTH = 255;

/** SHA-256 hex of a request's bytes: the same Idempotency-Key with another body is refused. */
export async function requestHash(bytes: Uint8Array | string): Promise<string> {
  const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  const digest = await crypto.subtle.digest("SHA-256", data as BufferSource);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

export interface IdempotencyScope {
  key: string;
  userId: string;
  fn: string;
}

/** The Idempotency-Key header, validated; null when absent. */
export function idempotencyKey(req: Request): string | null {
  const key = req.headers.get("idempotency-key");
  if (key === null) return null;
  if (key.length === 0 || key.length > MAX_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(key)) {
    throw new HttpError("invalid_request", "The Idempotency-Key header is not valid.", {
      hint: `Use 1–${MAX_KEY_LENGTH} visible ASCII characters, e.g. a UUID.`,
    });
  }
  return key;
}

/**
 * Starts an idempotent request. Returns the stored response to replay, or null to go on.
 * Throws 409 while the first request is still running or when the key was used for another body.
 */
export async function beginIdempotent(
  store: ControlStore,
  scope: IdempotencyScope,
  hash: string,
): Promise<{ status: number; body: unknown } | null> {
  const state = await guard("idempotency", () =>
    store.idempotencyBegin({
      userId: scope.userId,
      fn: scope.fn,
      key: scope.key,
      requestHash: hash,
    }));
  switch (state.state) {
    case "new":
      return null;
    case "done":
      return { status: state.status, body: state.body };
    case "in_progress":
      throw new HttpError(
        "idempotency_conflict",
        "A request with this Idempotency-Key is still being processed.",
        {
          hint: "Wait for the first request to finish, then retry with the same key.",
          retryAfterSeconds: 1,
        },
      );
    case "mismatch":
      throw new HttpError(
        "idempotency_conflict",
        "This Idempotency-Key was already used for a different request.",
        {
          hint: "Use a new key for a new request.",
        },
      );
  }
}

/**
 * Runs a database step the request cannot go on without. If the database does not answer, the
 * request stops with 503 before any provider call: budgets fail closed, never open.
 */
async function guard<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof HttpError) throw err;
    if (isUnknownUser(err)) {
      // A validly signed token of a user Auth no longer has (deleted) or never had: the foreign
      // key to auth.users says so. That is the token's problem, not a reason to retry.
      throw new HttpError("unauthorized", "This account no longer exists.", {
        hint: "Sign in again.",
      });
    }
    // A stalled database (timeout) or an unreachable one: never a provider call without a check.
    console.error(
      JSON.stringify({ level: "error", msg: `${what} store unavailable`, error: String(err) }),
    );
    throw new HttpError("service_unavailable", "The service cannot check your request right now.", {
      hint: "Retry in a few seconds.",
      retryAfterSeconds: 2,
    });
  }
}

/**
 * A foreign-key violation on a user id (Postgres 23503), from either control store: the Postgres
 * driver's error code, or the code in the Data API's JSON error text.
 */
function isUnknownUser(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (e?.code === "23503") return true;
  return typeof e?.message === "string" && /"code"\s*:\s*"23503"/.test(e.message);
}

/** What a retry of a key whose answer could not be stored gets, for the key's whole life. */
export const NOT_REPLAYABLE_STATUS = 409;
export function notReplayableBody() {
  return {
    error: {
      code: "idempotency_not_replayable" as const,
      message: "This request was already answered and charged, but its answer cannot be replayed.",
      hint: "Nothing was charged again. Send a new request with a new Idempotency-Key for a new " +
        "answer.",
    },
  };
}

/**
 * Stores the result of an idempotent request. Never throws: the student has been answered (and
 * charged). If the answer itself cannot be stored (a value Postgres refuses), the key is still
 * completed — as "done, not replayable" — so a retry gets 409 `idempotency_not_replayable` and
 * never a second provider call or charge. Only when the database is unreachable is the key left
 * to its lease, and that is logged.
 */
export async function completeIdempotent(
  rt: Pick<Runtime, "store" | "log">,
  scope: IdempotencyScope,
  status: number,
  body: unknown,
): Promise<void> {
  try {
    await rt.store.idempotencyComplete({ ...scope, status, body });
    return;
  } catch (err) {
    if (err instanceof StoreTimeoutError) {
      // The database did not answer: a second write would only wait again. The lease ends it.
      rt.log(JSON.stringify({
        level: "error",
        msg: "idempotency complete failed",
        key: scope.key,
        error: String(err),
      }));
      return;
    }
    rt.log(JSON.stringify({
      level: "warn",
      msg: "idempotent answer not storable; completing the key as not replayable",
      key: scope.key,
      error: String(err).slice(0, 300),
    }));
  }
  try {
    await rt.store.idempotencyComplete({
      ...scope,
      status: NOT_REPLAYABLE_STATUS,
      body: notReplayableBody(),
    });
  } catch (err) {
    rt.log(
      JSON.stringify({
        level: "error",
        msg: "idempotency complete failed",
        key: scope.key,
        error: String(err),
      }),
    );
  }
}

/**
 * The 200 of a finished request: its result stored for idempotent replays (when a key was sent),
 * then the JSON answer with the request id and, when given, Server-Timing.
 */
export async function answerJson(
  rt: Pick<Runtime, "store" | "log">,
  idem: IdempotencyScope | null,
  requestId: string,
  body: unknown,
  timer?: StepTimer,
): Promise<Response> {
  if (idem) await completeIdempotent(rt, idem, 200, body);
  timer?.mark("respond");
  const headers: Record<string, string> = { ...answerHeaders, "x-request-id": requestId };
  if (timer) headers["server-timing"] = timer.header();
  return Response.json(body, { headers });
}

/** A JSON response replayed from the idempotency store. */
export function replayResponse(stored: { status: number; body: unknown }): Response {
  return new Response(JSON.stringify(stored.body), {
    status: stored.status,
    headers: {
      ...answerHeaders,
      "content-type": "application/json",
      "idempotent-replayed": "true",
    },
  });
}

/**
 * The most a call can cost: the priciest candidate with the whole prompt uncached and every
 * output token used. This is what the budget reserves.
 */
export function costCeiling(
  candidates: readonly ModelTarget[],
  usage: { inputTokens: number; outputTokens: number } | { audioSeconds: number },
  at: Date,
): string {
  let max = "0";
  for (const c of candidates) {
    let cost: string;
    try {
      cost = "audioSeconds" in usage
        ? calculateCost(c.provider, c.model, { audio_seconds: usage.audioSeconds }, at).cost_usd
        : calculateCost(c.provider, c.model, {
          prompt_tokens: usage.inputTokens,
          completion_tokens: usage.outputTokens,
        }, at).cost_usd;
    } catch {
      continue; // an unpriced candidate is refused by routing's pricing anyway
    }
    if (compareDecimal(cost, max) > 0) max = cost;
  }
  return formatDecimal(max, 10);
}

/**
 * Holds still open in this worker, each with the most it can have spent so far: settled at
 * shutdown (runtime.ts). A request's hold is its reserved amount; a lease's is what its finished
 * requests cost plus the ceilings of those still running (`budget_lease.ts`).
 */
export const openHolds = new Map<string, () => string>();

/** Settles every hold still open at the most it can have spent (the worker is ending). */
export async function settleOpenHolds(rt: Pick<Runtime, "store" | "log">): Promise<void> {
  const holds = [...openHolds];
  openHolds.clear();
  await Promise.all(
    holds.map(([id, spentAtMost]) =>
      rt.store.settleBudget(id, spentAtMost()).catch((e) =>
        rt.log(JSON.stringify({
          level: "error",
          msg: "budget settle at shutdown failed",
          reservation_id: id,
          error: String(e),
        }))
      )
    ),
  );
}

export interface BudgetHold {
  /** The reservation paying for the request: its own, or a lease's (`budget_lease.ts`). */
  readonly reservationId: string;
  /** Settles the reservation with the real cost, in the background. */
  settle(actualUsd: string): void;
}

type ReserveArgs = { userId: string; platform: string; requestId: string; amountUsd: string };
type ReserveRuntime = Pick<Runtime, "store" | "waitUntil" | "log"> & {
  sleep?: (ms: number) => Promise<void>;
};

/**
 * One reservation call, as a request needs it: a database that does not answer is 503 (never a
 * provider call without a check), an unknown user 401, and a reservation that timed out but may
 * still land is given back in the background.
 */
export function reserveOnce(rt: ReserveRuntime, a: ReserveArgs): Promise<Reservation> {
  const sleep = rt.sleep ?? ((ms: number) => new Promise<void>((res) => setTimeout(res, ms)));
  return guard("budget", () =>
    rt.store.reserveBudget(a).catch((e) => {
      if (e instanceof StoreTimeoutError) rt.waitUntil(undoLateReservation(rt, a, sleep));
      throw e;
    }));
}

/** How long a request waits for the user's other running requests to settle their holds. */
export const HOLD_WAIT_MS = 8_000;
const HOLD_POLL_MS = 150;

/** True when the refusal is only other running requests' holds: the spend itself leaves room. */
export function blockedByHolds(
  r: { limitUsd: string | null; usedUsd: string | null; heldUsd?: string | null },
  amountUsd: string,
): boolean {
  if (r.limitUsd == null || r.usedUsd == null || r.heldUsd == null) return false;
  const held = Number(r.heldUsd);
  return held > 0 && Number(r.usedUsd) - held + Number(amountUsd) <= Number(r.limitUsd);
}

/**
 * Reserves `amountUsd` of the user's budget (the most the call can cost, so the limit is never
 * passed). When only the holds of the user's other running requests stand in the way, waits for
 * them to settle (up to {@link HOLD_WAIT_MS}; settled holds are usually far below their
 * reservation), then answers 429 `rate_limited` with a Retry-After of seconds. Only when the spend
 * itself has reached the limit is it 429 `budget_exceeded` until the period resets.
 */
export async function reserveBudget(rt: ReserveRuntime, a: ReserveArgs): Promise<BudgetHold> {
  const sleep = rt.sleep ?? ((ms: number) => new Promise<void>((res) => setTimeout(res, ms)));
  const waitUntilMs = Date.now() + HOLD_WAIT_MS;
  let r = await reserveOnce(rt, a);
  while (!r.ok && blockedByHolds(r, a.amountUsd) && Date.now() < waitUntilMs) {
    await sleep(HOLD_POLL_MS);
    r = await reserveOnce(rt, a);
  }
  if (!r.ok || !r.reservationId) {
    if (
      r.limitUsd != null && compareDecimal(String(r.limitUsd), "0") > 0 &&
      compareDecimal(a.amountUsd, String(r.limitUsd)) > 0
    ) {
      // No reset would let this through: say so, rather than "renews in 611 h". Nothing is held.
      // (A limit of 0 is a student with no budget at all: that stays 429 budget_exceeded.)
      const period = r.period === "day" ? "daily" : r.period === "month" ? "monthly" : r.period;
      throw new HttpError(
        "exceeds_whole_budget",
        `This request is larger than your whole ${period} budget.`,
        {
          hint: "Send a shorter recording, a smaller file or a shorter message.",
          details: { period: r.period, limit_usd: r.limitUsd, cost_ceiling_usd: a.amountUsd },
        },
      );
    }
    if (blockedByHolds(r, a.amountUsd)) {
      throw new HttpError("rate_limited", "Your other AI requests are still running.", {
        hint: "Your budget has room: retry when they finish (Retry-After, in seconds).",
        retryAfterSeconds: 2,
        details: { period: r.period, limit_usd: r.limitUsd, used_usd: r.usedUsd },
      });
    }
    throw new HttpError("budget_exceeded", "Your AI budget for this period is used up.", {
      hint: `It renews in ${formatWait(r.retryAfterSeconds)}.`,
      retryAfterSeconds: r.retryAfterSeconds,
      details: { period: r.period, limit_usd: r.limitUsd, used_usd: r.usedUsd },
    });
  }
  const id = r.reservationId;
  let settled = false;
  openHolds.set(id, () => a.amountUsd);
  return {
    reservationId: id,
    settle(actualUsd) {
      if (settled) return;
      settled = true;
      openHolds.delete(id);
      rt.waitUntil(
        rt.store.settleBudget(id, actualUsd).catch((e) =>
          rt.log(
            JSON.stringify({
              level: "error",
              msg: "budget settle failed",
              reservation_id: id,
              error: String(e),
            }),
          )
        ),
      );
    },
  };
}

/** How long a worker keeps trying to give back a reservation that timed out (in the background). */
export const LATE_RESERVATION_UNDO_MS = 60_000;
const LATE_RESERVATION_POLL_MS = 2_000;

/**
 * A reservation that timed out (a stalled database) may still land when the database answers
 * again, and would then hold its amount for 10 minutes with nobody to settle it: the student's
 * next requests would wait for a request that already failed. Reserving again with the same
 * request id returns that reservation (or makes one, taking nothing more), and settling it at 0
 * gives the amount back: the request made no provider call.
 */
async function undoLateReservation(
  rt: Pick<Runtime, "store" | "log">,
  a: { userId: string; platform: string; requestId: string; amountUsd: string },
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  const until = Date.now() + LATE_RESERVATION_UNDO_MS;
  while (Date.now() < until) {
    try {
      const r = await rt.store.reserveBudget(a);
      if (r.ok && r.reservationId) await rt.store.settleBudget(r.reservationId, "0");
      return;
    } catch {
      await sleep(LATE_RESERVATION_POLL_MS);
    }
  }
  rt.log(JSON.stringify({
    level: "error",
    msg: "a timed-out budget reservation could not be given back; it expires by itself",
    request_id: a.requestId,
  }));
}

function formatWait(seconds: number): string {
  if (seconds >= 3600) return `${Math.ceil(seconds / 3600)} h`;
  if (seconds >= 60) return `${Math.ceil(seconds / 60)} min`;
  return `${Math.max(1, seconds)} s`;
}

/** Maps a routing failure to the client error (provider text never reaches the client). */
export function upstreamError(
  failure: { code: string; message: string; status: number; retryAfterSeconds?: number },
): HttpError {
  switch (failure.code) {
    case "rate_limited":
      return new HttpError("rate_limited", "The AI service is busy right now.", {
        hint: "Retry after the time in Retry-After.",
        retryAfterSeconds: failure.retryAfterSeconds ?? 5,
      });
    case "upstream_timeout":
    case "deadline_exceeded":
      return new HttpError("upstream_timeout", "The AI service took too long to answer.", {
        hint: "Retry in a moment.",
      });
    case "payload_too_large":
      return new HttpError("payload_too_large", "The request is too large for the AI model.", {
        hint: "Send less text or a smaller file.",
      });
    case "no_model_available":
      return new HttpError("upstream_unavailable", "No AI model is available for this request.", {
        status: 503,
        hint: "Retry later; the service has been told.",
      });
    default:
      return new HttpError("upstream_unavailable", "The AI service could not answer.", {
        status: failure.status === 503 ? 503 : 502,
        hint: "Retry in a moment.",
      });
  }
}
