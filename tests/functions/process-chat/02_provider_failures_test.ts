// When Groq fails the way it really fails, the student still gets an answer, and every provider
// attempt is a ledger row.
import assert from "node:assert/strict";
import { invokeChat, streamChat } from "../../../shared/index.ts";
import {
  clientFor,
  injectFault,
  ledgerRows,
  ledgerRowsForUser,
  resetProvider,
} from "../../_support/functions.ts";
import { closeDb, createUser } from "../../_support/stack.ts";

Deno.test("a 429 with retry-after is retried after the advertised delay: answered, two rows", async () => {
  await resetProvider();
  await injectFault({
    provider: "groq",
    path: "chat/completions",
    times: 1,
    fault: { type: "rate_limit", retryAfterSeconds: 1 },
  });
  const student = await createUser();
  const t0 = Date.now();
  const res = await invokeChat(clientFor(student), {
    platform: "main",
    message: "Что такое воронка продаж?",
  });
  const elapsed = Date.now() - t0;
  assert.equal(res.provider, "groq");
  assert.equal(res.fallback_used, false);
  assert.ok(elapsed >= 1000, `waited the advertised second (took ${elapsed} ms)`);
  const rows = await ledgerRows(res.request_id, 2);
  assert.equal(rows.length, 2);
  assert.deepEqual(rows.map((r) => [r.attempt, r.status, r.error_code]), [[
    1,
    "error",
    "rate_limited",
  ], [2, "success", null]]);
  assert.equal(rows[0].cost_usd, "0.0000000000", "a refused attempt costs nothing");
  assert.equal(rows[1].cost_usd, res.cost_usd);
  await closeDb();
});

Deno.test("Groq answering 503 every time falls back to OpenAI, and the answer says so", async () => {
  await resetProvider();
  await injectFault({
    provider: "groq",
    path: "chat/completions",
    times: 20,
    fault: { type: "status", status: 503 },
  });
  const student = await createUser();
  const res = await invokeChat(clientFor(student), {
    platform: "main",
    message: "Помоги составить план урока",
  });
  assert.equal(res.provider, "openai");
  assert.equal(
    res.model,
    "gpt-6-luna",
    "the OpenAI fallback since gpt-4.1-mini retires on 2027-01-14",
  );
  assert.equal(res.fallback_used, true);
  const rows = await ledgerRows(res.request_id, (rs) => rs.some((r) => r.provider === "openai"));
  const last = rows[rows.length - 1];
  assert.ok(rows.length >= 2);
  assert.ok(
    rows.slice(0, -1).every((r) => r.provider === "groq" && r.status === "error"),
    "each Groq attempt is an error row",
  );
  assert.equal(last.provider, "openai");
  assert.equal(last.status, "success");
  assert.equal(last.cost_usd, res.cost_usd);
  await closeDb();
});

Deno.test("a configured model that Groq retired is replaced by its catalog replacement", async () => {
  // The test stack configures tripwire chat as groq:llama-3.3-70b-versatile (shut down 2026-08-16).
  await resetProvider();
  const student = await createUser();
  const res = await invokeChat(clientFor(student), {
    platform: "tripwire",
    message: "Привет! Что в первом уроке?",
  });
  assert.equal(res.provider, "groq");
  assert.equal(res.model, "openai/gpt-oss-120b");
  await closeDb();
});

Deno.test("a provider that never answers ends in 504 upstream_timeout within the deadline, still recorded", async () => {
  await resetProvider();
  await injectFault({ path: "chat/completions", times: 20, fault: { type: "hang", ms: 60_000 } });
  const student = await createUser();
  const t0 = Date.now();
  const err = await invokeChat(clientFor(student), {
    platform: "main",
    message: "Ответь, пожалуйста",
  }).catch((e) => e);
  assert.equal(err.status, 504);
  assert.equal(err.code, "upstream_timeout");
  assert.ok(Date.now() - t0 < 15_000, "the deadline (6 s on the test stack) bounds the wait");
  assert.match(err.requestId ?? "", /^[0-9a-f-]{36}$/, "the error names the request");
  const rows = await ledgerRows(
    err.requestId,
    (rs) => rs.length > 0 && rs.every((r) => r.status === "error"),
  );
  assert.ok(rows.length >= 1, "the timed-out attempts are recorded");
  assert.ok(
    rows.every((r) => r.error_code === "upstream_timeout" && r.cost_usd === "0.0000000000"),
  );
  assert.deepEqual(
    (await ledgerRowsForUser(student.id)).map((r) => r.request_id).filter((id) =>
      id !== err.requestId
    ),
    [],
  );
  await resetProvider();
  await closeDb();
});

Deno.test("a stream cut midway ends with an error event and is recorded as partial with its usage", async () => {
  await resetProvider();
  await injectFault({
    provider: "groq",
    path: "chat/completions",
    times: 1,
    fault: { type: "cut_stream", afterChunks: 2 },
  });
  const student = await createUser();
  const events = [];
  for await (
    const ev of streamChat(clientFor(student), {
      platform: "main",
      message: "Расскажи подробно о модуле 3",
    })
  ) {
    events.push(ev);
  }
  assert.ok(events.some((e) => e.type === "delta"), "the student saw the beginning");
  const last = events[events.length - 1];
  assert.equal(last.type, "error");
  assert.equal(events.filter((e) => e.type === "done").length, 0);
  const [row] = await waitForUserRows(student.id);
  assert.equal(row.status, "partial");
  assert.ok(row.output_tokens > 0, "the tokens streamed before the cut are counted");
  assert.notEqual(row.cost_usd, "0.0000000000", "a cut stream is not free");
  await closeDb();
});

async function waitForUserRows(userId: string) {
  for (let i = 0; i < 100; i++) {
    const rows = await ledgerRowsForUser(userId);
    if (rows.length) return rows;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("no ledger row");
}
