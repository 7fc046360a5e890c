#!/usr/bin/env node
// `npm run bench:cold`: process-chat's cold start, spawn → first answer, and where it goes.
// A fresh Deno 2.1 worker (function-host.ts, the arguments and environment the stack gives its
// workers — what `npm run bench:peer` times as "cold start") is asked one real chat request on its
// own port: an ES256 user token, a budget reservation (a cold worker's first one goes over the
// Data API: _shared/cold_store.ts), a call to the offline provider.
// Each round times one such plain start and one traced start (scripts/bench/cold/trace_host.ts),
// in alternating order. Printed:
//   - the median spawn → first 200 of the plain starts (the figure issue 26 sets at ≤ 250 ms), and
//     its two halves: spawn → "listening", listening → answer, with the answer's Server-Timing;
//   - from the traced starts, per phase: Deno's start (spawn → the host's first statement), each
//     module's load + evaluation (imported alone, dependencies first), the entry (createRuntime,
//     Deno.serve), then the first request: key import and signature check, the worker's Postgres
//     socket (TCP, ready, a reservation's round trip when one went over it), each fetch. The traced start is slower than a
//     plain one (a graph preparation per module); its phases say where, not the total.
// With --against <dir> (another checkout of this repository, e.g. `git worktree add /tmp/base main`
// and `npm ci` there), each round also starts that checkout's process-chat, in alternating order
// with this one's, against the same stack: a before/after on the same machine at the same moment.
// Usage: npm run bench:cold -- [--rounds 11] [--port 28321] [--no-trace | --trace-in-order]
//   [--against <dir>]
import { execFileSync, spawn } from "node:child_process";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import pg from "pg";
import {
  BENCH_API_PORT,
  BIN,
  PROFILES,
  readSupabaseConfig,
  ROOT,
  withSystemCa,
} from "../stack/config.mjs";
import { signUserJwt } from "../stack/jwt.mjs";
import { startStack } from "../stack/index.mjs";
import { workerArgs } from "../stack/workers.mjs";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const ROUNDS = opt("--rounds", 11);
const PORT = opt("--port", BENCH_API_PORT);
const TRACE = !args.includes("--no-trace");
const AGAINST = args.includes("--against") ? resolve(args[args.indexOf("--against") + 1]) : null;

/** The traced worker's line (trace_host.ts). */
const TRACE_LINE = "\u0001cold ";

const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const f1 = (n) => (Number.isFinite(n) ? n.toFixed(1) : "n/a");
const serverTiming = (h) =>
  Object.fromEntries(
    (h ?? "").split(",").map((s) => /([\w-]+);dur=([\d.]+)/.exec(s)).filter(
      Boolean,
    )
      .map((m) => [m[1], Number(m[2])]),
  );

/**
 * Spawns one worker and asks it one request as soon as it listens. Resolves with the epoch times
 * of spawn, "listening" and the answer, the response's Server-Timing and the trace line, if any.
 */
async function coldStart(argv, env, request) {
  const spawnAt = performance.timeOrigin + performance.now();
  const child = spawn(BIN.denoEdge, argv, {
    env,
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  let listenAt;
  child.stdout.on("data", (d) => {
    out += d;
    if (listenAt === undefined && /function listening on \d+/.test(out)) {
      listenAt = performance.timeOrigin + performance.now();
    }
  });
  child.stderr.on("data", (d) => (out += d));
  let exited = false;
  child.on("exit", () => (exited = true));
  try {
    for (;;) {
      if (exited) throw new Error(`the worker exited:\n${out.slice(-2000)}`);
      if (performance.timeOrigin + performance.now() - spawnAt > 30_000) {
        throw new Error(
          `the worker did not answer within 30 s:\n${out.slice(-2000)}`,
        );
      }
      const port = /function listening on (\d+)/.exec(out)?.[1];
      if (port) {
        const res = await fetch(`http://127.0.0.1:${port}/process-chat`, {
          method: "POST",
          headers: { ...request.headers, "content-type": "application/json" },
          body: request.body,
        });
        const text = await res.text();
        const answerAt = performance.timeOrigin + performance.now();
        if (res.status !== 200) {
          throw new Error(`answered ${res.status}: ${text.slice(0, 300)}`);
        }
        // The trace line is written before the response leaves the worker.
        for (
          let i = 0;
          i < 200 && request.traced && !out.includes(TRACE_LINE);
          i++
        ) {
          await new Promise((r) => setTimeout(r, 5));
        }
        const traceAt = out.indexOf(TRACE_LINE);
        const trace = traceAt < 0
          ? undefined
          : out.slice(traceAt + TRACE_LINE.length).split("\n")[0];
        return {
          spawnAt,
          listenAt,
          answerAt,
          timing: serverTiming(res.headers.get("server-timing")),
          trace: trace ? JSON.parse(trace) : undefined,
        };
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch { /* gone */ }
  }
}

/** The entry's module graph, dependencies first (what the traced worker imports). */
function moduleOrder(config, entrypoint) {
  const info = JSON.parse(
    execFileSync(BIN.denoEdge, [
      "info",
      "--json",
      "--no-lock",
      "--config",
      config,
      entrypoint,
    ], {
      cwd: ROOT,
      maxBuffer: 64 << 20,
      env: withSystemCa(process.env),
    }),
  );
  const bySpec = new Map(info.modules.map((m) => [m.specifier, m]));
  const redirect = (s) => info.redirects[s] ?? s;
  const order = [];
  const seen = new Set();
  const visit = (spec, root = false) => {
    spec = redirect(spec);
    if (seen.has(spec)) return;
    seen.add(spec);
    const m = bySpec.get(spec);
    if (spec.startsWith("file:")) {
      // The entry's own dynamic imports are part of its start; deeper ones are loaded when a
      // request needs them (zod for a refused request, supabase-js for the first ledger write)
      // and are left out.
      for (const d of m?.dependencies ?? []) {
        if (d.code && (root || !d.isDynamic)) visit(d.code.specifier);
      }
    }
    // An npm package is one unit (imported by its specifier); node: built-ins cost nothing.
    if (!spec.startsWith("node:")) order.push(spec.replace(/^npm:\//, "npm:"));
  };
  visit(info.roots[0], true);
  return order.slice(0, -1); // the entry itself is imported by function-host.ts
}

console.log(`starting a bench stack on ${PORT}…`);
const stack = await startStack({
  apiPort: PORT,
  dataDir: `${PROFILES.test.dataDir}-cold-${PORT}`,
  fresh: true,
  forceOffline: true,
  fast: false,
  seed: false,
  functionEnv: { AI_CONTROL_STORE: "postgres" },
});
const db = new pg.Client({ connectionString: stack.urls.db });
await db.connect();
try {
  const userId = crypto.randomUUID();
  await db.query(
    `insert into auth.users (id, aud, role, email) values ($1, 'authenticated', 'authenticated', $2)`,
    [userId, "cold@example.test"],
  );
  await db.query(
    `insert into ai_private.budget_limits (platform, period, user_id, limit_usd, note)
     values ('main','day',$1,1000000,'bench'), ('main','month',$1,1000000,'bench')`,
    [userId],
  );
  const now = Math.floor(Date.now() / 1000);
  const token = signUserJwt({
    sub: userId,
    role: "authenticated",
    aud: "authenticated",
    exp: now + 3600,
    iat: now,
  });
  const message = "Как посчитать конверсию лендинга, если было 1200 посетителей и 36 заявок?";
  const request = {
    headers: { authorization: `Bearer ${token}` },
    body: JSON.stringify({ platform: "main", message }),
  };
  const chat = readSupabaseConfig().functions.find((f) => f.slug === "process-chat");
  const env = withSystemCa({ ...stack.env, FUNCTION_PORT: "0" });
  const argv = (hostPath) =>
    workerArgs({
      config: chat.importMap,
      hostPath,
      entrypoint: chat.entrypoint,
      limits: stack.limits,
    });
  const plainArgv = argv(join(ROOT, "scripts/stack/function-host.ts"));
  // The other checkout's worker: its own host, entry and config, at the same relative paths.
  const there = (p) => join(AGAINST, relative(ROOT, p));
  // …and its own workerArgs (how that checkout's stack starts its workers).
  const againstArgs = AGAINST &&
    (await import(pathToFileURL(join(AGAINST, "scripts/stack/workers.mjs")).href)).workerArgs;
  const againstArgv = AGAINST &&
    againstArgs({
      config: there(chat.importMap),
      hostPath: there(join(ROOT, "scripts/stack/function-host.ts")),
      entrypoint: there(chat.entrypoint),
      limits: stack.limits,
    });
  const tracedArgv = argv(join(ROOT, "scripts/bench/cold/trace_host.ts"));
  const tracedEnv = {
    ...env,
    // --trace-in-order: the traced worker loads the function as a plain one does (no per-module
    // figures, but the first request's phases as they happen in a plain start).
    COLD_TRACE_MODULES: JSON.stringify(
      args.includes("--trace-in-order") ? [] : moduleOrder(chat.importMap, chat.entrypoint),
    ),
  };

  // One start of each untimed: Deno's caches (transpiled modules, V8 code cache) are then warm,
  // as they are for every worker after the first on a machine.
  await coldStart(plainArgv, env, request);
  if (TRACE) {
    await coldStart(tracedArgv, tracedEnv, { ...request, traced: true });
  }
  if (AGAINST) await coldStart(againstArgv, env, request);

  const plain = [];
  const traced = [];
  const against = [];
  for (let r = 0; r < ROUNDS; r++) {
    const runs = [
      async () => plain.push(await coldStart(plainArgv, env, request)),
    ];
    if (TRACE) {
      runs.push(async () =>
        traced.push(
          await coldStart(tracedArgv, tracedEnv, { ...request, traced: true }),
        )
      );
    }
    if (AGAINST) {
      runs.push(async () => against.push(await coldStart(againstArgv, env, request)));
    }
    // Rotate the order, so that no variant always meets a warmer or cooler machine.
    for (let i = 0; i < runs.length; i++) await runs[(r + i) % runs.length]();
    const p = plain.at(-1);
    const a = against.at(-1);
    console.log(
      `round ${r + 1}: ${f1(p.answerAt - p.spawnAt)} ms ` +
        `(listening ${f1(p.listenAt - p.spawnAt)}, answer ${f1(p.answerAt - p.listenAt)})` +
        (a ? `; --against ${f1(a.answerAt - a.spawnAt)} ms` : ""),
    );
  }

  console.log(
    `\nprocess-chat cold start, ${ROUNDS} fresh workers (Deno 2.1), medians:`,
  );
  const steps = [...new Set(plain.flatMap((p) => Object.keys(p.timing)))];
  console.log(
    `  spawn → listening ${f1(median(plain.map((p) => p.listenAt - p.spawnAt)))} ms, ` +
      `listening → answer ${f1(median(plain.map((p) => p.answerAt - p.listenAt)))} ms ` +
      `(Server-Timing: ${
        steps.map((s) => `${s} ${f1(median(plain.map((p) => p.timing[s])))}`)
          .join(", ")
      })`,
  );

  if (TRACE) {
    const med = (fn) => median(traced.map(fn));
    // A row whose event did not happen in these starts (e.g. no Postgres reservation, the first
    // request's going over the Data API) is left out.
    const row = (label, ms) =>
      Number.isFinite(ms) && console.log(`  ${label.padEnd(44)} ${f1(ms).padStart(7)} ms`);
    console.log(
      `\ntraced starts (${traced.length}), medians from spawn unless said:`,
    );
    row(
      "Deno 2.1 start → host's first statement",
      med((t) => t.trace.main - t.spawnAt),
    );
    row(
      "  of which before the isolate's time origin",
      med((t) => t.trace.origin - t.spawnAt),
    );
    row(
      "module graph, one module at a time (sum)",
      med((t) => t.trace.modulesDone - t.trace.main),
    );
    const names = traced[0].trace.modules.map(([n]) => n);
    const perModule = names.map((
      n,
      i,
    ) => [n, med((t) => t.trace.modules[i]?.[1])])
      .sort((a, b) => b[1] - a[1]);
    for (const [n, ms] of perModule.slice(0, 12)) row(`    ${n}`, ms);
    const rest = perModule.slice(12);
    row(
      `    ${rest.length} more modules`,
      rest.reduce((a, [, ms]) => a + ms, 0),
    );
    row(
      "function-host.ts + index.ts (createRuntime)",
      med((t) => t.trace.serve - t.trace.hostImport),
    );
    row(
      "listening → request arrives",
      med((t) => t.trace.request - t.trace.serve),
    );
    row(
      "first request, in the handler",
      med((t) => t.trace.response - t.trace.request),
    );
    // The Postgres socket. The reservation is the first write of 1 KB or more (db.ts pads its
    // statements to 1 KB; the handshake and the warm-up `select 1` are shorter); it is sent once
    // the connection is free, so the last answer before it is the warm-up's: the connection's
    // "ready".
    const pg = (t) => {
      const { connect, tcp, data, writes } = t.trace.net;
      const reserveAt = writes.find(([, bytes]) => bytes >= 1024)?.[0];
      const readyAt = data.filter((d) => d < (reserveAt ?? Infinity)).at(-1);
      return {
        begins: connect - t.trace.serve,
        tcp: tcp - connect,
        ready: readyAt - connect,
        readyAfterRequest: readyAt - t.trace.request,
        reservation: (data.find((d) => d > reserveAt) ?? NaN) - reserveAt,
      };
    };
    row("  Postgres: connect begins, after the serve", med((t) => pg(t).begins));
    row("  Postgres: TCP connected (from connect)", med((t) => pg(t).tcp));
    row("  Postgres: ready: auth, warm-up answered", med((t) => pg(t).ready));
    row("  Postgres: ready, after the request arrived", med((t) => pg(t).readyAfterRequest));
    row("  Postgres: the reservation's round trip", med((t) => pg(t).reservation));
    for (const name of ["importKey", "verify"]) {
      row(
        `  crypto.subtle.${name} (the first one)`,
        med((t) => {
          const c = t.trace.crypto.find(([n]) => n === name);
          return c ? c[2] - c[1] : NaN;
        }),
      );
    }
    const paths = [
      ...new Set(traced.flatMap((t) => t.trace.fetches.map(([p]) => p))),
    ];
    for (const p of paths) {
      row(
        `  fetch ${p}`,
        med((t) => {
          const f = t.trace.fetches.find(([q]) => q === p);
          return f ? f[2] - f[1] : NaN;
        }),
      );
    }
    const tsteps = [
      ...new Set(
        traced.flatMap((t) => Object.keys(serverTiming(t.trace.serverTiming))),
      ),
    ];
    for (const s of tsteps) {
      row(
        `  Server-Timing ${s}`,
        med((t) => serverTiming(t.trace.serverTiming)[s]),
      );
    }
    row("traced total, spawn → answer", med((t) => t.answerAt - t.spawnAt));
  }
  console.log(
    `\ncold start: median ${
      f1(median(plain.map((p) => p.answerAt - p.spawnAt)))
    } ms over ${ROUNDS} ` +
      `(min ${f1(Math.min(...plain.map((p) => p.answerAt - p.spawnAt)))}, max ${
        f1(Math.max(...plain.map((p) => p.answerAt - p.spawnAt)))
      })   (target ≤ 250 ms)`,
  );
  if (AGAINST) {
    const total = (xs) => median(xs.map((p) => p.answerAt - p.spawnAt));
    const aSteps = [...new Set(against.flatMap((p) => Object.keys(p.timing)))];
    console.log(
      `--against ${AGAINST}: median ${f1(total(against))} ms, spawn → listening ${
        f1(median(against.map((p) => p.listenAt - p.spawnAt)))
      } ms, listening → answer ${f1(median(against.map((p) => p.answerAt - p.listenAt)))} ms ` +
        `(Server-Timing: ${
          aSteps.map((s) => `${s} ${f1(median(against.map((p) => p.timing[s])))}`).join(", ")
        }); this checkout ÷ that one: ${(total(plain) / total(against)).toFixed(2)}`,
    );
  }
} finally {
  await db.end();
  await stack.stop();
}
