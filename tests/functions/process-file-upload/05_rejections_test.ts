// Files that cannot or must not be read are refused by their bytes with a clear code, before any
// provider call and without a charge: the acceptance list of issue 7 and the form's own checks.
import assert from "node:assert/strict";
import {
  clientFor,
  ledgerCountForUser,
  providerRequests,
  resetProvider,
} from "../../_support/functions.ts";
import { closeDb, createUser, type TestUser } from "../../_support/stack.ts";
import { file, fixtureBytes, form, invokeFileForm } from "./fixtures.ts";

/** The start of a Windows executable (MZ header, PE signature, NULs), renamed .pdf. */
function executable(): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(4096);
  bytes.set([0x4d, 0x5a, 0x90, 0x00, 0x03]);
  new DataView(bytes.buffer).setUint32(0x3c, 0x80, true);
  bytes.set([0x50, 0x45, 0x00, 0x00], 0x80);
  bytes.set(new TextEncoder().encode("This program cannot be run in DOS mode."), 0x4e);
  return bytes;
}

/** 21 MB that begins like the PDF it claims to be: refused by its size alone. */
function oversizedPdf(): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(21 * 1024 * 1024);
  bytes.set(fixtureBytes("text-cyrillic.pdf").subarray(0, 1024));
  return bytes;
}

interface Case {
  name: string;
  form: () => FormData;
  user?: "none";
  status: number;
  code: string;
}

const pdf = () => file("text-cyrillic.pdf");

const cases: Case[] = [
  {
    name: "an executable renamed .pdf",
    form: () =>
      form({
        file: new File([executable()], "homework.pdf", { type: "application/pdf" }),
        platform: "main",
      }),
    status: 415,
    code: "unsupported_media_type",
  },
  {
    name: "a ZIP that is not a Word document, named .docx",
    form: () =>
      form({
        file: new File(
          [new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)])],
          "essay.docx",
        ),
        platform: "main",
      }),
    status: 415,
    code: "unsupported_media_type",
  },
  {
    name: "a corrupt PDF (cut after 600 bytes)",
    form: () => form({ file: file("corrupt.pdf"), platform: "main" }),
    status: 422,
    code: "unprocessable_file",
  },
  {
    name: "a password-protected PDF",
    form: () => form({ file: file("encrypted.pdf"), platform: "main" }),
    status: 422,
    code: "unprocessable_file",
  },
  {
    name: "a PDF whose page draws nothing",
    form: () => form({ file: file("blank.pdf"), platform: "main" }),
    status: 422,
    code: "unprocessable_file",
  },
  {
    name: "a Word document with no text",
    form: () => form({ file: file("empty.docx"), platform: "main" }),
    status: 422,
    code: "unprocessable_file",
  },
  {
    name: "an empty file",
    form: () => form({ file: new File([], "notes.txt", { type: "text/plain" }), platform: "main" }),
    status: 422,
    code: "unprocessable_file",
  },
  {
    name: "a text file of only blank lines",
    form: () => form({ file: new File(["\n \n\t\n"], "notes.md"), platform: "main" }),
    status: 422,
    code: "unprocessable_file",
  },
  {
    name: "a PNG cut off after its signature",
    form: () =>
      form({
        file: new File([fixtureBytes("printed-text.png").subarray(0, 12)], "a.png"),
        platform: "main",
      }),
    status: 422,
    code: "unprocessable_file",
  },
  {
    name: "a 21 MB file",
    form: () => form({ file: new File([oversizedPdf()], "book.pdf"), platform: "main" }),
    status: 413,
    code: "payload_too_large",
  },
  {
    name: "a page image that is not an image",
    form: () =>
      form({
        file: file("scanned.pdf"),
        platform: "main",
        page_images: [file("text-cyrillic.pdf"), file("scanned-page-2.png")],
      }),
    status: 415,
    code: "unsupported_media_type",
  },
  {
    name: "page images with a Word document",
    form: () =>
      form({ file: file("essay.docx"), platform: "main", page_images: file("scanned-page-1.png") }),
    status: 400,
    code: "invalid_request",
  },
  {
    name: "no file",
    form: () => form({ platform: "main" }),
    status: 400,
    code: "invalid_request",
  },
  {
    name: "no platform",
    form: () => form({ file: pdf() }),
    status: 400,
    code: "invalid_request",
  },
  {
    name: "an instruction of only spaces",
    form: () => form({ file: pdf(), platform: "main", instruction: "   " }),
    status: 400,
    code: "invalid_request",
  },
  {
    name: "another user's id in the form",
    form: () => form({ file: pdf(), platform: "main", user_id: crypto.randomUUID() }),
    status: 400,
    code: "invalid_request",
  },
  {
    name: "no JWT (only the anon key)",
    form: () => form({ file: pdf(), platform: "main" }),
    user: "none",
    status: 401,
    code: "unauthorized",
  },
];

Deno.test("every rejected upload gets its status and code, with no provider call and no ledger row", async (t) => {
  await resetProvider();
  const student: TestUser = await createUser();
  for (const c of cases) {
    await t.step(`${c.name} → ${c.status} ${c.code}`, async () => {
      const supabase = clientFor(c.user === "none" ? undefined : student);
      const res = await invokeFileForm(supabase, c.form());
      assert.equal(res.status, c.status, JSON.stringify(res.body));
      const error = res.body.error as { code: string; message: string };
      assert.equal(error.code, c.code);
      assert.equal(typeof error.message, "string");
    });
  }
  assert.deepEqual(await providerRequests(), [], "no request reached a provider");
  assert.equal(await ledgerCountForUser(student.id), 0, "nothing was recorded or charged");
  await closeDb();
});

Deno.test("FILE_MAX_BYTES is what a bigger upload is measured against (default 20 MB)", async () => {
  // The stack runs the function with the default; 20 MB exactly is not too large.
  await resetProvider();
  const student = await createUser();
  const bytes = new Uint8Array(20 * 1024 * 1024);
  bytes.set(fixtureBytes("text-cyrillic.pdf").subarray(0, 1024));
  const res = await invokeFileForm(
    clientFor(student),
    form({ file: new File([bytes], "big.pdf"), platform: "main" }),
  );
  assert.notEqual(res.status, 413, JSON.stringify(res.body));
  assert.equal(
    (res.body.error as { code: string }).code,
    "unprocessable_file",
    "read, and found damaged",
  );
  await closeDb();
});
