// The largest input of each kind the function accepts is answered under hosted's limits: the
// stack's supervisor ends a worker past 2 s of CPU or 256 MB (546), so a 200 here means the request
// fits on hosted too (issue 12: "every accepted class at its maximum answers 200 with no 546").
// Each file is built here, at the edge of its budget (budget.ts, image.ts ENVELOPE).
import assert from "node:assert/strict";
import { clientFor, resetProvider } from "../../_support/functions.ts";
import { closeDb, createUser } from "../../_support/stack.ts";
import { encodeJpeg } from "../../../supabase/functions/_shared/files/codecs.ts";
import { DEFAULT_DOCUMENT_BUDGET } from "../../../supabase/functions/_shared/files/budget.ts";
import { ENVELOPE } from "../../../supabase/functions/_shared/files/image.ts";
import {
  docxArchive,
  pdfDocument,
  proseLines,
} from "../../../supabase/functions/_shared/files/test_documents.ts";
import { gradientPng, noise } from "../../../supabase/functions/_shared/files/test_fixtures.ts";
import { file, form, invokeFileForm } from "./fixtures.ts";

/** A PDF at the page cap whose text stays just under the PDF character cap. */
function largestPdf(): Uint8Array {
  const pages = DEFAULT_DOCUMENT_BUDGET.maxPdfPages;
  const perPage = Math.floor((DEFAULT_DOCUMENT_BUDGET.maxPdfTextChars * 0.95) / pages);
  const lines = Math.floor(perPage / 90);
  return pdfDocument(
    Array.from({ length: pages }, (_, i) => ({ lines: proseLines(lines, i + 1) })),
  );
}

/**
 * A DOCX whose document.xml is just under its cap and nearly all markup (runs with random
 * attribute values, so it stays under the zip ratio check): the costliest XML to stream.
 */
function largestDocx(): Uint8Array {
  const limit = DEFAULT_DOCUMENT_BUDGET.maxDocxXmlBytes - 1024 * 1024;
  const parts = [
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Итоговое эссе</w:t></w:r>',
  ];
  let size = parts[0].length;
  let x = 12345;
  while (size < limit) {
    x = (x * 1103515245 + 12345) >>> 0;
    const run = `<w:r><w:rPr><w:color w:val="${x.toString(16)}"/><w:sz w:val="${
      x % 97
    }"/></w:rPr></w:r>`;
    parts.push(run);
    size += run.length;
  }
  parts.push("</w:p></w:body></w:document>");
  return docxArchive(parts.join(""));
}

/** A sequential JPEG at the server's pixel envelope (≈ 50 MP), photo-like. */
async function largestJpeg(): Promise<Uint8Array> {
  const width = 8660;
  const height = Math.floor(ENVELOPE.jpegSequentialPixels / width);
  const data = new Uint8Array(width * height * 4);
  const grain = noise(4096);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 4) {
      const g = grain[(x * 31 + y * 17) & 4095] >> 5;
      data[i] = ((x >> 5) + g) & 0xff;
      data[i + 1] = ((y >> 5) + g) & 0xff;
      data[i + 2] = (((x ^ y) >> 6) + g) & 0xff;
      data[i + 3] = 255;
    }
  }
  return await encodeJpeg({ data, width, height }, 80);
}

/** A non-interlaced RGB PNG whose pixel rows are just under the envelope's byte cap. */
function largestPng(): Uint8Array {
  const side = Math.floor(Math.sqrt(ENVELOPE.pngRawBytes / 3)) - 8;
  return gradientPng(side, side);
}

const cases: { name: string; fileName: string; build: () => Uint8Array | Promise<Uint8Array> }[] = [
  {
    name: "a PDF at the page cap, text just under the character cap",
    fileName: "big.pdf",
    build: largestPdf,
  },
  {
    name: "a DOCX with document.xml just under its cap, nearly all markup",
    fileName: "big.docx",
    build: largestDocx,
  },
  {
    name: "a sequential JPEG at the server's 50 MP envelope",
    fileName: "big.jpg",
    build: largestJpeg,
  },
  {
    name: "a PNG with pixel rows just under the envelope's cap",
    fileName: "big.png",
    build: largestPng,
  },
];

Deno.test("the largest accepted input of each kind is answered 200 under hosted's limits, no 546", async (t) => {
  await resetProvider();
  const student = await createUser();
  const supabase = clientFor(student);
  for (const c of cases) {
    await t.step(c.name, async () => {
      const bytes = await c.build() as Uint8Array<ArrayBuffer>;
      assert.ok(bytes.length <= 20 * 1024 * 1024, `${bytes.length} B fits the upload limit`);
      const res = await invokeFileForm(
        supabase,
        form({ file: file(c.fileName, bytes), platform: "main" }),
      );
      assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
    });
  }
  await closeDb();
});
