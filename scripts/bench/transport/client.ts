// The client of `npm run bench:transport` (scripts/bench/transport.mjs), run on Deno 2.1.
import { OpenAIHttpClient } from "../../../supabase/functions/_shared/ai/openai_http.ts";
import { createH1Transport } from "../../../supabase/functions/_shared/ai/h1_transport.ts";

const { baseURL, apiKey, model, calls, concurrency, real } = JSON.parse(
  Deno.env.get("BENCH_TRANSPORT")!,
);
// What the curator sends for a short question (a system prompt, one user turn), as process-chat.
const body = {
  model,
  messages: [
    { role: "system", content: "Ты — куратор онлайн-школы. ".repeat(40) },
    { role: "user", content: "Как сдать домашнее задание по третьему модулю?" },
  ],
  // Against a real provider the answer is kept short: what is measured is the transport.
  max_completion_tokens: real ? 16 : 512,
};
const h1 = createH1Transport();
const clients: Record<string, OpenAIHttpClient> = {
  fetch: new OpenAIHttpClient({ apiKey, baseURL, fetch: globalThis.fetch }),
  h1: new OpenAIHttpClient({ apiKey, baseURL, fetch: h1 }),
};
const names = Object.keys(clients);
const call = (name: string) => clients[name].postJson("/chat/completions", body);

/** User + system CPU of this process, in ms (clock ticks of 10 ms). */
function cpuMs(): number {
  const fields = Deno.readTextFileSync("/proc/self/stat").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};

// Warm-up: JIT, connections (against a real provider, only the connections).
for (let i = 0; i < (real ? 5 : 300); i++) for (const n of names) await call(n);

// Latency: one call at a time, interleaved, 1 ms apart (a worker's calls are not back to back).
const times: Record<string, number[]> = { fetch: [], h1: [] };
for (let i = 0; i < calls; i++) {
  for (const n of i % 2 ? names : [...names].reverse()) {
    const t0 = performance.now();
    await call(n);
    times[n].push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 1));
  }
}
// CPU: blocks of 100 back-to-back calls on one transport, alternating.
const cpu: Record<string, { ms: number; n: number }> = {
  fetch: { ms: 0, n: 0 },
  h1: { ms: 0, n: 0 },
};
for (let b = 0; b < (real ? 0 : Math.max(10, Math.round(calls / 100))); b++) {
  const n = names[b % 2];
  const c0 = cpuMs();
  for (let i = 0; i < 100; i++) await call(n);
  cpu[n].ms += cpuMs() - c0;
  cpu[n].n += 100;
}
// Throughput: `concurrency` calls in flight for 3 s on each, twice, alternating.
const rps: Record<string, number[]> = { fetch: [], h1: [] };
for (let round = 0; round < (real ? 0 : 4); round++) {
  const n = names[round % 2];
  let done = 0;
  const until = performance.now() + 3000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        await call(n);
        done++;
      }
    }),
  );
  rps[n].push(done / 3);
}

console.log(`provider call (curator's chat request, ${calls} each, Deno ${Deno.version.deno}):`);
for (const n of names) {
  const t = times[n];
  const latency = `p50 ${q(t, 0.5).toFixed(3)} ms  p95 ${q(t, 0.95).toFixed(3)} ms  p99 ${
    q(t, 0.99).toFixed(3)
  } ms`;
  const load = real
    ? ""
    : `  CPU ${(1000 * cpu[n].ms / cpu[n].n).toFixed(0)} µs/call  ${
      Math.round(rps[n].reduce((a, b) => a + b, 0) / rps[n].length)
    } calls/s at ${concurrency} in flight`;
  console.log(`  ${n.padEnd(6)} ${latency}${load}`);
}
console.log(
  `  h1 ÷ fetch: p50 ${(q(times.h1, 0.5) / q(times.fetch, 0.5)).toFixed(2)}, p95 ${
    (q(times.h1, 0.95) / q(times.fetch, 0.95)).toFixed(2)
  }; connections opened by h1: ${h1.stats.connects}, reused ${h1.stats.reuses}`,
);
h1.closeIdle();
Deno.exit(0);
