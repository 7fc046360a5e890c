// Which audio duration a transcription is billed on, and how much budget to hold before it. Pure:
// no I/O, no clock. Prices and the 10 s minimum stay in the catalog (`calculateCost` applies them).

/** A provider's duration further than this from ours is logged (seconds, or a fraction of ours). */
export const DISAGREEMENT_SECONDS = 1;
export const DISAGREEMENT_FRACTION = 0.1;

export interface BillableDuration {
  /** The seconds to price: the provider's figure when it gave a usable one, else ours. */
  audioSeconds: number;
  source: "provider" | "measured";
  /** True when both exist and differ by more than 1 s or 10 %: worth a log line. */
  disagreement: boolean;
}

/**
 * The duration to bill. Providers bill on their own figure, so it wins when present; a reply
 * without one (or with a non-positive or non-finite one) falls back to the duration measured from
 * the file, so a missing field can never become a $0 charge.
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
    disagreement: diff > DISAGREEMENT_SECONDS ||
      diff > measuredSeconds * DISAGREEMENT_FRACTION,
  };
}

/**
 * Seconds to reserve budget for: the measured duration plus the largest disagreement we accept
 * silently (a provider may bill a little more than we measured).
 */
export function reservationSeconds(measuredSeconds: number): number {
  return measuredSeconds +
    Math.max(DISAGREEMENT_SECONDS, measuredSeconds * DISAGREEMENT_FRACTION);
}

/**
 * An upper bound on a transcript's prompt tokens, for reserving the curator's answer before the
 * transcript exists. Fast Russian speech stays under ~20 characters a second; 25 with the curator's
 * own estimate (one token per 2.5 characters) gives 10 tokens a second.
 */
export function transcriptTokenBound(audioSeconds: number): number {
  return Math.ceil(audioSeconds * 10) + 4;
}
