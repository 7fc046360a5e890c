#!/usr/bin/env node
// shared/downscale.ts in a real Chromium: the Chromium that @sparticuz/chromium ships inside its
// npm package (no download step), driven by puppeteer-core, the module bundled by esbuild and
// served on 127.0.0.1. The images are made in the page: a 12 MP photo-like JPEG, a 4K PNG
// screenshot, a JPEG with EXIF Orientation 6, a small photo, and files that are no image.
//   node tests/browser/downscale_browser.mjs      (after `npm ci`; prints node:test's pass/fail)
// Not a `*_test` file on purpose: `deno test` over tests/ must not pick it up.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { build } from "esbuild";
import puppeteer from "puppeteer-core";
import { launchChromium } from "../../scripts/browser/chromium.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const t0 = Date.now();

const bundle = await build({
  entryPoints: [join(ROOT, "shared/downscale.ts")],
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  write: false,
});
const moduleJs = bundle.outputFiles[0].text;

const PAGE = `<!doctype html><meta charset="utf-8"><title>downscale</title>
<script type="module">
  import * as downscale from "/downscale.js";
  globalThis.downscale = downscale;
  globalThis.ready = true;
</script>`;

const server = createServer((req, res) => {
  if (req.url === "/downscale.js") {
    res.writeHead(200, { "content-type": "text/javascript" }).end(moduleJs);
  } else if (req.url === "/") res.writeHead(200, { "content-type": "text/html" }).end(PAGE);
  else res.writeHead(404).end();
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${server.address().port}/`;

const userDataDir = await mkdtemp(join(tmpdir(), "downscale-chromium-"));
const browser = await launchChromium(puppeteer, {
  userDataDir,
});
const page = await browser.newPage();
page.on("pageerror", (e) => console.error(`# page error: ${e.message}`));
await page.goto(url);
await page.waitForFunction(() => globalThis.ready === true);
console.log(`# ${await browser.version()} ready in ${Date.now() - t0} ms`);

// Helpers defined once in the page: image makers and a describer of a Blob.
await page.evaluate(() => {
  const g = globalThis;
  g.canvasOf = (w, h) => {
    const c = new OffscreenCanvas(w, h);
    return [c, c.getContext("2d")];
  };
  /** A photo of a page of homework: a lit gradient, sensor noise, lines of text. */
  g.photo = async (w, h, quality) => {
    const [c, ctx] = g.canvasOf(w, h);
    const grad = ctx.createLinearGradient(0, 0, w, h);
    grad.addColorStop(0, "#e8dcc8");
    grad.addColorStop(1, "#8a7f70");
    ctx.fillStyle = grad;
    ctx.fillRect(0, 0, w, h);
    const img = ctx.getImageData(0, 0, w, h);
    let seed = 42;
    for (let i = 0; i < img.data.length; i += 4) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const n = ((seed >>> 16) & 63) - 32;
      img.data[i] += n;
      img.data[i + 1] += n;
      img.data[i + 2] += n;
    }
    ctx.putImageData(img, 0, 0);
    ctx.fillStyle = "#1a1a60";
    ctx.font = `${Math.round(h / 40)}px sans-serif`;
    for (let y = h / 10; y < h * 0.9; y += h / 25) {
      ctx.fillText("Задача 3. Найдите x, если 2x + 5 = 17; x = 6.", w / 10, y);
    }
    return await c.convertToBlob({ type: "image/jpeg", quality });
  };
  /** A desktop screenshot: flat UI colours and small black text on white; its right 30 % is
   * transparent (as a cut-out window shot can be). */
  g.screenshot = async (w, h) => {
    const [c, ctx] = g.canvasOf(w, h);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, w, h);
    ctx.fillStyle = "#2b5797";
    ctx.fillRect(0, 0, w, 120);
    ctx.fillStyle = "#f0f0f0";
    ctx.fillRect(0, 120, 600, h - 120);
    ctx.fillStyle = "#111111";
    ctx.font = "28px sans-serif";
    for (let y = 200; y < h - 40; y += 40) {
      ctx.fillText(`Урок ${y / 40}: производная функции f(x) = x² · sin(x) — решение.`, 660, y);
    }
    ctx.clearRect(w * 0.7, 0, w * 0.3, h);
    return await c.convertToBlob({ type: "image/png" });
  };
  /** A stored-landscape JPEG, red in its stored top-left quadrant, marked EXIF Orientation 6
   * (turn 90° clockwise to show): shown upright it is portrait with red top-right. */
  g.rotatedJpeg = async (w, h) => {
    const [c, ctx] = g.canvasOf(w, h);
    ctx.fillStyle = "#2040c0";
    ctx.fillRect(0, 0, w, h);
    ctx.fillStyle = "#e01010";
    ctx.fillRect(0, 0, w / 2, h / 2);
    const jpeg = new Uint8Array(
      await (await c.convertToBlob({ type: "image/jpeg" })).arrayBuffer(),
    );
    const tiff = [0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0];
    const payload = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff, 0, 0, 0, 0];
    const len = payload.length + 2;
    const app1 = [0xff, 0xe1, len >> 8, len & 0xff, ...payload];
    return new Blob([jpeg.subarray(0, 2), new Uint8Array(app1), jpeg.subarray(2)], {
      type: "image/jpeg",
    });
  };
  g.describe = async (blob) => {
    const head = new Uint8Array(await blob.slice(0, 8).arrayBuffer());
    const type = head[0] === 0xff && head[1] === 0xd8
      ? "jpeg"
      : head[0] === 0x89 && head[1] === 0x50
      ? "png"
      : "other";
    let width = 0, height = 0, pixel = null;
    try {
      const bmp = await createImageBitmap(blob, { imageOrientation: "from-image" });
      [width, height] = [bmp.width, bmp.height];
      const [, ctx] = g.canvasOf(width, height);
      ctx.drawImage(bmp, 0, 0);
      // Colour a quarter in from the top-left and from the top-right corner.
      pixel = {
        topLeft: [...ctx.getImageData(width / 4, height / 4, 1, 1).data.slice(0, 3)],
        topRight: [...ctx.getImageData((3 * width) / 4, height / 4, 1, 1).data.slice(0, 3)],
      };
      bmp.close();
    } catch { /* not decodable */ }
    return { type, bytes: blob.size, width, height, pixel, name: blob.name ?? null };
  };
  g.same = async (a, b) => {
    const [x, y] = [new Uint8Array(await a.arrayBuffer()), new Uint8Array(await b.arrayBuffer())];
    return x.length === y.length && x.every((v, i) => v === y[i]);
  };
});

const MB = (n) => `${(n / 1e6).toFixed(2)} MB`;
const isRed = ([r, g, b]) => r > 180 && g < 90 && b < 90;

test("a 12 MP photo of ~4 MB becomes a ~4 MP JPEG within 2.5 MB", async () => {
  const r = await page.evaluate(async () => {
    const input = await globalThis.photo(4000, 3000, 0.8);
    const t = performance.now();
    const out = await globalThis.downscale.downscaleImageForUpload(input);
    const ms = performance.now() - t;
    return { ms, input: await globalThis.describe(input), out: await globalThis.describe(out) };
  });
  console.log(
    `# 12 MP photo: ${r.input.width}×${r.input.height} ${MB(r.input.bytes)} → ` +
      `${r.out.width}×${r.out.height} ${r.out.type} ${MB(r.out.bytes)} in ${Math.round(r.ms)} ms`,
  );
  assert.ok(r.input.bytes > 3_000_000, `the input is a realistic ~4 MB (${r.input.bytes})`);
  assert.equal(r.out.type, "jpeg");
  assert.ok(r.out.bytes <= 2_500_000, `output ${r.out.bytes} bytes is within the target`);
  assert.deepEqual([r.out.width, r.out.height], [2309, 1732]);
});

test("a 4K PNG screenshot is scaled to 4 MP as a JPEG, transparency on white", async () => {
  const r = await page.evaluate(async () => {
    const input = await globalThis.screenshot(3840, 2160);
    const t = performance.now();
    const out = await globalThis.downscale.downscaleImageForUpload(input);
    const ms = performance.now() - t;
    // For the record: the same pixels as a PNG (what keeping the source's type would send).
    const bmp = await createImageBitmap(out);
    const [c, ctx] = globalThis.canvasOf(bmp.width, bmp.height);
    ctx.drawImage(bmp, 0, 0);
    const png = await c.convertToBlob({ type: "image/png" });
    return {
      ms,
      pngBytes: png.size,
      input: await globalThis.describe(input),
      out: await globalThis.describe(out),
    };
  });
  console.log(
    `# 4K screenshot: ${r.input.width}×${r.input.height} PNG ${MB(r.input.bytes)} → ` +
      `${r.out.width}×${r.out.height} ${r.out.type} ${MB(r.out.bytes)} in ${Math.round(r.ms)} ms ` +
      `(as PNG: ${MB(r.pngBytes)})`,
  );
  assert.equal(r.out.type, "jpeg");
  assert.ok(r.out.bytes <= 2_500_000);
  assert.ok(r.out.pixel.topRight.every((v) => v > 245), "transparent pixels come out white");
  assert.ok(r.out.width * r.out.height <= 4_000_000);
  assert.deepEqual([r.out.width, r.out.height], [2666, 1500]);
});

test("a JPEG with EXIF Orientation 6 comes out upright (portrait, red top-right)", async () => {
  const r = await page.evaluate(async () => {
    const input = await globalThis.rotatedJpeg(4000, 3000);
    const out = await globalThis.downscale.downscaleImageForUpload(input);
    return await globalThis.describe(out);
  });
  console.log(`# EXIF 6: → ${r.width}×${r.height} ${r.type}, corners ${JSON.stringify(r.pixel)}`);
  assert.equal(r.type, "jpeg");
  assert.deepEqual([r.width, r.height], [1732, 2309]);
  assert.ok(isRed(r.pixel.topRight), "the stored top-left (red) is shown top-right");
  assert.ok(!isRed(r.pixel.topLeft), "the shown top-left is not red");
});

test("a small photo is returned untouched: the same Blob, the same bytes", async () => {
  const r = await page.evaluate(async () => {
    const input = new File([await globalThis.photo(1600, 1200, 0.9)], "small.jpg", {
      type: "image/jpeg",
    });
    const out = await globalThis.downscale.downscaleImageForUpload(input);
    return { identical: out === input, same: await globalThis.same(input, out), bytes: out.size };
  });
  assert.ok(r.identical);
  assert.ok(r.same);
});

test("files that are no image, or cannot be decoded, come back as they were", async () => {
  const r = await page.evaluate(async () => {
    const pdf = new Blob(["%PDF-1.7\n" + "x".repeat(3_000_000)], { type: "image/jpeg" });
    // A JPEG header that declares 4000×3000, then garbage: the decode fails.
    const sof = [0xff, 0xd8, 0xff, 0xc0, 0, 17, 8, 0x0b, 0xb8, 0x0f, 0xa0, 3];
    const corrupt = new Blob([new Uint8Array([...sof, ...new Array(200).fill(7)])]);
    const outPdf = await globalThis.downscale.downscaleImageForUpload(pdf);
    const outCorrupt = await globalThis.downscale.downscaleImageForUpload(corrupt);
    return { pdf: outPdf === pdf, corrupt: outCorrupt === corrupt };
  });
  assert.deepEqual(r, { pdf: true, corrupt: true });
});

test("without OffscreenCanvas it falls back to <canvas> and still fits", async () => {
  const r = await page.evaluate(async () => {
    const saved = globalThis.OffscreenCanvas;
    const input = new File([await globalThis.photo(4000, 3000, 0.8)], "IMG_0001.JPG");
    delete globalThis.OffscreenCanvas;
    try {
      const out = await globalThis.downscale.downscaleImageForUpload(input);
      globalThis.OffscreenCanvas = saved;
      return await globalThis.describe(out);
    } finally {
      globalThis.OffscreenCanvas = saved;
    }
  });
  assert.equal(r.type, "jpeg");
  assert.deepEqual([r.width, r.height], [2309, 1732]);
  assert.ok(r.bytes <= 2_500_000);
  assert.equal(r.name, "IMG_0001.jpg");
});

test("a tighter byte target steps quality, then size, down until it fits", async () => {
  const r = await page.evaluate(async () => {
    const input = await globalThis.photo(4000, 3000, 0.8);
    const out = await globalThis.downscale.downscaleImageForUpload(input, { maxBytes: 300_000 });
    return await globalThis.describe(out);
  });
  console.log(`# maxBytes 300 kB: → ${r.width}×${r.height} ${r.type} ${MB(r.bytes)}`);
  assert.equal(r.type, "jpeg");
  assert.ok(r.bytes <= 300_000);
  assert.ok(r.width < 2309 && r.width / r.height > 1.3 && r.width / r.height < 1.36);
});

test.after(async () => {
  await browser.close();
  server.close();
  await rm(userDataDir, { recursive: true, force: true });
  console.log(`# browser test finished in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
});
process.on("unhandledRejection", (e) => {
  console.error(e);
  process.exitCode = 1;
});
