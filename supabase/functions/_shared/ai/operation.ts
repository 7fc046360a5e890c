/**
 * One metered AI operation: routing + pricing + one ledger row per provider attempt.
 *
 * This is what the edge functions call. It runs {@link runWithFallback}, prices every attempt at
 * the catalog price in force when the attempt started, and hands each row to the tracker (which
 * writes in the background). Failed attempts cost 0 with status `error`, unless the provider had
 * already spent tokens (a stream cut midway): then status `partial` with that usage's cost.
 */
import { baselineCost, calculateCost, type OldStackBaseline } from "./cost.ts";
import { findModel } from "./catalog.ts";
import { addDecimal, formatDecimal } from "./decimal.ts";
import type { ModelTarget } from "./providers.ts";
import {
  type AttemptFn,
  type AttemptReport,
  type RoutingOptions,
  type RoutingResult,
  runWithFallback,
} from "./routing.ts";
import type { OperationMetric, OperationTracker } from "./tracking.ts";

/** Who asked for what; `userId` must come from the verified JWT, never from the request body. */
export interface OperationContext {
  /** A UUID per user request, shared by all its attempts. */
  requestId: string;
  userId: string | null;
  platform: OperationMetric["platform"];
  functionName: string;
  operationType: OperationMetric["operation_type"];
  /** The routing arm serving this operation (`arms.ts`); unset = the ledger's `default`. */
  arm?: string;
  /** Image tokens the request's images count under `target`'s rule (`image_tokens.ts`), for the
   * ledger's `image_tokens`; unset when the operation sends no image. */
  imageTokens?: (target: ModelTarget) => number;
}

/** Any usage `calculateCost` accepts: chat completions, Responses API, or `{ audio_seconds }`. */
export type OperationUsage = Parameters<typeof calculateCost>[2];

export interface RunOperationOptions<T> extends Omit<RoutingOptions<T>, "onAttempt"> {
  context: OperationContext;
  candidates: readonly ModelTarget[];
  attempt: AttemptFn<T>;
  tracker: Pick<OperationTracker, "track">;
  /** Usage of a successful or partial value. Default: `value.usage`. For transcription without
   * a provider-reported duration, return `{ audio_seconds }` measured from the file. */
  usageOf?: (value: T) => OperationUsage | null | undefined;
  /** Receives JSON log lines (unpriced attempts). Default: `console.error`. */
  log?: (line: string) => void;
  /** Added to each attempt's number in the ledger (default 0), for a second operation under the
   * same request id: the ledger is unique on (request_id, attempt), so a voice message's curator
   * answer numbers its attempts after the transcription's. */
  attemptOffset?: number;
  /** The old stack for `baseline_cost_usd` (default: the catalog's `OLD_STACK_BASELINES`; pass
   * the database's rows from `loadOldStackBaselines`). */
  baselines?: readonly OldStackBaseline[];
}

export type OperationResult<T> = RoutingResult<T> & {
  /** Sum of every attempt's cost, 10 decimal places (what to settle against the budget). */
  costUsd: string;
  /** The rows handed to the tracker, in attempt order. */
  metrics: OperationMetric[];
};

/**
 * Runs an AI call over `candidates` and records every attempt.
 *
 * @example
 * const result = await runAIOperation({
 *   context: { requestId, userId: user.id, platform: "main", functionName: "ai-chat", operationType: "chat" },
 *   candidates: candidatesFor("chat", "main", Deno.env, new Date()),
 *   attempt: (target, { signal, timeoutMs }) =>
 *     chatCompletion(clients, target, { messages }, { signal, timeoutMs }),
 *   tracker,
 *   signal: req.signal,
 * });
 * if (!result.ok) return errorResponse(result.failure);
 */
export async function runAIOperation<T>(
  options: RunOperationOptions<T>,
): Promise<OperationResult<T>> {
  const {
    context,
    candidates,
    attempt,
    tracker,
    usageOf,
    log,
    attemptOffset = 0,
    baselines,
    ...routing
  } = options;
  const metrics: OperationMetric[] = [];
  const result = await runWithFallback(candidates, attempt, {
    replacementFor: catalogReplacement,
    ...routing,
    onAttempt: (report) => {
      const usage = report.value !== undefined
        ? (usageOf ? usageOf(report.value) : defaultUsageOf(report.value))
        : report.error?.usage;
      const numbered = attemptOffset
        ? { ...report, attempt: report.attempt + attemptOffset }
        : report;
      const metric = meterAttempt(context, numbered, usage ?? null, log, baselines);
      metrics.push(metric);
      tracker.track(metric);
    },
  });
  let total = "0";
  for (const m of metrics) total = formatDecimal(addDecimal(total, m.cost_usd ?? "0"), 10);
  return { ...result, costUsd: formatDecimal(total, 10), metrics };
}

/**
 * The catalog's replacement for a model the provider says is gone, following the chain
 * (llama-3.3-70b-versatile → openai/gpt-oss-120b). Dates are ignored: the provider's answer is
 * the fact that matters.
 */
export function catalogReplacement(candidate: ModelTarget): ModelTarget | undefined {
  let entry = findModel(candidate.provider, candidate.model);
  const seen = new Set<string>();
  let found: ModelTarget | undefined;
  while (entry?.replacement && !seen.has(entry.id)) {
    seen.add(entry.id);
    found = { provider: entry.provider, model: entry.replacement };
    entry = findModel(entry.provider, entry.replacement);
  }
  return found;
}

/** `usage_estimated` when a stream's usage was estimated from its text (never reported). */
function estimatedOf(value: unknown): string | null {
  return value && typeof value === "object" &&
      (value as { usageEstimated?: unknown }).usageEstimated === true
    ? "usage_estimated"
    : null;
}

function defaultUsageOf(value: unknown): OperationUsage | null {
  if (value && typeof value === "object" && "usage" in value) {
    return (value as { usage: OperationUsage | null }).usage ?? null;
  }
  return null;
}

const ZERO = formatDecimal("0", 10);

/**
 * The ledger row for one attempt (pure; exported for tests and for functions that run their own
 * attempts). An attempt that spent no usage is priced 0 without consulting the catalog.
 */
export function meterAttempt(
  context: OperationContext,
  report: AttemptReport<unknown>,
  usage: OperationUsage | null,
  log: (line: string) => void = (line) => console.error(line),
  baselines?: readonly OldStackBaseline[],
): OperationMetric {
  const status: OperationMetric["status"] = report.outcome === "success"
    ? "success"
    : usage
    ? "partial"
    : report.outcome === "partial"
    ? "partial"
    : "error";
  const metric: OperationMetric = {
    request_id: context.requestId,
    attempt: report.attempt,
    operation_type: context.operationType,
    platform: context.platform,
    provider: report.provider,
    model: report.model,
    input_tokens: 0,
    cached_input_tokens: 0,
    output_tokens: 0,
    audio_seconds: null,
    billed_audio_seconds: null,
    cost_usd: ZERO,
    baseline_cost_usd: ZERO,
    user_id: context.userId,
    function_name: context.functionName,
    duration_ms: report.durationMs,
    status,
    error_code: report.errorCode ?? interruptionOf(report.value) ?? estimatedOf(report.value),
    created_at: report.startedAt.toISOString(),
  };
  if (context.arm !== undefined) metric.arm = context.arm;
  if (context.imageTokens) metric.image_tokens = null;
  if (!usage) {
    if (report.outcome !== "error") {
      // A provider answered but reported no usage: say so rather than pretend it was free.
      metric.error_code = metric.error_code ?? "usage_missing";
      metric.baseline_cost_usd = null;
      log(JSON.stringify({ type: "ai_operation_unpriced", reason: "usage_missing", metric }));
    }
    return metric;
  }
  try {
    const cost = calculateCost(report.provider, report.model, usage, report.startedAt);
    metric.cost_usd = cost.cost_usd;
    metric.input_tokens = cost.input_tokens;
    metric.cached_input_tokens = cost.cached_input_tokens;
    metric.output_tokens = cost.output_tokens;
    metric.audio_seconds = cost.audio_seconds ?? null;
    metric.billed_audio_seconds = cost.billed_audio_seconds ?? null;
    if (context.imageTokens && cost.input_tokens > 0) {
      // Our count, bounded by what the provider billed as input (images are part of it).
      metric.image_tokens = Math.min(context.imageTokens(report), cost.input_tokens);
    }
  } catch (err) {
    // Unknown model or no price in force: the row is still written (the call happened), marked
    // with the pricing error and logged loudly; the ledger's cost_usd cannot be null.
    const code = (err as { code?: unknown })?.code;
    metric.error_code = metric.error_code ?? (typeof code === "string" ? code : "unpriced");
    metric.baseline_cost_usd = null;
    log(JSON.stringify({ type: "ai_operation_unpriced", reason: String(err), metric }));
    return metric;
  }
  try {
    metric.baseline_cost_usd = baselineCost(context.operationType, usage, report.startedAt, {
      baselines,
      actualCostUsd: metric.cost_usd ?? undefined,
    });
  } catch {
    metric.baseline_cost_usd = null;
  }
  return metric;
}

function interruptionOf(value: unknown): string | null {
  if (value && typeof value === "object" && (value as { partial?: unknown }).partial === true) {
    const code = (value as { interruption?: unknown }).interruption;
    return typeof code === "string" ? code : "stream_interrupted";
  }
  return null;
}
