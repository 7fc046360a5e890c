// process-chat answers a student in Russian, as JSON and as a stream, and every answer is priced
// at the catalog price of its usage and recorded in the ledger.
import assert from "node:assert/strict";
import { invokeChat, streamChat } from "../../../shared/index.ts";
import { clientFor, ledgerRows, resetProvider, usd } from "../../_support/functions.ts";
import { closeDb, createUser, stackEnv } from "../../_support/stack.ts";

// openai/gpt-oss-120b on Groq: 0.15 USD / 1M input, 0.075 cached, 0.60 output (groq.com/pricing).
const expectedGptOss120bCost = (
  u: { input_tokens: number; cached_input_tokens: number; output_tokens: number },
) =>
  usd([[u.input_tokens - u.cached_input_tokens, "0.15"], [u.cached_input_tokens, "0.075"], [
    u.output_tokens,
    "0.60",
  ]]);

Deno.test("a Russian question gets a JSON answer from Groq, priced and recorded", async () => {
  await resetProvider();
  const student = await createUser();
  const supabase = clientFor(student);
  const res = await invokeChat(supabase, {
    platform: "main",
    message: "  Как рассчитать ROI рекламной кампании?  ",
  });

  assert.match(res.request_id, /^[0-9a-f-]{36}$/);
  assert.ok(res.reply.length > 0);
  assert.equal(res.provider, "groq");
  assert.equal(res.model, "openai/gpt-oss-120b");
  assert.equal(res.fallback_used, false);
  assert.ok(res.usage.input_tokens > 0 && res.usage.output_tokens > 0);
  assert.equal(
    res.cost_usd,
    expectedGptOss120bCost(res.usage),
    "cost is the catalog price of the usage",
  );

  const [row, ...more] = await ledgerRows(res.request_id);
  assert.equal(more.length, 0, "one provider attempt, one row");
  assert.equal(row.user_id, student.id);
  assert.equal(row.operation_type, "chat");
  assert.equal(row.function_name, "process-chat");
  assert.equal(row.platform, "main");
  assert.equal(row.provider, "groq");
  assert.equal(row.model, "openai/gpt-oss-120b");
  assert.equal(row.status, "success");
  assert.equal(row.attempt, 1);
  assert.equal(row.input_tokens, res.usage.input_tokens);
  assert.equal(row.output_tokens, res.usage.output_tokens);
  assert.equal(row.cached_input_tokens, res.usage.cached_input_tokens);
  assert.equal(row.cost_usd, res.cost_usd);
  // gpt-4o baseline: 2.50 / 1M input, 10.00 / 1M output
  assert.equal(
    row.baseline_cost_usd,
    usd([[res.usage.input_tokens, "2.50"], [res.usage.output_tokens, "10.00"]]),
    "the baseline is the same usage on GPT-4o",
  );
  await closeDb();
});

Deno.test("a streamed answer arrives as delta events and one done event matching the ledger", async () => {
  await resetProvider();
  const student = await createUser();
  const events = [];
  for await (
    const ev of streamChat(clientFor(student), {
      platform: "tripwire",
      message: "Расскажи коротко, чему я научусь на курсе?",
      history: [{ role: "user", content: "Привет!" }, {
        role: "assistant",
        content: "Здравствуйте! Чем помочь?",
      }],
    })
  ) events.push(ev);

  const deltas = events.filter((e) => e.type === "delta");
  const done = events.filter((e) => e.type === "done");
  assert.ok(deltas.length >= 2, "the text comes in several pieces");
  assert.equal(done.length, 1);
  assert.equal(events[events.length - 1].type, "done", "done comes last");
  const d = done[0].type === "done" ? done[0].data : null;
  assert.ok(d);
  assert.equal(d.provider, "groq");
  assert.equal(d.cost_usd, expectedGptOss120bCost(d.usage));

  const rows = await ledgerRows(d.request_id);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].platform, "tripwire");
  assert.equal(rows[0].cost_usd, d.cost_usd);
  assert.equal(rows[0].output_tokens, d.usage.output_tokens);
  assert.equal(rows[0].user_id, student.id);
  await closeDb();
});

Deno.test("answers, streams and errors leave the worker uncompressed, whatever the client accepts", async () => {
  await resetProvider();
  const student = await createUser();
  const url = `${stackEnv.url}/functions/v1/process-chat`;
  const ask = (body: unknown, acceptEncoding: string) =>
    fetch(url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${student.token}`,
        apikey: stackEnv.publishableKey,
        "content-type": "application/json",
        "accept-encoding": acceptEncoding,
      },
      body: JSON.stringify(body),
    });
  // Deno.serve compresses any JSON or event-stream body a client accepts compressed, unless the
  // answer says no-transform: a 0.5 KB answer gained nothing and cost 0.7–1.0 ms at p50 (cors.ts).
  // What browsers send, and what a client may send to steer the server: a wildcard, weights, a
  // refusal of identity itself, an unknown coding, a long list.
  const encodings = [
    "gzip, deflate, br, zstd",
    "*",
    "br;q=1.0, gzip;q=0.9, *;q=0.1",
    "identity;q=0, *;q=0",
    "x-unknown, gzip",
    Array.from({ length: 200 }, (_, i) => `c${i};q=0.${i % 10}`).join(", ") + ", gzip",
  ];
  for (const acceptEncoding of encodings) {
    for (
      const [body, status, type] of [
        [{ platform: "main", message: "Привет" }, 200, "application/json"],
        [{ platform: "main", message: "Привет", stream: true }, 200, "text/event-stream"],
        [{ platform: "main" }, 400, "application/json"],
      ] as const
    ) {
      const res = await ask(body, acceptEncoding);
      const text = await res.text();
      const what = `${type} ${status}, accept-encoding ${acceptEncoding.slice(0, 40)}`;
      assert.equal(res.status, status, `${what}: ${text}`);
      assert.ok(res.headers.get("content-type")?.startsWith(type), what);
      assert.equal(res.headers.get("content-encoding"), null, `${what} was compressed`);
      assert.match(res.headers.get("cache-control") ?? "", /no-transform/, what);
    }
  }
  await closeDb();
});
