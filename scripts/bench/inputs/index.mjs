// The inputs of `npm run bench:files`, one per class a student (or an attacker) sends, generated
// by code and cached under .local/bench-files/ (git-ignored). A file's name carries GENERATION:
// change a generator, bump it, and the cache regenerates.
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import jpeg from "jpeg-js";
import { bombDocx, photosDocx, textDocx } from "./docx.mjs";
import { inflationBombPdf, manyPagesPdf, textPdf } from "./pdf.mjs";
import { photo, screenshot } from "./picture.mjs";
import { encodePng, zeroPng } from "./png.mjs";
import { CORPUS } from "../../../tests/functions/process-file-upload/corpus/hostile.mjs";

const MIME_OF = {
  pdf: "application/pdf",
  jpg: "image/jpeg",
  png: "image/png",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  txt: "text/plain",
};

export const GENERATION = 1;

/** Sensor noise (±levels) that makes a 12 MP JPEG at quality 90 weigh ~4.3 MB, like a phone's. */
const PHOTO_NOISE = 15.5;

const jpegPhoto = (width, height, seed) =>
  Buffer.from(
    jpeg.encode({ data: photo(width, height, { seed, noise: PHOTO_NOISE }), width, height }, 90)
      .data,
  );

/**
 * Every input: `id` (stable, for --only), `label` (the table's first column), `mime` and `name`
 * (the multipart part's), `expect` ("accept": a student's real file, the function should answer
 * 200; "refuse": a bomb, the function should refuse it cheaply with a 4xx), `code` (the error
 * code a refusal must carry, when it is stable) and `make()`. Any other answer is a FAIL row.
 * @type {{ id: string, label: string, name: string, mime: string, expect: "accept" | "refuse",
 *   code?: string, make: () => Buffer | Promise<Buffer> }[]}
 */
export const INPUTS = [
  {
    id: "photo-12mp",
    label: "12 MP phone photo (4000×3000 JPEG)",
    name: "photo.jpg",
    mime: "image/jpeg",
    expect: "accept",
    make: () => jpegPhoto(4000, 3000, 11),
  },
  {
    id: "photo-40mp",
    label: "40 MP photo (7300×5475 JPEG)",
    name: "photo40.jpg",
    mime: "image/jpeg",
    expect: "accept",
    make: () => jpegPhoto(7300, 5475, 12),
  },
  {
    id: "screenshot-png",
    label: "PNG screenshot (3840×2160)",
    name: "screenshot.png",
    mime: "image/png",
    expect: "accept",
    make: () => encodePng(3840, 2160, screenshot(3840, 2160, { noise: 20, photoShare: 0.45 })),
  },
  ...[1, 50, 200].map((pages) => ({
    id: `pdf-${pages}`,
    label: `text PDF, ${pages.toLocaleString("en")} page${pages > 1 ? "s" : ""}`,
    name: `text-${pages}.pdf`,
    mime: "application/pdf",
    expect: "accept",
    make: () => textPdf(pages),
  })),
  {
    // Past the documented 300-page limit (docs/FUNCTIONS.md): refused from its page count before
    // any page is read. It expected `accept` from when it was written, and the bench printed "ok,
    // refused" until verdict.mjs made a refusal of an `accept` input a FAIL (2026-12-06).
    id: "pdf-2000",
    label: "text PDF, 2,000 pages: over the 300-page limit",
    name: "text-2000.pdf",
    mime: "application/pdf",
    expect: "refuse",
    code: "payload_too_large",
    make: () => textPdf(2000),
  },
  {
    // ~20 M characters: 8× the ~2.6 M-character text cap every document shares (docs/FUNCTIONS.md,
    // budget.ts MAX_TEXT_CHARS), which this input has passed since both were written (2026-12-01).
    // It measures how cheaply a long DOCX is refused: extraction stops at the cap.
    id: "docx-text",
    label: "text-only DOCX, ~20 M characters (~22 MB of XML): over the text cap",
    name: "text.docx",
    mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    expect: "refuse",
    code: "payload_too_large",
    make: () => textDocx(5_000_000),
  },
  {
    id: "docx-photos",
    label: "DOCX, 3 photos + a page of text",
    name: "photos.docx",
    mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    expect: "accept",
    make: () => photosDocx([1, 2, 3].map((i) => jpegPhoto(3600, 2560, 20 + i))),
  },
  {
    id: "bomb-png",
    label: "bomb: PNG 30000×30000 (900 MB decoded)",
    name: "bomb.png",
    mime: "image/png",
    expect: "refuse",
    make: () => zeroPng(30000, 30000),
  },
  {
    id: "bomb-docx",
    label: "bomb: DOCX, document.xml inflates to 1.1 GB",
    name: "bomb.docx",
    mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    expect: "refuse",
    make: () => bombDocx(1_100_000_000),
  },
  {
    id: "bomb-pdf-inflate",
    label: "bomb: PDF, streams inflate to 600 MB",
    name: "bomb.pdf",
    mime: "application/pdf",
    expect: "refuse",
    make: () => inflationBombPdf(600_000_000),
  },
  {
    id: "bomb-pdf-5000",
    label: "bomb: text PDF, 5,000 pages",
    name: "pages-5000.pdf",
    mime: "application/pdf",
    expect: "refuse",
    make: () => manyPagesPdf(5000),
  },
  // The adversarial corpus (issue 21): small files whose work, not bytes, is the attack.
  ...CORPUS.map((c) => ({
    id: `hostile-${c.id}`,
    label: `hostile: ${c.label}`,
    name: c.name,
    mime: MIME_OF[c.name.split(".").pop()],
    expect: c.expect,
    code: c.code,
    make: c.make,
  })),
];

/**
 * Makes sure every input in `inputs` is in `dir`, generating the missing ones. Resolves with
 * `[{ ...input, path, bytes }]` (`bytes`: the file's size).
 */
export async function ensureInputs(dir, inputs = INPUTS, log = () => {}) {
  mkdirSync(dir, { recursive: true });
  const out = [];
  for (const input of inputs) {
    const path = join(dir, `g${GENERATION}-${input.id}-${input.name}`);
    if (!existsSync(path)) {
      const t = performance.now();
      const data = await input.make();
      writeFileSync(`${path}.tmp`, data);
      renameSync(`${path}.tmp`, path); // an interrupted run leaves no half-written input behind
      log(
        `generated ${input.id} (${data.length} bytes) in ${Math.round(performance.now() - t)} ms`,
      );
    }
    out.push({ ...input, path, bytes: statSync(path).size });
  }
  return out;
}
