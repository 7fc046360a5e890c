// Compressing data too large to hold at once (the bombs inflate to ~1 GB): a zlib stream fed in
// chunks, with the CRC-32 of the raw bytes computed on the way.
import { once } from "node:events";
import zlib from "node:zlib";

/**
 * Deflates the chunks `next()` returns until it returns null. `raw`: no zlib header (ZIP entries);
 * otherwise a zlib stream (PNG IDAT, PDF FlateDecode).
 * @returns {Promise<{ compressed: Buffer, crc: number, size: number }>}
 */
export async function deflateChunks(next, { raw = false, level = 9 } = {}) {
  const stream = raw ? zlib.createDeflateRaw({ level }) : zlib.createDeflate({ level });
  const out = [];
  stream.on("data", (c) => out.push(c));
  const ended = once(stream, "end");
  let crc = 0;
  let size = 0;
  for (let chunk = next(); chunk !== null; chunk = next()) {
    crc = zlib.crc32(chunk, crc);
    size += chunk.length;
    if (!stream.write(chunk)) await once(stream, "drain");
  }
  stream.end();
  await ended;
  return { compressed: Buffer.concat(out), crc, size };
}

/** `total` bytes made of `unit` repeated (the last copy cut short), in chunks of ~4 MB. */
export function repeated(unit, total) {
  const per = Math.max(1, Math.floor((4 << 20) / unit.length));
  const block = Buffer.alloc(per * unit.length);
  for (let i = 0; i < per; i++) unit.copy(block, i * unit.length);
  let left = total;
  return () => {
    if (left <= 0) return null;
    const n = Math.min(left, block.length);
    left -= n;
    return n === block.length ? block : block.subarray(0, n);
  };
}
