// Images the server cannot shrink within a worker's budget (256 MB, 2 s CPU) are refused from their
// header, in milliseconds, before any provider call or charge (issue 12); a 12 MP phone photo over
// Groq's byte limit is shrunk on the server and answered. The bombs are built here, each < 1 MB.
import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";
import { encodeJpeg } from "../../../supabase/functions/_shared/files/codecs.ts";
import {
  clientFor,
  ledgerCountForUser,
  providerRequests,
  resetProvider,
} from "../../_support/functions.ts";
import { closeDb, createUser } from "../../_support/stack.ts";
import { dataUrlChars, form, invokeFileForm } from "./fixtures.ts";

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  new DataView(out.buffer).setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  return out;
}

function join(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** 30000 × 30000 RGB PNG: an IHDR and an IDAT of deflated zero rows (2.7 GB once inflated). */
function bombPng(): Uint8Array<ArrayBuffer> {
  const [width, height] = [30000, 30000];
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, width);
  new DataView(ihdr.buffer).setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8);
  // Deflating 2.7 GB here would be slow: 200 rows of zeros stand for the rest.
  const idat = new Uint8Array(deflateSync(new Uint8Array((1 + width * 3) * 200)));
  return join([
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", idat),
    chunk("IEND", new Uint8Array()),
  ]);
}

/** A JPEG whose SOF0 claims 60000 × 60000, with a short scan and an end marker. */
function bombJpeg(): Uint8Array<ArrayBuffer> {
  const [w, h] = [60000, 60000];
  return new Uint8Array([
    0xff,
    0xd8,
    0xff,
    0xc0,
    0,
    11,
    8,
    h >> 8,
    h & 0xff,
    w >> 8,
    w & 0xff,
    1,
    1,
    0x11,
    0,
    0xff,
    0xda,
    0,
    8,
    1,
    1,
    0,
    0,
    63,
    0,
    ...new Array(64).fill(0x11),
    0xff,
    0xd9,
  ]); // deno-fmt-ignore
}

/** A GIF with a 10 × 10 screen and one frame of 60000 × 60000. */
function bombGif(): Uint8Array<ArrayBuffer> {
  return new Uint8Array([
    ...new TextEncoder().encode("GIF89a"),
    10,
    0,
    10,
    0,
    0,
    0,
    0,
    0x2c,
    0,
    0,
    0,
    0,
    0x60,
    0xea,
    0x60,
    0xea,
    0,
    2,
    2,
    0x4c,
    0x01,
    0,
    0x3b,
  ]); // deno-fmt-ignore
}

const bombs = [
  ["a 30000×30000 PNG of 0.9 MB", bombPng, "bomb.png", "image/png"],
  ["a JPEG whose frame claims 60000×60000", bombJpeg, "bomb.jpg", "image/jpeg"],
  ["a GIF with a 60000×60000 frame", bombGif, "bomb.gif", "image/gif"],
] as const;

for (const [name, make, filename, type] of bombs) {
  Deno.test(`${name} → 413 payload_too_large within 1 s, no provider call, no charge`, async () => {
    const bytes = make();
    assert.ok(bytes.length < 1_000_000);
    await resetProvider();
    const student = await createUser();
    const started = performance.now();
    const reply = await invokeFileForm(
      clientFor(student),
      form({ file: new File([bytes], filename, { type }), platform: "main" }),
    );
    const elapsedMs = performance.now() - started;
    assert.equal(reply.status, 413, JSON.stringify(reply.body));
    const error = reply.body.error as { code: string; hint?: string };
    assert.equal(error.code, "payload_too_large");
    assert.match(error.hint ?? "", /downscale/);
    assert.ok(elapsedMs < 1000, `answered in ${Math.round(elapsedMs)} ms`);
    assert.equal((await providerRequests()).length, 0, "no provider call");
    assert.equal(await ledgerCountForUser(student.id), 0, "no ledger row");
    await closeDb();
  });
}

Deno.test("a 12 MP JPEG over Groq's 4 MB of base64 → 200, sent shrunk within the limits", async () => {
  const [width, height] = [4000, 3000];
  const data = new Uint8Array(width * height * 4);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 4) {
      const g = ((x * 2654435761) ^ (y * 40503)) >>> 27; // grain, like a phone sensor's
      data.set([((x >> 3) + g) & 0xff, ((y >> 3) + g) & 0xff, ((x ^ y) + g) & 0xff, 255], i);
    }
  }
  const jpeg = await encodeJpeg({ data, width, height }, 95);
  assert.ok(dataUrlChars(jpeg.length, "image/jpeg") > 4_000_000, `${jpeg.length} B`);
  await resetProvider();
  const student = await createUser();
  const reply = await invokeFileForm(
    clientFor(student),
    form({
      file: new File([jpeg as Uint8Array<ArrayBuffer>], "photo.jpg", { type: "image/jpeg" }),
      platform: "main",
    }),
  );
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  const calls = await providerRequests();
  assert.equal(calls.length, 1);
  const [sent] = calls[0].body.images!;
  assert.equal(sent.mime, "image/jpeg");
  assert.ok(dataUrlChars(sent.bytes, "image/jpeg") <= 4_000_000, `${sent.bytes} B`);
  assert.ok(sent.width! * sent.height! <= 33_177_600, `${sent.width}×${sent.height}`);
  assert.ok(sent.bytes < jpeg.length, "smaller than the upload");
  await closeDb();
});
