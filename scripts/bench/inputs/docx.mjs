// Word documents built from their XML parts: text only, text with photos, and a bomb whose
// document.xml inflates to ~1.1 GB.
import { deflateChunks, repeated } from "./deflate.mjs";
import { prng, prose } from "./random.mjs";
import { zip } from "./zip.mjs";

const NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ' +
  'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ' +
  'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" ' +
  'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" ' +
  'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"';
const HEAD = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document ${NS}><w:body>`;
const TAIL = "</w:body></w:document>";

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="jpeg" ContentType="image/jpeg"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`;
const ROOT_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`;

function documentRels(images) {
  const rels = images.map((_, i) =>
    `<Relationship Id="rIdImg${
      i + 1
    }" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image${
      i + 1
    }.jpeg"/>`
  );
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${
    rels.join("")
  }</Relationships>`;
}

const escapeXml = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const paragraph = (text) =>
  `<w:p><w:r><w:t xml:space="preserve">${escapeXml(text)}</w:t></w:r></w:p>`;

function picture(i) {
  const cx = 5486400;
  const cy = 4114800;
  return `<w:p><w:r><w:drawing><wp:inline><wp:extent cx="${cx}" cy="${cy}"/><wp:docPr id="${i}" name="Picture ${i}"/><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:nvPicPr><pic:cNvPr id="${i}" name="image${i}.jpeg"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="rIdImg${i}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="${cx}" cy="${cy}"/></a:xfrm><a:prstGeom prst="rect"/></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>`;
}

function docx(documentXml, images = []) {
  return zip([
    { name: "[Content_Types].xml", data: Buffer.from(CONTENT_TYPES) },
    { name: "_rels/.rels", data: Buffer.from(ROOT_RELS) },
    { name: "word/_rels/document.xml.rels", data: Buffer.from(documentRels(images)) },
    { name: "word/document.xml", data: Buffer.from(documentXml) },
    ...images.map((data, i) => ({ name: `word/media/image${i + 1}.jpeg`, data, store: true })),
  ]);
}

/** A text-only DOCX of about `fileBytes` on disk (the prose deflates ~4.4:1, so ~22 MB of XML for 5 MB). */
export function textDocx(fileBytes, { seed = 5 } = {}) {
  const random = prng(seed);
  const paras = [];
  let xmlBytes = 0;
  const target = fileBytes * 4.4; // this prose deflates ~4.4:1 (measured)
  while (xmlBytes < target) {
    const p = paragraph(prose(random, 600));
    paras.push(p);
    xmlBytes += Buffer.byteLength(p);
  }
  return docx(HEAD + paras.join("") + TAIL);
}

/** A page of text and the given JPEG photos. */
export function photosDocx(photos, { seed = 6 } = {}) {
  const random = prng(seed);
  const text = Array.from({ length: 6 }, () => paragraph(prose(random, 500)));
  const body = [
    text.slice(0, 3).join(""),
    ...photos.map((_, i) => picture(i + 1)),
    text.slice(3).join(""),
  ];
  return docx(HEAD + body.join("") + TAIL, photos);
}

/** A DOCX whose word/document.xml inflates to about `inflatedBytes`: one paragraph repeated. */
export async function bombDocx(inflatedBytes) {
  const head = Buffer.from(HEAD);
  const tail = Buffer.from(TAIL);
  const unit = Buffer.from(paragraph("Бомба: повторённый абзац / repeated paragraph. "));
  const body = repeated(
    unit,
    Math.floor((inflatedBytes - head.length - tail.length) / unit.length) * unit.length,
  );
  let stage = 0;
  const deflated = await deflateChunks(() => {
    if (stage === 0) {
      stage = 1;
      return head;
    }
    if (stage === 1) {
      const c = body();
      if (c !== null) return c;
      stage = 2;
      return tail;
    }
    return null;
  }, { raw: true });
  return zip([
    { name: "[Content_Types].xml", data: Buffer.from(CONTENT_TYPES) },
    { name: "_rels/.rels", data: Buffer.from(ROOT_RELS) },
    { name: "word/_rels/document.xml.rels", data: Buffer.from(documentRels([])) },
    { name: "word/document.xml", deflated },
  ]);
}
