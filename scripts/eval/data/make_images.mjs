#!/usr/bin/env node
// Renders the vision set of the eval harness: Russian text from known strings, drawn as a slide,
// a document page, a chat screenshot and a photo-like page, in the Chromium that
// @sparticuz/chromium ships (no download), driven by puppeteer-core. The fonts are Debian's DejaVu
// (fonts-dejavu-core), embedded as data URLs so the page needs no system font lookup.
//   node scripts/eval/data/make_images.mjs      (writes eval/data/vision/*.png|jpg + manifest.json)
// Run once on 2026-12-01; the PNGs are committed, so the suite needs neither Chromium nor fonts.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import puppeteer from "puppeteer-core";
import { launchChromium } from "../../browser/chromium.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const OUT = join(ROOT, "eval/data/vision");
const FONTS = "/usr/share/fonts/truetype/dejavu";

/** The known strings: what a perfect reader returns (lines joined with "\n"). */
const IMAGES = [
  {
    id: "slide-deadline",
    style: "slide",
    text: "Домашнее задание 4\nСрок сдачи: пятница, 23:59\nОценка: от 0 до 10 баллов",
  },
  {
    id: "doc-contract",
    style: "page",
    text:
      "Договор оказания образовательных услуг\nСтоимость обучения составляет 48 000 рублей.\nОплата возможна в рассрочку на 12 месяцев.\nВозврат средств производится в течение 10 рабочих дней.",
  },
  {
    id: "chat-screenshot",
    style: "chat",
    text:
      "Куратор: Вебинар перенесён на четверг, 19:00.\nСтудент: Спасибо! Запись будет?\nКуратор: Да, ссылка появится в личном кабинете.",
  },
  {
    id: "photo-notes",
    style: "photo",
    text:
      "Формула конверсии\nКонверсия = покупки / посетители × 100%\nПример: 50 / 2000 × 100% = 2,5%",
  },
  {
    id: "table-grades",
    style: "page",
    text:
      "Ведомость за модуль SQL\nИванова Мария — 9 баллов\nПетров Сергей — 7 баллов\nСидоров Алексей — зачёт",
  },
  {
    id: "code-error",
    style: "slide",
    text:
      "Ошибка: деление на ноль\nПроверьте знаменатель перед вызовом функции.\nСтрока 42, файл расчёт.py",
  },
];

const escape = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

const STYLES = {
  slide: {
    size: [1280, 720],
    css: "body{background:#1f3a5f;color:#fff;font-family:Sans;padding:80px}" +
      "p{font-size:52px;margin:0 0 36px}p:first-child{font-size:72px;font-weight:bold}",
  },
  page: {
    size: [1240, 900],
    css: "body{background:#fff;color:#111;font-family:Serif;padding:90px 110px}" +
      "p{font-size:30px;margin:0 0 22px;line-height:1.4}p:first-child{font-size:38px;font-weight:bold}",
  },
  chat: {
    size: [900, 640],
    css: "body{background:#e5ddd5;font-family:Sans;padding:40px}" +
      "p{background:#fff;border-radius:14px;padding:18px 24px;font-size:28px;margin:0 0 28px;width:max-content;max-width:780px}" +
      "p:nth-child(2){background:#dcf8c6;margin-left:auto}",
  },
  photo: {
    size: [1200, 800],
    css: "body{background:linear-gradient(135deg,#efe6d2,#a89c86);font-family:Serif;padding:90px}" +
      "div{transform:rotate(-3deg);filter:blur(0.6px)}" +
      "p{font-size:40px;color:#26303f;margin:0 0 34px}p:first-child{text-decoration:underline}",
  },
};

const sans = (await readFile(join(FONTS, "DejaVuSans.ttf"))).toString("base64");
const sansBold = (await readFile(join(FONTS, "DejaVuSans-Bold.ttf"))).toString("base64");
const serif = (await readFile(join(FONTS, "DejaVuSerif.ttf"))).toString("base64");
const serifBold = (await readFile(join(FONTS, "DejaVuSerif-Bold.ttf"))).toString("base64");
const fontCss = [
  ["Sans", sans, "normal"],
  ["Sans", sansBold, "bold"],
  ["Serif", serif, "normal"],
  ["Serif", serifBold, "bold"],
].map(([family, data, weight]) =>
  `@font-face{font-family:${family};font-weight:${weight};` +
  `src:url(data:font/ttf;base64,${data}) format("truetype")}`
).join("");

const userDataDir = await mkdtemp(join(tmpdir(), "eval-images-chromium-"));
const browser = await launchChromium(puppeteer, {
  userDataDir,
});
try {
  await mkdir(OUT, { recursive: true });
  const manifest = [];
  for (const image of IMAGES) {
    const style = STYLES[image.style];
    const page = await browser.newPage();
    await page.setViewport({ width: style.size[0], height: style.size[1], deviceScaleFactor: 1 });
    const body = image.text.split("\n").map((line) => `<p>${escape(line)}</p>`).join("");
    await page.setContent(
      `<!doctype html><meta charset="utf-8"><style>${fontCss}*{box-sizing:border-box}` +
        `html,body{margin:0;height:100%}${style.css}</style><div>${body}</div>`,
    );
    await page.evaluate(() => document.fonts.ready);
    // The photo-like page is a JPEG, as a phone photo would be; the rest are PNG screenshots.
    const jpeg = image.style === "photo";
    const file = `${image.id}.${jpeg ? "jpg" : "png"}`;
    const png = await page.screenshot(jpeg ? { type: "jpeg", quality: 80 } : { type: "png" });
    await writeFile(join(OUT, file), png);
    await page.close();
    manifest.push({
      id: image.id,
      file,
      mimeType: jpeg ? "image/jpeg" : "image/png",
      style: image.style,
      text: image.text,
    });
    console.log(`${file}: ${png.length} bytes`);
  }
  await writeFile(
    join(OUT, "manifest.json"),
    JSON.stringify(
      {
        about: "Images with known Russian text for the character error rate (CER) of reading them.",
        madeBy: "node scripts/eval/data/make_images.mjs",
        madeOn: "2026-12-01",
        renderer: `${await browser
          .version()} (@sparticuz/chromium), DejaVu fonts (Debian fonts-dejavu-core)`,
        images: manifest,
      },
      null,
      2,
    ) + "\n",
  );
} finally {
  await browser.close();
  await rm(userDataDir, { recursive: true, force: true });
}
