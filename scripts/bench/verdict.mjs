// The one-word verdict of a `bench:files` row, apart from the bench so that it is tested
// (verdict_test.ts): did the function answer as the input expects, within the limits?

/** Hosted Supabase's per-request limits (facts/supabase-platform-2026-12.md) and our target. */
export const LIMITS = { cpuMs: 2000, memoryMb: 256 };
export const TARGET = { cpuMs: 1500, memoryMb: 200 };

/** Whether a measured row is within `lim` (CPU and heap+external); null when CPU is unknown. */
export function within(r, lim) {
  if (r.cpuMs === null) return null;
  return r.cpuMs <= lim.cpuMs && r.peakMemoryMb <= lim.memoryMb && !r.error;
}

/**
 * "ok", "WARN: …" or "FAIL: …". An answer other than the input's `expect` is a failure: an
 * input expected to be accepted that is refused (it once printed "ok, refused"), a bomb that is
 * accepted, or a refusal with another code than `expectCode` when the input names one.
 * @example verdict({ expect: "accept", status: 413, code: "payload_too_large", cpuMs: 300,
 *   peakMemoryMb: 30, error: null }) // "FAIL: expected 200, answered 413 payload_too_large"
 */
export function verdict(r) {
  const answer = `${r.status}${r.code ? ` ${r.code}` : ""}`;
  if (r.error) return `FAIL: ${r.error}`;
  if (r.status >= 500) return `FAIL: ${answer}`;
  if (r.expect === "refuse" && r.status === 200) return "FAIL: bomb accepted";
  if (r.expect === "accept" && r.status !== 200) return `FAIL: expected 200, answered ${answer}`;
  if (r.expect === "refuse" && r.expectCode && r.code !== r.expectCode) {
    return `FAIL: expected ${r.expectCode}, answered ${answer}`;
  }
  if (!within(r, LIMITS)) return "FAIL: over hosted limits";
  if (!within(r, TARGET)) return "WARN: over target";
  return "ok";
}
