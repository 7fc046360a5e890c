// The text layer of a PDF, page by page, with pdf.js (through unpdf, loaded lazily). Groq takes no
// PDF input, so this decides the cheap path: pages with text go to a text model, pages without
// one need the client's page images for a vision model.
//
// Bounded before and during the work (budget.ts): the raw streams are counted before pdf.js opens
// the file (pdf_scan.ts), the page count is checked before any page is read, pages are read one at
// a time and released, and reading stops once the text passes the cap. No image is ever decoded.
import {
  type DocumentBudget,
  documentBudget,
  type DocumentFailure,
  SPLIT_HINT,
  tooMuchText,
} from "./budget.ts";
import { breathe } from "./heavy_work.ts";
import { loadUnpdf } from "./lazy.ts";
import { countRawPages, scanPdfStreams } from "./pdf_scan.ts";
import { storableText } from "../contracts/text.ts";
import { MAX_PAGE_OPERATORS, type PdfWork, pdfWork } from "./pdf_work.ts";
import { unlimitedMeter, WORK_PRICE, WorkLimitExceeded, type WorkMeter } from "./work_meter.ts";

/** Opening a document in pdf.js (xref, trailer, page tree): a few passes over the file's bytes. */
const openUnits = (bytes: Uint8Array) => 20_000 + bytes.length * WORK_PRICE.pdfScanByte;

export interface PdfPage {
  /** 1-based page number. */
  page: number;
  text: string;
  /** Whether the text layer stands for the page (see MIN_PAGE_TEXT_CHARS for the rule). */
  hasText: boolean;
}

export type PdfTextResult = { ok: true; pages: PdfPage[] } | DocumentFailure;

/**
 * The page text rule: a page with a real text layer is text, however short; only a page that is a
 * picture needs its page image.
 * - From MIN_PAGE_TEXT_CHARS (32) non-whitespace characters up, a page is text whatever it paints
 *   (a page of prose, or a scan with a full OCR layer).
 * - With fewer, but some, it is text unless it paints an image of at least `pageImagePixels`
 *   (budget.ts): a born-digital page with one 27-character sentence is text, while a scan whose
 *   only text is a stamp ("Scanned with CamScanner", 21 characters) or a page number is a
 *   picture. When that check cannot finish (pdf.js fails on the page), the page asks for its
 *   image: a wasted image costs one vision call, a dropped picture loses the page.
 * - With none, the page needs its image.
 */
export const MIN_PAGE_TEXT_CHARS = 32;

/** Whether `text` has at least `minChars` non-whitespace characters. */
export function pageHasText(
  text: string,
  minChars = MIN_PAGE_TEXT_CHARS,
): boolean {
  return nonSpaceChars(text, minChars) >= minChars;
}

/** 1-based numbers of the pages that need a page image (for `page_images_required`). */
export function pagesWithoutText(pages: readonly PdfPage[]): number[] {
  return pages.filter((p) => !p.hasText).map((p) => p.page);
}

type Unpdf = Awaited<ReturnType<typeof loadUnpdf>>;
type PdfDocument = Awaited<ReturnType<Unpdf["getDocumentProxy"]>>;

/**
 * Extracts each page's text layer, under `budget` (DEFAULT_DOCUMENT_BUDGET unless overridden).
 * - 422 `encrypted`: opening needs a user password; a PDF with only an owner password is read.
 * - 422 `corrupt`: pdf.js cannot parse it, or a page fails.
 * - 422 `empty`: no pages, or no page has text and none paints anything. A scan is not empty:
 *   its pages come back with `hasText: false`.
 * - 413 `too_many_pages`: more than `maxPdfPages` pages (counted in the raw bytes first, then
 *   pdf.js's page tree, before any page is read); `inflate_limit`: a stream, or all of them,
 *   inflate past the caps (before pdf.js runs); `too_much_text`: the running text passed
 *   `maxTextChars` or `maxPdfTextChars` (reading stops there).
 * The caller's bytes are copied, because pdf.js may transfer (detach) the buffer it is given.
 * @example
 * const result = await extractPdfText(bytes);
 * if (result.ok) console.log(pagesWithoutText(result.pages)); // e.g. [2]
 */
export async function extractPdfText(
  bytes: Uint8Array,
  options: {
    minTextChars?: number;
    budget?: Partial<DocumentBudget>;
    meter?: WorkMeter;
  } = {},
): Promise<PdfTextResult> {
  const minChars = options.minTextChars ?? MIN_PAGE_TEXT_CHARS;
  const budget = documentBudget(options.budget);
  const meter = options.meter ?? unlimitedMeter();
  const rawPages = countRawPages(bytes);
  if (rawPages > budget.maxPdfPages) return tooManyPages(rawPages, budget);
  const scan = await scanPdfStreams(bytes, budget, meter);
  if (!scan.ok) return inflateLimit(budget);
  // Every page's text pass, each stream once per use (shared streams, XObjects, Type3 procs),
  // before pdf.js opens the file: a 26 KB file of 100 pages sharing 1 M operators stops here.
  const work = pdfWork(scan.objects);
  if (work.maxPageOperators > MAX_PAGE_OPERATORS) {
    meter.charge(Number.POSITIVE_INFINITY, "pdf page operators");
  }
  meter.charge(openUnits(bytes) + Math.max(0, work.textUnits - scan.chargedUnits), "pdf text");

  const unpdf = await loadUnpdf();
  // maxImageSize: pdf.js drops, undecoded, any image above the picture threshold (getTextContent
  // decodes no image; the operator lists of pagePictures would).
  const opened = await open(unpdf, bytes, {
    maxImageSize: budget.pageImagePixels,
  });
  if (!opened.ok) return opened;
  const document = opened.document;
  try {
    if (document.numPages === 0) return failure("empty");
    if (document.numPages > budget.maxPdfPages) {
      return tooManyPages(document.numPages, budget);
    }
    // Pages the raw pass did not see (no /Type /Page) may paint any stream of the file.
    meter.charge(
      Math.max(0, document.numPages - work.pages) * work.allStreamsUnits,
      "pdf pages",
    );
    const texts: string[] = [];
    let chars = 0;
    for (let n = 1; n <= document.numPages; n++) {
      await breathe();
      const page = await document.getPage(n);
      const content = await page.getTextContent();
      page.cleanup();
      const text = content.items
        .map((
          item,
        ) => ("str" in item ? item.str + (item.hasEOL ? "\n" : "") : ""))
        .join("");
      chars += text.length;
      if (chars > Math.min(budget.maxTextChars, budget.maxPdfTextChars)) {
        return tooMuchText({
          ...budget,
          maxTextChars: Math.min(budget.maxTextChars, budget.maxPdfTextChars),
        });
      }
      texts.push(text);
    }

    const counts = texts.map((text) => nonSpaceChars(text, minChars));
    const short = counts.flatMap((
      count,
      i,
    ) => (count > 0 && count < minChars ? [i + 1] : []));
    const blank = counts.every((count) => count === 0);
    const pictures = short.length > 0 || blank
      ? await pagePictures(unpdf, bytes, document, budget, short, blank, {
        meter,
        work,
      })
      : { scans: new Set<number>(), paints: true };
    if (blank && !pictures.paints) return failure("empty");
    return {
      ok: true,
      pages: texts.map((text, i) => ({
        page: i + 1,
        text: storableText(text),
        hasText: counts[i] >= minChars ||
          (counts[i] > 0 && !pictures.scans.has(i + 1)),
      })),
    };
  } catch (error) {
    if (error instanceof WorkLimitExceeded) throw error;
    return failure("corrupt");
  } finally {
    await document.loadingTask.destroy();
  }
}

async function open(
  unpdf: Unpdf,
  bytes: Uint8Array,
  options: Record<string, unknown> = {},
): Promise<{ ok: true; document: PdfDocument } | DocumentFailure> {
  try {
    const document = await unpdf.getDocumentProxy(bytes.slice(), {
      verbosity: 0, // errors only: pdf.js otherwise warns on stdout about recoverable damage
      ...options,
    });
    return { ok: true, document };
  } catch (error) {
    return failure(
      errorName(error) === "PasswordException" ? "encrypted" : "corrupt",
    );
  }
}

/**
 * Which of the `short` pages paint a picture (an image of at least `pageImagePixels`), and, when
 * `blank` (no page has any text), whether any page paints anything at all. The file is opened
 * again with `stopAtErrors`, so that pdf.js fails a page's operator list at a picture's declared
 * size instead of dropping it; a failed list comes back empty (pdf.js resolves with the ops sent
 * before the error, none). A short page has text, so its list cannot be empty otherwise: empty
 * means a picture (or another failure, which also asks for the page image). For a blank page an
 * empty list is checked again in `document` (which drops big images silently): empty there too
 * means the page draws nothing. Images below the threshold may be decoded (≤ 1 MB each).
 */
async function pagePictures(
  unpdf: Unpdf,
  bytes: Uint8Array,
  document: PdfDocument,
  budget: DocumentBudget,
  short: readonly number[],
  blank: boolean,
  cost: { meter: WorkMeter; work: PdfWork },
): Promise<{ scans: Set<number>; paints: boolean }> {
  cost.meter.charge(openUnits(bytes), "pdf open");
  const strict = await open(unpdf, bytes, {
    maxImageSize: budget.pageImagePixels,
    stopAtErrors: true,
  });
  if (!strict.ok) return { scans: new Set(short), paints: true };
  const painting = paintingOps(await unpdf.getResolvedPDFJS());
  const operators = async (from: PdfDocument, n: number): Promise<number[]> => {
    // Which page of ours is pdf.js's page n is not known: the costliest page is charged.
    cost.meter.charge(
      Math.max(
        cost.work.maxPageUnits,
        n > cost.work.pages ? cost.work.allStreamsUnits : 0,
      ) *
        OPERATOR_LIST_FACTOR,
      "pdf operator list",
    );
    await breathe();
    const page = await from.getPage(n);
    try {
      return (await page.getOperatorList()).fnArray;
    } finally {
      page.cleanup();
    }
  };
  try {
    const scans = new Set<number>();
    for (const n of short) {
      if ((await operators(strict.document, n)).length === 0) scans.add(n);
    }
    if (!blank) return { scans, paints: true };
    for (let n = 1; n <= strict.document.numPages; n++) {
      const ops = await operators(strict.document, n);
      if (ops.some((op) => painting.has(op))) return { scans, paints: true };
      // Empty in the strict pass but not in the lenient one: the strict pass failed on the page
      // (a picture, or damage), so it has something to look at.
      if (ops.length === 0 && (await operators(document, n)).length > 0) {
        return { scans, paints: true };
      }
    }
    return { scans, paints: false };
  } catch (error) {
    if (error instanceof WorkLimitExceeded) throw error;
    return { scans: new Set(short), paints: true };
  } finally {
    await strict.document.loadingTask.destroy();
  }
}

/** getOperatorList's cost against getTextContent's for the same stream (measured, see
 * docs/hostile-uploads.md). */
const OPERATOR_LIST_FACTOR = 1.5;

function paintingOps(pdfjs: { OPS: unknown }): Set<number> {
  return new Set<number>(
    Object.entries(pdfjs.OPS as Record<string, number>)
      .filter(([name]) =>
        /^(paint|show|fill|eoFill|stroke|closeStroke|closeFill|closeEOFill|shadingFill|constructPath|nextLine(SetSpacing)?ShowText)/
          .test(name)
      )
      .map(([, code]) => code),
  );
}

/** Non-whitespace characters of `text`, counting no further than `limit`. */
function nonSpaceChars(text: string, limit: number): number {
  let count = 0;
  for (const ch of text) {
    if (ch.trim() !== "" && ++count >= limit) break;
  }
  return count;
}

function failure(reason: "corrupt" | "encrypted" | "empty"): DocumentFailure {
  switch (reason) {
    case "encrypted":
      return {
        ok: false,
        code: "unprocessable_file",
        reason,
        message: "The PDF is password-protected; send it without a password.",
        hint: "Remove the password (print to PDF, or save without protection) and resend.",
      };
    case "corrupt":
      return {
        ok: false,
        code: "unprocessable_file",
        reason,
        message: "The PDF could not be read; it may be damaged or incomplete.",
        hint: "Open the file, save it again (or print it to a new PDF) and resend it.",
      };
    case "empty":
      return {
        ok: false,
        code: "unprocessable_file",
        reason,
        message: "The PDF has no pages or no content.",
        hint: "Check that you chose the right file: this one shows nothing when opened.",
      };
  }
}

function tooManyPages(pages: number, budget: DocumentBudget): DocumentFailure {
  return {
    ok: false,
    code: "payload_too_large",
    reason: "too_many_pages",
    message: `The PDF has ${pages} pages; at most ${budget.maxPdfPages} are read in one request.`,
    hint: `${SPLIT_HINT.slice(0, -1)} (at most ${budget.maxPdfPages} pages each).`,
  };
}

function inflateLimit(budget: DocumentBudget): DocumentFailure {
  const mb = Math.round(budget.maxPdfInflatedBytes / (1024 * 1024));
  return {
    ok: false,
    code: "payload_too_large",
    reason: "inflate_limit",
    message: `The PDF's compressed contents expand beyond what one request can read (${mb} MB).`,
    hint: "Print it to a new PDF (or export it again from the program that made it) and resend " +
      "it; if it is long, split it and send the parts one by one.",
  };
}

function errorName(error: unknown): string {
  return typeof error === "object" && error !== null && "name" in error
    ? String((error as { name: unknown }).name)
    : "";
}
