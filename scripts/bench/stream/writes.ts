// The Deno 2.1 side of `npm run bench:stream` (scripts/bench/stream.mjs).
import { OpenAIHttpClient } from "../../../supabase/functions/_shared/ai/openai_http.ts";
import { createProviderClients } from "../../../supabase/functions/_shared/ai/providers.ts";
import { createChatHandler } from "../../../supabase/functions/process-chat/handler.ts";
import {
  chatChunk as chunk,
  grantingStore,
  testRuntime,
} from "../../../supabase/functions/process-chat/test_runtime.ts";
import { studentToken } from "../../../supabase/functions/process-chat/test_token.ts";
import { median, percentile } from "../peer/interval.mjs";

const { answers, tokens, calls, model, baseURL, apiKey } = JSON.parse(
  Deno.env.get("BENCH_STREAM")!,
);

if (baseURL) {
  // The paid run: how many events of a real stream arrive per read, read as the worker reads it.
  const client = new OpenAIHttpClient({ apiKey, baseURL });
  const perRead: number[] = [];
  const perAnswer: number[] = [];
  console.log(`against ${baseURL} (${model}): ${calls} streamed answers, billed by the provider`);
  for (let i = 0; i < calls; i++) {
    let n = 0;
    let reads = 0;
    let events = 0;
    const stream = await client.postJsonStream("/chat/completions", {
      model,
      stream: true,
      max_completion_tokens: 300,
      messages: [
        { role: "system", content: "Ты — куратор онлайн-школы. Отвечай по-русски." },
        { role: "user", content: "Объясни, что такое ROI и как его посчитать, на примере." },
      ],
    }, {
      onWait: () => {
        if (n > 0) {
          perRead.push(n);
          reads++;
        }
        n = 0;
      },
    });
    for await (const _ of stream) {
      n++;
      events++;
    }
    if (n > 0) {
      perRead.push(n);
      reads++;
    }
    perAnswer.push(events / Math.max(1, reads));
  }
  const many = perRead.filter((k) => k > 1).length;
  console.log(
    `events per read: median ${median(perRead)}, p90 ${percentile(perRead, 90)}, max ${
      Math.max(...perRead)
    }; ${many} of ${perRead.length} reads carried more than one event`,
  );
  console.log(
    `events per read, per answer: median ${median(perAnswer).toFixed(2)} (process-chat writes ` +
      `the events of one read as one chunk: that many events per chunk; the offline run, without ` +
      `--base-url, shows what each row saves)`,
  );
  Deno.exit(0);
}

// Offline: the chat handler behind Deno.serve, a provider answer arriving k events per read.
const events = [chunk({ role: "assistant", content: "" })];
for (let i = 0; i < tokens; i++) events.push(chunk({ content: "слово " }));
events.push(
  chunk({}, "stop", { prompt_tokens: 20, completion_tokens: tokens, total_tokens: 20 + tokens }) +
    "data: [DONE]\n\n",
);
const encoder = new TextEncoder();
const readsOf = (k: number) => {
  const out: Uint8Array[] = [];
  for (let i = 0; i < events.length; i += k) {
    out.push(encoder.encode(events.slice(i, i + k).join("")));
  }
  return out;
};
let reads: Uint8Array[] = [];
const providerFetch = () => {
  const mine = reads;
  let i = 0;
  return Promise.resolve(
    new Response(
      new ReadableStream<Uint8Array>({
        pull(c) {
          if (i === mine.length) return c.close();
          c.enqueue(mine[i++]);
        },
      }, { highWaterMark: 0 }),
      { headers: { "content-type": "text/event-stream" } },
    ),
  );
};
const rt = testRuntime(
  createProviderClients({ GROQ_API_KEY: "k", OPENAI_API_KEY: "k" }, {
    fetch: providerFetch as typeof fetch,
  }),
  grantingStore(),
);
const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, createChatHandler(rt));
const token = await studentToken();
const body = JSON.stringify({ platform: "main", message: "Привет", stream: true });
async function answer(): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${server.addr.port}/`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body,
  });
  let chunks = 0;
  for await (const _ of res.body!) chunks++;
  return chunks;
}
/** User + system CPU of this process, in ms (clock ticks of 10 ms). */
function cpuMs(): number {
  const fields = Deno.readTextFileSync("/proc/self/stat").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const ks = [1, 2, 4, 16];
const rows: Record<number, { chunks: number; cpu: number[]; wall: number[] }> = {};
for (const k of ks) rows[k] = { chunks: 0, cpu: [], wall: [] };
reads = readsOf(1);
for (let i = 0; i < 50; i++) await answer(); // warm-up
const BLOCK = Math.max(1, Math.round(answers / 4));
for (let block = 0; block < 4; block++) {
  for (const k of block % 2 ? [...ks].reverse() : ks) {
    reads = readsOf(k);
    const c0 = cpuMs();
    const t0 = performance.now();
    let chunks = 0;
    for (let i = 0; i < BLOCK; i++) chunks += await answer();
    rows[k].wall.push((performance.now() - t0) / BLOCK);
    rows[k].cpu.push((cpuMs() - c0) / BLOCK);
    rows[k].chunks = chunks / BLOCK;
  }
}
console.log(
  `a ${tokens}-token answer (${events.length} provider events), ${BLOCK * 4} answers per row, ` +
    `Deno ${Deno.version.deno}; medians of 4 blocks`,
);
console.log("events per provider read   chunks to the client   CPU per answer   wall per answer");
for (const k of ks) {
  const r = rows[k];
  console.log(
    `${String(k).padStart(23)}   ${r.chunks.toFixed(0).padStart(20)}   ${
      median(r.cpu).toFixed(2).padStart(11)
    } ms   ${median(r.wall).toFixed(2).padStart(12)} ms`,
  );
}
await server.shutdown();
Deno.exit(0);
