#!/usr/bin/env node
// `npm run bench:gateway`: what the local gateway's hop costs. A stack with the echo fixture
// function (tests/stack/fixtures/echo.ts, verify_jwt on) answers N sequential requests twice,
// interleaved: straight to the worker's Unix socket, and through the gateway with a user's ES256
// token (verified by the gateway, as hosted's verify_jwt does). Prints the hop (gateway minus
// direct) at p50/p95 and the gateway process's CPU per request.
//
// CPU is counted honestly: the client runs in its own process (a worker thread would share this
// process's CPU counters, V8's GC threads included, and `process.cpuUsage()` in a thread is the
// whole process's), so this process's CPU is the stack's alone. From it the bench subtracts
// what the stack spends with no request at all (the supervisor's /proc polls, per ms of wall
// clock) and what it spends when requests go straight to the worker (the worker's memory
// reports, per request), measured in phases of their own; the rest is the gateway's.
//   npm run bench:gateway -- [--requests 3000] [--port 28321]
import { spawn } from "node:child_process";
import { join } from "node:path";
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

// The client, in its own process: it times each request and tells the parent when each phase
// starts and ends (the parent reads its own CPU at each mark).
const CLIENT = `
import http from "node:http";
const { gateway, socketPath, token, n } = JSON.parse(process.env.BENCH_CLIENT);
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
const mark = (phase) => new Promise((resolve) => { process.once("message", resolve); process.send({ phase }); });
for (let i = 0; i < 200; i++) { await send(true); await send(false); }
const direct = [], gw = [];
await mark("interleaved");
for (let i = 0; i < n; i++) { direct.push(await send(true)); gw.push(await send(false)); }
await mark("direct");
for (let i = 0; i < n; i++) await send(true);
await mark("done");
process.send({ direct, gw });
process.disconnect();
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
  const cpuMs = () => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1000;
  };
  // Marks: [wall ms, this process's CPU ms] at the start of each phase.
  const marks = {};
  const result = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", CLIENT], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      env: {
        ...process.env,
        BENCH_CLIENT: JSON.stringify({ gateway: stack.ports.api, socketPath, token, n: N }),
      },
    });
    child.on("message", (m) => {
      if (m.phase) {
        marks[m.phase] = [performance.now(), cpuMs()];
        child.send("go");
      } else resolve(m);
    });
    child.once("error", reject);
    child.once("exit", (code) => code && reject(new Error(`bench client exited ${code}`)));
  });
  // What the stack spends with no request at all (the supervisor's /proc polls), per ms.
  const idle0 = [performance.now(), cpuMs()];
  await new Promise((r) => setTimeout(r, 3000));
  const idleMsPerMs = (cpuMs() - idle0[1]) / (performance.now() - idle0[0]);
  const span = (a, b) => [marks[b][0] - marks[a][0], marks[b][1] - marks[a][1]];
  const [wallMs, interleavedCpuMs] = span("interleaved", "direct");
  const [directWallMs, directCpuMs] = span("direct", "done");
  // The stack's own share of a request straight to the worker (its memory reports), per request.
  const backgroundMs = Math.max(0, directCpuMs - idleMsPerMs * directWallMs) / N;
  const gatewayUs = (1000 * (interleavedCpuMs - idleMsPerMs * wallMs - backgroundMs * N)) / N;
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
    `  gateway CPU per request  ${gatewayUs.toFixed(0)} µs (the stack process, less its idle ${
      (idleMsPerMs * 1000).toFixed(0)
    } µs/ms and ${
      (backgroundMs * 1000).toFixed(0)
    } µs per direct request; client in its own process)`,
  );
  console.log(
    `gateway hop: p50 ${hop50.toFixed(3)} ms p95 ${hop95.toFixed(3)} ms   (target p50 < 0.5 ms)`,
  );
} finally {
  await stack.stop();
}
