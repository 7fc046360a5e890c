import assert from "node:assert/strict";
import { WorkLimitExceeded, WorkMeter } from "./work_meter.ts";
import { jpegWork, jpegWorkUnits, MAX_JPEG_SCANS } from "./image.ts";
import { decodePngDownscaled } from "./png_decode.ts";
import {
  filteredPng,
  progressiveJpeg,
  restartJpeg,
} from "../../../../tests/functions/process-file-upload/corpus/hostile.mjs";

Deno.test("the meter refuses work that would pass its budget, before counting it", () => {
  const meter = new WorkMeter(100);
  meter.charge(60, "a");
  assert.equal(meter.fits(40), true);
  assert.throws(() => meter.charge(41, "b"), WorkLimitExceeded);
  assert.equal(meter.used, 60, "a refused charge is not counted");
  assert.throws(() => meter.charge(Number.NaN, "c"), WorkLimitExceeded, "NaN never passes");
  meter.charge(40, "d");
  assert.equal(meter.left, 0);
});

Deno.test("a JPEG's work is counted from its markers: scans × blocks, restarts", () => {
  const progressive = jpegWork(new Uint8Array(progressiveJpeg(800, 600, 9)));
  assert.equal(progressive.scans, 10, "1 DC + 9 AC scans");
  assert.equal(progressive.blocks, 100 * 75, "one component of 8×8 blocks");
  assert.equal(progressive.scanBlocks, 10 * 100 * 75, "every scan walks every block");
  const restarts = jpegWork(new Uint8Array(restartJpeg(800, 600, 1)));
  assert.equal(restarts.scans, 1);
  assert.equal(restarts.restarts, 100 * 75 - 1, "a restart marker after each MCU but the last");
  assert.equal(
    jpegWorkUnits({ ...progressive, scans: MAX_JPEG_SCANS + 1 }),
    Number.POSITIVE_INFINITY,
    "past the scan limit no budget is enough",
  );
});

Deno.test("a PNG is charged row by row: Paeth rows cost more than plain ones, and a small budget stops the decode", async () => {
  const plain = new WorkMeter(Number.POSITIVE_INFINITY);
  await decodePngDownscaled(new Uint8Array(filteredPng(600, 400, { filter: 0 })), 2, plain);
  const paeth = new WorkMeter(Number.POSITIVE_INFINITY);
  await decodePngDownscaled(new Uint8Array(filteredPng(600, 400, { filter: 4 })), 2, paeth);
  assert.ok(paeth.used > plain.used, `${paeth.used} > ${plain.used}`);
  await assert.rejects(
    decodePngDownscaled(
      new Uint8Array(filteredPng(600, 400, { filter: 4 })),
      2,
      new WorkMeter(plain.used),
    ),
    WorkLimitExceeded,
  );
});
