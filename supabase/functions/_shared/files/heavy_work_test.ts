import assert from "node:assert/strict";
import { HeavyWorkGate, JOB_OVERHEAD_UNITS, WorkerBusy } from "./heavy_work.ts";

const signal = () => new AbortController().signal;
const tick = () => new Promise((r) => setTimeout(r, 5));

Deno.test("heavy jobs run one at a time on a worker", async () => {
  const gate = new HeavyWorkGate(10_000_000, 100, 5_000);
  const a = gate.enter(), b = gate.enter();
  let running = 0, most = 0;
  const job = async () => {
    most = Math.max(most, ++running);
    await tick();
    running--;
  };
  await Promise.all([gate.run(a, signal(), job, () => 10), gate.run(b, signal(), job, () => 10)]);
  assert.equal(most, 1);
  gate.leave(a);
  gate.leave(b);
});

Deno.test("a job waits while another request in flight could not afford it, and starts once that request ends", async () => {
  // Cap 1,000 units; a job reserves 600.
  const gate = new HeavyWorkGate(1_000 + JOB_OVERHEAD_UNITS, 600, 5_000);
  const small = gate.enter(); // another student's request, in flight
  const heavy = gate.enter();
  await gate.run(heavy, signal(), async () => {}, () => 600);
  gate.leave(heavy);
  // `small` sat through 600 + overhead: another 600 would pass the cap.
  const next = gate.enter();
  let started = false;
  const second = gate.run(next, signal(), () => {
    started = true;
    return Promise.resolve();
  }, () => 0);
  await tick();
  assert.equal(started, false, "it waits for the small request");
  gate.leave(small);
  await second;
  assert.equal(started, true);
  gate.leave(next);
});

Deno.test("a request that already sat through too much heavy work is told to retry (503), as is one past the queue", async () => {
  const gate = new HeavyWorkGate(1_000 + JOB_OVERHEAD_UNITS, 600, 5_000, 1);
  const late = gate.enter();
  const first = gate.enter();
  await gate.run(first, signal(), async () => {}, () => 600);
  gate.leave(first);
  await assert.rejects(gate.run(late, signal(), async () => {}, () => 0), WorkerBusy);
  gate.leave(late);

  const busy = new HeavyWorkGate(10_000_000, 100, 5_000, 1);
  const t = [busy.enter(), busy.enter(), busy.enter()];
  let release!: () => void;
  const holding = busy.run(t[0], signal(), () => new Promise<void>((r) => (release = r)), () => 0);
  const waiting = busy.run(t[1], signal(), async () => {}, () => 0);
  await tick();
  await assert.rejects(busy.run(t[2], signal(), async () => {}, () => 0), WorkerBusy);
  release();
  await Promise.all([holding, waiting]);
  for (const x of t) busy.leave(x);
});
