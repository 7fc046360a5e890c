// DOCX → plain text without a library: the zip directory is checked first (declared sizes, ratio,
// entry count), then only `word/document.xml` is inflated, as a stream under a hard cap, and its
// text is pulled out in one pass over the XML chunks (never the whole XML as one string). Pictures
// (word/media/*) are never inflated. Word files take the text path, never vision.
import {
  type DocumentBudget,
  documentBudget,
  type DocumentFailure,
  SPLIT_HINT,
  tooMuchText,
} from "./budget.ts";
import { breathe } from "./heavy_work.ts";
import { unlimitedMeter, WORK_PRICE, WorkLimitExceeded, type WorkMeter } from "./work_meter.ts";
import { entryChunks, entryData, readZipDirectory, type ZipEntry, ZipInflateLimit } from "./zip.ts";
import { storableText } from "../contracts/text.ts";

export type DocxTextResult = { ok: true; text: string } | DocumentFailure;

const DOCUMENT_XML = "word/document.xml";
const RESAVE_HINT = "Open the file in Word or LibreOffice, save it again as .docx and resend it.";

/**
 * The document's text: paragraphs (table cells' included) separated by blank lines, like
 * mammoth's raw text, trimmed; `<w:tab/>` as a tab, `<w:br/>` and `<w:cr/>` as line breaks;
 * field codes (`<w:instrText>`) and deleted text (`<w:delText>`) left out.
 * - 422 `corrupt`: not a readable zip, no document.xml, damaged data or unbalanced XML;
 *   `encrypted` for an encrypted entry. 422 `empty`: no text at all.
 * - 413 `zip_bomb`: absurd entry count, declared size or ratio (before inflating), or more bytes
 *   than declared; `inflate_limit`: document.xml past `maxDocxXmlBytes`; `too_much_text`: the
 *   running text passed `maxTextChars` (extraction stops there).
 * @example
 * const result = await extractDocxText(bytes);
 * if (result.ok) console.log(result.text.slice(0, 80));
 */
export async function extractDocxText(
  bytes: Uint8Array,
  budget: Partial<DocumentBudget> = {},
  meter: WorkMeter = unlimitedMeter(),
): Promise<DocxTextResult> {
  const limits = documentBudget(budget);
  const directory = readZipDirectory(bytes, limits.maxZipEntries);
  if (!directory.ok) {
    return directory.reason === "corrupt" ? corrupt() : zipBomb();
  }
  const entry = directory.entries.find((e) => e.name === DOCUMENT_XML);
  if (!entry) return corrupt();
  if ((entry.flags & 1) !== 0) {
    return failure(
      "unprocessable_file",
      "encrypted",
      "The Word document is password-protected.",
      {
        hint: "Remove the password (File → Info → Protect Document) and resend it.",
      },
    );
  }
  const refused = checkDeclared(entry, limits);
  if (refused) return refused;
  const data = entryData(bytes, entry);
  if (data === null) return corrupt();

  const extractor = new DocxTextExtractor(limits.maxTextChars);
  const decoder = new TextDecoder("utf-8");
  try {
    for await (
      const chunk of slices(entryChunks(data, entry, limits.maxDocxXmlBytes), DECODE_SLICE_BYTES)
    ) {
      const xml = decoder.decode(chunk, { stream: true });
      // Each chunk's bytes, tags and text runs, before the extractor walks them; then the text
      // it gave, before the rest of the request handles it (splitting, prompts, the answer).
      const { tags, textRuns } = countTags(xml);
      meter.charge(
        chunk.length * WORK_PRICE.docxXmlByte + tags * WORK_PRICE.docxNode +
          textRuns * WORK_PRICE.docxTextRun,
        "docx xml",
      );
      const charsBefore = extractor.chars;
      extractor.push(xml);
      if (extractor.overflow) return tooMuchText(limits);
      meter.charge((extractor.chars - charsBefore) * WORK_PRICE.docxTextChar, "docx text");
      await breathe();
    }
    extractor.push(decoder.decode());
  } catch (error) {
    if (error instanceof WorkLimitExceeded) throw error;
    if (error instanceof ZipInflateLimit) {
      return error.produced > entry.uncompressedSize ? zipBomb() : inflateLimit(limits);
    }
    return corrupt();
  }
  if (extractor.overflow) return tooMuchText(limits);
  const text = extractor.finish();
  if (text === null) return corrupt();
  if (text === "") {
    return failure(
      "unprocessable_file",
      "empty",
      "The Word document has no text.",
      {
        hint: "Check that you chose the right file; a document of only pictures needs to be " +
          "sent as images or as a PDF.",
      },
    );
  }
  // A raw U+0000 in the XML or a `&#xD800;` reference must not reach a prompt or a stored answer.
  return { ok: true, text: storableText(text) };
}

/**
 * The most bytes decoded at once. Inflating very repetitive XML yields ~180 KB chunks, and Deno
 * 2.1's streaming TextDecoder took ~5× longer per byte on those than on 16–64 KB ones (231 ms
 * against 46 ms for 44 MB), with the extractor's walk over the larger strings slower too.
 */
const DECODE_SLICE_BYTES = 64 * 1024;

/** The chunks of `source`, none longer than `max` bytes (views, not copies). */
async function* slices(
  source: AsyncIterable<Uint8Array>,
  max: number,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    for (let at = 0; at < chunk.length; at += max) yield chunk.subarray(at, at + max);
  }
}

/** Tags (`<`) in a piece of XML, and how many of them open a text run (`<w:t>`, `<w:t …>`). */
export function countTags(xml: string): { tags: number; textRuns: number } {
  let tags = 0;
  let textRuns = 0;
  for (let at = xml.indexOf("<"); at >= 0; at = xml.indexOf("<", at + 1)) {
    tags++;
    if (
      xml.charCodeAt(at + 3) === 0x74 /* t */ && xml.startsWith("w:", at + 1) &&
      isTagNameEnd(xml.charCodeAt(at + 4))
    ) textRuns++;
  }
  return { tags, textRuns };
}

/** `>`, `/` or whitespace: the end of a tag's name (`<w:t>` but not `<w:tab/>`). */
function isTagNameEnd(c: number): boolean {
  return c === 0x3e || c === 0x2f || c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Refuses from the directory alone: a declared size past the cap, or a bomb's ratio. */
function checkDeclared(
  entry: ZipEntry,
  limits: DocumentBudget,
): DocumentFailure | null {
  if (entry.method !== 0 && entry.method !== 8) return corrupt();
  if (entry.uncompressedSize > limits.maxDocxXmlBytes) {
    return inflateLimit(limits);
  }
  const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
  if (entry.method === 8 && ratio > limits.maxZipRatio) return zipBomb();
  return null;
}

/**
 * A streaming pass over WordprocessingML: feed text chunks with `push`, read the result with
 * `finish`. Holds only the unfinished tail of the XML (an incomplete tag or entity) and the text.
 */
export class DocxTextExtractor {
  #tail = "";
  #parts: string[] = [];
  #chars = 0;
  #depth = 0;
  /** Inside `<w:t>`: its character data is text. */
  #inText = false;
  /** Depth of `<w:r>` runs: tabs and breaks count only inside one (not `<w:tabs>` stops). */
  #inRun = 0;
  /** Inside `<mc:Choice>`: Word repeats that content in `<mc:Fallback>`, which is read instead. */
  #inChoice = 0;
  #broken = false;
  overflow = false;

  /** Characters of text given so far (separators included). */
  get chars(): number {
    return this.#chars;
  }

  constructor(private readonly maxChars: number) {}

  push(chunk: string): void {
    if (this.#broken || this.overflow) return;
    const xml = this.#tail + chunk;
    let at = 0;
    while (at < xml.length) {
      const lt = xml.indexOf("<", at);
      if (lt < 0) {
        // Character data may end in a split entity: keep it whole for the next chunk.
        const amp = xml.lastIndexOf("&");
        const keep = amp >= at && xml.indexOf(";", amp) < 0 ? amp : xml.length;
        this.#characters(xml.slice(at, keep));
        at = keep;
        break;
      }
      if (lt > at) this.#characters(xml.slice(at, lt));
      const end = tagEnd(xml, lt);
      if (end < 0) {
        at = lt;
        break;
      }
      this.#tag(xml.slice(lt + 1, end));
      at = end + 1;
      if (this.#broken || this.overflow) return;
    }
    this.#tail = xml.slice(at);
  }

  /** The text, or `null` when the XML was unbalanced or cut off. */
  finish(): string | null {
    if (this.#broken || this.#tail.trim() !== "" || this.#depth !== 0) {
      return null;
    }
    return this.#parts.join("").replace(/\n{3,}/g, "\n\n").trim();
  }

  #emit(text: string): void {
    this.#parts.push(text);
    this.#chars += text.length;
    if (this.#chars > this.maxChars) this.overflow = true;
  }

  #characters(data: string): void {
    if (this.#inText && this.#inChoice === 0 && data !== "") {
      this.#emit(decodeEntities(data));
    }
  }

  #tag(body: string): void {
    const first = body.charCodeAt(0);
    if (first === 0x3f /* ? */ || first === 0x21 /* ! comment, doctype */) {
      return;
    }
    const closing = first === 0x2f; /* / */
    const selfClosing = body.charCodeAt(body.length - 1) === 0x2f;
    const name = tagName(body, closing ? 1 : 0);
    if (closing) {
      if (--this.#depth < 0) this.#broken = true;
    } else if (!selfClosing) {
      this.#depth++;
    }
    switch (name) {
      case "w:t":
        this.#inText = !closing && !selfClosing;
        break;
      case "w:p":
        if (closing || selfClosing) this.#emit("\n\n");
        break;
      case "w:r":
        if (!selfClosing) this.#inRun += closing ? -1 : 1;
        break;
      case "mc:Choice":
        if (!selfClosing) this.#inChoice += closing ? -1 : 1;
        break;
      case "w:tab":
        if (this.#inRun > 0 && this.#inChoice === 0 && !closing) {
          this.#emit("\t");
        }
        break;
      case "w:br":
      case "w:cr":
        if (this.#inRun > 0 && this.#inChoice === 0 && !closing) {
          this.#emit("\n");
        }
        break;
    }
  }
}

/** Index of the `>` closing the tag opened at `lt`, skipping `>` inside quoted attribute values. */
function tagEnd(xml: string, lt: number): number {
  if (xml.startsWith("<!--", lt)) {
    const end = xml.indexOf("-->", lt + 4);
    return end < 0 ? -1 : end + 2;
  }
  let quote = 0;
  for (let i = lt + 1; i < xml.length; i++) {
    const c = xml.charCodeAt(i);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) {
      quote = c;
    } else if (c === 0x3e) {
      return i;
    }
  }
  return -1;
}

function tagName(body: string, from: number): string {
  let end = from;
  while (end < body.length) {
    const c = body.charCodeAt(end);
    if (c === 0x20 || c === 0x2f || c === 0x09 || c === 0x0a || c === 0x0d) {
      break;
    }
    end++;
  }
  return body.slice(from, end);
}

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
};

/** XML's five named entities and numeric character references. */
export function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(
    /&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g,
    (whole, ref: string) => {
      if (ref[0] !== "#") return ENTITIES[ref] ?? whole;
      const code = ref[1] === "x" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    },
  );
}

function failure(
  code: DocumentFailure["code"],
  reason: string,
  message: string,
  { hint }: { hint: string },
): DocumentFailure {
  return { ok: false, code, reason, message, hint };
}

function corrupt(): DocumentFailure {
  return failure(
    "unprocessable_file",
    "corrupt",
    "The Word document could not be read; it may be damaged or incomplete.",
    { hint: RESAVE_HINT },
  );
}

function zipBomb(): DocumentFailure {
  return failure(
    "payload_too_large",
    "zip_bomb",
    "The Word document's archive is malformed: it claims to expand far beyond any real document.",
    { hint: RESAVE_HINT },
  );
}

function inflateLimit(limits: DocumentBudget): DocumentFailure {
  const mb = Math.round(limits.maxDocxXmlBytes / (1024 * 1024));
  return failure(
    "payload_too_large",
    "inflate_limit",
    `The Word document's text part expands to more than ${mb} MB.`,
    { hint: SPLIT_HINT },
  );
}
