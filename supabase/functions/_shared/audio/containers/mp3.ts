// MP3 (MPEG-1/2/2.5 Layer I/II/III): every frame is counted. A Xing/Info or VBRI header's frame
// count only tells a cut file apart (fewer frames than it promises); it never shortens the count.
// Junk between frames does not end the walk either: a decoder resynchronises and plays on.
import { ascii, fail, id3v2Length, u32be, type WorkMeter } from "./bytes.ts";

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

export function parseMp3Header(bytes: Uint8Array, offset: number): Mp3Frame | null {
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

/**
 * The first frame at or after `from` whose successor is also a frame (avoids false syncs in junk
 * or tags), or -1. `limit` bounds the search.
 */
function findMp3Frame(bytes: Uint8Array, from: number, limit: number): number {
  const end = Math.min(bytes.length, limit);
  for (let at = from; at < end; at++) {
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

export function mp3Duration(bytes: Uint8Array, meter: WorkMeter): number {
  let start = 0;
  // Some writers put several ID3v2 tags one after another.
  for (let tag = id3v2Length(bytes, start); tag > 0; tag = id3v2Length(bytes, start)) {
    meter.tick();
    start += tag;
  }
  if (start > bytes.length) fail("The mp3 file is truncated.");
  const first = findMp3Frame(bytes, start, start + 256 * 1024);
  if (first < 0) fail("The mp3 file contains no audio frames.");
  const frame = parseMp3Header(bytes, first)!;

  // Xing/Info (VBR and LAME CBR) or VBRI header in the first frame: the encoder's own frame count.
  // That frame is silent and decoders skip it. Like ffprobe we count whole frames and do not
  // subtract the LAME encoder delay/padding (at most ~0.1 s).
  let declaredFrames = -1;
  let infoFrame = false;
  const sideInfo = frame.mpeg1 ? (frame.mono ? 17 : 32) : (frame.mono ? 9 : 17);
  const xing = first + 4 + sideInfo;
  const xingTag = ascii(bytes, xing, 4);
  if ((xingTag === "Xing" || xingTag === "Info") && xing + 12 <= bytes.length) {
    infoFrame = true;
    if (u32be(bytes, xing + 4) & 1) declaredFrames = u32be(bytes, xing + 8);
  } else if (ascii(bytes, first + 36, 4) === "VBRI" && first + 36 + 18 <= bytes.length) {
    infoFrame = true;
    declaredFrames = u32be(bytes, first + 36 + 14);
  }

  let frames = 0;
  let seconds = 0;
  let at = infoFrame ? first + frame.length : first;
  while (at + 4 <= bytes.length) {
    const current = parseMp3Header(bytes, at);
    if (current === null) {
      // An ID3v1/APE tag or junk: look for the next confirmed frame; none means the audio ended.
      const next = findMp3Frame(bytes, at + 1, bytes.length);
      if (next < 0) break;
      at = next;
      continue;
    }
    meter.tick();
    if (at + current.length > bytes.length) fail("The mp3 file is truncated.");
    frames++;
    seconds += current.samples / current.sampleRate;
    at += current.length;
  }
  if (declaredFrames >= 0 && frames < declaredFrames) fail("The mp3 file is truncated.");
  return seconds;
}
