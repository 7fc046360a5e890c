// With reply: "true" the transcript goes to the same AI curator as process-chat: two ledger rows
// (whisper, then chat) under one request id. When Groq cannot transcribe, OpenAI does.
import assert from "node:assert/strict";
import { transcribeVoice } from "../../../shared/index.ts";
import {
  clientFor,
  injectFault,
  ledgerRows,
  resetProvider,
  usd,
} from "../../_support/functions.ts";
import { closeDb, createUser } from "../../_support/stack.ts";
import { fixtureFile, invokeVoiceForm } from "./fixtures.ts";

Deno.test('reply: "true" (as a raw form field) returns the curator\'s answer; whisper and chat rows share the request id', async () => {
  await resetProvider();
  const student = await createUser();
  const form = new FormData();
  form.append("file", fixtureFile("long.ogg"));
  form.append("platform", "main");
  form.append("reply", "true");
  const { status, body } = await invokeVoiceForm(clientFor(student), form);
  assert.equal(status, 200, JSON.stringify(body));
  const res = body as unknown as Awaited<ReturnType<typeof transcribeVoice>>;
  assert.ok(res.reply, "the curator answered");
  assert.ok(res.reply.reply.length > 0);
  assert.equal(res.reply.provider, "groq");
  assert.equal(res.reply.model, "openai/gpt-oss-120b");
  // gpt-oss-120b: 0.15 / 1M input, 0.60 / 1M output (groq.com/pricing, 2026-11-25)
  assert.equal(
    res.reply.cost_usd,
    usd([[res.reply.usage.input_tokens, "0.15"], [
      res.reply.usage.output_tokens,
      "0.60",
    ]]),
  );

  const rows = await ledgerRows(res.request_id, 2);
  assert.deepEqual(rows.map((r) => [r.attempt, r.operation_type, r.status]), [[
    1,
    "whisper",
    "success",
  ], [2, "chat", "success"]]);
  assert.ok(
    rows.every((r) =>
      r.request_id === res.request_id && r.user_id === student.id &&
      r.function_name === "process-voice-message"
    ),
  );
  assert.equal(rows[0].cost_usd, res.cost_usd);
  assert.equal(rows[0].billed_audio_seconds, rows[0].audio_seconds, "the exact seconds, over 10 s");
  assert.equal(rows[1].cost_usd, res.reply.cost_usd);
  assert.equal(rows[1].input_tokens, res.reply.usage.input_tokens);
  await closeDb();
});

Deno.test("a retried transcription and the curator's answer number their rows 1, 2, 3 without collision", async () => {
  await resetProvider();
  await injectFault({
    provider: "groq",
    path: "audio/transcriptions",
    times: 1,
    fault: { type: "rate_limit", retryAfterSeconds: 1 },
  });
  const student = await createUser();
  const res = await transcribeVoice(clientFor(student), {
    file: fixtureFile("short.webm"),
    platform: "main",
    reply: true,
  });
  assert.ok(res.reply);
  const rows = await ledgerRows(res.request_id, 3);
  assert.deepEqual(
    rows.map((r) => [r.attempt, r.operation_type, r.status, r.error_code]),
    [
      [1, "whisper", "error", "rate_limited"],
      [2, "whisper", "success", null],
      [3, "chat", "success", null],
    ],
  );
  assert.equal(
    rows[0].cost_usd,
    "0.0000000000",
    "a refused attempt costs nothing",
  );
  assert.equal(rows[1].cost_usd, res.cost_usd);
  await closeDb();
});

Deno.test("when the curator cannot answer, the paid-for transcript still comes back with reply_error", async () => {
  await resetProvider();
  await injectFault({
    path: "chat/completions",
    times: 20,
    fault: { type: "status", status: 400 },
  });
  const student = await createUser();
  const res = await transcribeVoice(clientFor(student), {
    file: fixtureFile("short.m4a"),
    platform: "main",
    reply: true,
  });
  assert.ok(res.transcript.length > 0);
  assert.equal(res.reply, undefined);
  assert.equal(res.reply_error?.code, "upstream_unavailable");
  const rows = await ledgerRows(
    res.request_id,
    (rs) => rs.some((r) => r.operation_type === "chat"),
  );
  assert.equal(rows[0].operation_type, "whisper");
  assert.equal(rows[0].cost_usd, res.cost_usd);
  assert.ok(
    rows.slice(1).every((r) =>
      r.operation_type === "chat" && r.status === "error" &&
      r.cost_usd === "0.0000000000"
    ),
  );
  await resetProvider();
  await closeDb();
});

Deno.test("Groq failing every time → OpenAI gpt-transcribe transcribes, billed to the millisecond at $0.27/h", async () => {
  await resetProvider();
  await injectFault({
    provider: "groq",
    path: "audio/transcriptions",
    times: 20,
    fault: { type: "status", status: 503 },
  });
  const student = await createUser();
  const res = await transcribeVoice(clientFor(student), {
    file: fixtureFile("short.wav"),
    platform: "main",
  });
  assert.equal(res.provider, "openai");
  assert.equal(res.model, "gpt-transcribe");
  // 2.895 s × $0.27 / 3600 s = 0.000217125 (no minimum on OpenAI)
  assert.equal(res.billed_seconds, 2.895);
  assert.equal(res.cost_usd, "0.0002171250");
  const rows = await ledgerRows(
    res.request_id,
    (rs) => rs.some((r) => r.provider === "openai"),
  );
  const last = rows[rows.length - 1];
  assert.ok(rows.length >= 2);
  assert.ok(
    rows.slice(0, -1).every((r) =>
      r.provider === "groq" && r.status === "error" &&
      r.cost_usd === "0.0000000000"
    ),
  );
  assert.deepEqual([
    last.provider,
    last.model,
    last.status,
    last.operation_type,
  ], ["openai", "gpt-transcribe", "success", "whisper"]);
  assert.equal(last.cost_usd, res.cost_usd);
  assert.equal(last.billed_audio_seconds, "2.895");
  await resetProvider();
  await closeDb();
});
