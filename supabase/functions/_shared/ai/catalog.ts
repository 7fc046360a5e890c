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
 * - Lifecycle. A model's last price period ends at its `shutdownOn`: pricing a call on or after
 *   that day throws `ModelRetiredError` (code `model_retired`): the provider refuses such a call
 *   (400 model_decommissioned), so a row claiming one cannot be true (facts addendum 2026-12-01:
 *   no source prices a retired Groq model after its shutdown). Baselines are hypothetical and use
 *   {@link lastPricePeriodAt}, which prices a retired model at its last price.
 * - Audio billing is data per model ({@link AudioBilling}): the billed seconds are the duration to
 *   the millisecond (the precision of `ai_operations_metrics.billed_audio_seconds`, rounded
 *   half-up), then the minimum. Groq: exact seconds with a 10 s minimum, and files under 0.01 s
 *   are refused by Groq, so never billed. Groq does not say how a fraction of a second counts;
 *   @pydantic/genai-prices and LiteLLM bill the exact duration (facts addendum 2026-12-01), so we
 *   do too, marked uncertain. OpenAI: only a per-minute price is published; exact duration, no
 *   minimum, also uncertain.
 * - Long-context tiers (`longContext`): when a request's input tokens (cached included) exceed
 *   272,000, all of that request's tokens are priced at the tier. gpt-6-sol $4.00/$0.40/$15.00 and
 *   gpt-6-luna $0.20/$0.02/$0.75 per 1M (input and cached ×2, output ×1.5), from
 *   @pydantic/genai-prices 0.1.8 via the facts addendum 2026-12-01: every OpenAI long-context tier
 *   in both public price lists is ×2/×1.5, so the facts' "rates double" was the misreading.
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

/**
 * How audio seconds become billed seconds: rounded to `audioIncrementSeconds` (`rounding`: "up"
 * bills a started increment in full, "nearest" rounds half-up), then raised to
 * `minBilledAudioSeconds`. Audio shorter than `minAudioSeconds` is refused by the provider: the
 * functions refuse it before any call, and it is never billed.
 */
export interface AudioBilling {
  readonly minBilledAudioSeconds: string;
  readonly audioIncrementSeconds: string;
  readonly rounding: "up" | "nearest";
  /** The shortest audio the provider accepts (Groq: 0.01 s); absent = any length. */
  readonly minAudioSeconds?: string;
  /** Where these rules come from. */
  readonly source: string;
  /** Which of these rules are our reading rather than the provider's words. */
  readonly uncertain?: string;
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

const GENAI_PRICES = "@pydantic/genai-prices 0.1.8 (npm), via the facts addendum 2026-12-01";

// Groq speech-to-text: per second, minimum 10 s per request, files from 0.01 s
// (console.groq.com/docs/speech-to-text, checked 2026-11-25). Exact duration, not whole seconds:
// facts addendum 2026-12-01 (genai-prices and LiteLLM bill the exact duration; no Groq source
// says "round up").
const GROQ_AUDIO_BILLING: AudioBilling = {
  minBilledAudioSeconds: "10",
  audioIncrementSeconds: "0.001",
  rounding: "nearest",
  minAudioSeconds: "0.01",
  source: `${GROQ_STT_URL} (10 s minimum, 0.01 s shortest file); ${GENAI_PRICES} (exact duration)`,
  uncertain:
    "Groq does not say how a fraction of a second is billed; both public price lists bill the exact duration, so we do (to the ledger's millisecond)",
};
// OpenAI transcription: the facts give only $/minute; bill the real duration to the millisecond.
const OPENAI_AUDIO_BILLING: AudioBilling = {
  minBilledAudioSeconds: "0",
  audioIncrementSeconds: "0.001",
  rounding: "nearest",
  source: `${OPENAI_PRICING_URL} (per minute)`,
  uncertain: "only a per-minute price is published: exact duration, no minimum (our reading)",
};

// Groq vision limits (facts "Groq — limits and behaviour", console.groq.com/docs/models, checked
// 2026-11-25): base64 image ≤ 4 MB (we read MB as 10^6 bytes, the stricter reading), ≤ 33 MP.
const GROQ_MAX_IMAGE_BYTES = 4_000_000;
const GROQ_MAX_IMAGE_PIXELS = 33_177_600;

// Context windows of OpenAI models: the facts addendum 2026-12-01 gives gpt-4o (128,000) and
// gpt-4.1 / gpt-4.1-mini (1,047,576); the others are @pydantic/genai-prices 0.1.8's
// `context_window` (read 2026-12-01). Without a window the curator assumes 8,192 tokens.
const OPENAI_WINDOW_SOURCE = `context window: ${GENAI_PRICES}`;

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
    uncertain: "billing of a fraction of a second (see billing.uncertain)",
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
    uncertain: "billing of a fraction of a second (see billing.uncertain)",
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
      "the 10 s minimum and exact-duration billing are today's Groq rules, assumed to have applied",
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
    contextWindow: 128_000,
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
    contextWindow: 128_000,
    prices: [{
      effectiveFrom: ASSUMED_EFFECTIVE_FROM,
      inputPerMTok: "0.15",
      cachedInputPerMTok: "0.075",
      outputPerMTok: "0.60",
    }],
    shutdownOn: "2027-01-14",
    uncertain: `${OPENAI_CAPABILITY_NOTE}; ${OPENAI_WINDOW_SOURCE}`,
    source: OPENAI_PRICING_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "gpt-4.1",
    provider: "openai",
    capabilities: ["chat", "vision"],
    contextWindow: 1_047_576,
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
    contextWindow: 1_047_576,
    prices: [{
      effectiveFrom: ASSUMED_EFFECTIVE_FROM,
      inputPerMTok: "0.40",
      cachedInputPerMTok: "0.10",
      outputPerMTok: "1.60",
    }],
    shutdownOn: "2027-01-14",
    // Our choice, not OpenAI's (the facts name none): gpt-6-luna does chat and vision, is not
    // scheduled to shut down, and costs less per token (0.10/0.01/0.50 against 0.40/0.10/1.60).
    // It is a reasoning model: its reasoning tokens are billed as output (see config.ts).
    replacement: "gpt-6-luna",
    uncertain: OPENAI_CAPABILITY_NOTE,
    notes: "the OpenAI fallback for chat, vision and documents until 2026-12-01 (now gpt-6-luna)",
    source: OPENAI_PRICING_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "gpt-5",
    provider: "openai",
    capabilities: ["chat", "vision", "reasoning"],
    contextWindow: 400_000,
    prices: [{
      effectiveFrom: ASSUMED_EFFECTIVE_FROM,
      inputPerMTok: "1.25",
      cachedInputPerMTok: "0.125",
      outputPerMTok: "10.00",
    }],
    shutdownOn: "2026-12-11",
    uncertain:
      `${OPENAI_CAPABILITY_NOTE}; reasoning because it reports reasoning_tokens; ${OPENAI_WINDOW_SOURCE}`,
    source: OPENAI_PRICING_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "gpt-5-mini",
    provider: "openai",
    capabilities: ["chat", "vision", "reasoning"],
    contextWindow: 400_000,
    prices: [{
      effectiveFrom: ASSUMED_EFFECTIVE_FROM,
      inputPerMTok: "0.25",
      cachedInputPerMTok: "0.025",
      outputPerMTok: "2.00",
    }],
    shutdownOn: "2026-12-11",
    uncertain:
      `${OPENAI_CAPABILITY_NOTE}; reasoning because it reports reasoning_tokens; ${OPENAI_WINDOW_SOURCE}`,
    source: OPENAI_PRICING_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "gpt-5-nano",
    provider: "openai",
    capabilities: ["chat", "vision", "reasoning"],
    contextWindow: 400_000,
    prices: [{
      effectiveFrom: ASSUMED_EFFECTIVE_FROM,
      inputPerMTok: "0.05",
      cachedInputPerMTok: "0.005",
      outputPerMTok: "0.40",
    }],
    shutdownOn: "2026-12-11",
    uncertain:
      `${OPENAI_CAPABILITY_NOTE}; reasoning because it reports reasoning_tokens; ${OPENAI_WINDOW_SOURCE}`,
    source: OPENAI_PRICING_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "gpt-6-sol",
    provider: "openai",
    capabilities: ["chat", "vision", "reasoning"],
    contextWindow: 1_050_000,
    // Released 2026-09-22 (facts' OpenAI table, checked 2026-11-25). Tier above 272K input
    // tokens: $4.00 / $0.40 / $15.00 (input ×2, output ×1.5; facts addendum 2026-12-01 from
    // @pydantic/genai-prices 0.1.8). Without it a 300K-token request was under-billed by 49 %.
    prices: [{
      effectiveFrom: "2026-09-22",
      inputPerMTok: "2.00",
      cachedInputPerMTok: "0.20",
      outputPerMTok: "10.00",
      longContext: {
        aboveInputTokens: 272_000,
        inputPerMTok: "4.00",
        cachedInputPerMTok: "0.40",
        outputPerMTok: "15.00",
      },
    }],
    uncertain:
      `${OPENAI_CAPABILITY_NOTE}; long-context tier from ${GENAI_PRICES}, not OpenAI's page; ${OPENAI_WINDOW_SOURCE}`,
    source: OPENAI_PRICING_URL,
    checkedOn: FACTS_CHECKED_ON,
  },
  {
    id: "gpt-6-luna",
    provider: "openai",
    capabilities: ["chat", "vision", "reasoning"],
    contextWindow: 1_050_000,
    // Facts' OpenAI table, checked 2026-11-25; tier above 272K input tokens: input and cached ×2,
    // output ×1.5 = $0.75 (facts addendum 2026-12-01: "rates double" was the misreading).
    prices: [{
      effectiveFrom: ASSUMED_EFFECTIVE_FROM,
      inputPerMTok: "0.10",
      cachedInputPerMTok: "0.01",
      outputPerMTok: "0.50",
      longContext: {
        aboveInputTokens: 272_000,
        inputPerMTok: "0.20",
        cachedInputPerMTok: "0.02",
        outputPerMTok: "0.75",
      },
    }],
    uncertain:
      `${OPENAI_CAPABILITY_NOTE}; long-context tier from ${GENAI_PRICES} (OpenAI's own page not read); ${OPENAI_WINDOW_SOURCE}`,
    notes:
      "the OpenAI fallback for chat, vision and documents since 2026-12-01 (replaces gpt-4.1-mini); a reasoning model",
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
    // $0.27 per audio hour: @pydantic/genai-prices 0.1.8 (facts addendum 2026-12-01). Start date
    // unknown (assumed): without a price, every OpenAI transcription from 2027-02-26 (when
    // whisper-1 hands over to it) would have been refused pricing.
    prices: [{ effectiveFrom: ASSUMED_EFFECTIVE_FROM, audioPerHour: "0.27" }],
    billing: OPENAI_AUDIO_BILLING,
    uncertain:
      `price from ${GENAI_PRICES}, not OpenAI's page; billing increment: real duration to the millisecond (our reading)`,
    notes: "named replacement for OpenAI's transcription models from 2027-02-26",
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

/**
 * The model was shut down before the date of the call: the provider refuses such a call, so a
 * cost for it cannot be true. Its last price period ended the day before `shutdownOn`.
 */
export class ModelRetiredError extends Error {
  readonly code = "model_retired";
  readonly hint: string;
  constructor(
    readonly provider: string,
    readonly model: string,
    readonly at: string,
    readonly shutdownOn: string,
    readonly replacement?: string,
  ) {
    super(
      `${provider}:${model} was shut down on ${shutdownOn}: no call to it on ${at} can be priced`,
    );
    this.name = "ModelRetiredError";
    this.hint = replacement
      ? `Check the date, or report the model that served the call (its replacement is ${provider}:${replacement}).`
      : "Check the date, or report the model that served the call.";
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
 * no `at`, the latest period. A model's last period ends at its `shutdownOn`: a date on or after
 * it throws `ModelRetiredError` (code `model_retired`). Throws `UnpricedPeriodError` when no
 * period has started.
 */
export function pricePeriodAt(entry: ModelEntry, at?: Date): PricePeriod {
  const day = at === undefined ? undefined : utcDate(at);
  if (day !== undefined && entry.shutdownOn !== undefined && day >= entry.shutdownOn) {
    throw new ModelRetiredError(entry.provider, entry.id, day, entry.shutdownOn, entry.replacement);
  }
  return periodOn(entry, day);
}

/**
 * Like {@link pricePeriodAt}, but a model past its shutdown keeps its last price: for baselines,
 * which price what a call *would* have cost on the old stack, not a call that happened.
 */
export function lastPricePeriodAt(entry: ModelEntry, at?: Date): PricePeriod {
  return periodOn(entry, at === undefined ? undefined : utcDate(at));
}

function periodOn(entry: ModelEntry, day: string | undefined): PricePeriod {
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
