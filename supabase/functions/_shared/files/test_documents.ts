// Builders for documents too big or too hostile to commit: a minimal PDF writer, a ZIP writer for
// DOCX, and deflate bombs. Shared by this folder's tests, the process-file-upload budget tests
// and scripts/bench/documents.ts. Not imported by library code.
import { constants, crc32, deflateRawSync, deflateSync } from "node:zlib";
import { concat } from "./test_fixtures.ts";

const enc = new TextEncoder();

/**
 * Raw deflate data that inflates to `bytes` bytes of "A" from a few KB per GB: one 1 MB block,
 * flushed with Z_FULL_FLUSH (which resets the window, so the block's bytes are the same each
 * time), repeated, then a final empty block. `zlib: true` wraps it as a zlib stream (PDF's
 * FlateDecode); its checksum is left wrong, which inflaters report only at the very end.
 */
export function deflateBomb(
  bytes: number,
  options: { zlib?: boolean } = {},
): Uint8Array {
  const block = new Uint8Array(
    deflateRawSync(new Uint8Array(1 << 20).fill(0x41), {
      level: 9,
      finishFlush: constants.Z_FULL_FLUSH,
    }),
  );
  const chunks: Uint8Array[] = options.zlib ? [new Uint8Array([0x78, 0xda])] : [];
  for (let i = 0; i < Math.ceil(bytes / (1 << 20)); i++) chunks.push(block);
  chunks.push(new Uint8Array([0x03, 0x00]));
  if (options.zlib) chunks.push(new Uint8Array(4));
  return concat(chunks);
}

export interface ZipInput {
  name: string;
  data: Uint8Array | string;
  /** 8 (default) deflates `data`; 0 stores it; "raw" takes `data` as already deflated. */
  method?: 0 | 8 | "raw";
  /** What the directory claims the entry inflates to (a lie, for bombs). */
  declaredSize?: number;
}

/** A ZIP archive with a central directory, as Word writes one. */
export function zipArchive(entries: readonly ZipInput[]): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = enc.encode(entry.name);
    const raw = typeof entry.data === "string" ? enc.encode(entry.data) : entry.data;
    const method = entry.method ?? 8;
    const stored = method === 8 ? new Uint8Array(deflateRawSync(raw)) : raw;
    const size = entry.declaredSize ??
      (method === "raw" ? raw.length * 4 : raw.length);
    const crc = method === "raw" ? 0 : crc32(raw);
    const header = (signature: number, length: number) => {
      const out = new Uint8Array(length + name.length);
      const v = new DataView(out.buffer);
      v.setUint32(0, signature, true);
      return { out, v };
    };
    const local = header(0x04034b50, 30);
    local.v.setUint16(4, 20, true);
    local.v.setUint16(8, method === 0 ? 0 : 8, true);
    local.v.setUint32(14, crc, true);
    local.v.setUint32(18, stored.length, true);
    local.v.setUint32(22, size, true);
    local.v.setUint16(26, name.length, true);
    local.out.set(name, 30);
    const central = header(0x02014b50, 46);
    central.v.setUint16(4, 20, true);
    central.v.setUint16(6, 20, true);
    central.v.setUint16(10, method === 0 ? 0 : 8, true);
    central.v.setUint32(16, crc, true);
    central.v.setUint32(20, stored.length, true);
    central.v.setUint32(24, size, true);
    central.v.setUint16(28, name.length, true);
    central.v.setUint32(42, offset, true);
    central.out.set(name, 46);
    locals.push(local.out, stored);
    centrals.push(central.out);
    offset += local.out.length + stored.length;
  }
  const directorySize = centrals.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, directorySize, true);
  ev.setUint32(16, offset, true);
  return concat([...locals, ...centrals, end]);
}

const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';

/** A `word/document.xml` with one `<w:p>` per paragraph (text escaped). */
export function documentXml(paragraphs: readonly string[]): string {
  const body = paragraphs.map((p) =>
    `<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t xml:space="preserve">${
      escapeXml(p)
    }</w:t></w:r></w:p>`
  ).join("");
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document ${W}><w:body>${body}</w:body></w:document>`;
}

/** A DOCX: `[Content_Types].xml`, the given document.xml and any other parts (e.g. media). */
export function docxArchive(
  document: ZipInput["data"] | ZipInput,
  extra: ZipInput[] = [],
) {
  const main = typeof document === "string" || document instanceof Uint8Array
    ? { name: "word/document.xml", data: document }
    : document;
  return zipArchive([
    { name: "[Content_Types].xml", data: '<?xml version="1.0"?><Types/>' },
    main,
    ...extra,
  ]);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(
    />/g,
    "&gt;",
  );
}

export interface PdfPageSpec {
  /** Lines of WinAnsi text drawn in Helvetica. */
  lines?: readonly string[];
  /** An image XObject drawn over the whole page; its data is zeros only when `pixels` ≤ 4 MP
   * (larger ones carry a few bytes: their declared size is what is tested). */
  image?: { width: number; height: number };
  /** Extra Flate content streams (already zlib-compressed), drawn after the text. */
  contents?: readonly Uint8Array[];
}

/** A PDF of the given pages with an xref table; content streams are Flate-compressed. */
export function pdfDocument(pages: readonly PdfPageSpec[]): Uint8Array {
  const objects: Uint8Array[][] = [];
  const add = (...parts: (string | Uint8Array)[]) => {
    objects.push(parts.map((p) => (typeof p === "string" ? enc.encode(p) : p)));
    return objects.length;
  };
  const stream = (dict: string, data: Uint8Array) =>
    add(`<< ${dict} /Length ${data.length} >>\nstream\n`, data, "\nendstream");
  const catalog = add("<< /Type /Catalog /Pages 2 0 R >>");
  const tree = add(""); // filled in below, once the kids are known
  const font = add(
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
  );
  const kids: number[] = [];
  for (const spec of pages) {
    const ops: string[] = [];
    let resources = `/Font << /F1 ${font} 0 R >>`;
    if (spec.image) {
      const { width, height } = spec.image;
      const pixels = width * height;
      const data = new Uint8Array(
        deflateSync(new Uint8Array(pixels <= 4_000_000 ? pixels : 16)),
      );
      const image = stream(
        `/Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode`,
        data,
      );
      resources += ` /XObject << /Im1 ${image} 0 R >>`;
      ops.push("q 595 0 0 842 0 0 cm /Im1 Do Q");
    }
    if (spec.lines && spec.lines.length > 0) {
      ops.push("BT /F1 10 Tf 14 TL 40 800 Td");
      for (const line of spec.lines) {
        ops.push(`(${line.replace(/([\\()])/g, "\\$1")}) Tj T*`);
      }
      ops.push("ET");
    }
    const content = stream(
      "/Filter /FlateDecode",
      new Uint8Array(deflateSync(enc.encode(ops.join("\n")))),
    );
    const extra = (spec.contents ?? []).map((data) => stream("/Filter /FlateDecode", data));
    const contents = [content, ...extra].map((n) => `${n} 0 R`).join(" ");
    kids.push(add(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << ${resources} >> /Contents [${contents}] >>`,
    ));
  }
  objects[tree - 1] = [
    enc.encode(
      `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(" ")}] /Count ${kids.length} >>`,
    ),
  ];
  const chunks: Uint8Array[] = [enc.encode("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")];
  let offset = chunks[0].length;
  const offsets: number[] = [];
  for (const [i, parts] of objects.entries()) {
    const body = concat([
      enc.encode(`${i + 1} 0 obj\n`),
      ...parts,
      enc.encode("\nendobj\n"),
    ]);
    offsets.push(offset);
    chunks.push(body);
    offset += body.length;
  }
  const xref = [`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`];
  for (const o of offsets) {
    xref.push(`${String(o).padStart(10, "0")} 00000 n \n`);
  }
  xref.push(
    `trailer\n<< /Size ${
      objects.length + 1
    } /Root ${catalog} 0 R >>\nstartxref\n${offset}\n%%EOF\n`,
  );
  chunks.push(enc.encode(xref.join("")));
  return concat(chunks);
}

/** `count` lines of pseudo-random Latin words (compresses like prose, ~4:1), seeded. */
export function proseLines(count: number, seed = 1, width = 90): string[] {
  const words = [
    "the",
    "theorem",
    "students",
    "analysis",
    "function",
    "integral",
    "history",
    "reform",
    "equation",
    "result",
    "because",
    "therefore",
    "between",
    "century",
    "market",
    "energy",
    "whose",
    "proof",
    "value",
    "empire",
    "triangle",
    "solution",
    "chapter",
    "essay",
    "of",
    "and",
  ];
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    let line = "";
    while (line.length < width) {
      line += (line ? " " : "") + words[next() % words.length];
    }
    lines.push(line);
  }
  return lines;
}
