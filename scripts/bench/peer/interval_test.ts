import assert from "node:assert/strict";
import { prng } from "../inputs/random.mjs";
import { percentile, ratioInterval, roundRatio } from "./interval.mjs";

/** A round of `n` interleaved triples: latencies with a heavy tail, as the bench sees them. */
function syntheticRound(
  random: () => number,
  n: number,
  added: { portkey: number; chat: number },
) {
  const direct: number[] = [];
  const portkey: number[] = [];
  const chat: number[] = [];
  const tail = () => (random() < 0.1 ? 1 + 4 * random() : random() * 0.5);
  for (let k = 0; k < n; k++) {
    const base = 0.45 + 0.1 * random();
    direct.push(base + 0.2 * tail());
    portkey.push(base + added.portkey * (1 + tail()));
    chat.push(base + added.chat * (1 + tail()));
  }
  return { direct, portkey, chat };
}

Deno.test("bench:peer interval: the percentile is the bench's nearest rank", () => {
  const xs = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
  assert.equal(percentile(xs, 50), 5);
  assert.equal(percentile(xs, 95), 10);
  assert.equal(percentile(xs, 10), 1);
  assert.equal(percentile([3], 95), 3);
});

Deno.test("bench:peer interval: a round's ratio is process-chat's added latency over Portkey's", () => {
  const round = { direct: [1, 1, 1, 1], portkey: [3, 3, 3, 3], chat: [2, 2, 2, 2] };
  assert.equal(roundRatio(round, 50), 0.5);
  assert.equal(roundRatio(round, 95), 0.5);
});

Deno.test("bench:peer interval: two identical systems give exactly 1.00, with no spread", () => {
  const random = prng(7);
  const rounds = Array.from({ length: 5 }, () => {
    const r = syntheticRound(random, 150, { portkey: 1.7, chat: 1.7 });
    return { ...r, chat: [...r.portkey] };
  });
  for (const p of [50, 95]) {
    const i = ratioInterval(rounds, p, { iterations: 200 });
    assert.deepEqual([i.ratio, i.low, i.high], [1, 1, 1]);
  }
});

Deno.test("bench:peer interval: it holds the verdict, and four times the samples narrow it", () => {
  const width = (n: number) => {
    const random = prng(11);
    const rounds = Array.from(
      { length: 5 },
      () => syntheticRound(random, n, { portkey: 1.7, chat: 1.5 }),
    );
    const i = ratioInterval(rounds, 95, { iterations: 400 });
    assert.ok(i.low <= i.ratio && i.ratio <= i.high, JSON.stringify(i));
    assert.ok(i.high > i.low, "a heavy tail sampled 150 or 600 times is not exact");
    return i.high - i.low;
  };
  const w150 = width(150);
  const w600 = width(600);
  assert.ok(w600 < w150 * 0.8, `600 samples: ${w600.toFixed(3)}, 150: ${w150.toFixed(3)}`);
});

Deno.test("bench:peer interval: a clear lead is told apart from 1.00", () => {
  const random = prng(3);
  const rounds = Array.from(
    { length: 5 },
    () => syntheticRound(random, 600, { portkey: 2.0, chat: 1.4 }),
  );
  const i = ratioInterval(rounds, 50, { iterations: 400 });
  assert.ok(i.high < 1, JSON.stringify(i));
  assert.ok(Math.abs(i.ratio - 0.7) < 0.1, JSON.stringify(i));
});

Deno.test("bench:peer interval: the same seed gives the same interval; rounds must be whole triples", () => {
  const random = prng(5);
  const rounds = Array.from(
    { length: 3 },
    () => syntheticRound(random, 100, { portkey: 1.7, chat: 1.6 }),
  );
  assert.deepEqual(
    ratioInterval(rounds, 95, { iterations: 100 }),
    ratioInterval(rounds, 95, { iterations: 100 }),
  );
  assert.throws(() => ratioInterval([], 95), RangeError);
  assert.throws(
    () => ratioInterval([{ direct: [1, 2], portkey: [2, 3], chat: [3] }], 95),
    RangeError,
  );
});

Deno.test("bench:peer interval: rounds that disagree widen the run-to-run interval, not the sampling noise", () => {
  const random = prng(13);
  // The machine moves between rounds: process-chat's added latency is 1.2 in some rounds and 2.0
  // in others against Portkey's 1.7, with 600 requests each (little sampling noise per round).
  const rounds = [1.2, 2.0, 1.2, 2.0, 1.2, 2.0, 1.2, 2.0, 1.2].map((chat) =>
    syntheticRound(random, 600, { portkey: 1.7, chat })
  );
  const noise = ratioInterval(rounds, 50, { iterations: 400 });
  const runToRun = ratioInterval(rounds, 50, { iterations: 400, overRounds: true });
  assert.equal(runToRun.ratio, noise.ratio);
  for (const i of [noise, runToRun]) assert.ok(i.low <= i.ratio && i.ratio <= i.high);
  // Five of nine rounds say ~0.7: the requests alone never move the median off them.
  assert.ok(noise.high < 0.9, JSON.stringify(noise));
  // Redrawing the rounds, a median from the slow rounds (~1.2) is as likely as not to appear.
  assert.ok(runToRun.high > 1.1, JSON.stringify(runToRun));
  assert.ok(runToRun.high - runToRun.low > 3 * (noise.high - noise.low));
});

Deno.test("bench:peer interval: redrawing the rounds keeps two identical systems at exactly 1.00, and is seeded", () => {
  const random = prng(17);
  const rounds = Array.from({ length: 5 }, () => {
    const r = syntheticRound(random, 150, { portkey: 1.7, chat: 1.7 });
    return { ...r, chat: [...r.portkey] };
  });
  const i = ratioInterval(rounds, 95, { iterations: 200, overRounds: true });
  assert.deepEqual([i.ratio, i.low, i.high], [1, 1, 1]);
  const other = Array.from(
    { length: 5 },
    () => syntheticRound(random, 100, { portkey: 1.7, chat: 1.6 }),
  );
  assert.deepEqual(
    ratioInterval(other, 50, { iterations: 100, overRounds: true }),
    ratioInterval(other, 50, { iterations: 100, overRounds: true }),
  );
});
