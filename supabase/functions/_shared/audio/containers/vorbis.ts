// Vorbis packets: each audio packet's mode (first byte) names a short or long block, and a decoder
// outputs (previous block + this block) / 4 samples per packet after the first. The modes sit at
// the very end of the setup header; like FFmpeg's vorbis_parser (and liboggz) we read them
// backwards from the framing bit instead of decoding every codebook before them.
import { fail } from "./bytes.ts";

export interface VorbisCodec {
  /** Short and long block sizes from the identification header. */
  blockSizes: [number, number];
  /** Per mode: true when it uses the long block. */
  modeLongBlock: boolean[];
}

/** Block sizes from the identification header packet (`\x01vorbis…`). */
export function vorbisBlockSizes(bytes: Uint8Array, packet: number): [number, number] {
  const b = bytes[packet + 28];
  const short = 1 << (b & 0x0f);
  const long = 1 << (b >> 4);
  if (short < 64 || long > 8192 || short > long) fail("The vorbis header is corrupt.");
  return [short, long];
}

/** The modes' block flags from the setup header packet `bytes[start, end)` (`\x05vorbis…`). */
export function vorbisModes(bytes: Uint8Array, start: number, end: number): boolean[] {
  const length = end - start;
  let position = 0; // bits read, counting from the packet's last bit backwards
  const bit = () => {
    const byte = bytes[end - 1 - (position >> 3)];
    const value = (byte >> (7 - (position & 7))) & 1;
    position++;
    return value;
  };
  const bits = (n: number) => {
    let value = 0;
    for (let i = 0; i < n; i++) value = (value << 1) | bit();
    return value;
  };
  const left = () => length * 8 - position;
  let framing = -1;
  while (left() > 97) {
    if (bit()) {
      framing = position;
      break;
    }
  }
  if (framing < 0) fail("The vorbis setup header is corrupt.");
  let modeCount = 0;
  let found = 0;
  while (left() >= 97) {
    // Read backwards, a mode is: mapping (8 bits) ≤ 63, transform type 0, window type 0, flag.
    if (bits(8) > 63 || bits(16) || bits(16)) break;
    bit();
    modeCount++;
    if (modeCount > 64) break;
    const saved = position;
    if (bits(6) + 1 === modeCount) found = modeCount;
    position = saved;
  }
  if (found === 0) fail("The vorbis setup header has no modes.");
  const modes: boolean[] = new Array(found);
  position = framing;
  for (let i = found - 1; i >= 0; i--) {
    bits(40);
    modes[i] = bit() === 1;
  }
  return modes;
}

/** The block size of the audio packet starting at `start`, or 0 for a non-audio packet. */
export function vorbisPacketBlock(codec: VorbisCodec, bytes: Uint8Array, start: number): number {
  const first = bytes[start];
  if (first & 1) return 0; // header packets have the low bit set
  const modes = codec.modeLongBlock.length;
  const modeBits = modes > 1 ? Math.floor(Math.log2(modes - 1)) + 1 : 0;
  const mode = (first >> 1) & ((1 << modeBits) - 1);
  if (mode >= modes) return 0;
  return codec.blockSizes[codec.modeLongBlock[mode] ? 1 : 0];
}
