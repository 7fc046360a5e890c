// The committed recordings (tests/fixtures/audio) and a raw multipart call, for the
// process-voice-message tests.
import type { SupabaseClient } from "@supabase/supabase-js";

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

/**
 * Posts a FormData through `supabase.functions.invoke` exactly as a frontend would, without the
 * typed helper's own checks, and returns the status and JSON body (success or error).
 */
export async function invokeVoiceForm(
  supabase: SupabaseClient,
  form: FormData,
  headers: Record<string, string> = {},
): Promise<
  { status: number; body: Record<string, unknown>; requestId: string | null }
> {
  const { data, error, response } = await supabase.functions.invoke(
    "process-voice-message",
    { body: form, headers },
  );
  if (error) {
    const res = (error as { context?: Response }).context;
    if (!(res instanceof Response)) throw error;
    return {
      status: res.status,
      body: await res.json(),
      requestId: res.headers.get("x-request-id"),
    };
  }
  return {
    status: response?.status ?? 200,
    body: data as Record<string, unknown>,
    requestId: response?.headers.get("x-request-id") ?? null,
  };
}
