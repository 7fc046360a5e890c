/**
 * How each vision model in the catalog turns an image's width × height into input tokens.
 *
 * Pure: no I/O, no clock. Image tokens are billed as input tokens, so these rules decide what a
 * photo costs (`shared/facts/vision-tokens-2026-12.md`, checked 2026-12-06). Every rule carries its
 * source and the date it was checked; a rule we inferred rather than read is marked `estimate`,
 * with the reason. Three shapes of rule exist:
 *
 * - `grid` (Qwen3-VL family): the image is resized to multiples of `factor` px (patch 16 × merge 2
 *   = 32) within `minPixels`..`maxPixels`, and each `factor`×`factor` square is one token
 *   (Qwen's `smart_resize`).
 * - `tiles` (OpenAI GPT-4o, GPT-4.1, GPT-5): `detail: "low"` costs `baseTokens`; `high` fits the
 *   image in 2048×2048, scales its shortest side down to 768, then costs `baseTokens` +
 *   `tileTokens` per 512 px tile.
 * - `patches` (OpenAI's mini/nano families): 32×32 px patches, scaled down to at most `maxPatches`,
 *   times a per-model `multiplier`; `detail` has no effect.
 *
 * @module
 */

export type ImageDetail = "low" | "high" | "auto";

export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

interface RuleSource {
  /** Where the rule comes from. */
  readonly source: string;
  /** UTC date the source was read. */
  readonly checkedOn: string;
  /** Present when the rule is our inference, not the provider's documented figure: why. */
  readonly estimate?: string;
}

export interface GridRule extends RuleSource {
  readonly kind: "grid";
  /** Pixels per token side (patch size × merge size). */
  readonly factor: number;
  readonly minPixels: number;
  readonly maxPixels: number;
}

export interface TileRule extends RuleSource {
  readonly kind: "tiles";
  readonly baseTokens: number;
  readonly tileTokens: number;
}

export interface PatchRule extends RuleSource {
  readonly kind: "patches";
  readonly maxPatches: number;
  readonly multiplier: number;
}

export type ImageTokenRule = GridRule | TileRule | PatchRule;

export interface ImageTokenCount {
  readonly tokens: number;
  /** The size the model sees after its own resizing (what the tokens were counted on). */
  readonly width: number;
  readonly height: number;
}

const VISION_FACTS = "shared/facts/vision-tokens-2026-12.md";
const OPENAI_VISION_GUIDE =
  "OpenAI vision guide, 'Calculating costs' (platform.openai.com/docs/guides/images-vision), via " +
  VISION_FACTS;

/**
 * Qwen3-VL: `preprocessor_config.json` of the Qwen3-VL models on the Hugging Face hub
 * (`patch_size: 16`, `merge_size: 2`, `size.shortest_edge: 65536`, `size.longest_edge: 16777216`),
 * checked 2026-12-06. Groq documents no token rule; that its qwen3.6 / qwen3.8 keep these defaults
 * is an assumption (one real call comparing `usage.prompt_tokens` with and without an image
 * settles it).
 */
export const QWEN3_VL_RULE: GridRule = {
  kind: "grid",
  factor: 32,
  minPixels: 65_536,
  maxPixels: 16_777_216,
  source: `Qwen3-VL preprocessor_config.json (Hugging Face hub), via ${VISION_FACTS}`,
  checkedOn: "2026-12-06",
  estimate:
    "Groq does not document how its qwen3.x models count image tokens; we assume the Qwen3-VL defaults",
};

const GPT4O_TILES: TileRule = {
  kind: "tiles",
  baseTokens: 85,
  tileTokens: 170,
  source: OPENAI_VISION_GUIDE,
  checkedOn: "2026-12-06",
};

/**
 * The rule per model, keyed `provider:model`. Retired Groq vision models (Llama 4, Llama 3.2
 * previews) are absent: they cannot be called, and {@link imageTokenRule} gives them the
 * {@link FALLBACK_RULE}, marked as an estimate.
 */
export const IMAGE_TOKEN_RULES: Readonly<Record<string, ImageTokenRule>> = {
  "groq:qwen/qwen3.6-27b": QWEN3_VL_RULE,
  "groq:qwen/qwen3.8-27b": QWEN3_VL_RULE,
  "openai:gpt-4o": GPT4O_TILES,
  "openai:gpt-4.1": GPT4O_TILES,
  "openai:gpt-4o-mini": {
    kind: "tiles",
    baseTokens: 2_833,
    tileTokens: 5_667,
    source: OPENAI_VISION_GUIDE,
    checkedOn: "2026-12-06",
  },
  "openai:gpt-5": {
    kind: "tiles",
    baseTokens: 70,
    tileTokens: 140,
    source: OPENAI_VISION_GUIDE,
    checkedOn: "2026-12-06",
  },
  "openai:gpt-4.1-mini": {
    kind: "patches",
    maxPatches: 1_536,
    multiplier: 1.62,
    source: OPENAI_VISION_GUIDE,
    checkedOn: "2026-12-06",
  },
  "openai:gpt-5-mini": {
    kind: "patches",
    maxPatches: 1_536,
    multiplier: 1.62,
    source: OPENAI_VISION_GUIDE,
    checkedOn: "2026-12-06",
    estimate:
      "the guide says ×1.62; OpenAI's pricing-page calculator and community measurements (community.openai.com, 2026) show ×1.2 billed — we keep the higher, documented figure",
  },
  "openai:gpt-5-nano": {
    kind: "patches",
    maxPatches: 1_536,
    multiplier: 2.46,
    source: OPENAI_VISION_GUIDE,
    checkedOn: "2026-12-06",
    estimate:
      "the guide says ×2.46; OpenAI's pricing-page calculator and community measurements show ×1.5 billed — we keep the documented figure",
  },
  "openai:gpt-6-sol": {
    kind: "tiles",
    baseTokens: 70,
    tileTokens: 140,
    source: `assumed like gpt-5 (${OPENAI_VISION_GUIDE})`,
    checkedOn: "2026-12-06",
    estimate: "no published rule for gpt-6-sol; assumed to count like gpt-5 (70 + 140 per tile)",
  },
  "openai:gpt-6-luna": {
    kind: "patches",
    maxPatches: 1_536,
    multiplier: 1.62,
    source: `assumed like the mini family (${OPENAI_VISION_GUIDE}; unverified for gpt-6-luna)`,
    checkedOn: "2026-12-06",
    estimate:
      "no published rule for gpt-6-luna (facts: 'check the current guide before relying on a figure'); assumed 32 px patches, capped at 1,536, ×1.62",
  },
};

/**
 * What an unknown or retired model is charged: the Qwen3-VL grid, the most expensive rule we know
 * for a large photo, so an unknown model is never under-counted. Always an estimate.
 */
export const FALLBACK_RULE: GridRule = {
  ...QWEN3_VL_RULE,
  source: `fallback: ${QWEN3_VL_RULE.source}`,
  estimate: "no rule for this model; counted like Qwen3-VL (one token per 32×32 px, up to 16,384)",
};

/** The rule for `provider:model` (the {@link FALLBACK_RULE} when the model has none). */
export function imageTokenRule(provider: string, model: string): ImageTokenRule {
  return IMAGE_TOKEN_RULES[`${provider}:${model}`] ?? FALLBACK_RULE;
}

/** Whether `provider:model` has a rule of its own (not the fallback). */
export function hasImageTokenRule(provider: string, model: string): boolean {
  return `${provider}:${model}` in IMAGE_TOKEN_RULES;
}

/** Whether `detail` changes the count under `rule` (only OpenAI's tile models read it). */
export function ruleReadsDetail(rule: ImageTokenRule): boolean {
  return rule.kind === "tiles";
}

function checkSize(size: ImageSize): void {
  const { width, height } = size;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`image size must be positive whole pixels, got ${width}×${height}`);
  }
}

/** Qwen's `smart_resize` (round to the factor, then scale into the pixel bounds). */
function countGrid(rule: GridRule, { width, height }: ImageSize): ImageTokenCount {
  const f = rule.factor;
  // Python's round() is half-to-even; Math.round is half-up. They differ only when a side is an
  // exact odd multiple of f/2, by one row or column of tokens.
  let h = Math.max(f, Math.round(height / f) * f);
  let w = Math.max(f, Math.round(width / f) * f);
  if (h * w > rule.maxPixels) {
    const beta = Math.sqrt((height * width) / rule.maxPixels);
    h = Math.max(f, Math.floor(height / beta / f) * f);
    w = Math.max(f, Math.floor(width / beta / f) * f);
  } else if (h * w < rule.minPixels) {
    const beta = Math.sqrt(rule.minPixels / (height * width));
    h = Math.ceil((height * beta) / f) * f;
    w = Math.ceil((width * beta) / f) * f;
  }
  return { tokens: (h / f) * (w / f), width: w, height: h };
}

function countTiles(rule: TileRule, size: ImageSize, detail: ImageDetail): ImageTokenCount {
  // "auto" lets OpenAI choose; we count it as "high", the dearer of the two.
  if (detail === "low") return { tokens: rule.baseTokens, width: 512, height: 512 };
  let { width: w, height: h } = size;
  const fit = Math.min(1, 2048 / Math.max(w, h));
  w *= fit;
  h *= fit;
  const shortest = Math.min(w, h);
  if (shortest > 768) {
    const s = 768 / shortest;
    w *= s;
    h *= s;
  }
  const tiles = Math.ceil(Math.floor(w) / 512) * Math.ceil(Math.floor(h) / 512);
  return {
    tokens: rule.baseTokens + rule.tileTokens * tiles,
    width: Math.floor(w),
    height: Math.floor(h),
  };
}

function countPatches(rule: PatchRule, { width, height }: ImageSize): ImageTokenCount {
  const raw = Math.ceil(width / 32) * Math.ceil(height / 32);
  let w = width;
  let h = height;
  let patches = raw;
  if (raw > rule.maxPatches) {
    // The guide's steps: shrink to the patch budget, then shrink again so one side is a whole
    // number of patches.
    let shrink = Math.sqrt((32 * 32 * rule.maxPatches) / (width * height));
    const wp = (width * shrink) / 32;
    const hp = (height * shrink) / 32;
    shrink *= Math.min(Math.floor(wp) / wp, Math.floor(hp) / hp);
    w = Math.max(1, Math.floor(width * shrink));
    h = Math.max(1, Math.floor(height * shrink));
    patches = Math.min(rule.maxPatches, Math.ceil(w / 32) * Math.ceil(h / 32));
  }
  // Billed tokens are whole: rounded up (the guide does not say how the multiplier is rounded).
  return { tokens: Math.ceil(patches * rule.multiplier), width: w, height: h };
}

/**
 * Tokens one image of `size` costs under `rule`.
 *
 * @example
 * ```ts
 * countImageTokens(QWEN3_VL_RULE, { width: 4000, height: 3000 }).tokens; // 11750
 * countImageTokens(imageTokenRule("openai", "gpt-4o"), { width: 4000, height: 3000 }).tokens; // 765
 * ```
 */
export function countImageTokens(
  rule: ImageTokenRule,
  size: ImageSize,
  detail: ImageDetail = "auto",
): ImageTokenCount {
  checkSize(size);
  switch (rule.kind) {
    case "grid":
      return countGrid(rule, size);
    case "tiles":
      return countTiles(rule, size, detail);
    case "patches":
      return countPatches(rule, size);
  }
}

/** {@link countImageTokens} for a catalog model, with the rule it used. */
export function imageTokensFor(
  provider: string,
  model: string,
  size: ImageSize,
  detail: ImageDetail = "auto",
): ImageTokenCount & { readonly rule: ImageTokenRule; readonly estimate: boolean } {
  const rule = imageTokenRule(provider, model);
  return { ...countImageTokens(rule, size, detail), rule, estimate: rule.estimate !== undefined };
}

/**
 * The largest size with `size`'s aspect ratio (never larger than `size`) whose count under `rule`
 * is at most `maxTokens`: what to downscale to so that one image stays under a token ceiling. When
 * even a 1-px-long side exceeds it (a `tiles` base, a `grid` minimum), the smallest size is returned
 * and its count is above the ceiling — the caller decides.
 *
 * @example
 * ```ts
 * fitImageToTokens(QWEN3_VL_RULE, { width: 4000, height: 3000 }, 1200);
 * // { width: 1295, height: 971, tokens: 1200 }
 * ```
 */
export function fitImageToTokens(
  rule: ImageTokenRule,
  size: ImageSize,
  maxTokens: number,
  detail: ImageDetail = "auto",
): ImageSize & { readonly tokens: number } {
  checkSize(size);
  const long = Math.max(size.width, size.height);
  const at = (side: number): ImageSize => {
    const s = side / long;
    return {
      width: Math.max(1, Math.round(size.width * s)),
      height: Math.max(1, Math.round(size.height * s)),
    };
  };
  const full = countImageTokens(rule, size, detail).tokens;
  if (full <= maxTokens) return { ...size, tokens: full };
  // Counts grow with the long side (by steps); find the largest side that fits.
  let lo = 1;
  let hi = long;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (countImageTokens(rule, at(mid), detail).tokens <= maxTokens) lo = mid;
    else hi = mid - 1;
  }
  const best = at(lo);
  return { ...best, tokens: countImageTokens(rule, best, detail).tokens };
}
