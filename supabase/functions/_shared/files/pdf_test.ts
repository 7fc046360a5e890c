import { REQUEST_WORK_UNITS, WorkMeter } from "./work_meter.ts";
import assert from "node:assert/strict";
import { extractPdfText, MIN_PAGE_TEXT_CHARS, pageHasText, pagesWithoutText } from "./pdf.ts";
import { fixture, manifest, noise } from "./test_fixtures.ts";
import { deflateBomb, pdfDocument, proseLines } from "./test_documents.ts";
import { countRawPages, scanPdfStreams } from "./pdf_scan.ts";
import { DEFAULT_DOCUMENT_BUDGET } from "./budget.ts";

Deno.test("pdf: a multi-page Cyrillic PDF gives each page's known sentences, all with text", async () => {
  const { pages: expected } = (await manifest())["text-cyrillic.pdf"];
  const result = await extractPdfText(await fixture("text-cyrillic.pdf"));
  assert.ok(result.ok);
  assert.equal(result.pages.length, expected.length);
  for (const [i, sentences] of expected.entries()) {
    assert.equal(result.pages[i].page, i + 1);
    assert.equal(result.pages[i].hasText, true);
    for (const sentence of sentences) {
      assert.ok(result.pages[i].text.includes(sentence), sentence);
    }
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
  for (
    const bytes of [
      await fixture("corrupt.pdf"),
      noise(4096),
      new Uint8Array(0),
    ]
  ) {
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

// A scan at ~150 dpi (1240 × 1754, 2.2 MP) and a logo (200 × 80).
const SCAN = { width: 1240, height: 1754 };
const LOGO = { width: 200, height: 80 };

Deno.test("pdf: a born-digital page with one short real sentence is text", async () => {
  const sentence = "Answer: triangle area is 12 cm2."; // 27 non-space characters
  assert.equal(sentence.replace(/\s/g, "").length, 27);
  assert.equal(
    pageHasText(sentence),
    false,
    "below MIN_PAGE_TEXT_CHARS on its own",
  );
  const result = await extractPdfText(pdfDocument([{ lines: [sentence] }, {
    lines: [sentence],
    image: LOGO,
  }]));
  assert.ok(result.ok, JSON.stringify(result));
  assert.deepEqual(result.pages.map((p) => p.hasText), [true, true]);
});

Deno.test("pdf: a scan whose only text is a scanner stamp or a page number needs its image", async () => {
  const result = await extractPdfText(pdfDocument([
    { lines: ["Scanned with CamScanner"], image: SCAN },
    { lines: ["12"], image: SCAN },
    { lines: proseLines(3), image: SCAN }, // a full OCR layer over the scan stands for the page
  ]));
  assert.ok(result.ok, JSON.stringify(result));
  assert.deepEqual(pagesWithoutText(result.pages), [1, 2]);
});

Deno.test("pdf: a 30000 × 30000 image is never decoded", async () => {
  const started = performance.now();
  const result = await extractPdfText(pdfDocument([
    {
      lines: ["Scanned with CamScanner"],
      image: { width: 30000, height: 30000 },
    },
    { image: { width: 30000, height: 30000 } },
  ]));
  assert.ok(result.ok, JSON.stringify(result));
  assert.deepEqual(pagesWithoutText(result.pages), [1, 2]);
  assert.ok(performance.now() - started < 1000);
});

Deno.test("pdf: a stream bomb is refused before pdf.js reads it: 413 inflate_limit", async () => {
  const bomb = deflateBomb(40 << 20, { zlib: true });
  for (
    const contents of [
      [bomb],
      Array(5).fill(deflateBomb(20 << 20, { zlib: true })),
    ]
  ) {
    // Measured by the work meter, not the wall clock (the machine may be busy): the refusal
    // fits one request's budget.
    const meter = new WorkMeter();
    const result = await extractPdfText(
      pdfDocument([{ lines: ["x"], contents }]),
      {
        budget: { maxPdfStreamBytes: 32 << 20, maxPdfInflatedBytes: 64 << 20 },
        meter,
      },
    );
    assert.deepEqual(result.ok ? null : [result.code, result.reason], [
      "payload_too_large",
      "inflate_limit",
    ]);
    assert.ok(meter.used < REQUEST_WORK_UNITS, `${meter.used} units`);
  }
});

Deno.test("pdf: more pages than the budget is refused before any page is read", async () => {
  const result = await extractPdfText(
    pdfDocument(Array.from({ length: 12 }, () => ({ lines: ["page"] }))),
    { budget: { maxPdfPages: 10 } },
  );
  assert.deepEqual(result.ok ? null : [result.code, result.reason], [
    "payload_too_large",
    "too_many_pages",
  ]);
  assert.match(
    result.ok ? "" : result.hint,
    /Split the document.*at most 10 pages/,
  );
});

Deno.test("pdf: text past the cap stops the reading: 413 too_much_text", async () => {
  const pdf = pdfDocument(
    Array.from({ length: 5 }, (_, i) => ({ lines: proseLines(20, i) })),
  );
  const result = await extractPdfText(pdf, { budget: { maxTextChars: 4000 } });
  assert.deepEqual(result.ok ? null : [result.code, result.reason], [
    "payload_too_large",
    "too_much_text",
  ]);
});

Deno.test("pdf: the raw scan counts Flate streams and skips images", async () => {
  const pdf = pdfDocument([{ lines: ["a"], image: SCAN }]);
  const scan = await scanPdfStreams(pdf, DEFAULT_DOCUMENT_BUDGET);
  assert.ok(scan.ok);
  assert.equal(scan.streams, 2);
  assert.ok(scan.inflatedBytes < 1000, "the 2.2 MP image was not inflated");
  assert.equal(countRawPages(pdf), 1);
});
