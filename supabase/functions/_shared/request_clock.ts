// One clock per request. A request may chain several provider calls (a file: up to 8 text parts,
// image units and a combining call; voice then a reply), each with its own deadline in routing.
// Past hosted's 150 s idle timeout the client gets 504 while money is still spent, so every call
// of a request also ends by one request-wide deadline, keyed by the request's AbortSignal (which
// every handler passes to routing).

/** The whole request's time for provider calls: inside hosted's 150 s idle timeout, with room to
 * record the operation and answer (or send the stream's `error` event). */
export const REQUEST_DEADLINE_MS = 140_000;

const deadlines = new WeakMap<AbortSignal, number>();

/**
 * Starts the request's clock (when not started yet) and returns its deadline (epoch ms). Called
 * when the request is authenticated, and again by routing for a request that was not.
 * @example startRequestClock(req.signal); // in authenticate()
 */
export function startRequestClock(
  signal: AbortSignal,
  nowMs = Date.now(),
  budgetMs = REQUEST_DEADLINE_MS,
): number {
  let at = deadlines.get(signal);
  if (at === undefined) {
    at = nowMs + budgetMs;
    deadlines.set(signal, at);
  }
  return at;
}

/** Milliseconds left on the request's clock (starting it now if needed). */
export function requestTimeLeftMs(signal: AbortSignal, nowMs = Date.now()): number {
  return startRequestClock(signal, nowMs) - nowMs;
}
