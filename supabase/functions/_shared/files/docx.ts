// DOCX → plain text with mammoth (loaded lazily). Word files take the text path, never vision.
import { Buffer } from "node:buffer";
import { loadMammoth } from "./lazy.ts";

export type DocxTextResult =
  | { ok: true; text: string }
  | { ok: false; code: "unprocessable_file"; reason: "corrupt" | "empty"; message: string };

/**
 * The document's text, paragraphs separated by blank lines (mammoth's raw-text output, trimmed).
 * `corrupt` when the archive or its XML cannot be read, `empty` when there is no text at all.
 * @example
 * const result = await extractDocxText(bytes);
 * if (result.ok) console.log(result.text.slice(0, 80));
 */
export async function extractDocxText(bytes: Uint8Array): Promise<DocxTextResult> {
  const mammoth = await loadMammoth();
  let value: string;
  try {
    // mammoth's Node input is `{ buffer }`; node:buffer's Buffer works unchanged under Deno.
    ({ value } = await mammoth.extractRawText({ buffer: Buffer.from(bytes) }));
  } catch {
    return {
      ok: false,
      code: "unprocessable_file",
      reason: "corrupt",
      message: "The Word document could not be read; it may be damaged or incomplete.",
    };
  }
  const text = value.replace(/\n{3,}/g, "\n\n").trim();
  if (text === "") {
    return {
      ok: false,
      code: "unprocessable_file",
      reason: "empty",
      message: "The Word document has no text.",
    };
  }
  return { ok: true, text };
}
