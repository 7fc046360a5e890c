import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";
import { getModel } from "../ai/catalog.ts";
import { decodeJpegScaled, encodeJpeg, type Rgba } from "./codecs.ts";
import {
  checkImageForVision,
  dataUrlLength,
  type ImageLimits,
  prepareImageForVision,
  readImageHeader,
  structureIsWhole,
  toDataUrl,
} from "./image.ts";
import { concat, fixture, noise, noisePng } from "./test_fixtures.ts";

const vision = getModel("groq", "qwen/qwen3.8-27b");
const GROQ: ImageLimits = {
  maxBytes: vision.maxImageBytes!,
  maxPixels: vision.maxImagePixels!,
};

/** `width × height` of smooth-but-busy pixels (like a photo), RGBA. */
function photoPixels(width: number, height: number, grainShift = 4): Rgba {
  const data = new Uint8Array(width * height * 4);
  const grain = noise(4096);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 4) {
      const g = grain[(x * 31 + y * 17) & 4095] >> grainShift;
      data[i] = ((x >> 3) + g) & 0xff;
      data[i + 1] = ((y >> 3) + g) & 0xff;
      data[i + 2] = ((x ^ y) + g) & 0xff;
      data[i + 3] = 255;
    }
  }
  return { data, width, height };
}

/** Reads a JPEG back at full size, as a check that the output is a real image. */
function decode(bytes: Uint8Array) {
  const header = readImageHeader(bytes)!;
  return decodeJpegScaled(bytes, header.width * header.height, header);
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  new DataView(out.buffer).setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8); // CRC left zero: nothing here checks it
  return out;
}

/** A PNG header claiming `width × height`, with deflated zero rows: a decompression bomb. */
function bombPng(width: number, height: number, rows = 64): Uint8Array {
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, width);
  new DataView(ihdr.buffer).setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return concat([
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk(
      "IDAT",
      new Uint8Array(deflateSync(new Uint8Array((1 + width * 3) * rows))),
    ),
    pngChunk("IEND", new Uint8Array()),
  ]);
}

/** An RGBA PNG of one colour (alpha included), unfiltered. */
function flatPng(width: number, height: number, rgba: number[]): Uint8Array {
  const row = 1 + width * 4;
  const raw = new Uint8Array(row * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) raw.set(rgba, y * row + 1 + x * 4);
  }
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, width);
  new DataView(ihdr.buffer).setUint32(4, height);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return concat([
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", new Uint8Array(deflateSync(raw))),
    pngChunk("IEND", new Uint8Array()),
  ]);
}

/** A JPEG whose SOF0 claims `width × height`, with a token scan: what a bomb looks like. */
function claimedJpeg(width: number, height: number): Uint8Array {
  const sof = [
    0xff,
    0xc0,
    0,
    11,
    8,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    1,
    1,
  ];
  sof.push(0x11, 0);
  sof[3] = sof.length - 2;
  return new Uint8Array([
    0xff,
    0xd8,
    ...sof,
    ...[0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0],
    ...new Array(32).fill(0x11),
    0xff,
    0xd9,
  ]);
}

/** A GIF whose screen is 10×10 but whose one frame claims 60000×60000. */
function hugeFrameGif(): Uint8Array {
  return new Uint8Array([
    ...new TextEncoder().encode("GIF89a"),
    10,
    0,
    10,
    0,
    0,
    0,
    0, // screen 10×10, no global colour table
    0x2c,
    0,
    0,
    0,
    0,
    0x60,
    0xea,
    0x60,
    0xea,
    0, // frame at 0,0 of 60000×60000
    2,
    2,
    0x4c,
    0x01,
    0, // LZW size 2, one sub-block, terminator
    0x3b,
  ]); // deno-fmt-ignore
}

/** Puts an EXIF APP1 with `Orientation = value` right after SOI. */
function withOrientation(jpeg: Uint8Array, value: number): Uint8Array {
  const tiff = [
    0x4d,
    0x4d,
    0,
    42,
    0,
    0,
    0,
    8,
    0,
    1,
    0x01,
    0x12,
    0,
    3,
    0,
    0,
    0,
    1,
    0,
    value,
    0,
    0,
  ];
  const exif = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff, 0, 0, 0, 0];
  const app1 = [
    0xff,
    0xe1,
    (exif.length + 2) >> 8,
    (exif.length + 2) & 0xff,
    ...exif,
  ];
  return concat([jpeg.subarray(0, 2), new Uint8Array(app1), jpeg.subarray(2)]);
}

Deno.test("image: headers give type and size of PNG, JPEG and GIF", async () => {
  assert.deepEqual(readImageHeader(await fixture("printed-text.png")), {
    mime: "image/png",
    width: 420,
    height: 80,
    animated: false,
  });
  assert.deepEqual(readImageHeader(await fixture("animated.gif")), {
    mime: "image/gif",
    width: 40,
    height: 30,
    animated: true,
  });
  const jpeg = await encodeJpeg(photoPixels(321, 123), 80);
  assert.deepEqual(readImageHeader(jpeg), {
    mime: "image/jpeg",
    width: 321,
    height: 123,
    animated: false,
  });
  assert.equal(readImageHeader(new TextEncoder().encode("not an image")), null);
});

Deno.test("image: a GIF frame bigger than its screen counts at the frame's size", () => {
  const header = readImageHeader(hugeFrameGif())!;
  assert.deepEqual([header.width, header.height], [60000, 60000]);
});

Deno.test("image: decompression bombs are refused from the header, in milliseconds", () => {
  const bombs = {
    png: bombPng(30000, 30000),
    jpeg: claimedJpeg(60000, 60000),
    gif: hugeFrameGif(),
  };
  assert.ok(bombs.png.length < 1_000_000);
  for (const [kind, bytes] of Object.entries(bombs)) {
    const started = performance.now();
    const check = checkImageForVision(bytes, GROQ);
    const elapsedMs = performance.now() - started;
    assert.equal(
      check.ok ? check.action : check.code,
      "payload_too_large",
      kind,
    );
    assert.ok(!check.ok && /downscale/.test(check.hint), kind);
    assert.ok(elapsedMs < 50, `${kind} took ${elapsedMs} ms`);
  }
});

Deno.test("image: the check passes what fits, resizes what the server can, refuses the rest", async () => {
  const small = await fixture("printed-text.png");
  assert.deepEqual(checkImageForVision(small, GROQ), {
    ok: true,
    header: readImageHeader(small),
    action: "pass",
  });
  const overBytes = await encodeJpeg(photoPixels(1200, 900, 0), 100);
  const tight = {
    maxBytes: dataUrlLength(overBytes.length, "image/jpeg") - 1,
    maxPixels: 1e8,
  };
  assert.equal(checkImageForVision(overBytes, tight).ok && "resize", "resize");
  const expect = (bytes: Uint8Array, limits: ImageLimits) => {
    const c = checkImageForVision(bytes, limits);
    return c.ok ? c.action : c.code;
  };
  assert.equal(
    expect(claimedJpeg(8000, 6000), GROQ),
    "resize",
    "48 MP sequential JPEG",
  );
  assert.equal(
    expect(claimedJpeg(9000, 6000), GROQ),
    "payload_too_large",
    "54 MP JPEG",
  );
  assert.equal(
    expect(noisePng(600, 400), { maxBytes: 10_000, maxPixels: 1e8 }),
    "resize",
  );
  assert.equal(
    expect(await fixture("animated.gif"), GROQ),
    "unprocessable_file",
  );
  assert.equal(
    expect(new TextEncoder().encode("hello"), GROQ),
    "unprocessable_file",
  );
  const cut = small.slice(0, 60);
  assert.equal(expect(cut, GROQ), "unprocessable_file", "truncated PNG");
});

Deno.test("image: a small PNG within the limits is passed through untouched", async () => {
  const bytes = await fixture("printed-text.png");
  const result = await prepareImageForVision(bytes, GROQ);
  assert.ok(result.ok);
  assert.equal(result.image.bytes, bytes);
  assert.equal(result.image.resized, false);
  assert.ok(
    toDataUrl(result.image).startsWith("data:image/png;base64,iVBORw0KGgo"),
  );
  assert.equal(
    toDataUrl(result.image).length,
    dataUrlLength(bytes.length, "image/png"),
  );
});

Deno.test("image: a 12 MP JPEG over 4 MB of base64 is scaled while decoding to fit", async () => {
  const jpeg = await encodeJpeg(photoPixels(4000, 3000), 92);
  assert.ok(
    dataUrlLength(jpeg.length, "image/jpeg") > GROQ.maxBytes,
    `${jpeg.length}`,
  );
  const started = performance.now();
  const result = await prepareImageForVision(jpeg, GROQ);
  const elapsedMs = Math.round(performance.now() - started);
  assert.ok(result.ok);
  const { image } = result;
  assert.deepEqual([image.resized, image.mime, image.width, image.height], [
    true,
    "image/jpeg",
    2000,
    1500,
  ]);
  assert.ok(dataUrlLength(image.bytes.length, image.mime) <= GROQ.maxBytes);
  const back = await decode(image.bytes);
  assert.deepEqual([back.width, back.height], [2000, 1500]);
  console.log(
    `12 MP JPEG (${jpeg.length} B) → 2000×1500, ${image.bytes.length} B in ${elapsedMs} ms`,
  );
});

Deno.test("image: a 9 MB PNG is shrunk and recompressed to fit 4 MB of base64", async () => {
  const png = noisePng(2000, 1500);
  assert.ok(png.length > 9_000_000, `${png.length}`);
  const result = await prepareImageForVision(png, GROQ);
  assert.ok(result.ok);
  const { image } = result;
  assert.equal(image.resized, true);
  assert.ok(dataUrlLength(image.bytes.length, image.mime) <= GROQ.maxBytes);
  assert.ok(
    image.width >= 800 && Math.abs(image.width / image.height - 4 / 3) < 0.01,
  );
});

Deno.test("image: far over the byte limit, the image is shrunk once by the factor its size asks for", async () => {
  // 600×400 of noise is ~160 KB at q80, ~4.3× a 50 KB limit: one box shrink by 3 (√(4.3 · 1.1)
  // rounded up), not halving twice.
  const png = noisePng(600, 400);
  const result = await prepareImageForVision(png, {
    maxBytes: 50_000,
    maxPixels: 1_000_000,
  });
  assert.ok(result.ok);
  const { image } = result;
  assert.deepEqual([image.width, image.height], [200, 133]);
  assert.ok(dataUrlLength(image.bytes.length, image.mime) <= 50_000);
});

Deno.test("image: a 3 MP noise PNG is re-encoded at full size (4:2:0 at q80 fits 4 MB of base64)", async () => {
  const result = await prepareImageForVision(noisePng(2000, 1500), GROQ);
  assert.ok(result.ok);
  assert.deepEqual([result.image.width, result.image.height], [2000, 1500]);
});

Deno.test("image: EXIF orientation 6 is applied, so a phone photo does not arrive sideways", async () => {
  const pixels = photoPixels(400, 300);
  const jpeg = withOrientation(await encodeJpeg(pixels, 95), 6);
  const result = await prepareImageForVision(jpeg, {
    maxBytes: 1e8,
    maxPixels: 100_000,
  });
  assert.ok(result.ok);
  assert.ok(
    result.image.height > result.image.width,
    `${result.image.width}×${result.image.height}`,
  );
});

Deno.test("image: transparency is flattened onto white when re-encoding", async () => {
  const png = flatPng(300, 300, [0, 0, 0, 0]);
  const result = await prepareImageForVision(png, {
    maxBytes: 1_000_000,
    maxPixels: 10_000,
  });
  assert.ok(result.ok);
  const back = await decode(result.image.bytes);
  assert.ok(
    Array.from(back.data.subarray(0, 3)).every((c) => c > 240),
    `${back.data[0]}`,
  );
});

Deno.test("image: a header over broken data is unprocessable: corrupt, without a decode", async () => {
  const png = await fixture("printed-text.png");
  const huge = png.slice(0, 40);
  new DataView(huge.buffer).setUint32(16, 10_000);
  new DataView(huge.buffer).setUint32(20, 10_000);
  for (const bytes of [new TextEncoder().encode("hello"), huge]) {
    const result = await prepareImageForVision(bytes, GROQ);
    assert.deepEqual(result.ok ? null : [result.code, result.reason], [
      "unprocessable_file",
      "corrupt",
    ]);
  }
});

Deno.test("image: dataUrlLength counts the base64 expansion and the prefix", () => {
  assert.equal(
    dataUrlLength(3, "image/png"),
    "data:image/png;base64,".length + 4,
  );
  assert.equal(dataUrlLength(2_999_976, "image/jpeg"), 4_000_000 - 32 + 23);
});

Deno.test("image: a whole image passes untouched; truncated or garbage insides are corrupt", async () => {
  for (const name of ["printed-text.png", "animated.gif"]) {
    const bytes = await fixture(name);
    assert.equal(
      structureIsWhole(bytes, readImageHeader(bytes)!.mime),
      true,
      `${name} is whole`,
    );
    const cut = bytes.slice(0, Math.floor(bytes.length * 0.6));
    assert.equal(
      structureIsWhole(cut, readImageHeader(cut)!.mime),
      false,
      `${name} cut short`,
    );
  }
  const gif = new Uint8Array(600);
  gif.set(new TextEncoder().encode("GIF89a\x10\x00\x10\x00"));
  for (let i = 10; i < gif.length; i++) gif[i] = (i * 131 + 7) & 0xff;
  assert.equal((await prepareImageForVision(gif, GROQ)).ok, false);
});
