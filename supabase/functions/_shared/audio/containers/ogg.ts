// Ogg: the audio a decoder plays is the sum of the first audio stream's packets, each sized by its
// codec (Opus TOC, Vorbis block sizes, FLAC frame headers, Speex frames per packet). The last
// granule position is only a cross-check: it may trim the final packet (end trimming, as the
// codecs' specifications allow) but a granule that claims less than that is ignored, so a file
// whose last page says 10 s over 600 s of packets is measured 600 s.
import { ascii, fail, i64le, u16le, u32le, type WorkMeter } from "./bytes.ts";
import { flacFrameBlockSize } from "./flac.ts";
import { opusPacketSamples } from "./opus.ts";
import { vorbisBlockSizes, type VorbisCodec, vorbisModes, vorbisPacketBlock } from "./vorbis.ts";

type Codec = "opus" | "vorbis" | "flac" | "speex";

const HEAD_BYTES = 32;

interface Stream {
  codec: Codec;
  serial: number;
  sampleRate: number;
  /** Samples a decoder drops at the start (Opus pre-skip). */
  preSkip: number;
  /** Header packets before the audio: Opus 2, Vorbis 3, FLAC 1 + its header count, Speex 2. */
  headerPackets: number;
  vorbis?: VorbisCodec;
  flacMaxBlock?: number;
  speexSamplesPerPacket?: number;
}

export function oggDuration(bytes: Uint8Array, meter: WorkMeter): number {
  let stream: Stream | null = null;
  let lastGranule = -1;
  let packets = 0; // packets of our stream completed so far
  let samples = 0;
  let previousBlock = 0; // Vorbis: the previous audio packet's block size
  let lastPacketSamples = 0;
  // A packet can continue across pages. An audio packet's first bytes are all a codec needs (Opus
  // TOC, Vorbis mode, FLAC frame header ≤ 16 bytes): we keep 32 of them. Header packets (Vorbis'
  // setup header is read from its end) are kept whole, up to 1 MB.
  const head = new Uint8Array(HEAD_BYTES);
  let headerParts: Uint8Array[] = [];
  let packetLength = 0;
  let offset = 0;

  while (offset < bytes.length) {
    meter.tick();
    if (offset + 27 > bytes.length) fail("The ogg file is truncated.");
    if (ascii(bytes, offset, 4) !== "OggS") fail("The ogg file is corrupt.");
    const segments = bytes[offset + 26];
    const tableEnd = offset + 27 + segments;
    if (tableEnd > bytes.length) fail("The ogg file is truncated.");
    let bodySize = 0;
    for (let i = offset + 27; i < tableEnd; i++) bodySize += bytes[i];
    const pageEnd = tableEnd + bodySize;
    if (pageEnd > bytes.length) fail("The ogg file is truncated.");
    const pageSerial = u32le(bytes, offset + 14);
    const beginOfStream = (bytes[offset + 5] & 0x02) !== 0;
    if (stream === null && beginOfStream) stream = identify(bytes, tableEnd, pageSerial);
    if (stream !== null && pageSerial === stream.serial) {
      const granule = i64le(bytes, offset + 6);
      if (granule >= 0) lastGranule = granule;
      let at = tableEnd;
      for (let i = offset + 27; i < tableEnd; i++) {
        const lace = bytes[i];
        // A byte loop, not subarray + set: no allocation per segment (a hostile file has millions).
        for (let k = 0; k < lace && packetLength + k < HEAD_BYTES; k++) {
          head[packetLength + k] = bytes[at + k];
        }
        if (packets < stream.headerPackets) {
          if (packetLength + lace > 1024 * 1024) fail("The ogg stream header is too large.");
          headerParts.push(bytes.subarray(at, at + lace));
        }
        packetLength += lace;
        at += lace;
        if (lace < 255) {
          meter.tick();
          packetDone(stream);
          packetLength = 0;
          headerParts = [];
        }
      }
    }
    offset = pageEnd;
  }
  if (stream === null) fail("The ogg file has no audio stream.");
  if (packets <= stream.headerPackets) fail("The ogg file contains no audio.");
  let total = samples;
  // End trimming: the final granule may cut at most the last packet's samples off the count.
  if (lastGranule >= 0 && lastGranule <= samples && lastGranule >= samples - lastPacketSamples) {
    total = lastGranule;
  }
  return Math.max(0, total - stream.preSkip) / stream.sampleRate;

  function packetDone(s: Stream) {
    packets++;
    if (packets <= s.headerPackets) {
      if (s.codec === "vorbis" && packets === 3) {
        const setup = concat(headerParts);
        s.vorbis!.modeLongBlock = vorbisModes(setup, 0, setup.length);
      }
      return;
    }
    const length = Math.min(packetLength, head.length);
    let n = 0;
    if (length === 0) n = 0;
    else if (s.codec === "opus") n = opusPacketSamples(head, 0, length);
    else if (s.codec === "vorbis") {
      const block = vorbisPacketBlock(s.vorbis!, head, 0);
      if (block > 0) {
        if (previousBlock > 0) n = (previousBlock + block) / 4;
        previousBlock = block;
      }
    } else if (s.codec === "flac") n = flacFrameBlockSize(head.subarray(0, length));
    else n = s.speexSamplesPerPacket!;
    samples += n;
    lastPacketSamples = n;
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), at += p.length);
  return out;
}

/** The stream a beginning-of-stream page opens, or null for a codec we do not count. */
function identify(bytes: Uint8Array, packet: number, serial: number): Stream | null {
  if (ascii(bytes, packet, 8) === "OpusHead") {
    // Opus granules and samples always count 48 kHz.
    return {
      codec: "opus",
      serial,
      sampleRate: 48000,
      preSkip: u16le(bytes, packet + 10),
      headerPackets: 2,
    };
  }
  if (bytes[packet] === 1 && ascii(bytes, packet + 1, 6) === "vorbis") {
    return {
      codec: "vorbis",
      serial,
      sampleRate: positive(u32le(bytes, packet + 12)),
      preSkip: 0,
      headerPackets: 3,
      vorbis: { blockSizes: vorbisBlockSizes(bytes, packet), modeLongBlock: [false] },
    };
  }
  if (bytes[packet] === 0x7f && ascii(bytes, packet + 1, 4) === "FLAC") {
    // Mapping header (9 bytes: type, "FLAC", version, header count) then "fLaC" and STREAMINFO.
    const headers = (bytes[packet + 7] << 8) | bytes[packet + 8];
    const info = packet + 9 + 4 + 4;
    return {
      codec: "flac",
      serial,
      sampleRate: positive(
        (bytes[info + 10] << 12) | (bytes[info + 11] << 4) | (bytes[info + 12] >> 4),
      ),
      preSkip: 0,
      headerPackets: 1 + headers,
      flacMaxBlock: (bytes[info + 2] << 8) | bytes[info + 3],
    };
  }
  if (ascii(bytes, packet, 8) === "Speex   ") {
    const frameSize = u32le(bytes, packet + 56);
    const framesPerPacket = Math.max(1, u32le(bytes, packet + 64));
    if (frameSize === 0 || frameSize > 2048 || framesPerPacket > 10) {
      fail("The speex header is corrupt.");
    }
    return {
      codec: "speex",
      serial,
      sampleRate: positive(u32le(bytes, packet + 36)),
      preSkip: 0,
      headerPackets: 2 + u32le(bytes, packet + 68),
      speexSamplesPerPacket: frameSize * framesPerPacket,
    };
  }
  return null;
}

function positive(sampleRate: number): number {
  if (!(sampleRate > 0)) fail("The ogg stream header is corrupt.");
  return sampleRate;
}
