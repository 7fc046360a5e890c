// The server measures every recording itself: a provider reply without a duration still bills the
// measured length, and each platform's configured model is billed at its own catalog price.
import assert from "node:assert/strict";
import { transcribeVoice } from "../../../shared/index.ts";
import { clientFor, injectFault, ledgerRows, resetProvider } from "../../_support/functions.ts";
import { closeDb, createUser } from "../../_support/stack.ts";
import { audioCost, fixtureFile, manifest } from "./fixtures.ts";

const truth = (file: string) => manifest.fixtures.find((f) => f.file === file)!.durationSeconds;

Deno.test("a Groq reply without duration bills the measured 14 s recording on its exact seconds, not $0", async () => {
  await resetProvider();
  await injectFault({
    provider: "groq",
    path: "audio/transcriptions",
    times: 1,
    fault: { type: "no_duration" },
  });
  const student = await createUser();
  const res = await transcribeVoice(clientFor(student), {
    file: fixtureFile("long-mediarecorder.webm"),
    platform: "main",
  });
  assert.equal(res.provider, "groq");
  const [row] = await ledgerRows(res.request_id);
  assert.equal(res.billed_seconds, Number(row.audio_seconds), "the measured seconds, over 10 s");
  assert.equal(res.cost_usd, audioCost(row.audio_seconds!, "0.111"), "s × $0.111 / 3600");
  assert.ok(
    Math.abs(Number(row.audio_seconds) - truth("long-mediarecorder.webm")) <=
      0.1,
    "the measured length is recorded",
  );
  assert.equal(row.billed_audio_seconds, row.audio_seconds);
  assert.equal(row.cost_usd, res.cost_usd);
  assert.equal(
    row.error_code,
    null,
    "a measured duration is a complete record, not a missing usage",
  );
  await closeDb();
});

Deno.test("a short reply without duration is still billed the 10 s minimum", async () => {
  await resetProvider();
  await injectFault({
    provider: "groq",
    path: "audio/transcriptions",
    times: 1,
    fault: { type: "no_duration" },
  });
  const student = await createUser();
  const res = await transcribeVoice(clientFor(student), {
    file: fixtureFile("short.wav"),
    platform: "main",
  });
  assert.equal(res.billed_seconds, 10);
  assert.equal(res.cost_usd, "0.0003083333");
  const [row] = await ledgerRows(res.request_id);
  assert.equal(
    row.audio_seconds,
    "2.895",
    "2.89525 s measured from the WAV header",
  );
  assert.equal(row.cost_usd, res.cost_usd);
  await closeDb();
});

Deno.test("tripwire is configured for whisper-large-v3-turbo and billed at its $0.04 per hour", async () => {
  // The test stack sets AI_SPEECH_MODELS_TRIPWIRE=groq:whisper-large-v3-turbo,openai:gpt-transcribe.
  await resetProvider();
  const student = await createUser();
  const res = await transcribeVoice(clientFor(student), {
    file: fixtureFile("long.m4a"),
    platform: "tripwire",
  });
  assert.equal(res.model, "whisper-large-v3-turbo");
  const [row] = await ledgerRows(res.request_id);
  assert.equal(res.billed_seconds, Number(row.audio_seconds));
  // e.g. 14.04 s × 0.04 / 3600 = 0.000156 → 0.0001560000 (the exact seconds, half-up)
  assert.equal(res.cost_usd, audioCost(row.audio_seconds!, "0.04"));
  assert.equal(row.platform, "tripwire");
  assert.equal(row.model, "whisper-large-v3-turbo");
  assert.equal(row.cost_usd, res.cost_usd);
  await closeDb();
});
