// Reading request bodies within limits: too large is 413 before anything is parsed, a wrong
// content type is 415, malformed JSON or form data is 400.
import { concatBytes } from "../bytes.ts";
import { HttpError } from "./errors.ts";
import { type MultipartForm, parseMultipart } from "./multipart.ts";

/**
 * Bodies up to this declared size are read in one call (`Request.bytes()`): Deno.serve's request
 * bodies are backed by the connection, so Deno reads them whole in one op instead of streaming
 * chunks through JavaScript. On Deno 2.1 that took a 1 KB chat request from ~270 to ~190 µs of
 * server CPU (docs/PERFORMANCE.md, "Inside the worker"). Larger bodies keep the chunk loop: for a
 * 60 MB upload the one-op read peaked ~25 MB higher in resident memory.
 */
export const ONE_READ_MAX_BYTES = 1024 * 1024;

/**
 * Reads the body as bytes, refusing (413) as soon as it passes `maxBytes`. With a declared
 * Content-Length (browsers and supabase-js send one for FormData) the bytes land in one buffer of
 * that size as they arrive, so a body costs its size once, not chunks plus a copy; a small one
 * (≤ {@link ONE_READ_MAX_BYTES}) is read in one call.
 */
export async function readBytes(req: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (!req.body) return new Uint8Array();
  if (Number.isSafeInteger(declared) && declared >= 0 && declared <= ONE_READ_MAX_BYTES) {
    // Over HTTP the server frames the body by its Content-Length, so it cannot be longer; a
    // Request built in code can lie, and is refused as the chunk loop refuses it.
    const out = await req.bytes();
    if (out.byteLength > declared) throw longerThanDeclared();
    return out;
  }
  if (Number.isSafeInteger(declared) && declared >= 0) {
    const out = new Uint8Array(declared);
    let size = 0;
    for await (const chunk of req.body) {
      if (size + chunk.byteLength > declared) throw longerThanDeclared();
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

function longerThanDeclared() {
  return new HttpError("invalid_request", "The body is longer than its Content-Length.");
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
