// Random, structurally valid files inside the upload limits, from a seed: the property-style half
// of the corpus. Each is built from the same writers as the hostile shapes (hostile.mjs) with
// random sizes and mixes, so that combinations nobody wrote down are tried too.
import { Buffer } from "node:buffer";
import { filteredPng, pdfFile, progressiveJpeg, restartJpeg, wordRunsDocx } from "./hostile.mjs";

/** A small deterministic PRNG (mulberry32). */
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (list) => list[Math.floor(next() * list.length)],
  };
}

const OPS = ["1 0 Td", "(ab) Tj", "() Tj", "[(a) -20 (b)] TJ", "0 0 5 5 re f", "q Q", "T*"];

/** A PDF: random page count, each page its own stream or one shared stream, random operator
 * mixes, and sometimes a form XObject painted many times. */
function randomPdf(r) {
  const pages = r.int(1, 300);
  const shared = r.next() < 0.5;
  const opsPerStream = r.int(10, shared ? 400_000 : 20_000);
  const mix = Array.from({ length: r.int(1, 3) }, () => r.pick(OPS));
  const content = () => {
    const lines = ["BT /F1 10 Tf 56 790 Td"];
    for (let i = 0; i < opsPerStream; i++) lines.push(mix[i % mix.length]);
    lines.push("ET");
    if (form) lines.push(`q /Fm1 Do Q\n`.repeat(r.int(1, 2_000)));
    return Buffer.from(lines.join("\n"), "latin1");
  };
  const form = r.next() < 0.3 ? r.int(10, 20_000) : 0;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    `<< /Type /Pages /Kids [${
      Array.from({ length: pages }, (_, i) => `${6 + i} 0 R`).join(" ")
    }] /Count ${pages} >>`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    {
      dict: "<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] >>",
      stream: Buffer.from(`BT /F1 9 Tf ${"(form) Tj ".repeat(Math.max(1, form))} ET`, "latin1"),
    },
    { dict: "<< >>", stream: content() },
  ];
  const streams = [];
  for (let i = 0; i < pages; i++) {
    const contentRef = shared ? 5 : 6 + pages + i;
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> /XObject << /Fm1 4 0 R >> >> /Contents ${contentRef} 0 R >>`,
    );
    if (!shared) streams.push({ dict: "<< >>", stream: content() });
  }
  objects.push(...streams);
  return {
    name: "fuzz.pdf",
    bytes: pdfFile(objects),
    shape: `pdf ${pages}p shared=${shared} ops=${opsPerStream} form=${form}`,
  };
}

function randomPng(r) {
  const colorType = r.pick([0, 2, 3, 4, 6]);
  const bitDepth = colorType === 3 ? 8 : r.pick([8, 16]);
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colorType];
  // Inside the envelope's 64 MB of rows.
  const maxSide = Math.floor(Math.sqrt(60_000_000 / (channels * (bitDepth / 8))));
  const side = r.int(500, Math.min(7071, maxSide));
  const filter = r.int(0, 4);
  const padTo = r.next() < 0.6 ? 3_200_000 : 0;
  return {
    name: "fuzz.png",
    bytes: filteredPng(side, r.int(Math.floor(side / 2), side), {
      colorType,
      bitDepth,
      filter,
      padTo,
    }),
    shape: `png ${side} type=${colorType}/${bitDepth} filter=${filter} pad=${padTo > 0}`,
  };
}

function randomJpeg(r) {
  const w = 8 * r.int(100, 500), h = 8 * r.int(100, 375);
  if (r.next() < 0.5) {
    const scans = r.int(1, 3_000);
    return {
      name: "fuzz.jpg",
      bytes: progressiveJpeg(w, h, scans, 3_200_000),
      shape: `jpeg progressive ${w}×${h} scans=${scans}`,
    };
  }
  const interval = r.int(1, 64);
  return {
    name: "fuzz.jpg",
    bytes: restartJpeg(w, h, interval, 3_200_000),
    shape: `jpeg restarts ${w}×${h} every ${interval}`,
  };
}

function randomDocx(r) {
  const depth = r.int(0, 100_000);
  const runs = r.int(1, 600_000);
  return {
    name: "fuzz.docx",
    bytes: wordRunsDocx(runs, depth),
    shape: `docx depth=${depth} runs=${runs}`,
  };
}

/** `count` random files from `seed`, kinds in turn. */
export function fuzzInputs(seed, count) {
  const r = prng(seed);
  const makers = [randomPdf, randomPng, randomJpeg, randomDocx];
  return Array.from({ length: count }, (_, i) => makers[i % makers.length](r));
}
