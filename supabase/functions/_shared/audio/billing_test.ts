import assert from "node:assert/strict";
import { billableDuration, reservationSeconds, transcriptTokenBound } from "./billing.ts";

Deno.test("the provider's duration is billed when it reports one", () => {
  assert.deepEqual(billableDuration(14.042, 14.1), {
    audioSeconds: 14.1,
    source: "provider",
    disagreement: false,
  });
});

Deno.test("without a provider duration the measured one is billed, never zero", () => {
  assert.deepEqual(billableDuration(2.9), {
    audioSeconds: 2.9,
    source: "measured",
    disagreement: false,
  });
  assert.equal(
    billableDuration(2.9, 0).source,
    "measured",
    "a 0 s reply is not a free transcription",
  );
  assert.equal(billableDuration(2.9, Number.NaN).source, "measured");
  assert.equal(billableDuration(2.9, -1).source, "measured");
});

Deno.test("a provider figure more than 2 % from the measured one is flagged as a mismatch", () => {
  assert.equal(billableDuration(100, 102.5).disagreement, true, "2.5 %");
  assert.equal(billableDuration(100, 101.9).disagreement, false, "1.9 %");
  assert.equal(billableDuration(600, 10).disagreement, true, "a provider far below our count");
  assert.equal(billableDuration(3, 3.05).disagreement, false, "1.7 % of 3 s");
  assert.equal(billableDuration(3, 3.1).disagreement, true, "3.3 % of 3 s");
});

Deno.test("the reservation keeps 1 s or 10 % of headroom over the measured length", () => {
  assert.equal(reservationSeconds(3), 4);
  assert.equal(reservationSeconds(100), 110);
});

Deno.test("a transcript's token bound grows with the audio", () => {
  assert.equal(transcriptTokenBound(0), 4);
  assert.equal(transcriptTokenBound(14.04), 145);
});
