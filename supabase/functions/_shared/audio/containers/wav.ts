// WAV (RIFF/RF64): the samples a decoder reads are the data chunk's whole frames, a frame being
// channels × bytes per sample. The fmt chunk's average byte rate is a hint players ignore, so it is
// never read: a file whose byte rate claims 60× the real one is still billed its real length.
import { ascii, fail, u16le, u32le } from "./bytes.ts";

/** Formats whose samples are fixed-size PCM frames: PCM, IEEE float, A-law, µ-law, extensible. */
const PCM_FORMATS = new Set([0x0001, 0x0003, 0x0006, 0x0007, 0xfffe]);
/** IMA ADPCM: blocks of a fixed size, each holding a known number of samples per channel. */
const IMA_ADPCM = 0x0011;

interface WavFormat {
  tag: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bitsPerSample: number;
}

export function wavDuration(bytes: Uint8Array): number {
  let format: WavFormat | null = null;
  let dataSize64 = 0;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = ascii(bytes, offset, 4);
    let size = u32le(bytes, offset + 4);
    const body = offset + 8;
    if (id === "ds64" && body + 16 <= bytes.length) {
      dataSize64 = u32le(bytes, body + 8) + u32le(bytes, body + 12) * 0x100000000;
    } else if (id === "fmt ") {
      if (body + 16 > bytes.length) fail("The wav file is truncated.");
      format = {
        tag: u16le(bytes, body),
        channels: u16le(bytes, body + 2),
        sampleRate: u32le(bytes, body + 4),
        blockAlign: u16le(bytes, body + 12),
        bitsPerSample: u16le(bytes, body + 14),
      };
    } else if (id === "data") {
      if (format === null) fail("The wav file has no format header.");
      const available = bytes.length - body;
      // Streaming writers leave 0 or 0xFFFFFFFF until they finish; RF64 stores the size in ds64.
      if (size === 0xffffffff) size = dataSize64 || available;
      else if (size === 0) size = available;
      if (size > available) fail("The wav file is truncated.");
      return size === 0 ? 0 : samplesIn(format, size) / format.sampleRate;
    }
    offset = body + size + (size & 1);
  }
  fail("The wav file has no audio data.");
}

/** Sample frames (per channel) a decoder gets from `dataBytes` of this format. */
function samplesIn(format: WavFormat, dataBytes: number): number {
  const { tag, channels, sampleRate, blockAlign, bitsPerSample } = format;
  if (channels === 0 || sampleRate === 0) fail("The wav format header is corrupt.");
  if (PCM_FORMATS.has(tag)) {
    if (bitsPerSample === 0) fail("The wav format header is corrupt.");
    // Decoders size a frame from channels and bits per sample; a block alignment that disagrees is
    // only trusted when it makes frames smaller (more of them), never to shrink the count.
    const frameBytes = channels * Math.ceil(bitsPerSample / 8);
    const frame = blockAlign > 0 ? Math.min(frameBytes, blockAlign) : frameBytes;
    return Math.floor(dataBytes / frame);
  }
  if (tag === IMA_ADPCM && blockAlign > 4 * channels) {
    // Each block: a 4-byte header per channel holding one sample, then 4-bit samples.
    const perBlock = ((blockAlign - 4 * channels) * 8) / (4 * channels) + 1;
    return Math.floor(dataBytes / blockAlign) * perBlock;
  }
  fail("The wav file is not PCM audio: send PCM wav, or mp3, ogg, webm, m4a or flac.");
}
