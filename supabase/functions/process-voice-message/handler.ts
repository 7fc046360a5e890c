// process-voice-message: a student's voice message, transcribed (Groq Whisper, OpenAI on Groq
// failure) and billed by the second, optionally answered by the AI curator. The story of a
// request: preflight → authenticate → read the form within the limit → validate the fields →
// check the file by its bytes and measure it → idempotency → budget → transcribe → (curator) →
// respond; every provider attempt is a ledger row written in the background.
import {
  billableDuration,
  checkAudioLength,
  reservationSeconds,
  transcriptTokenBound,
} from "../_shared/audio/billing.ts";
import { type AudioFormat, measureAudioDuration } from "../_shared/audio/duration.ts";
import { candidatesFor } from "../_shared/ai/config.ts";
import { addDecimal, formatDecimal } from "../_shared/ai/decimal.ts";
import { runAIOperation } from "../_shared/ai/operation.ts";
import { transcribe, type TranscriptionResult } from "../_shared/ai/providers.ts";
import {
  DEFAULT_VOICE_LANGUAGE,
  MAX_VOICE_FILE_BYTES,
  VoiceFields,
  type VoiceResponse,
} from "../_shared/contracts/voice.ts";
import { askCurator, planCurator } from "../_shared/curator/curator.ts";
import { authenticate, requirePlatform } from "../_shared/http/auth.ts";
import { formatBytes, readBytes } from "../_shared/http/body.ts";
import { preflight } from "../_shared/http/cors.ts";
import { errorResponse, HttpError, invalidRequest } from "../_shared/http/errors.ts";
import {
  formHash,
  type MultipartForm,
  parseForm,
  singleFile,
  textFields,
} from "../_shared/http/form.ts";
import {
  answerJson,
  beginIdempotent,
  type BudgetHold,
  costCeiling,
  idempotencyKey,
  type IdempotencyScope,
  replayResponse,
  reserveBudget,
  upstreamError,
} from "../_shared/request.ts";
import type { Env, Runtime } from "../_shared/runtime.ts";

export const FUNCTION_NAME = "process-voice-message";
/** Room for the multipart framing and the text fields around the file. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

/** The largest accepted recording: VOICE_MAX_FILE_BYTES when it is a positive integer, else 25 MB. */
export function maxFileBytes(env: Env): number {
  const n = Number(env.VOICE_MAX_FILE_BYTES);
  return Number.isSafeInteger(n) && n > 0 ? n : MAX_VOICE_FILE_BYTES;
}

/** The name and type the provider is told, from the format the bytes showed (never the client's). */
const UPLOAD_AS: Readonly<
  Record<AudioFormat, { filename: string; mimeType: string }>
> = {
  wav: { filename: "voice.wav", mimeType: "audio/wav" },
  ogg: { filename: "voice.ogg", mimeType: "audio/ogg" },
  webm: { filename: "voice.webm", mimeType: "audio/webm" },
  mp3: { filename: "voice.mp3", mimeType: "audio/mpeg" },
  mp4: { filename: "voice.m4a", mimeType: "audio/mp4" },
  flac: { filename: "voice.flac", mimeType: "audio/flac" },
};

function parseFields(form: MultipartForm) {
  const parsed = VoiceFields.safeParse(textFields(form, ["file"]));
  if (!parsed.success) {
    throw invalidRequest(
      parsed.error.issues,
      "Send file, platform (main | tripwire) and optionally language and reply as form fields.",
      "form",
    );
  }
  const file = singleFile(form, "file", "recording");
  return { ...parsed.data, file };
}

/** Decides the file by its bytes: 413 too large, 415 not audio, 422 empty, cut short or silent. */
function measureFile(bytes: Uint8Array, maxBytes: number) {
  if (bytes.length > maxBytes) {
    throw new HttpError(
      "payload_too_large",
      `The recording is larger than ${formatBytes(maxBytes)}.`,
      {
        hint: "Send a shorter recording.",
      },
    );
  }
  if (bytes.length === 0) {
    throw new HttpError("unprocessable_audio", "The recording is empty.", {
      hint: "Record again and resend.",
    });
  }
  const measured = measureAudioDuration(bytes);
  if (!measured.ok) {
    throw measured.code === "unsupported_media_type"
      ? new HttpError(
        "unsupported_media_type",
        "The file is not a recording in a supported format.",
        {
          hint: "Send flac, mp3, mp4, mpeg, mpga, m4a, ogg, wav or webm audio.",
        },
      )
      : new HttpError(
        "unprocessable_audio",
        "The recording could not be read: it is damaged or has no audio.",
        {
          hint: "Record again and resend the whole file.",
        },
      );
  }
  if (!(measured.durationSeconds > 0)) {
    throw new HttpError(
      "unprocessable_audio",
      "The recording has no audio in it.",
      { hint: "Record again and resend." },
    );
  }
  return measured;
}

/**
 * @example Deno.serve(createVoiceHandler(createRuntime(Deno.env.toObject())));
 */
export function createVoiceHandler(
  rt: Runtime,
): (req: Request) => Promise<Response> {
  return async (req) => {
    const pre = preflight(req);
    if (pre) return pre;
    let idem: IdempotencyScope | null = null;
    let requestId: string | undefined;
    let hold: BudgetHold | null = null;
    let spentUsd = "0";
    try {
      if (req.method !== "POST") {
        throw new HttpError("method_not_allowed", "Use POST.");
      }
      const user = await authenticate(req, { secret: rt.jwtSecret });
      const maxBytes = maxFileBytes(rt.env);
      const body = await readBytes(req, maxBytes + FORM_OVERHEAD_BYTES);
      const form = await parseForm(body, req.headers.get("content-type"));
      const input = parseFields(form);
      requirePlatform(user, input.platform);
      const audio = input.file.bytes;
      const measured = measureFile(audio, maxBytes);
      const language = input.language ?? DEFAULT_VOICE_LANGUAGE;
      const wantsReply = input.reply === "true";

      const key = idempotencyKey(req);
      if (key) {
        const scope = { key, userId: user.id, fn: FUNCTION_NAME };
        const stored = await beginIdempotent(
          rt.store,
          scope,
          await formHash(form),
        );
        if (stored) return replayResponse(stored);
        idem = scope;
      }

      requestId = crypto.randomUUID();
      const speech = candidatesFor("speech", input.platform, rt.env, rt.now());
      for (const w of speech.warnings) {
        rt.log(
          JSON.stringify({
            level: "warn",
            type: "ai_model_config",
            message: w,
          }),
        );
      }
      // Shorter than the speech models take (Groq: 0.01 s): refused before any call, never billed.
      const length = checkAudioLength(measured.durationSeconds, speech.candidates);
      if (!length.ok) throw new HttpError(length.code, length.message, { hint: length.hint });
      // One reservation per request (the budget keys it by request id): the transcription at the
      // measured length (as a decoder counts it) plus headroom, and with `reply` the curator's answer
      // to a transcript as long as the audio could hold.
      let amountUsd = costCeiling(speech.candidates, {
        audioSeconds: reservationSeconds(measured.durationSeconds),
      }, rt.now());
      if (wantsReply) {
        // Sizes the prompt around the transcript to come; the real plan is made once it exists
        // (and that one logs any model-config warnings, so this one stays quiet).
        const estimate = planCurator({ ...rt, log: () => {} }, {
          platform: input.platform,
          message: "",
          armKey: `${user.id}:`,
        });
        amountUsd = formatDecimal(
          addDecimal(
            amountUsd,
            costCeiling(estimate.candidates, {
              inputTokens: estimate.inputTokens +
                transcriptTokenBound(measured.durationSeconds),
              outputTokens: estimate.maxOutputTokens,
            }, rt.now()),
          ),
          10,
        );
      }
      hold = await reserveBudget(rt, {
        userId: user.id,
        platform: input.platform,
        requestId,
        amountUsd,
      });

      const upload = UPLOAD_AS[measured.format];
      const transcription = await runAIOperation<TranscriptionResult>({
        ...rt.routing,
        context: {
          requestId,
          userId: user.id,
          platform: input.platform,
          functionName: FUNCTION_NAME,
          operationType: "whisper",
        },
        candidates: speech.candidates,
        tracker: rt.tracker,
        log: rt.log,
        signal: req.signal,
        attempt: (target, { signal, timeoutMs }) =>
          transcribe(rt.clients, target, { audio, ...upload, language }, {
            signal,
            timeoutMs,
          }),
        usageOf: (value) => ({
          audio_seconds: billableDuration(measured.durationSeconds, value.durationSeconds)
            .audioSeconds,
        }),
      });
      spentUsd = transcription.costUsd;
      if (!transcription.ok) throw upstreamError(transcription.failure);

      const billed = billableDuration(
        measured.durationSeconds,
        transcription.value.durationSeconds,
      );
      if (billed.disagreement) {
        rt.log(JSON.stringify({
          level: "warn",
          type: "audio_duration_disagreement",
          request_id: requestId,
          provider: transcription.provider,
          model: transcription.model,
          measured_seconds: measured.durationSeconds,
          reported_seconds: billed.audioSeconds,
          mismatch_percent: Math.round(
            (Math.abs(billed.audioSeconds - measured.durationSeconds) / measured.durationSeconds) *
              1000,
          ) / 10,
        }));
      }
      const row = transcription.metrics[transcription.metrics.length - 1];
      const transcript = transcription.value.text.trim();
      const response: VoiceResponse = {
        request_id: requestId,
        transcript,
        language,
        duration_seconds: Math.round(measured.durationSeconds * 1000) / 1000,
        billed_seconds: Number(row.billed_audio_seconds ?? billed.audioSeconds),
        provider: transcription.provider,
        model: transcription.model,
        cost_usd: transcription.costUsd,
      };

      if (wantsReply) {
        if (transcript === "") {
          response.reply_error = {
            code: "unprocessable_audio",
            message: "No speech was recognised, so there is nothing to answer.",
          };
        } else {
          // The same curator as process-chat; its rows follow the transcription's attempts.
          const plan = planCurator(rt, {
            platform: input.platform,
            message: transcript,
            // A routing experiment keeps a student's voice answers on the arm of their chat.
            armKey: `${user.id}:`,
          });
          const outcome = await askCurator(rt, {
            requestId,
            userId: user.id,
            platform: input.platform,
            functionName: FUNCTION_NAME,
            signal: req.signal,
            attemptOffset: transcription.metrics.length,
          }, plan);
          spentUsd = formatDecimal(addDecimal(spentUsd, outcome.costUsd), 10);
          if (outcome.ok) {
            response.reply = {
              reply: outcome.reply,
              provider: outcome.provider,
              model: outcome.model,
              usage: outcome.usage,
              cost_usd: outcome.costUsd,
              truncated: outcome.truncated,
            };
          } else {
            // The transcript was paid for: keep it, and say why there is no answer.
            const e = upstreamError(outcome.failure);
            response.reply_error = { code: e.code, message: e.message };
          }
        }
      }

      return await answerJson(rt, idem, requestId, response);
    } catch (err) {
      if (idem) await rt.store.idempotencyRelease(idem).catch(() => {});
      return errorResponse(err, rt.log, requestId);
    } finally {
      hold?.settle(spentUsd);
    }
  };
}
