#!/usr/bin/env node
// `npm run bench:transport`: what a provider call costs over each transport a worker can use, on
// Deno 2.1 (the line hosted runs functions on) against the offline provider. One Deno 2.1 process
// makes the curator's chat call through OpenAIHttpClient.postJson over `fetch` and over
// h1_transport.ts, interleaved call by call (order alternating), and prints p50/p95/p99 of each and
// the process's CPU per call (read from /proc in blocks of one transport at a time); then N calls
// in flight at once for each, as requests per second.
//   npm run bench:transport -- [--calls 3000] [--concurrency 16]
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { BIN, ROOT } from "../stack/config.mjs";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const calls = opt("--calls", 3000);
const concurrency = opt("--concurrency", 16);

const port = await new Promise((resolve) => {
  const s = createServer().listen(0, "127.0.0.1", () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const provider = spawn(BIN.deno, [
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

const client = spawn(BIN.denoEdge, [
  "run",
  "-A",
  "--no-check",
  "--no-lock",
  "--config",
  "deno.json",
  join(ROOT, "scripts/bench/transport/client.ts"),
], {
  cwd: ROOT,
  stdio: ["ignore", "inherit", "inherit"],
  env: {
    ...process.env,
    BENCH_TRANSPORT: JSON.stringify({
      baseURL: `http://127.0.0.1:${port}/openai/v1`,
      calls,
      concurrency,
    }),
  },
});
const code = await new Promise((resolve) => client.on("close", resolve));
provider.kill("SIGTERM");
process.exit(code ?? 1);
