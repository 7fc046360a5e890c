// MP4 / M4A (ISO base media file format): the audio a decoder plays is the first sound track's
// samples, so the duration comes from its sample tables (stts, and the fragments' trun entries),
// not from the mvhd/mdhd/tkhd/mehd duration fields. For AAC every access unit decodes to 1024
// samples at the rate its decoder configuration (esds) names, whatever stts claims; the longer
// figure wins. An edit list may trim the codec's priming (≤ 0.5 s) and nothing more.
import { ascii, fail, u32be, u64be, type WorkMeter } from "./bytes.ts";

/** How much shorter than its samples an edit list may make a track: AAC priming and padding. */
const MAX_EDIT_TRIM_SECONDS = 0.5;
const AAC_RATES = [
  96000,
  88200,
  64000,
  48000,
  44100,
  32000,
  24000,
  22050,
  16000,
  12000,
  11025,
  8000,
  7350,
];

interface Box {
  type: string;
  start: number;
  dataStart: number;
  end: number;
}

function* boxes(
  bytes: Uint8Array,
  start: number,
  end: number,
  meter: WorkMeter,
): Generator<Box> {
  let at = start;
  while (at + 8 <= end) {
    meter.tick();
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

function child(
  bytes: Uint8Array,
  parent: Box,
  type: string,
  meter: WorkMeter,
): Box | undefined {
  for (const box of boxes(bytes, parent.dataStart, parent.end, meter)) {
    if (box.type === type) return box;
  }
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

export function mp4Duration(bytes: Uint8Array, meter: WorkMeter): number {
  const find = (parent: Box | undefined, type: string) =>
    parent && child(bytes, parent, type, meter);
  let moov: Box | undefined;
  const moofs: Box[] = [];
  for (const box of boxes(bytes, 0, bytes.length, meter)) {
    if (box.type === "moov") moov = box;
    else if (box.type === "moof") moofs.push(box);
  }
  if (moov === undefined) fail("The mp4 file has no movie header (truncated or not finalised).");

  let trak: Box | undefined;
  for (const box of boxes(bytes, moov.dataStart, moov.end, meter)) {
    if (box.type !== "trak") continue;
    const hdlr = find(find(box, "mdia"), "hdlr");
    if (hdlr && ascii(bytes, hdlr.dataStart + 8, 4) === "soun") {
      trak = box; // the first audio track, as Groq does
      break;
    }
  }
  const mdia = find(trak, "mdia");
  const mdhd = find(mdia, "mdhd");
  const tkhd = find(trak, "tkhd");
  if (!trak || !mdhd || !tkhd) fail("The mp4 file has no audio track.");
  const timescale = headerTimes(bytes, mdhd).timescale;
  if (timescale === 0) fail("The mp4 file has no audio track.");
  const tkhdV1 = bytes[tkhd.dataStart] === 1;
  const trackId = u32be(bytes, tkhd.dataStart + 4 + (tkhdV1 ? 16 : 8));
  const stbl = find(find(mdia, "minf"), "stbl");

  // Samples and their durations: the sample table, then every fragment of this track.
  let samples = 0;
  let ticks = 0;
  const stts = find(stbl, "stts");
  if (stts) {
    const count = u32be(bytes, stts.dataStart + 4);
    if (stts.dataStart + 8 + count * 8 > stts.end) fail("The mp4 sample table is corrupt.");
    meter.tick(count);
    for (let i = 0, at = stts.dataStart + 8; i < count; i++, at += 8) {
      samples += u32be(bytes, at);
      ticks += u32be(bytes, at) * u32be(bytes, at + 4);
    }
  }
  const fragments = fragmentSamples(bytes, moov, moofs, trackId, meter);
  samples += fragments.samples;
  ticks += fragments.ticks;
  // Live recorders cannot know a fragment's last sample's length when they write it and put a
  // placeholder there (Chromium 147's MediaRecorder audio/mp4: 1008 ticks for 2880), so the sum of
  // sample durations loses up to one sample per fragment; where each fragment starts (tfdt) says
  // how long the track really is. The timeline is trusted only as far as the placeholders explain
  // — one sample per fragment — so a file cannot bill more audio than it carries.
  if (
    fragments.timelineEnd > ticks &&
    fragments.timelineEnd - ticks <= fragments.count * fragments.longestSample
  ) ticks = fragments.timelineEnd;
  if (samples === 0) fail("The mp4 file contains no audio.");
  let seconds = ticks / timescale;

  // AAC: 1024 decoded samples per access unit, at the rate of its decoder configuration.
  const aacRate = aacSampleRate(bytes, find(stbl, "stsd"), meter);
  if (aacRate > 0) seconds = Math.max(seconds, (samples * 1024) / aacRate);

  // tkhd's duration is the edit list's (AAC priming excluded), in the movie timescale.
  const mvhd = find(moov, "mvhd");
  const movieTimescale = mvhd ? headerTimes(bytes, mvhd).timescale : 0;
  const editTicks = tkhdV1 ? u64be(bytes, tkhd.dataStart + 28) : u32be(bytes, tkhd.dataStart + 20);
  if (editTicks > 0 && editTicks !== 0xffffffff && movieTimescale > 0) {
    const edited = editTicks / movieTimescale;
    if (edited <= seconds && edited >= seconds - MAX_EDIT_TRIM_SECONDS) seconds = edited;
  }
  return seconds;
}

/** Sample count and ticks of `trackId` over the movie fragments (live recorders write these). */
function fragmentSamples(
  bytes: Uint8Array,
  moov: Box,
  moofs: Box[],
  trackId: number,
  meter: WorkMeter,
): { samples: number; ticks: number; timelineEnd: number; count: number; longestSample: number } {
  let trexDefault = 0;
  const mvex = child(bytes, moov, "mvex", meter);
  if (mvex) {
    for (const trex of boxes(bytes, mvex.dataStart, mvex.end, meter)) {
      if (trex.type === "trex" && u32be(bytes, trex.dataStart + 4) === trackId) {
        trexDefault = u32be(bytes, trex.dataStart + 12);
      }
    }
  }
  let samples = 0;
  let ticks = 0;
  let timelineEnd = 0;
  let count = 0;
  let longestSample = 0;
  for (const moof of moofs) {
    for (const traf of boxes(bytes, moof.dataStart, moof.end, meter)) {
      if (traf.type !== "traf") continue;
      const tfhd = child(bytes, traf, "tfhd", meter);
      if (!tfhd || u32be(bytes, tfhd.dataStart + 4) !== trackId) continue;
      const tfdt = child(bytes, traf, "tfdt", meter);
      const decodeTime = tfdt
        ? (bytes[tfdt.dataStart] === 1
          ? u64be(bytes, tfdt.dataStart + 4)
          : u32be(bytes, tfdt.dataStart + 4))
        : -1;
      const before = ticks;
      count++;
      const tfhdFlags = u32be(bytes, tfhd.dataStart) & 0xffffff;
      let defaultDuration = trexDefault;
      let at = tfhd.dataStart + 8;
      if (tfhdFlags & 0x01) at += 8;
      if (tfhdFlags & 0x02) at += 4;
      if (tfhdFlags & 0x08) defaultDuration = u32be(bytes, at);
      for (const trun of boxes(bytes, traf.dataStart, traf.end, meter)) {
        if (trun.type !== "trun") continue;
        const flags = u32be(bytes, trun.dataStart) & 0xffffff;
        const runSamples = u32be(bytes, trun.dataStart + 4);
        let entry = trun.dataStart + 8 + (flags & 0x01 ? 4 : 0) + (flags & 0x04 ? 4 : 0);
        const entrySize = [0x100, 0x200, 0x400, 0x800].filter((f) => flags & f).length * 4;
        if (entry + runSamples * entrySize > trun.end) fail("The mp4 fragment is corrupt.");
        meter.tick(runSamples);
        samples += runSamples;
        for (let i = 0; i < runSamples; i++, entry += entrySize) {
          const sample = flags & 0x100 ? u32be(bytes, entry) : defaultDuration;
          ticks += sample;
          if (sample > longestSample) longestSample = sample;
        }
      }
      if (decodeTime >= 0) timelineEnd = Math.max(timelineEnd, decodeTime + ticks - before);
    }
  }
  return { samples, ticks, timelineEnd, count, longestSample };
}

/** The output rate of the first sample entry when it is AAC (`mp4a` with an esds), else 0. */
function aacSampleRate(bytes: Uint8Array, stsd: Box | undefined, meter: WorkMeter): number {
  if (!stsd) return 0;
  // stsd: version/flags, entry count, then sample entries as boxes.
  const entries = [...boxes(bytes, stsd.dataStart + 8, stsd.end, meter)];
  const mp4a = entries[0];
  if (!mp4a || mp4a.type !== "mp4a") return 0;
  // AudioSampleEntry: 28 bytes (reserved, data ref, version, channels, size, rate 16.16) then boxes.
  const entryRate = u32be(bytes, mp4a.dataStart + 24) >>> 16;
  let esds: Box | undefined;
  for (const box of boxes(bytes, mp4a.dataStart + 28, mp4a.end, meter)) {
    if (box.type === "esds") esds = box;
  }
  const configRate = esds ? decoderConfigRate(bytes, esds.dataStart + 4, esds.end) : 0;
  return configRate || entryRate;
}

/** The sampling rate in an ES_Descriptor's AudioSpecificConfig, or 0 when it cannot be read. */
function decoderConfigRate(bytes: Uint8Array, start: number, end: number): number {
  let at = start;
  const descriptor = () => {
    const tag = bytes[at++];
    let size = 0;
    for (let i = 0; i < 4 && at < end; i++) {
      const b = bytes[at++];
      size = (size << 7) | (b & 0x7f);
      if (!(b & 0x80)) break;
    }
    return { tag, size };
  };
  if (at >= end || descriptor().tag !== 0x03) return 0;
  const esFlags = bytes[at + 2];
  at += 3;
  if (esFlags & 0x80) at += 2;
  if (esFlags & 0x40) at += 1 + bytes[at];
  if (esFlags & 0x20) at += 2;
  if (at >= end || descriptor().tag !== 0x04) return 0;
  at += 13;
  if (at >= end || descriptor().tag !== 0x05 || at + 2 > end) return 0;
  // AudioSpecificConfig: object type (5 bits), sampling frequency index (4 bits).
  const index = ((bytes[at] & 0x07) << 1) | (bytes[at + 1] >> 7);
  if (index === 15) {
    if (at + 5 > end) return 0;
    return ((bytes[at + 1] & 0x7f) << 17) | (bytes[at + 2] << 9) | (bytes[at + 3] << 1) |
      (bytes[at + 4] >> 7);
  }
  return AAC_RATES[index] ?? 0;
}
