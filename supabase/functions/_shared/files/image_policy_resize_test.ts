// The image policy on the server: a 12 MP phone photo that Groq would take as it is (≤ 4 MB of
// base64) is made smaller by JPEG DCT scaling so that it costs at most the photo ceiling.
import assert from "node:assert/strict";
import { getModel } from "../ai/catalog.ts";
import { imageTarget } from "../ai/image_policy.ts";
import { imageTokensFor } from "../ai/image_tokens.ts";
import { encodeJpeg, type Rgba } from "./codecs.ts";
import { dataUrlLength, type ImageLimits, prepareImageForVision } from "./image.ts";
import { noisePng } from "./test_fixtures.ts";

const vision = getModel("groq", "qwen/qwen3.8-27b");
const GROQ: ImageLimits = { maxBytes: vision.maxImageBytes!, maxPixels: vision.maxImagePixels! };

/** A 12 MP photo-like image: smooth gradients, small enough as JPEG to pass Groq's limits. */
function smoothPhoto(width: number, height: number): Rgba {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 4) {
      data[i] = (x >> 4) & 0xff;
      data[i + 1] = (y >> 4) & 0xff;
      data[i + 2] = ((x + y) >> 5) & 0xff;
      data[i + 3] = 255;
    }
  }
  return { data, width, height };
}

Deno.test("image policy: a 12 MP JPEG within Groq's limits is scaled under the photo ceiling", async () => {
  const jpeg = await encodeJpeg(smoothPhoto(4000, 3000), 80);
  assert.ok(dataUrlLength(jpeg.length, "image/jpeg") <= GROQ.maxBytes, "passes the limits");
  const size = { width: 4000, height: 3000 };

  const untouched = await prepareImageForVision(jpeg, GROQ);
  assert.ok(untouched.ok && !untouched.image.resized, "without a policy: sent as it is (today)");

  const target = imageTarget("groq", "qwen/qwen3.8-27b", size, "photo");
  assert.ok(target.downscale);
  const result = await prepareImageForVision(jpeg, GROQ, {
    policyMaxPixels: target.width * target.height,
  });
  assert.ok(result.ok && result.image.resized);
  const tokens = imageTokensFor("groq", "qwen/qwen3.8-27b", result.image).tokens;
  assert.ok(tokens <= 1_600, `${tokens} tokens`);
  assert.ok(tokens >= 0.4 * 1_600, `not needlessly small: ${tokens} tokens`);
});

Deno.test("image policy: a PNG over the ceiling is shrunk while decoding; one under it is left alone", async () => {
  const png = noisePng(2400, 1800);
  const big = imageTarget("groq", "qwen/qwen3.8-27b", { width: 2400, height: 1800 }, "photo");
  const result = await prepareImageForVision(png, GROQ, {
    policyMaxPixels: big.width * big.height,
  });
  assert.ok(result.ok && result.image.resized);
  assert.ok(imageTokensFor("groq", "qwen/qwen3.8-27b", result.image).tokens <= 1_600);

  const small = noisePng(800, 600);
  const kept = await prepareImageForVision(small, GROQ, {
    policyMaxPixels: big.width * big.height,
  });
  assert.ok(kept.ok && !kept.image.resized);
});
