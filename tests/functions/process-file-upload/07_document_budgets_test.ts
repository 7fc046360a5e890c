// Documents built to expand without bound are refused from their structure, fast, before any
// provider call and without a charge (issue 12): zip and PDF stream bombs, a PDF with too many
// pages, more text than one request analyses, and a page image no worker could decode. Each file is
// built here (test_documents.ts: a ZIP writer and a minimal PDF writer over node:zlib).
import assert from "node:assert/strict";
import {
  clientFor,
  ledgerCountForUser,
  providerRequests,
  resetProvider,
} from "../../_support/functions.ts";
import { closeDb, createUser } from "../../_support/stack.ts";
import {
  deflateBomb,
  documentXml,
  docxArchive,
  pdfDocument,
  proseLines,
} from "../../../supabase/functions/_shared/files/test_documents.ts";
import { file, form, invokeFileForm } from "./fixtures.ts";

interface Case {
  name: string;
  build: () => Uint8Array;
  fileName: string;
  status: number;
  code: string;
}

const cases: Case[] = [
  {
    name: "a DOCX whose document.xml inflates to 1.1 GB (declared honestly)",
    build: () =>
      docxArchive({
        name: "word/document.xml",
        data: deflateBomb(1100 << 20),
        method: "raw",
        declaredSize: 1100 << 20,
      }),
    fileName: "bomb.docx",
    status: 413,
    code: "payload_too_large",
  },
  {
    name: "a DOCX bomb that declares 1 MB",
    build: () =>
      docxArchive({
        name: "word/document.xml",
        data: deflateBomb(1100 << 20),
        method: "raw",
        declaredSize: 1 << 20,
      }),
    fileName: "lying.docx",
    status: 413,
    code: "payload_too_large",
  },
  {
    name: "a DOCX with more text than one request analyses",
    build: () => docxArchive(documentXml(proseLines(30_000, 5, 100))),
    fileName: "novel.docx",
    status: 413,
    code: "payload_too_large",
  },
  {
    name: "a PDF whose streams inflate to 600 MB",
    build: () =>
      pdfDocument([{
        lines: ["Homework"],
        contents: Array(20).fill(deflateBomb(30 << 20, { zlib: true })),
      }]),
    fileName: "bomb.pdf",
    status: 413,
    code: "payload_too_large",
  },
  {
    name: "a PDF of 2,000 pages",
    build: () => pdfDocument(Array.from({ length: 2000 }, (_, i) => ({ lines: [`Page ${i}`] }))),
    fileName: "book.pdf",
    status: 413,
    code: "payload_too_large",
  },
  {
    name: "a scan page of 30000 × 30000 pixels (its image is asked for, never decoded)",
    build: () =>
      pdfDocument([{ lines: ["Scanned with CamScanner"], image: { width: 30000, height: 30000 } }]),
    fileName: "scan.pdf",
    status: 422,
    code: "page_images_required",
  },
];

Deno.test("every document bomb is refused fast with a hint, before any provider call and charge", async (t) => {
  await resetProvider();
  const student = await createUser();
  const supabase = clientFor(student);
  // The worker's first PDF and DOCX load their code; warm it so the timings measure the checks.
  await invokeFileForm(supabase, form({ file: file("blank.pdf"), platform: "main" }));
  await invokeFileForm(supabase, form({ file: file("empty.docx"), platform: "main" }));
  for (const c of cases) {
    await t.step(`${c.name} → ${c.status} ${c.code}`, async () => {
      const bytes = c.build() as Uint8Array<ArrayBuffer>;
      const started = performance.now();
      const res = await invokeFileForm(
        supabase,
        form({ file: file(c.fileName, bytes), platform: "main" }),
      );
      const elapsedMs = performance.now() - started;
      assert.equal(res.status, c.status, JSON.stringify(res.body));
      const error = res.body.error as { code: string; message: string; hint?: string };
      assert.equal(error.code, c.code);
      assert.ok((error.hint ?? "").length > 0, "the answer says what to do");
      assert.ok(elapsedMs < 1000, `answered in ${Math.round(elapsedMs)} ms`);
    });
  }
  assert.deepEqual(await providerRequests(), [], "no request reached a provider");
  assert.equal(await ledgerCountForUser(student.id), 0, "nothing was recorded or charged");
  await closeDb();
});
