// What pdf.js will do with a PDF, counted before it opens the file. Its work is in the content
// streams it interprets: each page's /Contents, the form XObjects those paint (`Do`, again for every
// use), and Type3 glyph procedures. Pages may share one stream, so the work is counted per use: a
// stream of 1 M operators used by 100 pages is 100 M operators, even though the file is 26 KB.
//
// pdf_scan.ts feeds every content-like stream through a ContentTally while it inflates it; this
// module finds the objects (also inside object streams), the pages and their /Contents, and the
// XObject and CharProcs names, and prices the whole text pass in work-meter units. Where the raw
// structure is unclear it errs high: a name used by several XObject dictionaries costs the
// costliest of them, and a page pdf.js finds that this pass did not costs as much as every
// content stream together.
import { WORK_PRICE } from "./work_meter.ts";

/** What one content stream holds: tokens, operators, bytes of shown strings, `Do` names. */
export class ContentTally {
  tokens = 0;
  operators = 0;
  glyphBytes = 0;
  readonly dos = new Map<string, number>();
  bytes = 0;
  // Tokenizer state, kept across chunks.
  #state = 0; // 0 between tokens, 1 regular token, 2 string, 3 hex string, 4 comment, 5 inline image
  #depth = 0;
  #escape = false;
  #token = "";
  #lastName = "";
  #stringBytes = 0;
  #eiMatch = 0;

  /** What reading this stream once costs, in meter units (its XObjects not included). */
  ownUnits(): number {
    return this.tokens * WORK_PRICE.pdfToken + this.operators * WORK_PRICE.pdfOperator +
      this.glyphBytes * WORK_PRICE.pdfGlyphByte;
  }

  /** Reads the next piece of the (inflated) stream. */
  push(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      switch (this.#state) {
        case 2: // literal string, nested parentheses, backslash escapes
          if (this.#escape) this.#escape = false;
          else if (c === 0x5c) this.#escape = true;
          else if (c === 0x28) this.#depth++;
          else if (c === 0x29 && --this.#depth === 0) {
            this.#state = 0;
            continue;
          }
          this.#stringBytes++;
          continue;
        case 3: // hex string
          if (c === 0x3e) this.#state = 0;
          else this.#stringBytes += 0.5;
          continue;
        case 4: // comment to end of line
          if (c === 0x0a || c === 0x0d) this.#state = 0;
          continue;
        case 5: // inline image data: up to whitespace, "EI", whitespace
          this.#eiMatch = c === 0x45 && (this.#eiMatch === 1)
            ? 2
            : c === 0x49 && this.#eiMatch === 2
            ? 3
            : isWhite(c)
            ? (this.#eiMatch === 3 ? 4 : 1)
            : 0;
          if (this.#eiMatch === 4) {
            this.#state = 0;
            this.#eiMatch = 0;
          }
          continue;
        case 1:
          if (isRegular(c)) {
            if (this.#token.length < 16) this.#token += String.fromCharCode(c);
            continue;
          }
          this.#endToken();
      }
      // Between tokens.
      if (isWhite(c)) continue;
      this.tokens++;
      if (c === 0x28) {
        this.#state = 2;
        this.#depth = 1;
      } else if (c === 0x3c) {
        // `<<` opens a dictionary (one token), `<` a hex string.
        if (chunk[i + 1] === 0x3c) i++;
        else this.#state = 3;
      } else if (c === 0x25) {
        this.tokens--;
        this.#state = 4;
      } else if (isRegular(c)) {
        this.#state = 1;
        this.#token = String.fromCharCode(c);
      }
    }
  }

  /** Ends the stream (a token may run to its last byte). */
  end(): void {
    if (this.#state === 1) this.#endToken();
    this.#state = 0;
  }

  #endToken(): void {
    const t = this.#token;
    this.#state = 0;
    const first = t.charCodeAt(0);
    if (first === 0x2f) {
      this.#lastName = t;
      return;
    }
    const isKeyword = (first >= 0x41 && first <= 0x5a) ||
      (first >= 0x61 && first <= 0x7a) ||
      first === 0x27 || first === 0x22;
    if (!isKeyword || t === "true" || t === "false" || t === "null") return;
    this.operators++;
    if (t === "Do" && this.#lastName) {
      this.dos.set(this.#lastName, (this.dos.get(this.#lastName) ?? 0) + 1);
    } else if (t === "Tj" || t === "TJ" || t === "'" || t === '"') {
      this.glyphBytes += this.#stringBytes;
    } else if (t === "ID") {
      this.#state = 5;
      this.#eiMatch = 1;
    }
    this.#stringBytes = 0;
  }
}

function isWhite(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c ||
    c === 0x00;
}

/** Not whitespace and not a delimiter `()<>[]{}%` (a `/` starts a name, so it is regular here). */
function isRegular(c: number): boolean {
  return !isWhite(c) && c !== 0x28 && c !== 0x29 && c !== 0x3c && c !== 0x3e &&
    c !== 0x5b &&
    c !== 0x5d && c !== 0x7b && c !== 0x7d && c !== 0x25;
}

/** Objects found in the raw file: their dictionary text, and a tally for content-like streams. */
export class PdfObjects {
  readonly dicts = new Map<number, string[]>();
  readonly tallies = new Map<number, ContentTally[]>();

  addDict(num: number, text: string): void {
    const list = this.dicts.get(num);
    if (list) list.push(text);
    else this.dicts.set(num, [text]);
  }

  addTally(num: number, tally: ContentTally): void {
    const list = this.tallies.get(num);
    if (list) list.push(tally);
    else this.tallies.set(num, [tally]);
  }

  /** The objects packed in an object stream (`/Type /ObjStm`), from its inflated bytes. */
  addObjectStream(dict: string, data: Uint8Array): void {
    const n = Number(/\/N\s+(\d+)/.exec(dict)?.[1] ?? 0);
    const first = Number(/\/First\s+(\d+)/.exec(dict)?.[1] ?? 0);
    if (!(n > 0) || !(first > 0) || first > data.length) return;
    const header = latin1(data, 0, first).trim().split(/\s+/).map(Number);
    for (let i = 0; i < n && 2 * i + 1 < header.length; i++) {
      const from = first + header[2 * i + 1];
      const to = 2 * i + 3 < header.length ? first + header[2 * i + 3] : data.length;
      if (from >= 0 && to > from && to <= data.length) {
        this.addDict(
          header[2 * i],
          latin1(data, from, Math.min(to, from + 65_536)),
        );
      }
    }
  }
}

/** What pdf.js's text pass will cost, and what one page costs at most. */
export interface PdfWork {
  /** Pages found in the raw structure (`/Type /Page`). */
  pages: number;
  /** Units for reading every page's text (getTextContent), streams counted per use. */
  textUnits: number;
  /** The costliest page, in units. */
  maxPageUnits: number;
  /** Every content-like stream once, in units: what a page this pass did not find may cost. */
  allStreamsUnits: number;
  /** Operators of the busiest page, its forms' included: pdf.js holds a page's items together. */
  maxPageOperators: number;
}

/**
 * Operators one page may have, forms included. pdf.js keeps a page's text items (and operator
 * lists) until the page is done: ~190 bytes an operator (1 M empty `Tj` on one page peaked at
 * 248 MB RSS on Deno 2.1), so 400,000 keep a page under ~80 MB. A page of dense prose has a few
 * thousand; a detailed vector chart tens of thousands.
 */
export const MAX_PAGE_OPERATORS = 400_000;

/** A Type3 glyph procedure is turned into an operator list pdf.js keeps for the font's life
 * (~1 KB a line of path operators, measured): charged at this multiple of reading it. */
const TYPE3_FACTOR = 3;

const REF = /(\d+)\s+\d+\s+R\b/g;

/** Prices the text pass over `objects` (filled by scanPdfStreams and {@link findObjects}). */
export function pdfWork(objects: PdfObjects): PdfWork {
  const texts = (num: number) => objects.dicts.get(num) ?? [];
  const resolve = (value: string): string[] => {
    // A direct `<< … >>` or `[ … ]`, or a reference to an object holding one.
    const ref = /^(\d+)\s+\d+\s+R/.exec(value.trim());
    return ref ? texts(Number(ref[1])) : [value];
  };
  // Every name an /XObject dictionary (or a Type3 font's /CharProcs) gives an object.
  const names = new Map<string, Set<number>>();
  let type3Units = 0;
  const type3Seen = new Set<number>();
  const pages: string[] = [];
  for (const list of objects.dicts.values()) {
    for (const text of list) {
      for (const m of text.matchAll(/\/XObject\s*(<<[^>]*>>|\d+\s+\d+\s+R)/g)) {
        for (const dict of resolve(m[1])) {
          for (
            const pair of dict.matchAll(
              /(\/[^\s/<>\[\]()]+)\s+(\d+)\s+\d+\s+R/g,
            )
          ) {
            const set = names.get(pair[1]) ?? new Set<number>();
            set.add(Number(pair[2]));
            names.set(pair[1], set);
          }
        }
      }
      if (/\/Subtype\s*\/Type3\b/.test(text)) {
        const procs = /\/CharProcs\s*(<<[^>]*>>|\d+\s+\d+\s+R)/.exec(text);
        for (const dict of procs ? resolve(procs[1]) : []) {
          for (const ref of dict.matchAll(REF)) type3Seen.add(Number(ref[1]));
        }
      }
      if (/\/Type\s*\/Page(?![A-Za-z])/.test(text)) pages.push(text);
    }
  }

  const memo = new Map<number, [number, number]>();
  const visiting = new Set<number>();
  /** [units, operators] of reading object `num` once, its forms' uses included. */
  const costOf = (num: number): [number, number] => {
    const known = memo.get(num);
    if (known !== undefined) return known;
    if (visiting.has(num)) return [0, 0]; // a cycle: pdf.js stops it
    visiting.add(num);
    let cost = 0, ops = 0;
    for (const t of objects.tallies.get(num) ?? []) {
      let c = t.ownUnits(), o = t.operators;
      for (const [name, uses] of t.dos) {
        let most = 0, mostOps = 0;
        for (const target of names.get(name) ?? []) {
          const [u, n] = costOf(target);
          most = Math.max(most, u);
          mostOps = Math.max(mostOps, n);
        }
        c += uses * most;
        o += uses * mostOps;
      }
      cost = Math.max(cost, c);
      ops = Math.max(ops, o);
    }
    visiting.delete(num);
    memo.set(num, [cost, ops]);
    return [cost, ops];
  };

  for (const num of type3Seen) type3Units += TYPE3_FACTOR * costOf(num)[0];
  let textUnits = type3Units;
  let maxPageUnits = 0;
  let maxPageOperators = 0;
  for (const page of pages) {
    const contents = /\/Contents\s*(\[[^\]]*\]|\d+\s+\d+\s+R)/.exec(page);
    let units = 0, operators = 0;
    if (contents) {
      // Each use is read: an array may name one stream many times.
      const direct = /^(\d+)\s+\d+\s+R/.exec(contents[1]);
      const list = direct && !objects.tallies.has(Number(direct[1]))
        ? texts(Number(direct[1])).slice(0, 1).join(" ") // an indirect array of streams
        : contents[1];
      for (const ref of list.matchAll(REF)) {
        const [u, n] = costOf(Number(ref[1]));
        units += u;
        operators += n;
      }
    }
    textUnits += units;
    maxPageUnits = Math.max(maxPageUnits, units);
    maxPageOperators = Math.max(maxPageOperators, operators);
  }
  let allStreamsUnits = 0;
  for (const num of objects.tallies.keys()) allStreamsUnits += costOf(num)[0];
  return { pages: pages.length, textUnits, maxPageUnits, allStreamsUnits, maxPageOperators };
}

/**
 * Adds every `N G obj` of the raw file that is not a stream's data to `objects` (the dictionary
 * text up to `stream` or `endobj`, at most 64 KB). Stream data is skipped by the ranges given.
 */
export function findObjects(
  bytes: Uint8Array,
  objects: PdfObjects,
  streamRanges: readonly [number, number][],
): void {
  const text = latin1(bytes, 0, bytes.length);
  const header = /(\d+)\s+\d+\s+obj\b/g;
  let range = 0;
  for (let m = header.exec(text); m; m = header.exec(text)) {
    while (range < streamRanges.length && streamRanges[range][1] <= m.index) {
      range++;
    }
    if (range < streamRanges.length && streamRanges[range][0] <= m.index) {
      header.lastIndex = streamRanges[range][1];
      continue;
    }
    const from = m.index + m[0].length;
    let to = text.indexOf("endobj", from);
    const stream = text.indexOf("stream", from);
    if (to < 0 || to - from > 65_536) to = Math.min(text.length, from + 65_536);
    if (stream >= 0 && stream < to) to = stream;
    objects.addDict(Number(m[1]), text.slice(from, to));
  }
}

function latin1(bytes: Uint8Array, from: number, to: number): string {
  let s = "";
  for (let i = from; i < to; i += 8192) {
    s += String.fromCharCode(...bytes.subarray(i, Math.min(to, i + 8192)));
  }
  return s;
}
