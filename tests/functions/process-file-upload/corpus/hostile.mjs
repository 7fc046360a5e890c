// The adversarial corpus of process-file-upload: small files that cost a worker far more than
// their bytes suggest, each built by code here with the answer the function must give. Used by
// tests/functions/process-file-upload/10_hostile_corpus_test.ts (under hosted's limits, in
// `npm test`) and by `npm run bench:files` (the hostile rows). Plain JS so both Deno and Node load
// it. Add a shape: a generator below and a row in CORPUS.
import { Buffer } from "node:buffer";
import zlib from "node:zlib";

const latin1 = (s) => Buffer.from(s, "latin1");

/**
 * A PDF from its objects (1-based: objects[0] is object 1). Each is a dictionary string, or
 * `{ dict, stream }` (the stream FlateDecode-compressed here unless `raw`). Object 1 must be the
 * catalog. The cross-reference table is exact, so pdf.js reads it without repair.
 */
export function pdfFile(objects) {
  const parts = [latin1("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")];
  let size = parts[0].length;
  const offsets = [];
  objects.forEach((o, i) => {
    offsets.push(size);
    let body;
    if (typeof o === "string") body = latin1(`${i + 1} 0 obj\n${o}\nendobj\n`);
    else {
      const data = o.raw ? o.stream : zlib.deflateSync(o.stream, { level: 9 });
      const dict = o.dict.replace(/>>\s*$/, "") +
        `${o.raw ? "" : " /Filter /FlateDecode"} /Length ${data.length} >>`;
      body = Buffer.concat([
        latin1(`${i + 1} 0 obj\n${dict}\nstream\n`),
        data,
        latin1("\nendstream\nendobj\n"),
      ]);
    }
    parts.push(body);
    size += body.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`];
  for (const at of offsets) xref.push(`${String(at).padStart(10, "0")} 00000 n \n`);
  xref.push(
    `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${size}\n%%EOF\n`,
  );
  parts.push(latin1(xref.join("")));
  return Buffer.concat(parts);
}

const FONT = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";

/** `pages` pages whose /Contents all name the same stream (object 4). */
export function sharedStreamPdf(pages, content) {
  const kids = Array.from({ length: pages }, (_, i) => `${5 + i} 0 R`).join(" ");
  return pdfFile([
    "<< /Type /Catalog /Pages 2 0 R >>",
    `<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`,
    FONT,
    { dict: "<< >>", stream: content },
    ...Array.from(
      { length: pages },
      () =>
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>",
    ),
  ]);
}

/** A content stream: `BT /F1 10 Tf`, `op` `count` times, `ET`. */
export function repeatedOps(op, count) {
  return latin1(`BT /F1 10 Tf 56 790 Td\n${`${op}\n`.repeat(count)}ET\n`);
}

/** One page painting a form XObject `uses` times; the form holds `formOps` text operators. */
export function xobjectReusePdf(uses, formOps) {
  return pdfFile([
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
    FONT,
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> /XObject << /Fm1 5 0 R >> >> /Contents 6 0 R >>",
    {
      dict:
        "<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> >>",
      stream: repeatedOps("(a) Tj", formOps),
    },
    { dict: "<< >>", stream: latin1("q /Fm1 Do Q\n".repeat(uses)) },
  ]);
}

/** Forms nested `depth` deep, each painting the next `fanout` times; the last has 50 operators. */
export function nestedFormsPdf(depth, fanout) {
  const forms = [];
  for (let d = 0; d < depth; d++) {
    const last = d === depth - 1;
    const inner = last ? "" : ` /XObject << /Fm${d + 1} ${7 + d} 0 R >>`;
    forms.push({
      dict:
        `<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >>${inner} >> >>`,
      stream: last ? repeatedOps("(x) Tj", 50) : latin1(`q /Fm${d + 1} Do Q\n`.repeat(fanout)),
    });
  }
  return pdfFile([
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
    FONT,
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Fm0 6 0 R >> >> /Contents 5 0 R >>",
    { dict: "<< >>", stream: latin1(`q /Fm0 Do Q\n`.repeat(fanout)) },
    ...forms,
  ]);
}

/** A page showing `glyphs` glyphs of a Type3 font whose 26 glyph procedures hold `procOps`
 * operators each. */
export function type3Pdf(glyphs, procOps) {
  const letters = "abcdefghijklmnopqrstuvwxyz";
  const procs = [...letters].map((c, i) => `/${c} ${7 + i} 0 R`).join(" ");
  const widths = Array(26).fill(1000).join(" ");
  const text = letters.repeat(Math.ceil(glyphs / 26)).slice(0, glyphs);
  return pdfFile([
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
    `<< /Type /Font /Subtype /Type3 /FontBBox [0 0 1000 1000] /FontMatrix [0.001 0 0 0.001 0 0] /CharProcs 6 0 R /Encoding << /Type /Encoding /Differences [97 ${
      [...letters].map((c) => `/${c}`).join(" ")
    }] >> /FirstChar 97 /LastChar 122 /Widths [${widths}] >>`,
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /T3 3 0 R >> >> /Contents 5 0 R >>",
    {
      dict: "<< >>",
      stream: latin1(`BT /T3 12 Tf 56 790 Td\n${
        `(${text.slice(0, 200)}) Tj\n`.repeat(
          Math.ceil(glyphs / 200),
        )
      }ET\n`),
    },
    `<< ${procs} >>`,
    ...[...letters].map(() => ({
      dict: "<< >>",
      stream: latin1(
        `1000 0 0 0 1000 1000 d1\n${"0 0 m 1000 1000 l 0 1000 l f\n".repeat(procOps)}`,
      ),
    })),
  ]);
}

// ---- JPEG ----------------------------------------------------------------------------------

/** Packs bits MSB first, stuffing 0x00 after every 0xFF, padding the last byte with 1s. */
class BitWriter {
  bytes = [];
  acc = 0;
  n = 0;
  put(value, length) {
    for (let i = length - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >> i) & 1);
      if (++this.n === 8) this.#flush();
    }
  }
  #flush() {
    this.bytes.push(this.acc);
    if (this.acc === 0xff) this.bytes.push(0);
    this.acc = 0;
    this.n = 0;
  }
  align() {
    while (this.n !== 0) this.put(1, 1);
  }
  done() {
    this.align();
    return Buffer.from(this.bytes);
  }
}

const seg = (marker, body) =>
  Buffer.concat([
    Buffer.from([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff]),
    body,
  ]);

/** One Huffman table (class, id) holding a single 1-bit code for `symbol`. */
const dht = (tableClass, id, symbol) => {
  const counts = Buffer.alloc(16);
  counts[0] = 1;
  return seg(
    0xc4,
    Buffer.concat([Buffer.from([(tableClass << 4) | id]), counts, Buffer.from([symbol])]),
  );
};

const dqt = () => seg(0xdb, Buffer.concat([Buffer.from([0]), Buffer.alloc(64, 1)]));

/** COM segments padding a JPEG up to `bytes` (so it is too big to pass and gets decoded). */
function comPadding(bytes) {
  const out = [];
  let left = bytes;
  while (left > 4) {
    const n = Math.min(65_533, left - 4);
    out.push(seg(0xfe, Buffer.alloc(n, 0x20)));
    left -= n + 4;
  }
  return out;
}

/**
 * A greyscale progressive JPEG of `width × height`: one DC scan and `acScans` AC scans, every
 * coefficient zero (each AC scan is a handful of EOB runs), COM-padded to `padTo` bytes.
 */
export function progressiveJpeg(width, height, acScans, padTo = 0) {
  const blocksX = Math.ceil(width / 8), blocksY = Math.ceil(height / 8);
  const blocks = blocksX * blocksY;
  const sof = seg(
    0xc2,
    Buffer.from([8, height >> 8, height & 255, width >> 8, width & 255, 1, 1, 0x11, 0]),
  );
  const dc = new BitWriter();
  for (let i = 0; i < blocks; i++) dc.put(0, 1); // DC difference category 0: code "0"
  const parts = [Buffer.from([0xff, 0xd8]), dqt(), sof, dht(0, 0, 0x00)];
  parts.push(seg(0xda, Buffer.from([1, 1, 0x00, 0, 0, 0])), dc.done());
  // AC: symbol 0xE0 is EOBRUN of 2^14 + 14 extra bits (up to 32,767 blocks).
  const ac = new BitWriter();
  for (let left = blocks; left > 0;) {
    const run = Math.min(32_767, left);
    if (run >= 16_384) {
      ac.put(0, 1);
      ac.put(run - 16_384, 14);
    } else {
      // Not representable by the one code: end with a run this table can say (rest stays zero).
      ac.put(0, 1);
      ac.put(0, 14);
    }
    left -= run;
  }
  const acData = ac.done();
  parts.push(dht(1, 0, 0xe0));
  for (let s = 0; s < acScans; s++) {
    const from = 1 + (s % 63);
    parts.push(seg(0xda, Buffer.from([1, 1, 0x00, from, from, 0])), acData);
  }
  const body = Buffer.concat(parts);
  const pad = comPadding(padTo - body.length - 2);
  return Buffer.concat([body.subarray(0, 2), ...pad, body.subarray(2), Buffer.from([0xff, 0xd9])]);
}

/**
 * A greyscale baseline JPEG with a restart marker after every `interval` MCUs (1 = after each
 * 8×8 block), all blocks flat grey, COM-padded to `padTo` bytes.
 */
export function restartJpeg(width, height, interval, padTo = 0) {
  const mcus = Math.ceil(width / 8) * Math.ceil(height / 8);
  const sof = seg(
    0xc0,
    Buffer.from([8, height >> 8, height & 255, width >> 8, width & 255, 1, 1, 0x11, 0]),
  );
  const dri = seg(0xdd, Buffer.from([interval >> 8, interval & 255]));
  const data = [];
  let w = new BitWriter();
  let rst = 0;
  for (let m = 0; m < mcus; m++) {
    w.put(0, 1); // DC category 0
    w.put(0, 1); // AC EOB
    if ((m + 1) % interval === 0 && m + 1 < mcus) {
      data.push(w.done(), Buffer.from([0xff, 0xd0 + (rst++ & 7)]));
      w = new BitWriter();
    }
  }
  data.push(w.done());
  const body = Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    dqt(),
    sof,
    dht(0, 0, 0x00),
    dht(1, 0, 0x00),
    dri,
    seg(0xda, Buffer.from([1, 1, 0x00, 0, 63, 0])),
    ...data,
  ]);
  const pad = comPadding(padTo - body.length - 2);
  return Buffer.concat([body.subarray(0, 2), ...pad, body.subarray(2), Buffer.from([0xff, 0xd9])]);
}

// ---- PNG -----------------------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

const CHANNELS = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * A PNG whose every row uses `filter` (4 = Paeth) over a gentle ramp (so the rows compress to
 * almost nothing); colour type 3 gets a 256-entry palette.
 */
export function filteredPng(
  width,
  height,
  { colorType = 0, bitDepth = 8, filter = 4, padTo = 0 } = {},
) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colorType;
  const stride = Math.ceil((width * CHANNELS[colorType] * bitDepth) / 8);
  const row = Buffer.alloc(stride + 1);
  row[0] = filter;
  for (let i = 1; i <= stride; i++) row[i] = (i * 7) & 3;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) row.copy(raw, y * (stride + 1));
  const idat = zlib.deflateSync(raw, { level: 9 });
  const parts = [
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
  ];
  if (colorType === 3) {
    const plte = Buffer.alloc(768);
    for (let i = 0; i < 768; i++) plte[i] = (i * 37) & 255;
    parts.push(chunk("PLTE", plte));
  }
  // A private ancillary chunk pads the file past what is sent as is, so that it is decoded.
  const size = parts.reduce((n, p) => n + p.length, 0) + idat.length + 24;
  if (padTo > size + 12) parts.push(chunk("prVt", Buffer.alloc(padTo - size - 12)));
  parts.push(chunk("IDAT", idat), chunk("IEND", Buffer.alloc(0)));
  return Buffer.concat(parts);
}

// ---- DOCX ----------------------------------------------------------------------------------

/** A stored-or-deflated zip of `files` ({ name: Buffer }). */
export function zipArchive(files) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = zlib.deflateRawSync(content, { level: 6 });
    const nameBytes = Buffer.from(name, "utf8");
    const crc = crc32(content);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(content.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(content.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
const CONTENT_TYPES =
  '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>';

/** A DOCX whose document.xml is the given body. */
export function docxWith(body) {
  return zipArchive({
    "[Content_Types].xml": Buffer.from(CONTENT_TYPES),
    "word/document.xml": Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?><w:document ${W}><w:body>${body}</w:body></w:document>`,
    ),
  });
}

/** A few hex digits from a small LCG: attribute values that keep the XML from compressing past
 * the zip ratio check (deflate would otherwise squeeze repeated tags ~1,000×, and Node's and
 * Deno's zlib squeeze differently). */
function lcg(seed) {
  let x = seed >>> 0;
  return () => (x = (x * 1103515245 + 12345) >>> 0).toString(16);
}

/** Tags nested `depth` deep (`<w:sdt>` content controls, each with its own id) around one
 * paragraph. */
export function deepNestingDocx(depth) {
  const id = lcg(7);
  const open = [];
  for (let d = 0; d < depth; d++) {
    open.push(`<w:sdt><w:sdtPr><w:id w:val="${id()}"/></w:sdtPr><w:sdtContent>`);
  }
  return docxWith(
    open.join("") + "<w:p><w:r><w:t>deep</w:t></w:r></w:p>" +
      "</w:sdtContent></w:sdt>".repeat(depth),
  );
}

/** `count` empty runs with random colours in one paragraph: nodes, almost no text. */
export function manyNodesDocx(count) {
  const colour = lcg(11);
  const runs = [];
  for (let i = 0; i < count; i++) {
    runs.push(`<w:r><w:rPr><w:color w:val="${colour()}"/></w:rPr></w:r>`);
  }
  return docxWith(`<w:p><w:r><w:t>a</w:t></w:r>${runs.join("")}</w:p>`);
}

/** One paragraph of `runs` runs, each one word of Cyrillic text: the random-file fuzz test's
 * DOCX shape (seed 780843 put 401,741 of them at 1,560 ms of CPU), nested `depth` deep. With
 * `varied`, each run's word is one of 16 picked by an LCG, so that Node's zlib as well as Deno's
 * keeps the file under the zip ratio check (the same word repeated deflates ~1,000× in Node). */
export function wordRunsDocx(runs, depth = 0, { varied = false } = {}) {
  const run = (word) => `<w:r><w:t xml:space="preserve">${word} </w:t></w:r>`;
  let body;
  if (varied) {
    const words = [
      "слово",
      "число",
      "время",
      "задача",
      "ответ",
      "пример",
      "урок",
      "точка",
      "сумма",
      "доля",
      "закон",
      "форма",
      "опыт",
      "вывод",
      "метод",
      "мир",
    ];
    const pick = lcg(13);
    body = Array.from({ length: runs }, () => run(words[parseInt(pick(), 16) >>> 28])).join("");
  } else {
    body = run("слово").repeat(runs);
  }
  return docxWith(
    "<w:sdt><w:sdtContent>".repeat(depth) + `<w:p>${body}</w:p>` +
      "</w:sdtContent></w:sdt>".repeat(depth),
  );
}

// ---- the corpus ----------------------------------------------------------------------------

/**
 * Every hostile shape with its expected answer: `refuse` (a 4xx with `code`, fast) or `accept`
 * (200 within the CPU and memory bound). `issue` marks the rows of issue 21's table.
 * @type {{ id: string, label: string, name: string, expect: "accept" | "refuse", code?: string,
 *   issue?: boolean, make: () => Buffer }[]}
 */
export const CORPUS = [
  {
    id: "pdf-shared-td",
    label: "PDF: 100 pages sharing one stream of 1 M Td",
    name: "shared-td.pdf",
    expect: "refuse",
    code: "work_limit_exceeded",
    issue: true,
    make: () => sharedStreamPdf(100, repeatedOps("1 0 Td", 1_000_000)),
  },
  {
    id: "pdf-shared-tj",
    label: "PDF: 300 pages sharing one stream of 200 k () Tj",
    name: "shared-tj.pdf",
    expect: "refuse",
    code: "work_limit_exceeded",
    issue: true,
    make: () => sharedStreamPdf(300, repeatedOps("() Tj", 200_000)),
  },
  {
    id: "pdf-one-page-tj",
    label: "PDF: one page, 1 M empty () Tj",
    name: "one-page-tj.pdf",
    expect: "refuse",
    code: "work_limit_exceeded",
    issue: true,
    make: () => sharedStreamPdf(1, repeatedOps("() Tj", 1_000_000)),
  },
  {
    id: "pdf-xobject-reuse",
    label: "PDF: one form of 20 k Tj painted 2,000 times",
    name: "xobject-reuse.pdf",
    expect: "refuse",
    code: "work_limit_exceeded",
    make: () => xobjectReusePdf(2_000, 20_000),
  },
  {
    id: "pdf-nested-forms",
    label: "PDF: forms nested 4 deep, each painting the next 60 times",
    name: "nested-forms.pdf",
    expect: "refuse",
    code: "work_limit_exceeded",
    make: () => nestedFormsPdf(4, 60),
  },
  {
    id: "pdf-type3",
    label: "PDF: Type3 font, 26 glyph procs of 40 k operators, 20 k glyphs",
    name: "type3.pdf",
    expect: "refuse",
    code: "work_limit_exceeded",
    make: () => type3Pdf(20_000, 40_000),
  },
  {
    id: "jpeg-2000-scans",
    label: "progressive JPEG 12 MP, 1 DC + 2,000 AC scans, padded to 3.2 MB",
    name: "scans-2000.jpg",
    expect: "refuse",
    code: "work_limit_exceeded",
    issue: true,
    make: () => progressiveJpeg(4000, 3000, 2_000, 3_200_000),
  },
  {
    id: "jpeg-10000-scans",
    label: "progressive JPEG 12 MP, 1 DC + 10,000 AC scans, padded to 3.4 MB",
    name: "scans-10000.jpg",
    expect: "refuse",
    code: "work_limit_exceeded",
    issue: true,
    make: () => progressiveJpeg(4000, 3000, 10_000, 3_400_000),
  },
  {
    id: "jpeg-restarts",
    label: "baseline JPEG 12 MP, a restart marker after every block, padded to 3.2 MB",
    name: "restarts.jpg",
    expect: "accept",
    make: () => restartJpeg(4000, 3000, 1, 3_200_000),
  },
  {
    id: "png-palette-paeth",
    label: "PNG 7071×7071 palette, every row Paeth",
    name: "palette-paeth.png",
    expect: "refuse",
    code: "work_limit_exceeded",
    issue: true,
    make: () => filteredPng(7071, 7071, { colorType: 3 }),
  },
  {
    id: "png-grey-paeth",
    label: "PNG 7071×7071 grey, every row Paeth",
    name: "grey-paeth.png",
    expect: "refuse",
    code: "work_limit_exceeded",
    issue: true,
    make: () => filteredPng(7071, 7071, { colorType: 0 }),
  },
  {
    id: "png-16bit-paeth",
    label: "PNG 3260×3260 RGB 16-bit, every row Paeth, padded to 3.2 MB",
    name: "rgb16-paeth.png",
    expect: "accept",
    make: () => filteredPng(3260, 3260, { colorType: 2, bitDepth: 16, padTo: 3_200_000 }),
  },
  {
    id: "docx-deep-nesting",
    label: "DOCX nested 200,000 deep",
    name: "deep.docx",
    expect: "accept",
    make: () => deepNestingDocx(200_000),
  },
  {
    id: "docx-many-nodes",
    label: "DOCX with 800 k empty runs (~40 MB of XML)",
    name: "nodes.docx",
    expect: "accept",
    make: () => manyNodesDocx(800_000),
  },
  {
    id: "docx-word-runs",
    label: "DOCX: one paragraph of 220 k one-word runs, nested 100,000 deep",
    name: "word-runs.docx",
    // The random-file fuzz test's shape at about the most the work meter accepts (~1.08 M of
    // 1.1 M units); 401 k such runs took 1.53–1.57 s of CPU when runs were priced as bytes only.
    expect: "accept",
    make: () => wordRunsDocx(220_000, 100_000, { varied: true }),
  },
  {
    id: "txt-one-paragraph",
    label: "text file: one paragraph of 1.2 M one-letter words (2.4 MB)",
    name: "words.txt",
    // Splitting it into parts cost 1.48 s of CPU (~1.2 µs a word) before the split became one
    // backward scan per part.
    expect: "accept",
    make: () => Buffer.from("a ".repeat(1_200_000)),
  },
];
