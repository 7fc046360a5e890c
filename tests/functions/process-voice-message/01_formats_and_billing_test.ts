// Every format a browser or phone records is transcribed, measured from its own bytes within 0.1 s
// of the truth, billed by the catalog (whisper-large-v3 on Groq: $0.111 per audio hour on the exact
// seconds, at least 10 s) and recorded in the ledger exactly as answered.
import assert from "node:assert/strict";
import { transcribeVoice } from "../../../shared/index.ts";
import {
  clientFor,
  ledgerRows,
  providerRequests,
  resetProvider,
} from "../../_support/functions.ts";
import { closeDb, createUser } from "../../_support/stack.ts";
import { audioCost, fixtureFile, manifest } from "./fixtures.ts";

// whisper-large-v3 on Groq (groq.com/pricing, checked 2026-11-25): $0.111 per audio hour on the
// exact seconds, at least 10 s (both public price libraries bill it so; facts addendum 2026-12-01).
//   10 s → 10,000 ms × 11100 / 36 = 3,083,333.3 units of 1e-10 USD → 0.0003083333
//   14.04 s → 14,040 × 11100 / 36 = 4,329,000 → 0.0004329000
// It is also the old stack's voice baseline (the school already transcribed on Groq).
const whisperLargeV3Cost = (seconds: string | number) => audioCost(seconds, "0.111");

for (const fx of manifest.fixtures) {
  Deno.test(`${fx.file}: transcribed, ${fx.durationSeconds.toFixed(2)} s measured, billed per the catalog, one ledger row`, async () => {
    await resetProvider();
    const student = await createUser();
    const res = await transcribeVoice(clientFor(student), {
      file: fixtureFile(fx.file),
      platform: "main",
    });

    assert.match(res.request_id, /^[0-9a-f-]{36}$/);
    assert.ok(res.transcript.length > 0);
    assert.equal(res.language, "ru", "Russian unless asked otherwise");
    assert.equal(res.provider, "groq");
    assert.equal(res.model, "whisper-large-v3");
    assert.ok(
      Math.abs(res.duration_seconds - fx.durationSeconds) <= 0.1,
      `measured ${res.duration_seconds} s, truth ${fx.durationSeconds} s`,
    );
    const [row, ...more] = await ledgerRows(res.request_id);
    const expectedBilled = Math.max(10, Number(row.audio_seconds));
    assert.equal(res.billed_seconds, expectedBilled, "the exact seconds, at least 10");
    assert.equal(res.cost_usd, whisperLargeV3Cost(expectedBilled));

    assert.equal(more.length, 0, "one provider attempt, one row");
    assert.equal(row.operation_type, "whisper");
    assert.equal(row.function_name, "process-voice-message");
    assert.equal(row.user_id, student.id);
    assert.equal(row.platform, "main");
    assert.equal(row.provider, "groq");
    assert.equal(row.model, "whisper-large-v3");
    assert.equal(row.status, "success");
    assert.equal(row.attempt, 1);
    assert.ok(
      Math.abs(Number(row.audio_seconds) - fx.durationSeconds) <= 0.1,
      `row says ${row.audio_seconds} s`,
    );
    assert.equal(Number(row.billed_audio_seconds), res.billed_seconds);
    assert.equal(
      row.cost_usd,
      res.cost_usd,
      "the answer and the ledger agree to the last digit",
    );
    assert.equal(
      row.baseline_cost_usd,
      res.cost_usd,
      "the old stack ran the same model: no saving",
    );

    const calls = (await providerRequests()).filter((r) => r.path.endsWith("audio/transcriptions"));
    assert.equal(calls.length, 1);
    assert.equal(
      calls[0].body.fileBytes,
      fx.bytes,
      "the recording reached the provider whole",
    );
    await closeDb();
  });
}

Deno.test("a 3-second clip is billed as Groq's 10-second minimum", async () => {
  await resetProvider();
  const student = await createUser();
  const res = await transcribeVoice(clientFor(student), {
    file: fixtureFile("short.ogg"),
    platform: "main",
  });
  assert.ok(res.duration_seconds > 2.8 && res.duration_seconds < 3.1);
  assert.equal(res.billed_seconds, 10);
  assert.equal(res.cost_usd, "0.0003083333");
  const [row] = await ledgerRows(res.request_id);
  assert.equal(row.billed_audio_seconds, "10.000");
  assert.equal(row.cost_usd, "0.0003083333");
  await closeDb();
});

Deno.test("the language field reaches the provider and comes back in the answer", async () => {
  await resetProvider();
  const student = await createUser();
  const res = await transcribeVoice(clientFor(student), {
    file: fixtureFile("short.mp3"),
    platform: "main",
    language: "UK",
  });
  assert.equal(res.language, "uk");
  assert.match(
    res.transcript,
    /язык uk/,
    "the provider was asked for Ukrainian",
  );
  await closeDb();
});
