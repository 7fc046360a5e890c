// Multipart forms after parsing (multipart.ts): the one file of a field, the text fields, and a
// fingerprint of what the form says (not of its bytes) for idempotency.
import { HttpError } from "./errors.ts";
import { type FilePart, type MultipartForm, parseMultipart } from "./multipart.ts";
import { requestHash } from "../request.ts";

export type { FilePart, MultipartForm };

/** Parses multipart/form-data `bytes`; 400 when the content type or the body is not a form. */
export function parseForm(bytes: Uint8Array, contentType: string | null): MultipartForm {
  return parseMultipart(bytes, contentType);
}

/**
 * SHA-256 of a form's fields and files, in name order. Every `fetch` of a FormData picks a new
 * random boundary, so hashing the raw bytes would make an honest retry with the same
 * Idempotency-Key look like a different request.
 * @example await formHash(form) === await formHash(sameFieldsWithAnotherBoundary)
 */
export async function formHash(form: MultipartForm): Promise<string> {
  const parts: string[] = [];
  for (const part of form.parts) {
    parts.push(
      part.kind === "text"
        ? JSON.stringify([part.name, "text", part.value])
        : JSON.stringify([part.name, "file", await requestHash(part.bytes)]),
    );
  }
  parts.sort();
  return await requestHash(parts.join("\n"));
}

/** The one file sent as `field`; 400 when it is missing, repeated, or a text value. */
export function singleFile(form: MultipartForm, field: string, what: string): FilePart {
  const files = form.getAll(field);
  if (files.length === 0) {
    throw new HttpError("invalid_request", `${field}: the ${what} is missing.`, {
      hint: `Append the ${what} to the FormData as \`${field}\`.`,
    });
  }
  const file = files[0];
  if (files.length > 1 || file.kind === "text") {
    throw new HttpError("invalid_request", `${field}: send exactly one ${what} as a file part.`);
  }
  return file;
}

/** The form's text fields (all but `files`), refusing a file sent where text belongs (400). */
export function textFields(form: MultipartForm, files: readonly string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const part of form.parts) {
    if (files.includes(part.name)) continue;
    if (part.kind === "file") {
      throw new HttpError("invalid_request", `${part.name}: must be a text field, not a file.`);
    }
    fields[part.name] = part.value;
  }
  return fields;
}
