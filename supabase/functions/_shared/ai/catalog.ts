/**
 * The model catalog: the one place where model facts and prices live.
 *
 * Built from `shared/facts/providers-2026-11.md` (checked 2026-11-25); every entry keeps the page it
 * came from and the date it was checked. Prices are exact decimal strings (USD per 1M tokens, or
 * per audio hour). Pure data plus pure look-ups: no I/O, no clock.
 *
 * Decisions recorded here (see also the comments beside each entry):
 * - Start dates. The facts give a start date for only three models (qwen3.6-27b 2026-06-16,
 *   qwen3.8-27b ~2026-08-27, gpt-6-sol 2026-09-22). Every other entry, current or retired, gets
 *   {@link ASSUMED_EFFECTIVE_FROM} so that historical rows (dated while the model was live) can be
 *   priced. A date before a model's first price period throws `UnpricedPeriodError`, never $0.
 * - Retired models with no price in the facts (the llama-3.2 vision previews) keep an empty price
 *   list: they can be resolved and replaced, but pricing them throws `UnpricedPeriodError`.
 * - Cached input on retired Groq models: the facts' Groq billing rule says cached input costs 50%,
 *   so those entries carry half the input price. A period without a cached price bills cached tokens
 *   at the full input price (never below what the provider could charge).
 * - Audio billing. Groq: "billed per second … minimum of 10 seconds per request". We bill whole
 *   seconds, rounding a partial second up (increment "1"); the facts do not say how a partial second
 *   is counted, so that increment is marked uncertain. OpenAI: the facts give only a per-minute
 *   price, so we bill the real duration to the millisecond (increment "0.001", the precision of
 *   `ai_operations_metrics.billed_audio_seconds`), with no minimum; also uncertain.
 * - gpt-6-luna "rates double above 272K input tokens" is a tiered price (`longContext`): when a
 *   request's input tokens (cached included) exceed 272,000, all of that request's tokens are
 *   priced at the doubled rates. Marked uncertain: @pydantic/genai-prices (2026-09-23) says output
 *   rises only 1.5×; we follow our newer facts.
 * - Uncertain facts stay configurable: pass a patched catalog (see {@link overrideModel}) to the
 *   look-ups and to `calculateCost`.
 *
 * @module
 */

export type Provider = "groq" | "openai";
export type Capability = "chat" | "vision" | "speech_to_text" | "reasoning";

/** Prices that replace a period's base prices for a whole request above a size threshold. */
export interface LongContextPrice {
  /** The tier applies when the request's input tokens (cached included) are strictly above this. */
  readonly aboveInputTokens: number;
  readonly inputPerMTok: string;
  readonly cachedInputPerMTok?: string;
  readonly outputPerMTok: string;
}

/** Prices in force from `effectiveFrom` (UTC date, inclusive) until the next period starts. */
export interface PricePeriod {
  readonly effectiveFrom: string;
  /** USD per 1M uncached input tokens. */
  readonly inputPerMTok?: string;
  /** USD per 1M cached input tokens; absent = billed at `inputPerMTok`. */
  readonly cachedInputPerMTok?: string;
  /** USD per 1M output tokens (reasoning tokens included). */
  readonly outputPerMTok?: string;
  /** USD per hour of billed audio. */
  readonly audioPerHour?: string;
  readonly longContext?: LongContextPrice;
}

/** How audio seconds become billed seconds: round up to `audioIncrementSeconds`, then the minimum. */
export interface AudioBilling {
  readonly minBilledAudioSeconds: string;
  readonly audioIncrementSeconds: string;
}

export interface ModelEntry {
  readonly id: string;
  readonly provider: Provider;
  readonly capabilities: readonly Capability[];
  readonly contextWindow?: number;
  readonly maxOutputTokens?: number;
  readonly imagesPerRequest?: number;
  /** Largest base64 (data URL) image the provider accepts. */
  readonly maxImageBytes?: number;
  readonly maxImagePixels?: number;
  /** Sorted by `effectiveFrom`, ascending. */
  readonly prices: readonly PricePeriod[];
  readonly billing?: AudioBilling;
  /** UTC date from which the provider no longer serves the model. */
  readonly shutdownOn?: string;
  /** Same-provider model id to use from `shutdownOn`. */
  readonly replacement?: string;
  /** Which facts are uncertain, and why. */
  readonly uncertain?: string;
  readonly notes?: string;
  readonly source: string;
  readonly checkedOn: string;
}

/**
 * Start date used where the facts give none. Early enough to cover every day the retired models
 * were live (the oldest shutdown in the facts is 2025-03-20), so historical rows can be re-priced;
 * anything dated earlier throws `UnpricedPeriodError` instead of being guessed.
 */
export const ASSUMED_EFFECTIVE_FROM = "2024-01-01";

/** The date the facts file was checked; every entry carries it. */
export const FACTS_CHECKED_ON = "2026-11-25";

const GROQ_MODELS_URL = "https://console.groq.com/docs/models";
const GROQ_PRICING_URL = "https://groq.com/pricing";
const GROQ_STT_URL = "https://console.groq.com/docs/speech-to-text";
// The facts' OpenAI table names no page; this is OpenAI's pricing page on the docs site the facts
// cite for the Assistants shutdown (developers.openai.com/api/docs/...).
const OPENAI_PRICING_URL = "https://developers.openai.com/api/docs/pricing";

// Groq speech-to-text: per second, minimum 10 s per request (console.groq.com/docs/speech-to-text,
// checked 2026-11-25). Whole-second rounding of a partial second is our reading: uncertain.
const GROQ_AUDIO_BILLING: AudioBilling = {
  minBilledAudioSeconds: "10",
  audioIncrementSeconds: "1",
};
// OpenAI transcription: the facts give only $/minute; bill the real duration to the millisecond.
const OPENAI_AUDIO_BILLING: AudioBilling = {
  minBilledAudioSeconds: "0",
  audioIncrementSeconds: "0.001",
};

// Groq vision limits (facts "Groq — limits and behaviour", console.groq.com/docs/models, checked
// 2026-11-25): base64 image ≤ 4 MB (we read MB as 10^6 bytes, the stricter reading), ≤ 33 MP.
const GROQ_MAX_IMAGE_BYTES = 4_000_000;
const GROQ_MAX_IMAGE_PIXELS = 33_177_600;

const OPENAI_CAPABILITY_NOTE =
  "capabilities are not in the facts file's OpenAI table: chat+vision follows DESIGN.md (gpt-4.1-mini is the vision fallback, gpt-4o the seed's vision baseline)";

export const CATALOG: readonly ModelEntry[] = [
  // ---------------------------------------------------------------- Groq, offered now
  {
    id: "openai/gpt-oss-120b",
    provider: "groq",
    capabilities: ["chat", "reasoning"],
    contextWindow: 131_072,
    maxOutputTokens: 65_536,
    // groq.com/pricing, checked 2026-11-25; start date not in the facts (assumed).
    prices: [{
      effectiveFrom: ASSUMED_EFFECTIVE_FROM,
      inputPerMTok: "0.15",
      cachedInputPerMTok: "0.075",
      outputPerMTok: "0.60",
    }],
    notes: "text only; Groq's named replacement for llama-3.3-70b-versatile; ~500 tok/s",
    source: GROQ_PRICING_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "openai/gpt-oss-20b",
    provider: "groq",
    capabilities: ["chat", "reasoning"],
    contextWindow: 131_072,
    maxOutputTokens: 65_536,
    // groq.com/pricing, checked 2026-11-25; start date not in the facts (assumed).
    prices: [{
      effectiveFrom: ASSUMED_EFFECTIVE_FROM,
      inputPerMTok: "0.075",
      cachedInputPerMTok: "0.0375",
      outputPerMTok: "0.30",
    }],
    notes: "text only; replacement for llama-3.1-8b-instant; ~1000 tok/s",
    source: GROQ_PRICING_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "qwen/qwen3.6-27b",
    provider: "groq",
    capabilities: ["chat", "vision"],
    contextWindow: 131_072,
    maxOutputTokens: 16_384,
    maxImageBytes: GROQ_MAX_IMAGE_BYTES,
    maxImagePixels: GROQ_MAX_IMAGE_PIXELS,
    // groq.com/pricing via models.dev PR 3761, checked 2026-11-25; added 2026-06-16.
    prices: [{
      effectiveFrom: "2026-06-16",
      inputPerMTok: "0.60",
      cachedInputPerMTok: "0.30",
      outputPerMTok: "3.00",
    }],
    uncertain: "images per request not stated for this model (3 on qwen3.8-27b)",
    notes: "vision is a preview; no strict json_schema",
    source: GROQ_MODELS_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "qwen/qwen3.8-27b",
    provider: "groq",
    capabilities: ["chat", "vision"],
    contextWindow: 131_042,
    maxOutputTokens: 16_384,
    imagesPerRequest: 3,
    maxImageBytes: GROQ_MAX_IMAGE_BYTES,
    maxImagePixels: GROQ_MAX_IMAGE_PIXELS,
    // groq.com/pricing via models.dev PR 5742, checked 2026-11-25; added ~2026-08-27.
    prices: [{
      effectiveFrom: "2026-08-27",
      inputPerMTok: "0.80",
      cachedInputPerMTok: "0.40",
      outputPerMTok: "4.00",
    }],
    uncertain:
      "price: one source used 0.60/3.00 as a placeholder, we bill 0.80/4.00 (override with overrideModel if Groq's invoice disagrees); start date is approximate (~2026-08-27)",
    notes: "up to 3 images a request, 20 MB image URL limit",
    source: GROQ_PRICING_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "whisper-large-v3",
    provider: "groq",
    capabilities: ["speech_to_text"],
    // groq.com/pricing, checked 2026-11-25: $0.111 per audio hour.
    prices: [{ effectiveFrom: ASSUMED_EFFECTIVE_FROM, audioPerHour: "0.111" }],
    billing: GROQ_AUDIO_BILLING,
    uncertain: "billing increment: partial seconds rounded up to whole seconds (our reading)",
    notes: "transcribe + translate; 10.3% WER; best Groq choice for Russian",
    source: GROQ_STT_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "whisper-large-v3-turbo",
    provider: "groq",
    capabilities: ["speech_to_text"],
    // groq.com/pricing, checked 2026-11-25: $0.04 per audio hour.
    prices: [{ effectiveFrom: ASSUMED_EFFECTIVE_FROM, audioPerHour: "0.04" }],
    billing: GROQ_AUDIO_BILLING,
    uncertain: "billing increment: partial seconds rounded up to whole seconds (our reading)",
    notes: "transcribe only; 12% WER, faster",
    source: GROQ_STT_URL,
    checkedOn: FACTS_CHECKED_ON,
  },

  // ---------------------------------------------------------------- Groq, retired
  // Prices from the facts' retired table (console.groq.com/docs/models, groq.com/pricing, checked
  // 2026-11-25); cached = 50% of input per the facts' Groq billing rule; start dates assumed.
  {
    id: "llama-3.3-70b-versatile",
    provider: "groq",
    capabilities: ["chat"],
    prices: [{
      effectiveFrom: ASSUMED_EFFECTIVE_FROM,
      inputPerMTok: "0.59",
      cachedInputPerMTok: "0.295",
      outputPerMTok: "0.79",
    }],
    shutdownOn: "2026-08-16",
    replacement: "openai/gpt-oss-120b",
    source: GROQ_MODELS_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "llama-3.1-8b-instant",
    provider: "groq",
    capabilities: ["chat"],
    prices: [{
      effectiveFrom: ASSUMED_EFFECTIVE_FROM,
      inputPerMTok: "0.05",
      cachedInputPerMTok: "0.025",
      outputPerMTok: "0.08",
    }],
    shutdownOn: "2026-08-16",
    replacement: "openai/gpt-oss-20b",
    source: GROQ_MODELS_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "meta-llama/llama-4-scout-17b-16e-instruct",
    provider: "groq",
    capabilities: ["chat", "vision"],
    imagesPerRequest: 5,
    maxImageBytes: GROQ_MAX_IMAGE_BYTES,
    maxImagePixels: GROQ_MAX_IMAGE_PIXELS,
    prices: [{
      effectiveFrom: ASSUMED_EFFECTIVE_FROM,
      inputPerMTok: "0.11",
      cachedInputPerMTok: "0.055",
      outputPerMTok: "0.34",
    }],
    shutdownOn: "2026-07-17",
    replacement: "qwen/qwen3.6-27b",
    uncertain: "5 images per request comes from older docs",
    source: GROQ_MODELS_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "qwen/qwen3-32b",
    provider: "groq",
    capabilities: ["chat"],
    prices: [{
      effectiveFrom: ASSUMED_EFFECTIVE_FROM,
      inputPerMTok: "0.29",
      cachedInputPerMTok: "0.145",
      outputPerMTok: "0.59",
    }],
    shutdownOn: "2026-07-17",
    replacement: "openai/gpt-oss-120b",
    source: GROQ_MODELS_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "moonshotai/kimi-k2-instruct-0905",
    provider: "groq",
    capabilities: ["chat"],
    prices: [{
      effectiveFrom: ASSUMED_EFFECTIVE_FROM,
      inputPerMTok: "1.00",
      cachedInputPerMTok: "0.50",
      outputPerMTok: "3.00",
    }],
    shutdownOn: "2026-04-15",
    replacement: "openai/gpt-oss-120b",
    source: GROQ_MODELS_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "meta-llama/llama-4-maverick-17b-128e-instruct",
    provider: "groq",
    capabilities: ["chat", "vision"],
    imagesPerRequest: 5,
    maxImageBytes: GROQ_MAX_IMAGE_BYTES,
    maxImagePixels: GROQ_MAX_IMAGE_PIXELS,
    prices: [{
      effectiveFrom: ASSUMED_EFFECTIVE_FROM,
      inputPerMTok: "0.20",
      cachedInputPerMTok: "0.10",
      outputPerMTok: "0.60",
    }],
    shutdownOn: "2026-03-09",
    // Groq's named replacement is text only: a vision route drops it (config.ts) rather than
    // sending images to a model that cannot read them.
    replacement: "openai/gpt-oss-120b",
    uncertain: "5 images per request comes from older docs",
    source: GROQ_MODELS_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "gemma2-9b-it",
    provider: "groq",
    capabilities: ["chat"],
    prices: [{
      effectiveFrom: ASSUMED_EFFECTIVE_FROM,
      inputPerMTok: "0.20",
      cachedInputPerMTok: "0.10",
      outputPerMTok: "0.20",
    }],
    shutdownOn: "2025-10-08",
    source: GROQ_MODELS_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "llama3-70b-8192",
    provider: "groq",
    capabilities: ["chat"],
    prices: [{
      effectiveFrom: ASSUMED_EFFECTIVE_FROM,
      inputPerMTok: "0.59",
      cachedInputPerMTok: "0.295",
      outputPerMTok: "0.79",
    }],
    shutdownOn: "2025-08-30",
    notes: 'the seed called it "llama-3-70b-8192"',
    source: GROQ_MODELS_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "llama-3.2-90b-vision-preview",
    provider: "groq",
    capabilities: ["chat", "vision"],
    prices: [],
    shutdownOn: "2025-04-14",
    uncertain: "no price in the facts: pricing it throws UnpricedPeriodError",
    source: GROQ_MODELS_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "llama-3.2-11b-vision-preview",
    provider: "groq",
    capabilities: ["chat", "vision"],
    prices: [],
    shutdownOn: "2025-04-14",
    uncertain: "no price in the facts: pricing it throws UnpricedPeriodError",
    source: GROQ_MODELS_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "mixtral-8x7b-32768",
    provider: "groq",
    capabilities: ["chat"],
    prices: [{
      effectiveFrom: ASSUMED_EFFECTIVE_FROM,
      inputPerMTok: "0.24",
      cachedInputPerMTok: "0.12",
      outputPerMTok: "0.24",
    }],
    shutdownOn: "2025-03-20",
    source: GROQ_MODELS_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "distil-whisper-large-v3-en",
    provider: "groq",
    capabilities: ["speech_to_text"],
    // $0.02 per audio hour (facts' retired table, checked 2026-11-25).
    prices: [{ effectiveFrom: ASSUMED_EFFECTIVE_FROM, audioPerHour: "0.02" }],
    billing: GROQ_AUDIO_BILLING,
    shutdownOn: "2025-08-23",
    replacement: "whisper-large-v3-turbo",
    uncertain:
      "the 10 s minimum and whole-second increment are today's Groq rules, assumed to have applied",
    notes: "English only",
    source: GROQ_STT_URL,
    checkedOn: FACTS_CHECKED_ON,
  },

  // ---------------------------------------------------------------- OpenAI
  // Prices from the facts' OpenAI table (checked 2026-11-25); start dates assumed unless stated.
  {
    id: "gpt-4o",
    provider: "openai",
    capabilities: ["chat", "vision"],
    prices: [{
      effectiveFrom: ASSUMED_EFFECTIVE_FROM,
      inputPerMTok: "2.50",
      cachedInputPerMTok: "1.25",
      outputPerMTok: "10.00",
    }],
    shutdownOn: "2027-01-14",
    uncertain: OPENAI_CAPABILITY_NOTE,
    notes: "the seed's baseline for chat, vision and documents",
    source: OPENAI_PRICING_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "gpt-4o-mini",
    provider: "openai",
    capabilities: ["chat", "vision"],
    prices: [{
      effectiveFrom: ASSUMED_EFFECTIVE_FROM,
      inputPerMTok: "0.15",
      cachedInputPerMTok: "0.075",
      outputPerMTok: "0.60",
    }],
    shutdownOn: "2027-01-14",
    uncertain: OPENAI_CAPABILITY_NOTE,
    source: OPENAI_PRICING_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "gpt-4.1",
    provider: "openai",
    capabilities: ["chat", "vision"],
    prices: [{
      effectiveFrom: ASSUMED_EFFECTIVE_FROM,
      inputPerMTok: "2.00",
      cachedInputPerMTok: "0.50",
      outputPerMTok: "8.00",
    }],
    shutdownOn: "2027-01-14",
    uncertain: OPENAI_CAPABILITY_NOTE,
    source: OPENAI_PRICING_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "gpt-4.1-mini",
    provider: "openai",
    capabilities: ["chat", "vision"],
    prices: [{
      effectiveFrom: ASSUMED_EFFECTIVE_FROM,
      inputPerMTok: "0.40",
      cachedInputPerMTok: "0.10",
      outputPerMTok: "1.60",
    }],
    shutdownOn: "2027-01-14",
    uncertain: OPENAI_CAPABILITY_NOTE,
    notes: "the OpenAI fallback for chat, vision and documents (DESIGN.md)",
    source: OPENAI_PRICING_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "gpt-5",
    provider: "openai",
    capabilities: ["chat", "vision", "reasoning"],
    prices: [{
      effectiveFrom: ASSUMED_EFFECTIVE_FROM,
      inputPerMTok: "1.25",
      cachedInputPerMTok: "0.125",
      outputPerMTok: "10.00",
    }],
    shutdownOn: "2026-12-11",
    uncertain: `${OPENAI_CAPABILITY_NOTE}; reasoning because it reports reasoning_tokens`,
    source: OPENAI_PRICING_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "gpt-5-mini",
    provider: "openai",
    capabilities: ["chat", "vision", "reasoning"],
    prices: [{
      effectiveFrom: ASSUMED_EFFECTIVE_FROM,
      inputPerMTok: "0.25",
      cachedInputPerMTok: "0.025",
      outputPerMTok: "2.00",
    }],
    shutdownOn: "2026-12-11",
    uncertain: `${OPENAI_CAPABILITY_NOTE}; reasoning because it reports reasoning_tokens`,
    source: OPENAI_PRICING_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "gpt-5-nano",
    provider: "openai",
    capabilities: ["chat", "vision", "reasoning"],
    prices: [{
      effectiveFrom: ASSUMED_EFFECTIVE_FROM,
      inputPerMTok: "0.05",
      cachedInputPerMTok: "0.005",
      outputPerMTok: "0.40",
    }],
    shutdownOn: "2026-12-11",
    uncertain: `${OPENAI_CAPABILITY_NOTE}; reasoning because it reports reasoning_tokens`,
    source: OPENAI_PRICING_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "gpt-6-sol",
    provider: "openai",
    capabilities: ["chat", "vision", "reasoning"],
    // Released 2026-09-22 (facts' OpenAI table, checked 2026-11-25).
    prices: [{
      effectiveFrom: "2026-09-22",
      inputPerMTok: "2.00",
      cachedInputPerMTok: "0.20",
      outputPerMTok: "10.00",
    }],
    uncertain:
      `${OPENAI_CAPABILITY_NOTE}; @pydantic/genai-prices also lists a >272K-input tier for this model that our facts do not`,
    source: OPENAI_PRICING_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "gpt-6-luna",
    provider: "openai",
    capabilities: ["chat", "vision", "reasoning"],
    // Facts' OpenAI table, checked 2026-11-25: "rates double above 272K input tokens".
    prices: [{
      effectiveFrom: ASSUMED_EFFECTIVE_FROM,
      inputPerMTok: "0.10",
      cachedInputPerMTok: "0.01",
      outputPerMTok: "0.50",
      longContext: {
        aboveInputTokens: 272_000,
        inputPerMTok: "0.20",
        cachedInputPerMTok: "0.02",
        outputPerMTok: "1.00",
      },
    }],
    uncertain:
      `${OPENAI_CAPABILITY_NOTE}; long-context tier: the facts say all rates double above 272K input tokens, @pydantic/genai-prices (2026-09-23) says output rises 1.5× (0.75); we follow the facts`,
    source: OPENAI_PRICING_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "whisper-1",
    provider: "openai",
    capabilities: ["speech_to_text"],
    // $0.006/minute = 0.006 × 60 = $0.36 per hour (facts, checked 2026-11-25).
    prices: [{ effectiveFrom: ASSUMED_EFFECTIVE_FROM, audioPerHour: "0.36" }],
    billing: OPENAI_AUDIO_BILLING,
    shutdownOn: "2027-02-26",
    replacement: "gpt-transcribe",
    uncertain: "billing increment: real duration to the millisecond, no minimum (our reading)",
    notes: "the seed's baseline for audio",
    source: OPENAI_PRICING_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "gpt-4o-transcribe",
    provider: "openai",
    capabilities: ["speech_to_text"],
    // ≈ $0.006/minute = $0.36 per hour (facts, checked 2026-11-25).
    prices: [{ effectiveFrom: ASSUMED_EFFECTIVE_FROM, audioPerHour: "0.36" }],
    billing: OPENAI_AUDIO_BILLING,
    shutdownOn: "2027-02-26",
    replacement: "gpt-transcribe",
    uncertain:
      "price is approximate (≈ $0.006/minute); billing increment: real duration to the millisecond",
    source: OPENAI_PRICING_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "gpt-4o-mini-transcribe",
    provider: "openai",
    capabilities: ["speech_to_text"],
    // ≈ $0.003/minute = 0.003 × 60 = $0.18 per hour (facts, checked 2026-11-25).
    prices: [{ effectiveFrom: ASSUMED_EFFECTIVE_FROM, audioPerHour: "0.18" }],
    billing: OPENAI_AUDIO_BILLING,
    shutdownOn: "2027-02-26",
    replacement: "gpt-transcribe",
    uncertain:
      "price is approximate (≈ $0.003/minute); billing increment: real duration to the millisecond",
    source: OPENAI_PRICING_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "gpt-transcribe",
    provider: "openai",
    capabilities: ["speech_to_text"],
    prices: [],
    billing: OPENAI_AUDIO_BILLING,
    uncertain:
      "named replacement for OpenAI's transcription models from 2027-02-26; price unknown, so pricing it throws UnpricedPeriodError until a period is added",
    source: OPENAI_PRICING_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
];

/** No catalog entry for this provider and model id. */
export class UnknownModelError extends Error {
  readonly code = "unknown_model";
  readonly hint = "Add the model to _shared/ai/catalog.ts (with its source) or fix the model id.";
  constructor(readonly provider: string, readonly model: string) {
    super(`unknown model ${provider}:${model}: not in the catalog`);
    this.name = "UnknownModelError";
  }
}

/** The model has no price period in force at the requested date. */
export class UnpricedPeriodError extends Error {
  readonly code = "unpriced_period";
  readonly hint =
    "Add a price period (with its source and date) to the model's catalog entry, or check the date.";
  constructor(readonly provider: string, readonly model: string, readonly at: string) {
    super(`no price for ${provider}:${model} on ${at}`);
    this.name = "UnpricedPeriodError";
  }
}

/** The UTC calendar date (YYYY-MM-DD) of `at`; throws RangeError for an invalid Date. */
export function utcDate(at: Date): string {
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) {
    throw new RangeError("expected a valid Date");
  }
  return at.toISOString().slice(0, 10);
}

/**
 * The catalog entry for `provider` and `id`, or `undefined`.
 *
 * @example
 * ```ts
 * findModel("groq", "openai/gpt-oss-120b")?.contextWindow; // 131072
 * ```
 */
export function findModel(
  provider: string,
  id: string,
  catalog: readonly ModelEntry[] = CATALOG,
): ModelEntry | undefined {
  return catalog.find((entry) => entry.provider === provider && entry.id === id);
}

/**
 * The catalog entry for `provider` and `id`; throws `UnknownModelError` (code `unknown_model`).
 *
 * @example
 * ```ts
 * getModel("groq", "whisper-large-v3").billing?.minBilledAudioSeconds; // "10"
 * ```
 */
export function getModel(
  provider: string,
  id: string,
  catalog: readonly ModelEntry[] = CATALOG,
): ModelEntry {
  const entry = findModel(provider, id, catalog);
  if (!entry) throw new UnknownModelError(provider, id);
  return entry;
}

/** True when `at` is on or after the model's shutdown date. */
export function isRetired(entry: ModelEntry, at: Date): boolean {
  return entry.shutdownOn !== undefined && utcDate(at) >= entry.shutdownOn;
}

export interface ResolvedModel {
  /** The model to call: the configured one, or the end of its replacement chain. */
  readonly entry: ModelEntry;
  /** The configured id, when a replacement was followed. */
  readonly replacedFrom?: string;
  /** Set when a replacement was followed or the model is retired with no replacement. */
  readonly warning?: string;
  /** True when `entry` itself is past its shutdown date (no replacement to follow). */
  readonly retired: boolean;
}

/**
 * Resolves a configured model at date `at`: past `shutdownOn`, follows `replacement` (repeatedly)
 * and explains it in `warning`. Throws `UnknownModelError` for an id not in the catalog.
 *
 * @example
 * ```ts
 * const r = resolveModel("groq", "llama-3.3-70b-versatile", new Date("2026-11-25"));
 * r.entry.id; // "openai/gpt-oss-120b"
 * r.warning; // "groq:llama-3.3-70b-versatile was shut down on 2026-08-16; using its replacement groq:openai/gpt-oss-120b"
 * ```
 */
export function resolveModel(
  provider: string,
  id: string,
  at: Date,
  catalog: readonly ModelEntry[] = CATALOG,
): ResolvedModel {
  const configured = getModel(provider, id, catalog);
  let entry = configured;
  const seen = new Set<string>([entry.id]);
  const steps: string[] = [];
  while (isRetired(entry, at) && entry.replacement !== undefined) {
    const next = getModel(entry.provider, entry.replacement, catalog);
    if (seen.has(next.id)) break; // a replacement cycle in a patched catalog: stop, stay retired
    steps.push(`${entry.provider}:${entry.id} was shut down on ${entry.shutdownOn}`);
    seen.add(next.id);
    entry = next;
  }
  const retired = isRetired(entry, at);
  if (entry === configured) {
    if (!retired) return { entry, retired };
    return {
      entry,
      retired,
      warning: `${provider}:${id} was shut down on ${entry.shutdownOn} and has no replacement`,
    };
  }
  const target = `${entry.provider}:${entry.id}`;
  const warning = retired
    ? `${
      steps.join("; ")
    }; its replacement ${target} was shut down on ${entry.shutdownOn} too and has no replacement`
    : `${steps.join("; ")}; using its replacement ${target}`;
  return { entry, replacedFrom: id, warning, retired };
}

/**
 * The price period in force at `at` (the latest one starting on or before its UTC date), or, with
 * no `at`, the latest period. Throws `UnpricedPeriodError` when there is none.
 */
export function pricePeriodAt(entry: ModelEntry, at?: Date): PricePeriod {
  const day = at === undefined ? undefined : utcDate(at);
  let found: PricePeriod | undefined;
  for (const period of entry.prices) {
    if (day === undefined || period.effectiveFrom <= day) found = period;
  }
  if (!found) throw new UnpricedPeriodError(entry.provider, entry.id, day ?? "any date");
  return found;
}

export interface ModelQuery {
  readonly provider?: Provider;
  /** When given, models past their shutdown date at `at` are left out. */
  readonly at?: Date;
  readonly catalog?: readonly ModelEntry[];
}

/**
 * Catalog entries with `capability`, in catalog order (Groq first), optionally for one provider and
 * without the models retired at `at`.
 *
 * @example
 * ```ts
 * modelsWithCapability("vision", { provider: "groq", at: new Date("2026-11-25") })
 *   .map((m) => m.id); // ["qwen/qwen3.6-27b", "qwen/qwen3.8-27b"]
 * ```
 */
export function modelsWithCapability(
  capability: Capability,
  query: ModelQuery = {},
): ModelEntry[] {
  const { provider, at, catalog = CATALOG } = query;
  return catalog.filter((entry) =>
    entry.capabilities.includes(capability) &&
    (provider === undefined || entry.provider === provider) &&
    (at === undefined || !isRetired(entry, at))
  );
}

/**
 * A copy of `catalog` with one entry patched: how an uncertain fact (qwen3.8's price, an audio
 * billing increment) is changed without editing code paths. Throws `UnknownModelError`.
 *
 * @example
 * ```ts
 * const patched = overrideModel(CATALOG, "groq", "qwen/qwen3.8-27b", {
 *   prices: [{ effectiveFrom: "2026-08-27", inputPerMTok: "0.60", outputPerMTok: "3.00" }],
 * });
 * calculateCost("groq", "qwen/qwen3.8-27b", usage, at, { catalog: patched });
 * ```
 */
export function overrideModel(
  catalog: readonly ModelEntry[],
  provider: Provider,
  id: string,
  patch: Partial<Omit<ModelEntry, "id" | "provider">>,
): ModelEntry[] {
  getModel(provider, id, catalog);
  return catalog.map((entry) =>
    entry.provider === provider && entry.id === id ? { ...entry, ...patch } : entry
  );
}
