// Deterministic randomness and text for the benchmark inputs: the same bytes on every machine, so
// a number measured today and one measured after a change are about the same file.

/** A seeded PRNG (mulberry32) returning floats in [0, 1). */
export function prng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RU = (
  "конверсия лендинга посетители заявки урок домашнее задание курс преподаватель студент " +
  "маркетинг воронка продаж реклама бюджет аналитика отчёт таблица формула среднее значение " +
  "процент выручка клиент договор неделя месяц результат вывод пример задача решение ответ " +
  "ёлка объём подъезд щётка шкаф чай жёлтый эффект"
).split(" ");
const EN = (
  "landing page conversion rate traffic funnel budget report lesson homework student teacher " +
  "campaign audience revenue average value table formula example answer result week month"
).split(" ");

const SYLLABLES = (
  "ка ли на ро по ст во пре за ни ть ся ми ра ду ше жи чу кто гда ве ло мо бы сть ны ко ли ём"
).split(" ");

/** A made-up Russian-looking word: real text has thousands of words, and compresses like it. */
function madeUpWord(random) {
  let w = "";
  const n = 2 + Math.floor(random() * 3);
  for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
  return w;
}

/** Word salad, about `chars` characters: Cyrillic with some Latin and digits, in sentences. */
export function prose(random, chars) {
  const out = [];
  let n = 0;
  let sentence = 0;
  while (n < chars) {
    const r = random();
    let w = r < 0.4
      ? RU[Math.floor(random() * RU.length)]
      : r < 0.75
      ? madeUpWord(random)
      : r < 0.95
      ? EN[Math.floor(random() * EN.length)]
      : String(Math.floor(random() * 10000));
    if (sentence === 0) w = w[0].toUpperCase() + w.slice(1);
    sentence++;
    if (sentence > 6 && random() < 0.2) {
      w += ".";
      sentence = 0;
    } else if (random() < 0.06) w += ",";
    out.push(w);
    n += w.length + 1;
  }
  return out.join(" ");
}

/** Splits text into lines of at most `width` characters at spaces. */
export function wrap(text, width) {
  const lines = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
