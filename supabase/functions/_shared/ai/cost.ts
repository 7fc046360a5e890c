/**
 * Exact cost of one model call, from the catalog's price periods.
 *
 * Everything is BigInt decimal arithmetic (`decimal.ts`): tokens × price per 1M tokens, or billed
 * audio seconds × price per hour, summed exactly and rounded once, half-up, to 10 decimal places
 * (`ai_operations_metrics.cost_usd` is numeric(20,10)). An unknown model, a date without a price or
 * a date after the model's shutdown throws a typed error: a call is never silently logged at $0.
 *
 * A `CostResult` can stand where a number column is expected (the brief writes
 * `cost_usd: calculateCost(…)`): its JSON form and its string form are its `cost_usd`, so
 * supabase-js sends the exact decimal string and `Number(result)` is the cost, never NaN.
 *
 * @module
 */

import {
  CATALOG,
  getModel,
  lastPricePeriodAt,
  type ModelEntry,
  ModelRetiredError,
  type PricePeriod,
  pricePeriodAt,
  type Provider,
  UnknownModelError,
  UnpricedPeriodError,
  utcDate,
} from "./catalog.ts";
import {
  addDecimal,
  ceilToMultiple,
  compareDecimal,
  type Decimal,
  DecimalError,
  decimalFromNumber,
  divideDecimal,
  formatDecimal,
  maxDecimal,
  multiplyDecimal,
  parseDecimal,
  roundToMultiple,
} from "./decimal.ts";

export { ModelRetiredError, UnknownModelError, UnpricedPeriodError };

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
  /** True when the request was priced at the model's long-context tier. */
  readonly long_context?: boolean;
  /** `cost_usd`: what `JSON.stringify` writes where the result stands for a number. */
  toJSON(): string;
  /** `cost_usd`, so `Number(result)` is the cost and a template prints it. */
  toString(): string;
}

export interface CostOptions {
  /** A patched catalog (see `overrideModel`) for uncertain prices; defaults to `CATALOG`. */
  readonly catalog?: readonly ModelEntry[];
  /** How the period is chosen; `lastPricePeriodAt` for hypothetical (baseline) costs. */
  readonly pricePeriod?: (entry: ModelEntry, at?: Date) => PricePeriod;
}

// The result's own fields stay enumerable (deepEqual, spreading); toJSON/toString do not.
function costResult(fields: Omit<CostResult, "toJSON" | "toString">): CostResult {
  const cost = fields.cost_usd;
  return Object.defineProperties({ ...fields }, {
    toJSON: { value: () => cost, enumerable: false },
    toString: { value: () => cost, enumerable: false },
  }) as CostResult;
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
 * - Audio `{ audio_seconds }`: {@link billedAudioSeconds} (Groq: exact to the millisecond, at
 *   least 10 s; under 0.01 s nothing), × price per hour ÷ 3600.
 * - Above a long-context tier's threshold (gpt-6: 272K input tokens), the whole request at the
 *   tier's prices.
 *
 * Throws `UnknownModelError` (`unknown_model`), `UnpricedPeriodError` (`unpriced_period`),
 * `ModelRetiredError` (`model_retired`: `at` is on or after the model's shutdown) or
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
 *
 * // Where the brief puts it: the result stands for its cost_usd in JSON and in Number().
 * JSON.stringify({ cost_usd: calculateCost("groq", "openai/gpt-oss-20b", usage) });
 * // '{"cost_usd":"0.0000300000"}'
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
  return priceWith(entry, (options.pricePeriod ?? pricePeriodAt)(entry, at), usage);
}

function priceWith(entry: ModelEntry, period: PricePeriod, usage: Usage): CostResult {
  if ("audio_seconds" in usage) {
    const seconds = readAudioSeconds(usage.audio_seconds);
    const pricePerHour = requirePrice(period.audioPerHour, entry, period, "audio hour");
    const billed = billedAudioSeconds(entry, seconds);
    const cost = divideDecimal(multiplyDecimal(billed, pricePerHour), SECONDS_PER_HOUR, COST_SCALE);
    return costResult({
      cost_usd: formatDecimal(cost, COST_SCALE),
      input_tokens: 0,
      cached_input_tokens: 0,
      output_tokens: 0,
      audio_seconds: formatDecimal(seconds, SECONDS_SCALE),
      billed_audio_seconds: formatDecimal(billed, SECONDS_SCALE),
      price_effective_from: period.effectiveFrom,
    });
  }

  if (!("prompt_tokens" in usage) && !("input_tokens" in usage)) {
    throw new InvalidUsageError(
      "usage has none of prompt_tokens (Chat Completions), input_tokens (Responses) or audio_seconds",
    );
  }
  const tokens = readTokens(usage as ChatCompletionsUsage | ResponsesUsage);
  const cost = tokenCost(entry, period, tokens);
  const longContext = isLongContext(period, tokens);
  return costResult({
    cost_usd: formatDecimal(cost, COST_SCALE),
    input_tokens: tokens.inputTokens,
    cached_input_tokens: tokens.cachedTokens,
    output_tokens: tokens.outputTokens,
    audio_seconds: null,
    billed_audio_seconds: null,
    price_effective_from: period.effectiveFrom,
    ...(longContext ? { long_context: true } : {}),
  });
}

/**
 * The seconds a provider bills for `seconds` of audio on `entry`: audio shorter than the
 * provider accepts (Groq: 0.01 s) is refused, so 0; otherwise rounded to the model's increment
 * (`rounding` "nearest": half-up, "up": a started increment counts), then raised to its minimum
 * (Groq: 10 s). A model without billing rules bills the duration as given.
 */
export function billedAudioSeconds(entry: ModelEntry, seconds: Decimal | string): Decimal {
  const billing = entry.billing;
  if (!billing) return typeof seconds === "string" ? parseDecimal(seconds) : seconds;
  if (
    compareDecimal(seconds, "0") === 0 ||
    (billing.minAudioSeconds !== undefined &&
      compareDecimal(seconds, billing.minAudioSeconds) < 0)
  ) {
    return parseDecimal("0");
  }
  const stepped = billing.rounding === "up"
    ? ceilToMultiple(seconds, billing.audioIncrementSeconds)
    : roundToMultiple(seconds, billing.audioIncrementSeconds);
  return maxDecimal(stepped, billing.minBilledAudioSeconds);
}

function isLongContext(period: PricePeriod, tokens: TokenCounts): boolean {
  return period.longContext !== undefined &&
    tokens.inputTokens > period.longContext.aboveInputTokens;
}

/**
 * What the school's old stack ran for one kind of work, from `effective_from` (UTC date) until the
 * next row for the same operation type. `provider`/`model` null: the old stack did this work the
 * way we do now (the AI mentor and analyst were always on OpenAI), so the baseline is the call
 * itself and no savings are claimed. The database's `public.ai_old_stack_baselines` holds the
 * same rows, editable by admins; functions load it with `loadOldStackBaselines` (baselines.ts).
 */
export interface OldStackBaseline {
  readonly operation_type: OperationType;
  readonly effective_from: string;
  readonly provider: Provider | null;
  readonly model: string | null;
}

/**
 * The old stack as the school ran it before this project (seeded the same in the migration
 * `ai_old_stack_baselines`): GPT-4o for chat, vision and documents; transcription already on Groq
 * whisper-large-v3 (so no voice savings are claimed); the assistants on OpenAI, as now.
 */
export const OLD_STACK_BASELINES: readonly OldStackBaseline[] = [
  { operation_type: "chat", effective_from: "2024-01-01", provider: "openai", model: "gpt-4o" },
  { operation_type: "vision", effective_from: "2024-01-01", provider: "openai", model: "gpt-4o" },
  { operation_type: "document", effective_from: "2024-01-01", provider: "openai", model: "gpt-4o" },
  {
    operation_type: "whisper",
    effective_from: "2024-01-01",
    provider: "groq",
    model: "whisper-large-v3",
  },
  { operation_type: "assistant", effective_from: "2024-01-01", provider: null, model: null },
];

/**
 * The baseline row in force for `operationType` at `at` (without `at`: the latest). Throws
 * `InvalidUsageError` when none has started.
 */
export function baselineFor(
  operationType: OperationType,
  at?: Date,
  baselines: readonly OldStackBaseline[] = OLD_STACK_BASELINES,
): OldStackBaseline {
  const day = at === undefined ? undefined : utcDate(at);
  let found: OldStackBaseline | undefined;
  for (const row of baselines) {
    if (row.operation_type !== operationType) continue;
    if (day !== undefined && row.effective_from > day) continue;
    if (!found || row.effective_from >= found.effective_from) found = row;
  }
  if (!found) {
    throw new InvalidUsageError(
      `no old-stack baseline for ${JSON.stringify(operationType)} on ${day ?? "any date"}`,
    );
  }
  return found;
}

export interface BaselineOptions extends CostOptions {
  /** The old stack (default {@link OLD_STACK_BASELINES}; functions pass the database's rows). */
  readonly baselines?: readonly OldStackBaseline[];
  /** The call's own cost: the baseline of work the old stack did the same way. */
  readonly actualCostUsd?: string;
}

/**
 * What the same usage would have cost on the school's old stack ({@link OLD_STACK_BASELINES}):
 * GPT-4o for chat, vision and documents, Groq whisper-large-v3 for voice (with Groq's 10 s
 * minimum), and the call itself for assistants (pass `actualCostUsd`). Hypothetical, so a baseline
 * model past its shutdown keeps its last price. Returns a 10-decimal USD string.
 *
 * @example
 * ```ts
 * baselineCost("chat", { prompt_tokens: 1000, completion_tokens: 500 });
 * // 1000 × 2.50/1e6 + 500 × 10.00/1e6 = "0.0075000000"
 * baselineCost("whisper", { audio_seconds: 3 }); // billed 10 s × 0.111/3600 = "0.0003083333"
 * baselineCost("assistant", usage, at, { actualCostUsd: "0.0012000000" }); // "0.0012000000"
 * ```
 */
export function baselineCost(
  operationType: OperationType,
  usage: Usage,
  at?: Date,
  options: BaselineOptions = {},
): string {
  const baseline = baselineFor(operationType, at, options.baselines);
  const isAudio = isUsageObject(usage) && "audio_seconds" in usage;
  if (isAudio !== (operationType === "whisper")) {
    throw new InvalidUsageError(
      `operation type ${operationType} takes ${
        operationType === "whisper" ? "audio" : "token"
      } usage`,
    );
  }
  if (baseline.provider === null || baseline.model === null) {
    if (options.actualCostUsd === undefined) {
      throw new InvalidUsageError(
        `the ${operationType} baseline is the call itself: pass actualCostUsd`,
      );
    }
    return formatDecimal(options.actualCostUsd, COST_SCALE);
  }
  return calculateCost(baseline.provider, baseline.model, usage, at, {
    catalog: options.catalog,
    pricePeriod: lastPricePeriodAt,
  }).cost_usd;
}

/**
 * A cost someone else computed (the brief's `cost_usd: calculateCost(…)`, a number, or a decimal
 * string) as a 10-decimal USD string, or `null` when it is not a finite, non-negative amount
 * (NaN, an object without `cost_usd`, "abc").
 */
export function claimedCostUsd(value: unknown): string | null {
  let text: string;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return null;
    text = String(value);
  } else if (typeof value === "string") {
    text = value;
  } else if (isUsageObject(value) && typeof value.cost_usd === "string") {
    text = value.cost_usd;
  } else {
    return null;
  }
  try {
    const amount = parseDecimal(text);
    if (compareDecimal(amount, "0") < 0) return null;
    return formatDecimal(amount, COST_SCALE);
  } catch (err) {
    if (err instanceof DecimalError) return null;
    throw err;
  }
}
