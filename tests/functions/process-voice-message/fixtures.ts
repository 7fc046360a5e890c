// The committed recordings (tests/fixtures/audio) and a raw multipart call, for the
// process-voice-message tests.
import type { SupabaseClient } from "@supabase/supabase-js";
import { type FormReply, invokeForm } from "../../_support/functions.ts";

const dir = new URL("../../fixtures/audio/", import.meta.url);

export interface AudioFixture {
  file: string;
  durationSeconds: number;
  bytes: number;
  text: string;
}

export const manifest: { fixtures: AudioFixture[] } = JSON.parse(
  Deno.readTextFileSync(new URL("manifest.json", dir)),
);

export function fixtureBytes(name: string): Uint8Array<ArrayBuffer> {
  return Deno.readFileSync(new URL(name, dir)) as Uint8Array<ArrayBuffer>;
}

const MIME: Record<string, string> = {
  wav: "audio/wav",
  ogg: "audio/ogg",
  webm: "audio/webm",
  mp3: "audio/mpeg",
  m4a: "audio/mp4",
  mp4: "video/mp4",
  flac: "audio/flac",
};

/** A File the way a browser hands one over: name and declared type from the extension. */
export function fixtureFile(
  name: string,
  bytes: Uint8Array<ArrayBuffer> = fixtureBytes(name),
): File {
  return new File([bytes], name, {
    type: MIME[name.split(".").pop()!] ?? "application/octet-stream",
  });
}

/** A FormData to process-voice-message, as a frontend posts it (see `invokeForm`). */
export function invokeVoiceForm(
  supabase: SupabaseClient,
  form: FormData,
  headers: Record<string, string> = {},
): Promise<FormReply> {
  return invokeForm(supabase, "process-voice-message", form, headers);
}

/**
 * What `seconds` of audio cost at `usdPerHour` (a decimal string), as a 10-dp USD string rounded
 * half-up — the catalog's arithmetic done by hand: in units of 1e-10 USD,
 * ms × rate × 1e10 / 3,600,000 = ms × n × 10^5 / (36 × 10^d) for a rate n / 10^d.
 * @example audioCost("10", "0.111") // "0.0003083333"
 */
export function audioCost(seconds: string | number, usdPerHour: string): string {
  const ms = BigInt(Math.round(Number(seconds) * 1000));
  const [whole, frac = ""] = usdPerHour.split(".");
  const n = BigInt(whole + frac);
  const den = 36n * 10n ** BigInt(frac.length);
  const units = (ms * n * 100000n * 2n + den) / (2n * den);
  const s = units.toString().padStart(11, "0");
  return `${s.slice(0, -10)}.${s.slice(-10)}`;
}
