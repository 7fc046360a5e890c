// How much a document may cost to read, in one place. Hosted kills a worker at 256 MB and 2 s CPU
// per request (supabase-platform-2026-12.md); Deno itself holds ~40–60 MB. Every accepted document
// must fit 200 MB peak RSS and 1.5 s CPU, so each number below caps one way a file can expand, and
// a file past any of them is refused (413/422 with a hint) before any provider call. Figures
// measured 2026-12-01 on Deno 2.1.4 (the edge line), one fresh process per input, with
// `node_modules/deno/deno run -A scripts/bench/documents.ts`.

/** The limits one document extraction runs under (see DEFAULT_DOCUMENT_BUDGET for the why). */
export interface DocumentBudget {
  /** Characters of extracted text; more is refused as too much text. */
  maxTextChars: number;
  /** Pages of a PDF (its page tree's count), checked before any page is read. */
  maxPdfPages: number;
  /** Characters of a PDF's text layer: pdf.js's CPU grows with them (a tighter cap than text's). */
  maxPdfTextChars: number;
  /** Bytes one PDF stream may inflate to. */
  maxPdfStreamBytes: number;
  /** Bytes all the PDF's Flate streams (object streams included) may inflate to together. */
  maxPdfInflatedBytes: number;
  /** Pixels (width × height) from which an image a page paints counts as a picture of the page. */
  pageImagePixels: number;
  /** Entries in a DOCX's zip directory. */
  maxZipEntries: number;
  /** Bytes `word/document.xml` may inflate to (declared, then counted while inflating). */
  maxDocxXmlBytes: number;
  /** Declared uncompressed ÷ compressed size of `word/document.xml`. */
  maxZipRatio: number;
}

/**
 * The text cap follows from what the analysis takes: planFileAnalysis refuses text that needs
 * more than MAX_TEXT_PARTS (8) calls of the smallest document context (openai/gpt-oss-120b's
 * 131,072 tokens by default), and estimateTokens counts 2.5 characters a token, so no accepted
 * text is longer than 8 × 131,072 × 2.5 = 2,621,440 characters (budget_test.ts checks this stays
 * above what the plan accepts). Extraction stops as soon as it passes it.
 */
export const MAX_TEXT_CHARS = 8 * 131_072 * 2.5;

export const DEFAULT_DOCUMENT_BUDGET: Readonly<DocumentBudget> = {
  maxTextChars: MAX_TEXT_CHARS,
  // pdf.js's getTextContent costs ~3.5 ms CPU a dense page (2,600 characters; ~1.4 µs a
  // character), and a fresh worker pays ~150 ms to start and load pdf.js: 200 such pages measured
  // 870 ms CPU and 123 MB peak RSS, 300 pages 1,240 ms and 132 MB (warm: ~850 ms a request). A longer PDF is refused from
  // its page count, before any page is read (the raw count costs ~10 ms for 2,000 pages).
  maxPdfPages: 300,
  // The same CPU bound for pages denser than that. Through the whole request (the stream pre-scan,
  // pdf.js, splitting into parts, the calls, a ~1 MB JSON answer with the text) 300 pages of
  // 855,000 characters measured 1,570 ms CPU on a fresh worker: over the 1.5 s target. 700,000
  // characters (~1 s of getTextContent) keeps the largest accepted PDF under it. Below the text
  // cap, so it is what stops a PDF; a DOCX's streaming pass is ~10× cheaper.
  maxPdfTextChars: 700_000,
  // pdf.js keeps a decoded stream whole and grows its buffer by doubling, so a stream costs up to
  // twice its size while it is parsed. A page's content stream is tens of KB, an embedded CJK
  // font up to ~16 MB; 32 MB leaves room for both and costs at most ~64 MB.
  maxPdfStreamBytes: 32 * 1024 * 1024,
  // All Flate streams of a 300-page text PDF inflate to ~0.9 MB; fonts and vector drawings rarely
  // pass tens of MB. The counted output is garbage until the next GC, so this is also what the
  // pre-scan can cost: a 600 MB stream bomb (20 × 30 MB streams, 0.6 MB file) is refused after
  // 64 MB in ~110 ms CPU, 132 MB peak RSS. Image streams are not counted: they are never decoded
  // (see pdf_scan.ts).
  maxPdfInflatedBytes: 64 * 1024 * 1024,
  // A page scanned at 72 dpi (A4, 595 × 842) is 0.5 MP; a logo or a formula picture is far
  // smaller. Below this, an image on a short-text page is decorative; at or above, the page is
  // a picture and needs its page image. Images below it may be decoded when a short-text page is
  // checked: 0.25 MP × 4 bytes is 1 MB each.
  pageImagePixels: 250_000,
  // A Word document has 10–40 parts, a few hundred with many pictures; 5,000 is absurd.
  maxZipEntries: 5_000,
  // document.xml is streamed, never held whole, so its size costs CPU rather than memory, ~14 ms
  // per MB (measured on Deno 2.1.4: markup-heavy XML with almost no text, random attributes so it
  // stays under maxZipRatio — 60 MB of XML in a 6 MB file took 0.84 s, 150 MB in 15 MB 2.03 s,
  // over hosted's 2 s). 48 MB is ~0.7 s, and far more than a real document at the text cap needs
  // (prose runs 5–10 bytes of XML per character: 13–26 MB at 2.6M characters).
  maxDocxXmlBytes: 48 * 1024 * 1024,
  // document.xml deflates 4–10× for prose, ~30× for repetitive tables; deflate's own ceiling is
  // ~1,032×, which only a bomb approaches.
  maxZipRatio: 200,
};

/** The default budget with the caller's overrides (tests pass small limits). */
export function documentBudget(
  overrides: Partial<DocumentBudget> = {},
): DocumentBudget {
  return { ...DEFAULT_DOCUMENT_BUDGET, ...overrides };
}

/** The failure shape of every document extraction: the handler throws it as an HttpError. */
export interface DocumentFailure {
  ok: false;
  code: "unprocessable_file" | "payload_too_large";
  /** Machine reason, e.g. "corrupt", "encrypted", "empty", "too_many_pages", "too_much_text". */
  reason: string;
  /** For the student, in English like the other error messages. */
  message: string;
  /** What to do about it. */
  hint: string;
}

export const SPLIT_HINT = "Split the document and send its parts one by one.";

/** The 413 every extractor answers once the running text passes `maxTextChars`. */
export function tooMuchText(budget: DocumentBudget): DocumentFailure {
  return {
    ok: false,
    code: "payload_too_large",
    reason: "too_much_text",
    message: `The document has too much text to analyse in one request (more than ${
      budget.maxTextChars.toLocaleString("en-US")
    } characters).`,
    hint: SPLIT_HINT,
  };
}
