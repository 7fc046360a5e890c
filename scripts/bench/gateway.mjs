#!/usr/bin/env node
// `npm run bench:gateway`: what the local gateway's hop costs. A stack with the echo fixture
// function (tests/stack/fixtures/echo.ts, verify_jwt on) answers N sequential requests twice,
// interleaved: straight to the worker's Unix socket, and through the gateway with a user's ES256
// token (verified by the gateway, as hosted's verify_jwt does). Prints the hop (gateway minus
// direct) at p50/p95 and the gateway process's CPU per request (the bench's own client runs in a
// worker thread, so its CPU is subtracted by measuring it alone, and so is the supervisor's idle
// polling).
//   npm run bench:gateway -- [--requests 3000] [--port 28321]
import http from "node:http";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { BENCH_API_PORT, PROFILES, ROOT } from "../stack/config.mjs";
import { signUserJwt } from "../stack/jwt.mjs";
import { startStack } from "../stack/index.mjs";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const N = opt("--requests", 3000);
const PORT = opt("--port", BENCH_API_PORT);

// The client, in its own thread: it times each request and reports its own CPU.
const CLIENT = `
import http from "node:http";
import { parentPort, workerData } from "node:worker_threads";
const { gateway, socketPath, token, n } = workerData;
const agents = { gw: new http.Agent({ keepAlive: true, maxSockets: 1 }), direct: new http.Agent({ keepAlive: true, maxSockets: 1 }) };
const body = JSON.stringify({ hello: "world" });
const send = (direct) => new Promise((resolve, reject) => {
  const t0 = performance.now();
  const req = http.request({
    ...(direct ? { socketPath, path: "/stack-fixture" } : { host: "127.0.0.1", port: gateway, path: "/functions/v1/stack-fixture" }),
    method: "POST", agent: direct ? agents.direct : agents.gw,
    headers: { authorization: "Bearer " + token, "content-type": "application/json", "content-length": body.length },
  }, (res) => { res.resume(); res.on("end", () => res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error("status " + res.statusCode))); });
  req.on("error", reject);
  req.end(body);
});
for (let i = 0; i < 200; i++) { await send(true); await send(false); }
const direct = [], gw = [];
for (let i = 0; i < n; i++) { direct.push(await send(true)); gw.push(await send(false)); }
// The client's own CPU for n requests straight to the worker (subtracted from the process's).
const c0 = process.cpuUsage();
for (let i = 0; i < n; i++) await send(true);
const c1 = process.cpuUsage(c0);
parentPort.postMessage({ direct, gw, clientCpuUsPerRequest: (c1.user + c1.system) / n });
`;

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

console.log(`starting a bench stack on ${PORT}…`);
const stack = await startStack({
  apiPort: PORT,
  dataDir: `${PROFILES.test.dataDir}-gateway-${PORT}`,
  fresh: true,
  forceOffline: true,
  fast: true,
  seed: false,
  extraFunctions: [{
    slug: "stack-fixture",
    verifyJwt: true,
    entrypoint: join(ROOT, "tests/stack/fixtures/echo.ts"),
  }],
});
try {
  const now = Math.floor(Date.now() / 1000);
  const token = signUserJwt({
    sub: crypto.randomUUID(),
    role: "authenticated",
    aud: "authenticated",
    exp: now + 3600,
  });
  const socketPath = stack.functions.find((f) => f.slug === "stack-fixture").socketPath;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await new Promise((resolve, reject) => {
    const w = new Worker(CLIENT, {
      eval: true,
      workerData: { gateway: stack.ports.api, socketPath, token, n: N },
    });
    w.once("message", resolve);
    w.once("error", reject);
  });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  // What the process spends with no request at all (the supervisor's /proc polls), per ms.
  const idle0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, 3000));
  const idle = process.cpuUsage(idle0);
  const idleUsPerMs = (idle.user + idle.system) / 3000;
  // This process ran the gateway and the client: 200 + N + N + N requests reached the worker,
  // 200 + N of them through the gateway.
  const clientUs = result.clientCpuUsPerRequest * (200 * 2 + N * 3);
  const gatewayUs = (cpu.user + cpu.system - clientUs - idleUsPerMs * wallMs) / (200 + N);
  const hop50 = pct(result.gw, 50) - pct(result.direct, 50);
  const hop95 = pct(result.gw, 95) - pct(result.direct, 95);
  console.log(`${N} sequential requests each way, interleaved (${(wallMs / 1000).toFixed(1)} s):`);
  console.log(
    `  straight to the worker   p50 ${pct(result.direct, 50).toFixed(3)} ms  p95 ${
      pct(result.direct, 95).toFixed(3)
    } ms`,
  );
  console.log(
    `  through the gateway      p50 ${pct(result.gw, 50).toFixed(3)} ms  p95 ${
      pct(result.gw, 95).toFixed(3)
    } ms`,
  );
  console.log(
    `  gateway CPU per request  ${
      gatewayUs.toFixed(0)
    } µs (this process minus its client thread and its idle polling)`,
  );
  console.log(
    `gateway hop: p50 ${hop50.toFixed(3)} ms p95 ${hop95.toFixed(3)} ms   (target p50 < 0.5 ms)`,
  );
} finally {
  http.globalAgent.destroy();
  await stack.stop();
}
