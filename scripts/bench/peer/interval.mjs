// How far a `bench:peer` latency ratio can be trusted: bootstrap intervals for a run's verdict,
// apart from the bench so that they are tested (interval_test.ts).
//
// A run's verdict for p50 (or p95) is the median over its rounds of each round's ratio
// (process-chat's added latency ÷ Portkey's, added = the system's percentile minus direct's). Each
// round's percentiles come from a finite sample of one noisy machine, so the verdict is itself an
// estimate, uncertain for two reasons:
//   - sampling noise: each round is a finite sample of requests. `ratioInterval(rounds, p)` redraws
//     every round's requests with replacement, many times, and recomputes the verdict each time.
//     Requests are drawn as interleaved triples (the k-th direct, Portkey and process-chat request
//     of a round went out one after the other), so what the machine was doing at that moment stays
//     paired across the three.
//   - the rounds themselves: the machine's state moves from round to round (on the 2-core machine,
//     over 108 rounds, a round's p50 ratio had a standard deviation of 0.08 and its p95 ratio 0.11,
//     several times what its requests' sampling explains; docs/PERFORMANCE.md, "Eighth session").
//     `ratioInterval(rounds, p, { overRounds: true })` first redraws which rounds the run had (with
//     replacement), then each drawn round's requests: how far the verdict would move if the run were
//     repeated on the same machine. It is the interval a decision needs; the first is one part of it.
import { prng } from "../inputs/random.mjs";

/** The bench's percentile: nearest rank over a sorted copy (what `pct` in peer.mjs computes). */
export function percentile(xs, p) {
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** The median of finite numbers (NaN for none). */
export function median(xs) {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** One round's ratio of added latency at percentile `p` (process-chat ÷ Portkey). */
export function roundRatio({ direct, portkey, chat }, p) {
  const d = percentile(direct, p);
  return (percentile(chat, p) - d) / (percentile(portkey, p) - d);
}

/**
 * The verdict (median of the rounds' ratios at percentile `p`) and its bootstrap interval: the
 * sampling noise of the rounds' requests, or with `overRounds` the rounds redrawn as well.
 * `rounds`: [{ direct: number[], portkey: number[], chat: number[] }], each round's three arrays of
 * equal length, index k being one interleaved triple.
 * @example ratioInterval(rounds, 95) // { ratio: 0.97, low: 0.88, high: 1.08, level: 0.9 }
 * @example ratioInterval(rounds, 95, { overRounds: true }) // { ratio: 0.97, low: 0.81, high: 1.12, level: 0.9 }
 */
export function ratioInterval(
  rounds,
  p,
  { iterations = 1000, level = 0.9, seed = 26, overRounds = false } = {},
) {
  if (rounds.length === 0) throw new RangeError("no rounds");
  for (const r of rounds) {
    const n = r.direct.length;
    if (n === 0 || r.portkey.length !== n || r.chat.length !== n) {
      throw new RangeError("each round needs equally many direct, Portkey and chat samples");
    }
  }
  const random = prng(seed);
  const stats = new Float64Array(iterations);
  const ratios = new Array(rounds.length);
  for (let b = 0; b < iterations; b++) {
    for (let j = 0; j < rounds.length; j++) {
      const { direct, portkey, chat } =
        rounds[overRounds ? Math.floor(random() * rounds.length) : j];
      const n = direct.length;
      const d = new Float64Array(n);
      const pk = new Float64Array(n);
      const ch = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        const i = Math.floor(random() * n);
        d[k] = direct[i];
        pk[k] = portkey[i];
        ch[k] = chat[i];
      }
      ratios[j] = roundRatio({ direct: d, portkey: pk, chat: ch }, p);
    }
    stats[b] = median(ratios);
  }
  const finite = stats.filter(Number.isFinite).sort();
  const at = (q) => finite[Math.min(finite.length - 1, Math.floor(q * finite.length))];
  return {
    ratio: median(rounds.map((r) => roundRatio(r, p))),
    low: at((1 - level) / 2),
    high: at((1 + level) / 2),
    level,
  };
}
