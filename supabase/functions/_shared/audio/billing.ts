// Which audio duration a transcription is billed on, and how much budget to hold before it. Pure:
// no I/O, no clock. Prices and the 10 s minimum stay in the catalog (`calculateCost` applies them).
import { findModel, type Provider } from "../ai/catalog.ts";
import { compareDecimal, decimalFromNumber } from "../ai/decimal.ts";

/** The audio is shorter than a candidate's provider accepts: refuse it (422) before any call. */
export interface AudioTooShort {
  readonly ok: false;
  readonly code: "unprocessable_audio";
  readonly message: string;
  readonly hint: string;
  /** The longest minimum among the candidates, in seconds (Groq: "0.01"). */
  readonly minAudioSeconds: string;
}

/**
 * Whether `measuredSeconds` of audio can be sent to every candidate: Groq refuses files shorter
 * than 0.01 s (catalog `billing.minAudioSeconds`), so such audio is refused before any provider
 * call, and never billed (`calculateCost` prices it at 0 if it ever gets there).
 * @example checkAudioLength(0.004, [{ provider: "groq", model: "whisper-large-v3" }]).ok // false
 */
export function checkAudioLength(
  measuredSeconds: number,
  candidates: readonly { provider: Provider; model: string }[],
): { ok: true } | AudioTooShort {
  let minimum: string | undefined;
  for (const c of candidates) {
    const min = findModel(c.provider, c.model)?.billing?.minAudioSeconds;
    if (min !== undefined && (minimum === undefined || compareDecimal(min, minimum) > 0)) {
      minimum = min;
    }
  }
  const seconds = Number.isFinite(measuredSeconds) && measuredSeconds > 0 ? measuredSeconds : 0;
  if (
    seconds > 0 &&
    (minimum === undefined || compareDecimal(decimalFromNumber(seconds), minimum) >= 0)
  ) {
    return { ok: true };
  }
  const min = minimum ?? "0";
  return {
    ok: false,
    code: "unprocessable_audio",
    message: `The recording is too short to transcribe (${seconds} s; at least ${min} s).`,
    hint: "Record again, a little longer, and resend.",
    minAudioSeconds: min,
  };
}

/** A provider's duration further than this fraction from ours is logged as a mismatch. */
export const MISMATCH_FRACTION = 0.02;
/** Headroom the reservation keeps over the measured length (seconds, or a fraction of it). */
export const RESERVATION_MARGIN_SECONDS = 1;
export const RESERVATION_MARGIN_FRACTION = 0.1;

export interface BillableDuration {
  /** The seconds to price: the provider's figure when it gave a usable one, else ours. */
  audioSeconds: number;
  source: "provider" | "measured";
  /** True when both exist and differ by more than 2 % of ours: worth a log line. */
  disagreement: boolean;
}

/**
 * The duration to bill. Providers bill on their own figure, so it wins when present; a reply
 * without one (or with a non-positive or non-finite one) falls back to the duration measured from
 * the file (as a decoder counts it, `duration.ts`), so a missing field can never become a $0
 * charge nor a header's lie a discount.
 * @example billableDuration(14.04, 14.1) // → { audioSeconds: 14.1, source: "provider", disagreement: false }
 */
export function billableDuration(
  measuredSeconds: number,
  reportedSeconds?: number,
): BillableDuration {
  if (
    reportedSeconds === undefined || !Number.isFinite(reportedSeconds) ||
    reportedSeconds <= 0
  ) {
    return {
      audioSeconds: measuredSeconds,
      source: "measured",
      disagreement: false,
    };
  }
  const diff = Math.abs(reportedSeconds - measuredSeconds);
  return {
    audioSeconds: reportedSeconds,
    source: "provider",
    disagreement: diff > measuredSeconds * MISMATCH_FRACTION,
  };
}

/**
 * Seconds to reserve budget for: the measured duration plus headroom (a provider may bill a little
 * more than we measured; the ledger then records its figure).
 */
export function reservationSeconds(measuredSeconds: number): number {
  return measuredSeconds +
    Math.max(RESERVATION_MARGIN_SECONDS, measuredSeconds * RESERVATION_MARGIN_FRACTION);
}

/**
 * An upper bound on a transcript's prompt tokens, for reserving the curator's answer before the
 * transcript exists. Fast Russian speech stays under ~20 characters a second; 25 with the curator's
 * own estimate (one token per 2.5 characters) gives 10 tokens a second.
 */
export function transcriptTokenBound(audioSeconds: number): number {
  return Math.ceil(audioSeconds * 10) + 4;
}
