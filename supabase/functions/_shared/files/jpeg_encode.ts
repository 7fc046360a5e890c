// A baseline JPEG encoder (ITU-T T.81: sequential DCT, Huffman, 8-bit), written for the worker's
// memory budget: jpeg-js collects its output one number at a time in a JS array and allocates per
// block, and three encodes of a 3 MP noise image took its heap to 150–250 MB (hosted counts heap +
// external against 256 MB). Here the output goes into one byte buffer that grows by doubling, the
// pixels are converted one row of MCUs (16 rows) at a time, and every block reuses the same scratch
// arrays, so memory is the output plus a few KB.
//
// Layout: JFIF 1.01, YCbCr (JFIF coefficients), 4:2:0 (chroma averaged over 2×2, as libjpeg and
// phone cameras do), the Annex K quantisation tables scaled by quality as libjpeg's
// `jpeg_quality_scaling` does, the Annex K.3 Huffman tables, one scan, no restart markers. The DCT
// is the Arai–Agui–Nakajima float factorisation with its scale factors folded into the quantiser
// (as libjpeg's `jfdctflt.c` does). Edges past the image repeat the last column and row.
import { concatBytes } from "../bytes.ts";

/** Annex K, Table K.1: luminance quantisation, natural (row-major) order. */
const LUMA_QUANT = [
  16,
  11,
  10,
  16,
  24,
  40,
  51,
  61,
  12,
  12,
  14,
  19,
  26,
  58,
  60,
  55,
  14,
  13,
  16,
  24,
  40,
  57,
  69,
  56,
  14,
  17,
  22,
  29,
  51,
  87,
  80,
  62,
  18,
  22,
  37,
  56,
  68,
  109,
  103,
  77,
  24,
  35,
  55,
  64,
  81,
  104,
  113,
  92,
  49,
  64,
  78,
  87,
  103,
  121,
  120,
  101,
  72,
  92,
  95,
  98,
  112,
  100,
  103,
  99,
]; // deno-fmt-ignore

/** Annex K, Table K.2: chrominance quantisation, natural order. */
const CHROMA_QUANT = [
  17, 18, 24, 47, 99, 99, 99, 99,
  18, 21, 26, 66, 99, 99, 99, 99,
  24, 26, 56, 99, 99, 99, 99, 99,
  47, 66, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99,
]; // deno-fmt-ignore

/** A Huffman table as DHT carries it: code counts per length 1–16, then symbols by code order. */
interface HuffmanSpec {
  bits: readonly number[];
  values: readonly number[];
}

/** Annex K.3, Tables K.3–K.6 (K.3.3.1 and K.3.3.2 list the AC symbols). */
const DC_LUMA: HuffmanSpec = {
  bits: [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
  values: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
};
const DC_CHROMA: HuffmanSpec = {
  bits: [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0],
  values: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
};
const AC_LUMA: HuffmanSpec = {
  bits: [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d],
  values: [
    0x01,
    0x02,
    0x03,
    0x00,
    0x04,
    0x11,
    0x05,
    0x12,
    0x21,
    0x31,
    0x41,
    0x06,
    0x13,
    0x51,
    0x61,
    0x07,
    0x22,
    0x71,
    0x14,
    0x32,
    0x81,
    0x91,
    0xa1,
    0x08,
    0x23,
    0x42,
    0xb1,
    0xc1,
    0x15,
    0x52,
    0xd1,
    0xf0,
    0x24,
    0x33,
    0x62,
    0x72,
    0x82,
    0x09,
    0x0a,
    0x16,
    0x17,
    0x18,
    0x19,
    0x1a,
    0x25,
    0x26,
    0x27,
    0x28,
    0x29,
    0x2a,
    0x34,
    0x35,
    0x36,
    0x37,
    0x38,
    0x39,
    0x3a,
    0x43,
    0x44,
    0x45,
    0x46,
    0x47,
    0x48,
    0x49,
    0x4a,
    0x53,
    0x54,
    0x55,
    0x56,
    0x57,
    0x58,
    0x59,
    0x5a,
    0x63,
    0x64,
    0x65,
    0x66,
    0x67,
    0x68,
    0x69,
    0x6a,
    0x73,
    0x74,
    0x75,
    0x76,
    0x77,
    0x78,
    0x79,
    0x7a,
    0x83,
    0x84,
    0x85,
    0x86,
    0x87,
    0x88,
    0x89,
    0x8a,
    0x92,
    0x93,
    0x94,
    0x95,
    0x96,
    0x97,
    0x98,
    0x99,
    0x9a,
    0xa2,
    0xa3,
    0xa4,
    0xa5,
    0xa6,
    0xa7,
    0xa8,
    0xa9,
    0xaa,
    0xb2,
    0xb3,
    0xb4,
    0xb5,
    0xb6,
    0xb7,
    0xb8,
    0xb9,
    0xba,
    0xc2,
    0xc3,
    0xc4,
    0xc5,
    0xc6,
    0xc7,
    0xc8,
    0xc9,
    0xca,
    0xd2,
    0xd3,
    0xd4,
    0xd5,
    0xd6,
    0xd7,
    0xd8,
    0xd9,
    0xda,
    0xe1,
    0xe2,
    0xe3,
    0xe4,
    0xe5,
    0xe6,
    0xe7,
    0xe8,
    0xe9,
    0xea,
    0xf1,
    0xf2,
    0xf3,
    0xf4,
    0xf5,
    0xf6,
    0xf7,
    0xf8,
    0xf9,
    0xfa,
  ],
}; // deno-fmt-ignore
const AC_CHROMA: HuffmanSpec = {
  bits: [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77],
  values: [
    0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71,
    0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0,
    0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26,
    0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
    0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
    0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
    0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5,
    0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
    0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda,
    0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
    0xf9, 0xfa,
  ],
}; // deno-fmt-ignore

/** ZIGZAG[k] is the natural (row-major) index of the k-th coefficient in zigzag order (Figure A.6). */
export const ZIGZAG: Int32Array = (() => {
  const order = new Int32Array(64);
  let k = 0;
  for (let sum = 0; sum < 15; sum++) {
    // Odd diagonals run down-left (row grows), even ones up-right.
    const rows: number[] = [];
    for (let row = Math.max(0, sum - 7); row <= Math.min(7, sum); row++) rows.push(row);
    if (sum % 2 === 0) rows.reverse();
    for (const row of rows) order[k++] = row * 8 + (sum - row);
  }
  return order;
})();

/** AAN scale factors: cos(k·π/16)·√2 for k > 0, 1 for k = 0. */
const AAN_SCALE = [
  1.0,
  1.387039845,
  1.306562965,
  1.175875602,
  1.0,
  0.785694958,
  0.5411961,
  0.275899379,
];

/** libjpeg's `jpeg_quality_scaling` + `jpeg_add_quant_table` (baseline: clamped to 1–255). */
export function quantTable(
  base: readonly number[],
  quality: number,
): Uint8Array {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const scale = q < 50 ? Math.floor(5000 / q) : 200 - q * 2;
  const table = new Uint8Array(64);
  for (let i = 0; i < 64; i++) {
    table[i] = Math.min(
      255,
      Math.max(1, Math.floor((base[i] * scale + 50) / 100)),
    );
  }
  return table;
}

/** 1 / (q · aan[row] · aan[col] · 8), indexed in zigzag order, to turn a DCT output into a level. */
function divisors(table: Uint8Array): Float32Array {
  const out = new Float32Array(64);
  for (let k = 0; k < 64; k++) {
    const n = ZIGZAG[k];
    out[k] = 1 / (table[n] * AAN_SCALE[n >> 3] * AAN_SCALE[n & 7] * 8);
  }
  return out;
}

/** Code and length of every symbol (Annex C: codes assigned in order of length). */
interface HuffmanCodes {
  code: Int32Array;
  size: Int32Array;
}

function huffmanCodes(spec: HuffmanSpec): HuffmanCodes {
  const code = new Int32Array(256);
  const size = new Int32Array(256);
  let next = 0, at = 0;
  for (let length = 1; length <= 16; length++) {
    for (let i = 0; i < spec.bits[length - 1]; i++) {
      const symbol = spec.values[at++];
      code[symbol] = next++;
      size[symbol] = length;
    }
    next <<= 1;
  }
  return { code, size };
}

const CODES = {
  dcLuma: huffmanCodes(DC_LUMA),
  acLuma: huffmanCodes(AC_LUMA),
  dcChroma: huffmanCodes(DC_CHROMA),
  acChroma: huffmanCodes(AC_CHROMA),
};

/**
 * Bytes out, in chunks of at most 1 MB joined once at the end: growing one buffer by doubling would
 * leave up to twice the output as garbage (external memory, which hosted counts), chunks leave one
 * copy. `reserve` is called once per MCU with its worst case, so the bit writer never checks length.
 */
class ByteSink {
  bytes: Uint8Array;
  length = 0;
  private readonly full: Uint8Array[] = [];
  private readonly chunkSize: number;
  /** Bits not yet written, right-aligned; fewer than 8 between calls. */
  private bitBuffer = 0;
  private bitCount = 0;

  constructor(chunkSize: number) {
    this.chunkSize = chunkSize;
    this.bytes = new Uint8Array(chunkSize);
  }

  reserve(more: number) {
    if (this.length + more <= this.bytes.length) return;
    this.full.push(this.bytes.subarray(0, this.length));
    this.bytes = new Uint8Array(Math.max(this.chunkSize, more));
    this.length = 0;
  }

  /** The bytes written, in one exact-size array. */
  join(): Uint8Array {
    return concatBytes([...this.full, this.bytes.subarray(0, this.length)]);
  }

  byte(value: number) {
    this.reserve(1);
    this.bytes[this.length++] = value;
  }

  u16(value: number) {
    this.byte(value >> 8);
    this.byte(value & 0xff);
  }

  array(values: ArrayLike<number>) {
    this.reserve(values.length);
    for (let i = 0; i < values.length; i++) {
      this.bytes[this.length++] = values[i];
    }
  }

  /** Appends the low `size` (≤ 16) bits of `value`, stuffing a 0x00 after every 0xFF (F.1.2.3). */
  bits(value: number, size: number) {
    const buffer = (this.bitBuffer << size) | (value & ((1 << size) - 1));
    let count = this.bitCount + size;
    const bytes = this.bytes;
    while (count >= 8) {
      count -= 8;
      const byte = (buffer >>> count) & 0xff;
      bytes[this.length++] = byte;
      if (byte === 0xff) bytes[this.length++] = 0;
    }
    this.bitBuffer = buffer & ((1 << count) - 1);
    this.bitCount = count;
  }

  /** Pads the last byte with 1 bits (F.1.2.3) before a marker. */
  flushBits() {
    if (this.bitCount > 0) this.bits(0x7f, 8 - this.bitCount);
  }
}

/** Worst case of one block: 16 + 11 bits of DC, 63 × (16 + 10) bits of AC, all stuffed: < 512 B. */
const BLOCK_WORST_BYTES = 512;

/**
 * Encodes RGBA pixels (alpha ignored: flatten first) as a baseline JFIF JPEG, 4:2:0, at `quality`
 * 1–100 (libjpeg's scale: 75 is its default, 80–90 a typical camera). Any size from 1×1 up to
 * 65535×65535.
 * @example
 * const jpeg = encodeBaselineJpeg({ data: rgba, width: 640, height: 480 }, 80);
 */
export function encodeBaselineJpeg(
  image: { data: Uint8Array; width: number; height: number },
  quality: number,
): Uint8Array {
  const { data, width, height } = image;
  if (
    !Number.isInteger(width) || !Number.isInteger(height) || width < 1 ||
    height < 1 ||
    width > 65535 || height > 65535 || data.length < width * height * 4
  ) {
    throw new RangeError(
      `jpeg: cannot encode ${width}×${height} from ${data.length} bytes`,
    );
  }
  const lumaTable = quantTable(LUMA_QUANT, quality);
  const chromaTable = quantTable(CHROMA_QUANT, quality);
  // Chunks of ~0.25 B a pixel (a q80 photo is ~0.15), between 4 KB and 1 MB.
  const out = new ByteSink(
    Math.max(4096, Math.min(1 << 20, (width * height) >> 2)),
  );
  writeHeaders(out, width, height, lumaTable, chromaTable);

  const lumaDivisors = divisors(lumaTable);
  const chromaDivisors = divisors(chromaTable);
  const mcuColumns = Math.ceil(width / 16);
  const mcuRows = Math.ceil(height / 16);
  const paddedWidth = mcuColumns * 16;
  // One row of MCUs: 16 rows of Y, 8 of Cb and Cr at half width, level-shifted (−128).
  const yRows = new Float32Array(paddedWidth * 16);
  const cbRows = new Float32Array((paddedWidth / 2) * 8);
  const crRows = new Float32Array((paddedWidth / 2) * 8);
  const block = new Float32Array(64);
  const levels = new Int32Array(64);
  const predictors = new Int32Array(3);

  for (let mcuY = 0; mcuY < mcuRows; mcuY++) {
    convertRows(
      data,
      width,
      height,
      mcuY * 16,
      paddedWidth,
      yRows,
      cbRows,
      crRows,
    );
    for (let mcuX = 0; mcuX < mcuColumns; mcuX++) {
      out.reserve(6 * BLOCK_WORST_BYTES);
      for (let b = 0; b < 4; b++) {
        const origin = (b >> 1) * 8 * paddedWidth + mcuX * 16 + (b & 1) * 8;
        loadBlock(yRows, origin, paddedWidth, block);
        predictors[0] = encodeBlock(
          out,
          block,
          levels,
          lumaDivisors,
          predictors[0],
          CODES.dcLuma,
          CODES.acLuma,
        );
      }
      const half = paddedWidth / 2;
      loadBlock(cbRows, mcuX * 8, half, block);
      predictors[1] = encodeBlock(
        out,
        block,
        levels,
        chromaDivisors,
        predictors[1],
        CODES.dcChroma,
        CODES.acChroma,
      );
      loadBlock(crRows, mcuX * 8, half, block);
      predictors[2] = encodeBlock(
        out,
        block,
        levels,
        chromaDivisors,
        predictors[2],
        CODES.dcChroma,
        CODES.acChroma,
      );
    }
  }
  out.flushBits();
  out.u16(0xffd9); // EOI
  return out.join();
}

function writeHeaders(
  out: ByteSink,
  width: number,
  height: number,
  lumaTable: Uint8Array,
  chromaTable: Uint8Array,
) {
  out.u16(0xffd8); // SOI
  // APP0 JFIF 1.01, no density unit (aspect 1:1), no thumbnail.
  out.u16(0xffe0);
  out.u16(16);
  out.array([0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  // DQT: two 8-bit tables, in zigzag order.
  out.u16(0xffdb);
  out.u16(2 + 2 * 65);
  for (const [id, table] of [[0, lumaTable], [1, chromaTable]] as const) {
    out.byte(id);
    for (let k = 0; k < 64; k++) out.byte(table[ZIGZAG[k]]);
  }
  // SOF0: 8-bit, three components; Y sampled 2×2, Cb and Cr 1×1.
  out.u16(0xffc0);
  out.u16(17);
  out.byte(8);
  out.u16(height);
  out.u16(width);
  out.byte(3);
  out.array([1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  // DHT: the four standard tables.
  const tables: [number, HuffmanSpec][] = [
    [0x00, DC_LUMA],
    [0x10, AC_LUMA],
    [0x01, DC_CHROMA],
    [0x11, AC_CHROMA],
  ];
  out.u16(0xffc4);
  out.u16(2 + tables.reduce((n, [, spec]) => n + 17 + spec.values.length, 0));
  for (const [classAndId, spec] of tables) {
    out.byte(classAndId);
    out.array(spec.bits);
    out.array(spec.values);
  }
  // SOS: three components, full spectral range, no successive approximation.
  out.u16(0xffda);
  out.u16(12);
  out.byte(3);
  out.array([1, 0x00, 2, 0x11, 3, 0x11]);
  out.array([0, 63, 0]);
}

/**
 * Converts image rows `top … top + 15` to level-shifted Y at full resolution and Cb, Cr averaged over
 * 2×2, repeating the last column and row past the edges.
 */
function convertRows(
  data: Uint8Array,
  width: number,
  height: number,
  top: number,
  paddedWidth: number,
  yRows: Float32Array,
  cbRows: Float32Array,
  crRows: Float32Array,
) {
  const half = paddedWidth / 2;
  for (let pair = 0; pair < 8; pair++) {
    const row0 = Math.min(top + pair * 2, height - 1);
    const row1 = Math.min(top + pair * 2 + 1, height - 1);
    const at0 = row0 * width * 4;
    const at1 = row1 * width * 4;
    const y0 = pair * 2 * paddedWidth;
    const y1 = y0 + paddedWidth;
    const c = pair * half;
    for (let x = 0; x < paddedWidth; x += 2) {
      const xa = (x < width ? x : width - 1) * 4;
      const xb = (x + 1 < width ? x + 1 : width - 1) * 4;
      let r = data[at0 + xa], g = data[at0 + xa + 1], b = data[at0 + xa + 2];
      let rSum = r, gSum = g, bSum = b;
      yRows[y0 + x] = 0.299 * r + 0.587 * g + 0.114 * b - 128;
      r = data[at0 + xb], g = data[at0 + xb + 1], b = data[at0 + xb + 2];
      rSum += r, gSum += g, bSum += b;
      yRows[y0 + x + 1] = 0.299 * r + 0.587 * g + 0.114 * b - 128;
      r = data[at1 + xa], g = data[at1 + xa + 1], b = data[at1 + xa + 2];
      rSum += r, gSum += g, bSum += b;
      yRows[y1 + x] = 0.299 * r + 0.587 * g + 0.114 * b - 128;
      r = data[at1 + xb], g = data[at1 + xb + 1], b = data[at1 + xb + 2];
      rSum += r, gSum += g, bSum += b;
      yRows[y1 + x + 1] = 0.299 * r + 0.587 * g + 0.114 * b - 128;
      // JFIF: Cb = −0.168736 R − 0.331264 G + 0.5 B + 128 (the +128 and −128 cancel), on the mean.
      cbRows[c + (x >> 1)] = (-0.168736 * rSum - 0.331264 * gSum + 0.5 * bSum) *
        0.25;
      crRows[c + (x >> 1)] = (0.5 * rSum - 0.418688 * gSum - 0.081312 * bSum) *
        0.25;
    }
  }
}

function loadBlock(
  rows: Float32Array,
  origin: number,
  stride: number,
  block: Float32Array,
) {
  for (let y = 0, i = 0; y < 8; y++) {
    const at = origin + y * stride;
    for (let x = 0; x < 8; x++) block[i++] = rows[at + x];
  }
}

/**
 * Forward DCT of `block` in place (AAN: 5 multiplies per 8 points; the outputs are scaled by
 * 8 · aan[u] · aan[v], which the divisors undo).
 */
function forwardDct(d: Float32Array) {
  for (let pass = 0; pass < 2; pass++) {
    // Rows first (step 1 within a row, 8 between rows), then columns (step 8, 1 between columns).
    const step = pass === 0 ? 1 : 8;
    const next = pass === 0 ? 8 : 1;
    for (let line = 0, o = 0; line < 8; line++, o += next) {
      const i0 = o, i1 = o + step, i2 = o + 2 * step, i3 = o + 3 * step;
      const i4 = o + 4 * step,
        i5 = o + 5 * step,
        i6 = o + 6 * step,
        i7 = o + 7 * step;
      const tmp0 = d[i0] + d[i7], tmp7 = d[i0] - d[i7];
      const tmp1 = d[i1] + d[i6], tmp6 = d[i1] - d[i6];
      const tmp2 = d[i2] + d[i5], tmp5 = d[i2] - d[i5];
      const tmp3 = d[i3] + d[i4], tmp4 = d[i3] - d[i4];
      // Even part.
      let tmp10 = tmp0 + tmp3;
      const tmp13 = tmp0 - tmp3;
      let tmp11 = tmp1 + tmp2;
      let tmp12 = tmp1 - tmp2;
      d[i0] = tmp10 + tmp11;
      d[i4] = tmp10 - tmp11;
      const z1 = (tmp12 + tmp13) * 0.707106781;
      d[i2] = tmp13 + z1;
      d[i6] = tmp13 - z1;
      // Odd part.
      tmp10 = tmp4 + tmp5;
      tmp11 = tmp5 + tmp6;
      tmp12 = tmp6 + tmp7;
      const z5 = (tmp10 - tmp12) * 0.382683433;
      const z2 = 0.5411961 * tmp10 + z5;
      const z4 = 1.306562965 * tmp12 + z5;
      const z3 = tmp11 * 0.707106781;
      const z11 = tmp7 + z3;
      const z13 = tmp7 - z3;
      d[i5] = z13 + z2;
      d[i3] = z13 - z2;
      d[i1] = z11 + z4;
      d[i7] = z11 - z4;
    }
  }
}

/** DCT, quantisation and Huffman coding of one block (F.1.2); returns the new DC predictor. */
function encodeBlock(
  out: ByteSink,
  block: Float32Array,
  levels: Int32Array,
  divisor: Float32Array,
  predictor: number,
  dc: HuffmanCodes,
  ac: HuffmanCodes,
): number {
  forwardDct(block);
  for (let k = 0; k < 64; k++) {
    // Nearest level, halves away from zero (symmetric about 0).
    const v = block[ZIGZAG[k]] * divisor[k];
    levels[k] = v < 0 ? -((0.5 - v) | 0) : (v + 0.5) | 0;
  }
  // Baseline AC levels have at most 10 bits; float error at quality 100 could reach 1024.
  for (let k = 1; k < 64; k++) {
    if (levels[k] > 1023) levels[k] = 1023;
    else if (levels[k] < -1023) levels[k] = -1023;
  }
  // DC: the difference from the previous block of the same component (F.1.2.1).
  const diff = levels[0] - predictor;
  let magnitude = diff < 0 ? -diff : diff;
  let size = magnitude === 0 ? 0 : 32 - Math.clz32(magnitude);
  out.bits(dc.code[size], dc.size[size]);
  if (size > 0) out.bits(diff < 0 ? diff - 1 : diff, size);
  // AC: runs of zeros and sizes (F.1.2.2); ZRL (0xF0) for 16 zeros, EOB (0x00) after the last.
  let run = 0;
  for (let k = 1; k < 64; k++) {
    const value = levels[k];
    if (value === 0) {
      run++;
      continue;
    }
    while (run > 15) {
      out.bits(ac.code[0xf0], ac.size[0xf0]);
      run -= 16;
    }
    magnitude = value < 0 ? -value : value;
    size = 32 - Math.clz32(magnitude);
    const symbol = (run << 4) | size;
    out.bits(ac.code[symbol], ac.size[symbol]);
    out.bits(value < 0 ? value - 1 : value, size);
    run = 0;
  }
  if (run > 0) out.bits(ac.code[0x00], ac.size[0x00]);
  return levels[0];
}
