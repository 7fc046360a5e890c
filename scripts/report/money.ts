/**
 * Exact money for the report: sums and differences of decimal strings, 10 places (the ledger's
 * numeric(20,10)), on the functions' own BigInt decimal module.
 *
 * @module
 */

import {
  addDecimal,
  compareDecimal,
  divideDecimal,
  formatDecimal,
  multiplyDecimal,
  subtractDecimal,
} from "../../supabase/functions/_shared/ai/decimal.ts";

export const MONEY_SCALE = 10;

/** Exact sum of decimal strings (null and "" count as 0), 10 places. */
export function sumDecimals(values: Iterable<string | null | undefined>): string {
  let total = formatDecimal("0", MONEY_SCALE);
  for (const v of values) {
    if (v !== null && v !== undefined && v !== "") {
      total = formatDecimal(addDecimal(total, v), MONEY_SCALE);
    }
  }
  return total;
}

/** a − b, 10 places. */
export function subtractMoney(a: string, b: string): string {
  return formatDecimal(subtractDecimal(a, b), MONEY_SCALE);
}

/** a × b ÷ c, rounded once half-up to 10 places. */
export function scaleMoney(a: string, b: string, c: string): string {
  return formatDecimal(divideDecimal(multiplyDecimal(a, b), c, MONEY_SCALE), MONEY_SCALE);
}

/** −1, 0 or 1. */
export function compareMoney(a: string, b: string): -1 | 0 | 1 {
  return compareDecimal(a, b);
}

/** |a − b| as a string, 10 places. */
export function absDifference(a: string, b: string): string {
  const d = subtractMoney(a, b);
  return d.startsWith("-") ? d.slice(1) : d;
}

/** 100 × part ÷ whole to 2 places, or null when whole is 0. */
export function percentOf(part: string, whole: string): string | null {
  if (compareDecimal(whole, "0") === 0) return null;
  return formatDecimal(divideDecimal(multiplyDecimal(part, "100"), whole, 2), 2);
}
