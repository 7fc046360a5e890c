/**
 * How many tokens an image may cost, per task: the policy the server and the browser downscaler
 * (`shared/downscale.ts`) both apply, and the knob the evaluation sweeps (CER against image
 * tokens) so a real run can pick the value.
 *
 * A homework photo is a phone picture of a page or two of handwriting; a scan is a PDF page image
 * (`page_images`), denser print. Each gets a ceiling of image tokens per image under the model that
 * will read it ({@link fitImageToTokens}); OpenAI's tile models also get a `detail`. Pure: the
 * caller passes the environment in.
 *
 * Why 1,600 and 4,096 (defaults, 2026-12-06, to be replaced by the evaluation's choice): on
 * Qwen3-VL 1,600 tokens is ~1.6 MP (1,471 × 1,103 for a 4:3 photo, ~130 dpi over an A4 page —
 * handwriting and 12 pt print stay legible), 14 % of the 11,750 tokens an untouched 12 MP photo
 * costs; 4,096 tokens is ~4 MP, the ~200 dpi the old re-encode target gave scans.
 *
 * @module
 */

import {
  countImageTokens,
  fitImageToTokens,
  type ImageDetail,
  type ImageSize,
  imageTokenRule,
} from "./image_tokens.ts";

export type ImageTask = "photo" | "scan";

export interface ImageTaskPolicy {
  /** Most image tokens one image may cost under the model that reads it. */
  readonly maxTokens: number;
  /** OpenAI's `detail` for tile models; other models ignore it. */
  readonly detail: ImageDetail;
}

export type ImagePolicy = Readonly<Record<ImageTask, ImageTaskPolicy>>;

export const DEFAULT_IMAGE_POLICY: ImagePolicy = {
  photo: { maxTokens: 1_600, detail: "high" },
  scan: { maxTokens: 4_096, detail: "high" },
};

/** The ceiling that means "no ceiling": today's behaviour, for before/after comparisons. */
export const UNBOUNDED_IMAGE_POLICY: ImagePolicy = {
  photo: { maxTokens: Number.MAX_SAFE_INTEGER, detail: "high" },
  scan: { maxTokens: Number.MAX_SAFE_INTEGER, detail: "high" },
};

/** Smallest ceiling accepted from configuration: Qwen's own floor is 64 tokens (65,536 px). */
const MIN_MAX_TOKENS = 64;

export class ImagePolicyConfigError extends Error {
  readonly code = "image_policy_invalid";
  constructor(readonly variable: string, message: string) {
    super(message);
    this.name = "ImagePolicyConfigError";
  }
}

/**
 * The policy from `AI_IMAGE_MAX_TOKENS_PHOTO`, `AI_IMAGE_MAX_TOKENS_SCAN` (whole numbers ≥ 64, or
 * `none` for no ceiling) and `AI_IMAGE_DETAIL_PHOTO`, `AI_IMAGE_DETAIL_SCAN` (`low|high|auto`);
 * unset ones keep {@link DEFAULT_IMAGE_POLICY}. A malformed value throws: a typo must not quietly
 * send 12 MP photos.
 *
 * @example
 * ```ts
 * imagePolicyFromEnv({ AI_IMAGE_MAX_TOKENS_PHOTO: "1200" }).photo.maxTokens; // 1200
 * ```
 */
export function imagePolicyFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  base: ImagePolicy = DEFAULT_IMAGE_POLICY,
): ImagePolicy {
  const task = (name: ImageTask): ImageTaskPolicy => {
    const upper = name.toUpperCase();
    const tokensVar = `AI_IMAGE_MAX_TOKENS_${upper}`;
    const detailVar = `AI_IMAGE_DETAIL_${upper}`;
    let { maxTokens, detail } = base[name];
    const rawTokens = env[tokensVar]?.trim();
    if (rawTokens) {
      if (rawTokens === "none") maxTokens = Number.MAX_SAFE_INTEGER;
      else if (/^\d+$/.test(rawTokens) && Number(rawTokens) >= MIN_MAX_TOKENS) {
        maxTokens = Number(rawTokens);
      } else {
        throw new ImagePolicyConfigError(
          tokensVar,
          `${tokensVar}: ${
            JSON.stringify(rawTokens)
          } is not a whole number ≥ ${MIN_MAX_TOKENS} or "none"`,
        );
      }
    }
    const rawDetail = env[detailVar]?.trim();
    if (rawDetail) {
      if (rawDetail !== "low" && rawDetail !== "high" && rawDetail !== "auto") {
        throw new ImagePolicyConfigError(
          detailVar,
          `${detailVar}: ${JSON.stringify(rawDetail)} is not low, high or auto`,
        );
      }
      detail = rawDetail;
    }
    return { maxTokens, detail };
  };
  return { photo: task("photo"), scan: task("scan") };
}

export interface ImageTarget {
  /** The size to send (never larger than the original; same aspect ratio). */
  readonly width: number;
  readonly height: number;
  /** Image tokens at that size under the model's rule. */
  readonly tokens: number;
  /** Image tokens of the original size, for comparison. */
  readonly originalTokens: number;
  /** The size is smaller than the original. */
  readonly downscale: boolean;
  readonly detail: ImageDetail;
  /** The model's rule is an estimate (see image_tokens.ts). */
  readonly estimate: boolean;
}

/**
 * The size to send an image of `size` at, for `task`, to `provider:model`: the largest same-shape
 * size whose count stays within the task's ceiling.
 *
 * @example
 * ```ts
 * imageTarget("groq", "qwen/qwen3.8-27b", { width: 4000, height: 3000 }, "photo");
 * // { width: 1471, height: 1103, tokens: 1564, originalTokens: 11750, downscale: true, … }
 * ```
 */
export function imageTarget(
  provider: string,
  model: string,
  size: ImageSize,
  task: ImageTask,
  policy: ImagePolicy = DEFAULT_IMAGE_POLICY,
): ImageTarget {
  const rule = imageTokenRule(provider, model);
  const { maxTokens, detail } = policy[task];
  const original = countImageTokens(rule, size, detail).tokens;
  const fit = fitImageToTokens(rule, size, maxTokens, detail);
  return {
    width: fit.width,
    height: fit.height,
    tokens: fit.tokens,
    originalTokens: original,
    downscale: fit.width < size.width || fit.height < size.height,
    detail,
    estimate: rule.estimate !== undefined,
  };
}

/**
 * The most pixels to send an image of `size` at for `task` to `provider:model` (what a resizer
 * that works in pixel budgets — the browser downscaler, JPEG DCT scaling — is handed).
 */
export function targetPixels(
  provider: string,
  model: string,
  size: ImageSize,
  task: ImageTask,
  policy: ImagePolicy = DEFAULT_IMAGE_POLICY,
): number {
  const target = imageTarget(provider, model, size, task, policy);
  return target.width * target.height;
}
