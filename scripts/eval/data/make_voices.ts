/**
 * Makes the SYNTHETIC voice set of the eval harness: student-style Russian messages spoken by two
 * Debian voices — eSpeak NG (`-v ru`) and Festival's Russian voice (festvox-ru,
 * `msu_ru_nsh_clunits`) — each clip in one of four conditions (clean, pink noise at about
 * −20 dB, 1.2× tempo, both), 16 kHz mono Opus at 16 kbit/s in OGG (small, and what phones send).
 * Appends to the eight espeak-ng WAV clips of make_speech.ts (kept).
 *
 * ```sh
 * apt-get install -y espeak-ng festival festvox-ru sox opus-tools
 * node_modules/deno/deno run --allow-run --allow-read --allow-write scripts/eval/data/make_voices.ts
 * ```
 *
 * A synthetic voice is easier and stranger than a student's phone: its WER compares models, it
 * does not forecast the school's WER.
 *
 * @module
 */

const OUT = new URL("../../../eval/data/speech/", import.meta.url);

/** The known texts: what a perfect transcriber returns. */
export const MESSAGES: readonly string[] = [
  "Здравствуйте, я не могу найти запись вчерашнего вебинара по базам данных, подскажите, пожалуйста, где она лежит и сколько она будет доступна.",
  "Добрый вечер, у меня не открывается личный кабинет, пишет ошибку входа, я уже дважды менял пароль, но ничего не помогает.",
  "Подскажите, пожалуйста, до какого числа нужно сдать третье домашнее задание, в расписании написано одно, а в уроке другое.",
  "Можно ли перенести защиту итогового проекта на следующую неделю, потому что в эту пятницу у меня командировка и я не успею подготовиться.",
  "Я оплатил курс в рассрочку на двенадцать месяцев и не понимаю, как узнать график платежей и куда приходят напоминания.",
  "Спасибо наставнику за подробный разбор, теперь я понимаю, как работают функции и зачем нужны аргументы по умолчанию.",
  "Сколько баллов нужно набрать за все задания, чтобы получить сертификат, и учитываются ли баллы за дополнительные задачи.",
  "У меня вопрос по второму модулю: почему цикл while не останавливается, если я увеличиваю счётчик внутри условия.",
  "Я не успеваю учиться из-за работы, можно ли взять академический отпуск на два месяца и потом вернуться в свой поток.",
  "Подскажите, где в личном кабинете загрузить файл с проектом, кнопка отправки неактивна, а дедлайн сегодня в полночь.",
  "Добрый день, я пропустил три вебинара подряд, подскажите, как лучше догнать группу и какие темы нужно посмотреть в первую очередь.",
  "Я сделал запрос к базе данных, но он возвращает пустую таблицу, хотя данные точно есть, может быть, ошибка в условии.",
  "Хочу уточнить, будет ли стажировка после курса и нужно ли для неё отдельно записываться или всех распределяют автоматически.",
  "Мне кажется, что мою работу проверили неправильно, можно ли попросить другого наставника посмотреть её ещё раз.",
  "Привет, напомните, пожалуйста, во сколько начинается консультация в четверг и где будет ссылка на подключение.",
  "Я впервые пишу код и очень боюсь, что не справлюсь, подскажите, с чего лучше начать и сколько времени уделять в день.",
  "Подскажите, можно ли выполнять задания на планшете, у меня сейчас нет компьютера, а ноутбук в ремонте до конца месяца.",
  "Добрый вечер, мне пришло письмо, что доступ к курсу закрыт, хотя я оплатил следующий месяц ещё неделю назад.",
  "Объясните, пожалуйста, чем список отличается от кортежа в питоне и когда что лучше использовать в домашнем задании.",
  "Я хочу вернуть деньги за курс, прошло десять дней после оплаты, какие документы нужны и сколько ждать возврата.",
  "Можно ли добавить в команду проекта ещё одного студента из другого потока, мы с ним уже договорились о распределении задач.",
  "Скажите, как оформить отчёт по лабораторной работе, нужен ли титульный лист и в каком формате отправлять файл.",
  "Я получил за тест шесть баллов из десяти и хочу понять, какие вопросы были решены неверно и можно ли пересдать.",
  "Здравствуйте, подскажите, пожалуйста, когда откроется следующий модуль и нужно ли для этого сдать все задания текущего.",
  "Добрый день, в домашнем задании по статистике непонятно, нужно ли считать медиану по всем данным или только по выборке за последний месяц.",
  "Я не получил сертификат после мини-курса, хотя прошёл все уроки, подскажите, выдаётся ли он вообще и куда обращаться.",
  "Напомните, пожалуйста, правила оформления кода в проекте: какие отступы использовать и нужно ли писать комментарии к каждой функции.",
];

const CONDITIONS = ["clean", "noise", "fast", "noise+fast"] as const;

async function run(cmd: string, args: string[], stdin?: string): Promise<void> {
  const child = new Deno.Command(cmd, {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const out = await child.output();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
}

async function durationSeconds(wav: string): Promise<number> {
  const out = await new Deno.Command("soxi", { args: ["-D", wav], stdout: "piped" }).output();
  return Number(new TextDecoder().decode(out.stdout).trim());
}

export interface VoiceClip {
  readonly id: string;
  readonly file: string;
  readonly mimeType: string;
  readonly durationSeconds: number;
  readonly text: string;
  readonly voice: string;
  readonly condition: string;
}

if (import.meta.main) {
  const tmp = await Deno.makeTempDir({ prefix: "voices-" });
  const manifestUrl = new URL("manifest.json", OUT);
  const manifest = JSON.parse(await Deno.readTextFile(manifestUrl));
  const kept = (manifest.clips as { id: string }[]).filter((c) => c.id.startsWith("voice-0"))
    .map((c) => ({ voice: "espeak-ng ru, 150 wpm", condition: "clean", ...c }));
  const clips: VoiceClip[] = [];
  for (const [i, text] of MESSAGES.entries()) {
    for (const voice of ["espeak", "festival"] as const) {
      const n = i * 2 + (voice === "festival" ? 1 : 0);
      const condition = CONDITIONS[n % 4 === 0 ? 0 : n % 4];
      const id = `vm-${String(i + 1).padStart(2, "0")}-${voice}`;
      const raw = `${tmp}/${id}-raw.wav`;
      if (voice === "espeak") await run("espeak-ng", ["-v", "ru", "-s", "150", "-w", raw, text]);
      else {
        await Deno.writeTextFile(`${tmp}/${id}.txt`, text);
        await run("text2wave", [
          "-eval",
          "(voice_msu_ru_nsh_clunits)",
          `${tmp}/${id}.txt`,
          "-o",
          raw,
        ]);
      }
      const shaped = `${tmp}/${id}-16k.wav`;
      await run("sox", [
        raw,
        "-r",
        "16000",
        "-c",
        "1",
        "-b",
        "16",
        shaped,
        ...(condition.includes("fast") ? ["tempo", "1.2"] : []),
        "pad",
        "0.3",
        "0.3",
      ]);
      let final = shaped;
      if (condition.includes("noise")) {
        const seconds = await durationSeconds(shaped);
        const noise = `${tmp}/${id}-noise.wav`;
        await run("sox", [
          "-n",
          "-r",
          "16000",
          "-c",
          "1",
          "-b",
          "16",
          noise,
          "synth",
          String(seconds),
          "pinknoise",
          "vol",
          "0.08",
        ]);
        final = `${tmp}/${id}-mixed.wav`;
        await run("sox", ["-m", shaped, noise, final]);
      }
      const file = `${id}.ogg`;
      await run("opusenc", [
        "--quiet",
        "--bitrate",
        "16",
        "--comp",
        "10",
        final,
        new URL(file, OUT).pathname,
      ]);
      clips.push({
        id,
        file,
        mimeType: "audio/ogg",
        durationSeconds: Math.round(await durationSeconds(final) * 1000) / 1000,
        text,
        voice: voice === "espeak"
          ? "eSpeak NG 1.51, -v ru -s 150"
          : "Festival 2.5 with festvox-ru (msu_ru_nsh_clunits)",
        condition,
      });
    }
  }
  await Deno.remove(tmp, { recursive: true });
  await Deno.writeTextFile(
    manifestUrl,
    JSON.stringify(
      {
        about:
          "SYNTHETIC Russian speech for the word error rate (WER) of transcribing it: two Debian text-to-speech voices, clean and with noise/tempo variants. Not real students.",
        madeBy:
          "node_modules/deno/deno run --allow-run --allow-read --allow-write scripts/eval/data/make_speech.ts; … scripts/eval/data/make_voices.ts",
        madeOn: "2026-12-06",
        clips: [...kept, ...clips],
      },
      null,
      2,
    ) + "\n",
  );
  const words = [...kept, ...clips].reduce((s, c) => s + c.text.split(/\s+/).length, 0);
  console.log(`clips: ${kept.length + clips.length}, words: ${words}`);
}
