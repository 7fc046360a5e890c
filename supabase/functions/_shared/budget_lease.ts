// A per-worker budget lease: one reservation that pays for several requests of one student.
//
// Every AI request reserves the most it can cost before its provider call (request.ts). That is a
// database round trip in front of every answer: in `npm run bench:peer` it was the largest step
// of process-chat's own time (budget 1.9 ms of 5.1 ms added at p50). When a student sends several
// requests close together (a conversation, a retry, a page that asks twice), the worker that
// serves them reserves `requests` ceilings at once — an ordinary hold in
// `ai_private.budget_reservations` — and the next requests draw from it locally. The lease is
// settled once, with what its requests cost together, when it stops taking requests and the last
// of them has finished; its requests' ledger rows name it (`budget_reservation_id`), so the budget
// counts them once, exactly as a request's own hold does.
//
// What it changes, and the bound (tested in budget_lease_test.ts and
// tests/functions/process-chat/10_budget_lease_test.ts):
//   - The limit is never passed: a lease is a hold, and a request draws its full ceiling from it.
//   - When a lease has room for one more request, its successor is reserved in the background, so
//     a student's steady stream of requests never waits for the database (the request that opens
//     the first lease does). So at most two leases per student are open on a worker. That
//     reservation, and a closing lease's settle, start on the event loop's next turn after the
//     request that made them due has answered (`afterAnswer`): run during the request, the
//     database's reply and its handling landed on the request's own provider call (docs/
//     PERFORMANCE.md, "Third session").
//   - A lease takes new requests for `drawMs` after it was granted, and at most `requests` of them
//     whatever their size, then stops. A limit that an operator lowers (or sets to 0), or spend
//     recorded elsewhere (record-ai-operation), while leases are open takes effect for that
//     student on that worker after at most `2 × requests − 1` more answers within `drawMs`, and
//     never more money than the leases' unused ceilings (each lease holds `requests` ceilings of
//     the request that opened it). That is the overshoot against the new limit; with the defaults
//     (4 requests, 2 s) at most 7 curator answers within 2 s. (Until 2026-12-06 the count was not
//     capped: a lease opened by a long conversation's ceiling could serve many more short
//     questions within its money; the generated-sequence test found it for ~1 seed in 80.)
//   - The unused part of a lease counts as held until it closes: at most `idleMs` after its last
//     request finished. A request of the same student on another worker that finds no room waits
//     for holds to settle (request.ts, up to 8 s), so it only waits, never fails, because of it.
//   - A student whose budget has no room for a whole lease gets exact per-request holds, as before
//     (and no lease is tried again for `drawMs`): near the limit nothing changes.
//   - If the worker dies, a lease expires like every hold (150 s) and then counts the ledger rows
//     it paid for; at shutdown it is settled at what it can have spent (runtime.ts).
//   - Leases are kept per worker, student and platform; other students never share one.
//   - What it pays for: only students who send requests within `drawMs` of each other. A student
//     who asks once a minute gets one lease per request (one reservation and one settle, as
//     without leases), so spread-out traffic still pays the reservation's round trip.
// AI_BUDGET_LEASE_REQUESTS=1 (or 0) turns leases off: every request holds its own reservation.
import {
  addDecimal,
  compareDecimal,
  formatDecimal,
  multiplyDecimal,
  subtractDecimal,
} from "./ai/decimal.ts";
import { type BudgetHold, openHolds, reserveBudget, reserveOnce } from "./request.ts";
import type { Runtime } from "./runtime.ts";

export interface LeaseOptions {
  /** How many ceilings of the request that opens a lease it reserves (≤ 1: no leases). */
  requests: number;
  /** A lease takes new requests for this long after it was granted. */
  drawMs: number;
  /** A lease with no request running closes after this long without a new one. */
  idleMs: number;
}

export const DEFAULT_LEASE: LeaseOptions = { requests: 4, drawMs: 2_000, idleMs: 250 };
/** No lease is kept past this: every hold expires 150 s after it was taken, and a request that
 * draws at the end of the window may run 140 s (the request clock). */
export const MAX_LEASE_DRAW_MS = 10_000;

/** AI_BUDGET_LEASE_REQUESTS, AI_BUDGET_LEASE_MS, AI_BUDGET_LEASE_IDLE_MS; unset = defaults. */
export function leaseOptionsFromEnv(env: Record<string, string | undefined>): LeaseOptions {
  const num = (v: string | undefined, fallback: number) => {
    const n = v === undefined || v === "" ? NaN : Number(v);
    return Number.isFinite(n) && n >= 0 ? n : fallback;
  };
  return {
    requests: Math.floor(num(env.AI_BUDGET_LEASE_REQUESTS, DEFAULT_LEASE.requests)),
    drawMs: Math.min(MAX_LEASE_DRAW_MS, num(env.AI_BUDGET_LEASE_MS, DEFAULT_LEASE.drawMs)),
    idleMs: Math.min(MAX_LEASE_DRAW_MS, num(env.AI_BUDGET_LEASE_IDLE_MS, DEFAULT_LEASE.idleMs)),
  };
}

interface Lease {
  reservationId: string;
  grantedAt: number;
  /** Ceilings not drawn yet. */
  leftUsd: string;
  /** What finished requests cost. */
  spentUsd: string;
  /** Ceilings of the requests still running. */
  runningUsd: string;
  running: number;
  /** Requests drawn so far: never more than `requests`, whatever their size (the bound counts
   * answers, and a lease opened by a long request would otherwise serve many short ones). */
  drawn: number;
  drawing: boolean;
  closed: boolean;
  idle?: { timer: ReturnType<typeof setTimeout>; done: () => void };
}

export interface BudgetLeases {
  /** A hold for one request: drawn from this worker's lease for the student when one has room,
   * else a new lease, else (no room for a lease) the request's own reservation. */
  reserve(
    a: { userId: string; platform: string; requestId: string; amountUsd: string },
  ): Promise<BudgetHold>;
}

type ReserveArgs = Parameters<BudgetLeases["reserve"]>[0];

type LeaseRuntime = Pick<Runtime, "store" | "waitUntil" | "log"> & {
  sleep?: (ms: number) => Promise<void>;
  /** Milliseconds, monotonic (default `performance.now`). */
  clock?: () => number;
};

/**
 * @example const leases = createBudgetLeases(rt, leaseOptionsFromEnv(rt.env));
 *          const hold = await leases.reserve({ userId, platform, requestId, amountUsd });
 */
export function createBudgetLeases(rt: LeaseRuntime, opts: LeaseOptions): BudgetLeases {
  const clock = rt.clock ?? (() => performance.now());
  /** The lease each student's requests draw from, and the one opened ahead to follow it. */
  const current = new Map<string, Lease>();
  const next = new Map<string, Lease>();
  const opening = new Map<string, Promise<void>>();
  /** Students refused a whole lease: exact holds until then. */
  const noLeaseUntil = new Map<string, number>();

  function close(key: string, lease: Lease) {
    if (lease.closed) return;
    lease.closed = true;
    cancelIdle(lease);
    if (current.get(key) === lease) current.delete(key);
    if (next.get(key) === lease) next.delete(key);
    openHolds.delete(lease.reservationId);
    afterAnswer(() =>
      rt.store.settleBudget(lease.reservationId, lease.spentUsd).catch((e) =>
        rt.log(JSON.stringify({
          level: "error",
          msg: "budget lease settle failed",
          reservation_id: lease.reservationId,
          error: String(e),
        }))
      )
    );
  }

  /** Database work a request's answer must not wait for: started on the next turn of the event
   * loop, after the handler has handed its response to the server. */
  function afterAnswer(work: () => Promise<unknown> | undefined) {
    rt.waitUntil(new Promise((go) => setTimeout(go, 0)).then(work));
  }

  /** The lease takes no new request; it is settled once its running ones have finished. */
  function stopDrawing(key: string, lease: Lease) {
    lease.drawing = false;
    if (current.get(key) === lease) current.delete(key);
    if (next.get(key) === lease) next.delete(key);
    if (lease.running === 0) close(key, lease);
  }

  /** A lease with no request running closes after idleMs unless a request draws first. The
   * timer is background work the runtime waits for, so the lease is settled before the worker
   * is dropped. */
  function armIdle(key: string, lease: Lease) {
    cancelIdle(lease);
    rt.waitUntil(
      new Promise<void>((done) => {
        lease.idle = {
          timer: setTimeout(() => {
            lease.idle = undefined;
            done();
            stopDrawing(key, lease);
          }, opts.idleMs),
          done,
        };
      }),
    );
  }

  function cancelIdle(lease: Lease) {
    if (!lease.idle) return;
    clearTimeout(lease.idle.timer);
    lease.idle.done();
    lease.idle = undefined;
  }

  const fits = (lease: Lease, amountUsd: string, times = 1) =>
    lease.drawing && lease.drawn + times <= opts.requests &&
    clock() - lease.grantedAt < opts.drawMs &&
    compareDecimal(lease.leftUsd, formatDecimal(multiplyDecimal(amountUsd, String(times)), 10)) >=
      0;

  function draw(key: string, lease: Lease, a: ReserveArgs): BudgetHold {
    const amountUsd = a.amountUsd;
    cancelIdle(lease);
    lease.leftUsd = formatDecimal(subtractDecimal(lease.leftUsd, amountUsd), 10);
    lease.runningUsd = formatDecimal(addDecimal(lease.runningUsd, amountUsd), 10);
    lease.running++;
    lease.drawn++;
    // The lease has room for one more request of this size at most: open its successor in the
    // background once this request has answered, so that the request after next does not wait
    // for the database.
    const successor = !fits(lease, amountUsd, 2) && !next.has(key) && !opening.has(key) &&
      clock() - lease.grantedAt < opts.drawMs / 2;
    let settled = false;
    return {
      reservationId: lease.reservationId,
      settle(actualUsd) {
        if (settled) return;
        settled = true;
        lease.spentUsd = formatDecimal(addDecimal(lease.spentUsd, actualUsd), 10);
        lease.runningUsd = formatDecimal(subtractDecimal(lease.runningUsd, amountUsd), 10);
        lease.running--;
        if (successor) {
          // Unless the lease was drawn out meanwhile (the request that found it full opened
          // the next one itself) or a successor is already there or on its way.
          afterAnswer(() => {
            if (current.get(key) !== lease || !lease.drawing || next.has(key) || opening.has(key)) {
              return;
            }
            return openOnce(key, a).catch(() => {});
          });
        }
        if (lease.running > 0) return;
        if (!lease.drawing) close(key, lease);
        else armIdle(key, lease);
      },
    };
  }

  /** Opens a lease for `key` (one opening at a time): the current one if there is none, else the
   * next. A refusal (no room for a whole lease) means exact holds for drawMs. */
  function openOnce(key: string, a: ReserveArgs): Promise<void> {
    const pending = opening.get(key);
    if (pending) return pending;
    const p = open(key, a).finally(() => opening.delete(key));
    opening.set(key, p);
    return p;
  }

  async function open(key: string, a: ReserveArgs): Promise<void> {
    const amountUsd = formatDecimal(multiplyDecimal(a.amountUsd, String(opts.requests)), 10);
    const r = await reserveOnce(rt, { ...a, requestId: crypto.randomUUID(), amountUsd });
    if (!r.ok || !r.reservationId) {
      noLeaseUntil.set(key, clock() + opts.drawMs);
      if (noLeaseUntil.size > 10_000) {
        for (const [k, until] of noLeaseUntil) if (until <= clock()) noLeaseUntil.delete(k);
      }
      return;
    }
    const lease: Lease = {
      reservationId: r.reservationId,
      grantedAt: clock(),
      leftUsd: amountUsd,
      spentUsd: "0",
      runningUsd: "0",
      running: 0,
      drawn: 0,
      drawing: true,
      closed: false,
    };
    // At shutdown: what finished requests cost plus what running ones may still spend.
    openHolds.set(
      lease.reservationId,
      () => formatDecimal(addDecimal(lease.spentUsd, lease.runningUsd), 10),
    );
    if (current.has(key)) next.set(key, lease);
    else current.set(key, lease);
    armIdle(key, lease);
  }

  return {
    async reserve(a) {
      if (opts.requests <= 1) return await reserveBudget(rt, a);
      const key = `${a.userId}:${a.platform}`;
      // At most a few turns: the current lease, its successor, another request's opening, ours.
      for (let turn = 0; turn < 4; turn++) {
        const lease = current.get(key);
        if (lease) {
          if (fits(lease, a.amountUsd)) return draw(key, lease, a);
          stopDrawing(key, lease);
        }
        const successor = next.get(key);
        if (successor) {
          next.delete(key);
          current.set(key, successor);
          continue;
        }
        if (opening.has(key)) {
          await opening.get(key)!.catch(() => {});
          continue;
        }
        if ((noLeaseUntil.get(key) ?? -Infinity) > clock()) break;
        noLeaseUntil.delete(key);
        await openOnce(key, a);
        if (!current.has(key)) break;
      }
      // No room for a lease (or a busy turn): the request's own reservation, with its waiting
      // for other holds and its exact refusals.
      return await reserveBudget(rt, a);
    },
  };
}
