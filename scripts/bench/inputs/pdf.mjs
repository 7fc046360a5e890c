// A minimal PDF writer for text pages in Cyrillic and Latin. The font is the standard Helvetica
// (nothing embedded) with an /Encoding whose codes 128–193 name the Cyrillic glyphs (uniXXXX) and
// a /ToUnicode CMap, so pdf.js extracts the text as Unicode. Content streams are FlateDecode.
import zlib from "node:zlib";
import { deflateChunks, repeated } from "./deflate.mjs";
import { prng, prose, wrap } from "./random.mjs";

/** Byte code of each character the font can show (ASCII as is, Cyrillic at 128–193). */
function encodeText(text) {
  const out = [];
  for (const ch of text) {
    const u = ch.codePointAt(0);
    let b;
    if (u >= 0x20 && u <= 0x7e) b = u;
    else if (u >= 0x410 && u <= 0x44f) b = 128 + u - 0x410;
    else if (u === 0x401) b = 192;
    else if (u === 0x451) b = 193;
    else b = 0x3f; // "?"
    if (b === 0x28 || b === 0x29 || b === 0x5c) out.push(0x5c); // escape ( ) \
    out.push(b);
  }
  return Buffer.from(out);
}

const hex = (n, w) => n.toString(16).toUpperCase().padStart(w, "0");

function cyrillicDifferences() {
  const names = [];
  for (let u = 0x410; u <= 0x44f; u++) names.push(`/uni${hex(u, 4)}`);
  names.push("/uni0401", "/uni0451");
  return `[128 ${names.join(" ")}]`;
}

const TO_UNICODE = `/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Bench-UCS def
/CMapType 2 def
1 begincodespacerange
<00> <FF>
endcodespacerange
2 beginbfrange
<20> <7E> <0020>
<80> <BF> <0410>
endbfrange
2 beginbfchar
<C0> <0401>
<C1> <0451>
endbfchar
endcmap
CMapName currentdict /CMap defineresource pop
end
end
`;

/** One page's content stream: `lines` of text from the top of an A4 page. */
function pageContent(lines) {
  const parts = [Buffer.from("BT /F1 10 Tf 13 TL 56 790 Td\n", "latin1")];
  for (const line of lines) {
    parts.push(Buffer.from("("), encodeText(line), Buffer.from(") Tj T*\n"));
  }
  parts.push(Buffer.from("ET\n"));
  return Buffer.concat(parts);
}

/**
 * Writes a PDF. `pages` is an array of content-stream object numbers' payloads: each item is
 * `{ contents: Buffer[] }`, the already FlateDecode-compressed streams with their raw length, or
 * `{ shared: n }` to reuse page n's streams.
 */
function writePdf(pages) {
  const objects = []; // index = object number - 1; Buffer bodies
  const add = (body) => {
    objects.push(body);
    return objects.length;
  };
  const stream = (dict, data) =>
    Buffer.concat([
      Buffer.from(`<< ${dict} /Length ${data.length} >>\nstream\n`, "latin1"),
      data,
      Buffer.from("\nendstream"),
    ]);
  const catalog = add(null);
  const pagesObj = add(null);
  const cmap = zlib.deflateSync(Buffer.from(TO_UNICODE));
  const toUnicode = add(stream("/Filter /FlateDecode", cmap));
  const encoding = add(
    Buffer.from(
      `<< /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences ${cyrillicDifferences()} >>`,
    ),
  );
  const font = add(
    Buffer.from(
      `<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding ${encoding} 0 R /ToUnicode ${toUnicode} 0 R >>`,
    ),
  );
  const contentRefs = [];
  const kids = [];
  for (const page of pages) {
    let refs;
    if ("shared" in page) refs = contentRefs[page.shared];
    else refs = page.contents.map((c) => add(stream("/Filter /FlateDecode", c)));
    contentRefs.push(refs);
    const contents = refs.length === 1
      ? `${refs[0]} 0 R`
      : `[${refs.map((r) => `${r} 0 R`).join(" ")}]`;
    kids.push(add(Buffer.from(`<< /Type /Page /Parent ${pagesObj} 0 R /Contents ${contents} >>`)));
  }
  objects[catalog - 1] = Buffer.from(`<< /Type /Catalog /Pages ${pagesObj} 0 R >>`);
  objects[pagesObj - 1] = Buffer.from(
    `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(" ")}] /Count ${kids.length} ` +
      `/MediaBox [0 0 595 842] /Resources << /Font << /F1 ${font} 0 R >> >> >>`,
  );
  const out = [Buffer.from("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "latin1")];
  let offset = out[0].length;
  const offsets = [];
  objects.forEach((body, i) => {
    offsets.push(offset);
    const b = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), body, Buffer.from("\nendobj\n")]);
    out.push(b);
    offset += b.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`];
  for (const o of offsets) xref.push(`${String(o).padStart(10, "0")} 00000 n \n`);
  xref.push(
    `trailer\n<< /Size ${
      objects.length + 1
    } /Root ${catalog} 0 R >>\nstartxref\n${offset}\n%%EOF\n`,
  );
  out.push(Buffer.from(xref.join(""), "latin1"));
  return Buffer.concat(out);
}

/** A text PDF of `pageCount` pages, each ~50 lines of Cyrillic and Latin prose (~3,500 chars). */
export function textPdf(pageCount, { seed = 3 } = {}) {
  const random = prng(seed);
  const pages = [];
  for (let p = 0; p < pageCount; p++) {
    const lines = [`Страница ${p + 1} / Page ${p + 1}`, ...wrap(prose(random, 3400), 95)];
    pages.push({ contents: [zlib.deflateSync(pageContent(lines))] });
  }
  return writePdf(pages);
}

/** `pageCount` pages that all draw the same small content stream: a tiny file with many pages. */
export function manyPagesPdf(pageCount, { seed = 4 } = {}) {
  const random = prng(seed);
  const lines = wrap(prose(random, 1500), 95);
  const pages = [{ contents: [zlib.deflateSync(pageContent(lines))] }];
  for (let p = 1; p < pageCount; p++) pages.push({ shared: 0 });
  return writePdf(pages);
}

/**
 * A PDF whose content streams inflate to `totalBytes` (~600 MB): `pageCount` pages, each with
 * `streamsPerPage` streams of a repeated text-drawing line. The file stays under 1 MB.
 */
export async function inflationBombPdf(totalBytes, { pageCount = 6, streamsPerPage = 1 } = {}) {
  const unit = Buffer.from("BT /F1 10 Tf 56 700 Td (Bomb page text / страница) Tj ET\n", "latin1");
  const perStream = Math.floor(totalBytes / (pageCount * streamsPerPage));
  const { compressed } = await deflateChunks(repeated(unit, perStream));
  const pages = [];
  for (let p = 0; p < pageCount; p++) {
    pages.push({ contents: Array.from({ length: streamsPerPage }, () => compressed) });
  }
  return writePdf(pages);
}
