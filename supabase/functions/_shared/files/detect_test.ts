import assert from "node:assert/strict";
import { decodeUtf8Text, detectFileKind, fileGroup, zipEntryNames } from "./detect.ts";
import { concat, fixture, storedZip } from "./test_fixtures.ts";

const utf8 = (s: string) => new TextEncoder().encode(s);

Deno.test("detect: committed fixtures are recognised by their bytes", async () => {
  const expected: Record<string, string> = {
    "text-cyrillic.pdf": "pdf",
    "scanned.pdf": "pdf",
    "mixed.pdf": "pdf",
    "encrypted.pdf": "pdf",
    "corrupt.pdf": "pdf", // still a PDF by its header; the parser reports it corrupt (422, not 415)
    "essay.docx": "docx",
    "printed-text.png": "png",
    "scanned-page-1.png": "png",
    "animated.gif": "gif",
  };
  for (const [name, kind] of Object.entries(expected)) {
    assert.equal(detectFileKind(await fixture(name)), kind, name);
  }
});

Deno.test("detect: an ELF or PE executable renamed .pdf is unsupported", () => {
  const elf = concat([
    new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]),
    new Uint8Array(256),
  ]);
  const pe = concat([
    utf8("MZ"),
    new Uint8Array(58),
    utf8("PE\0\0"),
    new Uint8Array(200),
  ]);
  assert.equal(detectFileKind(elf, "homework.pdf"), null);
  assert.equal(detectFileKind(pe, "homework.pdf"), null);
  // The real ELF running this test, too.
  const deno = Deno.openSync(Deno.execPath());
  const head = new Uint8Array(65536);
  deno.readSync(head);
  deno.close();
  assert.equal(detectFileKind(head, "a.pdf"), null);
});

Deno.test("detect: the declared name never makes a PDF of something else, nor the reverse", async () => {
  assert.equal(
    detectFileKind(await fixture("printed-text.png"), "scan.pdf"),
    "png",
  );
  assert.equal(
    detectFileKind(await fixture("text-cyrillic.pdf"), "notes.txt"),
    "pdf",
  );
});

Deno.test("detect: a PDF header after leading junk within 1 KB still counts, further on not", () => {
  assert.equal(
    detectFileKind(concat([utf8("\r\n\r\n"), utf8("%PDF-1.7\n")])),
    "pdf",
  );
  assert.equal(
    detectFileKind(concat([new Uint8Array(2048).fill(0x41), utf8("%PDF-1.7")])),
    "txt",
  );
});

Deno.test("detect: JPEG, WebP and GIF signatures", () => {
  assert.equal(
    detectFileKind(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10])),
    "jpeg",
  );
  assert.equal(
    detectFileKind(concat([utf8("RIFF"), new Uint8Array(4), utf8("WEBPVP8 ")])),
    "webp",
  );
  assert.equal(detectFileKind(utf8("GIF87a\x01\x00\x01\x00")), "gif");
  assert.equal(
    detectFileKind(concat([utf8("RIFF"), new Uint8Array(4), utf8("WAVEfmt ")])),
    null,
  );
});

Deno.test("detect: only a ZIP holding word/document.xml is DOCX (not XLSX, not a plain zip)", () => {
  const docx = storedZip({
    "[Content_Types].xml": "<Types/>",
    "word/document.xml": "<w:document/>",
  });
  const xlsx = storedZip({
    "[Content_Types].xml": "<Types/>",
    "xl/workbook.xml": "<workbook/>",
  });
  const plain = storedZip({ "readme.txt": "hello" });
  assert.equal(detectFileKind(docx, "a.docx"), "docx");
  assert.equal(detectFileKind(xlsx, "a.docx"), null);
  assert.equal(detectFileKind(plain, "a.docx"), null);
});

Deno.test("detect: a DOCX cut before its central directory is still found by local headers", () => {
  const docx = storedZip({
    "word/document.xml": "<w:document/>",
    "word/styles.xml": "<s/>",
  });
  const cut = docx.subarray(0, docx.length - 60);
  assert.deepEqual(zipEntryNames(cut).slice(0, 1), ["word/document.xml"]);
  assert.equal(detectFileKind(cut), "docx");
});

Deno.test("detect: UTF-8 text is txt, or md when the name says so", () => {
  const text = utf8("# Конспект\n\nКвадратные уравнения.\tИтог.\r\n");
  assert.equal(detectFileKind(text), "txt");
  assert.equal(detectFileKind(text, "notes.txt"), "txt");
  assert.equal(detectFileKind(text, "Notes.MD"), "md");
  assert.equal(detectFileKind(text, "notes.markdown"), "md");
  assert.equal(fileGroup("md"), "text");
  assert.equal(
    decodeUtf8Text(
      concat([new Uint8Array([0xef, 0xbb, 0xbf]), utf8("Привет")]),
    ),
    "Привет",
  );
});

Deno.test("detect: binary, NULs, invalid UTF-8, control-heavy and empty input are unsupported", () => {
  assert.equal(detectFileKind(new Uint8Array(0)), null);
  assert.equal(detectFileKind(utf8("abc\0def")), null);
  assert.equal(detectFileKind(new Uint8Array([0xd0, 0x9f, 0xff, 0xfe])), null); // broken UTF-8
  assert.equal(
    detectFileKind(new Uint8Array([0x01, 0x02, 0x03, 0x41, 0x42, 0x43])),
    null,
  );
  assert.equal(
    detectFileKind(new Uint8Array(512).map((_, i) => (i * 7919) & 0xff)),
    null,
  );
});

Deno.test("detect: fileGroup maps kinds to the response's kind", () => {
  assert.equal(fileGroup("jpeg"), "image");
  assert.equal(fileGroup("pdf"), "pdf");
  assert.equal(fileGroup("docx"), "docx");
  assert.equal(fileGroup("txt"), "text");
});
