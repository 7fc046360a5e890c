// Typed helpers around `supabase.functions.invoke` for the AI functions.
import type {
  ChatDone,
  ChatResponse,
  ChatStreamEvent,
} from "../supabase/functions/_shared/contracts/chat.ts";
import { ChatRequest } from "../supabase/functions/_shared/contracts/chat.ts";
import type { VoiceRequest, VoiceResponse } from "../supabase/functions/_shared/contracts/voice.ts";
import { VoiceFields } from "../supabase/functions/_shared/contracts/voice.ts";
import { AiFunctionError, errorFromResponse } from "./errors.ts";
import type { FileRequest, FileResponse } from "../supabase/functions/_shared/contracts/file.ts";
import { FileFields } from "../supabase/functions/_shared/contracts/file.ts";
import {
  DEFAULT_VISION_MODEL,
  downscaleImageForUpload,
  type DownscaleOptions,
} from "./downscale.ts";

export { DOWNSCALE_DEFAULTS, downscaleImageForUpload, type DownscaleOptions } from "./downscale.ts";

/** The part of a SupabaseClient these helpers use. */
export interface FunctionsInvoker {
  functions: {
    invoke(
      name: string,
      options?: { body?: Record<string, unknown> | FormData; headers?: Record<string, string> },
    ): Promise<{ data: unknown; error: unknown; response?: Response }>;
  };
}

export interface InvokeOptions {
  /** Sent as Idempotency-Key: a retry with the same key returns the first result, charged once. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

/** Calls a function and returns its JSON body, or throws AiFunctionError. */
export async function invokeJson<T>(
  supabase: FunctionsInvoker,
  name: string,
  body: Record<string, unknown> | FormData,
  opts: InvokeOptions = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  if (opts.idempotencyKey) headers["idempotency-key"] = opts.idempotencyKey;
  const { data, error } = await supabase.functions.invoke(name, { body, headers });
  if (error) throw await toError(error);
  return data as T;
}

async function toError(error: unknown): Promise<AiFunctionError> {
  const ctx = (error as { context?: unknown }).context;
  if (ctx instanceof Response) return await errorFromResponse(ctx);
  return new AiFunctionError("network_error", (error as Error)?.message ?? String(error), 0);
}

function invalid(issues: { path: PropertyKey[]; message: string }[]): AiFunctionError {
  const first = issues[0];
  return new AiFunctionError(
    "invalid_request",
    `${first.path.join(".") || "body"}: ${first.message}`,
    400,
    undefined,
    undefined,
    issues,
  );
}

/**
 * Asks the AI curator and waits for the whole answer.
 * @example
 * const answer = await invokeChat(supabase, { platform: "main", message: "Что такое ROI?" });
 * console.log(answer.reply, answer.cost_usd);
 */
export async function invokeChat(
  supabase: FunctionsInvoker,
  input: ChatRequest,
  opts: InvokeOptions = {},
): Promise<ChatResponse> {
  const parsed = ChatRequest.safeParse({ ...input, stream: false });
  if (!parsed.success) throw invalid(parsed.error.issues);
  return await invokeJson<ChatResponse>(supabase, "process-chat", parsed.data, opts);
}

/**
 * Asks the AI curator and yields the answer as it is written: `delta` events, then one `done`
 * (or an `error` event if the provider fails midway).
 * @example
 * for await (const ev of streamChat(supabase, { platform: "main", message: "Привет!" })) {
 *   if (ev.type === "delta") render(ev.text);
 * }
 */
export async function* streamChat(
  supabase: FunctionsInvoker,
  input: ChatRequest,
  opts: InvokeOptions = {},
): AsyncGenerator<ChatStreamEvent> {
  const parsed = ChatRequest.safeParse({ ...input, stream: true });
  if (!parsed.success) throw invalid(parsed.error.issues);
  const headers: Record<string, string> = { accept: "text/event-stream" };
  if (opts.idempotencyKey) headers["idempotency-key"] = opts.idempotencyKey;
  const { data, error } = await supabase.functions.invoke("process-chat", {
    body: parsed.data,
    headers,
  });
  if (error) throw await toError(error);
  if (!(data instanceof Response) || !data.body) {
    // A JSON body (e.g. an idempotent replay answered as JSON): present it as one delta + done.
    const full = data as ChatResponse;
    const { reply, ...done } = full;
    yield { type: "delta", text: reply };
    yield { type: "done", data: done as ChatDone };
    return;
  }
  yield* parseSse(data.body);
}

/** Parses `event:` / `data:` server-sent events into typed chat events. */
export async function* parseSse(body: ReadableStream<Uint8Array>): AsyncGenerator<ChatStreamEvent> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let idx;
      while ((idx = buf.indexOf("\n\n")) >= 0) {
        const raw = buf.slice(0, idx);
        buf = buf.slice(idx + 2);
        let event = "message";
        let data = "";
        for (const line of raw.split("\n")) {
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) data += line.slice(5).trimStart();
        }
        if (!data) continue;
        const parsed = JSON.parse(data);
        if (event === "delta") yield { type: "delta", text: parsed.text };
        else if (event === "done") yield { type: "done", data: parsed };
        else if (event === "error") yield { type: "error", data: parsed };
      }
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * Sends a voice message for transcription (and, with `reply: true`, the curator's answer to it).
 * Billed by the second on the server from the file's own length.
 * @example
 * const voice = await transcribeVoice(supabase, { file: recordedBlob, platform: "main", reply: true });
 * console.log(voice.transcript, voice.billed_seconds, voice.cost_usd, voice.reply?.reply);
 */
export async function transcribeVoice(
  supabase: FunctionsInvoker,
  input: VoiceRequest,
  opts: InvokeOptions = {},
): Promise<VoiceResponse> {
  const fields = VoiceFields.safeParse({
    platform: input.platform,
    ...(input.language !== undefined ? { language: input.language } : {}),
    ...(input.reply !== undefined ? { reply: String(input.reply) } : {}),
  });
  if (!fields.success) throw invalid(fields.error.issues);
  if (!(input.file instanceof Blob)) {
    throw invalid([{ path: ["file"], message: "the recording must be a Blob or File" }]);
  }
  const form = new FormData();
  const name = (input.file as { name?: unknown }).name;
  form.append("file", input.file, typeof name === "string" && name ? name : "voice");
  for (const [k, v] of Object.entries(fields.data)) form.append(k, String(v));
  return await invokeJson<VoiceResponse>(supabase, "process-voice-message", form, opts);
}

export interface FileInvokeOptions extends InvokeOptions {
  /**
   * Downscale images in the browser before upload (the default, `true`), with other targets, or
   * not at all (`false`). Where no canvas exists (Deno, Node) images are sent as they are.
   */
  downscale?: boolean | DownscaleOptions;
}

/**
 * Sends a file (image, PDF, Word or text) to be read and analysed. Text the file carries goes to a
 * text model; images, and the page images of a scanned PDF's pages, to a vision model. A scanned
 * PDF without `page_images` is refused with `page_images_required`, whose `details.pages` names the
 * pages to send images of.
 *
 * In a browser, images (the file when it is one, and every page image) are first downscaled to
 * what the server sends untouched (`downscaleImageForUpload`: ≤ 4 MP, ≤ 2.5 MB, upright JPEG, and
 * within the image policy's token ceiling for the default vision model: a photo ~1.6 MP, a scan
 * ~4 MP);
 * `downscale: false` sends them as they are, an options object changes the targets.
 * @example
 * const result = await analyzeFile(supabase, { file: pdfBlob, platform: "main" });
 * console.log(result.method, result.analysis, result.cost_usd);
 * @example
 * // A scan: one image per page without text, in page order.
 * await analyzeFile(supabase, { file: scan, platform: "main", page_images: [page1Png, page2Png] });
 */
export async function analyzeFile(
  supabase: FunctionsInvoker,
  input: FileRequest,
  opts: FileInvokeOptions = {},
): Promise<FileResponse> {
  const fields = FileFields.safeParse({
    platform: input.platform,
    ...(input.instruction !== undefined ? { instruction: input.instruction } : {}),
  });
  if (!fields.success) throw invalid(fields.error.issues);
  if (!(input.file instanceof Blob)) {
    throw invalid([{ path: ["file"], message: "the file must be a Blob or File" }]);
  }
  const pageImages = input.page_images ?? [];
  for (const [i, image] of pageImages.entries()) {
    if (!(image instanceof Blob)) {
      throw invalid([{ path: ["page_images", i], message: "a page image must be a Blob or File" }]);
    }
  }
  // Only images change (the type is sniffed from the bytes); one at a time, so a phone holds a
  // single decoded photo in memory.
  // Sized for the token ceiling of the default vision model: the file is a photo, page images
  // are scans (the server applies the same policy, so what arrives is not resized again).
  const shrink = async (blob: Blob, task: "photo" | "scan"): Promise<Blob> =>
    opts.downscale === false ? blob : await downscaleImageForUpload(blob, {
      tokens: { ...DEFAULT_VISION_MODEL, task },
      ...(opts.downscale === true ? {} : opts.downscale),
    });
  const file = await shrink(input.file, "photo");
  const images: Blob[] = [];
  for (const image of pageImages) images.push(await shrink(image, "scan"));

  const form = new FormData();
  const name = (file as { name?: unknown }).name;
  form.append("file", file, typeof name === "string" && name ? name : "upload");
  for (const [k, v] of Object.entries(fields.data)) {
    if (v !== undefined) form.append(k, String(v));
  }
  for (const [i, image] of images.entries()) {
    const imageName = (image as { name?: unknown }).name;
    form.append(
      "page_images",
      image,
      typeof imageName === "string" && imageName ? imageName : `page-${i + 1}`,
    );
  }
  return await invokeJson<FileResponse>(supabase, "process-file-upload", form, opts);
}
