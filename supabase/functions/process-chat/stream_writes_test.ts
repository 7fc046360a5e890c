// How a streamed answer is written: what the provider sent back to back leaves in one write, and
// text is never held while the provider's stream waits or while we do bookkeeping.
import assert from "node:assert/strict";
import { createProviderClients } from "../_shared/ai/providers.ts";
import { createChatHandler } from "./handler.ts";
import { chatChunk as chunk, chatRequest, grantingStore, testRuntime } from "./test_runtime.ts";

const store = grantingStore();

/** A provider whose stream sends `reads` one network read at a time, each when `next()` says. */
function provider(reads: string[]) {
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
            c.enqueue(encoder.encode(reads[i++]));
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
