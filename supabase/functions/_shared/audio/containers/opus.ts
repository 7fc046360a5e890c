// Opus packets (RFC 6716 §3.1): a decoder's output per packet comes from its TOC byte alone, so
// counting packets is counting samples whatever a container's timestamps or granules claim.

/** The longest packet a decoder accepts: 120 ms at 48 kHz. */
export const OPUS_MAX_PACKET_SAMPLES = 5760;

/**
 * Samples (at 48 kHz) a decoder produces for the packet `bytes[start, end)`; 0 for an empty or
 * invalid packet (a decoder conceals such a packet, and we do not bill concealment).
 */
export function opusPacketSamples(bytes: Uint8Array, start: number, end: number): number {
  if (start >= end) return 0;
  const toc = bytes[start];
  const config = toc >> 3;
  let frameSamples: number;
  if (config < 12) frameSamples = [480, 960, 1920, 2880][config & 3];
  else if (config < 16) frameSamples = [480, 960][config & 1];
  else frameSamples = [120, 240, 480, 960][config & 3];
  const code = toc & 3;
  const frames = code === 0 ? 1 : code < 3 ? 2 : start + 1 < end ? bytes[start + 1] & 0x3f : 0;
  const samples = frameSamples * frames;
  return samples <= OPUS_MAX_PACKET_SAMPLES ? samples : 0;
}
