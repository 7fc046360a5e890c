// The process-file-upload contract: validated by the function, imported by frontends through
// `shared/`. The request is multipart/form-data: `file`, optional repeated `page_images`, and the
// text fields below (the files are checked by their bytes on the server, never by name or type).
import { z } from "zod";
import { text } from "./text.ts";
import { Platform, Provider } from "./chat.ts";

/** The largest accepted file; the function reads FILE_MAX_BYTES to change it. Page images of a
 * PDF may add up to the same amount again. */
export const MAX_UPLOAD_FILE_BYTES = 20 * 1024 * 1024;

/** The longest `instruction`, in characters. */
export const MAX_INSTRUCTION_CHARS = 4000;

/** At most this many `page_images` (each text-less page costs a share of a vision call). */
export const MAX_PAGE_IMAGES = 30;

/** The text fields of the form (everything but `file` and `page_images`). */
export const FileFields = z.strictObject({
  platform: Platform,
  instruction: text()
    .transform((s) => s.trim())
    .pipe(
      z.string()
        .min(
          1,
          "the instruction is empty (leave it out for the default summary)",
        )
        .max(
          MAX_INSTRUCTION_CHARS,
          `at most ${MAX_INSTRUCTION_CHARS} characters after trimming`,
        ),
    )
    .optional(),
});
export type FileFields = z.input<typeof FileFields>;

/** What `analyzeFile` takes: the upload and the form fields, typed. */
export interface FileRequest {
  /** png, jpeg, webp, gif, pdf, docx, txt or md; at most 20 MB. */
  file: Blob;
  platform: Platform;
  /** What to do with the file. Default: a Russian summary of its content (for images, also the
   * text they contain). */
  instruction?: string;
  /**
   * Images of a scanned PDF's pages, in page order: either one for every page of the PDF, or one
   * for each page without a text layer (the pages a `page_images_required` error names).
   */
  page_images?: Blob[];
}

/** What the function did with the file (decided from its bytes). */
export const FileKind = z.enum(["image", "pdf", "docx", "text"]);
export type FileKind = z.infer<typeof FileKind>;

/** `text`: only extracted text went to a text model; `vision`: only images went to a vision
 * model; `mixed`: both (a PDF with text pages and scanned pages). */
export const FileMethod = z.enum(["vision", "text", "mixed"]);
export type FileMethod = z.infer<typeof FileMethod>;

export const FileResponse = z.object({
  request_id: z.string().uuid(),
  kind: FileKind,
  method: FileMethod,
  /** A PDF's page count. */
  pages: z.number().int().optional(),
  /** The answer to the instruction, one text for the whole file. */
  analysis: z.string(),
  /** The text layer of a PDF's text pages, or a Word document's text (not for images or txt/md). */
  extracted_text: z.string().optional(),
  /** The provider that wrote the final answer. */
  provider: Provider,
  /** Every model that answered a part of this request, in the order first used. */
  models: z.array(z.string()),
  /** The sum of every provider call of the request (its ledger rows), a decimal string. */
  cost_usd: z.string(),
  /** True when the final answer stopped at the model's output-token limit (cut short): send a
   * narrower instruction, or fewer pages. */
  truncated: z.boolean().optional(),
});
export type FileResponse = z.infer<typeof FileResponse>;

/** The `details` of a `page_images_required` error. */
export const PageImagesRequiredDetails = z.object({
  /** 1-based numbers of the pages without a text layer. */
  pages: z.array(z.number().int()),
  page_count: z.number().int(),
});
export type PageImagesRequiredDetails = z.infer<
  typeof PageImagesRequiredDetails
>;
