// A minimal PNG writer: 8-bit RGB or grayscale, filter 0 on every row, one zlib stream split into
// IDAT chunks. Enough for a screenshot and for the decompression bomb.
import zlib from "node:zlib";
import { deflateChunks, repeated } from "./deflate.mjs";

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(data, zlib.crc32(head.subarray(4))), 0);
  return Buffer.concat([head, data, crc]);
}

function ihdr(width, height, colorType) {
  const d = Buffer.alloc(13);
  d.writeUInt32BE(width, 0);
  d.writeUInt32BE(height, 4);
  d[8] = 8; // bit depth
  d[9] = colorType; // 0 grayscale, 2 RGB
  return chunk("IHDR", d);
}

function assemble(width, height, colorType, zdata) {
  const idats = [];
  for (let o = 0; o < zdata.length; o += 1 << 20) {
    idats.push(chunk("IDAT", zdata.subarray(o, o + (1 << 20))));
  }
  return Buffer.concat([
    SIGNATURE,
    ihdr(width, height, colorType),
    ...idats,
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Encodes `rgb` (width × height × 3 bytes) as a PNG. */
export function encodePng(width, height, rgb) {
  const stride = width * 3;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0;
    rgb.copy(raw, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  }
  return assemble(width, height, 2, zlib.deflateSync(raw, { level: 6 }));
}

/** A grayscale PNG of `width` × `height` black pixels: tiny on disk, width × height bytes decoded. */
export async function zeroPng(width, height) {
  const { compressed } = await deflateChunks(repeated(Buffer.alloc(1), (width + 1) * height));
  return assemble(width, height, 0, compressed);
}
