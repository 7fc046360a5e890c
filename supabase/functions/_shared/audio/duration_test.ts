import assert from "node:assert/strict";
import {
  type AudioFormat,
  detectAudioFormat,
  measureAudioDuration,
  WorkMeter,
} from "./duration.ts";
import { lyingMp3, lyingOggOpus, lyingWav } from "./test_hostile_audio.ts";

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

// ---------------------------------------------------------------------------------------------
// Hostile headers: each lie a decoder ignores, and the duration it plays (generators beside the
// expected answer; `test_hostile_audio.ts`).

const within1 = (measured: number, truth: number) => Math.abs(measured - truth) <= truth * 0.01;

Deno.test("a WAV whose byte rate claims 60× its real rate is measured from its frames: 600 s, not 10 s", () => {
  const wav = lyingWav({ seconds: 600, byteRateFactor: 60 });
  const result = measureAudioDuration(wav.bytes);
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(result.durationSeconds, 600);
});

Deno.test("a WAV whose block alignment is inflated is still counted in channels × sample size frames", () => {
  const wav = lyingWav({ seconds: 60, byteRateFactor: 1 });
  new DataView(wav.bytes.buffer).setUint16(32, 64, true); // block align 64 instead of 2
  const result = measureAudioDuration(wav.bytes);
  assert.ok(result.ok && result.durationSeconds === 60, JSON.stringify(result));
});

Deno.test("an Ogg Opus file of 30,000 × 20 ms packets whose granules say 10 s is measured 600 s", () => {
  const ogg = lyingOggOpus({ packets: 30_000, claimedSeconds: 10 });
  const result = measureAudioDuration(ogg.bytes);
  assert.ok(result.ok, JSON.stringify(result));
  assert.ok(within1(result.durationSeconds, 600), String(result.durationSeconds));
  assert.equal(result.durationSeconds, ogg.durationSeconds);
});

Deno.test("an honest Ogg file's final granule may trim its last packet, and no more", () => {
  // Honest files end-trim: the fixtures land within 10 ms of ffprobe (checked above). A granule
  // that cuts more than one packet is ignored: the packets are counted.
  const bytes = fixture("short-vorbis.ogg").slice();
  const last = new TextDecoder("latin1").decode(bytes).lastIndexOf("OggS");
  new DataView(bytes.buffer).setUint32(last + 6, 4800, true); // 0.1 s of 48 kHz
  new DataView(bytes.buffer).setUint32(last + 10, 0, true);
  const result = measureAudioDuration(bytes);
  assert.ok(result.ok && Math.abs(result.durationSeconds - 2.895) < 0.1, JSON.stringify(result));
});

Deno.test("an Ogg file of millions of empty packets is refused after a bounded count, not walked to its end", () => {
  const ogg = lyingOggOpus({ packets: 8_000_000, claimedSeconds: 10, emptyPackets: true });
  const meter = new WorkMeter();
  const result = measureAudioDuration(ogg.bytes, meter);
  assert.equal(!result.ok && result.code, "unprocessable_audio");
  assert.ok(meter.used <= meter.limit + 1, `${meter.used} units of work`);
});

Deno.test("an MP3 whose Xing header declares 10 s over 600 s of frames (with junk between) is 600 s", () => {
  const mp3 = lyingMp3({ frames: 16_667, declaredFrames: 278, junkEvery: 1000 });
  const result = measureAudioDuration(mp3.bytes);
  assert.ok(result.ok, JSON.stringify(result));
  assert.ok(within1(result.durationSeconds, 600), String(result.durationSeconds));
});

Deno.test("a FLAC whose STREAMINFO claims 1/60 of its samples is measured from its frames", () => {
  const bytes = fixture("long.flac").slice();
  const view = new DataView(bytes.buffer);
  const total = view.getUint32(8 + 14, false);
  view.setUint32(8 + 14, Math.floor(total / 60), false);
  const result = measureAudioDuration(bytes);
  assert.ok(result.ok && Math.abs(result.durationSeconds - 14.035) < 0.01, JSON.stringify(result));
});

Deno.test("an M4A whose sample table gives every AAC frame 1 tick is measured as 1024 samples a frame", () => {
  const bytes = fixture("long.m4a").slice();
  const view = new DataView(bytes.buffer);
  const stts = new TextDecoder("latin1").decode(bytes).indexOf("stts");
  const entries = view.getUint32(stts + 8, false);
  for (let i = 0; i < entries; i++) view.setUint32(stts + 12 + i * 8 + 4, 1, false);
  // mdhd/mvhd/tkhd still say 14 s; make them lie too.
  const result = measureAudioDuration(bytes);
  assert.ok(result.ok && Math.abs(result.durationSeconds - 14.035) < 0.1, JSON.stringify(result));
});

Deno.test("a WebM whose Info Duration says 0.1 s (100 ticks of 1 ms) is measured from its blocks", () => {
  const bytes = fixture("short.webm").slice();
  let at = -1;
  for (let i = 0; i + 1 < bytes.length && at < 0; i++) {
    if (bytes[i] === 0x44 && bytes[i + 1] === 0x89) at = i;
  }
  assert.ok(at > 0, "short.webm has a Duration element");
  const size = bytes[at + 2] & 0x7f;
  const view = new DataView(bytes.buffer);
  if (size === 8) view.setFloat64(at + 3, 100, false);
  else view.setFloat32(at + 3, 100, false);
  const result = measureAudioDuration(bytes);
  assert.ok(result.ok && Math.abs(result.durationSeconds - 2.903) < 0.05, JSON.stringify(result));
});

Deno.test("a WAV of 19.2 M seconds at 1 Hz is measured as what it is (the budget refuses it, not the parser)", () => {
  const wav = lyingWav({ seconds: 1_000_000, sampleRate: 1, bitsPerSample: 8, byteRateFactor: 1 });
  const result = measureAudioDuration(wav.bytes);
  assert.ok(result.ok && result.durationSeconds === 1_000_000, JSON.stringify(result));
});

// --- fragmented mp4 as Chromium's MediaRecorder writes it (audio/mp4) -------------------------

const u32 = (n: number) => [n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const u64 = (n: number) => [...u32(Math.floor(n / 2 ** 32)), ...u32(n >>> 0)];
function box(type: string, ...parts: (number[] | Uint8Array)[]): Uint8Array {
  const body = parts.flatMap((p) => [...p]);
  return Uint8Array.from([...u32(8 + body.length), ...new TextEncoder().encode(type), ...body]);
}
const full = (type: string, version: number, flags: number, ...parts: number[][]) =>
  box(type, [version, (flags >> 16) & 0xff, (flags >> 8) & 0xff, flags & 0xff], ...parts);

/**
 * An opus-in-mp4 recording the way Chromium 147's MediaRecorder lays it out (dumped from a real
 * one): an empty sample table in the moov, whose tkhd and mdhd carry a bogus 321, then one moof +
 * mdat per timeslice, each trun listing 2880-tick (60 ms at 48 kHz) samples whose last one is a
 * 1008-tick placeholder, while tfdt advances by the real length. `moovSamples` puts that many
 * samples in the moov itself too (as ffmpeg's frag_keyframe without empty_moov does);
 * `tfdtShift` moves every fragment's tfdt (a file that lies about its timeline).
 */
function recorderMp4(
  fragments: number,
  samplesPerFragment: number,
  { moovSamples = 0, tfdtShift = 0 } = {},
): Uint8Array {
  const stts = moovSamples ? [...u32(1), ...u32(moovSamples), ...u32(2880)] : [...u32(0)];
  const moov = box(
    "moov",
    full("mvhd", 0, 0, [...u32(0), ...u32(0), ...u32(1000), ...u32(0), ...new Array(80).fill(0)]),
    box(
      "trak",
      full("tkhd", 1, 3, [...u64(0), ...u64(0), ...u32(1), ...u32(0), ...u64(321)]),
      box(
        "mdia",
        full("mdhd", 0, 0, [...u32(0), ...u32(0), ...u32(48000), ...u32(321), 0, 0, 0, 0]),
        full("hdlr", 0, 0, [
          ...u32(0),
          ...new TextEncoder().encode("soun"),
          ...new Array(13).fill(0),
        ]),
        box("minf", box("stbl", full("stts", 0, 0, stts))),
      ),
    ),
    box("mvex", full("trex", 0, 0, [...u32(1), ...u32(1), ...u32(0), ...u32(0), ...u32(0)])),
  );
  const parts: Uint8Array[] = [box("ftyp", new TextEncoder().encode("isom"), u32(0)), moov];
  for (let f = 0; f < fragments; f++) {
    const entries = Array.from(
      { length: samplesPerFragment },
      (_, i) => [...u32(i === samplesPerFragment - 1 ? 1008 : 2880), ...u32(40)],
    );
    const decodeTime = (moovSamples + f * samplesPerFragment) * 2880 + tfdtShift;
    parts.push(
      box(
        "moof",
        full("mfhd", 0, 0, u32(f + 1)),
        box(
          "traf",
          full("tfhd", 0, 0x20020, [...u32(1), ...u32(0)]),
          full("tfdt", 1, 0, u64(decodeTime)),
          full("trun", 0, 0x301, [...u32(samplesPerFragment), ...u32(0), ...entries.flat()]),
        ),
      ),
      box("mdat", new Uint8Array(samplesPerFragment * 40)),
    );
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
}

Deno.test("a MediaRecorder mp4 is measured on its fragments' timeline, not the moov's placeholder 321", () => {
  // 44 fragments of 5 × 60 ms = 13.2 s (the last sample of the last fragment is 21 ms as written);
  // the moov claims 0.321 s (tkhd) and 6.7 ms (mdhd); the samples alone sum to 11.55 s.
  const result = measureAudioDuration(recorderMp4(44, 5));
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(result.format, "mp4");
  const expected = (43 * 5 * 2880 + 4 * 2880 + 1008) / 48000;
  assert.ok(Math.abs(result.durationSeconds - expected) < 0.001, String(result.durationSeconds));
});

Deno.test("a fragmented mp4 with samples in its moov too counts both", () => {
  const result = measureAudioDuration(recorderMp4(10, 5, { moovSamples: 50 }));
  assert.ok(result.ok, JSON.stringify(result));
  const expected = (50 * 2880 + 9 * 5 * 2880 + 4 * 2880 + 1008) / 48000;
  assert.ok(Math.abs(result.durationSeconds - expected) < 0.001, String(result.durationSeconds));
});

Deno.test("a fragment timeline claiming more than its samples explain is not billed", () => {
  // tfdt says the audio starts an hour in: only the samples present count.
  const result = measureAudioDuration(recorderMp4(10, 5, { tfdtShift: 3600 * 48000 }));
  assert.ok(result.ok, JSON.stringify(result));
  const samples = (10 * (4 * 2880 + 1008)) / 48000;
  assert.ok(Math.abs(result.durationSeconds - samples) < 0.001, String(result.durationSeconds));
});
