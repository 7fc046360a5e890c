#!/usr/bin/env node
// `npm run bench:transport`: what a provider call costs over each transport a worker can use, on
// Deno 2.1 (the line hosted runs functions on) against the offline provider. One Deno 2.1 process
// makes the curator's chat call through OpenAIHttpClient.postJson over `fetch` and over
// h1_transport.ts, interleaved call by call (order alternating), and prints p50/p95/p99 of each and
// the process's CPU per call (read from /proc in blocks of one transport at a time); then N calls
// in flight at once for each, as requests per second.
//   npm run bench:transport -- [--calls 3000] [--concurrency 16]
// With a real provider (the paid run that decides the transport on hosted's side of the wire;
// each call is one short chat answer, ~350 input and at most 16 output tokens, ~$0.0001 on gpt-oss-120b):
//   GROQ_API_KEY=… npm run bench:transport -- --base-url https://api.groq.com/openai/v1 --calls 100
//   (OPENAI_API_KEY for an api.openai.com URL; --model to choose another model)
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { BIN, ROOT } from "../stack/config.mjs";
import { runOnDenoEdge } from "./deno_edge.mjs";
import { providerKeyFor } from "./provider_key.mjs";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const text = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const real = text("--base-url");
const calls = opt("--calls", real ? 100 : 3000);
const concurrency = opt("--concurrency", real ? 4 : 16);
const model = text("--model") ?? "openai/gpt-oss-120b";

let baseURL = real;
let apiKey = "bench";
let provider = null;
if (real) {
  apiKey = providerKeyFor(real, "bench:transport");
  console.log(
    `against ${real} (${model}): ${calls * 2 + 10} calls, billed by the provider`,
  );
} else {
  const port = await new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  provider = spawn(BIN.deno, [
    "run",
    "-A",
    "--config",
    "deno.json",
    "scripts/offline-provider/main.ts",
    "--port",
    String(port),
  ], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((resolve, reject) => {
    provider.stdout.once("data", resolve);
    provider.once("exit", (code) => reject(new Error(`the offline provider exited (${code})`)));
  });
  baseURL = `http://127.0.0.1:${port}/openai/v1`;
}

const code = await runOnDenoEdge("scripts/bench/transport/client.ts", {
  BENCH_TRANSPORT: JSON.stringify({ baseURL, apiKey, model, calls, concurrency, real: !!real }),
});
provider?.kill("SIGTERM");
process.exit(code ?? 1);
