// The adversarial corpus (corpus/hostile.mjs) against the stack's hosted limits: every hostile shape
// gets its expected answer, a refusal is a 4xx with a stable code that costs little, an acceptance
// stays within 1.5 s of CPU and 200 MB of heap+external, and nothing ends the worker (no 546). The
// supervisor's own figures for each request are read back through the `x-stack-probe` tag.
import assert from "node:assert/strict";
import { clientFor, resetProvider } from "../../_support/functions.ts";
import { closeDb, createUser } from "../../_support/stack.ts";
import { CORPUS } from "./corpus/hostile.mjs";
import { CPU_BOUND_MS, measuredUpload, MEMORY_BOUND_MB } from "./corpus/measure.ts";

/** A refusal must cost little: the meter refuses before the work. */
const REFUSAL_CPU_MS = 300;

/** Worst figures seen, printed at the end (the note quotes them). */
const worst = { cpuMs: 0, memoryMb: 0, cpuOf: "", memoryOf: "" };

Deno.test("every hostile corpus input gets its expected answer within hosted's limits, no 546", async (t) => {
  await resetProvider();
  const student = await createUser();
  const supabase = clientFor(student);
  for (const c of CORPUS) {
    await t.step(`${c.label}: ${c.expect === "refuse" ? c.code : "200"}`, async () => {
      const bytes = new Uint8Array(c.make()) as Uint8Array<ArrayBuffer>;
      assert.ok(bytes.length <= 20 * 1024 * 1024, `${bytes.length} B fits the upload limit`);
      const m = await measuredUpload(supabase, c.name, bytes);
      const said = `${m.reply.status} ${JSON.stringify(m.reply.body).slice(0, 200)}; ` +
        `${m.cpuMs} ms CPU, ${m.peakMemoryMb} MB`;
      assert.notEqual(m.reply.status, 546, `the worker survives: ${said}`);
      assert.equal(m.killed, false, `no limit ended the worker: ${said}`);
      if (c.expect === "refuse") {
        const error = m.reply.body.error as { code: string; hint?: string };
        assert.equal(error?.code, c.code, said);
        assert.ok(error.hint, "a refusal says what to do");
        assert.ok(m.cpuMs <= REFUSAL_CPU_MS, `refused cheaply: ${said}`);
      } else {
        assert.equal(m.reply.status, 200, said);
      }
      assert.ok(m.cpuMs <= CPU_BOUND_MS, `within ${CPU_BOUND_MS} ms CPU: ${said}`);
      assert.ok(m.peakMemoryMb <= MEMORY_BOUND_MB, `within ${MEMORY_BOUND_MB} MB: ${said}`);
      if (m.cpuMs > worst.cpuMs) Object.assign(worst, { cpuMs: m.cpuMs, cpuOf: c.id });
      if (m.peakMemoryMb > worst.memoryMb) {
        Object.assign(worst, { memoryMb: m.peakMemoryMb, memoryOf: c.id });
      }
    });
  }
  console.log(
    `hostile corpus: worst CPU ${worst.cpuMs} ms (${worst.cpuOf}), ` +
      `worst heap+external ${worst.memoryMb} MB (${worst.memoryOf})`,
  );
  await closeDb();
});
