// The student app: chat with the AI curator (the answer streams in), voice messages recorded with
// MediaRecorder, and files (photos downscaled in the browser first). Every call goes through
// `shared/`; every failure is shown with shared/'s plainErrorMessage.
import {
  AiFunctionError,
  analyzeFile,
  type ChatTurn,
  downscaleImageForUpload,
  plainErrorMessage,
  streamChat,
  transcribeVoice,
} from "../../shared/index.ts";
import { type Client, signIn } from "./session.ts";

const $ = <T extends HTMLElement = HTMLElement>(id: string) =>
  document.querySelector<T>(`[data-testid=${id}]`)!;

let supabase: Client | null = null;
const history: ChatTurn[] = [];

const platform = () => $<HTMLSelectElement>("platform").value as "main" | "tripwire";

function showError(error: unknown, text = plainErrorMessage(error)) {
  const box = $("error-message");
  box.textContent = text;
  box.dataset.code = error instanceof AiFunctionError ? error.code : "page_error";
  box.hidden = false;
}

function clearError() {
  const box = $("error-message");
  box.hidden = true;
  box.textContent = "";
  delete box.dataset.code;
}

const money = (usd: string | number) => `$${usd}`;
const mb = (bytes: number) => `${(bytes / 1_000_000).toFixed(2)} MB`;

// --- chat ------------------------------------------------------------------------------------

async function sendChat() {
  if (!supabase) return;
  const input = $<HTMLTextAreaElement>("chat-input");
  const message = input.value.trim();
  if (!message) return;
  const answer = $("chat-answer");
  const cost = $("chat-cost");
  const send = $<HTMLButtonElement>("chat-send");
  clearError();
  send.disabled = true;
  answer.textContent = "";
  cost.textContent = "";
  answer.dataset.state = "streaming";
  let text = "";
  try {
    for await (
      const ev of streamChat(supabase, { platform: platform(), message, history: [...history] })
    ) {
      if (ev.type === "delta") {
        text += ev.text;
        answer.textContent = text;
      } else if (ev.type === "done") {
        cost.textContent = `${money(ev.data.cost_usd)} · ${ev.data.provider}:${ev.data.model}` +
          (ev.data.truncated ? " · cut at the length limit" : "");
        cost.dataset.costUsd = ev.data.cost_usd;
        cost.dataset.model = ev.data.model;
        answer.dataset.state = "done";
      } else {
        // The provider failed after the answer began: keep what arrived, say what happened.
        answer.dataset.state = "error";
        showError(new AiFunctionError(ev.data.code as never, ev.data.message, 502));
      }
    }
    if (answer.dataset.state === "streaming") answer.dataset.state = "error";
    if (answer.dataset.state === "done") {
      history.push({ role: "user", content: message }, { role: "assistant", content: text });
      history.splice(0, Math.max(0, history.length - 20));
      input.value = "";
    }
  } catch (e) {
    answer.dataset.state = "error";
    showError(e);
  } finally {
    send.disabled = false;
  }
}

// --- voice -----------------------------------------------------------------------------------

/** What this browser's MediaRecorder records: Chrome webm/opus, Safari mp4. */
function recordingType(): { mimeType: string; ext: string } {
  const candidates = [
    { mimeType: "audio/webm;codecs=opus", ext: "webm" },
    { mimeType: "audio/mp4", ext: "m4a" },
    { mimeType: "audio/ogg;codecs=opus", ext: "ogg" },
  ];
  // ?voice-type=audio/mp4 records what Safari records, where this browser can (tests use it).
  const asked = new URLSearchParams(location.search).get("voice-type");
  const pick = asked ? candidates.filter((c) => c.mimeType.startsWith(asked)) : candidates;
  return pick.find((c) => MediaRecorder.isTypeSupported(c.mimeType)) ??
    { mimeType: "", ext: "webm" };
}

let recorder: MediaRecorder | null = null;

async function toggleRecording() {
  const button = $<HTMLButtonElement>("voice-record");
  if (recorder) {
    recorder.stop();
    return;
  }
  if (!supabase) return;
  clearError();
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch {
    showError(null, "The microphone is not available: allow it and try again.");
    return;
  }
  const type = recordingType();
  const rec = new MediaRecorder(stream, type.mimeType ? { mimeType: type.mimeType } : {});
  const chunks: Blob[] = [];
  let startedAt = 0;
  rec.ondataavailable = (ev) => ev.data.size && chunks.push(ev.data);
  rec.onstart = () => {
    startedAt = performance.now();
    button.dataset.state = "recording";
    button.textContent = "■ Stop";
  };
  rec.onstop = () => {
    const recordedMs = performance.now() - startedAt;
    for (const track of stream.getTracks()) track.stop();
    recorder = null;
    button.textContent = "● Record";
    const blob = new Blob(chunks, { type: rec.mimeType || type.mimeType });
    void sendVoice(new File([blob], `voice.${type.ext}`, { type: blob.type }), recordedMs);
  };
  recorder = rec;
  rec.start(250);
}

async function sendVoice(file: File, recordedMs: number) {
  if (!supabase) return;
  const button = $<HTMLButtonElement>("voice-record");
  const transcript = $("voice-transcript");
  const reply = $("voice-reply");
  const cost = $("voice-cost");
  button.dataset.state = "sending";
  button.disabled = true;
  transcript.textContent = `Sending ${(recordedMs / 1000).toFixed(1)} s (${mb(file.size)})…`;
  transcript.dataset.state = "sending";
  reply.textContent = "";
  cost.textContent = "";
  cost.dataset.recordedMs = String(Math.round(recordedMs));
  try {
    const res = await transcribeVoice(supabase, {
      file,
      platform: platform(),
      language: "ru",
      reply: true,
    });
    transcript.textContent = res.transcript;
    transcript.dataset.state = "done";
    reply.textContent = res.reply?.reply ??
      (res.reply_error ? `The curator could not answer: ${res.reply_error.message}` : "");
    const replyCost = res.reply ? ` + reply ${money(res.reply.cost_usd)}` : "";
    cost.textContent = `${money(res.cost_usd)} for ${res.billed_seconds} s billed ` +
      `(${res.duration_seconds.toFixed(1)} s of audio, ${res.model})${replyCost}`;
    cost.dataset.durationSeconds = String(res.duration_seconds);
    cost.dataset.billedSeconds = String(res.billed_seconds);
    cost.dataset.costUsd = res.cost_usd;
    button.dataset.state = "done";
  } catch (e) {
    transcript.textContent = "";
    transcript.dataset.state = "error";
    button.dataset.state = "error";
    showError(e);
  } finally {
    button.disabled = false;
  }
}

// --- files -----------------------------------------------------------------------------------

async function sendFile(file: File) {
  if (!supabase) return;
  const progress = $<HTMLProgressElement>("file-progress");
  const status = $("file-status");
  const answer = $("file-answer");
  const cost = $("file-cost");
  clearError();
  answer.textContent = "";
  cost.textContent = "";
  answer.dataset.state = "working";
  const step = (value: number, text: string) => {
    progress.value = value;
    status.textContent = text;
  };
  try {
    // Photos shrink here, in the browser, so the server never decodes 12 MP (shared/downscale.ts).
    step(0.1, `Preparing ${file.name} (${mb(file.size)})…`);
    const upload = await downscaleImageForUpload(file);
    const shrunk = upload !== file;
    step(
      0.4,
      shrunk
        ? `Photo shrunk in the browser: ${mb(file.size)} → ${mb(upload.size)}. Uploading…`
        : `Uploading ${mb(upload.size)}…`,
    );
    status.dataset.uploadBytes = String(upload.size);
    const named = shrunk ? new File([upload], file.name.replace(/\.\w+$/, ".jpg")) : file;
    const pending = analyzeFile(supabase, {
      file: named,
      platform: platform(),
      ...($<HTMLInputElement>("file-instruction").value.trim()
        ? { instruction: $<HTMLInputElement>("file-instruction").value.trim() }
        : {}),
    }, { downscale: false });
    // fetch reports no upload progress: the bar moves on to "reading" once the bytes are out.
    setTimeout(() => progress.value < 0.7 && step(0.7, "Reading the file…"), 300);
    const res = await pending;
    step(1, `Done: ${res.kind}, read as ${res.method}.`);
    answer.textContent = res.analysis;
    answer.dataset.state = "done";
    cost.textContent = `${money(res.cost_usd)} · ${res.provider}:${res.models.join(", ")}`;
    cost.dataset.costUsd = res.cost_usd;
  } catch (e) {
    answer.dataset.state = "error";
    step(0, "Not sent.");
    showError(e);
  }
}

// --- wiring ----------------------------------------------------------------------------------

function enable(on: boolean) {
  for (const id of ["chat-send", "voice-record", "file-input"]) {
    $<HTMLButtonElement | HTMLInputElement>(id).disabled = !on;
  }
}

enable(false);
$("chat-send").addEventListener("click", () => void sendChat());
$("chat-input").addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) void sendChat();
});
$("voice-record").addEventListener("click", () => void toggleRecording());
$<HTMLInputElement>("file-input").addEventListener("change", (ev) => {
  const input = ev.target as HTMLInputElement;
  const file = input.files?.[0];
  if (file) void sendFile(file).finally(() => (input.value = ""));
});
globalThis.addEventListener("offline", () => {
  showError(new AiFunctionError("network_error", "offline", 0));
});
globalThis.addEventListener("online", clearError);

await signIn("student", (client) => {
  supabase = client;
  enable(true);
  document.body.dataset.ready = "true";
});
document.body.dataset.loaded = "true";
