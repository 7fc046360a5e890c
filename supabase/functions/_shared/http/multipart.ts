// multipart/form-data parsed in place. The body is read once into one buffer (body.ts) and every
// part is a view into it: no Blob, no FormData, no copy per file. A 40 MB upload (a PDF and its
// page images) costs 40 MB, where Response.formData() and File.arrayBuffer() cost three copies
// (measured 267 MB before any work, issue 12).
import { Buffer } from "node:buffer";
import { HttpError } from "./errors.ts";

/** A file part: its bytes are a view into the request body. */
export interface FilePart {
  kind: "file";
  name: string;
  /** As the client named it (only used to tell Markdown from plain text). */
  filename: string;
  /** As the client declared it; the handlers decide by the bytes. */
  type: string;
  bytes: Uint8Array;
  size: number;
}

/** A text part (no filename), decoded as UTF-8. */
export interface TextPart {
  kind: "text";
  name: string;
  value: string;
}

export type Part = FilePart | TextPart;

/** The parts of a form in the order sent, with FormData's lookups. */
export class MultipartForm {
  constructor(readonly parts: readonly Part[]) {}

  /** Every part named `name`, in order. */
  getAll(name: string): Part[] {
    return this.parts.filter((p) => p.name === name);
  }
}

/** Headers of one part are small; a longer header block is not a form a browser sends. */
const MAX_PART_HEADER_BYTES = 16 * 1024;
/** More parts than any of our forms has (file + 30 page images + a few fields). */
const MAX_PARTS = 100;

const CRLF = Buffer.from("\r\n");
const HEADER_END = Buffer.from("\r\n\r\n");

/**
 * Parses a multipart/form-data body. 400 `invalid_request` when the content type is not a form,
 * the boundary is missing, or the body is not a well-formed multipart body.
 * @example
 * const form = parseMultipart(await readBytes(req, max), req.headers.get("content-type"));
 * const file = singleFile(form, "file", "file"); // file.bytes is a view into the body
 */
export function parseMultipart(body: Uint8Array, contentType: string | null): MultipartForm {
  if (!/^multipart\/form-data\b/i.test(contentType ?? "")) {
    throw new HttpError("invalid_request", "The body must be multipart/form-data.", {
      hint: "Pass a FormData object as the body of supabase.functions.invoke.",
    });
  }
  const boundary = boundaryOf(contentType!);
  if (!boundary) throw malformed();
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const dashBoundary = Buffer.from(`--${boundary}`);
  const delimiter = Buffer.from(`\r\n--${boundary}`);

  // The first boundary may stand at the very start (no preamble) or after a preamble line.
  let at = buf.subarray(0, dashBoundary.length).equals(dashBoundary)
    ? 0
    : buf.indexOf(delimiter) + 2;
  if (at < 0 || at === 1) throw malformed();
  const parts: Part[] = [];
  while (true) {
    at += dashBoundary.length;
    if (buf[at] === 0x2d && buf[at + 1] === 0x2d) break; // "--": the closing boundary
    // Transport padding (spaces, tabs) may follow a boundary before its CRLF.
    while (buf[at] === 0x20 || buf[at] === 0x09) at++;
    if (!buf.subarray(at, at + 2).equals(CRLF)) throw malformed();
    at += 2;
    const headerEnd = buf.indexOf(HEADER_END, at);
    // A part without headers starts its body at once ("\r\n" right after the boundary line).
    const bare = buf[at] === 0x0d && buf[at + 1] === 0x0a;
    if (!bare && (headerEnd < 0 || headerEnd - at > MAX_PART_HEADER_BYTES)) throw malformed();
    const headers = bare ? "" : buf.toString("utf8", at, headerEnd);
    const contentStart = bare ? at + 2 : headerEnd + 4;
    const contentEnd = buf.indexOf(delimiter, contentStart);
    if (contentEnd < 0) throw malformed();
    parts.push(partOf(headers, body.subarray(contentStart, contentEnd)));
    if (parts.length > MAX_PARTS) {
      throw new HttpError("invalid_request", `The form has more than ${MAX_PARTS} parts.`);
    }
    at = contentEnd + 2;
  }
  return new MultipartForm(parts);
}

function partOf(headers: string, bytes: Uint8Array): Part {
  let disposition = "";
  let type = "";
  for (const line of headers.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === "content-disposition") disposition = value;
    else if (name === "content-type") type = value;
  }
  if (!/^form-data\b/i.test(disposition)) throw malformed();
  const params = dispositionParams(disposition);
  const name = params.get("name");
  if (name === undefined) throw malformed();
  const filename = params.get("filename*") ?? params.get("filename");
  if (filename === undefined) {
    return { kind: "text", name, value: new TextDecoder().decode(bytes) };
  }
  return { kind: "file", name, filename, type, bytes, size: bytes.byteLength };
}

/** `name="…"`, `filename="…"` (quoted, with backslash escapes or browsers' %22), `filename*=`. */
function dispositionParams(value: string): Map<string, string> {
  const params = new Map<string, string>();
  const re = /;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (const m of value.matchAll(re)) {
    const key = m[1].toLowerCase();
    let v = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : m[3].trim();
    if (key === "filename*") {
      const ext = /^[^']*'[^']*'(.*)$/.exec(v);
      try {
        v = decodeURIComponent(ext ? ext[1] : v);
      } catch { /* keep as sent */ }
    } else {
      v = v.replace(/%22/g, '"').replace(/%0D/gi, "\r").replace(/%0A/gi, "\n");
    }
    params.set(key, v);
  }
  return params;
}

function boundaryOf(contentType: string): string | null {
  const m = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const b = m ? (m[1] ?? m[2]) : null;
  return b && b.length <= 200 ? b : null;
}

function malformed() {
  return new HttpError("invalid_request", "The multipart body could not be parsed.");
}
