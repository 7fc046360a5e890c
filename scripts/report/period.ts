/**
 * The report's period: whole UTC days, `from` and `to` inclusive (the spend views' `day`).
 *
 * @module
 */

export interface Period {
  /** First UTC day, YYYY-MM-DD. */
  readonly from: string;
  /** Last UTC day, inclusive. */
  readonly to: string;
  /** The day after `to`: timestamps are `< toExclusive`. */
  readonly toExclusive: string;
}

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Thrown for a date that is not YYYY-MM-DD or a period that ends before it starts. */
export class PeriodError extends Error {
  readonly code = "invalid_period";
  readonly hint = "Pass --from and --to as UTC dates, YYYY-MM-DD, with from <= to.";
  constructor(message: string) {
    super(message);
    this.name = "PeriodError";
  }
}

function day(text: string, name: string): Date {
  const at = new Date(`${text}T00:00:00Z`);
  if (!DATE.test(text) || Number.isNaN(at.getTime()) || at.toISOString().slice(0, 10) !== text) {
    throw new PeriodError(`--${name} ${JSON.stringify(text)} is not a date (YYYY-MM-DD)`);
  }
  return at;
}

const iso = (at: Date) => at.toISOString().slice(0, 10);

/**
 * The period from the flags; without them the 30 UTC days ending today (`now`'s UTC date).
 *
 * @example
 * ```ts
 * resolvePeriod({ from: "2026-11-01", to: "2026-11-30" }, new Date()).toExclusive; // "2026-12-01"
 * ```
 */
export function resolvePeriod(
  flags: { from?: string; to?: string },
  now: Date,
  defaultDays = 30,
): Period {
  const to = flags.to === undefined ? new Date(`${iso(now)}T00:00:00Z`) : day(flags.to, "to");
  const from = flags.from === undefined
    ? new Date(to.getTime() - (defaultDays - 1) * DAY_MS)
    : day(flags.from, "from");
  if (from > to) throw new PeriodError(`--from ${iso(from)} is after --to ${iso(to)}`);
  return { from: iso(from), to: iso(to), toExclusive: iso(new Date(to.getTime() + DAY_MS)) };
}

/** Every UTC day of the period, in order. */
export function daysOf(period: Period): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${period.from}T00:00:00Z`); iso(new Date(t)) <= period.to; t += DAY_MS) {
    days.push(iso(new Date(t)));
  }
  return days;
}

/** First day of the UTC month of `day`. */
export function monthOf(day: string): string {
  return `${day.slice(0, 7)}-01`;
}
