import assert from "node:assert/strict";
import { INPUTS } from "./index.mjs";
import { extractDocxText } from "../../../supabase/functions/_shared/files/docx.ts";
import { WorkMeter } from "../../../supabase/functions/_shared/files/work_meter.ts";

Deno.test("bench:files' text-only DOCX is past the documented text cap: expected refused 413 payload_too_large, and it is", async () => {
  // It once said `expect: "accept"` and the bench printed "ok, refused": ~20 M characters is 8×
  // the ~2.6 M every document may carry (docs/FUNCTIONS.md). Should the cap grow past it, this
  // fails and the input's expectation has to be revisited.
  const input = INPUTS.find((i) => i.id === "docx-text")!;
  assert.equal(input.expect, "refuse");
  assert.equal(input.code, "payload_too_large");
  const meter = new WorkMeter();
  const result = await extractDocxText(new Uint8Array(await input.make()), {}, meter);
  assert.deepEqual(result.ok ? null : [result.code, result.reason], [
    "payload_too_large",
    "too_much_text",
  ]);
  // Refused at the cap, a fraction of the way in: the rest is never inflated.
  assert.ok(meter.used < 1_100_000 * 0.6, `${Math.round(meter.used)} units`);
});
