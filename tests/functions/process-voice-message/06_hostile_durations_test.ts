// Recordings whose headers lie about their length are billed what a decoder plays, whether or not
// the provider's reply carries a duration; the budget is reserved on that figure; a recording that
// would cost more than the whole daily budget is refused outright, holding nothing.
import assert from "node:assert/strict";
import { AiFunctionError, transcribeVoice } from "../../../shared/index.ts";
import {
  clientFor,
  injectFault,
  ledgerCountForUser,
  ledgerRows,
  providerRequests,
  resetProvider,
} from "../../_support/functions.ts";
import { closeDb, createUser, db } from "../../_support/stack.ts";
import {
  lyingOggOpus,
  lyingWav,
} from "../../../supabase/functions/_shared/audio/test_hostile_audio.ts";
import { audioCost } from "./fixtures.ts";

const lyingWavFile = () =>
  new File([lyingWav({ seconds: 600, byteRateFactor: 60 }).bytes], "voice.wav", {
    type: "audio/wav",
  });
const lyingOggFile = () =>
  new File([lyingOggOpus({ packets: 30_000, claimedSeconds: 10 }).bytes], "voice.ogg", {
    type: "audio/ogg",
  });

const within1Percent = (seconds: string | null, truth: number) =>
  Math.abs(Number(seconds) - truth) <= truth * 0.01;

for (
  const [name, file] of [["WAV (byte rate ×60)", lyingWavFile], [
    "Ogg Opus (granule 10 s)",
    lyingOggFile,
  ]] as const
) {
  for (const providerDuration of [true, false]) {
    Deno.test(`a lying ${name} of 600 s is billed within 1 % of 600 s ${providerDuration ? "with" : "without"} a provider duration`, async () => {
      await resetProvider();
      if (!providerDuration) {
        await injectFault({
          provider: "groq",
          path: "audio/transcriptions",
          fault: { type: "no_duration" },
        });
      }
      const student = await createUser();
      const res = await transcribeVoice(clientFor(student), { file: file(), platform: "main" });
      const [row] = await ledgerRows(res.request_id);
      assert.ok(within1Percent(row.audio_seconds, 600), `ledger says ${row.audio_seconds} s`);
      assert.ok(within1Percent(row.billed_audio_seconds, 600));
      assert.equal(row.cost_usd, audioCost(row.billed_audio_seconds!, "0.111"));
      assert.ok(Number(row.cost_usd) > 0.018, `${row.cost_usd} USD, not 0.00031`);
      assert.ok(Math.abs(res.duration_seconds - 600) <= 6);
      await closeDb();
    });
  }
}

Deno.test("the budget is reserved on the decoded 600 s: a $0.01-a-day student is refused before the provider hears it", async () => {
  await resetProvider();
  const student = await createUser();
  await db()`insert into ai_private.budget_limits (platform, period, user_id, limit_usd, note)
             values ('main', 'day', ${student.id}, 0.01, 'test: 600 s costs 0.0185')`;
  const err = await transcribeVoice(clientFor(student), { file: lyingWavFile(), platform: "main" })
    .catch((e) => e);
  assert.ok(err instanceof AiFunctionError, String(err));
  assert.equal(err.status, 413);
  assert.equal(err.code, "exceeds_whole_budget");
  assert.deepEqual(await providerRequests(), []);
  assert.equal(await ledgerCountForUser(student.id), 0);
  await closeDb();
});

Deno.test("a WAV of 19.2 M seconds is 413 'larger than your whole budget', not 'renews in 611 h', and holds nothing", async () => {
  await resetProvider();
  const student = await createUser();
  const wav = lyingWav({ seconds: 19_200_000, sampleRate: 1, bitsPerSample: 8, byteRateFactor: 1 });
  const err = await transcribeVoice(clientFor(student), {
    file: new File([wav.bytes], "voice.wav", { type: "audio/wav" }),
    platform: "main",
  }).catch((e) => e);
  assert.ok(err instanceof AiFunctionError, String(err));
  assert.equal(err.status, 413);
  assert.equal(err.code, "exceeds_whole_budget");
  // The period the ledger refused on: past the month's limit it is past the day's too.
  assert.match(err.message, /larger than your whole (daily|monthly) budget/);
  assert.doesNotMatch(`${err.message} ${err.hint}`, /renews/);
  assert.equal(err.retryAfterSeconds, undefined, "no Retry-After: waiting does not help");
  const [{ n }] = await db()<{ n: number }[]>`
    select count(*)::int as n from ai_private.budget_reservations where user_id = ${student.id}`;
  assert.equal(n, 0, "nothing held");
  assert.deepEqual(await providerRequests(), []);
  await closeDb();
});
