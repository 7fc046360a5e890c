/**
 * Makes the speech set of the eval harness: Russian sentences spoken by espeak-ng (a Debian
 * package, not installed by `npm ci`), resampled to 16 kHz mono 16-bit WAV (what Whisper works
 * at; a third smaller than espeak's 22,050 Hz), with a manifest of the known text.
 *
 * ```sh
 * apt-get install espeak-ng   # once, on the machine that makes the clips
 * node_modules/deno/deno run --allow-run --allow-read --allow-write scripts/eval/data/make_speech.ts
 * ```
 * Run once on 2026-12-01 with eSpeak NG 1.51; the clips are committed, so the suite needs no apt.
 * A synthetic voice is easier than a student's phone: its WER is a floor, not a forecast.
 *
 * @module
 */

const OUT = new URL("../../../eval/data/speech/", import.meta.url);
const VOICE = "ru";
const WORDS_PER_MINUTE = 150;
const TARGET_RATE = 16_000;

/** The known sentences: what a perfect transcriber returns. */
export const SENTENCES: readonly { id: string; text: string }[] = [
  { id: "voice-01", text: "Здравствуйте, я не могу найти запись вчерашнего вебинара." },
  { id: "voice-02", text: "Подскажите, пожалуйста, до какого числа нужно сдать домашнее задание." },
  { id: "voice-03", text: "У меня не открывается личный кабинет, пишет ошибка входа." },
  { id: "voice-04", text: "Можно ли перенести защиту итогового проекта на следующую неделю?" },
  { id: "voice-05", text: "Я оплатил курс в рассрочку, как узнать график платежей?" },
  { id: "voice-06", text: "Спасибо наставнику, теперь я понимаю, как работают функции." },
  { id: "voice-07", text: "Сколько баллов нужно набрать, чтобы получить сертификат?" },
  { id: "voice-08", text: "Вебинар в четверг начнётся в семь часов вечера по Москве." },
];

interface Pcm {
  rate: number;
  samples: Int16Array;
}

/** Reads a mono 16-bit PCM WAV (what espeak-ng writes). */
function readWav(bytes: Uint8Array): Pcm {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 12;
  let rate = 0;
  while (offset + 8 <= bytes.length) {
    const id = new TextDecoder().decode(bytes.subarray(offset, offset + 4));
    const size = view.getUint32(offset + 4, true);
    if (id === "fmt ") {
      const channels = view.getUint16(offset + 10, true);
      const bits = view.getUint16(offset + 22, true);
      if (channels !== 1 || bits !== 16) throw new Error("expected mono 16-bit PCM");
      rate = view.getUint32(offset + 12, true);
    } else if (id === "data") {
      // espeak-ng writing to a file leaves a placeholder size: take the rest of the file.
      const end = Math.min(bytes.length, offset + 8 + (size || bytes.length));
      const data = bytes.slice(offset + 8, end - ((end - offset - 8) % 2));
      return { rate, samples: new Int16Array(data.buffer) };
    }
    offset += 8 + size + (size % 2);
  }
  throw new Error("no data chunk");
}

/** Linear-interpolation resampling: enough for speech going down to 16 kHz. */
function resample(pcm: Pcm, rate: number): Pcm {
  const length = Math.floor(pcm.samples.length * rate / pcm.rate);
  const out = new Int16Array(length);
  for (let i = 0; i < length; i++) {
    const at = i * pcm.rate / rate;
    const j = Math.floor(at);
    const a = pcm.samples[j] ?? 0;
    const b = pcm.samples[j + 1] ?? a;
    out[i] = Math.round(a + (b - a) * (at - j));
  }
  return { rate, samples: out };
}

function writeWav({ rate, samples }: Pcm): Uint8Array {
  const bytes = new Uint8Array(44 + samples.byteLength);
  const view = new DataView(bytes.buffer);
  const ascii = (at: number, text: string) => bytes.set(new TextEncoder().encode(text), at);
  ascii(0, "RIFF");
  view.setUint32(4, 36 + samples.byteLength, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, "data");
  view.setUint32(40, samples.byteLength, true);
  bytes.set(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength), 44);
  return bytes;
}

if (import.meta.main) {
  await Deno.mkdir(OUT, { recursive: true });
  const version = new TextDecoder().decode(
    (await new Deno.Command("espeak-ng", { args: ["--version"] }).output()).stdout,
  ).trim();
  const clips = [];
  for (const { id, text } of SENTENCES) {
    const raw = await Deno.makeTempFile({ suffix: ".wav" });
    const args = ["-v", VOICE, "-s", String(WORDS_PER_MINUTE), "-w", raw, text];
    const run = await new Deno.Command("espeak-ng", { args }).output();
    if (!run.success) throw new Error(new TextDecoder().decode(run.stderr));
    const pcm = resample(readWav(await Deno.readFile(raw)), TARGET_RATE);
    await Deno.remove(raw);
    const file = `${id}.wav`;
    await Deno.writeFile(new URL(file, OUT), writeWav(pcm));
    const durationSeconds = Math.round(pcm.samples.length / TARGET_RATE * 1000) / 1000;
    clips.push({ id, file, mimeType: "audio/wav", durationSeconds, text });
    console.log(`${file}: ${durationSeconds} s`);
  }
  const manifest = {
    about:
      "Russian sentences spoken by espeak-ng, for the word error rate (WER) of transcribing them.",
    madeBy:
      "node_modules/deno/deno run --allow-run --allow-read --allow-write scripts/eval/data/make_speech.ts",
    madeOn: "2026-12-01",
    voice:
      `${version}; espeak-ng -v ${VOICE} -s ${WORDS_PER_MINUTE}, resampled to ${TARGET_RATE} Hz`,
    clips,
  };
  await Deno.writeTextFile(new URL("manifest.json", OUT), JSON.stringify(manifest, null, 2) + "\n");
}
