import assert from "node:assert/strict";
import { extractPdfText, MIN_PAGE_TEXT_CHARS, pageHasText, pagesWithoutText } from "./pdf.ts";
import { fixture, manifest, noise } from "./test_fixtures.ts";

Deno.test("pdf: a multi-page Cyrillic PDF gives each page's known sentences, all with text", async () => {
  const { pages: expected } = (await manifest())["text-cyrillic.pdf"];
  const result = await extractPdfText(await fixture("text-cyrillic.pdf"));
  assert.ok(result.ok);
  assert.equal(result.pages.length, expected.length);
  for (const [i, sentences] of expected.entries()) {
    assert.equal(result.pages[i].page, i + 1);
    assert.equal(result.pages[i].hasText, true);
    for (const sentence of sentences) assert.ok(result.pages[i].text.includes(sentence), sentence);
  }
  assert.deepEqual(pagesWithoutText(result.pages), []);
});

Deno.test("pdf: a scanned PDF (images only) comes back with every page lacking text", async () => {
  const result = await extractPdfText(await fixture("scanned.pdf"));
  assert.ok(result.ok);
  assert.deepEqual(result.pages.map((p) => p.hasText), [false, false]);
  assert.deepEqual(pagesWithoutText(result.pages), [1, 2]);
});

Deno.test("pdf: a mixed PDF names only its image page as lacking text", async () => {
  const m = (await manifest())["mixed.pdf"];
  const result = await extractPdfText(await fixture("mixed.pdf"));
  assert.ok(result.ok);
  assert.deepEqual(pagesWithoutText(result.pages), m.pagesWithoutText);
  assert.ok(result.pages[0].text.includes(m.textPage[0]));
});

Deno.test("pdf: a password-protected PDF is unprocessable: encrypted", async () => {
  const result = await extractPdfText(await fixture("encrypted.pdf"));
  assert.deepEqual(result.ok ? null : [result.code, result.reason], [
    "unprocessable_file",
    "encrypted",
  ]);
});

Deno.test("pdf: truncated or garbage PDFs are unprocessable: corrupt", async () => {
  for (const bytes of [await fixture("corrupt.pdf"), noise(4096), new Uint8Array(0)]) {
    const result = await extractPdfText(bytes);
    assert.deepEqual(result.ok ? null : result.reason, "corrupt");
  }
});

Deno.test("pdf: a PDF whose pages draw nothing is unprocessable: empty", async () => {
  const result = await extractPdfText(await fixture("blank.pdf"));
  assert.deepEqual(result.ok ? null : result.reason, "empty");
});

Deno.test("pdf: the caller's buffer is left intact", async () => {
  const bytes = await fixture("mixed.pdf");
  const before = bytes.length;
  await extractPdfText(bytes);
  assert.equal(bytes.length, before);
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 5)), "%PDF-");
});

Deno.test("pdf: a page has text from MIN_PAGE_TEXT_CHARS non-space characters up", () => {
  assert.equal(MIN_PAGE_TEXT_CHARS, 32);
  assert.equal(pageHasText("Scanned with CamScanner"), false);
  assert.equal(pageHasText("  12  \n"), false);
  assert.equal(pageHasText("Корни этого уравнения равны двум и трём."), true);
  assert.equal(pageHasText("a".repeat(31)), false);
  assert.equal(pageHasText("a ".repeat(32)), true);
  assert.equal(pageHasText("abc", 3), true);
});
