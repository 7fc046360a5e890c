// A streamed answer never leaves the student waiting on nothing: when the model is silent longer
// than AI_STREAM_COMMIT_MS (1 s in the test stack, 10 s by default) the stream is committed (200)
// and keep-alive comments follow (every 300 ms here, 15 s by default), and a failure after that is
// an `error` event sent by the request's deadline (AI_DEADLINE_MS, 6 s here).
import assert from "node:assert/strict";
import { injectFault, resetProvider } from "../../_support/functions.ts";
import { closeDb, createUser, stackEnv } from "../../_support/stack.ts";

async function streamRaw(token: string, message: string) {
  const started = Date.now();
  const res = await fetch(`${stackEnv.url}/functions/v1/process-chat`, {
    method: "POST",
    headers: {
      apikey: stackEnv.anonKey,
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({ platform: "main", message, stream: true }),
  });
  const headersAfterMs = Date.now() - started;
  const text = await res.text();
  return { status: res.status, headersAfterMs, text, totalMs: Date.now() - started };
}

Deno.test("a silent model: the stream is committed with keep-alive comments, then the answer", async () => {
  await resetProvider();
  await injectFault({
    provider: "groq",
    path: "chat/completions",
    times: 1,
    fault: { type: "hang", ms: 2500 },
  });
  const student = await createUser();
  const r = await streamRaw(student.token, "Расскажи про домашнее задание");
  assert.equal(r.status, 200);
  assert.ok(
    r.headersAfterMs < 2500,
    `headers after ${r.headersAfterMs} ms, before the model spoke`,
  );
  assert.match(r.text, /^: waiting for the model\n\n/);
  assert.match(r.text, /\n: keep-alive\n\n/);
  assert.match(r.text, /event: delta\n/);
  assert.match(r.text, /event: done\n/);
  await closeDb();
});

Deno.test("a model silent past the deadline: an error event ends the committed stream", async () => {
  await resetProvider();
  await injectFault({ path: "chat/completions", times: 20, fault: { type: "hang", ms: 60_000 } });
  const student = await createUser();
  const r = await streamRaw(student.token, "Ответь, пожалуйста");
  assert.equal(r.status, 200);
  assert.doesNotMatch(r.text, /event: (delta|done)\n/);
  const error = /event: error\ndata: (.+)\n/.exec(r.text);
  assert.ok(error, r.text);
  assert.equal(JSON.parse(error[1]).code, "upstream_timeout");
  assert.ok(r.totalMs < 15_000, `ended after ${r.totalMs} ms, by the request's deadline`);
  await resetProvider();
  await closeDb();
});
