import assert from "node:assert/strict";
import { ContentTally, pdfWork } from "./pdf_work.ts";
import { scanPdfStreams } from "./pdf_scan.ts";
import { WORK_PRICE } from "./work_meter.ts";
import {
  nestedFormsPdf,
  repeatedOps,
  sharedStreamPdf,
  xobjectReusePdf,
} from "../../../../tests/functions/process-file-upload/corpus/hostile.mjs";

const LIMITS = { maxPdfStreamBytes: 1e9, maxPdfInflatedBytes: 1e9 };

async function work(bytes: Uint8Array) {
  const scan = await scanPdfStreams(bytes, LIMITS);
  assert.ok(scan.ok);
  return pdfWork(scan.objects);
}

Deno.test("a content stream's tally: tokens, operators, shown bytes, Do names; strings and inline images are skipped", () => {
  const t = new ContentTally();
  const text = "BT /F1 10 Tf (a Tj \\) b) Tj [(cd) -5 (e)] TJ ET q /Fm1 Do Q % Tj Tj\n" +
    "BI /W 1 /H 1 ID \x00Tj\xff EI\n";
  // Split anywhere: the tally keeps its state across chunks.
  const bytes = new TextEncoder().encode(text);
  t.push(bytes.subarray(0, 17));
  t.push(bytes.subarray(17));
  t.end();
  assert.equal(t.operators, 10, "BT Tf Tj TJ ET q Do Q BI ID (EI ends the image)");
  assert.equal(t.glyphBytes, 9 + 3, "(a Tj \\) b) and (cd)(e)");
  assert.deepEqual([...t.dos], [["/Fm1", 1]]);
});

Deno.test("a stream shared by pages is counted once per page that uses it", async () => {
  const one = await work(new Uint8Array(sharedStreamPdf(1, repeatedOps("1 0 Td", 1000))));
  const hundred = await work(new Uint8Array(sharedStreamPdf(100, repeatedOps("1 0 Td", 1000))));
  assert.equal(hundred.pages, 100);
  assert.ok(
    Math.abs(hundred.textUnits - 100 * one.textUnits) < 1e-6 * hundred.textUnits,
    `${hundred.textUnits} = 100 × ${one.textUnits}`,
  );
  const perTd = 3 * WORK_PRICE.pdfToken + WORK_PRICE.pdfOperator;
  assert.ok(one.textUnits >= 1000 * perTd, "each Td costs its tokens and its operator");
});

Deno.test("a form XObject costs its content every time it is painted, nested forms multiply", async () => {
  const once = await work(new Uint8Array(xobjectReusePdf(1, 1000)));
  const many = await work(new Uint8Array(xobjectReusePdf(500, 1000)));
  assert.ok(many.textUnits > 400 * once.textUnits, `${many.textUnits} vs ${once.textUnits}`);
  const nested = await work(new Uint8Array(nestedFormsPdf(3, 20)));
  assert.ok(nested.maxPageOperators >= 20 ** 3 * 50, "20 × 20 × 20 uses of a 50-operator form");
});
