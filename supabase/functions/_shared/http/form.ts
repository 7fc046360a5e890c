// Multipart bodies: parsing the bytes already read within a limit, and a fingerprint of what the
// form says (not of its bytes) for idempotency.
import { HttpError } from "./errors.ts";
import { requestHash } from "../request.ts";

/** Parses multipart/form-data `bytes`; 400 when the content type or the body is not a form. */
export async function parseForm(
  bytes: Uint8Array,
  contentType: string | null,
): Promise<FormData> {
  if (!/^multipart\/form-data\b/i.test(contentType ?? "")) {
    throw new HttpError(
      "invalid_request",
      "The body must be multipart/form-data.",
      {
        hint: "Pass a FormData object as the body of supabase.functions.invoke.",
      },
    );
  }
  try {
    return await new Response(bytes as BufferSource, {
      headers: { "content-type": contentType! },
    }).formData();
  } catch {
    throw new HttpError(
      "invalid_request",
      "The multipart body could not be parsed.",
    );
  }
}

/**
 * SHA-256 of a form's fields and files, in name order. Every `fetch` of a FormData picks a new
 * random boundary, so hashing the raw bytes would make an honest retry with the same
 * Idempotency-Key look like a different request.
 * @example await formHash(form) === await formHash(sameFieldsWithAnotherBoundary)
 */
export async function formHash(form: FormData): Promise<string> {
  const parts: string[] = [];
  for (const [name, value] of form.entries()) {
    parts.push(
      typeof value === "string" ? JSON.stringify([name, "text", value]) : JSON.stringify([
        name,
        "file",
        await requestHash(new Uint8Array(await value.arrayBuffer())),
      ]),
    );
  }
  parts.sort();
  return await requestHash(parts.join("\n"));
}

/** The one file sent as `field`; 400 when it is missing, repeated, or a text value. */
export function singleFile(form: FormData, field: string, what: string): File {
  const files = form.getAll(field);
  if (files.length === 0) {
    throw new HttpError("invalid_request", `${field}: the ${what} is missing.`, {
      hint: `Append the ${what} to the FormData as \`${field}\`.`,
    });
  }
  const file = files[0];
  if (files.length > 1 || typeof file === "string") {
    throw new HttpError("invalid_request", `${field}: send exactly one ${what} as a file part.`);
  }
  return file;
}

/** The form's text fields (all but `files`), refusing a file sent where text belongs (400). */
export function textFields(form: FormData, files: readonly string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of form.entries()) {
    if (files.includes(name)) continue;
    if (typeof value !== "string") {
      throw new HttpError("invalid_request", `${name}: must be a text field, not a file.`);
    }
    fields[name] = value;
  }
  return fields;
}
