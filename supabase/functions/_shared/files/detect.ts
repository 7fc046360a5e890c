// What an upload is, decided by its bytes alone. The file name and the declared Content-Type are
// the client's claims; an executable renamed `.pdf` must not reach a parser. The one exception is
// Markdown vs plain text: their bytes are indistinguishable, both take the same text path, and the
// name only chooses the label. No heavy library is imported here (see lazy.ts).

export type FileKind =
  | "png"
  | "jpeg"
  | "webp"
  | "gif"
  | "pdf"
  | "docx"
  | "txt"
  | "md";

/** The response's `kind`: what the handler does with the file. */
export type FileGroup = "image" | "pdf" | "docx" | "text";

export const FILE_MIME: Readonly<Record<FileKind, string>> = {
  png: "image/png",
  jpeg: "image/jpeg",
  webp: "image/webp",
  gif: "image/gif",
  pdf: "application/pdf",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  txt: "text/plain",
  md: "text/markdown",
};

/** Which path a kind takes: images to vision, PDFs and DOCX to text extraction, text as is. */
export function fileGroup(kind: FileKind): FileGroup {
  switch (kind) {
    case "png":
    case "jpeg":
    case "webp":
    case "gif":
      return "image";
    case "pdf":
      return "pdf";
    case "docx":
      return "docx";
    case "txt":
    case "md":
      return "text";
  }
}

/**
 * The kind of an upload from its magic bytes, or `null` when it is none of the supported kinds
 * (the caller answers 415 `unsupported_media_type`). An empty file is `null` too: the caller should
 * check `bytes.length === 0` first and answer 422 `unprocessable_file` (empty).
 * @example detectFileKind(await Deno.readFile("scan.pdf")) // "pdf"
 * @example detectFileKind(utf8("# Конспект"), "notes.md") // "md"
 */
export function detectFileKind(
  bytes: Uint8Array,
  fileName?: string,
): FileKind | null {
  if (bytes.length === 0) return null;
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
    return "png";
  }
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "jpeg";
  if (ascii(bytes, 0, 6) === "GIF87a" || ascii(bytes, 0, 6) === "GIF89a") {
    return "gif";
  }
  if (ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 12) === "WEBP") {
    return "webp";
  }
  if (isPdf(bytes)) return "pdf";
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) {
    return zipEntryNames(bytes).includes("word/document.xml") ? "docx" : null;
  }
  if (decodeUtf8Text(bytes) !== null) {
    return fileName !== undefined && /\.(md|markdown)$/i.test(fileName.trim()) ? "md" : "txt";
  }
  return null;
}

/**
 * The text of a txt/md upload: strict UTF-8 (a leading BOM dropped), no NUL, and at most 1% other
 * control characters (tab, newlines, form feed and ESC allowed). `null` when it is not such text,
 * which is how binary files that happen to avoid invalid UTF-8 sequences are still refused.
 */
export function decodeUtf8Text(bytes: Uint8Array): string | null {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(
      bytes,
    );
  } catch {
    return null;
  }
  let control = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return null;
    if (
      (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c &&
        c !== 0x1b) ||
      c === 0x7f
    ) {
      control++;
    }
  }
  return control <= text.length / 100 ? text : null;
}

/**
 * `%PDF-` within the first 1024 bytes: the PDF spec lets readers accept leading garbage there and
 * pdf.js does, so emailed PDFs with a prefix still count. Later bytes are not searched, which keeps
 * an executable with an embedded PDF out.
 */
function isPdf(bytes: Uint8Array): boolean {
  const head = ascii(bytes, 0, Math.min(bytes.length, 1024));
  return head.includes("%PDF-");
}

/**
 * Entry names of a ZIP archive from its central directory (the authoritative list), falling back
 * to walking local headers when the end-of-central-directory record is missing, as in a truncated
 * upload. Only names are read; nothing is inflated.
 */
export function zipEntryNames(bytes: Uint8Array): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const names: string[] = [];
  const eocd = findEndOfCentralDirectory(bytes, view);
  if (eocd >= 0) {
    const count = view.getUint16(eocd + 10, true);
    let at = view.getUint32(eocd + 16, true);
    for (let i = 0; i < count && at + 46 <= bytes.length; i++) {
      if (view.getUint32(at, true) !== 0x02014b50) break;
      const nameLength = view.getUint16(at + 28, true);
      const extraLength = view.getUint16(at + 30, true);
      const commentLength = view.getUint16(at + 32, true);
      names.push(entryName(bytes.subarray(at + 46, at + 46 + nameLength)));
      at += 46 + nameLength + extraLength + commentLength;
    }
    if (names.length > 0) return names;
  }
  let at = 0;
  while (at + 30 <= bytes.length && view.getUint32(at, true) === 0x04034b50) {
    const flags = view.getUint16(at + 6, true);
    const compressedSize = view.getUint32(at + 18, true);
    const nameLength = view.getUint16(at + 26, true);
    const extraLength = view.getUint16(at + 28, true);
    names.push(entryName(bytes.subarray(at + 30, at + 30 + nameLength)));
    // With a data descriptor (flag bit 3) the size is unknown here; stop rather than guess.
    if ((flags & 0x08) !== 0) break;
    at += 30 + nameLength + extraLength + compressedSize;
  }
  return names;
}

function findEndOfCentralDirectory(bytes: Uint8Array, view: DataView): number {
  // The record is 22 bytes plus a comment of at most 65,535 bytes, at the very end.
  const lowest = Math.max(0, bytes.length - 22 - 65_535);
  for (let at = bytes.length - 22; at >= lowest; at--) {
    if (view.getUint32(at, true) === 0x06054b50) return at;
  }
  return -1;
}

function entryName(bytes: Uint8Array): string {
  return new TextDecoder("utf-8").decode(bytes);
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  if (bytes.length < prefix.length) return false;
  return prefix.every((b, i) => bytes[i] === b);
}

function ascii(bytes: Uint8Array, from: number, to: number): string {
  let s = "";
  for (let i = from; i < Math.min(to, bytes.length); i++) {
    s += String.fromCharCode(bytes[i]);
  }
  return s;
}
