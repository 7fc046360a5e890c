// Provider parity through the stack: the offline provider refuses what Groq and OpenAI document
// as refused (provider_limits.ts), and the functions' requests pass it.
import assert from "node:assert/strict";
import { analyzeFile, invokeChat, streamChat } from "../../shared/index.ts";
import { encodeJpeg } from "../../supabase/functions/_shared/files/codecs.ts";
import { createRuntime } from "../../supabase/functions/_shared/runtime.ts";
import { createVoiceHandler } from "../../supabase/functions/process-voice-message/handler.ts";
import {
  clientFor,
  injectFault,
  invokeForm,
  ledgerCountForUser,
  ledgerRows,
  providerRequests,
  resetProvider,
} from "../_support/functions.ts";
import { closeDb, createUser, stackEnv } from "../_support/stack.ts";
import { file } from "./process-file-upload/fixtures.ts";
import { fixtureBytes, fixtureFile, manifest } from "./process-voice-message/fixtures.ts";

/** A page photo of noise that stays ~2.8 MB as a JPEG (2400 × 1800 at quality 80). */
async function scanJpeg(seed: number): Promise<Uint8Array<ArrayBuffer>> {
  const [width, height] = [2400, 1800];
  const data = new Uint8Array(width * height * 4);
  let x = seed * 2654435761 >>> 0;
  for (let i = 0; i < data.length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data[i] = x & 0xff;
    data[i + 1] = (x >>> 8) & 0xff;
    data[i + 2] = (x >>> 16) & 0xff;
    data[i + 3] = 255;
  }
  return await encodeJpeg({ data, width, height }, 80) as Uint8Array<ArrayBuffer>;
}

Deno.test("a scan with two ~2.8 MB page images is answered by Groq, no request over 4 MB, no <think>", async () => {
  await resetProvider();
  const student = await createUser();
  const pages = [await scanJpeg(1), await scanJpeg(2)];
  for (const p of pages) assert.ok(p.length > 2_400_000 && p.length < 2_950_000, `${p.length}`);
  const res = await analyzeFile(clientFor(student), {
    file: file("scanned.pdf"),
    platform: "main",
    page_images: pages.map((p, i) => new File([p], `p${i + 1}.jpg`, { type: "image/jpeg" })),
  });
  assert.equal(res.method, "vision");
  assert.equal(res.provider, "groq", "no 413, no fallback");
  assert.deepEqual(res.models, ["qwen/qwen3.8-27b"]);
  assert.doesNotMatch(res.analysis, /<think>|<\/think>/);
  const calls = await providerRequests();
  assert.equal(calls.length, 3, "one call per page image, then the combining call");
  for (const call of calls) {
    assert.equal(call.status, 200);
    assert.ok((call.body as { bytes?: number }).bytes! <= 4_000_000, `${call.body}`);
  }
  const vision = calls.filter((c) => c.body.images);
  assert.deepEqual(vision.map((c) => c.body.images!.length), [1, 1]);
  assert.ok(
    vision.every((c) => (c.body as { reasoningFormat?: string }).reasoningFormat === "hidden"),
  );
  await closeDb();
});

Deno.test("a length stop gives truncated: true in the answer and a partial ledger row", async () => {
  await resetProvider();
  const student = await createUser();
  await injectFault({ provider: "groq", path: "chat/completions", fault: { type: "length" } });
  const res = await invokeChat(clientFor(student), { platform: "main", message: "Расскажи всё" });
  assert.equal(res.truncated, true);
  const rows = await ledgerRows(res.request_id);
  assert.deepEqual(rows.map((r) => r.status), ["partial"]);
  assert.ok(Number(rows[0].cost_usd) > 0, "a cut answer is still billed");

  await injectFault({ provider: "groq", path: "chat/completions", fault: { type: "length" } });
  let done: { truncated?: boolean } | undefined;
  for await (
    const event of streamChat(clientFor(student), { platform: "main", message: "Расскажи всё" })
  ) {
    if (event.type === "done") done = event.data;
  }
  assert.equal(done?.truncated, true, "the SSE done event says truncated");
  await closeDb();
});

Deno.test('language "rus" → 400 with no provider call', async () => {
  await resetProvider();
  const student = await createUser();
  const form = new FormData();
  form.append("file", fixtureFile("short.wav"));
  form.append("platform", "main");
  form.append("language", "rus");
  const res = await invokeForm(clientFor(student), "process-voice-message", form);
  assert.equal(res.status, 400);
  assert.equal((res.body.error as { code: string }).code, "invalid_request");
  assert.match(JSON.stringify(res.body), /ISO 639-1/);
  assert.deepEqual(await providerRequests(), []);
  assert.equal(await ledgerCountForUser(student.id), 0);
  await closeDb();
});

Deno.test("AI_SPEECH_MODELS=openai:gpt-4o-mini-transcribe transcribes with json and bills the measured duration", async () => {
  await resetProvider();
  const student = await createUser();
  // The handler with the stack's own dependencies and this one setting changed.
  const rt = createRuntime({
    SUPABASE_URL: stackEnv.url,
    SUPABASE_SERVICE_ROLE_KEY: stackEnv.serviceRoleKey,
    SUPABASE_DB_URL: stackEnv.dbUrl,
    LEGACY_JWT_SECRET: stackEnv.jwtSecret,
    OPENAI_API_KEY: "offline-openai-key",
    OPENAI_BASE_URL: `${stackEnv.providerUrl}/v1`,
    AI_SPEECH_MODELS: "openai:gpt-4o-mini-transcribe",
  });
  const name = "short.wav";
  const measured = manifest.fixtures.find((f) => f.file === name)!.durationSeconds;
  const form = new FormData();
  form.append("file", new File([fixtureBytes(name)], name, { type: "audio/wav" }));
  form.append("platform", "main");
  try {
    const res = await createVoiceHandler(rt)(
      new Request("http://local/process-voice-message", {
        method: "POST",
        headers: { authorization: `Bearer ${student.token}` },
        body: form,
      }),
    );
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.model, "gpt-4o-mini-transcribe");
    const [call] = await providerRequests();
    assert.equal((call.body as { responseFormat?: string }).responseFormat, "json");
    const rows = await ledgerRows(body.request_id);
    assert.equal(rows[0].status, "success");
    assert.equal(Number(rows[0].audio_seconds), Math.round(measured * 1000) / 1000);
    assert.equal(body.billed_seconds, Number(rows[0].billed_audio_seconds));
  } finally {
    await rt.store.close();
    await closeDb();
  }
});
