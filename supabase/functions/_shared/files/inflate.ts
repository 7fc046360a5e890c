// Bounded inflation with the runtime's own DecompressionStream (no dependency). Deno inflates each
// written chunk whole, so 4 KB of a deflate bomb comes out as one 4 MB chunk: the input is fed in
// small slices, which bounds every output chunk (deflate expands at most ~1,032×), and the caller
// stops reading as soon as its cap is passed.

/** Compressed bytes written at a time: at most ~1 MB comes out of one slice. */
const SLICE_BYTES = 1024;

export type InflateFormat = "deflate" | "deflate-raw";

/**
 * The inflated chunks of `data`, in order, each at most ~1 MB. Breaking out of the loop (a cap
 * passed) cancels the inflation. A damaged stream throws a TypeError after its last good chunk.
 * @example
 * let total = 0;
 * for await (const chunk of inflateChunks(bytes, "deflate-raw")) {
 *   if ((total += chunk.length) > cap) break;
 * }
 */
export async function* inflateChunks(
  data: Uint8Array,
  format: InflateFormat,
): AsyncGenerator<Uint8Array> {
  let at = 0;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= data.length) {
        controller.close();
        return;
      }
      controller.enqueue(data.subarray(at, at + SLICE_BYTES));
      at += SLICE_BYTES;
    },
  }, { highWaterMark: 0 });
  const reader = source.pipeThrough(
    new DecompressionStream(format) as ReadableWritablePair,
  )
    .getReader();
  let done = false;
  try {
    while (true) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        return;
      }
      if (next.value.length > 0) yield next.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => {});
  }
}

/**
 * How many bytes `data` inflates to, counting up to `cap`: `cap + 1` or more means "more than the
 * cap" (inflation stops there). A damaged stream counts what came out before the damage.
 */
export async function inflatedSize(
  data: Uint8Array,
  format: InflateFormat,
  cap: number,
): Promise<number> {
  let total = 0;
  try {
    for await (const chunk of inflateChunks(data, format)) {
      total += chunk.length;
      if (total > cap) break;
    }
  } catch {
    // Damage: pdf.js stops at the same point (it keeps what inflated), so the count stands.
  }
  return total;
}
