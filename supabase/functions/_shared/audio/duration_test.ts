import assert from "node:assert/strict";
import { type AudioFormat, detectAudioFormat, measureAudioDuration } from "./duration.ts";

const FIXTURES = new URL("../../../../tests/fixtures/audio/", import.meta.url);

interface ManifestEntry {
  file: string;
  durationSeconds: number;
}
const manifest: { fixtures: ManifestEntry[]; noAudioTrack: { file: string }[] } = JSON.parse(
  Deno.readTextFileSync(new URL("manifest.json", FIXTURES)),
);

function fixture(file: string): Uint8Array {
  return Deno.readFileSync(new URL(file, FIXTURES));
}

/** The container a fixture's extension stands for (m4a is ISO-BMFF, like mp4). */
function expectedFormat(file: string): AudioFormat {
  const extension = file.slice(file.lastIndexOf(".") + 1);
  return (extension === "m4a" ? "mp4" : extension) as AudioFormat;
}

// A 1x1 PNG: the classic "image renamed to .ogg" upload.
const PNG_1X1 = Uint8Array.from(
  atob(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  ),
  (c) => c.charCodeAt(0),
);

Deno.test("the manifest covers wav, ogg, webm, mp3, m4a and flac, one clip under 10 s and one over", () => {
  const formats = new Set(manifest.fixtures.map((f) => expectedFormat(f.file)));
  for (const format of ["wav", "ogg", "webm", "mp3", "mp4", "flac"]) {
    assert.ok(formats.has(format as AudioFormat), `no ${format} fixture`);
  }
  assert.ok(manifest.fixtures.some((f) => f.durationSeconds < 10));
  assert.ok(manifest.fixtures.some((f) => f.durationSeconds > 13));
});

for (const entry of manifest.fixtures) {
  Deno.test(`${entry.file}: detected by its bytes and measured within 0.1 s of ffprobe`, () => {
    const bytes = fixture(entry.file);
    assert.equal(detectAudioFormat(bytes), expectedFormat(entry.file));
    const result = measureAudioDuration(bytes);
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.format, expectedFormat(entry.file));
    const error = Math.abs(result.durationSeconds - entry.durationSeconds);
    assert.ok(error < 0.1, `${result.durationSeconds} vs ${entry.durationSeconds}`);
  });

  Deno.test(`${entry.file}: a truncated copy is unprocessable_audio`, () => {
    const bytes = fixture(entry.file);
    // Cut mid-file at an odd offset, so no format can end on a clean frame boundary by luck.
    for (const fraction of [0.5, 0.83]) {
      const cut = bytes.subarray(0, Math.floor(bytes.length * fraction) + 3);
      const result = measureAudioDuration(cut);
      assert.equal(result.ok, false, `${fraction}: ${JSON.stringify(result)}`);
      assert.equal(!result.ok && result.code, "unprocessable_audio");
    }
  });

  Deno.test(`${entry.file}: its first 16 bytes alone are unprocessable_audio`, () => {
    const result = measureAudioDuration(fixture(entry.file).subarray(0, 16));
    assert.equal(!result.ok && result.code, "unprocessable_audio");
  });
}

Deno.test("an empty file is unprocessable_audio", () => {
  const result = measureAudioDuration(new Uint8Array(0));
  assert.deepEqual(result.ok ? null : result.code, "unprocessable_audio");
  assert.equal(detectAudioFormat(new Uint8Array(0)), null);
});

Deno.test("a PNG (whatever its name) is unsupported_media_type", () => {
  assert.equal(detectAudioFormat(PNG_1X1), null);
  const result = measureAudioDuration(PNG_1X1);
  assert.equal(!result.ok && result.code, "unsupported_media_type");
});

Deno.test("text and random bytes are unsupported_media_type", () => {
  const text = new TextEncoder().encode("это не аудио, а просто текст");
  assert.equal(detectAudioFormat(text), null);
  const textResult = measureAudioDuration(text);
  assert.equal(!textResult.ok && textResult.code, "unsupported_media_type");
  const noise = new Uint8Array(4096).map((_, i) => (i * 7919 + 13) % 251);
  const result = measureAudioDuration(noise);
  assert.equal(!result.ok && result.code, "unsupported_media_type");
});

Deno.test("an mp4 with only a video track is unprocessable_audio", () => {
  for (const { file } of manifest.noAudioTrack) {
    const bytes = fixture(file);
    assert.equal(detectAudioFormat(bytes), "mp4");
    const result = measureAudioDuration(bytes);
    assert.equal(!result.ok && result.code, "unprocessable_audio", JSON.stringify(result));
  }
});

/** Offset of the wav "data" chunk's size field (ffmpeg writes a LIST chunk before it). */
function wavDataSizeOffset(wav: Uint8Array): number {
  const at = new TextDecoder().decode(wav.subarray(0, 200)).indexOf("data");
  assert.ok(at > 0);
  return at + 4;
}

Deno.test("a wav header with no samples is unprocessable_audio", () => {
  const full = fixture("short.wav");
  const sizeAt = wavDataSizeOffset(full);
  const wav = full.slice(0, sizeAt + 4);
  new DataView(wav.buffer).setUint32(sizeAt, 0, true); // data size 0 and nothing after it
  const result = measureAudioDuration(wav);
  assert.equal(!result.ok && result.code, "unprocessable_audio");
});

Deno.test("a streaming wav (data size 0xFFFFFFFF) is measured from the bytes present", () => {
  const wav = fixture("short.wav").slice();
  new DataView(wav.buffer).setUint32(wavDataSizeOffset(wav), 0xffffffff, true);
  const result = measureAudioDuration(wav);
  assert.ok(result.ok);
  assert.ok(Math.abs(result.durationSeconds - 2.895) < 0.01);
});

Deno.test("format comes from magic bytes: mp3 behind an ID3v2 tag, ftyp for m4a", () => {
  const mp3 = fixture("short.mp3");
  const tag = new Uint8Array(10 + 20);
  tag.set([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 20]); // "ID3" v2.4, size 20 (syncsafe)
  const tagged = new Uint8Array(tag.length + mp3.length);
  tagged.set(tag);
  tagged.set(mp3, tag.length);
  assert.equal(detectAudioFormat(tagged), "mp3");
  const result = measureAudioDuration(tagged);
  assert.ok(result.ok && Math.abs(result.durationSeconds - 2.988) < 0.01);
  assert.equal(new TextDecoder().decode(fixture("short.m4a").subarray(4, 8)), "ftyp");
});
