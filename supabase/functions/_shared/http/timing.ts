// Server-Timing: how long each step of a request took, in the response headers, so the latency a
// function adds over the provider can be read in the browser's network panel or a benchmark.
export class StepTimer {
  #last = performance.now();
  #steps: string[] = [];

  /** Closes the current step under `name`. */
  mark(name: string): void {
    const now = performance.now();
    this.#steps.push(`${name};dur=${(now - this.#last).toFixed(1)}`);
    this.#last = now;
  }

  /** The `server-timing` header value. */
  header(): string {
    return this.#steps.join(", ");
  }
}
