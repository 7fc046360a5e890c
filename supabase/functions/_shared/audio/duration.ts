/**
 * Audio format detection and duration measurement from a file's own bytes.
 *
 * Pure TypeScript, no native code and no I/O: it reads container headers (and walks frames where a
 * container has no length field), so the server bills the duration it measured itself and never
 * trusts a file name, a declared MIME type or a provider reply for it.
 *
 * Supported: wav, ogg (Opus, Vorbis, FLAC, Speex), webm/matroska, mp3, mp4/m4a (ISO-BMFF), flac —
 * the formats Groq accepts (mpeg and mpga are mp3; m4a and mp4 are both ISO-BMFF `ftyp`).
 *
 * @example
 * ```ts
 * const measured = measureAudioDuration(new Uint8Array(await file.arrayBuffer()));
 * if (!measured.ok) return errorResponse(measured.code, measured.message);
 * console.log(measured.format, measured.durationSeconds);
 * ```
 */

export type AudioFormat = "wav" | "ogg" | "webm" | "mp3" | "mp4" | "flac";

export type AudioDurationFailureCode = "unsupported_media_type" | "unprocessable_audio";

export type AudioDurationResult =
  | { ok: true; format: AudioFormat; durationSeconds: number }
  | { ok: false; code: AudioDurationFailureCode; message: string };

/** Thrown inside a parser; turned into `unprocessable_audio` at the edge of this module. */
class UnprocessableAudio extends Error {}

function fail(message: string): never {
  throw new UnprocessableAudio(message);
}

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  if (offset + length > bytes.length) return "";
  let text = "";
  for (let i = 0; i < length; i++) text += String.fromCharCode(bytes[offset + i]);
  return text;
}

function u16le(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8);
}
function u32le(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16)) + b[o + 3] * 0x1000000;
}
function u16be(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}
function u32be(b: Uint8Array, o: number): number {
  return b[o] * 0x1000000 + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
}
function u64be(b: Uint8Array, o: number): number {
  return u32be(b, o) * 0x100000000 + u32be(b, o + 4);
}
/** Ogg granule positions are signed 64-bit little endian; -1 means "no packet ends here". */
function i64le(b: Uint8Array, o: number): number {
  const low = u32le(b, o);
  const high = u32le(b, o + 4);
  if (high === 0xffffffff && low === 0xffffffff) return -1;
  return high * 0x100000000 + low;
}

/** Length of an ID3v2 tag at `offset` (header, body and optional footer), or 0 if none. */
function id3v2Length(bytes: Uint8Array, offset: number): number {
  if (ascii(bytes, offset, 3) !== "ID3" || bytes.length < offset + 10) return 0;
  const size = ((bytes[offset + 6] & 0x7f) << 21) | ((bytes[offset + 7] & 0x7f) << 14) |
    ((bytes[offset + 8] & 0x7f) << 7) | (bytes[offset + 9] & 0x7f);
  const footer = (bytes[offset + 5] & 0x10) ? 10 : 0;
  return 10 + size + footer;
}

/**
 * Decides the container from magic bytes only.
 *
 * @returns the format, or `null` when the bytes are not a supported audio container.
 */
export function detectAudioFormat(bytes: Uint8Array): AudioFormat | null {
  if (bytes.length < 4) return null;
  const head = ascii(bytes, 0, 4);
  if ((head === "RIFF" || head === "RF64") && ascii(bytes, 8, 4) === "WAVE") return "wav";
  if (head === "OggS") return "ogg";
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) {
    return "webm";
  }
  if (head === "fLaC") return "flac";
  if (ascii(bytes, 4, 4) === "ftyp") return "mp4";
  if (head.startsWith("ID3")) {
    // FLAC files sometimes carry an ID3v2 tag in front of "fLaC".
    const skip = id3v2Length(bytes, 0);
    return ascii(bytes, skip, 4) === "fLaC" ? "flac" : "mp3";
  }
  if (parseMp3Header(bytes, 0) !== null) return "mp3";
  return null;
}

/**
 * Measures the playing time of an audio file from its container.
 *
 * Never throws: unknown containers are `unsupported_media_type`; empty, truncated or corrupt files
 * and files without an audio track are `unprocessable_audio`.
 */
export function measureAudioDuration(bytes: Uint8Array): AudioDurationResult {
  if (bytes.length === 0) {
    return { ok: false, code: "unprocessable_audio", message: "The file is empty." };
  }
  const format = detectAudioFormat(bytes);
  if (format === null) {
    return {
      ok: false,
      code: "unsupported_media_type",
      message: "The file is not flac, mp3, mp4/m4a, ogg, wav or webm audio.",
    };
  }
  try {
    const durationSeconds = MEASURE[format](bytes);
    if (!Number.isFinite(durationSeconds) || durationSeconds <= 0) {
      fail("The file contains no audio.");
    }
    return { ok: true, format, durationSeconds };
  } catch (error) {
    const message = error instanceof UnprocessableAudio
      ? error.message
      : `The ${format} file could not be read.`;
    return { ok: false, code: "unprocessable_audio", message };
  }
}

const MEASURE: Record<AudioFormat, (bytes: Uint8Array) => number> = {
  wav: wavDuration,
  ogg: oggDuration,
  webm: matroskaDuration,
  mp3: mp3Duration,
  mp4: mp4Duration,
  flac: flacDuration,
};

// ---------------------------------------------------------------------------------------------
// WAV: data chunk size / byte rate from the fmt chunk.

function wavDuration(bytes: Uint8Array): number {
  let byteRate = 0;
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
      byteRate = u32le(bytes, body + 8);
    } else if (id === "data") {
      if (byteRate === 0) fail("The wav file has no format header.");
      const available = bytes.length - body;
      // Streaming writers leave 0 or 0xFFFFFFFF until they finish; RF64 stores the size in ds64.
      if (size === 0xffffffff) size = dataSize64 || available;
      else if (size === 0) size = available;
      if (size > available) fail("The wav file is truncated.");
      return size / byteRate;
    }
    offset = body + size + (size & 1);
  }
  fail("The wav file has no audio data.");
}

// ---------------------------------------------------------------------------------------------
// Ogg: walk the pages; the last granule position of the first audio stream is its length in samples.

function oggDuration(bytes: Uint8Array): number {
  let serial = -1;
  let codec = "";
  let sampleRate = 0;
  let preSkip = 0;
  let lastGranule = -1;
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 27 > bytes.length || ascii(bytes, offset, 4) !== "OggS") {
      if (serial === -1) fail("The ogg file is corrupt.");
      if (offset + 27 > bytes.length) fail("The ogg file is truncated.");
      fail("The ogg file is corrupt.");
    }
    const segments = bytes[offset + 26];
    const tableEnd = offset + 27 + segments;
    if (tableEnd > bytes.length) fail("The ogg file is truncated.");
    let bodySize = 0;
    for (let i = offset + 27; i < tableEnd; i++) bodySize += bytes[i];
    const pageEnd = tableEnd + bodySize;
    if (pageEnd > bytes.length) fail("The ogg file is truncated.");
    const pageSerial = u32le(bytes, offset + 14);
    const beginOfStream = (bytes[offset + 5] & 0x02) !== 0;
    if (serial === -1 && beginOfStream) {
      const packet = tableEnd;
      if (ascii(bytes, packet, 8) === "OpusHead") {
        codec = "opus";
        sampleRate = 48000; // Opus granules always count 48 kHz samples.
        preSkip = u16le(bytes, packet + 10);
      } else if (bytes[packet] === 1 && ascii(bytes, packet + 1, 6) === "vorbis") {
        codec = "vorbis";
        sampleRate = u32le(bytes, packet + 12);
      } else if (bytes[packet] === 0x7f && ascii(bytes, packet + 1, 4) === "FLAC") {
        codec = "flac";
        // Mapping header (9 bytes) then "fLaC" and a STREAMINFO block header (4 bytes).
        const info = packet + 9 + 4 + 4;
        sampleRate = (bytes[info + 10] << 12) | (bytes[info + 11] << 4) | (bytes[info + 12] >> 4);
      } else if (ascii(bytes, packet, 8) === "Speex   ") {
        codec = "speex";
        sampleRate = u32le(bytes, packet + 36);
      }
      if (codec !== "") serial = pageSerial;
    }
    if (pageSerial === serial) {
      const granule = i64le(bytes, offset + 6);
      if (granule >= 0) lastGranule = granule;
    }
    offset = pageEnd;
  }
  if (serial === -1 || sampleRate === 0) fail("The ogg file has no audio stream.");
  if (lastGranule <= 0) fail("The ogg file contains no audio.");
  return Math.max(0, lastGranule - preSkip) / sampleRate;
}

// ---------------------------------------------------------------------------------------------
// WebM / Matroska (EBML).

const EBML_IDS = {
  segment: 0x18538067,
  info: 0x1549a966,
  timecodeScale: 0x2ad7b1,
  duration: 0x4489,
  tracks: 0x1654ae6b,
  trackEntry: 0xae,
  trackNumber: 0xd7,
  trackType: 0x83,
  codecId: 0x86,
  defaultDuration: 0x23e383,
  cluster: 0x1f43b675,
  timecode: 0xe7,
  simpleBlock: 0xa3,
  blockGroup: 0xa0,
  block: 0xa1,
  blockDuration: 0x9b,
  discardPadding: 0x75a2,
} as const;

/** Elements that may follow an unknown-size Cluster at Segment level, ending it. */
const SEGMENT_CHILDREN = new Set([
  0x114d9b74, // SeekHead
  EBML_IDS.info,
  EBML_IDS.tracks,
  EBML_IDS.cluster,
  0x1c53bb6b, // Cues
  0x1941a469, // Attachments
  0x1043a770, // Chapters
  0x1254c367, // Tags
]);

interface EbmlHeader {
  id: number;
  /** -1 when the size is "unknown" (live recorders write this for Segment and Cluster). */
  size: number;
  dataStart: number;
}

function readVint(bytes: Uint8Array, offset: number, keepMarker: boolean) {
  if (offset >= bytes.length) return null;
  const first = bytes[offset];
  if (first === 0) return null;
  let length = 1;
  while (length <= 8 && (first & (0x80 >> (length - 1))) === 0) length++;
  if (offset + length > bytes.length) return null;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === (0xff >> length);
  for (let i = 1; i < length; i++) {
    value = value * 256 + bytes[offset + i];
    if (bytes[offset + i] !== 0xff) allOnes = false;
  }
  return { value, length, allOnes };
}

function readEbmlHeader(bytes: Uint8Array, offset: number): EbmlHeader | null {
  const id = readVint(bytes, offset, true);
  if (id === null || id.length > 4) return null;
  const size = readVint(bytes, offset + id.length, false);
  if (size === null) return null;
  return {
    id: id.value,
    size: size.allOnes ? -1 : size.value,
    dataStart: offset + id.length + size.length,
  };
}

function ebmlUint(bytes: Uint8Array, start: number, size: number): number {
  let value = 0;
  for (let i = 0; i < size; i++) value = value * 256 + bytes[start + i];
  return value;
}

function ebmlInt(bytes: Uint8Array, start: number, size: number): number {
  const unsigned = ebmlUint(bytes, start, size);
  return size > 0 && bytes[start] & 0x80 ? unsigned - 2 ** (8 * size) : unsigned;
}

function ebmlFloat(bytes: Uint8Array, start: number, size: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, size);
  if (size === 4) return view.getFloat32(0);
  if (size === 8) return view.getFloat64(0);
  return 0;
}

/** Samples in one Opus packet from its TOC byte (RFC 6716 §3.1), at 48 kHz. */
function opusPacketSamples(bytes: Uint8Array, start: number, end: number): number {
  if (start >= end) return 0;
  const toc = bytes[start];
  const config = toc >> 3;
  let frameSamples: number;
  if (config < 12) frameSamples = [480, 960, 1920, 2880][config & 3];
  else if (config < 16) frameSamples = [480, 960][config & 1];
  else frameSamples = [120, 240, 480, 960][config & 3];
  const code = toc & 3;
  const frames = code === 0 ? 1 : code < 3 ? 2 : start + 1 < end ? bytes[start + 1] & 0x3f : 0;
  return frameSamples * frames;
}

interface MatroskaTrack {
  number: number;
  type: number;
  codecId: string;
  defaultDurationNs: number;
}

function matroskaDuration(bytes: Uint8Array): number {
  const header = readEbmlHeader(bytes, 0);
  if (header === null || header.size < 0) fail("The webm file is corrupt.");
  let offset = header.dataStart + header.size;
  const segment = readEbmlHeader(bytes, offset);
  if (segment === null || segment.id !== EBML_IDS.segment) fail("The webm file has no segment.");
  const segmentEnd = segment.size < 0 ? bytes.length : segment.dataStart + segment.size;
  if (segmentEnd > bytes.length) fail("The webm file is truncated.");

  let timecodeScale = 1_000_000;
  let durationTicks = -1;
  const tracks: MatroskaTrack[] = [];
  let audioTrack: MatroskaTrack | undefined;
  // End of the audio seen in clusters, in nanoseconds (fallback when Info has no Duration).
  let lastEndNs = 0;

  offset = segment.dataStart;
  while (offset < segmentEnd) {
    const element = readEbmlHeader(bytes, offset);
    if (element === null) fail("The webm file is truncated.");
    if (element.id === EBML_IDS.cluster) {
      offset = readCluster(element);
      continue;
    }
    if (element.size < 0) fail("The webm file is corrupt.");
    const end = element.dataStart + element.size;
    if (end > segmentEnd) fail("The webm file is truncated.");
    if (element.id === EBML_IDS.info) readInfo(element.dataStart, end);
    else if (element.id === EBML_IDS.tracks) readTracks(element.dataStart, end);
    offset = end;
  }

  if (audioTrack === undefined) fail("The webm file has no audio track.");
  if (durationTicks > 0) return (durationTicks * timecodeScale) / 1e9;
  return lastEndNs / 1e9;

  function readInfo(start: number, end: number) {
    for (let at = start; at < end;) {
      const child = readEbmlHeader(bytes, at);
      if (child === null || child.size < 0) fail("The webm file is corrupt.");
      if (child.id === EBML_IDS.timecodeScale) {
        timecodeScale = ebmlUint(bytes, child.dataStart, child.size);
      } else if (child.id === EBML_IDS.duration) {
        durationTicks = ebmlFloat(bytes, child.dataStart, child.size);
      }
      at = child.dataStart + child.size;
    }
  }

  function readTracks(start: number, end: number) {
    for (let at = start; at < end;) {
      const entry = readEbmlHeader(bytes, at);
      if (entry === null || entry.size < 0) fail("The webm file is corrupt.");
      const entryEnd = entry.dataStart + entry.size;
      if (entry.id === EBML_IDS.trackEntry) {
        const track: MatroskaTrack = { number: 0, type: 0, codecId: "", defaultDurationNs: 0 };
        for (let field = entry.dataStart; field < entryEnd;) {
          const child = readEbmlHeader(bytes, field);
          if (child === null || child.size < 0) fail("The webm file is corrupt.");
          const value = () => ebmlUint(bytes, child.dataStart, child.size);
          if (child.id === EBML_IDS.trackNumber) track.number = value();
          else if (child.id === EBML_IDS.trackType) track.type = value();
          else if (child.id === EBML_IDS.defaultDuration) track.defaultDurationNs = value();
          else if (child.id === EBML_IDS.codecId) {
            track.codecId = ascii(bytes, child.dataStart, child.size);
          }
          field = child.dataStart + child.size;
        }
        tracks.push(track);
        // Track type 2 is audio; like Groq we use the first audio track.
        if (track.type === 2 && audioTrack === undefined) audioTrack = track;
      }
      at = entryEnd;
    }
  }

  /** Reads one Cluster (known or unknown size) and returns the offset after it. */
  function readCluster(cluster: EbmlHeader): number {
    const end = cluster.size < 0 ? segmentEnd : cluster.dataStart + cluster.size;
    if (end > segmentEnd) fail("The webm file is truncated.");
    let clusterTicks = 0;
    let at = cluster.dataStart;
    while (at < end) {
      const child = readEbmlHeader(bytes, at);
      if (child === null) fail("The webm file is truncated.");
      if (cluster.size < 0 && SEGMENT_CHILDREN.has(child.id)) return at;
      if (child.size < 0) fail("The webm file is corrupt.");
      const childEnd = child.dataStart + child.size;
      if (childEnd > end) fail("The webm file is truncated.");
      if (child.id === EBML_IDS.timecode) {
        clusterTicks = ebmlUint(bytes, child.dataStart, child.size);
      } else if (child.id === EBML_IDS.simpleBlock) {
        noteBlock(clusterTicks, child.dataStart, childEnd, -1, 0);
      } else if (child.id === EBML_IDS.blockGroup) {
        let blockStart = -1;
        let blockEnd = -1;
        let blockDuration = -1;
        let discardNs = 0;
        for (let g = child.dataStart; g < childEnd;) {
          const part = readEbmlHeader(bytes, g);
          if (part === null || part.size < 0) fail("The webm file is corrupt.");
          if (part.id === EBML_IDS.block) {
            blockStart = part.dataStart;
            blockEnd = part.dataStart + part.size;
          } else if (part.id === EBML_IDS.blockDuration) {
            blockDuration = ebmlUint(bytes, part.dataStart, part.size);
          } else if (part.id === EBML_IDS.discardPadding) {
            discardNs = ebmlInt(bytes, part.dataStart, part.size);
          }
          g = part.dataStart + part.size;
        }
        if (blockStart >= 0) {
          noteBlock(clusterTicks, blockStart, blockEnd, blockDuration, discardNs);
        }
      }
      at = childEnd;
    }
    return at;
  }

  function noteBlock(
    clusterTicks: number,
    start: number,
    end: number,
    durationTicks: number,
    discardNs: number,
  ) {
    const trackNumber = readVint(bytes, start, false);
    if (trackNumber === null || start + trackNumber.length + 3 > end) return;
    const track = tracks.find((t) => t.number === trackNumber.value);
    if (track === undefined || track !== audioTrack) return;
    const relative = (bytes[start + trackNumber.length] << 8) |
      bytes[start + trackNumber.length + 1];
    const signedRelative = relative >= 0x8000 ? relative - 0x10000 : relative;
    const startNs = (clusterTicks + signedRelative) * timecodeScale;
    let lengthNs = 0;
    if (durationTicks >= 0) lengthNs = durationTicks * timecodeScale;
    else if (track.defaultDurationNs > 0) lengthNs = track.defaultDurationNs;
    else if (track.codecId === "A_OPUS") {
      const lacing = bytes[start + trackNumber.length + 2] & 0x06;
      // Laced blocks hold several packets; they are rare for Opus. Count only the first.
      const payload = start + trackNumber.length + 3;
      if (lacing === 0) lengthNs = (opusPacketSamples(bytes, payload, end) / 48000) * 1e9;
    }
    // DiscardPadding: encoder padding at the end of the last packet, not part of the audio.
    lastEndNs = Math.max(lastEndNs, startNs + lengthNs - Math.max(0, discardNs));
  }
}

// ---------------------------------------------------------------------------------------------
// MP3 (MPEG-1/2/2.5 Layer I/II/III).

const MP3_BITRATES_KBPS: Record<string, number[]> = {
  // [version 1 | 2][layer 1..3]
  "1-1": [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  "1-2": [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  "1-3": [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  "2-1": [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  "2-2": [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  "2-3": [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const MP3_SAMPLE_RATES = [44100, 48000, 32000];

interface Mp3Frame {
  mpeg1: boolean;
  layer: number;
  sampleRate: number;
  samples: number;
  length: number;
  mono: boolean;
}

function parseMp3Header(bytes: Uint8Array, offset: number): Mp3Frame | null {
  if (offset + 4 > bytes.length) return null;
  const b1 = bytes[offset + 1];
  const b2 = bytes[offset + 2];
  if (bytes[offset] !== 0xff || (b1 & 0xe0) !== 0xe0) return null;
  const versionBits = (b1 >> 3) & 3; // 0: 2.5, 1: reserved, 2: 2, 3: 1
  const layerBits = (b1 >> 1) & 3; // 0 is reserved (and what AAC ADTS uses)
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  if (versionBits === 1 || layerBits === 0 || bitrateIndex === 0 || bitrateIndex === 15) {
    return null;
  }
  if (rateIndex === 3) return null;
  const mpeg1 = versionBits === 3;
  const layer = 4 - layerBits;
  const bitrate = MP3_BITRATES_KBPS[`${mpeg1 ? 1 : 2}-${layer}`][bitrateIndex] * 1000;
  const sampleRate = MP3_SAMPLE_RATES[rateIndex] / (mpeg1 ? 1 : versionBits === 2 ? 2 : 4);
  const padding = (b2 >> 1) & 1;
  let length: number;
  let samples: number;
  if (layer === 1) {
    length = (Math.floor((12 * bitrate) / sampleRate) + padding) * 4;
    samples = 384;
  } else if (layer === 2 || mpeg1) {
    length = Math.floor((144 * bitrate) / sampleRate) + padding;
    samples = 1152;
  } else {
    length = Math.floor((72 * bitrate) / sampleRate) + padding;
    samples = 576;
  }
  const mono = (bytes[offset + 3] >> 6) === 3;
  return { mpeg1, layer, sampleRate, samples, length, mono };
}

/** Finds the first frame whose successor is also a frame (avoids false syncs in junk or tags). */
function findFirstMp3Frame(bytes: Uint8Array, from: number): number {
  const limit = Math.min(bytes.length, from + 256 * 1024);
  for (let at = from; at < limit; at++) {
    if (bytes[at] !== 0xff) continue;
    const frame = parseMp3Header(bytes, at);
    if (frame === null) continue;
    const next = at + frame.length;
    if (next === bytes.length || next + 4 > bytes.length || parseMp3Header(bytes, next) !== null) {
      return at;
    }
  }
  return -1;
}

function mp3Duration(bytes: Uint8Array): number {
  let start = 0;
  // Some writers put several ID3v2 tags one after another.
  for (let tag = id3v2Length(bytes, start); tag > 0; tag = id3v2Length(bytes, start)) {
    start += tag;
  }
  if (start > bytes.length) fail("The mp3 file is truncated.");
  const first = findFirstMp3Frame(bytes, start);
  if (first < 0) fail("The mp3 file contains no audio frames.");
  const frame = parseMp3Header(bytes, first)!;

  // Xing/Info (VBR and LAME CBR) or VBRI header in the first frame: the encoder's own frame count.
  // Like ffprobe (and so, we expect, the providers) we count whole frames and do not subtract the
  // LAME encoder delay/padding: that is at most ~0.1 s and it keeps both figures equal.
  let declaredFrames = -1;
  const sideInfo = frame.mpeg1 ? (frame.mono ? 17 : 32) : (frame.mono ? 9 : 17);
  const xing = first + 4 + sideInfo;
  const xingTag = ascii(bytes, xing, 4);
  if ((xingTag === "Xing" || xingTag === "Info") && xing + 12 <= bytes.length) {
    if (u32be(bytes, xing + 4) & 1) declaredFrames = u32be(bytes, xing + 8);
  } else if (ascii(bytes, first + 36, 4) === "VBRI" && first + 36 + 18 <= bytes.length) {
    declaredFrames = u32be(bytes, first + 36 + 14);
  }

  // Walk the frames: counts audio when there is no header, and catches truncated files.
  let frames = 0;
  let samples = 0;
  let at = first;
  while (at + 4 <= bytes.length) {
    const current = parseMp3Header(bytes, at);
    if (current === null) break; // ID3v1/APE tags or trailing junk
    if (at + current.length > bytes.length) fail("The mp3 file is truncated.");
    frames++;
    samples += current.samples / current.sampleRate;
    at += current.length;
  }
  if (declaredFrames >= 0) {
    // The header frame itself is not counted in the Xing total.
    if (frames - 1 < declaredFrames) fail("The mp3 file is truncated.");
    return (declaredFrames * frame.samples) / frame.sampleRate;
  }
  return samples;
}

// ---------------------------------------------------------------------------------------------
// MP4 / M4A (ISO base media file format).

interface Box {
  type: string;
  start: number;
  dataStart: number;
  end: number;
}

function* boxes(bytes: Uint8Array, start: number, end: number): Generator<Box> {
  let at = start;
  while (at + 8 <= end) {
    let size = u32be(bytes, at);
    const type = ascii(bytes, at + 4, 4);
    let header = 8;
    if (size === 1) {
      if (at + 16 > end) fail("The mp4 file is truncated.");
      size = u64be(bytes, at + 8);
      header = 16;
    } else if (size === 0) {
      size = end - at;
    }
    if (size < header) fail("The mp4 file is corrupt.");
    if (at + size > end) fail("The mp4 file is truncated.");
    yield { type, start: at, dataStart: at + header, end: at + size };
    at += size;
  }
  if (at < end) fail("The mp4 file is truncated.");
}

function child(bytes: Uint8Array, parent: Box, type: string): Box | undefined {
  for (const box of boxes(bytes, parent.dataStart, parent.end)) if (box.type === type) return box;
  return undefined;
}

/** (timescale, duration) of an mvhd or mdhd full box. */
function headerTimes(bytes: Uint8Array, box: Box): { timescale: number; duration: number } {
  const version = bytes[box.dataStart];
  const at = box.dataStart + 4;
  if (version === 1) {
    return { timescale: u32be(bytes, at + 16), duration: u64be(bytes, at + 20) };
  }
  return { timescale: u32be(bytes, at + 8), duration: u32be(bytes, at + 12) };
}

function mp4Duration(bytes: Uint8Array): number {
  let moov: Box | undefined;
  const moofs: Box[] = [];
  for (const box of boxes(bytes, 0, bytes.length)) {
    if (box.type === "moov") moov = box;
    else if (box.type === "moof") moofs.push(box);
  }
  if (moov === undefined) fail("The mp4 file has no movie header (truncated or not finalised).");

  let audioTrackId = -1;
  let audioTimescale = 0;
  let audioDuration = 0;
  let editSeconds = 0;
  let moovSampleTicks = 0;
  for (const trak of boxes(bytes, moov.dataStart, moov.end)) {
    if (trak.type !== "trak") continue;
    const mdia = child(bytes, trak, "mdia");
    const hdlr = mdia && child(bytes, mdia, "hdlr");
    if (!mdia || !hdlr || ascii(bytes, hdlr.dataStart + 8, 4) !== "soun") continue;
    const mdhd = child(bytes, mdia, "mdhd");
    const tkhd = child(bytes, trak, "tkhd");
    if (!mdhd || !tkhd) continue;
    const times = headerTimes(bytes, mdhd);
    audioTimescale = times.timescale;
    audioDuration = times.duration;
    moovSampleTicks = sttsTicks(bytes, mdia);
    const tkhdV1 = bytes[tkhd.dataStart] === 1;
    audioTrackId = u32be(bytes, tkhd.dataStart + 4 + (tkhdV1 ? 16 : 8));
    // tkhd's duration is the edit list's (priming samples of AAC excluded), in the movie timescale.
    const editTicks = tkhdV1
      ? u64be(bytes, tkhd.dataStart + 28)
      : u32be(bytes, tkhd.dataStart + 20);
    const mvhd = child(bytes, moov, "mvhd");
    const movieTimescale = mvhd ? headerTimes(bytes, mvhd).timescale : 0;
    if (editTicks > 0 && editTicks !== 0xffffffff && movieTimescale > 0) {
      editSeconds = editTicks / movieTimescale;
    }
    break; // the first audio track, as Groq does
  }
  if (audioTrackId < 0 || audioTimescale === 0) fail("The mp4 file has no audio track.");
  // In a fragmented file the moov's durations cover only the samples the moov itself holds, and
  // live recorders fill them loosely: Chromium's MediaRecorder (audio/mp4, Chromium 147) writes
  // tkhd 321 ms and mdhd 321 ticks over an empty sample table for an 11 s recording. So with
  // fragments present, the length is mehd, or the moov's own samples plus every fragment's.
  const mvex = child(bytes, moov, "mvex");
  const fragmented = mvex !== undefined && moofs.length > 0;
  if (!fragmented && editSeconds > 0) return editSeconds;
  if (!fragmented && audioDuration > 0 && audioDuration !== 0xffffffff) {
    return audioDuration / audioTimescale;
  }

  // Fragmented mp4 (live recorders): mvex/mehd, else the sum of the fragments' sample durations.
  const mvhd = child(bytes, moov, "mvhd");
  const mehd = mvex && child(bytes, mvex, "mehd");
  if (mvhd && mehd) {
    const { timescale } = headerTimes(bytes, mvhd);
    const v1 = bytes[mehd.dataStart] === 1;
    const fragmentDuration = v1
      ? u64be(bytes, mehd.dataStart + 4)
      : u32be(bytes, mehd.dataStart + 4);
    if (timescale > 0 && fragmentDuration > 0) return fragmentDuration / timescale;
  }
  let trexDefault = 0;
  if (mvex) {
    for (const trex of boxes(bytes, mvex.dataStart, mvex.end)) {
      if (trex.type === "trex" && u32be(bytes, trex.dataStart + 4) === audioTrackId) {
        trexDefault = u32be(bytes, trex.dataStart + 12);
      }
    }
  }
  let ticks = moovSampleTicks;
  // Where the last fragment ends on the track's timeline (tfdt + its samples), and how far the
  // samples' own durations may fall short of it: MediaRecorder cannot know a fragment's last
  // sample's length when it writes it, and writes a placeholder (Chromium 147: 1008 ticks for
  // 2880), so the sum alone loses up to one sample per fragment.
  let timelineEnd = 0;
  let fragments = 0;
  let longestSample = 0;
  for (const moof of moofs) {
    for (const traf of boxes(bytes, moof.dataStart, moof.end)) {
      if (traf.type !== "traf") continue;
      const tfhd = child(bytes, traf, "tfhd");
      if (!tfhd || u32be(bytes, tfhd.dataStart + 4) !== audioTrackId) continue;
      const tfdt = child(bytes, traf, "tfdt");
      const decodeTime = tfdt
        ? (bytes[tfdt.dataStart] === 1
          ? u64be(bytes, tfdt.dataStart + 4)
          : u32be(bytes, tfdt.dataStart + 4))
        : -1;
      const before = ticks;
      fragments++;
      const tfhdFlags = u32be(bytes, tfhd.dataStart) & 0xffffff;
      let defaultDuration = trexDefault;
      let at = tfhd.dataStart + 8;
      if (tfhdFlags & 0x01) at += 8;
      if (tfhdFlags & 0x02) at += 4;
      if (tfhdFlags & 0x08) defaultDuration = u32be(bytes, at);
      for (const trun of boxes(bytes, traf.dataStart, traf.end)) {
        if (trun.type !== "trun") continue;
        const flags = u32be(bytes, trun.dataStart) & 0xffffff;
        const count = u32be(bytes, trun.dataStart + 4);
        let entry = trun.dataStart + 8 + (flags & 0x01 ? 4 : 0) + (flags & 0x04 ? 4 : 0);
        const entrySize = [0x100, 0x200, 0x400, 0x800].filter((f) => flags & f).length * 4;
        for (let i = 0; i < count; i++, entry += entrySize) {
          const sample = flags & 0x100 ? u32be(bytes, entry) : defaultDuration;
          ticks += sample;
          longestSample = Math.max(longestSample, sample);
        }
      }
      if (decodeTime >= 0) timelineEnd = Math.max(timelineEnd, decodeTime + ticks - before);
    }
  }
  // The timeline is trusted only as far as the placeholders explain: a tfdt that claims more is
  // ignored, so a file cannot bill more audio than it carries plus one sample per fragment.
  if (timelineEnd > ticks && timelineEnd - ticks <= fragments * longestSample) ticks = timelineEnd;
  return ticks / audioTimescale;
}

/** Sum of an mdia's stts (time-to-sample) entries: the duration of the samples the moov holds. */
function sttsTicks(bytes: Uint8Array, mdia: Box): number {
  const minf = child(bytes, mdia, "minf");
  const stbl = minf && child(bytes, minf, "stbl");
  const stts = stbl && child(bytes, stbl, "stts");
  if (!stts || stts.dataStart + 8 > stts.end) return 0;
  const entries = u32be(bytes, stts.dataStart + 4);
  let ticks = 0;
  for (let i = 0, at = stts.dataStart + 8; i < entries && at + 8 <= stts.end; i++, at += 8) {
    ticks += u32be(bytes, at) * u32be(bytes, at + 4);
  }
  return ticks;
}

// ---------------------------------------------------------------------------------------------
// FLAC: STREAMINFO total samples / sample rate, cross-checked against the last frame present.

const CRC8_TABLE = (() => {
  const table = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
    }
    table[i] = crc;
  }
  return table;
})();

function flacDuration(bytes: Uint8Array): number {
  const start = ascii(bytes, 0, 3) === "ID3" ? id3v2Length(bytes, 0) : 0;
  let at = start + 4;
  let sampleRate = 0;
  let totalSamples = 0;
  let maxBlock = 0;
  for (let last = false; !last;) {
    if (at + 4 > bytes.length) fail("The flac file is truncated.");
    last = (bytes[at] & 0x80) !== 0;
    const type = bytes[at] & 0x7f;
    const length = (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
    const body = at + 4;
    if (body + length > bytes.length) fail("The flac file is truncated.");
    if (type === 0) {
      maxBlock = u16be(bytes, body + 2);
      sampleRate = (bytes[body + 10] << 12) | (bytes[body + 11] << 4) | (bytes[body + 12] >> 4);
      totalSamples = (bytes[body + 13] & 0x0f) * 0x100000000 + u32be(bytes, body + 14);
    }
    at = body + length;
  }
  if (sampleRate === 0) fail("The flac file has no stream information.");
  const framesStart = at;
  const lastFrameEnd = lastFlacFrameEndSample(bytes, framesStart, maxBlock);
  if (lastFrameEnd < 0) fail("The flac file contains no audio frames.");
  if (totalSamples === 0) {
    // Streamed encoders may not know the length up front; the last frame tells where audio ends.
    return lastFrameEnd / sampleRate;
  }
  // A whole file ends with the frame that holds its last sample; a cut one ends earlier.
  if (lastFrameEnd < totalSamples) fail("The flac file is truncated.");
  return totalSamples / sampleRate;
}

/**
 * Scans backwards for the last frame header with a valid CRC-8 and returns the sample number just
 * after that frame, or -1. A frame's payload has no length field, so we accept the last header.
 */
function lastFlacFrameEndSample(
  bytes: Uint8Array,
  framesStart: number,
  maxBlock: number,
): number {
  const searchFrom = Math.max(framesStart, bytes.length - 256 * 1024);
  for (let at = bytes.length - 6; at >= searchFrom; at--) {
    if (bytes[at] !== 0xff || (bytes[at + 1] & 0xfe) !== 0xf8) continue;
    const parsed = parseFlacFrameHeader(bytes, at, maxBlock);
    if (parsed !== null) return parsed;
  }
  return -1;
}

function parseFlacFrameHeader(
  bytes: Uint8Array,
  at: number,
  maxBlock: number,
): number | null {
  const variable = (bytes[at + 1] & 1) === 1;
  const blockCode = bytes[at + 2] >> 4;
  const rateCode = bytes[at + 2] & 0x0f;
  if (blockCode === 0 || rateCode === 15) return null;
  if ((bytes[at + 3] & 1) !== 0 || (bytes[at + 3] >> 4) > 10) return null;
  // UTF-8-like coded frame or sample number.
  let p = at + 4;
  if (p >= bytes.length) return null;
  const lead = bytes[p];
  let extra = 0;
  let number: number;
  if (lead < 0x80) number = lead;
  else if ((lead & 0xe0) === 0xc0) (number = lead & 0x1f, extra = 1);
  else if ((lead & 0xf0) === 0xe0) (number = lead & 0x0f, extra = 2);
  else if ((lead & 0xf8) === 0xf0) (number = lead & 0x07, extra = 3);
  else if ((lead & 0xfc) === 0xf8) (number = lead & 0x03, extra = 4);
  else if ((lead & 0xfe) === 0xfc) (number = lead & 0x01, extra = 5);
  else if (lead === 0xfe) (number = 0, extra = 6);
  else return null;
  p++;
  for (let i = 0; i < extra; i++, p++) {
    if (p >= bytes.length || (bytes[p] & 0xc0) !== 0x80) return null;
    number = number * 64 + (bytes[p] & 0x3f);
  }
  let blockSize: number;
  if (blockCode === 1) blockSize = 192;
  else if (blockCode <= 5) blockSize = 576 << (blockCode - 2);
  else if (blockCode === 6) blockSize = bytes[p++] + 1;
  else if (blockCode === 7) (blockSize = u16be(bytes, p) + 1, p += 2);
  else blockSize = 256 << (blockCode - 8);
  if (rateCode === 12) p += 1;
  else if (rateCode === 13 || rateCode === 14) p += 2;
  if (p >= bytes.length) return null;
  let crc = 0;
  for (let i = at; i < p; i++) crc = CRC8_TABLE[crc ^ bytes[i]];
  if (crc !== bytes[p]) return null;
  // Fixed-blocksize streams number frames; variable ones number samples.
  const firstSample = variable ? number : number * maxBlock;
  return firstSample + blockSize;
}
