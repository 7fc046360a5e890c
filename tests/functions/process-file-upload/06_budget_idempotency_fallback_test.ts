// Budget, fallback and idempotency as in process-chat: an exhausted budget refuses before any call,
// a Groq failure falls back to OpenAI within the same request (every attempt a ledger row), and a
// retried upload with the same Idempotency-Key is answered once and charged once.
import assert from "node:assert/strict";
import { AiFunctionError, analyzeFile } from "../../../shared/index.ts";
import {
  clientFor,
  injectFault,
  ledgerCountForUser,
  ledgerRows,
  providerRequests,
  resetProvider,
} from "../../_support/functions.ts";
import { closeDb, createUser, db } from "../../_support/stack.ts";
import { file, sumUsd } from "./fixtures.ts";

Deno.test("an exhausted budget → 429 budget_exceeded, no provider call, nothing recorded", async () => {
  await resetProvider();
  const student = await createUser();
  await db()`insert into ai_private.budget_limits (platform, period, user_id, limit_usd, note)
             values ('main', 'day', ${student.id}, 0, 'test: no budget')`;
  const err = await analyzeFile(clientFor(student), {
    file: file("printed-text.png"),
    platform: "main",
  })
    .catch((e) => e);
  assert.ok(err instanceof AiFunctionError);
  assert.equal(err.status, 429);
  assert.equal(err.code, "budget_exceeded");
  assert.deepEqual(await providerRequests(), []);
  assert.equal(await ledgerCountForUser(student.id), 0);
  await closeDb();
});

Deno.test("Groq failing every call → OpenAI answers each part; every attempt is a ledger row with its own number", async () => {
  await resetProvider();
  await injectFault({
    provider: "groq",
    path: "chat/completions",
    times: 50,
    fault: { type: "status", status: 503 },
  });
  const student = await createUser();
  const res = await analyzeFile(clientFor(student), {
    file: file("mixed.pdf"),
    platform: "main",
    page_images: [file("scanned-page-2.png")],
  });
  assert.equal(res.method, "mixed");
  assert.equal(res.provider, "openai");
  assert.deepEqual(res.models, ["gpt-6-luna"]);
  const rows = await ledgerRows(
    res.request_id,
    (rs) => rs.filter((r) => r.status === "success").length === 3,
  );
  assert.deepEqual(
    rows.map((r) => r.attempt),
    rows.map((_, i) => i + 1),
    "attempts 1…n, no gaps or clashes",
  );
  // Three operations in page order (page 1's text, page 2's image, the combining call), each
  // Groq errors then one OpenAI success.
  const successes = rows.filter((r) => r.status === "success");
  assert.deepEqual(
    successes.map((r) => [r.operation_type, r.provider, r.model]),
    [["document", "openai", "gpt-6-luna"], ["vision", "openai", "gpt-6-luna"], [
      "document",
      "openai",
      "gpt-6-luna",
    ]],
  );
  assert.ok(
    rows.filter((r) => r.status === "error").every((r) =>
      r.provider === "groq" && r.cost_usd === "0.0000000000"
    ),
  );
  assert.ok(
    rows.filter((r) => r.status === "error").length >= 3,
    "at least one failed Groq attempt per operation",
  );
  assert.equal(res.cost_usd, sumUsd(rows.map((r) => r.cost_usd)));
  await closeDb();
});

Deno.test("the same Idempotency-Key twice → the calls run once, one charge, identical bodies; another file → 409", async () => {
  await resetProvider();
  const student = await createUser();
  const supabase = clientFor(student);
  const key = crypto.randomUUID();
  const input = {
    file: file("scanned.pdf"),
    platform: "main" as const,
    page_images: [file("scanned-page-1.png"), file("scanned-page-2.png")],
  };
  const first = await analyzeFile(supabase, input, { idempotencyKey: key });
  const second = await analyzeFile(supabase, { ...input, file: file("scanned.pdf") }, {
    idempotencyKey: key,
  });
  assert.deepEqual(second, first);
  assert.equal((await providerRequests()).length, 1, "one provider call");
  assert.equal(await ledgerCountForUser(student.id), 1, "one ledger row, one charge");

  const reused = await analyzeFile(supabase, { ...input, file: file("mixed.pdf") }, {
    idempotencyKey: key,
  })
    .catch((e) => e);
  assert.equal(reused.status, 409);
  assert.equal(reused.code, "idempotency_conflict");
  await closeDb();
});
