// The process-voice-message contract: validated by the function, imported by frontends through
// `shared/`. The request is multipart/form-data; these are its text fields (the `file` part is
// checked by its bytes on the server).
import { z } from "zod";
import { Platform, Provider, Usage } from "./chat.ts";
import { TRANSCRIPTION_LANGUAGES } from "../ai/provider_limits.ts";

/** Groq's direct-upload limit for transcription (console.groq.com/docs/speech-to-text, checked
 * 2026-11-25: "25 MB"). Whether that means 25,000,000 or 25 MiB is not stated, so we take the
 * smaller: a file we accept is never refused upstream for its size. VOICE_MAX_FILE_BYTES changes
 * it. */
export const MAX_VOICE_FILE_BYTES = 25_000_000;

export const DEFAULT_VOICE_LANGUAGE = "ru";

/** The text fields of the form (everything but `file`). */
export const VoiceFields = z.strictObject({
  platform: Platform,
  // ISO 639-1 as Groq and OpenAI Whisper take it (plus Groq's "haw" and "yue"): "rus" or "RU-ru"
  // is refused here with a 400, never sent on to a provider.
  language: z.string()
    .transform((s) => s.trim().toLowerCase())
    .refine(
      (s) => TRANSCRIPTION_LANGUAGES.has(s),
      "an ISO 639-1 language code such as ru, en or uk (ISO 639-2 codes like rus are not accepted)",
    )
    .optional(),
  reply: z.enum(["true", "false"], { message: 'either "true" or "false"' })
    .optional(),
});
export type VoiceFields = z.input<typeof VoiceFields>;

/** What `transcribeVoice` takes: the recording and the form fields, typed. */
export interface VoiceRequest {
  /** A recording: flac, mp3, mp4, mpeg, mpga, m4a, ogg, wav or webm, at most 25 MB. */
  file: Blob;
  platform: Platform;
  /** ISO 639-1; default "ru". */
  language?: string;
  /** Also ask the AI curator about the transcript and return its answer. */
  reply?: boolean;
}

/** The curator's answer to the transcript (`reply: "true"`). */
export const VoiceReply = z.object({
  reply: z.string(),
  provider: Provider,
  model: z.string(),
  usage: Usage,
  cost_usd: z.string(),
  /** True when the answer stopped at the model's output-token limit (cut short). */
  truncated: z.boolean().optional(),
});
export type VoiceReply = z.infer<typeof VoiceReply>;

export const VoiceResponse = z.object({
  request_id: z.string().uuid(),
  transcript: z.string(),
  /** The language asked for (ISO 639-1). */
  language: z.string(),
  /** Measured from the file on the server. */
  duration_seconds: z.number(),
  /** Seconds charged after the model's increment and minimum (10 s on Groq). */
  billed_seconds: z.number(),
  provider: Provider,
  model: z.string(),
  /** The transcription's cost (what its ledger row says), a decimal string. */
  cost_usd: z.string(),
  reply: VoiceReply.optional(),
  /** Set instead of `reply` when the transcript was made but the curator could not answer: the
   * transcript is kept (it was paid for); send it to process-chat to retry the answer. */
  reply_error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type VoiceResponse = z.infer<typeof VoiceResponse>;
