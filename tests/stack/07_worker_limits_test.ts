// Function workers run under hosted Supabase's limits (256 MB, 2 s CPU per request, 150 s idle,
// 150 s wall clock): a breach ends the worker with hosted's 546, and the next request gets a
// fresh worker. Each test starts its own small stack (gateway + a fixture function, no database).
import assert from "node:assert/strict";
import { startLimitsStack } from "./fixtures/limits_stack.ts";

const HOSTED_546 = {
  code: "WORKER_RESOURCE_LIMIT",
  message: "Function failed due to not having enough compute resources (please check logs)",
};

async function json(res: Response) {
  return { status: res.status, body: await res.json(), code: res.headers.get("sb-error-code") };
}

Deno.test("hosted's CPU and memory limits end the worker with 546; the next request is served", async (t) => {
  const stack = await startLimitsStack();
  try {
    await t.step("more than 2 s of CPU in one request → 546 in hosted's shape", async () => {
      const first = await json(await fetch(`${stack.url}/pid`));
      const r = await json(await fetch(`${stack.url}/cpu?ms=6000`));
      assert.equal(r.status, 546);
      assert.deepEqual(r.body, HOSTED_546);
      assert.equal(r.code, "WORKER_RESOURCE_LIMIT", "sb-error-code header, as hosted");
      const event = stack.events().find((e) => e.type === "worker_limit" && e.limit === "cpu");
      assert.ok(event, "one worker_limit line says which limit");
      assert.equal(event.limit_ms, 2000);
      assert.ok(Number(event.used_ms) > 2000, "and the CPU it used");
      assert.equal(event.pid, first.body.pid, "the worker that served the first request was ended");
    });

    await t.step(
      "the worker is back: the next request answers 200 from a fresh worker",
      async () => {
        const r = await json(await fetch(`${stack.url}/pid`));
        assert.equal(r.status, 200);
        const killed = stack.events().find((e) => e.limit === "cpu")!.pid;
        assert.notEqual(r.body.pid, killed);
      },
    );

    await t.step(
      "more than 256 MB of heap + external memory (hosted's measure) → 546, then a fresh worker",
      async () => {
        // Allocated 16 MB at a time with the event loop turning: the worker reports it.
        const r = await json(await fetch(`${stack.url}/memory?mb=320&hold_ms=3000&yield=1`));
        assert.equal(r.status, 546);
        assert.deepEqual(r.body, HOSTED_546);
        const event = stack.events().find((e) => e.limit === "memory");
        assert.ok(
          event && event.measure === "heap+external" && Number(event.used_mb) > 256 &&
            event.limit_mb === 256,
          JSON.stringify(event),
        );
        assert.equal((await json(await fetch(`${stack.url}/pid`))).status, 200);
      },
    );

    await t.step(
      "a synchronous allocation the worker cannot report is caught by its resident memory → 546",
      async () => {
        const r = await json(await fetch(`${stack.url}/memory?mb=480&hold_ms=3000`));
        assert.equal(r.status, 546);
        const event = stack.events().filter((e) => e.limit === "memory").at(-1);
        assert.ok(event && event.measure === "rss", JSON.stringify(event));
        assert.equal((await json(await fetch(`${stack.url}/pid`))).status, 200);
      },
    );

    await t.step("background work (EdgeRuntime.waitUntil) of a killed worker is lost", async () => {
      assert.equal((await json(await fetch(`${stack.url}/bg?ms=300&tag=lost`))).status, 200);
      // The loop blocks the worker's event loop, so the task cannot run before the kill.
      assert.equal((await json(await fetch(`${stack.url}/cpu?ms=6000`))).status, 546);
      assert.equal((await json(await fetch(`${stack.url}/bg?ms=10&tag=kept`))).status, 200);
      await stack.waitForLog(/bg done kept/);
      assert.ok(
        !stack.logs.some((l) => /bg done lost/.test(l)),
        "the killed worker's task never ran",
      );
    });

    await t.step("every request's CPU and peak RSS are recorded per function", async () => {
      const [s] = await stack.stats();
      assert.equal(s.function, "limits-fixture");
      assert.ok(Number(s.maxCpuMs) > 2000, "the heaviest request's CPU");
      assert.ok(Number(s.maxPeakRssMb) > 256, "the highest peak RSS");
      assert.ok(Number(s.maxPeakMemoryMb) > 256, "the highest heap + external memory");
      assert.ok(Number(s.runtimeRssMb) > 0, "what the runtime holds outside the isolate");
      assert.ok(Number(s.idleRssMb) > 0, "an idle worker's RSS (the runtime's baseline)");
      assert.deepEqual(s.breaches, { cpu: 2, memory: 2, wall_clock: 0 });
    });
  } finally {
    await stack.stop();
  }
});

Deno.test("a worker that dies on its own is replaced on the next request", async () => {
  const stack = await startLimitsStack({});
  try {
    const before = (await json(await fetch(`${stack.url}/pid`))).body.pid;
    const crashed = await fetch(`${stack.url}/crash`);
    await crashed.body?.cancel();
    assert.ok(crashed.status >= 500, `the request in flight fails (${crashed.status})`);
    const after = await json(await fetch(`${stack.url}/pid`));
    assert.equal(after.status, 200, "no 503 until a restart: a fresh worker answers");
    assert.notEqual(after.body.pid, before);
  } finally {
    await stack.stop();
  }
});

Deno.test("a request with no answer within the idle timeout gets hosted's 504", async () => {
  const stack = await startLimitsStack({ idleTimeoutMs: 500 });
  try {
    const r = await json(await fetch(`${stack.url}/hang`));
    assert.equal(r.status, 504);
    assert.equal(r.body.code, "IDLE_TIMEOUT");
    assert.match(r.body.message, /^Request idle timeout limit \(\d+s\) reached$/);
    assert.equal((await json(await fetch(`${stack.url}/pid`))).status, 200, "the worker lives on");
  } finally {
    await stack.stop();
  }
});

Deno.test("at its wall clock a worker is retired: in-flight requests finish, beforeunload fires, new requests get a fresh worker", async () => {
  // 4 s: retired at 2 s (half, as edge-runtime's per_worker supervisor), killed at 4 s.
  const stack = await startLimitsStack({ wallClockMs: 4000 });
  try {
    const a = await json(await fetch(`${stack.url}/pid`));
    // Answers once worker A is 2.6 s old: it is in flight when A is retired at 2 s.
    const straddling = fetch(`${stack.url}/sleep?until_age_ms=2600`).then(json);
    const retired = await stack.waitForLog(/"type":"worker_retired"/);
    assert.equal(JSON.parse(retired).pid, a.body.pid);
    const b = await json(await fetch(`${stack.url}/pid`));
    assert.equal(b.status, 200);
    assert.notEqual(b.body.pid, a.body.pid, "a new request goes to a fresh worker");
    const s = await straddling;
    assert.equal(s.status, 200, "the request that straddled the retirement is answered");
    assert.equal(s.body.pid, a.body.pid);
    assert.ok(s.body.startAgeMs < 2000, "it began before the retirement (precondition)");
    await stack.waitForLog(new RegExp(`beforeunload ${a.body.pid} EarlyDrop`));

    // A request still running when a worker reaches the full wall clock is cut, as on hosted.
    const cut = await json(await fetch(`${stack.url}/sleep?until_age_ms=600000`));
    assert.equal(cut.status, 546);
    assert.ok(stack.events().some((e) => e.limit === "wall_clock" && e.pid === b.body.pid));
  } finally {
    await stack.stop();
  }
});
