// One budget of work per request, counted in units of about one microsecond of CPU on the workers'
// Deno 2.1 line, so that no upload can take a worker down. Byte, page and pixel caps are not
// enough: pages share a content stream, progressive JPEGs repeat scans, filtered PNG rows cost
// more than plain ones. Every parser charges what it is about to do (operators, scans × blocks,
// rows × filter cost, XML nodes) BEFORE doing it, next to the loop it guards, and stops with a
// 413 `work_limit_exceeded` once the request's budget is spent: a fast refusal, never a kill.
//
// The unit prices and the budget are measured, not guessed (docs/hostile-uploads.md has the
// figures and the command): `deno run -A scripts/bench/work_calibration.ts` on
// tools/deno-edge's Deno 2.1, one fresh process per input.

/**
 * Units one request may spend on reading its file. Hosted ends a worker past 2 s of CPU; the
 * request itself needs ~150 ms to start pdf.js (fresh worker) plus auth, form parsing, the calls
 * and the answer (~100 ms), and the next request on the worker needs room too. 1,100,000 units
 * (~1.1 s of extraction) keeps every accepted file under 1.5 s CPU in all.
 */
export const REQUEST_WORK_UNITS = 1_100_000;

/**
 * What a unit of each kind of work costs, in units (≈ µs of CPU on Deno 2.1). Measured with
 * scripts/bench/work_calibration.ts (2026-12-06, figures in docs/hostile-uploads.md), rounded up.
 */
export const WORK_PRICE = {
  /** pdf.js: one content-stream token (an operand or an operator) read by getTextContent or
   * getOperatorList, per use of its stream (a stream shared by 100 pages is read 100 times). */
  pdfToken: 0.3,
  /** pdf.js: one byte of a string shown with Tj/TJ/'/" (glyphs and text items it builds). */
  pdfGlyphByte: 1.3,
  /** pdf.js: one operator (Tj, Td…) on top of its tokens (items, state saves). */
  pdfOperator: 0.6,
  /** The raw pre-scan: one byte of inflated or raw stream data tokenized. */
  pdfScanByte: 0.01,
  /** The raw pass: one character of object dictionary text built (pages, resources). */
  pdfDictChar: 0.04,
  /** libjpeg: one 8×8 block of one component in one scan (entropy decoding). */
  jpegBlockScan: 0.012,
  /** libjpeg: one 8×8 block of one component through the IDCT at the end (scaled output). */
  jpegBlockIdct: 0.1,
  /** libjpeg: one restart marker (resynchronising the entropy decoder). */
  jpegRestart: 0.05,
  /** PNG: one byte of a row unfiltered, by filter type 0–4 (Paeth is the costliest). */
  pngRowByte: [0.001, 0.003, 0.002, 0.004, 0.006] as readonly number[],
  /** PNG: one pixel turned into RGBA and added into the box sums (palette and 16-bit included). */
  // 0.006 at first; the 7071×7071 one-byte Paeth PNGs then passed at 1,010–1,640 ms of CPU on
  // Deno 2.1 (fresh-clone suites, 2026-12-06) — over the 1.5 s bound — so a pixel is priced from
  // that worst case (≈ 33 ns a pixel in all), which refuses those before decoding and accepts at
  // most ~33 MP of one-byte Paeth rows (≈ 1.1 s).
  pngPixel: 0.025,
  /** PNG: one byte inflated (native zlib). */
  pngInflateByte: 0.002,
  /** Our JPEG encoder: one output pixel. */
  jpegEncodePixel: 0.06,
  // DOCX, priced "in all" like pngPixel: each price stands for what its unit costs through the
  // whole request on a fresh worker (extraction, then splitting, prompts and the answer), so that
  // the budget is ~1.1 s of CPU. At first 0.012 a byte and 0.05 a tag (the extractor alone): the
  // fuzz test's DOCX of 401,741 one-word runs in one paragraph, nested 23,344 deep (seed 780843,
  // 2.4 M characters), was priced 358 k units and took 1,530–1,570 ms of CPU through the stack.
  // Refitted on the worst shapes on Deno 2.1 (2026-12-06; figures and command in
  // docs/hostile-uploads.md): a one-word run now costs ~4.5 units (~240 k of them is the most
  // accepted, ≤ ~1 s), markup-only XML ~1 unit a tag, prose mostly its characters (2.4 M of them
  // ≈ 0.54 M units).
  /** DOCX: one byte of document.xml inflated, decoded and streamed through the text extractor. */
  docxXmlByte: 0.014,
  /** DOCX: one XML tag (node) handled. */
  docxNode: 0.06,
  /** DOCX: one text run (`<w:t>`) handled and its text emitted as a piece of its own. */
  docxTextRun: 2.5,
  /** DOCX: one character of text extracted, and its share of the rest of the request. */
  docxTextChar: 0.17,
} as const;

/** Thrown by {@link WorkMeter.charge} when the request's budget is spent. */
export class WorkLimitExceeded extends Error {
  constructor(
    readonly what: string,
    readonly units: number,
    readonly budget: number,
  ) {
    super(`work limit: ${what} needs ${Math.round(units)} of ${budget} units`);
    this.name = "WorkLimitExceeded";
  }
}

/**
 * A request's work budget. `charge` before the work; it throws {@link WorkLimitExceeded} when the
 * running total would pass the budget, so the work is never started.
 * @example
 * const meter = new WorkMeter();
 * meter.charge(rows * stride * WORK_PRICE.pngRowByte[4], "png rows");
 */
export class WorkMeter {
  #used = 0;
  constructor(readonly budget = REQUEST_WORK_UNITS) {}

  /** Units charged so far. */
  get used(): number {
    return this.#used;
  }

  /** Units left. */
  get left(): number {
    return Math.max(0, this.budget - this.#used);
  }

  /** Whether `units` more would still fit, without charging them. */
  fits(units: number): boolean {
    return this.#used + units <= this.budget;
  }

  /** Adds `units` of `what`; throws WorkLimitExceeded (charging nothing) when they do not fit. */
  charge(units: number, what: string): void {
    if (!(units >= 0)) throw new WorkLimitExceeded(what, Infinity, this.budget);
    if (this.#used + units > this.budget) {
      throw new WorkLimitExceeded(what, this.#used + units, this.budget);
    }
    this.#used += units;
  }
}

/** A meter with no limit, for callers (tests, tools) that measure without refusing. */
export function unlimitedMeter(): WorkMeter {
  return new WorkMeter(Number.POSITIVE_INFINITY);
}
