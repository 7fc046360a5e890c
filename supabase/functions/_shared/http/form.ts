// Multipart bodies: parsing the bytes already read within a limit, and a fingerprint of what the
// form says (not of its bytes) for idempotency.
import { HttpError } from "./errors.ts";
import { requestHash } from "../request.ts";

/** Parses multipart/form-data `bytes`; 400 when the content type or the body is not a form. */
export async function parseForm(
  bytes: Uint8Array<ArrayBuffer>,
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
    return await new Response(bytes, {
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
