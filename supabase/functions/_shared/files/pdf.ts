// The text layer of a PDF, page by page, with pdf.js (through unpdf, loaded lazily). Groq takes no
// PDF input, so this decides the cheap path: pages with text go to a text model, pages without
// one need the client's page images for a vision model.
import { loadUnpdf } from "./lazy.ts";

export interface PdfPage {
  /** 1-based page number. */
  page: number;
  text: string;
  /** Whether the text layer is substantial enough to stand for the page (see MIN_PAGE_TEXT_CHARS). */
  hasText: boolean;
}

export type PdfUnprocessableReason = "corrupt" | "encrypted" | "empty";

export type PdfTextResult =
  | { ok: true; pages: PdfPage[] }
  | {
    ok: false;
    code: "unprocessable_file";
    reason: PdfUnprocessableReason;
    message: string;
  };

/**
 * A page "has text" from 32 non-whitespace characters up. Scans often carry a stray text layer:
 * a page number, a scanner app's stamp ("Scanned with CamScanner" is 21 such characters), a few
 * OCR fragments. Calling such a page text would silently drop everything in its picture, while
 * calling a short real page "no text" only costs a vision call (or a request for its page image),
 * so the threshold errs high. A real page of prose has hundreds of characters; a title line alone
 * ("Реферат по истории России", 22) falls below and is looked at as an image.
 */
export const MIN_PAGE_TEXT_CHARS = 32;

/** Whether `text` clears the page threshold. */
export function pageHasText(text: string, minChars = MIN_PAGE_TEXT_CHARS): boolean {
  let count = 0;
  for (const ch of text) {
    if (ch.trim() !== "" && ++count >= minChars) return true;
  }
  return false;
}

/** 1-based numbers of the pages that need a page image (for `page_images_required`). */
export function pagesWithoutText(pages: readonly PdfPage[]): number[] {
  return pages.filter((p) => !p.hasText).map((p) => p.page);
}

/**
 * Extracts each page's text layer.
 * - `encrypted`: opening needs a user password (pdf.js `PasswordException`); a PDF with only an
 *   owner password opens and is extracted.
 * - `corrupt`: pdf.js cannot parse it (`InvalidPDFException` and the like), or a page fails.
 * - `empty`: no pages, or no page has any text and none paints anything (a blank document).
 *   A scanned document (no text, but images) is not empty: its pages come back with
 *   `hasText: false`.
 * The caller's bytes are copied, because pdf.js may transfer (detach) the buffer it is given.
 * @example
 * const result = await extractPdfText(bytes);
 * if (result.ok) console.log(pagesWithoutText(result.pages)); // e.g. [2]
 */
export async function extractPdfText(
  bytes: Uint8Array,
  options: { minTextChars?: number } = {},
): Promise<PdfTextResult> {
  const minChars = options.minTextChars ?? MIN_PAGE_TEXT_CHARS;
  const unpdf = await loadUnpdf();
  let document: Awaited<ReturnType<typeof unpdf.getDocumentProxy>>;
  try {
    document = await unpdf.getDocumentProxy(bytes.slice(), {
      verbosity: 0, // errors only: pdf.js otherwise warns on stdout about recoverable damage
    });
  } catch (error) {
    return failure(errorName(error) === "PasswordException" ? "encrypted" : "corrupt", error);
  }
  try {
    if (document.numPages === 0) return failure("empty");
    const { text } = await unpdf.extractText(document, { mergePages: false });
    const pages = text.map((pageText, i) => ({
      page: i + 1,
      text: pageText,
      hasText: pageHasText(pageText, minChars),
    }));
    if (pages.every((p) => p.text.trim() === "") && !(await paintsAnything(unpdf, document))) {
      return failure("empty");
    }
    return { ok: true, pages };
  } catch (error) {
    return failure("corrupt", error);
  } finally {
    await document.loadingTask.destroy();
  }
}

/**
 * Whether any page draws something (an image, a path, text). Only asked when no page has text, and
 * it stops at the first page that paints, so a scanned document costs one page's operator list.
 */
async function paintsAnything(
  unpdf: Awaited<ReturnType<typeof loadUnpdf>>,
  document: Awaited<ReturnType<Awaited<ReturnType<typeof loadUnpdf>>["getDocumentProxy"]>>,
): Promise<boolean> {
  const { OPS } = await unpdf.getResolvedPDFJS();
  const painting = new Set<number>(
    Object.entries(OPS as Record<string, number>)
      .filter(([name]) =>
        /^(paint|show|fill|eoFill|stroke|closeStroke|closeFill|closeEOFill|shadingFill|constructPath|nextLine(SetSpacing)?ShowText)/
          .test(name)
      )
      .map(([, code]) => code),
  );
  for (let n = 1; n <= document.numPages; n++) {
    const page = await document.getPage(n);
    const { fnArray } = await page.getOperatorList();
    if (fnArray.some((op: number) => painting.has(op))) return true;
  }
  return false;
}

function failure(
  reason: PdfUnprocessableReason,
  error?: unknown,
): PdfTextResult {
  const messages: Record<PdfUnprocessableReason, string> = {
    encrypted: "The PDF is password-protected; send it without a password.",
    corrupt: "The PDF could not be read; it may be damaged or incomplete.",
    empty: "The PDF has no pages or no content.",
  };
  void error; // pdf.js messages can quote file internals; the handler logs, the client gets ours
  return { ok: false, code: "unprocessable_file", reason, message: messages[reason] };
}

function errorName(error: unknown): string {
  return typeof error === "object" && error !== null && "name" in error
    ? String((error as { name: unknown }).name)
    : "";
}
