// WebM / Matroska (EBML): the audio ends where the first audio track's last block ends (block
// timestamps plus durations). Info's Duration element is a header anyone can write, so it is never
// read. For Opus tracks every packet (laced ones too) is also counted from its TOC byte, and the
// longer of the two figures wins: timestamps squeezed together do not shrink what a decoder plays.
import { ascii, fail, type WorkMeter } from "./bytes.ts";
import { opusPacketSamples } from "./opus.ts";

const EBML_IDS = {
  segment: 0x18538067,
  info: 0x1549a966,
  timecodeScale: 0x2ad7b1,
  codecDelay: 0x56aa,
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

interface MatroskaTrack {
  number: number;
  type: number;
  codecId: string;
  defaultDurationNs: number;
  codecDelayNs: number;
}

export function matroskaDuration(bytes: Uint8Array, meter: WorkMeter): number {
  const header = readEbmlHeader(bytes, 0);
  if (header === null || header.size < 0) fail("The webm file is corrupt.");
  let offset = header.dataStart + header.size;
  const segment = readEbmlHeader(bytes, offset);
  if (segment === null || segment.id !== EBML_IDS.segment) fail("The webm file has no segment.");
  const segmentEnd = segment.size < 0 ? bytes.length : segment.dataStart + segment.size;
  if (segmentEnd > bytes.length) fail("The webm file is truncated.");

  let timecodeScale = 1_000_000;
  const tracks: MatroskaTrack[] = [];
  let audioTrack: MatroskaTrack | undefined;
  // End of the audio seen in clusters, in nanoseconds (fallback when Info has no Duration).
  let lastEndNs = 0;
  // Opus samples counted packet by packet (48 kHz), codec delay included.
  let opusSamples = 0;
  let discardedNs = 0;

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
  // Codec delay (Opus pre-skip, ~6.5 ms) is capped at 80 ms, the most an encoder needs.
  const delayNs = Math.min(audioTrack.codecDelayNs, 80_000_000);
  const opusNs = (opusSamples / 48000) * 1e9 - delayNs - discardedNs;
  return Math.max(lastEndNs, opusNs) / 1e9;

  function readInfo(start: number, end: number) {
    for (let at = start; at < end;) {
      const child = readEbmlHeader(bytes, at);
      if (child === null || child.size < 0) fail("The webm file is corrupt.");
      if (child.id === EBML_IDS.timecodeScale) {
        timecodeScale = ebmlUint(bytes, child.dataStart, child.size);
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
        const track: MatroskaTrack = {
          number: 0,
          type: 0,
          codecId: "",
          defaultDurationNs: 0,
          codecDelayNs: 0,
        };
        for (let field = entry.dataStart; field < entryEnd;) {
          const child = readEbmlHeader(bytes, field);
          if (child === null || child.size < 0) fail("The webm file is corrupt.");
          const value = () => ebmlUint(bytes, child.dataStart, child.size);
          if (child.id === EBML_IDS.trackNumber) track.number = value();
          else if (child.id === EBML_IDS.trackType) track.type = value();
          else if (child.id === EBML_IDS.defaultDuration) track.defaultDurationNs = value();
          else if (child.id === EBML_IDS.codecDelay) track.codecDelayNs = value();
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
    meter.tick();
    const trackNumber = readVint(bytes, start, false);
    if (trackNumber === null || start + trackNumber.length + 3 > end) return;
    const track = audioTrack;
    if (track === undefined || track.number !== trackNumber.value) return;
    const relative = (bytes[start + trackNumber.length] << 8) |
      bytes[start + trackNumber.length + 1];
    const signedRelative = relative >= 0x8000 ? relative - 0x10000 : relative;
    const startNs = (clusterTicks + signedRelative) * timecodeScale;
    let lengthNs = 0;
    if (durationTicks >= 0) lengthNs = durationTicks * timecodeScale;
    else if (track.defaultDurationNs > 0) lengthNs = track.defaultDurationNs;
    if (track.codecId === "A_OPUS") {
      const samples = opusBlockSamples(start + trackNumber.length + 2, end);
      opusSamples += samples;
      if (lengthNs === 0) lengthNs = (samples / 48000) * 1e9;
    }
    // DiscardPadding: encoder padding at the end of the last packet, not part of the audio.
    // Capped at the block's own length, so padding cannot cancel other blocks' audio.
    const discard = Math.min(Math.max(0, discardNs), lengthNs);
    discardedNs += discard;
    lastEndNs = Math.max(lastEndNs, startNs + lengthNs - discard);
  }

  /** Opus samples in a block whose flags byte is at `flags` (every laced frame counted). */
  function opusBlockSamples(flags: number, end: number): number {
    const lacing = (bytes[flags] >> 1) & 3;
    let at = flags + 1;
    if (lacing === 0) return opusPacketSamples(bytes, at, end);
    if (at >= end) fail("The webm file is corrupt.");
    const frames = bytes[at++] + 1;
    meter.tick(frames);
    const sizes: number[] = [];
    if (lacing === 2) {
      const each = Math.floor((end - at) / frames);
      for (let i = 0; i < frames; i++) sizes.push(each);
    } else if (lacing === 1) {
      for (let i = 0; i < frames - 1; i++) {
        let size = 0;
        for (let lace = 255; lace === 255;) {
          if (at >= end) fail("The webm file is corrupt.");
          lace = bytes[at++];
          size += lace;
        }
        sizes.push(size);
      }
    } else {
      for (let i = 0; i < frames - 1; i++) {
        const v = readVint(bytes, at, false);
        if (v === null) fail("The webm file is corrupt.");
        at += v.length;
        // The first size is plain; the others are signed differences from the one before.
        const size = i === 0 ? v.value : sizes[i - 1] + v.value - (2 ** (7 * v.length - 1) - 1);
        if (size < 0) fail("The webm file is corrupt.");
        sizes.push(size);
      }
    }
    let samples = 0;
    for (const size of sizes) {
      if (at + size > end) fail("The webm file is corrupt.");
      samples += opusPacketSamples(bytes, at, at + size);
      at += size;
    }
    if (lacing !== 2) samples += opusPacketSamples(bytes, at, end);
    return samples;
  }
}
