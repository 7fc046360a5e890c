// Heavy work (decoding, resizing, text extraction) one job at a time per worker, so two students'
// uploads on one worker never add up to a breach. Hosted ends the whole worker, with every request
// in flight on it, when a limit is passed; and a request is charged the CPU the worker spends while
// it is in flight, whoever spends it (scripts/stack/workers.mjs counts it that way). So a job may
// start only when every request in flight on the worker, the job's own included, can still afford
// a whole request's work budget on top of the heavy work it has already sat through. A job that
// cannot start before its deadline (a short wait, inside the request clock) gets 503 worker_busy
// with Retry-After; the small requests of other students (text files, chat) are never queued.
import { requestTimeLeftMs } from "../request_clock.ts";
import { REQUEST_WORK_UNITS } from "./work_meter.ts";

/**
 * Heavy work (in meter units ≈ µs CPU) any request may sit through, its own included: hosted's
 * 2 s per request less room for the request's own light work (auth, form, calls, answer).
 */
export const WORKER_WORK_UNITS = 1_700_000;

/** How long a job may wait for its turn: short, so a student gets a quick 503 rather than a
 * request that hangs. */
export const HEAVY_QUEUE_WAIT_MS = 15_000;

/** Jobs waiting at most; the next one is told to retry. */
export const HEAVY_QUEUE_LENGTH = 6;

/** What a job costs beyond what its meter counts (starting the decoder, copying buffers). */
export const JOB_OVERHEAD_UNITS = 30_000;

/** Thrown by {@link HeavyWorkGate.run} when the job could not start in time. */
export class WorkerBusy extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super("worker busy");
    this.name = "WorkerBusy";
  }
}

interface Ticket {
  /** The gate's heavy work total when the request began. */
  mark: number;
}

/**
 * One gate per worker (module state). Requests `enter` when they begin and `leave` when they end;
 * heavy jobs go through `run`.
 * @example
 * const ticket = heavyWork.enter();
 * try { await heavyWork.run(ticket, req.signal, () => extract(bytes, meter), () => meter.used); }
 * finally { heavyWork.leave(ticket); }
 */
export class HeavyWorkGate {
  #done = 0;
  #running: { ticket: Ticket; reserved: number } | null = null;
  #inFlight = new Set<Ticket>();
  #waiters: (() => void)[] = [];

  constructor(
    readonly capUnits = WORKER_WORK_UNITS,
    readonly jobUnits = REQUEST_WORK_UNITS,
    readonly maxWaitMs = HEAVY_QUEUE_WAIT_MS,
    readonly maxQueue = HEAVY_QUEUE_LENGTH,
  ) {}

  /** Registers a request in flight on this worker. */
  enter(): Ticket {
    const ticket = { mark: this.#done };
    this.#inFlight.add(ticket);
    return ticket;
  }

  /** The request has answered. */
  leave(ticket: Ticket): void {
    this.#inFlight.delete(ticket);
    this.#wake();
  }

  /** Heavy work `ticket`'s request has sat through so far (the running job counted whole). */
  seen(ticket: Ticket): number {
    return this.#done - ticket.mark +
      (this.#running ? this.#running.reserved : 0);
  }

  /** Requests in flight and jobs waiting (for logs and tests). */
  get load(): { inFlight: number; waiting: number; running: boolean } {
    return {
      inFlight: this.#inFlight.size,
      waiting: this.#waiters.length,
      running: this.#running !== null,
    };
  }

  #canStart(ticket: Ticket): boolean {
    if (this.#running) return false;
    for (const t of this.#inFlight) {
      if (t !== ticket && this.seen(t) + this.jobUnits > this.capUnits) {
        return false;
      }
    }
    return true;
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  /**
   * Runs `job` when it is this worker's turn; `spent()` says afterwards how many units it used
   * (the meter's count). Throws {@link WorkerBusy} when the job cannot start in time: its own
   * request has already sat through too much heavy work, the queue is full, or the wait would
   * pass HEAVY_QUEUE_WAIT_MS or the request clock.
   */
  async run<T>(
    ticket: Ticket,
    signal: AbortSignal,
    job: () => Promise<T>,
    spent: () => number,
  ): Promise<T> {
    const deadline = Date.now() +
      Math.min(this.maxWaitMs, Math.max(0, requestTimeLeftMs(signal) - 30_000));
    while (!this.#canStart(ticket)) {
      // The request's own clock: it cannot take a whole job on top of what it sat through.
      if (this.seen(ticket) + this.jobUnits > this.capUnits) {
        throw new WorkerBusy(1);
      }
      if (this.#waiters.length >= this.maxQueue) throw new WorkerBusy(2);
      const wait = deadline - Date.now();
      if (wait <= 0 || signal.aborted) throw new WorkerBusy(2);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, wait);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.#waiters.push(done);
      });
    }
    if (this.seen(ticket) + this.jobUnits > this.capUnits) {
      throw new WorkerBusy(1);
    }
    this.#running = { ticket, reserved: this.jobUnits };
    try {
      return await job();
    } finally {
      this.#done += Math.min(this.jobUnits, spent()) + JOB_OVERHEAD_UNITS;
      this.#running = null;
      // Let other requests' I/O run before the next job takes the thread.
      setTimeout(() => this.#wake(), 0);
    }
  }
}

/** Longest stretch of heavy work between two turns of the event loop. */
export const BREATHE_EVERY_MS = 15;

let lastBreath = 0;

/**
 * Lets the worker's other requests run (their database answers, provider streams, timers) when
 * heavy work has held the thread for BREATHE_EVERY_MS. Stream reads and pdf.js's messages resolve
 * as microtasks, which never let I/O in: without a real turn of the loop, a second student's
 * budget check waits out its 1.2 s deadline behind a decode and fails. Called between rows, pages
 * and chunks; costs nothing when the last turn was recent.
 */
export async function breathe(): Promise<void> {
  const now = performance.now();
  if (now - lastBreath < BREATHE_EVERY_MS) return;
  await new Promise((resolve) => setTimeout(resolve, 0));
  lastBreath = performance.now();
}

/** This worker's gate. */
export const heavyWork = new HeavyWorkGate();
