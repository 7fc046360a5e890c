/**
 * Exact cost of one model call, from the catalog's price periods.
 *
 * Everything is BigInt decimal arithmetic (`decimal.ts`): tokens × price per 1M tokens, or billed
 * audio seconds × price per hour, summed exactly and rounded once, half-up, to 10 decimal places
 * (`ai_operations_metrics.cost_usd` is numeric(20,10)). An unknown model or a date without a price
 * throws a typed error: a call is never silently logged at $0.
 *
 * @module
 */

import {
  CATALOG,
  getModel,
  type ModelEntry,
  type PricePeriod,
  pricePeriodAt,
  type Provider,
  UnknownModelError,
  UnpricedPeriodError,
} from "./catalog.ts";
import {
  addDecimal,
  ceilToMultiple,
  compareDecimal,
  type Decimal,
  decimalFromNumber,
  divideDecimal,
  formatDecimal,
  maxDecimal,
  multiplyDecimal,
  parseDecimal,
} from "./decimal.ts";

export { UnknownModelError, UnpricedPeriodError };

/** Chat Completions usage, from OpenAI or Groq (Groq also sends it as `x_groq.usage`). */
export interface ChatCompletionsUsage {
  /** All input tokens, cached ones included. */
  readonly prompt_tokens: number;
  /** All output tokens, reasoning tokens included. */
  readonly completion_tokens: number;
  readonly total_tokens?: number;
  readonly prompt_tokens_details?: { readonly cached_tokens?: number | null } | null;
  readonly completion_tokens_details?: { readonly reasoning_tokens?: number | null } | null;
}

/** Responses API usage. */
export interface ResponsesUsage {
  /** All input tokens, cached ones included. */
  readonly input_tokens: number;
  /** All output tokens, reasoning tokens included. */
  readonly output_tokens: number;
  readonly total_tokens?: number;
  readonly input_tokens_details?: { readonly cached_tokens?: number | null } | null;
  readonly output_tokens_details?: { readonly reasoning_tokens?: number | null } | null;
}

/** Transcription usage: the audio duration in seconds (a provider float or a decimal string). */
export interface AudioUsage {
  readonly audio_seconds: number | string;
}

export type Usage = ChatCompletionsUsage | ResponsesUsage | AudioUsage;

export interface CostResult {
  /** USD, exactly 10 decimal places, rounded once half-up. */
  readonly cost_usd: string;
  /** All input tokens (cached included); 0 for audio. */
  readonly input_tokens: number;
  readonly cached_input_tokens: number;
  /** All output tokens (reasoning included); 0 for audio. */
  readonly output_tokens: number;
  /** Audio duration as reported, 3 decimal places (half-up); null for token usage. */
  readonly audio_seconds: string | null;
  /** Seconds billed after the increment and the minimum, 3 decimal places; null for tokens. */
  readonly billed_audio_seconds: string | null;
  /** `effectiveFrom` of the price period used. */
  readonly price_effective_from: string;
}

export interface CostOptions {
  /** A patched catalog (see `overrideModel`) for uncertain prices; defaults to `CATALOG`. */
  readonly catalog?: readonly ModelEntry[];
}

/** Usage that cannot be priced as given: negative or fractional tokens, cached > input, etc. */
export class InvalidUsageError extends Error {
  readonly code = "invalid_usage";
  readonly hint = "Pass the provider's usage object unchanged, or { audio_seconds } for audio.";
  constructor(message: string) {
    super(message);
    this.name = "InvalidUsageError";
  }
}

/** The kinds of work recorded in `ai_operations_metrics.operation_type`. */
export type OperationType = "chat" | "whisper" | "vision" | "document" | "assistant";

const COST_SCALE = 10;
const SECONDS_SCALE = 3;
const TOKENS_PER_PRICE_UNIT = "1000000";
const SECONDS_PER_HOUR = "3600";

interface TokenCounts {
  readonly inputTokens: number;
  readonly cachedTokens: number;
  readonly outputTokens: number;
}

function tokenCount(value: unknown, field: string, required: boolean): number {
  if (value === undefined || value === null) {
    if (required) throw new InvalidUsageError(`usage.${field} is missing`);
    return 0;
  }
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidUsageError(
      `usage.${field} must be a non-negative whole number, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function readTokens(usage: ChatCompletionsUsage | ResponsesUsage): TokenCounts {
  // Both shapes report input including cached tokens and output including reasoning tokens, so
  // reasoning_tokens is never added and cached tokens are split out of the input, not added to it.
  const counts = "prompt_tokens" in usage
    ? {
      inputTokens: tokenCount(usage.prompt_tokens, "prompt_tokens", true),
      cachedTokens: tokenCount(
        usage.prompt_tokens_details?.cached_tokens,
        "prompt_tokens_details.cached_tokens",
        false,
      ),
      outputTokens: tokenCount(usage.completion_tokens, "completion_tokens", true),
    }
    : {
      inputTokens: tokenCount(usage.input_tokens, "input_tokens", true),
      cachedTokens: tokenCount(
        usage.input_tokens_details?.cached_tokens,
        "input_tokens_details.cached_tokens",
        false,
      ),
      outputTokens: tokenCount(usage.output_tokens, "output_tokens", true),
    };
  if (counts.cachedTokens > counts.inputTokens) {
    throw new InvalidUsageError(
      `cached input tokens (${counts.cachedTokens}) exceed input tokens (${counts.inputTokens})`,
    );
  }
  return counts;
}

function readAudioSeconds(value: unknown): Decimal {
  let seconds: Decimal;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new InvalidUsageError(`usage.audio_seconds must be finite, got ${value}`);
    }
    seconds = decimalFromNumber(value);
  } else if (typeof value === "string") {
    try {
      seconds = parseDecimal(value);
    } catch {
      throw new InvalidUsageError(`usage.audio_seconds is not a number: ${JSON.stringify(value)}`);
    }
  } else {
    throw new InvalidUsageError("usage.audio_seconds is missing");
  }
  if (compareDecimal(seconds, "0") < 0) {
    throw new InvalidUsageError(`usage.audio_seconds must not be negative, got ${value}`);
  }
  return seconds;
}

function isUsageObject(usage: unknown): usage is Record<string, unknown> {
  return typeof usage === "object" && usage !== null;
}

function requirePrice(
  price: string | undefined,
  entry: ModelEntry,
  period: PricePeriod,
  what: string,
): string {
  if (price === undefined) {
    throw new InvalidUsageError(
      `${entry.provider}:${entry.id} has no ${what} price (period from ${period.effectiveFrom}): wrong kind of usage for this model?`,
    );
  }
  return price;
}

function tokenCost(entry: ModelEntry, period: PricePeriod, tokens: TokenCounts): Decimal {
  // A long-context tier reprices the whole request, not just the tokens above the threshold.
  const tier = period.longContext && tokens.inputTokens > period.longContext.aboveInputTokens
    ? period.longContext
    : period;
  const inputPrice = requirePrice(tier.inputPerMTok, entry, period, "input token");
  const outputPrice = requirePrice(tier.outputPerMTok, entry, period, "output token");
  // Without a cached price, cached tokens are billed at the full input price (never less).
  const cachedPrice = tier.cachedInputPerMTok ?? inputPrice;
  const uncached = BigInt(tokens.inputTokens - tokens.cachedTokens).toString();
  const perMillion = addDecimal(
    addDecimal(
      multiplyDecimal(uncached, inputPrice),
      multiplyDecimal(String(tokens.cachedTokens), cachedPrice),
    ),
    multiplyDecimal(String(tokens.outputTokens), outputPrice),
  );
  return divideDecimal(perMillion, TOKENS_PER_PRICE_UNIT, COST_SCALE);
}

/**
 * Exact cost of one call to `provider`:`model` with the provider's `usage`, at the price period in
 * force at `at` (UTC date; without `at`, the model's latest price period).
 *
 * - Chat Completions usage: `prompt_tokens` includes `prompt_tokens_details.cached_tokens`, so
 *   uncached = prompt − cached at the input price, cached at the cached price.
 * - Responses usage: the same with `input_tokens` / `input_tokens_details.cached_tokens`;
 *   `output_tokens_details.reasoning_tokens` are already inside `output_tokens`.
 * - Audio `{ audio_seconds }`: rounded up to the model's billing increment, then raised to its
 *   minimum (Groq: 10 s), × price per hour ÷ 3600.
 *
 * Throws `UnknownModelError` (`unknown_model`), `UnpricedPeriodError` (`unpriced_period`) or
 * `InvalidUsageError` (`invalid_usage`).
 *
 * @example
 * ```ts
 * calculateCost("groq", "openai/gpt-oss-120b", {
 *   prompt_tokens: 1000,
 *   completion_tokens: 200,
 *   prompt_tokens_details: { cached_tokens: 400 },
 * }, new Date("2026-11-25T10:00:00Z")).cost_usd;
 * // 600 × 0.15/1e6 + 400 × 0.075/1e6 + 200 × 0.60/1e6 = "0.0002400000"
 *
 * calculateCost("groq", "whisper-large-v3", { audio_seconds: 3.2 }).billed_audio_seconds; // "10.000"
 * ```
 */
export function calculateCost(
  provider: Provider | string,
  model: string,
  usage: Usage,
  at?: Date,
  options: CostOptions = {},
): CostResult {
  const entry = getModel(provider, model, options.catalog ?? CATALOG);
  if (!isUsageObject(usage)) throw new InvalidUsageError("usage must be an object");
  const period = pricePeriodAt(entry, at);

  if ("audio_seconds" in usage) {
    const seconds = readAudioSeconds(usage.audio_seconds);
    const pricePerHour = requirePrice(period.audioPerHour, entry, period, "audio hour");
    const billing = entry.billing;
    let billed = seconds;
    if (billing) {
      billed = ceilToMultiple(billed, billing.audioIncrementSeconds);
      billed = maxDecimal(billed, billing.minBilledAudioSeconds);
    }
    const cost = divideDecimal(multiplyDecimal(billed, pricePerHour), SECONDS_PER_HOUR, COST_SCALE);
    return {
      cost_usd: formatDecimal(cost, COST_SCALE),
      input_tokens: 0,
      cached_input_tokens: 0,
      output_tokens: 0,
      audio_seconds: formatDecimal(seconds, SECONDS_SCALE),
      billed_audio_seconds: formatDecimal(billed, SECONDS_SCALE),
      price_effective_from: period.effectiveFrom,
    };
  }

  if (!("prompt_tokens" in usage) && !("input_tokens" in usage)) {
    throw new InvalidUsageError(
      "usage has none of prompt_tokens (Chat Completions), input_tokens (Responses) or audio_seconds",
    );
  }
  const tokens = readTokens(usage as ChatCompletionsUsage | ResponsesUsage);
  const cost = tokenCost(entry, period, tokens);
  return {
    cost_usd: formatDecimal(cost, COST_SCALE),
    input_tokens: tokens.inputTokens,
    cached_input_tokens: tokens.cachedTokens,
    output_tokens: tokens.outputTokens,
    audio_seconds: null,
    billed_audio_seconds: null,
    price_effective_from: period.effectiveFrom,
  };
}

/** The OpenAI model the seed used for each kind of work: the baseline for the savings report. */
export const BASELINE_MODELS: Readonly<Record<OperationType, string>> = {
  chat: "gpt-4o",
  vision: "gpt-4o",
  document: "gpt-4o",
  assistant: "gpt-4o",
  whisper: "whisper-1",
};

/**
 * What the same usage would have cost on the OpenAI baseline (gpt-4o for chat, vision, document,
 * assistant; whisper-1 for whisper, billed on the real audio seconds with no minimum). Returns a
 * 10-decimal USD string.
 *
 * @example
 * ```ts
 * baselineCost("whisper", { audio_seconds: 3 }); // 3 × 0.36/3600 = "0.0003000000"
 * baselineCost("chat", { prompt_tokens: 1000, completion_tokens: 500 });
 * // 1000 × 2.50/1e6 + 500 × 10.00/1e6 = "0.0075000000"
 * ```
 */
export function baselineCost(
  operationType: OperationType,
  usage: Usage,
  at?: Date,
  options: CostOptions = {},
): string {
  const model = BASELINE_MODELS[operationType];
  if (model === undefined) {
    throw new InvalidUsageError(`unknown operation type ${JSON.stringify(operationType)}`);
  }
  const isAudio = isUsageObject(usage) && "audio_seconds" in usage;
  if (isAudio !== (operationType === "whisper")) {
    throw new InvalidUsageError(
      `operation type ${operationType} takes ${
        operationType === "whisper" ? "audio" : "token"
      } usage`,
    );
  }
  return calculateCost("openai", model, usage, at, options).cost_usd;
}
