// A student past their budget is refused before the provider hears the recording; a retried
// upload with the same Idempotency-Key is transcribed once and charged once.
import assert from "node:assert/strict";
import { AiFunctionError, transcribeVoice } from "../../../shared/index.ts";
import {
  clientFor,
  ledgerCountForUser,
  providerRequests,
  resetProvider,
} from "../../_support/functions.ts";
import { closeDb, createUser, db } from "../../_support/stack.ts";
import { fixtureFile } from "./fixtures.ts";

Deno.test("an exhausted budget → 429 budget_exceeded with Retry-After, and no provider call", async () => {
  await resetProvider();
  const student = await createUser();
  await db()`insert into ai_private.budget_limits (platform, period, user_id, limit_usd, note)
             values ('main', 'day', ${student.id}, 0, 'test: no budget')`;
  const err = await transcribeVoice(clientFor(student), {
    file: fixtureFile("short.ogg"),
    platform: "main",
  }).catch((e) => e);
  assert.ok(err instanceof AiFunctionError);
  assert.equal(err.status, 429);
  assert.equal(err.code, "budget_exceeded");
  assert.ok(err.retryAfterSeconds! > 0);
  assert.deepEqual(await providerRequests(), []);
  assert.equal(await ledgerCountForUser(student.id), 0);
  await closeDb();
});

Deno.test("the same Idempotency-Key twice → one transcription, one charge, identical bodies", async () => {
  await resetProvider();
  const student = await createUser();
  const supabase = clientFor(student);
  const key = crypto.randomUUID();
  const input = { file: fixtureFile("short.flac"), platform: "main" as const };
  const first = await transcribeVoice(supabase, input, { idempotencyKey: key });
  // A new FormData, so a new multipart boundary: still the same request.
  const second = await transcribeVoice(supabase, {
    ...input,
    file: fixtureFile("short.flac"),
  }, { idempotencyKey: key });
  assert.deepEqual(second, first);
  assert.equal((await providerRequests()).length, 1, "one provider call");
  assert.equal(
    await ledgerCountForUser(student.id),
    1,
    "one ledger row, one charge",
  );

  const other = await transcribeVoice(supabase, {
    file: fixtureFile("short.mp3"),
    platform: "main",
  }, { idempotencyKey: key })
    .catch((e) => e);
  assert.equal(
    other.status,
    409,
    "the key cannot be reused for another recording",
  );
  assert.equal(other.code, "idempotency_conflict");
  await closeDb();
});
