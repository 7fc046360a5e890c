// A pass over a PDF's raw bytes before pdf.js sees it: every `stream … endstream` whose first filter
// is Flate is inflated (output counted, then dropped) under a per-stream and a total cap, so a
// stream bomb is refused in milliseconds instead of costing pdf.js gigabytes. pdf.js keeps a
// decoded stream whole (content streams, fonts, object streams, the xref stream), so what it would
// decode is what is counted here.
//
// Image streams (`/Subtype /Image`) are skipped: extraction never decodes them (getTextContent
// does not, and the page-picture check stops at an image's declared size; see pdf.ts), and a
// 20 MB scan of Flate images legitimately inflates to hundreds of MB. Known gaps, each needing a
// crafted file: a stream marked as an image but used as page content, and encrypted PDFs that open
// without a password (their streams cannot be inflated before decryption, so they are not
// counted).
import type { DocumentBudget } from "./budget.ts";
import { breathe } from "./heavy_work.ts";
import { inflateChunks } from "./inflate.ts";
import { ContentTally, findObjects, PdfObjects } from "./pdf_work.ts";
import { unlimitedMeter, WORK_PRICE, WorkLimitExceeded, type WorkMeter } from "./work_meter.ts";

export type PdfScan =
  | {
    ok: true;
    streams: number;
    inflatedBytes: number;
    objects: PdfObjects;
    /** Units charged for reading each content-like stream once (pdf.ts charges the rest). */
    chargedUnits: number;
  }
  | { ok: false; reason: "stream_limit" | "inflate_limit" };

/** Deflate's largest expansion (~1,032:1); LZW's (12-bit codes) is about 2,730:1. */
const MAX_RATIO: Record<string, number> = {
  FlateDecode: 1032,
  Fl: 1032,
  LZWDecode: 2731,
  LZW: 2731,
};

const STREAM = ascii("stream");
const END_STREAM = ascii("endstream");

/**
 * Counts what the PDF's non-image Flate streams inflate to. `stream_limit` when one stream passes
 * `maxPdfStreamBytes`; `inflate_limit` when all of them together pass `maxPdfInflatedBytes`. A
 * stream whose Flate or LZW filter comes after another (e.g. ASCII85 then Flate) is not decoded
 * here: it is refused when its worst-case expansion could pass the per-stream cap.
 * @example
 * const scan = await scanPdfStreams(bytes, DEFAULT_DOCUMENT_BUDGET);
 * if (!scan.ok) console.log(scan.reason); // "inflate_limit"
 */
export async function scanPdfStreams(
  bytes: Uint8Array,
  budget: Pick<DocumentBudget, "maxPdfStreamBytes" | "maxPdfInflatedBytes">,
  meter: WorkMeter = unlimitedMeter(),
): Promise<PdfScan> {
  let total = 0;
  let streams = 0;
  let from = 0;
  const objects = new PdfObjects();
  const ranges: [number, number][] = [];
  let charged = 0;
  // This pass reads every byte once (and what the streams inflate to, charged as it comes).
  meter.charge(bytes.length * WORK_PRICE.pdfScanByte, "pdf scan");
  while (true) {
    const keyword = indexOf(bytes, STREAM, from);
    if (keyword < 0) break;
    from = keyword + STREAM.length;
    const dictEnd = dictionaryEnd(bytes, keyword);
    if (dictEnd < 0) continue; // "endstream", or the word inside other data
    const dict = dictionaryText(bytes, dictEnd);
    let start = keyword + STREAM.length;
    if (bytes[start] === 0x0d) start++;
    if (bytes[start] === 0x0a) start++;
    const end = streamEnd(bytes, start, dict);
    from = end;
    streams++;
    await breathe();
    ranges.push([keyword, end]);
    if (/\/Subtype\s*\/Image\b/.test(dict)) continue;
    const num = objectNumber(bytes, dictEnd + 1 - dict.length);
    const isObjStm = /\/Type\s*\/ObjStm\b/.test(dict);
    // Content streams, forms, Type3 glyph procedures and patterns are tallied; fonts, metadata
    // and cross-reference streams are not interpreted by pdf.js as content.
    const tally = !isObjStm && isContentLike(dict) ? new ContentTally() : null;
    const filters = filterNames(dict);
    const data = bytes.subarray(start, end);
    const flateTallied = filters.length === 1 &&
      (filters[0] === "FlateDecode" || filters[0] === "Fl");
    if (filters.length === 0) {
      tally?.push(data);
    } else if (filters[0] === "FlateDecode" || filters[0] === "Fl") {
      const cap = Math.min(
        budget.maxPdfStreamBytes,
        budget.maxPdfInflatedBytes - total,
      );
      const kept: Uint8Array[] = [];
      let size = 0;
      try {
        for await (const chunk of inflateChunks(data, "deflate")) {
          size += chunk.length;
          if (size > cap) break;
          meter.charge(chunk.length * WORK_PRICE.pdfScanByte, "pdf scan");
          await breathe();
          if (filters.length === 1 && tally) {
            // The stream's own reading is charged as it is tallied: a stream of millions of
            // operators stops here, partway.
            const before = tally.ownUnits();
            tally.push(chunk);
            meter.charge(tally.ownUnits() - before, "pdf streams");
          }
          if (isObjStm && size <= OBJECT_STREAM_BYTES) kept.push(chunk.slice());
        }
      } catch (error) {
        if (error instanceof WorkLimitExceeded) throw error;
        // Damage: pdf.js stops at the same point (it keeps what inflated), so the count stands.
      }
      if (size > budget.maxPdfStreamBytes) {
        return { ok: false, reason: "stream_limit" };
      }
      total += size;
      if (total > budget.maxPdfInflatedBytes) {
        return { ok: false, reason: "inflate_limit" };
      }
      if (isObjStm && size <= OBJECT_STREAM_BYTES) {
        objects.addObjectStream(dict, concat(kept));
      }
      if (tally && filters.length > 1) {
        tally.tokens += boundTokens(size, filters.slice(1));
      }
    } else {
      const ratio = Math.max(0, ...filters.map((f) => MAX_RATIO[f] ?? 0));
      if (data.length * ratio > budget.maxPdfStreamBytes) {
        return { ok: false, reason: "stream_limit" };
      }
      if (tally) tally.tokens += boundTokens(data.length, filters);
    }
    if (tally && num !== null) {
      tally.end();
      objects.addTally(num, tally);
      // pdf.js reads a content stream at least once: charged now (a Flate stream's already is,
      // chunk by chunk), so a file of huge streams stops here instead of after the whole pass.
      if (!flateTallied) meter.charge(tally.ownUnits(), "pdf streams");
      charged += tally.ownUnits();
    }
  }
  const dictChars = findObjects(bytes, objects, ranges);
  meter.charge(dictChars * WORK_PRICE.pdfDictChar, "pdf objects");
  return { ok: true, streams, inflatedBytes: total, objects, chargedUnits: charged };
}

/** An object stream is kept (to find the page dictionaries inside) up to this size inflated. */
const OBJECT_STREAM_BYTES = 8 * 1024 * 1024;

/** Worst-case expansion of the filters this pass does not decode (ASCIIHex halves, ASCII85 grows
 * by 5/4, RunLength up to 128×, LZW 2,731×). */
const DECODE_RATIO: Record<string, number> = {
  ASCIIHexDecode: 0.5,
  AHx: 0.5,
  ASCII85Decode: 1.25,
  A85: 1.25,
  RunLengthDecode: 128,
  RL: 128,
  LZWDecode: 2731,
  LZW: 2731,
  FlateDecode: 1032,
  Fl: 1032,
};

/** Tokens a stream we cannot decode here may hold at most: one every two decoded bytes. */
function boundTokens(size: number, filters: readonly string[]): number {
  let bytes = size;
  for (const f of filters) bytes *= DECODE_RATIO[f] ?? 1;
  return Math.ceil(bytes / 2);
}

function isContentLike(dict: string): boolean {
  return !/\/Type\s*\/(XRef|Metadata|EmbeddedFile)\b/.test(dict) &&
    !/\/Length[123]\b/.test(dict) &&
    !/\/Subtype\s*\/(Type1C|CIDFontType0C|OpenType|XML)\b/.test(dict);
}

/** The object number of `N G obj` just before `dictStart`, or null. */
function objectNumber(bytes: Uint8Array, dictStart: number): number | null {
  const text = latin1(bytes, Math.max(0, dictStart - 40), dictStart);
  const m = /(\d+)\s+\d+\s+obj\s*$/.exec(text);
  return m ? Number(m[1]) : null;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

const PAGE = ascii("/Page");

/**
 * Page objects visible in the raw bytes (`/Type /Page`, not `/Pages`): a lower bound of the page
 * count, since pages inside compressed object streams are not seen. It costs one pass and no
 * inflation, so a 2,000-page PDF is refused before its streams are counted.
 */
export function countRawPages(bytes: Uint8Array): number {
  let count = 0;
  for (
    let at = indexOf(bytes, PAGE, 0);
    at >= 0;
    at = indexOf(bytes, PAGE, at + PAGE.length)
  ) {
    const next = bytes[at + PAGE.length];
    if (next === 0x73 /* s */ || isNameChar(next)) continue;
    let k = at - 1;
    while (k >= 0 && isWhite(bytes[k])) k--;
    if (latin1(bytes, Math.max(0, k - 4), k + 1) === "/Type") count++;
  }
  return count;
}

function isNameChar(b: number | undefined): boolean {
  return b !== undefined &&
    ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) ||
      (b >= 0x61 && b <= 0x7a));
}

/** Where the dictionary before `stream` ends (its last `>`), or -1 when none precedes it. */
function dictionaryEnd(bytes: Uint8Array, keyword: number): number {
  let k = keyword - 1;
  while (k >= 0 && isWhite(bytes[k])) k--;
  return k >= 1 && bytes[k] === 0x3e && bytes[k - 1] === 0x3e ? k : -1;
}

/** The dictionary text ending at `end`, found by matching `<<` and `>>` backwards (≤ 64 KB). */
function dictionaryText(bytes: Uint8Array, end: number): string {
  const lowest = Math.max(0, end - 65_536);
  let depth = 0;
  for (let i = end; i > lowest; i--) {
    if (bytes[i] === 0x3e && bytes[i - 1] === 0x3e) {
      depth++;
      i--;
    } else if (bytes[i] === 0x3c && bytes[i - 1] === 0x3c) {
      if (--depth === 0) return latin1(bytes, i - 1, end + 1);
      i--;
    }
  }
  return latin1(bytes, lowest, end + 1);
}

/** The end of the stream's data: its direct /Length when `endstream` follows it, else the next
 * `endstream` (an indirect /Length is not resolved), else the end of the file. */
function streamEnd(bytes: Uint8Array, start: number, dict: string): number {
  const length = /\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(dict);
  if (length) {
    const end = start + Number(length[1]);
    let k = end;
    while (k < bytes.length && isWhite(bytes[k])) k++;
    if (end <= bytes.length && indexOf(bytes, END_STREAM, k) === k) return end;
  }
  const found = indexOf(bytes, END_STREAM, start);
  return found < 0 ? bytes.length : found;
}

/** The stream's filter names in order: `/Filter /FlateDecode` or `/Filter [/A85 /Fl]`. */
function filterNames(dict: string): string[] {
  const match = /\/Filter\s*(\[[^\]]*\]|\/[A-Za-z0-9]+)/.exec(dict);
  if (!match) return [];
  return [...match[1].matchAll(/\/([A-Za-z0-9]+)/g)].map((m) => m[1]);
}

function indexOf(bytes: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0];
  for (
    let i = bytes.indexOf(first, from);
    i >= 0;
    i = bytes.indexOf(first, i + 1)
  ) {
    if (i + needle.length > bytes.length) return -1;
    let j = 1;
    while (j < needle.length && bytes[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

function isWhite(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || b === 0x0c ||
    b === 0x00;
}

function ascii(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function latin1(bytes: Uint8Array, from: number, to: number): string {
  let s = "";
  for (let i = from; i < to; i++) s += String.fromCharCode(bytes[i]);
  return s;
}
