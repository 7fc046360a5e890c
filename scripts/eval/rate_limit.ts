/**
 * How the harness stays within the providers' limits: at most `concurrency` calls in flight per
 * provider, and a 429 pauses that provider for its `retry-after` (Groq and OpenAI send it in
 * seconds; `ProviderError.retryAfterMs` carries it) before the call is tried again.
 *
 * @module
 */

import { ProviderError } from "../../supabase/functions/_shared/ai/providers.ts";

export interface GateOptions {
  /** Calls in flight at once (≥ 1). */
  readonly concurrency: number;
  /** Retries of one call after 429s before it counts as an error. */
  readonly maxRetries: number;
  /** Wait when a 429 carries no retry-after; doubled per retry. */
  readonly fallbackWaitMs?: number;
  /** The longest single wait (a daily limit's retry-after is hours: give up instead). */
  readonly maxWaitMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A provider's gate: bounded concurrency and a shared pause after a 429. */
export class ProviderGate {
  #active = 0;
  readonly #waiting: (() => void)[] = [];
  #pausedUntil = 0;
  /** 429s seen (each one retried or given up). */
  rateLimited = 0;

  constructor(readonly options: GateOptions) {
    if (!(options.concurrency >= 1)) throw new RangeError("concurrency must be at least 1");
  }

  async #acquire(): Promise<void> {
    if (this.#active >= this.options.concurrency) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    this.#active++;
  }

  #release(): void {
    this.#active--;
    this.#waiting.shift()?.();
  }

  /**
   * Runs `call` within the gate. A rate-limited failure (`ProviderError` code `rate_limited`,
   * HTTP 429) pauses every call of this provider for the retry-after, then retries, up to
   * `maxRetries`; the last failure is thrown. Returns the value and the retries it took.
   */
  async run<T>(call: () => Promise<T>): Promise<{ value: T; retries: number }> {
    const sleep = this.options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    const fallback = this.options.fallbackWaitMs ?? 2000;
    const maxWait = this.options.maxWaitMs ?? 120_000;
    for (let retries = 0;; retries++) {
      await this.#acquire();
      let failure: unknown;
      try {
        const pause = this.#pausedUntil - Date.now();
        if (pause > 0) await sleep(pause);
        return { value: await call(), retries };
      } catch (err) {
        failure = err;
      } finally {
        this.#release();
      }
      const limited = failure instanceof ProviderError &&
        (failure.code === "rate_limited" || failure.status === 429);
      if (!limited) throw failure;
      this.rateLimited++;
      const wait = (failure as ProviderError).retryAfterMs ?? fallback * 2 ** retries;
      if (retries >= this.options.maxRetries || wait > maxWait) throw failure;
      this.#pausedUntil = Math.max(this.#pausedUntil, Date.now() + wait);
    }
  }
}
