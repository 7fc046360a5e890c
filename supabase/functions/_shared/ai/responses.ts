/**
 * OpenAI Responses API calls (the AI mentor and analyst) in the ledger, as `assistant` rows.
 *
 * A Responses `id` is the idempotency key: it maps to a deterministic `request_id` (a name-based
 * UUID, {@link responseRequestId}) with `attempt = 1`, so reporting the same response twice — from
 * an edge function through {@link trackResponsesUsage}, or from a back-end through
 * `record-ai-operation` — makes one row (the ledger's unique (request_id, attempt)).
 *
 * Pricing is the catalog's (`calculateCost`): `input_tokens` includes
 * `input_tokens_details.cached_tokens` (split out at the cached price), and `output_tokens`
 * already includes `output_tokens_details.reasoning_tokens` (never added a second time). An
 * unknown model, a date without a price or unusable usage throws — a call is never recorded at $0.
 *
 * @module
 */
import {
  baselineCost,
  calculateCost,
  InvalidUsageError,
  type OldStackBaseline,
  type ResponsesUsage,
} from "./cost.ts";
import type { OperationMetric, OperationTracker } from "./tracking.ts";

/** The part of a Responses API response object (openai npm `Response`) that the ledger needs. */
export interface ResponsesResult {
  /** `resp_…`: the idempotency key. */
  readonly id: string;
  /** The model as the API reports it; may be a dated snapshot the catalog does not price (pass
   * `context.model`, the model you requested, in that case). */
  readonly model?: string | null;
  readonly usage?: ResponsesUsage | null;
  /** completed | incomplete | failed | cancelled | queued | in_progress. */
  readonly status?: string | null;
  /** Unix seconds, as the API reports it. */
  readonly created_at?: number | null;
  readonly incomplete_details?: { readonly reason?: string | null } | null;
  readonly error?: { readonly code?: string | null } | null;
}

/** Who made the call; `userId` comes from a verified JWT or a trusted back-end, never a student. */
export interface ResponsesContext {
  /** Default: {@link responseRequestId} of the response id (the same response, the same row). */
  readonly requestId?: string;
  /** Default 1. Give another number only with your own `requestId` shared with other attempts. */
  readonly attempt?: number;
  readonly platform: OperationMetric["platform"];
  readonly userId: string | null;
  readonly functionName: string;
  readonly durationMs: number;
  /** Default `openai`. */
  readonly provider?: OperationMetric["provider"];
  /** The model to price; default `response.model`. */
  readonly model?: string;
  /** When the call was made (the price period and the row's `created_at`); default
   * `response.created_at`, else `now()`. */
  readonly at?: Date;
  /** The old stack (default `OLD_STACK_BASELINES`: an assistant's baseline is the call itself). */
  readonly baselines?: readonly OldStackBaseline[];
}

export interface TrackResponsesContext extends ResponsesContext {
  readonly tracker: Pick<OperationTracker, "track">;
  /** Clock used only when neither `at` nor `response.created_at` is given. */
  readonly now?: () => Date;
}

/** Namespace of the name-based request ids (a fixed random UUID: changing it breaks idempotency
 * for every response already recorded). */
export const RESPONSES_NAMESPACE = "3c9b7f2e-5d1a-4e8b-9f60-7a2d4c1b8e35";

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function uuidBytes(uuid: string): Uint8Array {
  const hex = uuid.replace(/-/g, "");
  return Uint8Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

/**
 * The ledger `request_id` of a Responses call: a name-based UUID (RFC 9562 version 8, built like
 * version 5 but with SHA-256, as in the RFC's appendix B.2) of `provider:id` in
 * {@link RESPONSES_NAMESPACE}. Deterministic: the same response always gives the same id.
 *
 * @example
 * await responseRequestId("resp_abc123"); // the same UUID on every call, in every process
 */
export async function responseRequestId(
  responseId: string,
  provider: OperationMetric["provider"] = "openai",
): Promise<string> {
  const name = new TextEncoder().encode(`${provider}:${responseId}`);
  const input = new Uint8Array(16 + name.length);
  input.set(uuidBytes(RESPONSES_NAMESPACE));
  input.set(name, 16);
  const b = new Uint8Array(await crypto.subtle.digest("SHA-256", input)).slice(0, 16);
  b[6] = (b[6] & 0x0f) | 0x80; // version 8
  b[8] = (b[8] & 0x3f) | 0x80; // RFC 9562 variant
  const h = Array.from(b, (x) => HEX[x]).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The ledger status and error code of a Responses `status`. */
function outcomeOf(response: ResponsesResult): Pick<OperationMetric, "status" | "error_code"> {
  switch (response.status ?? "completed") {
    case "completed":
      return { status: "success", error_code: null };
    case "failed":
      return { status: "error", error_code: response.error?.code ?? "failed" };
    case "incomplete":
      // Truncated (max_output_tokens, content_filter): billed for what was produced.
      return { status: "partial", error_code: response.incomplete_details?.reason ?? "incomplete" };
    default:
      return { status: "partial", error_code: response.status ?? null };
  }
}

/**
 * The `assistant` ledger row of one Responses call (pure: no I/O, no clock — `at` is required).
 * Throws `UnknownModelError`, `UnpricedPeriodError` or `InvalidUsageError` (each with a `code`).
 *
 * @example
 * const metric = meterResponse(response, {
 *   requestId, platform: "main", userId, functionName: "ai-mentor", durationMs: 1800, at,
 * });
 */
export function meterResponse(
  response: ResponsesResult,
  context: ResponsesContext & { readonly requestId: string; readonly at: Date },
): OperationMetric {
  const provider = context.provider ?? "openai";
  const model = context.model ?? response.model ?? "";
  // calculateCost validates the usage (whole, non-negative, cached ≤ input) and reads
  // output_tokens as given: reasoning tokens are already inside it.
  const cost = calculateCost(provider, model, response.usage as ResponsesUsage, context.at);
  let baseline: string | null;
  try {
    baseline = baselineCost("assistant", response.usage as ResponsesUsage, context.at, {
      baselines: context.baselines,
      actualCostUsd: cost.cost_usd,
    });
  } catch {
    baseline = null; // the savings view reads null as "no savings"
  }
  return {
    request_id: context.requestId,
    attempt: context.attempt ?? 1,
    operation_type: "assistant",
    platform: context.platform,
    provider,
    model,
    input_tokens: cost.input_tokens,
    cached_input_tokens: cost.cached_input_tokens,
    output_tokens: cost.output_tokens,
    audio_seconds: null,
    billed_audio_seconds: null,
    cost_usd: cost.cost_usd,
    baseline_cost_usd: baseline,
    user_id: context.userId,
    function_name: context.functionName,
    duration_ms: Math.max(0, Math.round(context.durationMs)),
    ...outcomeOf(response),
    created_at: context.at.toISOString(),
  };
}

/**
 * Records a Responses API call made by an edge function as one `assistant` row (written in the
 * background by the tracker) and returns the row. Prices and validates before tracking: when it
 * throws (unknown model, no price, no usage), nothing is recorded.
 *
 * @example
 * const started = Date.now();
 * const response = await rt.clients.openai!.postJson("/responses", { model: "gpt-4.1", input });
 * const metric = await trackResponsesUsage(response, {
 *   platform: "main",
 *   userId: user.id,
 *   functionName: "ai-mentor",
 *   durationMs: Date.now() - started,
 *   model: "gpt-4.1", // what was requested; response.model may be a dated snapshot
 *   tracker: rt.tracker,
 * });
 * metric.cost_usd; // "0.0012345000"
 */
export async function trackResponsesUsage(
  response: ResponsesResult,
  context: TrackResponsesContext,
): Promise<OperationMetric> {
  const { tracker, now, ...rest } = context;
  if (typeof response?.id !== "string" || response.id === "") {
    throw new InvalidUsageError("response.id is missing: pass the Responses API response object");
  }
  const provider = rest.provider ?? "openai";
  const at = rest.at ??
    (typeof response.created_at === "number"
      ? new Date(response.created_at * 1000)
      : (now ?? (() => new Date()))());
  const requestId = rest.requestId ?? await responseRequestId(response.id, provider);
  const metric = meterResponse(response, { ...rest, provider, requestId, at });
  tracker.track(metric);
  return metric;
}
