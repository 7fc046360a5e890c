/**
 * Audio format detection and duration measurement from a file's own bytes, as a decoder counts it.
 *
 * Pure TypeScript, no native code and no I/O. Each container has its own parser in `containers/`,
 * and each counts what a decoder would play — WAV's data frames, Ogg's packets, WebM's blocks,
 * MP3's frames, MP4's sample tables, FLAC's frames — never a header field a decoder ignores (a
 * byte rate, a last granule, a Duration element, a Xing frame count, mvhd/mdhd, STREAMINFO). A
 * header that disagrees with the stream is ignored or the file refused; it never shortens the
 * count. Every parser's work is metered (`WorkMeter`), so a hostile file costs a bounded amount.
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
import { ascii, fail, id3v2Length, UnprocessableAudio, WorkMeter } from "./containers/bytes.ts";
import { flacDuration } from "./containers/flac.ts";
import { matroskaDuration } from "./containers/matroska.ts";
import { mp3Duration, parseMp3Header } from "./containers/mp3.ts";
import { mp4Duration } from "./containers/mp4.ts";
import { oggDuration } from "./containers/ogg.ts";
import { wavDuration } from "./containers/wav.ts";

export type AudioFormat = "wav" | "ogg" | "webm" | "mp3" | "mp4" | "flac";

export type AudioDurationFailureCode = "unsupported_media_type" | "unprocessable_audio";

export type AudioDurationResult =
  | { ok: true; format: AudioFormat; durationSeconds: number }
  | { ok: false; code: AudioDurationFailureCode; message: string };

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
 * Measures the playing time of an audio file from its stream.
 *
 * Never throws: unknown containers are `unsupported_media_type`; empty, truncated or corrupt files,
 * files without an audio track and files with more packets than counting is allowed to cost are
 * `unprocessable_audio`.
 */
export function measureAudioDuration(
  bytes: Uint8Array,
  meter: WorkMeter = new WorkMeter(),
): AudioDurationResult {
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
    const durationSeconds = MEASURE[format](bytes, meter);
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

export { WorkMeter };

const MEASURE: Record<AudioFormat, (bytes: Uint8Array, meter: WorkMeter) => number> = {
  wav: (bytes) => wavDuration(bytes),
  ogg: oggDuration,
  webm: matroskaDuration,
  mp3: mp3Duration,
  mp4: mp4Duration,
  flac: flacDuration,
};
