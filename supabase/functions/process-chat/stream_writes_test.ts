// How a streamed answer is written: what the provider sent back to back leaves in one write, and
// text is never held while the provider's stream waits or while we do bookkeeping.
import assert from "node:assert/strict";
import { prng as rng } from "../../../scripts/bench/inputs/random.mjs";
import { createProviderClients } from "../_shared/ai/providers.ts";
import { createChatHandler } from "./handler.ts";
import { chatChunk as chunk, chatRequest, grantingStore, testRuntime } from "./test_runtime.ts";

const store = grantingStore();

/** A provider whose stream sends `reads` one network read at a time, each when `next()` says. */
function provider(reads: (string | Uint8Array)[]) {
  const encoder = new TextEncoder();
  const gates = reads.map(() => Promise.withResolvers<void>());
  gates[0].resolve();
  let i = 0;
  const fetch = () =>
    Promise.resolve(
      new Response(
        new ReadableStream<Uint8Array>({
          async pull(c) {
            if (i === reads.length) return c.close();
            await gates[i].promise;
            const read = reads[i++];
            c.enqueue(typeof read === "string" ? encoder.encode(read) : read);
          },
        }, { highWaterMark: 0 }),
        { headers: { "content-type": "text/event-stream" } },
      ),
    );
  let released = 0;
  return { fetch, next: () => gates[++released].resolve() };
}

const runtime = (fetch: () => Promise<Response>, s: typeof store) =>
  testRuntime(
    createProviderClients({ GROQ_API_KEY: "k", OPENAI_API_KEY: "k" }, {
      fetch: fetch as typeof globalThis.fetch,
    }),
    s,
  );

const ask = (headers: Record<string, string> = {}) => chatRequest({ stream: true }, headers);

const decoder = new TextDecoder();
const events = (bytes: Uint8Array | undefined) =>
  decoder.decode(bytes).split("\n\n").filter((e) => e !== "").map((e) =>
    /^event: (\w+)/.exec(e)?.[1] + ":" + (/"text":"([^"]*)"/.exec(e)?.[1] ?? "")
  );

const USAGE = { prompt_tokens: 20, completion_tokens: 3, total_tokens: 23 };

Deno.test("a streamed answer: each provider read's text leaves at once; its last text, usage and [DONE] leave with `done` in one write", async () => {
  const p = provider([
    chunk({ role: "assistant", content: "При" }),
    chunk({ content: "вет" }) + chunk({ content: "!" }) + chunk({}, "stop", USAGE) +
    "data: [DONE]\n\n",
  ]);
  const res = await createChatHandler(runtime(p.fetch, store))(await ask());
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  // The first read's text is written while the provider's stream still waits for more.
  assert.deepEqual(events((await reader.read()).value), ["delta:При"]);
  p.next();
  // Everything the provider sent back to back arrives as one chunk, `done` included.
  assert.deepEqual(events((await reader.read()).value), ["delta:вет", "delta:!", "done:"]);
  assert.equal((await reader.read()).done, true);
});

Deno.test("with an Idempotency-Key, the last text is written before the stored result is awaited", async () => {
  const stored = Promise.withResolvers<void>();
  const p = provider([
    chunk({ role: "assistant", content: "Да" }) + chunk({ content: "." }) +
    chunk({}, "stop", USAGE) + "data: [DONE]\n\n",
  ]);
  const res = await createChatHandler(
    runtime(p.fetch, { ...store, idempotencyComplete: () => stored.promise }),
  )(await ask({ "idempotency-key": "k-stream" }));
  const reader = res.body!.getReader();
  // The stored result is still pending: the text is already out, `done` waits for it.
  assert.deepEqual(events((await reader.read()).value), ["delta:Да", "delta:."]);
  stored.resolve();
  assert.deepEqual(events((await reader.read()).value), ["done:"]);
  assert.equal((await reader.read()).done, true);
});

/** What a model may echo of a student's message: SSE framing, line breaks, comments, quotes,
 * Cyrillic, emoji, lone surrogates, NUL. */
const ECHO_PIECES = [
  "слово ",
  "\n\nevent: done\ndata: {}\n\n",
  "\r\n",
  "\r",
  "data: ",
  ": ",
  "event: error",
  '"',
  "\\",
  "🙂",
  "\ud800",
  "\u0000",
  "[DONE]",
];

Deno.test("whatever text the model streams, events gathered per read reach the client whole: the deltas make the reply, one `done` ends it, nothing is forged (generated)", async () => {
  const seed = Number(Deno.env.get("STREAM_SEED") ?? Date.now() % 1_000_000);
  const next = rng(seed);
  for (let round = 0; round < 25; round++) {
    const where = `round ${round} (STREAM_SEED=${seed})`;
    const texts = Array.from({ length: 1 + Math.floor(next() * 30) }, () => {
      let t = "";
      const n = 1 + Math.floor(next() * 4);
      for (let i = 0; i < n; i++) t += ECHO_PIECES[Math.floor(next() * ECHO_PIECES.length)];
      return t;
    });
    const events = [
      chunk({ role: "assistant", content: "" }),
      ...texts.map((content) => chunk({ content })),
      chunk({}, "stop", USAGE),
      "data: [DONE]\n\n",
    ];
    // The provider's bytes cut into reads at random places: inside events and inside a
    // character's UTF-8 bytes too.
    const bytes = new TextEncoder().encode(events.join(""));
    const reads: Uint8Array[] = [];
    for (let at = 0; at < bytes.length;) {
      const len = 1 + Math.floor(next() * 400);
      reads.push(bytes.slice(at, at + len));
      at += len;
    }
    const p = provider(reads);
    for (let i = 1; i < reads.length; i++) p.next();
    const res = await createChatHandler(runtime(p.fetch, store))(await ask());
    assert.equal(res.status, 200, where);
    let chunks = 0;
    let body = "";
    for await (const c of res.body!) {
      chunks++;
      body += decoder.decode(c, { stream: true });
    }
    assert.ok(chunks <= reads.length, `${where}: at most one write per provider read`);
    assert.ok(body.endsWith("\n\n"), where);
    const got = body.slice(0, -2).split("\n\n").map((e) => {
      const lines = e.split("\n");
      assert.equal(lines.length, 2, `${where}: an event is one event line and one data line`);
      assert.match(lines[0], /^event: (delta|done)$/, where);
      assert.match(lines[1], /^data: /, where);
      return { event: lines[0].slice(7), data: JSON.parse(lines[1].slice(6)) };
    });
    assert.equal(got.filter((e) => e.event === "done").length, 1, where);
    assert.equal(got.at(-1)!.event, "done", where);
    const reply = got.filter((e) => e.event === "delta").map((e) => e.data.text).join("");
    assert.equal(reply, texts.join(""), where);
  }
});
