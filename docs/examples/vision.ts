/**
 * Vision on Groq, the way the research brief asked for it: read the Russian text of a homework
 * photo or a PDF page screenshot, and describe an image, through the project's own provider client
 * (`supabase/functions/_shared/ai/providers.ts`: Groq's chat completions with an `image_url` part,
 * a base64 data URL of at most 4 MB). Run by tests/docs/vision_example_test.ts against the offline
 * provider; with a real key it calls Groq:
 *
 * ```sh
 * GROQ_API_KEY=gsk_… node_modules/deno/deno run --allow-net --allow-env --allow-read \
 *   docs/examples/vision.ts eval/data/vision/slide-deadline.png
 * ```
 *
 * @module
 */

import {
  createProviderClients,
  type ModelTarget,
  type ProviderClients,
  visionCompletion,
} from "../../supabase/functions/_shared/ai/providers.ts";
import { calculateCost } from "../../supabase/functions/_shared/ai/cost.ts";

/** Groq's vision model (the functions' default for images). */
export const GROQ_VISION: ModelTarget = { provider: "groq", model: "qwen/qwen3.8-27b" };

export interface ReadText {
  text: string;
  /** USD from the catalog, or null when the provider reported no usage. */
  costUsd: string | null;
  truncated: boolean;
}

/**
 * Reads the text of one image (PNG, JPEG or WebP bytes) in Russian, line by line.
 *
 * @example
 * const clients = createProviderClients(Deno.env);
 * const { text } = await readTextFromImage(clients, await Deno.readFile("page.png"), "image/png");
 */
export async function readTextFromImage(
  clients: ProviderClients,
  bytes: Uint8Array,
  mimeType: string,
  target: ModelTarget = GROQ_VISION,
): Promise<ReadText> {
  const result = await visionCompletion(clients, target, {
    prompt: "Перепиши дословно весь текст с изображения, строка за строкой, без комментариев.",
    images: [{ bytes, mimeType }],
    max_completion_tokens: 1024,
  });
  return {
    text: result.text,
    costUsd: result.usage
      ? calculateCost(target.provider, target.model, result.usage, new Date()).cost_usd
      : null,
    truncated: result.truncated,
  };
}

/** Describes up to three images (qwen3.8's limit a request) for a curator's context. */
export async function describeImages(
  clients: ProviderClients,
  images: { bytes: Uint8Array; mimeType: string }[],
  target: ModelTarget = GROQ_VISION,
): Promise<string> {
  if (images.length > 3) {
    throw new RangeError("Groq's qwen3.8-27b takes at most 3 images a request");
  }
  const result = await visionCompletion(clients, target, {
    system: "Ты помогаешь куратору онлайн-школы. Отвечай по-русски.",
    prompt: "Что изображено? Если это задание или решение, кратко перескажи его.",
    images,
    max_completion_tokens: 512,
  });
  return result.text;
}

if (import.meta.main) {
  const path = Deno.args[0];
  if (!path) {
    console.error("usage: deno run -A docs/examples/vision.ts IMAGE");
    Deno.exit(2);
  }
  const mimeType = path.endsWith(".png") ? "image/png" : "image/jpeg";
  const read = await readTextFromImage(
    createProviderClients(Deno.env),
    await Deno.readFile(path),
    mimeType,
  );
  console.log(read.text);
  console.error(`cost: $${read.costUsd ?? "?"}${read.truncated ? " (truncated)" : ""}`);
}
