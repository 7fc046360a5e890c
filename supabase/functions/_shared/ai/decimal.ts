/**
 * Exact decimal arithmetic on BigInt, for money.
 *
 * A `Decimal` is `units / 10^scale` with `units` a BigInt, so every sum and product is exact.
 * Only `divideDecimal` and `roundDecimal` lose digits, and both round half-up (ties away from
 * zero, like Postgres `round(numeric)`) at a scale the caller names. No `number` arithmetic is
 * done on any value that passes through this module.
 *
 * @module
 */

/** An exact decimal value: `units / 10^scale`. Treat as opaque; build it with `parseDecimal`. */
export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

/** Anything the arithmetic functions accept: a `Decimal` or a decimal string such as `"0.15"`. */
export type DecimalLike = Decimal | string;

/** Thrown for text that is not a plain decimal number, or for a division by zero. */
export class DecimalError extends Error {
  readonly code = "invalid_decimal";
  constructor(message: string) {
    super(message);
    this.name = "DecimalError";
  }
}

const DECIMAL_PATTERN = /^([+-])?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;
// An exponent this large is never a price or a duration; refusing it keeps BigInts small.
const MAX_EXPONENT = 400;

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/**
 * Parses a decimal string (`"12"`, `"-0.075"`, `"1.5e-7"`) into an exact `Decimal`.
 *
 * @example
 * ```ts
 * formatDecimal(parseDecimal("0.0375"), 6); // "0.037500"
 * ```
 */
export function parseDecimal(text: string): Decimal {
  if (typeof text !== "string") {
    throw new DecimalError(`expected a decimal string, got ${typeof text}`);
  }
  const match = DECIMAL_PATTERN.exec(text.trim());
  if (!match) throw new DecimalError(`not a decimal number: ${JSON.stringify(text)}`);
  const [, sign, whole, fraction = "", exponentText = "0"] = match;
  const exponent = Number.parseInt(exponentText, 10);
  if (Math.abs(exponent) > MAX_EXPONENT) {
    throw new DecimalError(`exponent out of range: ${JSON.stringify(text)}`);
  }
  let units = BigInt(whole + fraction);
  let scale = fraction.length - exponent;
  if (scale < 0) {
    units *= pow10(-scale);
    scale = 0;
  }
  return { units: sign === "-" ? -units : units, scale };
}

/**
 * Converts a JavaScript number reported by a provider (an audio duration such as
 * `3.4649999141693115`) into a `Decimal`, digit for digit as JavaScript prints it (the shortest
 * text that reads back as the same double). Use it only at the edge where a provider hands us a
 * float; never feed it the result of float arithmetic on money.
 */
export function decimalFromNumber(value: number): Decimal {
  if (!Number.isFinite(value)) throw new DecimalError(`not a finite number: ${value}`);
  return parseDecimal(String(value));
}

function toDecimal(value: DecimalLike): Decimal {
  return typeof value === "string" ? parseDecimal(value) : value;
}

function rescaleUp(value: Decimal, scale: number): bigint {
  return value.units * pow10(scale - value.scale);
}

/** Exact `a + b`. */
export function addDecimal(a: DecimalLike, b: DecimalLike): Decimal {
  const x = toDecimal(a);
  const y = toDecimal(b);
  const scale = Math.max(x.scale, y.scale);
  return { units: rescaleUp(x, scale) + rescaleUp(y, scale), scale };
}

/** Exact `a - b`. */
export function subtractDecimal(a: DecimalLike, b: DecimalLike): Decimal {
  const y = toDecimal(b);
  return addDecimal(a, { units: -y.units, scale: y.scale });
}

/** Exact `a × b`. */
export function multiplyDecimal(a: DecimalLike, b: DecimalLike): Decimal {
  const x = toDecimal(a);
  const y = toDecimal(b);
  return { units: x.units * y.units, scale: x.scale + y.scale };
}

// numerator / denominator as an integer, rounded half-up (ties away from zero).
function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new DecimalError("division by zero");
  const negative = (numerator < 0n) !== (denominator < 0n);
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  let quotient = n / d;
  if ((n % d) * 2n >= d) quotient += 1n;
  return negative ? -quotient : quotient;
}

/**
 * `a ÷ b` rounded half-up to `scale` decimal places: the one place where digits are dropped.
 *
 * @example
 * ```ts
 * formatDecimal(divideDecimal("2.22", "3600", 10), 10); // "0.0006166667"
 * ```
 */
export function divideDecimal(a: DecimalLike, b: DecimalLike, scale: number): Decimal {
  assertScale(scale);
  const x = toDecimal(a);
  const y = toDecimal(b);
  // (x.units / 10^x.scale) / (y.units / 10^y.scale) expressed in units of 10^-scale.
  const numerator = x.units * pow10(y.scale + scale);
  const denominator = y.units * pow10(x.scale);
  return { units: divideHalfUp(numerator, denominator), scale };
}

/** `value` rounded half-up (ties away from zero) to `scale` decimal places. */
export function roundDecimal(value: DecimalLike, scale: number): Decimal {
  assertScale(scale);
  const x = toDecimal(value);
  if (x.scale <= scale) return { units: rescaleUp(x, scale), scale };
  return { units: divideHalfUp(x.units, pow10(x.scale - scale)), scale };
}

/**
 * The smallest multiple of `step` that is ≥ `value` (for billing increments: 12.3 s billed in
 * 1 s steps is 13 s). `step` must be positive.
 */
export function ceilToMultiple(value: DecimalLike, step: DecimalLike): Decimal {
  const x = toDecimal(value);
  const s = toDecimal(step);
  if (s.units <= 0n) throw new DecimalError("step must be positive");
  const scale = Math.max(x.scale, s.scale);
  const v = rescaleUp(x, scale);
  const st = rescaleUp(s, scale);
  let steps = v / st;
  if (steps * st < v) steps += 1n; // BigInt division truncates toward zero
  return { units: steps * st, scale };
}

/**
 * The multiple of `step` nearest to `value`, a tie going up (half-up): 10.0004 s to the
 * millisecond is 10.000 s, 10.0005 s is 10.001 s. `step` must be positive.
 */
export function roundToMultiple(value: DecimalLike, step: DecimalLike): Decimal {
  const x = toDecimal(value);
  const s = toDecimal(step);
  if (s.units <= 0n) throw new DecimalError("step must be positive");
  const scale = Math.max(x.scale, s.scale);
  const st = rescaleUp(s, scale);
  return { units: divideHalfUp(rescaleUp(x, scale), st) * st, scale };
}

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`. */
export function compareDecimal(a: DecimalLike, b: DecimalLike): -1 | 0 | 1 {
  const x = toDecimal(a);
  const y = toDecimal(b);
  const scale = Math.max(x.scale, y.scale);
  const diff = rescaleUp(x, scale) - rescaleUp(y, scale);
  return diff < 0n ? -1 : diff > 0n ? 1 : 0;
}

/** The larger of `a` and `b`. */
export function maxDecimal(a: DecimalLike, b: DecimalLike): Decimal {
  return compareDecimal(a, b) >= 0 ? toDecimal(a) : toDecimal(b);
}

/**
 * Formats `value` with exactly `scale` decimal places, rounding half-up if it has more.
 *
 * @example
 * ```ts
 * formatDecimal(parseDecimal("0.00027"), 10); // "0.0002700000"
 * formatDecimal(parseDecimal("0.00000000005"), 10); // "0.0000000001" (half-up)
 * ```
 */
export function formatDecimal(value: DecimalLike, scale: number): string {
  const rounded = roundDecimal(value, scale);
  const negative = rounded.units < 0n;
  const digits = (negative ? -rounded.units : rounded.units).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  const sign = negative ? "-" : "";
  return scale === 0 ? `${sign}${whole}` : `${sign}${whole}.${fraction}`;
}

function assertScale(scale: number): void {
  if (!Number.isSafeInteger(scale) || scale < 0 || scale > MAX_EXPONENT) {
    throw new DecimalError(`scale must be a whole number from 0 to ${MAX_EXPONENT}, got ${scale}`);
  }
}
