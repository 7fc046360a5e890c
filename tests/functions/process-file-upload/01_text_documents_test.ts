// Files that carry their text (a PDF with a text layer, a Word document, plain text and Markdown)
// take the text path: the text is extracted for free, one `document` call reads it, no image is
// sent anywhere, and the answer's cost is what the ledger says.
import assert from "node:assert/strict";
import { analyzeFile } from "../../../shared/index.ts";
import {
  clientFor,
  ledgerRows,
  providerRequests,
  resetProvider,
} from "../../_support/functions.ts";
import { closeDb, createUser } from "../../_support/stack.ts";
import { file, manifest, sumUsd } from "./fixtures.ts";

Deno.test("a text PDF (3 pages, Cyrillic) → method text, its sentences extracted, one document call, no image", async () => {
  await resetProvider();
  const student = await createUser();
  const res = await analyzeFile(clientFor(student), {
    file: file("text-cyrillic.pdf"),
    platform: "main",
  });

  assert.equal(res.kind, "pdf");
  assert.equal(res.method, "text");
  assert.equal(res.pages, 3);
  for (const sentence of manifest["text-cyrillic.pdf"].pages.flat()) {
    assert.ok(res.extracted_text!.includes(sentence), `extracted text has «${sentence}»`);
  }
  assert.ok(res.analysis.length > 0);
  assert.equal(res.provider, "groq");
  assert.deepEqual(res.models, ["openai/gpt-oss-120b"]);

  const calls = await providerRequests();
  assert.equal(calls.length, 1, "one call reads the whole document");
  assert.equal(calls[0].model, "openai/gpt-oss-120b");
  assert.equal(calls[0].body.images, undefined, "no image was sent");

  const rows = await ledgerRows(res.request_id);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].operation_type, "document");
  assert.equal(rows[0].function_name, "process-file-upload");
  assert.equal(rows[0].user_id, student.id);
  assert.equal(rows[0].status, "success");
  assert.equal(res.cost_usd, sumUsd(rows.map((r) => r.cost_usd)));
  assert.ok(Number(res.cost_usd) > 0);
  await closeDb();
});

Deno.test("a DOCX → text path: its paragraphs extracted, one document call, no vision", async () => {
  await resetProvider();
  const student = await createUser();
  const res = await analyzeFile(clientFor(student), {
    file: file("essay.docx"),
    platform: "main",
    instruction: "Найди в сочинении имена писателей.",
  });
  assert.equal(res.kind, "docx");
  assert.equal(res.method, "text");
  assert.equal(res.pages, undefined);
  for (const sentence of manifest["essay.docx"].sentences) {
    assert.ok(res.extracted_text!.includes(sentence), `extracted text has «${sentence}»`);
  }
  const calls = await providerRequests();
  assert.equal(calls.length, 1);
  assert.equal(calls[0].model, "openai/gpt-oss-120b");
  assert.equal(calls[0].body.images, undefined);
  const rows = await ledgerRows(res.request_id);
  assert.deepEqual(rows.map((r) => r.operation_type), ["document"]);
  assert.equal(res.cost_usd, sumUsd(rows.map((r) => r.cost_usd)));
  await closeDb();
});

Deno.test("txt and md files → kind text, one document call each; the file is not echoed back", async () => {
  await resetProvider();
  const student = await createUser();
  const supabase = clientFor(student);
  const enc = new TextEncoder();
  for (const name of ["notes.txt", "notes.md"]) {
    const res = await analyzeFile(supabase, {
      file: file(name, enc.encode("# Конспект\n\nФотосинтез идёт в хлоропластах.\n")),
      platform: "tripwire",
    });
    assert.equal(res.kind, "text");
    assert.equal(res.method, "text");
    assert.equal(res.extracted_text, undefined);
    const rows = await ledgerRows(res.request_id);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].platform, "tripwire");
    assert.equal(rows[0].operation_type, "document");
  }
  assert.equal((await providerRequests()).length, 2);
  await closeDb();
});
