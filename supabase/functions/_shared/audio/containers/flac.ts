// FLAC: every frame is counted. A frame has no length field, so frames are found the way FFmpeg's
// parser confirms them: a header with a valid CRC-8 where the bytes since the previous header end
// on a valid CRC-16 footer. The sum of their block sizes is what a decoder outputs; STREAMINFO's
// total is only a cross-check (fewer frames than it says: the file was cut short; more: the
// header is ignored, never trusted downward).
import { ascii, fail, id3v2Length, u16be, u32be, type WorkMeter } from "./bytes.ts";

const CRC8_TABLE = crcTable(0x07, 8);
const CRC16_TABLE = crcTable(0x8005, 16);

function crcTable(poly: number, width: 8 | 16): Uint16Array {
  const top = 1 << (width - 1);
  const mask = (1 << width) - 1;
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << (width - 8);
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & top ? ((crc << 1) ^ poly) & mask : (crc << 1) & mask;
    }
    table[i] = crc;
  }
  return table;
}

export function flacDuration(bytes: Uint8Array, meter: WorkMeter): number {
  const start = ascii(bytes, 0, 3) === "ID3" ? id3v2Length(bytes, 0) : 0;
  let at = start + 4;
  let sampleRate = 0;
  let totalSamples = 0;
  for (let last = false; !last;) {
    meter.tick();
    if (at + 4 > bytes.length) fail("The flac file is truncated.");
    last = (bytes[at] & 0x80) !== 0;
    const type = bytes[at] & 0x7f;
    const length = (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
    const body = at + 4;
    if (body + length > bytes.length) fail("The flac file is truncated.");
    if (type === 0) {
      sampleRate = (bytes[body + 10] << 12) | (bytes[body + 11] << 4) | (bytes[body + 12] >> 4);
      totalSamples = (bytes[body + 13] & 0x0f) * 0x100000000 + u32be(bytes, body + 14);
    }
    at = body + length;
  }
  if (sampleRate === 0) fail("The flac file has no stream information.");
  const counted = countFrameSamples(bytes, at, meter);
  if (counted === 0) fail("The flac file contains no audio frames.");
  // A whole file holds every sample STREAMINFO promises; a cut one holds fewer.
  if (totalSamples > 0 && counted < totalSamples) fail("The flac file is truncated.");
  return counted / sampleRate;
}

/** Sum of the block sizes of the CRC-confirmed frames from `from` to the end of the file. */
function countFrameSamples(bytes: Uint8Array, from: number, meter: WorkMeter): number {
  let frameBlock = headerAt(bytes, from);
  if (frameBlock === null) fail("The flac file contains no audio frames.");
  let total = 0;
  let crc = 0;
  for (let p = from; p < bytes.length; p++) {
    // A frame ends where the running CRC-16 (footer included) is 0 and a valid header follows.
    if (
      crc === 0 && p > from && bytes[p] === 0xff && (bytes[p + 1] & 0xfe) === 0xf8
    ) {
      const next = headerAt(bytes, p);
      if (next !== null) {
        meter.tick();
        total += frameBlock;
        frameBlock = next;
      }
    }
    crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[(crc >> 8) ^ bytes[p]];
  }
  if (crc !== 0) fail("The flac file is truncated.");
  return total + frameBlock;
}

function headerAt(bytes: Uint8Array, at: number): number | null {
  if (bytes[at] !== 0xff || (bytes[at + 1] & 0xfe) !== 0xf8) return null;
  return flacFrameBlockSize(bytes.subarray(at, Math.min(bytes.length, at + 16))) || null;
}

/**
 * The block size (samples per channel) of the frame whose header starts `header`, or 0 when the
 * bytes are not a frame header with a valid CRC-8.
 */
export function flacFrameBlockSize(header: Uint8Array): number {
  if (header.length < 6 || header[0] !== 0xff || (header[1] & 0xfe) !== 0xf8) return 0;
  const blockCode = header[2] >> 4;
  const rateCode = header[2] & 0x0f;
  if (blockCode === 0 || rateCode === 15) return 0;
  if ((header[3] & 1) !== 0 || (header[3] >> 4) > 10) return 0;
  // UTF-8-like coded frame or sample number.
  let p = 4;
  const lead = header[p];
  let extra: number;
  if (lead < 0x80) extra = 0;
  else if ((lead & 0xe0) === 0xc0) extra = 1;
  else if ((lead & 0xf0) === 0xe0) extra = 2;
  else if ((lead & 0xf8) === 0xf0) extra = 3;
  else if ((lead & 0xfc) === 0xf8) extra = 4;
  else if ((lead & 0xfe) === 0xfc) extra = 5;
  else if (lead === 0xfe) extra = 6;
  else return 0;
  p++;
  for (let i = 0; i < extra; i++, p++) {
    if (p >= header.length || (header[p] & 0xc0) !== 0x80) return 0;
  }
  let blockSize: number;
  if (blockCode === 1) blockSize = 192;
  else if (blockCode <= 5) blockSize = 576 << (blockCode - 2);
  else if (blockCode === 6) blockSize = header[p++] + 1;
  else if (blockCode === 7) (blockSize = u16be(header, p) + 1, p += 2);
  else blockSize = 256 << (blockCode - 8);
  if (rateCode === 12) p += 1;
  else if (rateCode === 13 || rateCode === 14) p += 2;
  if (p >= header.length) return 0;
  let crc = 0;
  for (let i = 0; i < p; i++) crc = CRC8_TABLE[crc ^ header[i]];
  return crc === header[p] ? blockSize : 0;
}
