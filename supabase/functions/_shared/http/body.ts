// Reading request bodies within limits: too large is 413 before anything is parsed, a wrong
// content type is 415, malformed JSON or form data is 400.
import { concatBytes } from "../bytes.ts";
import { HttpError } from "./errors.ts";
import { type MultipartForm, parseMultipart } from "./multipart.ts";

/**
 * Reads the body as bytes, refusing (413) as soon as it passes `maxBytes`. With a declared
 * Content-Length (browsers and supabase-js send one for FormData) the bytes land in one buffer of
 * that size as they arrive, so a body costs its size once, not chunks plus a copy.
 */
export async function readBytes(req: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (!req.body) return new Uint8Array();
  if (Number.isSafeInteger(declared) && declared >= 0) {
    const out = new Uint8Array(declared);
    let size = 0;
    for await (const chunk of req.body) {
      if (size + chunk.byteLength > declared) {
        throw new HttpError("invalid_request", "The body is longer than its Content-Length.");
      }
      out.set(chunk, size);
      size += chunk.byteLength;
    }
    return size === declared ? out : out.subarray(0, size);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req.body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  return concatBytes(chunks);
}

function tooLarge(maxBytes: number) {
  return new HttpError(
    "payload_too_large",
    `The request is larger than ${formatBytes(maxBytes)}.`,
    {
      hint: "Send a smaller file.",
    },
  );
}

export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${+(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}

/** Parses a JSON body of at most `maxBytes`. */
export async function readJson(req: Request, maxBytes: number): Promise<unknown> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new HttpError(
      "invalid_request",
      "The body must be JSON (content-type: application/json).",
    );
  }
  const bytes = await readBytes(req, maxBytes);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new HttpError("invalid_request", "The body is not valid JSON.");
  }
}

/** Reads and parses a multipart/form-data body of at most `maxBytes` (parts are views into it). */
export async function readForm(req: Request, maxBytes: number): Promise<MultipartForm> {
  const type = req.headers.get("content-type");
  // Not a form: refuse before reading the body.
  if (!/^multipart\/form-data\b/i.test(type ?? "")) parseMultipart(new Uint8Array(), type);
  return parseMultipart(await readBytes(req, maxBytes), type);
}
