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
//   - A lease takes new requests for `drawMs` after it was granted, then stops. So a limit that an
//     operator lowers (or sets to 0) while a lease is open takes effect for that student on that
//     worker within `drawMs`, after at most the lease's unused ceilings: `requests − 1` requests
//     of the size that opened it. That is the overshoot against the new limit; with the default
//     (4 requests, 2 s) at most 3 curator answers within 2 s.
//   - The lease's unused part counts as held until it closes: at most `idleMs` after its last
//     request finished. A request of the same student on another worker that finds no room waits
//     for holds to settle (request.ts, up to 8 s), so it only waits, never fails, because of it.
//   - A student whose budget has no room for a whole lease gets exact per-request holds, as before
//     (and no lease is tried again for `drawMs`): near the limit nothing changes.
//   - If the worker dies, the lease expires with every hold (150 s) and then counts the ledger
//     rows it paid for; at shutdown it is settled at what it can have spent (runtime.ts).
//   - A lease is kept per worker, student and platform; other students never share it.
// AI_BUDGET_LEASE_REQUESTS=1 (or 0) turns leases off: every request holds its own reservation.
import { compareDecimal, formatDecimal, multiplyDecimal, subtractDecimal } from "./ai/decimal.ts";
import { addDecimal } from "./ai/decimal.ts";
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
  const leases = new Map<string, Lease>();
  const opening = new Map<string, Promise<void>>();
  /** Students refused a whole lease: exact holds until then. */
  const noLeaseUntil = new Map<string, number>();

  function close(key: string, lease: Lease) {
    if (lease.closed) return;
    lease.closed = true;
    if (leases.get(key) === lease) leases.delete(key);
    openHolds.delete(lease.reservationId);
    const spent = lease.spentUsd;
    rt.waitUntil(
      rt.store.settleBudget(lease.reservationId, spent).catch((e) =>
        rt.log(JSON.stringify({
          level: "error",
          msg: "budget lease settle failed",
          reservation_id: lease.reservationId,
          error: String(e),
        }))
      ),
    );
  }

  function stopDrawing(key: string, lease: Lease) {
    lease.drawing = false;
    if (leases.get(key) === lease) leases.delete(key);
    if (lease.running === 0) {
      cancelIdle(lease);
      close(key, lease);
    }
  }

  function cancelIdle(lease: Lease) {
    if (!lease.idle) return;
    clearTimeout(lease.idle.timer);
    lease.idle.done();
    lease.idle = undefined;
  }

  function draw(key: string, lease: Lease, amountUsd: string): BudgetHold {
    cancelIdle(lease);
    lease.leftUsd = formatDecimal(subtractDecimal(lease.leftUsd, amountUsd), 10);
    lease.runningUsd = formatDecimal(addDecimal(lease.runningUsd, amountUsd), 10);
    lease.running++;
    let settled = false;
    return {
      reservationId: lease.reservationId,
      settle(actualUsd) {
        if (settled) return;
        settled = true;
        lease.spentUsd = formatDecimal(addDecimal(lease.spentUsd, actualUsd), 10);
        lease.runningUsd = formatDecimal(subtractDecimal(lease.runningUsd, amountUsd), 10);
        lease.running--;
        if (lease.running > 0) return;
        if (!lease.drawing) return close(key, lease);
        // Idle: close after idleMs unless a request draws first. The timer is background work
        // the runtime must wait for, so the lease is settled before the worker is dropped.
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
      },
    };
  }

  async function open(key: string, a: Parameters<BudgetLeases["reserve"]>[0]): Promise<void> {
    const amountUsd = formatDecimal(multiplyDecimal(a.amountUsd, String(opts.requests)), 10);
    const r = await reserveOnce(rt, { ...a, requestId: crypto.randomUUID(), amountUsd });
    if (!r.ok || !r.reservationId) {
      noLeaseUntil.set(key, clock() + opts.drawMs);
      return;
    }
    const lease: Lease = {
      reservationId: r.reservationId,
      grantedAt: clock(),
      leftUsd: amountUsd,
      spentUsd: "0",
      runningUsd: "0",
      running: 0,
      drawing: true,
      closed: false,
    };
    // At shutdown: what finished requests cost plus what running ones may still spend.
    openHolds.set(
      lease.reservationId,
      () => formatDecimal(addDecimal(lease.spentUsd, lease.runningUsd), 10),
    );
    leases.set(key, lease);
  }

  return {
    async reserve(a) {
      if (opts.requests <= 1) return await reserveBudget(rt, a);
      const key = `${a.userId}:${a.platform}`;
      // At most three turns: another request's opening, a lease too small for this request, our
      // own opening.
      for (let turn = 0; turn < 3; turn++) {
        const lease = leases.get(key);
        if (lease) {
          if (
            lease.drawing && clock() - lease.grantedAt < opts.drawMs &&
            compareDecimal(lease.leftUsd, a.amountUsd) >= 0
          ) {
            return draw(key, lease, a.amountUsd);
          }
          stopDrawing(key, lease);
        }
        const pending = opening.get(key);
        if (pending) {
          await pending.catch(() => {});
          continue;
        }
        if ((noLeaseUntil.get(key) ?? -Infinity) > clock()) break;
        noLeaseUntil.delete(key);
        const p = open(key, a);
        opening.set(key, p);
        try {
          await p;
        } finally {
          opening.delete(key);
        }
        const granted = leases.get(key);
        if (!granted) break;
        return draw(key, granted, a.amountUsd);
      }
      // No room for a lease (or a busy turn): the request's own reservation, with its waiting
      // for other holds and its exact refusals.
      return await reserveBudget(rt, a);
    },
  };
}
