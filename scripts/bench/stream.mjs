#!/usr/bin/env node
// `npm run bench:stream`: what writing a streamed answer costs the worker, on Deno 2.1 (the line
// hosted runs functions on). process-chat writes the events of one provider read together
// (curator/stream.ts): a provider that sends k events per read costs about k times fewer writes.
// Offline, one Deno 2.1 process runs the chat handler behind Deno.serve with a provider whose
// 240-token answer arrives k events per read (k = 1, 2, 4, 16), reads every answer over a socket
// with fetch, and prints per answer the chunks the client received, the process's CPU and the
// wall time (client, server and handler share the process: the figures are the sum).
//   npm run bench:stream -- [--answers 200] [--tokens 240]
// With a real provider — the paid run that says which k hosted sees (each call one answer of at
// most 300 tokens, under $0.001 on gpt-oss-120b) — it prints how many events arrive per read when
// a worker reads the provider's stream with fetch, as process-chat does:
//   GROQ_API_KEY=… npm run bench:stream -- --base-url https://api.groq.com/openai/v1 --calls 20
//   (OPENAI_API_KEY for an api.openai.com URL; --model to choose another model)
import { runOnDenoEdge } from "./deno_edge.mjs";
import { providerKeyFor } from "./provider_key.mjs";

const args = process.argv.slice(2);
const text = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const num = (name, dflt) => (text(name) === undefined ? dflt : Number(text(name)));
const real = text("--base-url");
const apiKey = real ? providerKeyFor(real, "bench:stream") : "";
const config = {
  answers: num("--answers", 200),
  tokens: num("--tokens", 240),
  calls: num("--calls", 20),
  model: text("--model") ?? "openai/gpt-oss-120b",
  baseURL: real ?? null,
  apiKey,
};
process.exit(
  await runOnDenoEdge("scripts/bench/stream/writes.ts", { BENCH_STREAM: JSON.stringify(config) }),
);
