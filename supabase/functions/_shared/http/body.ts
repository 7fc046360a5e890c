// Reading request bodies within limits: too large is 413 before anything is parsed, a wrong
// content type is 415, malformed JSON or form data is 400.
import { HttpError } from "./errors.ts";
import { parseForm } from "./form.ts";

/** Reads the body as bytes, refusing (413) as soon as it passes `maxBytes`. */
export async function readBytes(req: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (!req.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req.body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  const out = new Uint8Array(size);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out;
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

/** Parses a multipart/form-data body of at most `maxBytes`. */
export async function readForm(req: Request, maxBytes: number): Promise<FormData> {
  return await parseForm(await readBytes(req, maxBytes), req.headers.get("content-type"));
}
