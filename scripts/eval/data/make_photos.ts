/**
 * Makes the SYNTHETIC photo and scan sets of the eval harness with ImageMagick 6 and Debian fonts:
 * Russian text (printed: DejaVu, Liberation; handwriting-style: URW Z003 and Bookman italic from
 * fonts-urw-base35), formulas and tables, degraded like a phone photo (perspective, blur, a shadow
 * across the page, sensor noise and strong JPEG compression), plus scanned A4 pages of documents
 * with negation-sensitive facts (greyscale, slightly rotated, noisy). Appends to the hand-made
 * images of `eval/data/vision/manifest.json` (kept).
 *
 * ```sh
 * apt-get install -y imagemagick fonts-dejavu-core fonts-liberation2 fonts-urw-base35
 * node_modules/deno/deno run --allow-run --allow-read --allow-write scripts/eval/data/make_photos.ts
 * ```
 *
 * @module
 */

import type { Expectations } from "../expectations.ts";

const OUT = new URL("../../../eval/data/vision/", import.meta.url);

const FONTS = {
  sans: "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
  serif: "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
  liberation: "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
  mono: "/usr/share/fonts/truetype/liberation2/LiberationMono-Regular.ttf",
  oblique: "/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf",
  chancery: "/usr/share/fonts/opentype/urw-base35/Z003-MediumItalic.otf",
  bookman: "/usr/share/fonts/opentype/urw-base35/URWBookman-LightItalic.otf",
} as const;
type Font = keyof typeof FONTS;
const HANDWRITING: readonly Font[] = ["chancery", "bookman", "oblique"];

export interface PhotoItem {
  readonly id: string;
  readonly file: string;
  readonly mimeType: string;
  readonly style: string;
  /** The exact text drawn (lines separated by \n), for CER. */
  readonly text: string;
  readonly kind: "photo";
  readonly font?: string;
  readonly degradations?: readonly string[];
}

export interface ScanItem {
  readonly id: string;
  readonly kind: "scan";
  readonly files: readonly string[];
  readonly mimeType: string;
  readonly instruction: string | null;
  readonly expect: Expectations;
}

const TEXTS: { style: string; text: string }[] = [
  {
    style: "notes",
    text: "Домашнее задание №5\nПрочитать главу 3 учебника\nРешить задачи 12, 14 и 17",
  },
  {
    style: "notes",
    text: "Конспект урока: циклы\nЦикл while повторяет код,\nпока условие истинно.",
  },
  {
    style: "notes",
    text: "Сочинение на тему\n«Как я провёл лето»\nЛетом я ездил к бабушке в деревню.",
  },
  {
    style: "notes",
    text: "План ответа:\n1. Введение\n2. Основная часть\n3. Выводы и список литературы",
  },
  {
    style: "notes",
    text:
      "Вопросы к экзамену по истории\nРеформы Петра Первого\nОтмена крепостного права в 1861 году",
  },
  { style: "notes", text: "Функция возвращает сумму\nдвух чисел a и b.\nПример: сумма(2, 3) = 5" },
  {
    style: "notes",
    text: "Задача: поезд ехал 3 часа\nсо скоростью 80 км/ч.\nОтвет: 240 километров.",
  },
  { style: "notes", text: "Словарь: синтаксис, переменная,\nусловие, итерация, исключение" },
  {
    style: "notes",
    text: "Лабораторная работа №2\nИзмерение плотности тела\nМасса 120 г, объём 40 см³",
  },
  { style: "notes", text: "Не забыть: защита проекта\nв среду в 18:30,\nаудитория 204" },
  { style: "formula", text: "x² − 5x + 6 = 0\nD = b² − 4ac = 1\nx₁ = 2, x₂ = 3" },
  { style: "formula", text: "(a + b)² = a² + 2ab + b²\nsin²α + cos²α = 1" },
  { style: "formula", text: "S = πr²\nr = 3 см\nS ≈ 28,3 см²" },
  { style: "formula", text: "v = s / t\ns = 150 м, t = 30 с\nv = 5 м/с" },
  { style: "formula", text: "log₂ 8 = 3\n2¹⁰ = 1024\n√144 = 12" },
  { style: "formula", text: "F = m · a\nm = 2 кг, a = 3 м/с²\nF = 6 Н" },
  { style: "formula", text: "y = 2x + 1\nпри x = 4: y = 9" },
  { style: "formula", text: "P = 2(a + b)\na = 5, b = 7\nP = 24" },
];

const TABLES: { id: string; rows: string[][] }[] = [
  {
    id: "grades",
    rows: [["Фамилия", "Задание", "Балл"], ["Иванов", "ДЗ 1", "8"], [
      "Петрова",
      "ДЗ 1",
      "10",
    ], ["Сидоров", "ДЗ 2", "6"]],
  },
  {
    id: "schedule",
    rows: [["День", "Время", "Занятие"], ["Понедельник", "19:00", "Вебинар"], [
      "Среда",
      "18:30",
      "Практика",
    ], ["Пятница", "20:00", "Разбор ДЗ"]],
  },
  {
    id: "prices",
    rows: [["Тариф", "Месяцев", "Цена"], ["Базовый", "6", "30 000 ₽"], [
      "Полный",
      "9",
      "48 000 ₽",
    ]],
  },
  {
    id: "units",
    rows: [["Величина", "Единица"], ["Сила", "ньютон"], ["Масса", "килограмм"], [
      "Время",
      "секунда",
    ]],
  },
  {
    id: "plan",
    rows: [["Неделя", "Тема"], ["1", "Переменные"], ["2", "Условия"], ["3", "Циклы"], [
      "4",
      "Функции",
    ]],
  },
  {
    id: "homework",
    rows: [["№", "Задача", "Ответ"], ["1", "2 + 2 · 2", "6"], ["2", "15 : 3", "5"], [
      "3",
      "7 · 8",
      "56",
    ]],
  },
];

/** `-annotate` reads % as an escape: "80 %" must be written "80 %%". */
const literal = (text: string) => text.replaceAll("%", "%%");

async function magick(args: string[]): Promise<void> {
  const out = await new Deno.Command("convert", { args, stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`convert ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
}

const W = 1024, H = 768;
const DEGRADATIONS = ["perspective", "blur", "shadow", "noise"] as const;
type Degradation = typeof DEGRADATIONS[number];

/** ImageMagick arguments that make a flat page look like a phone photo. */
function degrade(list: readonly Degradation[], quality: number): string[] {
  const args: string[] = [];
  for (const d of list) {
    if (d === "perspective") {
      args.push(
        "-virtual-pixel",
        "background",
        "-background",
        "#8a8378",
        "-distort",
        "Perspective",
        `0,0 40,55  ${W},0 ${W - 25},15  0,${H} 15,${H - 45}  ${W},${H} ${W - 60},${H - 10}`,
      );
    }
    if (d === "blur") args.push("-blur", "0x1.3");
    if (d === "shadow") {
      args.push(
        "(",
        "-size",
        `${W}x${H}`,
        "gradient:#6d6d6d-#ffffff",
        "-rotate",
        "90",
        "-resize",
        `${W}x${H}!`,
        ")",
        "-compose",
        "Multiply",
        "-composite",
      );
    }
    if (d === "noise") args.push("-attenuate", "0.5", "+noise", "Gaussian");
  }
  args.push("-strip", "-sampling-factor", "4:2:0", "-quality", String(quality));
  return args;
}

async function drawText(
  file: string,
  text: string,
  font: Font,
  pointsize: number,
  list: readonly Degradation[],
  quality: number,
): Promise<void> {
  await magick([
    "-size",
    `${W}x${H}`,
    "xc:#f3efe4",
    "-font",
    FONTS[font],
    "-pointsize",
    String(pointsize),
    "-fill",
    "#1d2440",
    "-interline-spacing",
    "14",
    "-annotate",
    "+70+140",
    literal(text),
    ...degrade(list, quality),
    new URL(file, OUT).pathname,
  ]);
}

async function drawTable(
  file: string,
  rows: string[][],
  font: Font,
  list: readonly Degradation[],
  quality: number,
): Promise<void> {
  const cols = rows[0].length;
  const cellW = Math.floor((W - 140) / cols), cellH = 90;
  const draw: string[] = [];
  for (let r = 0; r <= rows.length; r++) {
    draw.push("-draw", `line 70,${100 + r * cellH} ${70 + cols * cellW},${100 + r * cellH}`);
  }
  for (let c = 0; c <= cols; c++) {
    draw.push("-draw", `line ${70 + c * cellW},100 ${70 + c * cellW},${100 + rows.length * cellH}`);
  }
  const text: string[] = [];
  rows.forEach((row, r) =>
    row.forEach((cell, c) =>
      text.push("-annotate", `+${85 + c * cellW}+${100 + r * cellH + 58}`, literal(cell))
    )
  );
  await magick([
    "-size",
    `${W}x${H}`,
    "xc:#f6f4ee",
    "-stroke",
    "#333333",
    "-strokewidth",
    "2",
    ...draw,
    "-stroke",
    "none",
    "-font",
    FONTS[font],
    "-pointsize",
    "34",
    "-fill",
    "#1d2440",
    ...text,
    ...degrade(list, quality),
    new URL(file, OUT).pathname,
  ]);
}

/** A scanned A4 page at 150 dpi: greyscale, 0.6° skew, light noise. */
async function drawScanPage(file: string, title: string, body: string): Promise<void> {
  const wrapped = wrap(body, 62);
  await magick([
    "-size",
    "1240x1754",
    "xc:white",
    "-font",
    FONTS.liberation,
    "-fill",
    "#202020",
    "-pointsize",
    "38",
    "-annotate",
    "+110+170",
    literal(title),
    "-pointsize",
    "28",
    "-interline-spacing",
    "12",
    "-annotate",
    "+110+260",
    literal(wrapped),
    "-background",
    "white",
    "-rotate",
    "0.6",
    "-gravity",
    "center",
    "-extent",
    "1240x1754",
    "-colorspace",
    "Gray",
    "-attenuate",
    "0.3",
    "+noise",
    "Gaussian",
    "-strip",
    "-quality",
    "45",
    new URL(file, OUT).pathname,
  ]);
}

function wrap(text: string, width: number): string {
  const lines: string[] = [];
  for (const para of text.split("\n")) {
    let line = "";
    for (const word of para.split(" ")) {
      if ((line + " " + word).trim().length > width) {
        lines.push(line.trim());
        line = word;
      } else line += " " + word;
    }
    lines.push(line.trim());
  }
  return lines.join("\n");
}

/** Scanned documents: two pages each, the negated fact on the second page. */
const SCANS: {
  id: string;
  title: string;
  pages: string[];
  instruction: string | null;
  expect: Expectations;
}[] = [
  ...[
    {
      id: "scan-certificate",
      title: "Положение об итоговой аттестации",
      page1:
        "1. Итоговая аттестация проводится в форме защиты проекта. 2. Защита проходит онлайн перед комиссией из трёх наставников. 3. Для допуска нужно сдать не менее 80 % домашних заданий.",
      page2:
        "4. Студентам, не защитившим проект, сертификат не выдаётся. 5. Повторная защита возможна через 30 дней.",
      q: "Выдаётся ли сертификат студенту, который не защитил проект?",
      fact: { text: "сертификат не выдаётся", any: [["сертификат", "выда"]], negated: true },
      summaryFact: { text: "80 % домашних заданий", any: [["80"]], negated: false },
    },
    {
      id: "scan-refund",
      title: "Условия возврата оплаты",
      page1:
        "1. Заявление на возврат подаётся через службу поддержки. 2. Деньги возвращаются в течение 10 рабочих дней на карту, с которой была оплата.",
      page2:
        "3. Возврат за пройденные модули не производится. 4. Комиссия банка не компенсируется.",
      q: "Вернут ли деньги за пройденные модули?",
      fact: {
        text: "возврат не производится",
        any: [["возврат", "произв"], ["возвра", "модул"]],
        negated: true,
      },
      summaryFact: {
        text: "10 рабочих дней",
        any: [["10 рабоч"], ["десят", "рабоч"]],
        negated: false,
      },
    },
    {
      id: "scan-records",
      title: "Правила проведения вебинаров",
      page1:
        "1. Вебинары проходят по вторникам и четвергам в 19:00 по Москве. 2. Ссылка на вебинар приходит на почту за час до начала.",
      page2: "3. Записи вебинаров не публикуются. 4. Вопросы можно задать в чате во время эфира.",
      q: "Публикуются ли записи вебинаров?",
      fact: {
        text: "записи не публикуются",
        any: [["запис", "публику"], ["запис", "доступ"]],
        negated: true,
      },
      summaryFact: { text: "19:00", any: [["19:00"], ["19.00"]], negated: false },
    },
    {
      id: "scan-internship",
      title: "Положение о стажировке",
      page1:
        "1. Стажировка длится 6 недель. 2. На стажировку допускаются студенты, сдавшие итоговый проект. 3. Стажировка проходит удалённо.",
      page2:
        "4. Трудоустройство после стажировки не гарантируется. 5. Оплата стажировки не предусмотрена.",
      q: "Гарантируется ли трудоустройство после стажировки?",
      fact: {
        text: "трудоустройство не гарантируется",
        any: [["трудоустр", "гарант"]],
        negated: true,
      },
      summaryFact: { text: "6 недель", any: [["6 недел"], ["шесть недел"]], negated: false },
    },
    {
      id: "scan-transfer",
      title: "Порядок перевода между потоками",
      page1:
        "1. Перевод в другой поток возможен до начала обучения. 2. Заявление подаётся не позднее чем за 5 дней до старта.",
      page2:
        "3. После начала обучения перевод в другой поток не производится. 4. Исключения не допускаются.",
      q: "Можно ли перевестись в другой поток после начала обучения?",
      fact: { text: "перевод не производится", any: [["перев"]], negated: true },
      summaryFact: { text: "за 5 дней", any: [["5 дн"], ["пять дн"]], negated: false },
    },
    {
      id: "scan-devices",
      title: "Технические требования",
      page1:
        "1. Для занятий нужен компьютер с браузером Chrome или Firefox. 2. Скорость интернета не ниже 10 Мбит/с.",
      page2:
        "3. Выполнение заданий с телефона не поддерживается. 4. Планшеты поддерживаются частично.",
      q: "Можно ли выполнять задания с телефона?",
      fact: {
        text: "с телефона не поддерживается",
        any: [["телефон", "поддерж"], ["телефон", "можно"], ["телефон", "получится"]],
        negated: true,
      },
      summaryFact: { text: "10 Мбит/с", any: [["10 мбит"]], negated: false },
    },
  ].flatMap((s) => [
    {
      id: `${s.id}-q`,
      title: s.title,
      pages: [s.page1, s.page2],
      instruction: s.q,
      expect: { facts: [s.fact], mustNot: [{ ...s.fact, negated: false }] },
    },
    {
      id: `${s.id}-summary`,
      title: s.title,
      pages: [s.page1, s.page2],
      instruction: null,
      expect: { facts: [s.summaryFact, s.fact], mustNot: [{ ...s.fact, negated: false }] },
    },
  ]),
];

if (import.meta.main) {
  const manifestUrl = new URL("manifest.json", OUT);
  const manifest = JSON.parse(await Deno.readTextFile(manifestUrl));
  const kept = (manifest.images as { id: string; kind?: string }[]).filter((i) =>
    !i.kind || i.kind === "photo" && !i.id.startsWith("ph-")
  ).map((i) => ({ ...i, kind: "photo" }));
  const photos: PhotoItem[] = [];
  let k = 0;
  const next = (): { font: Font; list: Degradation[]; quality: number } => {
    const font = k % 2 === 0
      ? HANDWRITING[k % 3]
      : (["sans", "serif", "liberation"] as Font[])[k % 3];
    const list = [
      DEGRADATIONS[k % 4],
      ...(k % 3 === 0 ? [DEGRADATIONS[(k + 2) % 4]] : []),
      "noise" as Degradation,
    ];
    const quality = 40 + (k * 7) % 30;
    k++;
    return { font, list: [...new Set(list)], quality };
  };
  for (const [i, t] of TEXTS.entries()) {
    for (const variant of [0, 1]) {
      const { font, list, quality } = next();
      const id = `ph-${t.style}-${String(i + 1).padStart(2, "0")}${variant ? "b" : "a"}`;
      await drawText(`${id}.jpg`, t.text, font, font === "chancery" ? 50 : 40, list, quality);
      photos.push({
        id,
        file: `${id}.jpg`,
        mimeType: "image/jpeg",
        style: t.style,
        text: t.text,
        kind: "photo",
        font,
        degradations: list,
      });
    }
  }
  for (const t of TABLES) {
    const { font, list, quality } = next();
    const id = `ph-table-${t.id}`;
    await drawTable(`${id}.jpg`, t.rows, font === "chancery" ? "bookman" : font, list, quality);
    photos.push({
      id,
      file: `${id}.jpg`,
      mimeType: "image/jpeg",
      style: "table",
      text: t.rows.map((r) => r.join(" ")).join("\n"),
      kind: "photo",
      font,
      degradations: list,
    });
  }
  const scans: ScanItem[] = [];
  const drawn = new Set<string>();
  for (const s of SCANS) {
    const base = s.id.replace(/-(q|summary)$/, "");
    const files = s.pages.map((_, p) => `${base}-p${p + 1}.jpg`);
    if (!drawn.has(base)) {
      for (const [p, body] of s.pages.entries()) {
        await drawScanPage(files[p], p === 0 ? s.title : `${s.title} (продолжение)`, body);
      }
      drawn.add(base);
    }
    scans.push({
      id: s.id,
      kind: "scan",
      files,
      mimeType: "image/jpeg",
      instruction: s.instruction,
      expect: s.expect,
    });
  }
  await Deno.writeTextFile(
    manifestUrl,
    JSON.stringify(
      {
        about:
          "SYNTHETIC images with known Russian text (CER) and scanned pages with known facts. The first six were rendered by make_images.mjs (Chromium); the rest by make_photos.ts (ImageMagick, Debian fonts, phone-photo degradations).",
        madeBy:
          "node scripts/eval/data/make_images.mjs; node_modules/deno/deno run --allow-run --allow-read --allow-write scripts/eval/data/make_photos.ts",
        madeOn: "2026-12-06",
        renderer:
          "ImageMagick 6.9.11 (Debian 12) with fonts-dejavu-core, fonts-liberation2, fonts-urw-base35",
        images: [...kept, ...photos],
        scans,
      },
      null,
      2,
    ) + "\n",
  );
  console.log(`photos: ${kept.length + photos.length}, scan items: ${scans.length}`);
}
