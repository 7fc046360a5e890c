// A student past their budget is refused before any provider call; a retried request with the same
// Idempotency-Key is answered once and charged once.
import assert from "node:assert/strict";
import { AiFunctionError, invokeChat } from "../../../shared/index.ts";
import {
  clientFor,
  ledgerCountForUser,
  providerRequests,
  resetProvider,
} from "../../_support/functions.ts";
import { closeDb, createUser, db } from "../../_support/stack.ts";

Deno.test("an exhausted budget → 429 budget_exceeded with Retry-After, and no provider call", async () => {
  await resetProvider();
  const student = await createUser();
  await db()`insert into ai_private.budget_limits (platform, period, user_id, limit_usd, note)
             values ('main', 'day', ${student.id}, 0, 'test: no budget')`;
  const before = (await providerRequests()).length;
  const err = await invokeChat(clientFor(student), { platform: "main", message: "Можно вопрос?" })
    .catch((e) => e);
  assert.ok(err instanceof AiFunctionError);
  assert.equal(err.status, 429);
  assert.equal(err.code, "budget_exceeded");
  assert.ok(
    err.retryAfterSeconds! > 0 && err.retryAfterSeconds! <= 86400,
    "Retry-After is the time to the daily reset",
  );
  assert.equal((await providerRequests()).length, before);
  assert.equal(await ledgerCountForUser(student.id), 0);
  await closeDb();
});

Deno.test("the same Idempotency-Key twice → one provider call, one charge, identical bodies", async () => {
  await resetProvider();
  const student = await createUser();
  const supabase = clientFor(student);
  const key = crypto.randomUUID();
  const before = (await providerRequests()).length;
  const input = { platform: "main" as const, message: "Сколько длится курс?" };
  const first = await invokeChat(supabase, input, { idempotencyKey: key });
  const second = await invokeChat(supabase, input, { idempotencyKey: key });
  assert.deepEqual(second, first);
  assert.equal((await providerRequests()).length - before, 1, "one provider call");
  assert.equal(await ledgerCountForUser(student.id), 1, "one ledger row, one charge");

  const reused = await invokeChat(supabase, { ...input, message: "Другой вопрос" }, {
    idempotencyKey: key,
  }).catch((e) => e);
  assert.equal(reused.status, 409, "the key cannot be reused for another request");
  assert.equal(reused.code, "idempotency_conflict");
  await closeDb();
});
