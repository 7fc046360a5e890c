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

/** Byte classes: 0 regular, 1 whitespace, 2 delimiter. */
const CLASS = (() => {
  const t = new Uint8Array(256);
  for (const c of [0x20, 0x0a, 0x0d, 0x09, 0x0c, 0x00]) t[c] = 1;
  for (const c of [0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x25]) t[c] = 2;
  return t;
})();

const latin = (bytes: Uint8Array, from: number, to: number) =>
  String.fromCharCode(...bytes.subarray(from, to));

/**
 * What one content stream holds: tokens, operators, bytes of shown strings, `Do` names. A small
 * tokenizer over the inflated bytes (strings, hex strings, comments and inline image data are
 * skipped as pdf.js's lexer does), kept across chunks. Hot: ~40 MB of a file's streams may pass
 * through it, so it works on bytes and builds a string only for a short keyword or a `Do` name.
 */
export class ContentTally {
  tokens = 0;
  operators = 0;
  glyphBytes = 0;
  readonly dos = new Map<string, number>();
  bytes = 0;
  // 0 between tokens, 1 regular token, 2 string, 3 hex string, 4 comment, 5 inline image
  #state = 0;
  #depth = 0;
  #escape = false;
  /** The token being read: its text so far when it started in an earlier chunk. */
  #carry = "";
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
    const n = chunk.length;
    let state = this.#state;
    let tokenStart = 0; // where the current regular token began in this chunk
    let i = 0;
    while (i < n) {
      if (state === 0) {
        // Between tokens: skip whitespace fast.
        let c = chunk[i];
        while (CLASS[c] === 1 && ++i < n) c = chunk[i];
        if (i >= n) break;
        this.tokens++;
        if (c === 0x28) {
          state = 2;
          this.#depth = 1;
          this.#escape = false;
        } else if (c === 0x3c) {
          if (chunk[i + 1] === 0x3c) i++; // `<<`: a dictionary
          else state = 3;
        } else if (c === 0x25) {
          this.tokens--;
          state = 4;
        } else if (CLASS[c] === 0) {
          state = 1;
          tokenStart = i;
          this.#carry = "";
        }
        i++;
      } else if (state === 1) {
        while (i < n && CLASS[chunk[i]] === 0) i++;
        if (i >= n) {
          // The token goes on in the next chunk: keep a short prefix (enough to name it).
          if (this.#carry.length < 16) {
            this.#carry += latin(chunk, tokenStart, Math.min(n, tokenStart + 16));
          }
          break;
        }
        state = this.#endToken(chunk, tokenStart, i);
      } else if (state === 2) {
        // Literal string: nested parentheses, backslash escapes.
        const from = i;
        let depth = this.#depth, escape = this.#escape;
        for (; i < n; i++) {
          const c = chunk[i];
          if (escape) escape = false;
          else if (c === 0x5c) escape = true;
          else if (c === 0x28) depth++;
          else if (c === 0x29 && --depth === 0) break;
        }
        this.#depth = depth;
        this.#escape = escape;
        this.#stringBytes += i - from;
        if (i < n) {
          state = 0;
          i++;
        }
      } else if (state === 3) {
        const end = chunk.indexOf(0x3e, i);
        const to = end < 0 ? n : end;
        this.#stringBytes += (to - i) / 2;
        i = to;
        if (end >= 0) {
          state = 0;
          i++;
        }
      } else if (state === 4) {
        while (i < n && chunk[i] !== 0x0a && chunk[i] !== 0x0d) i++;
        if (i < n) state = 0;
      } else {
        // Inline image data: up to whitespace, "EI", whitespace.
        for (; i < n && this.#eiMatch !== 4; i++) {
          const c = chunk[i];
          this.#eiMatch = c === 0x45 && this.#eiMatch === 1
            ? 2
            : c === 0x49 && this.#eiMatch === 2
            ? 3
            : CLASS[c] === 1
            ? (this.#eiMatch === 3 ? 4 : 1)
            : 0;
        }
        if (this.#eiMatch === 4) {
          state = 0;
          this.#eiMatch = 0;
        }
      }
    }
    this.#state = state;
  }

  /** Ends the stream (a token may run to its last byte). */
  end(): void {
    if (this.#state === 1) this.#endToken(new Uint8Array(0), 0, 0);
    this.#state = 0;
  }

  /** A regular token ended at `end`: a name, a number or an operator. Returns the next state. */
  #endToken(chunk: Uint8Array, start: number, end: number): number {
    let b0: number, b1: number, length: number;
    if (this.#carry) {
      // Rare: the token began in an earlier chunk.
      const text = this.#carry + latin(chunk, start, Math.min(end, start + 16));
      const total = this.#carry.length + end - start;
      this.#carry = "";
      return this.#endTokenText(text, total);
    } else {
      b0 = chunk[start];
      b1 = chunk[start + 1];
      length = end - start;
    }
    if (b0 === 0x2f) {
      this.#lastName = length <= 64 ? latin(chunk, start, end) : "";
      return 0;
    }
    const isKeyword = (b0 >= 0x41 && b0 <= 0x5a) || (b0 >= 0x61 && b0 <= 0x7a) || b0 === 0x27 ||
      b0 === 0x22;
    if (!isKeyword) return 0;
    if (length === 4 || length === 5) {
      // true, false, null are operands.
      if (
        (b0 === 0x74 && b1 === 0x72) || (b0 === 0x66 && b1 === 0x61) ||
        (b0 === 0x6e && b1 === 0x75)
      ) return 0;
    }
    this.operators++;
    let next = 0;
    if (length === 2 && b0 === 0x44 && b1 === 0x6f) this.#countDo();
    else if ((length === 2 && b0 === 0x54 && (b1 === 0x6a || b1 === 0x4a)) || length === 1) {
      this.glyphBytes += this.#stringBytes; // Tj, TJ, ' or "
    } else if (length === 2 && b0 === 0x49 && b1 === 0x44) {
      next = 5; // ID: inline image data follows
      this.#eiMatch = 1;
    }
    this.#stringBytes = 0;
    return next;
  }

  #endTokenText(text: string, length: number): number {
    if (text[0] === "/") {
      this.#lastName = length <= 64 ? text : "";
      return 0;
    }
    if (!/^[A-Za-z'"]/.test(text) || text === "true" || text === "false" || text === "null") {
      return 0;
    }
    this.operators++;
    let next = 0;
    if (text === "Do") this.#countDo();
    else if (text === "Tj" || text === "TJ" || text === "'" || text === '"') {
      this.glyphBytes += this.#stringBytes;
    } else if (text === "ID") {
      next = 5;
      this.#eiMatch = 1;
    }
    this.#stringBytes = 0;
    return next;
  }

  #countDo(): void {
    if (this.#lastName) this.dos.set(this.#lastName, (this.dos.get(this.#lastName) ?? 0) + 1);
  }
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

/** Dictionary text kept of one object (a page with its resources, an XObject or CharProcs
 * dictionary, a /Contents array): more than any real one needs. */
const MAX_DICT_CHARS = 16_384;

/**
 * Adds every `N G obj` of the raw file that is not a stream's data to `objects` (the dictionary
 * text up to `stream` or `endobj`, at most MAX_DICT_CHARS). Stream data is skipped by the ranges
 * given. Works on the bytes: turning a 20 MB file into one string costs ~1 s on Deno 2.1. Returns
 * the characters of dictionary text it built (the caller's meter charges them).
 */
export function findObjects(
  bytes: Uint8Array,
  objects: PdfObjects,
  streamRanges: readonly [number, number][],
): number {
  let built = 0;
  let range = 0;
  for (let at = bytes.indexOf(0x6f, 0); at >= 0; at = bytes.indexOf(0x6f, at + 1)) {
    // "obj" after whitespace (not "endobj"), and not followed by a name character.
    if (bytes[at + 1] !== 0x62 || bytes[at + 2] !== 0x6a) continue;
    if (CLASS[bytes[at + 3]] === 0 || CLASS[bytes[at - 1]] !== 1) continue;
    while (range < streamRanges.length && streamRanges[range][1] <= at) range++;
    if (range < streamRanges.length && streamRanges[range][0] <= at) {
      at = streamRanges[range][1];
      continue;
    }
    const num = numberBefore(bytes, at);
    if (num === null) continue;
    const from = at + 3;
    const limit = Math.min(bytes.length, from + MAX_DICT_CHARS);
    const to = Math.min(
      findBytes(bytes, ENDOBJ, from, limit),
      findBytes(bytes, STREAM_WORD, from, limit),
    );
    objects.addDict(num, latin1(bytes, from, to));
    built += to - from;
    at = to - 1;
  }
  return built;
}

const ENDOBJ = new TextEncoder().encode("endobj");
const STREAM_WORD = new TextEncoder().encode("stream");

/** Where `needle` starts in bytes[from, limit), or `limit`. */
function findBytes(bytes: Uint8Array, needle: Uint8Array, from: number, limit: number): number {
  for (
    let i = bytes.indexOf(needle[0], from);
    i >= 0 && i < limit;
    i = bytes.indexOf(needle[0], i + 1)
  ) {
    let j = 1;
    while (j < needle.length && bytes[i + j] === needle[j]) j++;
    if (j === needle.length) return Math.min(i, limit);
  }
  return limit;
}

/** The object number of `N G obj` whose `obj` is at `at`: two integers before it, or null. */
function numberBefore(bytes: Uint8Array, at: number): number | null {
  let k = at - 1;
  const skipWhite = () => {
    while (k >= 0 && CLASS[bytes[k]] === 1) k--;
  };
  const digits = () => {
    const end = k;
    while (k >= 0 && bytes[k] >= 0x30 && bytes[k] <= 0x39 && end - k < 10) k--;
    return end - k;
  };
  skipWhite();
  if (digits() === 0) return null; // generation
  skipWhite();
  const end = k;
  if (digits() === 0) return null;
  let n = 0;
  for (let i = k + 1; i <= end; i++) n = n * 10 + bytes[i] - 0x30;
  return n;
}

function latin1(bytes: Uint8Array, from: number, to: number): string {
  const parts: string[] = [];
  for (let i = from; i < to; i += 8192) {
    parts.push(
      String.fromCharCode.apply(
        null,
        bytes.subarray(i, Math.min(to, i + 8192)) as unknown as number[],
      ),
    );
  }
  return parts.join("");
}
