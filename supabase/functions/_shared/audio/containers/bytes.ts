// Byte readers, the parse failure and the work meter every container parser shares.

/** Thrown inside a parser; turned into `unprocessable_audio` at the edge of `duration.ts`. */
export class UnprocessableAudio extends Error {}

export function fail(message: string): never {
  throw new UnprocessableAudio(message);
}

/**
 * Counts the units of work a parser does (pages, packets, frames, blocks, table entries) against
 * one budget per file, so a hostile file made of millions of empty packets costs a bounded amount
 * of CPU to refuse. Refusing an 8.8 MB Ogg file of 8 M empty packets at 3 M units took 64 ms on
 * Deno 2.9 and 0.36–0.55 s on Deno 2.1 (the workers' line) with the 2-core machine at load 12; an
 * honest 25 MB upload needs at most ~1.7 M (9 h of 6 kbit/s Opus in 20 ms packets, one unit per
 * page and per packet).
 */
export class WorkMeter {
  used = 0;
  constructor(readonly limit = 3_000_000) {}
  tick(units = 1): void {
    this.used += units;
    if (this.used > this.limit) {
      fail("The file holds more packets than a recording of its size can: it was not counted.");
    }
  }
}

export function ascii(bytes: Uint8Array, offset: number, length: number): string {
  if (offset + length > bytes.length) return "";
  let text = "";
  for (let i = 0; i < length; i++) text += String.fromCharCode(bytes[offset + i]);
  return text;
}

export function u16le(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8);
}
export function u32le(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16)) + b[o + 3] * 0x1000000;
}
export function u16be(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}
export function u32be(b: Uint8Array, o: number): number {
  return b[o] * 0x1000000 + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
}
export function u64be(b: Uint8Array, o: number): number {
  return u32be(b, o) * 0x100000000 + u32be(b, o + 4);
}
/** Ogg granule positions are signed 64-bit little endian; -1 means "no packet ends here". */
export function i64le(b: Uint8Array, o: number): number {
  const low = u32le(b, o);
  const high = u32le(b, o + 4);
  if (high === 0xffffffff && low === 0xffffffff) return -1;
  return high * 0x100000000 + low;
}

/** Length of an ID3v2 tag at `offset` (header, body and optional footer), or 0 if none. */
export function id3v2Length(bytes: Uint8Array, offset: number): number {
  if (ascii(bytes, offset, 3) !== "ID3" || bytes.length < offset + 10) return 0;
  const size = ((bytes[offset + 6] & 0x7f) << 21) | ((bytes[offset + 7] & 0x7f) << 14) |
    ((bytes[offset + 8] & 0x7f) << 7) | (bytes[offset + 9] & 0x7f);
  const footer = (bytes[offset + 5] & 0x10) ? 10 : 0;
  return 10 + size + footer;
}
