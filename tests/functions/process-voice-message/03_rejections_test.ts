// A recording that is too large, not audio, empty, cut short or silent, and a form without its
// file or platform, are refused with a clear code before any provider call and without a charge.
import assert from "node:assert/strict";
import {
  clientFor,
  ledgerCountForUser,
  providerRequests,
  resetProvider,
} from "../../_support/functions.ts";
import { closeDb, createUser, type TestUser } from "../../_support/stack.ts";
import { fixtureBytes, fixtureFile, invokeVoiceForm } from "./fixtures.ts";

/** A 16 kHz mono 16-bit PCM WAV of `seconds` of silence (a RIFF header and its samples). */
function wav(seconds: number): Uint8Array<ArrayBuffer> {
  const samples = Math.round(16_000 * seconds);
  const out = new Uint8Array(44 + samples * 2);
  const v = new DataView(out.buffer);
  const ascii = (at: number, s: string) =>
    [...s].forEach((c, i) => (out[at + i] = c.charCodeAt(0)));
  ascii(0, "RIFF");
  v.setUint32(4, 36 + samples * 2, true);
  ascii(8, "WAVEfmt ");
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true); // PCM
  v.setUint16(22, 1, true); // mono
  v.setUint32(24, 16_000, true);
  v.setUint32(28, 32_000, true); // bytes a second
  v.setUint16(32, 2, true); // block align
  v.setUint16(34, 16, true); // bits a sample
  ascii(36, "data");
  v.setUint32(40, samples * 2, true);
  return out;
}

const PNG = new Uint8Array([
  0x89,
  0x50,
  0x4e,
  0x47,
  0x0d,
  0x0a,
  0x1a,
  0x0a,
  0,
  0,
  0,
  13,
  0x49,
  0x48,
  0x44,
  0x52,
  0,
  0,
  0,
  1,
  0,
  0,
  0,
  1,
  8,
  6,
  0,
  0,
  0,
  0x1f,
  0x15,
  0xc4,
  0x89,
  0,
  0,
  0,
  0,
  0x49,
  0x45,
  0x4e,
  0x44,
  0xae,
  0x42,
  0x60,
  0x82,
]);

/** 26 MB that begins like the WAV it claims to be: refused by its size alone. */
function oversizedWav(): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(26 * 1024 * 1024);
  bytes.set(fixtureBytes("short.wav").subarray(0, 44));
  return bytes;
}

interface Case {
  name: string;
  form: () => FormData;
  user?: "student" | "none";
  status: number;
  code: string;
}

function form(fields: Record<string, string | File>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  return f;
}
const ogg = () => fixtureFile("short.ogg");
const long = fixtureBytes("long.ogg");

const cases: Case[] = [
  {
    name: "a 26 MB recording",
    form: () =>
      form({
        file: new File([oversizedWav()], "lecture.wav", { type: "audio/wav" }),
        platform: "main",
      }),
    status: 413,
    code: "payload_too_large",
  },
  {
    name: "a PNG renamed .ogg with an audio/ogg type",
    form: () =>
      form({
        file: new File([PNG], "voice.ogg", { type: "audio/ogg" }),
        platform: "main",
      }),
    status: 415,
    code: "unsupported_media_type",
  },
  {
    name: "plain text named .mp3",
    form: () =>
      form({
        file: new File(["Привет, это не аудио"], "voice.mp3", {
          type: "audio/mpeg",
        }),
        platform: "main",
      }),
    status: 415,
    code: "unsupported_media_type",
  },
  {
    name: "an empty file",
    form: () =>
      form({
        file: new File([], "voice.webm", { type: "audio/webm" }),
        platform: "main",
      }),
    status: 422,
    code: "unprocessable_audio",
  },
  {
    name: "a recording cut off halfway",
    form: () =>
      form({
        file: new File(
          [long.subarray(0, Math.floor(long.length / 2) + 3)],
          "voice.ogg",
          { type: "audio/ogg" },
        ),
        platform: "main",
      }),
    status: 422,
    code: "unprocessable_audio",
  },
  {
    name: "a 5 ms recording (Groq refuses audio under 0.01 s; it is never billed)",
    form: () =>
      form({ file: new File([wav(0.005)], "voice.wav", { type: "audio/wav" }), platform: "main" }),
    status: 422,
    code: "unprocessable_audio",
  },
  {
    name: "an mp4 with video and no audio track",
    form: () => form({ file: fixtureFile("video-only.mp4"), platform: "main" }),
    status: 422,
    code: "unprocessable_audio",
  },
  {
    name: "no file",
    form: () => form({ platform: "main" }),
    status: 400,
    code: "invalid_request",
  },
  {
    name: "the file sent as a text field",
    form: () => form({ file: "T2dnUw==", platform: "main" }),
    status: 400,
    code: "invalid_request",
  },
  {
    name: "no platform",
    form: () => form({ file: ogg() }),
    status: 400,
    code: "invalid_request",
  },
  {
    name: "an unknown platform",
    form: () => form({ file: ogg(), platform: "vip" }),
    status: 400,
    code: "invalid_request",
  },
  {
    name: "a language that is not an ISO code",
    form: () => form({ file: ogg(), platform: "main", language: "russian" }),
    status: 400,
    code: "invalid_request",
  },
  {
    name: "reply other than true or false",
    form: () => form({ file: ogg(), platform: "main", reply: "yes" }),
    status: 400,
    code: "invalid_request",
  },
  {
    name: "another user's id in the form",
    form: () => form({ file: ogg(), platform: "main", user_id: crypto.randomUUID() }),
    status: 400,
    code: "invalid_request",
  },
  {
    name: "no JWT (only the anon key)",
    form: () => form({ file: ogg(), platform: "main" }),
    user: "none",
    status: 401,
    code: "unauthorized",
  },
];

Deno.test("every rejected voice message gets its status and code, with no provider call and no ledger row", async (t) => {
  await resetProvider();
  const student: TestUser = await createUser();
  for (const c of cases) {
    await t.step(`${c.name} → ${c.status} ${c.code}`, async () => {
      const supabase = clientFor(c.user === "none" ? undefined : student);
      const res = await invokeVoiceForm(supabase, c.form());
      assert.equal(res.status, c.status, JSON.stringify(res.body));
      const error = res.body.error as { code: string; message: string };
      assert.equal(error.code, c.code);
      assert.equal(typeof error.message, "string");
    });
  }
  assert.deepEqual(
    await providerRequests(),
    [],
    "no request reached a provider",
  );
  assert.equal(
    await ledgerCountForUser(student.id),
    0,
    "nothing was recorded or charged",
  );
  await closeDb();
});

Deno.test("a body that is not multipart is a 400 invalid_request", async () => {
  await resetProvider();
  const student = await createUser();
  const { error } = await clientFor(student).functions.invoke(
    "process-voice-message",
    { body: { platform: "main" } },
  );
  const res = (error as { context: Response }).context;
  assert.equal(res.status, 400);
  assert.equal((await res.json()).error.code, "invalid_request");
  await closeDb();
});
