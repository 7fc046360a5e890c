import assert from "node:assert/strict";
import {
  addDecimal,
  ceilToMultiple,
  compareDecimal,
  DecimalError,
  decimalFromNumber,
  divideDecimal,
  formatDecimal,
  maxDecimal,
  multiplyDecimal,
  parseDecimal,
  roundDecimal,
  subtractDecimal,
} from "./decimal.ts";

Deno.test("parseDecimal keeps every digit of a price", () => {
  assert.deepEqual(parseDecimal("0.0375"), { units: 375n, scale: 4 });
  assert.deepEqual(parseDecimal("10.00"), { units: 1000n, scale: 2 });
  assert.deepEqual(parseDecimal("-0.5"), { units: -5n, scale: 1 });
  assert.deepEqual(parseDecimal("+7"), { units: 7n, scale: 0 });
  assert.deepEqual(parseDecimal(" 12 "), { units: 12n, scale: 0 });
});

Deno.test("parseDecimal reads exponent notation as JavaScript prints small numbers", () => {
  // 1.5e-7 = 15 × 10^-8
  assert.deepEqual(parseDecimal("1.5e-7"), { units: 15n, scale: 8 });
  // 2e3 = 2000
  assert.deepEqual(parseDecimal("2e3"), { units: 2000n, scale: 0 });
});

Deno.test("parseDecimal rejects text that is not a plain decimal number", () => {
  for (const bad of ["", "abc", "1.", ".5", "1,5", "0x10", "NaN", "Infinity", "1e999"]) {
    assert.throws(() => parseDecimal(bad), DecimalError, bad);
  }
});

Deno.test("decimalFromNumber takes a provider float digit for digit", () => {
  assert.equal(formatDecimal(decimalFromNumber(3.4649999141693115), 16), "3.4649999141693115");
  assert.equal(formatDecimal(decimalFromNumber(1e-7), 7), "0.0000001");
  assert.throws(() => decimalFromNumber(Number.NaN), DecimalError);
});

Deno.test("addition and subtraction are exact where floats are not", () => {
  // 0.1 + 0.2 = 0.3 exactly (floats give 0.30000000000000004)
  assert.equal(formatDecimal(addDecimal("0.1", "0.2"), 20), "0.30000000000000000000");
  // 0.00015 + 0.00012 = 0.00027
  assert.equal(formatDecimal(addDecimal("0.00015", "0.00012"), 5), "0.00027");
  // 1 − 0.0000000001 = 0.9999999999
  assert.equal(formatDecimal(subtractDecimal("1", "0.0000000001"), 10), "0.9999999999");
});

Deno.test("multiplication is exact", () => {
  // 1234 × 0.40 = 493.60
  assert.equal(formatDecimal(multiplyDecimal("1234", "0.40"), 2), "493.60");
  // 123456789 × 2.50 = 308641972.50
  assert.equal(formatDecimal(multiplyDecimal("123456789", "2.50"), 2), "308641972.50");
  // −0.5 × 0.5 = −0.25
  assert.equal(formatDecimal(multiplyDecimal("-0.5", "0.5"), 2), "-0.25");
});

Deno.test("division rounds half-up at the requested scale", () => {
  // 2.22 / 3600 = 0.000616666… → 0.0006166667 (the 11th digit is 6: round up)
  assert.equal(formatDecimal(divideDecimal("2.22", "3600", 10), 10), "0.0006166667");
  // 1.11 / 3600 = 0.000308333… → 0.0003083333 (the 11th digit is 3: keep)
  assert.equal(formatDecimal(divideDecimal("1.11", "3600", 10), 10), "0.0003083333");
  // 1 / 8 = 0.125 → scale 2: tie → 0.13 (half-up, not banker's 0.12)
  assert.equal(formatDecimal(divideDecimal("1", "8", 2), 2), "0.13");
  // −1 / 8 = −0.125 → −0.13 (ties away from zero)
  assert.equal(formatDecimal(divideDecimal("-1", "8", 2), 2), "-0.13");
  // 240 / 1000000 = 0.00024 exactly
  assert.equal(formatDecimal(divideDecimal("240", "1000000", 10), 10), "0.0002400000");
  assert.throws(() => divideDecimal("1", "0", 10), DecimalError);
});

Deno.test("roundDecimal and formatDecimal round half-up at the 10th decimal", () => {
  // 0.00000000005 is exactly half of the 10th decimal → up to 0.0000000001
  assert.equal(formatDecimal("0.00000000005", 10), "0.0000000001");
  // 0.00000000004999 → 0.0000000000
  assert.equal(formatDecimal("0.00000000004999", 10), "0.0000000000");
  // 0.12345678905 → 0.1234567891 ; 0.12345678895 → 0.1234567890
  assert.equal(formatDecimal("0.12345678905", 10), "0.1234567891");
  assert.equal(formatDecimal("0.12345678895", 10), "0.1234567890");
  // 2.5 → 3 at scale 0; −2.5 → −3
  assert.deepEqual(roundDecimal("2.5", 0), { units: 3n, scale: 0 });
  assert.equal(formatDecimal("-2.5", 0), "-3");
  // padding: 7 at scale 3 is 7.000
  assert.equal(formatDecimal("7", 3), "7.000");
});

Deno.test("ceilToMultiple bills a partial step as a whole one", () => {
  // 12.3 s in 1 s steps → 13 s
  assert.equal(formatDecimal(ceilToMultiple("12.3", "1"), 3), "13.000");
  // exactly 12 s stays 12 s
  assert.equal(formatDecimal(ceilToMultiple("12", "1"), 3), "12.000");
  // 3.4649999141693115 s in 0.001 s steps → 3.465 s
  assert.equal(formatDecimal(ceilToMultiple("3.4649999141693115", "0.001"), 3), "3.465");
  // 0 stays 0
  assert.equal(formatDecimal(ceilToMultiple("0", "1"), 0), "0");
  assert.throws(() => ceilToMultiple("1", "0"), DecimalError);
});

Deno.test("compareDecimal and maxDecimal ignore trailing zeros", () => {
  assert.equal(compareDecimal("0.60", "0.6"), 0);
  assert.equal(compareDecimal("0.075", "0.0375"), 1);
  assert.equal(compareDecimal("-1", "0"), -1);
  assert.equal(formatDecimal(maxDecimal("4", "10"), 0), "10");
  assert.equal(formatDecimal(maxDecimal("13", "10"), 0), "13");
});

Deno.test("a bad scale is refused", () => {
  assert.throws(() => formatDecimal("1", -1), DecimalError);
  assert.throws(() => roundDecimal("1", 1.5), DecimalError);
});
