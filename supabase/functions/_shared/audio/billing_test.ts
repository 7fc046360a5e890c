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

Deno.test("a disagreement over 1 s or over 10 % is flagged", () => {
  assert.equal(billableDuration(100, 101.5).disagreement, true, "1.5 s apart");
  assert.equal(
    billableDuration(100, 100.9).disagreement,
    false,
    "0.9 s and 0.9 %",
  );
  assert.equal(
    billableDuration(3, 3.4).disagreement,
    true,
    "0.4 s is 13 % of 3 s",
  );
  assert.equal(billableDuration(3, 3.2).disagreement, false);
});

Deno.test("the reservation covers the largest silent disagreement", () => {
  assert.equal(reservationSeconds(3), 4);
  assert.equal(reservationSeconds(100), 110);
});

Deno.test("a transcript's token bound grows with the audio", () => {
  assert.equal(transcriptTokenBound(0), 4);
  assert.equal(transcriptTokenBound(14.04), 145);
});
