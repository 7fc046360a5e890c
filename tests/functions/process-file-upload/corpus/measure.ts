// One upload with the stack supervisor's figures for it (CPU ms and peak heap+external MB, as
// scripts/stack/workers.mjs measures them under hosted's limits), read back through the
// `x-stack-probe` tag (GET /__stack/requests?probe=…).
import type { SupabaseClient } from "@supabase/supabase-js";
import { stackEnv } from "../../../_support/stack.ts";
import { file, form, invokeFileForm, type Reply } from "../fixtures.ts";

/** The bound every accepted input must stay within (issue 21), with the margin it leaves. */
export const CPU_BOUND_MS = 1_500;
export const MEMORY_BOUND_MB = 200;

export interface Measured {
  reply: Reply;
  cpuMs: number;
  peakMemoryMb: number;
  killed: boolean;
}

/** Posts one file tagged with a probe and returns the answer with the supervisor's figures. */
export async function measuredUpload(
  supabase: SupabaseClient,
  name: string,
  bytes: Uint8Array<ArrayBuffer>,
): Promise<Measured> {
  const probe = crypto.randomUUID();
  const reply = await invokeFileForm(
    supabase,
    form({ file: file(name, bytes), platform: "main" }),
    { "x-stack-probe": probe },
  );
  for (let i = 0; i < 40; i++) {
    const res = await fetch(`${stackEnv.url}/__stack/requests?probe=${probe}`);
    const found = await res.json() as { cpuMs: number; peakMemoryMb: number; killed: boolean }[];
    if (found.length > 0) return { reply, ...found[0] };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no supervisor figures for probe ${probe}`);
}
