// An image is read by the vision model in one call; one over Groq's limits (4 MB of base64,
// 33 MP) but inside the server's decode envelope is downscaled and re-encoded on the server and
// answered (what is outside the envelope is refused: 08_image_budgets_test.ts).
import assert from "node:assert/strict";
import { analyzeFile } from "../../../shared/index.ts";
import { DEFAULT_IMAGE_POLICY } from "../../../supabase/functions/_shared/ai/image_policy.ts";
import { encodeJpeg } from "../../../supabase/functions/_shared/files/codecs.ts";
import {
  clientFor,
  ledgerRows,
  providerRequests,
  resetProvider,
} from "../../_support/functions.ts";
import { closeDb, createUser, db } from "../../_support/stack.ts";
import {
  dataUrlChars,
  file,
  fixtureBytes,
  fortyMegapixelJpeg,
  nineMegabytePng,
  sumUsd,
} from "./fixtures.ts";

const MAX_DATA_URL_CHARS = 4_000_000; // Groq: base64 image ≤ 4 MB (catalog, 2026-11-25)
const MAX_PIXELS = 33_177_600; // Groq: ≤ 33 MP

Deno.test("a PNG with printed text → one vision call with that image as is, method vision", async () => {
  await resetProvider();
  const student = await createUser();
  const res = await analyzeFile(clientFor(student), {
    file: file("printed-text.png"),
    platform: "main",
  });
  assert.equal(res.kind, "image");
  assert.equal(res.method, "vision");
  assert.equal(res.pages, undefined);
  assert.equal(res.extracted_text, undefined);
  assert.ok(res.analysis.length > 0);
  assert.deepEqual(res.models, ["qwen/qwen3.8-27b"]);
  const calls = await providerRequests();
  assert.equal(calls.length, 1);
  assert.equal(calls[0].model, "qwen/qwen3.8-27b");
  assert.deepEqual(calls[0].body.images, [{
    bytes: fixtureBytes("printed-text.png").length,
    width: 420,
    height: 80,
    mime: "image/png",
    // Qwen3-VL: 420×80 is raised to the 65,536-pixel minimum, 608×128 = 19 × 4 squares.
    tokens: 76,
  }]);
  const rows = await ledgerRows(res.request_id);
  assert.deepEqual(rows.map((r) => r.operation_type), ["vision"]);
  assert.equal(res.cost_usd, sumUsd(rows.map((r) => r.cost_usd)));
  const [counted] = await db()<{ image_tokens: number | null; arm: string }[]>`
    select image_tokens, arm from public.ai_operations_metrics where request_id = ${res.request_id}`;
  assert.deepEqual(
    { ...counted },
    { image_tokens: 76, arm: "default" },
    "the ledger counts them too",
  );
  await closeDb();
});

for (
  const [name, make, mime] of [
    ["a 40-megapixel JPEG", fortyMegapixelJpeg, "image/jpeg"],
    ["a 9 MB PNG", async () => await Promise.resolve(nineMegabytePng()), "image/png"],
  ] as const
) {
  Deno.test(`${name} → downscaled, answered; what reached the provider is within 4 MB and 33 MP`, async () => {
    const bytes = await make();
    await resetProvider();
    const student = await createUser();
    const res = await analyzeFile(clientFor(student), {
      file: new File([bytes], mime === "image/png" ? "scan.png" : "photo.jpg", { type: mime }),
      platform: "main",
    });
    assert.equal(res.method, "vision");
    const calls = await providerRequests();
    assert.equal(calls.length, 1);
    assert.equal(calls[0].status, 200, "the provider accepted the image");
    const [sent] = calls[0].body.images!;
    assert.equal(sent.mime, "image/jpeg", "re-encoded");
    assert.ok(
      dataUrlChars(sent.bytes, sent.mime!) <= MAX_DATA_URL_CHARS,
      `data URL of ${dataUrlChars(sent.bytes, sent.mime!)} characters`,
    );
    assert.ok(sent.width! * sent.height! <= MAX_PIXELS, `${sent.width}×${sent.height}`);
    assert.ok(sent.bytes < bytes.length, "smaller than the upload");
    const rows = await ledgerRows(res.request_id);
    assert.equal(rows.length, 1);
    assert.equal(res.cost_usd, sumUsd(rows.map((r) => r.cost_usd)));
    await closeDb();
  });
}

Deno.test("a 12 MP phone photo Groq would take as it is → sent within the photo ceiling (image policy), counted in the ledger", async () => {
  await resetProvider();
  const student = await createUser();
  const [width, height] = [4000, 3000];
  const data = new Uint8Array(width * height * 4);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 4) {
      data[i] = (x >> 4) & 0xff;
      data[i + 1] = (y >> 4) & 0xff;
      data[i + 2] = ((x + y) >> 5) & 0xff;
      data[i + 3] = 255;
    }
  }
  const photo = await encodeJpeg({ data, width, height }, 80);
  assert.ok(dataUrlChars(photo.length, "image/jpeg") <= MAX_DATA_URL_CHARS, "within Groq's limits");
  const res = await analyzeFile(clientFor(student), {
    file: new File([photo as BufferSource], "homework.jpg", { type: "image/jpeg" }),
    platform: "main",
  });
  const [call] = await providerRequests();
  const [sent] = call.body.images!;
  assert.ok(sent.width! < width, `sent ${sent.width}×${sent.height}`);
  assert.ok(sent.tokens! <= DEFAULT_IMAGE_POLICY.photo.maxTokens, `${sent.tokens} tokens`);
  await ledgerRows(res.request_id);
  const [row] = await db()<{ image_tokens: number; input_tokens: number }[]>`
    select image_tokens, input_tokens from public.ai_operations_metrics
    where request_id = ${res.request_id}`;
  assert.equal(row.image_tokens, sent.tokens, "the ledger's count is the provider's");
  assert.ok(row.input_tokens > row.image_tokens);
  await closeDb();
});
