// docs/examples/vision.ts runs as written: Groq chat completions with an image part, through the
// functions' provider client, against the offline provider (the stack's, or one served here).
import assert from "node:assert/strict";
import { createProviderClients } from "../../supabase/functions/_shared/ai/providers.ts";
import { withOfflineProvider } from "../_support/offline_provider.ts";
import { describeImages, readTextFromImage } from "../../docs/examples/vision.ts";

const clientsFor = (url: string) =>
  createProviderClients({ GROQ_API_KEY: "offline-groq-key", GROQ_BASE_URL: `${url}/openai/v1` });

const image = () =>
  Deno.readFile(new URL("../../eval/data/vision/slide-deadline.png", import.meta.url));

Deno.test("readTextFromImage sends the image to Groq's vision model and prices the answer", async () => {
  await withOfflineProvider(async (url) => {
    const read = await readTextFromImage(clientsFor(url), await image(), "image/png");
    // The offline provider says how many images it received: the image part arrived.
    assert(read.text.includes("изображений: 1"), read.text);
    assert(read.costUsd !== null && Number(read.costUsd) > 0);
    assert.equal(read.truncated, false);
  });
});

Deno.test("describeImages refuses more than qwen3.8's three images before any call", async () => {
  const bytes = await image();
  await assert.rejects(
    () =>
      describeImages(createProviderClients({}), Array(4).fill({ bytes, mimeType: "image/png" })),
    RangeError,
  );
  await withOfflineProvider(async (url) => {
    const text = await describeImages(clientsFor(url), [{ bytes, mimeType: "image/png" }]);
    assert(text.includes("изображений: 1"), text);
  });
});
