// A DOCX whose text holds a raw U+0000 or `&#xD800;` is answered once and charged once: the text is
// made storable when it is extracted, so its answer is stored and a retry — even after the
// 10-minute lease — is a replay, with no second provider call and no second ledger row. Both
// control stores.
import assert from "node:assert/strict";
import { createFileHandler } from "../../../supabase/functions/process-file-upload/handler.ts";
import { createRuntime } from "../../../supabase/functions/_shared/runtime.ts";
import {
  documentXml,
  docxArchive,
} from "../../../supabase/functions/_shared/files/test_documents.ts";
import { ledgerCountForUser, providerRequests, resetProvider } from "../../_support/functions.ts";
import { closeDb, createUser, db, stackEnv } from "../../_support/stack.ts";

const directEnv = (store: "postgres" | "data-api") => ({
  SUPABASE_URL: stackEnv.url,
  SUPABASE_DB_URL: stackEnv.dbUrl,
  SUPABASE_SECRET_KEYS: JSON.stringify({ default: stackEnv.secretKey }),
  SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: stackEnv.publishableKey }),
  AI_CONTROL_STORE: store,
  ...(store === "postgres" ? { AI_CONTROL_DB_URL: stackEnv.dbUrl } : {}),
  GROQ_API_KEY: "offline-groq-key",
  GROQ_BASE_URL: `${stackEnv.providerUrl}/openai/v1`,
  OPENAI_API_KEY: "offline-openai-key",
  OPENAI_BASE_URL: `${stackEnv.providerUrl}/v1`,
});

/** A DOCX whose paragraph holds a raw NUL and a `&#xD800;` reference (a lone surrogate). */
function hostileDocx(): Uint8Array<ArrayBuffer> {
  const xml = documentXml([
    "Конспект урока о воронке продаж. NUL: \u0000 конец. Суррогат: SURROGATE конец.",
  ]).replace("SURROGATE", "&#xD800;");
  return docxArchive(xml) as Uint8Array<ArrayBuffer>;
}

function upload(token: string, key: string) {
  const form = new FormData();
  form.append(
    "file",
    new File([hostileDocx()], "notes.docx", {
      type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }),
  );
  form.append("platform", "main");
  return new Request("http://function.local/process-file-upload", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "idempotency-key": key },
    body: form,
  });
}

for (const store of ["postgres", "data-api"] as const) {
  Deno.test(`control store ${store}: the NUL/&#xD800; DOCX retried after its lease makes no second call or ledger row`, async () => {
    await resetProvider();
    const handler = createFileHandler(createRuntime(directEnv(store)));
    const student = await createUser();
    const key = crypto.randomUUID();
    const first = await handler(upload(student.token, key));
    const body = await first.json();
    assert.equal(first.status, 200, JSON.stringify(body));
    assert.doesNotMatch(JSON.stringify(body), /\\u0000|\\ud800/i, "nothing unstorable answered");
    const calls = (await providerRequests()).length;
    assert.ok(calls >= 1);
    const rows = await ledgerCountForUser(student.id, 500);
    assert.ok(rows >= 1);

    // The lease ends (10 minutes on the clock): the key must already be done.
    await db()`update ai_private.idempotency_keys set locked_until = now() - interval '1 hour'
               where user_id = ${student.id} and idempotency_key = ${key}`;
    const retry = await handler(upload(student.token, key));
    assert.equal(retry.status, 200);
    assert.equal(retry.headers.get("idempotent-replayed"), "true");
    assert.deepEqual(await retry.json(), body);
    assert.equal((await providerRequests()).length, calls, "no second provider call");
    assert.equal(await ledgerCountForUser(student.id, 500), rows, "no second ledger row");
    await closeDb();
  });
}
