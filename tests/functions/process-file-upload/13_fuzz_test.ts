// Property: any structurally valid file inside the upload limits gets an answer (200, or a 4xx /
// 503 with its code), never a 546, and costs at most 1.5 s of CPU and 200 MB of heap+external.
// Random PDFs, PNGs, JPEGs and DOCX files from a seed (corpus/fuzz.mjs); FUZZ_SEED=<n> replays a
// run, and the seed is printed so a failure can be replayed.
import assert from "node:assert/strict";
import { clientFor, resetProvider } from "../../_support/functions.ts";
import { closeDb, createUser } from "../../_support/stack.ts";
import { fuzzInputs } from "./corpus/fuzz.mjs";
import { CPU_BOUND_MS, measuredUpload, MEMORY_BOUND_MB } from "./corpus/measure.ts";

const SEED = Number(Deno.env.get("FUZZ_SEED") ?? Date.now() % 1_000_000);
const COUNT = Number(Deno.env.get("FUZZ_COUNT") ?? 12);

Deno.test(`random valid files (seed ${SEED}): an answer within the CPU and memory bound, never a 546`, async (t) => {
  console.log(`fuzz seed ${SEED} (replay: FUZZ_SEED=${SEED})`);
  await resetProvider();
  const supabase = clientFor(await createUser());
  for (const [i, input] of fuzzInputs(SEED, COUNT).entries()) {
    await t.step(`${i + 1}: ${input.shape}`, async () => {
      const bytes = new Uint8Array(input.bytes) as Uint8Array<ArrayBuffer>;
      assert.ok(bytes.length <= 20 * 1024 * 1024, "inside the upload limit");
      const m = await measuredUpload(supabase, input.name, bytes);
      const said = `${m.reply.status} ${JSON.stringify(m.reply.body).slice(0, 160)}; ` +
        `${m.cpuMs} ms CPU, ${m.peakMemoryMb} MB (seed ${SEED})`;
      // Every step's figures, so a replay shows how close each file came to the bound.
      const code = (m.reply.body.error as { code?: string } | undefined)?.code ?? "";
      console.log(
        `  ${i + 1}: ${input.shape} → ${m.reply.status} ${code}; ${m.cpuMs} ms CPU, ` +
          `${m.peakMemoryMb} MB`,
      );
      assert.notEqual(m.reply.status, 546, said);
      assert.equal(m.killed, false, said);
      assert.ok(
        m.reply.status === 200 || [413, 415, 422, 503].includes(m.reply.status),
        `an answer: ${said}`,
      );
      assert.ok(m.cpuMs <= CPU_BOUND_MS, `within ${CPU_BOUND_MS} ms CPU: ${said}`);
      assert.ok(m.peakMemoryMb <= MEMORY_BOUND_MB, `within ${MEMORY_BOUND_MB} MB: ${said}`);
    });
  }
  await closeDb();
});
