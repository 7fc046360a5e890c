// Reading one entry of a ZIP archive (a DOCX) without inflating the others: the central directory
// gives each entry's declared sizes, which are checked before anything is inflated, and the entry
// is then inflated as a stream under a hard cap (declared sizes can lie).
import { inflateChunks } from "./inflate.ts";

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate; anything else is not read. */
  method: number;
  /** General-purpose flags; bit 0 means encrypted. */
  flags: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

export type ZipDirectory =
  | { ok: true; entries: ZipEntry[] }
  | { ok: false; reason: "corrupt" | "too_many_entries" | "zip64" };

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/**
 * The central directory's entries. `too_many_entries` is decided from the end record's count,
 * before the directory is walked; `zip64` (sizes or offsets of 4 GB and up) is refused, since no
 * upload we take needs it; `corrupt` when the records are missing or run past the end.
 */
export function readZipDirectory(
  bytes: Uint8Array,
  maxEntries: number,
): ZipDirectory {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eocd = findEndOfCentralDirectory(bytes, view);
  if (eocd < 0) return { ok: false, reason: "corrupt" };
  const count = view.getUint16(eocd + 10, true);
  const directoryOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || directoryOffset === 0xffffffff) {
    return { ok: false, reason: "zip64" };
  }
  if (count > maxEntries) return { ok: false, reason: "too_many_entries" };
  const entries: ZipEntry[] = [];
  let at = directoryOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== CENTRAL) {
      return { ok: false, reason: "corrupt" };
    }
    const nameLength = view.getUint16(at + 28, true);
    const entry: ZipEntry = {
      name: new TextDecoder().decode(
        bytes.subarray(at + 46, at + 46 + nameLength),
      ),
      flags: view.getUint16(at + 8, true),
      method: view.getUint16(at + 10, true),
      compressedSize: view.getUint32(at + 20, true),
      uncompressedSize: view.getUint32(at + 24, true),
      localHeaderOffset: view.getUint32(at + 42, true),
    };
    if (
      entry.compressedSize === 0xffffffff ||
      entry.uncompressedSize === 0xffffffff ||
      entry.localHeaderOffset === 0xffffffff
    ) {
      return { ok: false, reason: "zip64" };
    }
    entries.push(entry);
    at += 46 + nameLength + view.getUint16(at + 30, true) +
      view.getUint16(at + 32, true);
  }
  return { ok: true, entries };
}

/** The entry's compressed bytes (a view, no copy), or `null` when its local header is broken. */
export function entryData(
  bytes: Uint8Array,
  entry: ZipEntry,
): Uint8Array | null {
  const at = entry.localHeaderOffset;
  if (at + 30 > bytes.length) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(at, true) !== LOCAL) return null;
  const start = at + 30 + view.getUint16(at + 26, true) +
    view.getUint16(at + 28, true);
  const end = start + entry.compressedSize;
  return end <= bytes.length ? bytes.subarray(start, end) : null;
}

export class ZipInflateLimit extends Error {
  constructor(readonly produced: number) {
    super(`entry inflates past its cap (${produced} bytes so far)`);
    this.name = "ZipInflateLimit";
  }
}

/**
 * The entry's uncompressed bytes in chunks (each at most ~1 MB), stopping with ZipInflateLimit
 * once more than `maxBytes` came out (or more than the entry declared: a lie is a bomb's mark).
 * Throws a TypeError on damaged data. Stored entries are sliced, never copied whole.
 */
export async function* entryChunks(
  data: Uint8Array,
  entry: ZipEntry,
  maxBytes: number,
): AsyncGenerator<Uint8Array> {
  const cap = Math.min(maxBytes, entry.uncompressedSize);
  if (entry.method === 0) {
    if (data.length > cap) throw new ZipInflateLimit(data.length);
    for (let at = 0; at < data.length; at += 1 << 20) {
      yield data.subarray(at, at + (1 << 20));
    }
    return;
  }
  if (entry.method !== 8) {
    throw new TypeError(`unsupported zip method ${entry.method}`);
  }
  let produced = 0;
  for await (const chunk of inflateChunks(data, "deflate-raw")) {
    produced += chunk.length;
    if (produced > cap) throw new ZipInflateLimit(produced);
    yield chunk;
  }
}

function findEndOfCentralDirectory(bytes: Uint8Array, view: DataView): number {
  // 22 bytes plus a comment of at most 65,535 bytes, at the very end.
  const lowest = Math.max(0, bytes.length - 22 - 65_535);
  for (let at = bytes.length - 22; at >= lowest; at--) {
    if (view.getUint32(at, true) === EOCD) return at;
  }
  return -1;
}
