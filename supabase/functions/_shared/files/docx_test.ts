import assert from "node:assert/strict";
import { extractDocxText } from "./docx.ts";
import { fixture, manifest, storedZip } from "./test_fixtures.ts";

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
