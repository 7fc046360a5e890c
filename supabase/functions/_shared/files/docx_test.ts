import { REQUEST_WORK_UNITS, WorkLimitExceeded, WorkMeter } from "./work_meter.ts";
import assert from "node:assert/strict";
import { countTags, extractDocxText } from "./docx.ts";
import {
  deepNestingDocx,
  manyNodesDocx,
  wordRunsDocx,
} from "../../../../tests/functions/process-file-upload/corpus/hostile.mjs";
import { deflateBomb, documentXml, docxArchive, proseLines } from "./test_documents.ts";
import { fixture, manifest, noise, storedZip } from "./test_fixtures.ts";

Deno.test("docx: a Cyrillic Word document gives its sentences as paragraphs", async () => {
  const { sentences } = (await manifest())["essay.docx"];
  const result = await extractDocxText(await fixture("essay.docx"));
  assert.ok(result.ok);
  assert.equal(result.text, sentences.join("\n\n"));
});

Deno.test("docx: damaged archives are unprocessable: corrupt", async () => {
  const docx = await fixture("essay.docx");
  const cases = [
    docx.subarray(0, docx.length / 2), // truncated upload
    await fixture("text-cyrillic.pdf"), // not a zip at all
    storedZip({ "word/document.xml": "<w:document><unclosed" }), // broken XML
  ];
  for (const bytes of cases) {
    const result = await extractDocxText(bytes);
    assert.deepEqual(result.ok ? null : [result.code, result.reason], [
      "unprocessable_file",
      "corrupt",
    ]);
  }
});

Deno.test("docx: a document without text is unprocessable: empty", async () => {
  const result = await extractDocxText(await fixture("empty.docx"));
  assert.deepEqual(result.ok ? null : result.reason, "empty");
});

const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';

Deno.test("docx: tabs, breaks, tables, entities; field codes and deleted text left out", async () => {
  const xml = `<?xml version="1.0"?><w:document ${W}><w:body>` +
    `<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>` +
    `<w:r><w:t>a</w:t><w:tab/><w:t>b</w:t><w:br/><w:t xml:space="preserve">c &amp; d &lt;e&gt; &#1046;&#x416;</w:t></w:r>` +
    `<w:r><w:instrText> PAGE </w:instrText></w:r><w:del><w:r><w:delText>gone</w:delText></w:r></w:del></w:p>` +
    `<w:tbl><w:tr><w:tc><w:p><w:r><w:t>cell 1</w:t></w:r></w:p></w:tc>` +
    `<w:tc><w:p><w:r><w:t>cell 2</w:t></w:r></w:p></w:tc></w:tr></w:tbl>` +
    `<w:p/><w:p><w:r><w:t>end</w:t><w:cr/></w:r></w:p></w:body></w:document>`;
  const result = await extractDocxText(docxArchive(xml));
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(result.text, "a\tb\nc & d <e> ЖЖ\n\ncell 1\n\ncell 2\n\nend");
});

Deno.test("docx: the XML is read in chunks: a tag or entity split across them is whole", async () => {
  // ~3 MB of XML arrives in many inflated chunks; every paragraph must come back intact.
  const paragraphs = Array.from(
    { length: 20_000 },
    (_, i) => `Абзац ${i} &amp; <конец>`,
  );
  const result = await extractDocxText(docxArchive(documentXml(paragraphs)));
  assert.ok(result.ok);
  assert.deepEqual(result.text.split("\n\n"), paragraphs);
});

Deno.test("docx: a bomb is refused before inflating (ratio) or as soon as it lies (size)", async () => {
  const bomb = deflateBomb(1100 << 20);
  const small = deflateBomb(40 << 20);
  const cases = [
    { data: bomb, declaredSize: 1000 << 20, reason: "inflate_limit" }, // past maxDocxXmlBytes
    { data: small, declaredSize: 40 << 20, reason: "zip_bomb" }, // ratio ~1,000:1
    { data: bomb, declaredSize: 1 << 20, reason: "zip_bomb" }, // a lie: inflates past it
  ];
  for (const { data, ...c } of cases) {
    // What the refusal cost is read from the work meter, not the wall clock (a busy machine
    // measures its neighbours): the first two inflate nothing, the lie stops within ~1 MB.
    const meter = new WorkMeter();
    const result = await extractDocxText(
      docxArchive({ name: "word/document.xml", data, method: "raw", ...c }),
      {},
      meter,
    );
    assert.deepEqual(result.ok ? null : [result.code, result.reason], [
      "payload_too_large",
      c.reason,
    ]);
    assert.ok(!result.ok && result.hint.length > 0);
    assert.ok(meter.used < 100_000, `${c.reason} cost ${meter.used} units`);
  }
});

Deno.test("docx: pictures are never inflated, even a bomb among them", async () => {
  const result = await extractDocxText(docxArchive(documentXml(["Текст"]), [
    {
      name: "word/media/image1.png",
      data: deflateBomb(1100 << 20),
      method: "raw",
    },
    { name: "word/media/image2.png", data: noise(1 << 20), method: 0 },
  ]));
  assert.deepEqual(result, { ok: true, text: "Текст" });
});

Deno.test("docx: text past the cap stops the pass: 413 too_much_text, split hint", async () => {
  const result = await extractDocxText(
    docxArchive(documentXml(proseLines(2000))),
    {
      maxTextChars: 10_000,
    },
  );
  assert.deepEqual(
    result.ok ? null : [result.code, result.reason, result.hint],
    [
      "payload_too_large",
      "too_much_text",
      "Split the document and send its parts one by one.",
    ],
  );
});

Deno.test("docx: more zip entries than the budget allows is refused unread", async () => {
  const media = Array.from(
    { length: 20 },
    (_, i) => ({ name: `word/media/${i}.png`, data: "x" }),
  );
  const result = await extractDocxText(docxArchive(documentXml(["a"]), media), {
    maxZipEntries: 10,
  });
  assert.deepEqual(result.ok ? null : result.reason, "zip_bomb");
});

Deno.test("a raw U+0000 and a &#xD800; reference come out as U+FFFD: storable text", async () => {
  const xml = documentXml(["до \u0000 после SURROGATE конец"]).replace("SURROGATE", "&#xD800;");
  const result = await extractDocxText(docxArchive(xml));
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(result.text, "до \uFFFD после \uFFFD конец");
});

Deno.test("docx: tags and text runs are counted apart (<w:t>, <w:t …> but not <w:tab/>, <w:tbl>)", () => {
  const xml =
    '<w:p><w:r><w:t>a</w:t><w:tab/><w:t xml:space="preserve"> b</w:t></w:r><w:tbl/></w:p>';
  assert.deepEqual(countTags(xml), { tags: 10, textRuns: 2 });
});

Deno.test("docx: the work meter refuses the fuzz test's DOCX of one-word runs, and takes real documents", async () => {
  // Seed 780843 of the random-file fuzz test: 401,741 one-word runs in one paragraph, nested
  // 23,344 deep, was priced 358 k units (0.012 a byte, 0.05 a tag) and took 1.53–1.57 s of CPU
  // through the stack. Priced per text run and character too, it is refused mid-stream.
  const refused = new WorkMeter();
  await assert.rejects(
    extractDocxText(new Uint8Array(wordRunsDocx(401_741, 23_344)), {}, refused),
    WorkLimitExceeded,
  );
  assert.ok(refused.used <= REQUEST_WORK_UNITS);
  // What must still fit one request: the corpus's 800 k empty runs and 200,000-deep nesting,
  // 200 k one-word runs, and ~2.4 M characters of prose (near the text cap) in 26,000 paragraphs.
  for (
    const [what, bytes] of [
      ["800 k empty runs", manyNodesDocx(800_000)],
      ["200,000 deep", deepNestingDocx(200_000)],
      ["200 k one-word runs", wordRunsDocx(200_000)],
      ["2.4 M characters of prose", docxArchive(documentXml(proseLines(26_000)))],
    ] as const
  ) {
    const meter = new WorkMeter();
    const result = await extractDocxText(new Uint8Array(bytes), {}, meter);
    assert.ok(result.ok, `${what}: ${JSON.stringify(result).slice(0, 200)}`);
    assert.ok(meter.used < REQUEST_WORK_UNITS * 0.95, `${what}: ${Math.round(meter.used)} units`);
  }
});
