#!/usr/bin/env node
// `npm run bench:files`: what one process-file-upload request costs, per input class, against
// hosted Supabase's per-worker limits (256 MB memory, 2 s CPU; our target with margin: 200 MB,
// 1.5 s). It measures the worker process itself, not the stack's supervisor: it starts the
// function exactly as scripts/stack/index.mjs does (Deno 2.1, function-host.ts, the stack's
// environment), sends multipart requests straight to that worker's port, and reads the worker's
// CPU (utime + stime) and memory (VmRSS polled every ~5 ms, and VmHWM) from /proc. Nothing kills
// the worker for going over a limit, so every number is the real one; the bench only stops a worker
// past --timeout or --rss-cap-mb, so that it ends by itself on a small machine.
//
// Pass 1: every input on a fresh worker (its first request). Pass 2: the accepted inputs in a
// mixed order, --mixed requests on one worker, with the RSS after each (does it grow?).
// Postgres, PostgREST and the offline provider come from startStack on port block 28321…, like
// `npm run bench`, so it runs beside `npm start` and `npm test`.
// Pass 3 ("two students at once"): on one worker, one student sends three hostile uploads in
// parallel, twice, while a second student sends small text files on three threads; each request
// is charged the worker's CPU while it is in flight (the supervisor's rule), and the second
// student must see no failure.
// It exits 2 when a row FAILs: an answer other than its input's `expect` (and `code`), or a
// request past hosted's limits.
//   npm run bench:files -- [--json] [--only photo-12mp,pdf-50] [--mixed 24] [--timeout 60]
//                          [--rss-cap-mb 2048] [--port 28321] [--gateway] [--no-two-students]
import { execFileSync } from "node:child_process";
import http from "node:http";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import {
  BENCH_API_PORT,
  BIN,
  PROFILES,
  readSupabaseConfig,
  ROOT,
  withSystemCa,
} from "../stack/config.mjs";
import { handleSignals, startStack } from "../stack/index.mjs";
import { signJwt } from "../stack/jwt.mjs";
import { startProcess } from "../stack/processes.mjs";
import { HOSTED_LIMITS, memoryLineMb, workerArgs } from "../stack/workers.mjs";
import { ensureInputs, INPUTS } from "./inputs/index.mjs";
import { prng } from "./inputs/random.mjs";
import { LIMITS, TARGET, verdict, within } from "./verdict.mjs";

const SLUG = "process-file-upload";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const JSON_OUT = args.includes("--json");
const PORT = Number(opt("--port", BENCH_API_PORT));
const TIMEOUT_MS = Number(opt("--timeout", 60)) * 1000;
const RSS_CAP_MB = Number(opt("--rss-cap-mb", 2048));
const MIXED = Number(opt("--mixed", 24));
const ONLY = opt("--only", "")?.split(",").filter(Boolean) ?? [];
const GATEWAY = args.includes("--gateway");
const TWO_STUDENTS = !args.includes("--no-two-students");
const CACHE_DIR = join(ROOT, ".local/bench-files");

const log = (line) => process.stderr.write(`${line}\n`);
const CLK_TCK = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system, all threads) the process has used, in ms; null once it is gone. */
function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
  } catch {
    return null;
  }
}

/** VmRSS and VmHWM in MB; null once the process is gone. */
function memory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
    return { rssMb: kb("VmRSS") / 1024, hwmMb: kb("VmHWM") / 1024 };
  } catch {
    return null;
  }
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0), so it becomes this request's peak. */
function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

const workers = new Set();

/** Starts process-file-upload as the stack starts a function worker; resolves once it listens. */
async function startWorker(env, fn) {
  let resolveListening;
  const listening = new Promise((r) => (resolveListening = r));
  let worker = null;
  const proc = startProcess(
    `bench ${SLUG}`,
    BIN.denoEdge,
    workerArgs({
      config: fn.importMap,
      hostPath: join(ROOT, "scripts/stack/function-host.ts"),
      entrypoint: fn.entrypoint,
      limits: HOSTED_LIMITS,
    }),
    {
      env: withSystemCa({ ...env, FUNCTION_PORT: "0" }),
      cwd: ROOT,
      onLine: (l) => {
        const reported = memoryLineMb(l);
        if (reported !== null) {
          if (worker) {
            worker.memoryMb = reported;
            worker.peakMemoryMb = Math.max(worker.peakMemoryMb, reported);
          }
          return;
        }
        if (worker) worker.lines++;
        const m = /^function listening on (\d+)$/.exec(l);
        if (m) resolveListening(Number(m[1]));
      },
    },
  );
  worker = {
    pid: proc.pid,
    port: 0,
    lines: 0,
    /** Used heap + external memory as the worker reports it (hosted's measure), and its peak. */
    memoryMb: 0,
    peakMemoryMb: 0,
    proc,
    kill() {
      try {
        process.kill(-proc.pid, "SIGKILL");
      } catch { /* gone */ }
    },
    async stop() {
      workers.delete(worker);
      await proc.stop(3000);
    },
  };
  workers.add(worker);
  const t0 = performance.now();
  const timer = setTimeout(() => resolveListening(null), 60000);
  worker.port = await Promise.race([listening, proc.exitPromise.then(() => null)]);
  clearTimeout(timer);
  if (!worker.port) {
    await worker.stop();
    throw new Error(`the worker did not start:\n${proc.tail.slice(-20).join("\n")}`);
  }
  worker.startMs = performance.now() - t0;
  // Let the start-up settle (JIT threads, GC) so it is not counted in the first request.
  await new Promise((r) => setTimeout(r, 300));
  return worker;
}

function multipart(input, bytes) {
  const boundary = `----bench${Math.random().toString(16).slice(2)}`;
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="platform"\r\n\r\nmain\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${input.name}"\r\n` +
    `Content-Type: ${input.mime}\r\n\r\n`;
  const body = Buffer.concat([
    Buffer.from(head),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}

/** POSTs the form; resolves `{ status, body }` or `{ error }` (timeout, connection reset). */
function post(url, headers, form, timeoutMs) {
  return new Promise((resolve) => {
    const u = new URL(url);
    let settled = false;
    const done = (r) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolve(r);
      }
    };
    const req = http.request({
      host: u.hostname,
      port: u.port,
      path: u.pathname,
      method: "POST",
      headers: { ...headers, "content-type": form.type, "content-length": form.body.length },
    }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => done({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
      res.on("error", (e) => done({ error: e.code ?? e.message }));
    });
    const timer = setTimeout(() => {
      done({ error: "timeout" });
      req.destroy();
    }, timeoutMs);
    req.on("error", (e) => done({ error: e.code ?? e.message }));
    req.end(form.body);
  });
}

function errorCode(body) {
  try {
    return JSON.parse(body)?.error?.code ?? null;
  } catch {
    return null;
  }
}

/**
 * One request to `worker`, measured from the outside: wall time, the worker's CPU during the
 * request, its peak RSS (polled, and VmHWM reset just before), and its RSS once it settles.
 */
async function measure(worker, input, token) {
  const bytes = readFileSync(input.path);
  const form = multipart(input, bytes);
  const pid = worker.pid;
  const hwmReset = resetPeak(pid);
  const before = memory(pid);
  const cpu0 = cpuMs(pid);
  let cpuLast = cpu0;
  let peak = before?.rssMb ?? 0;
  let stopped = null;
  const poll = setInterval(() => {
    const m = memory(pid);
    const c = cpuMs(pid);
    if (c !== null) cpuLast = c;
    if (!m) return;
    peak = Math.max(peak, m.rssMb);
    if (m.rssMb > RSS_CAP_MB && !stopped) {
      stopped = `stopped by the bench at RSS > ${RSS_CAP_MB} MB`;
      worker.kill();
    }
  }, 5);
  const logFrom = worker.lines;
  worker.peakMemoryMb = worker.memoryMb;
  const t0 = performance.now();
  const res = await post(
    `http://127.0.0.1:${worker.port}/${SLUG}`,
    {
      authorization: `Bearer ${token}`,
    },
    form,
    TIMEOUT_MS,
  );
  const wallMs = performance.now() - t0;
  clearInterval(poll);
  const cpu1 = cpuMs(pid) ?? cpuLast;
  const after = memory(pid);
  if (after) peak = Math.max(peak, after.rssMb, hwmReset ? after.hwmMb : 0);
  if (res.error === "timeout") {
    stopped = `stopped by the bench after ${TIMEOUT_MS / 1000} s`;
    worker.kill();
  }
  await new Promise((r) => setTimeout(r, 100)); // background ledger writes
  const settled = memory(pid);
  const alive = settled !== null && !worker.proc.exited;
  return {
    input: input.id,
    label: input.label,
    expect: input.expect,
    expectCode: input.code,
    fileBytes: input.bytes,
    status: res.status ?? null,
    code: res.status && res.status !== 200 ? errorCode(res.body) : null,
    error: stopped ?? (res.error ? `no answer: ${res.error}` : null),
    workerAlive: alive && !stopped,
    wallMs: Math.round(wallMs),
    cpuMs: cpu0 === null ? null : Math.round(cpu1 - cpu0),
    memoryBeforeMb: round1(worker.memoryMb),
    peakMemoryMb: round1(worker.peakMemoryMb),
    rssBeforeMb: round1(before?.rssMb),
    peakRssMb: round1(peak),
    rssAfterMb: alive ? round1(settled.rssMb) : null,
    memoryAfterMb: alive ? round1(worker.memoryMb) : null,
    // What the worker printed during the request (its error log on a 500), last lines only.
    workerLog: worker.proc.tail.slice(-Math.min(worker.lines - logFrom, 100)).slice(-6),
  };
}

const round1 = (x) => (x === undefined || x === null ? null : Math.round(x * 10) / 10);

/** File sizes in decimal units, as a phone or a file manager shows them. */
const size = (bytes) =>
  bytes < 1e6 ? `${Math.round(bytes / 1e3)} kB` : `${(bytes / 1e6).toFixed(1)} MB`;
const yn = (v) => (v === null ? "–" : v ? "yes" : "**no**");
const statusCell = (r) => r.status === null ? "–" : `${r.status}${r.code ? ` ${r.code}` : ""}`;

function freshTable(rows) {
  const out = [
    `| input | file | status / code | wall ms | CPU ms | peak heap+ext MB | idle RSS MB | peak RSS MB | ≤ 2 s / 256 MB | ≤ 1.5 s / 200 MB | verdict |`,
    `|---|--:|---|--:|--:|--:|--:|--:|:-:|:-:|---|`,
  ];
  for (const r of rows) {
    out.push(
      `| ${r.label} | ${size(r.fileBytes)} | ${statusCell(r)} | ${r.wallMs} | ${r.cpuMs ?? "–"} | ${
        r.peakMemoryMb ?? "–"
      } | ${r.rssBeforeMb ?? "–"} | ${r.peakRssMb ?? "–"} | ${yn(within(r, LIMITS))} | ${
        yn(within(r, TARGET))
      } | ${r.verdict} |`,
    );
  }
  return out.join("\n");
}

function mixedTable(rows) {
  const out = [
    `| # | input | status / code | wall ms | CPU ms | peak heap+ext MB | peak RSS MB | RSS after MB | verdict |`,
    `|--:|---|---|--:|--:|--:|--:|--:|---|`,
  ];
  rows.forEach((r, i) => {
    out.push(
      `| ${i + 1} | ${r.input}${r.restarted ? " (new worker)" : ""} | ${
        statusCell(r)
      } | ${r.wallMs} | ${r.cpuMs ?? "–"} | ${r.peakMemoryMb ?? "–"} | ${r.peakRssMb ?? "–"} | ${
        r.rssAfterMb ?? "–"
      } | ${r.verdict} |`,
    );
  });
  return out.join("\n");
}

/**
 * Does the worker keep memory from one request to the next? The heap + external memory (hosted's
 * measure) after each request, averaged per round (each accepted input once per round): the first
 * round climbs from idle as the libraries load, so growth is the last round against the second
 * (the first when there are two).
 */
function growth(rows, roundSize) {
  const after = rows.map((r) => r.memoryAfterMb).filter((x) => x !== null);
  if (rows.some((r) => r.restarted) || after.length < rows.length) {
    return { verdict: "worker restarted or died during the pass: growth not measurable" };
  }
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const rounds = [];
  for (let i = 0; i < after.length; i += roundSize) {
    rounds.push(round1(mean(after.slice(i, i + roundSize))));
  }
  const base = rounds.length >= 3 ? rounds[1] : rounds[0];
  const grew = rounds[rounds.length - 1] - base;
  return {
    roundMeansMb: rounds,
    maxAfterMb: round1(Math.max(...after)),
    maxPeakMb: round1(Math.max(...rows.map((r) => r.peakMemoryMb))),
    maxPeakRssMb: round1(Math.max(...rows.map((r) => r.peakRssMb))),
    maxRssAfterMb: round1(Math.max(...rows.map((r) => r.rssAfterMb ?? 0))),
    growthMb: round1(grew),
    // 16 MB or 10 %: V8 and the allocator keep some slack between collections.
    verdict: (grew > Math.max(16, base * 0.1) ? `grows (+${grew.toFixed(0)} MB)` : "no growth") +
      (rounds[rounds.length - 1] > LIMITS.memoryMb
        ? `, but it stays at ${
          rounds[rounds.length - 1].toFixed(0)
        } MB, over the ${LIMITS.memoryMb} MB limit`
        : ""),
  };
}

async function createUser(db, jwtSecret) {
  const userId = crypto.randomUUID();
  await db.query(
    `insert into auth.users (id, aud, role, email) values ($1, 'authenticated', 'authenticated', $2)`,
    [userId, `bench-files@example.test`],
  );
  // The bench measures the work, not budgets: this student may spend without limit.
  await db.query(
    `insert into ai_private.budget_limits (platform, period, user_id, limit_usd, note)
     values ('main','day',$1,1000000,'bench'), ('main','month',$1,1000000,'bench')`,
    [userId],
  );
  const now = Math.floor(Date.now() / 1000);
  return signJwt({
    sub: userId,
    role: "authenticated",
    aud: "authenticated",
    iat: now,
    exp: now + 6 * 3600,
    app_metadata: { provider: "email" },
    user_metadata: {},
  }, jwtSecret);
}

/** The hostile uploads of the "two students at once" pass, from the corpus. */
const TWO_STUDENTS_HOSTILE = ["pdf-shared-td", "jpeg-2000-scans", "png-grey-paeth"];

/**
 * One worker, two students: three hostile uploads in parallel (two waves) and a second student's
 * small text uploads on three threads until the waves are done. Each request's CPU is the worker's
 * CPU while it was in flight, as the stack's supervisor (and hosted) charge it.
 */
async function twoStudents(env, fn, attackerToken, studentToken) {
  const { CORPUS } = await import("../../tests/functions/process-file-upload/corpus/hostile.mjs");
  const worker = await startWorker(env, fn);
  const url = `http://127.0.0.1:${worker.port}/${SLUG}`;
  const timed = async (token, input, bytes) => {
    const c0 = cpuMs(worker.pid);
    const res = await post(
      url,
      { authorization: `Bearer ${token}` },
      multipart(input, bytes),
      TIMEOUT_MS,
    );
    const c1 = cpuMs(worker.pid);
    return { status: res.status ?? null, code: errorCode(res.body ?? ""), cpuMs: c1 - c0 };
  };
  const hostile = TWO_STUDENTS_HOSTILE.map((id) => {
    const c = CORPUS.find((x) => x.id === id);
    const ext = c.name.split(".").pop();
    const mime = { pdf: "application/pdf", jpg: "image/jpeg", png: "image/png" }[ext];
    return { input: { name: c.name, mime }, bytes: c.make() };
  });
  const attacker = [];
  let done = false;
  const waves = (async () => {
    for (let wave = 0; wave < 2; wave++) {
      attacker.push(
        ...await Promise.all(hostile.map((h) => timed(attackerToken, h.input, h.bytes))),
      );
    }
    done = true;
  })();
  const second = [];
  const thread = async (t) => {
    for (let n = 0; !done || n < 4; n++) {
      const text = Buffer.from(`Поток ${t}, файл ${n}: x² − 4 = 0.`);
      second.push(await timed(studentToken, { name: `n${t}-${n}.txt`, mime: "text/plain" }, text));
    }
  };
  await Promise.all([waves, thread(1), thread(2), thread(3)]);
  const alive = !worker.proc.exited;
  worker.kill();
  await worker.stop();
  return {
    hostile: TWO_STUDENTS_HOSTILE,
    attacker: attacker.map((r) => `${r.status}${r.code ? ` ${r.code}` : ""}`),
    attackerMaxCpuMs: Math.round(Math.max(...attacker.map((r) => r.cpuMs))),
    sent: second.length,
    failed: second.filter((r) => r.status !== 200).length,
    secondMaxCpuMs: Math.round(Math.max(...second.map((r) => r.cpuMs))),
    workerAlive: alive,
  };
}

async function main() {
  const selected = ONLY.length ? INPUTS.filter((i) => ONLY.includes(i.id)) : INPUTS;
  if (selected.length === 0) {
    throw new Error(`--only matched nothing; inputs: ${INPUTS.map((i) => i.id).join(", ")}`);
  }
  const inputs = await ensureInputs(CACHE_DIR, selected, log);
  const fn = readSupabaseConfig().functions.find((f) => f.slug === SLUG);

  log(`starting a bench stack on ${PORT}…`);
  const stack = await startStack({
    apiPort: PORT,
    dataDir: `${PROFILES.test.dataDir}-bench-files`,
    fresh: true,
    forceOffline: true,
    fast: true,
    seed: false,
  });
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    for (const w of [...workers]) {
      w.kill();
      workers.delete(w);
    }
    await stack.stop();
  };
  handleSignals(async (sig) => {
    log(`${sig}: stopping every process the bench started…`);
    await shutdown();
    process.exit(130);
  });

  const db = new pg.Client({ connectionString: stack.urls.db });
  db.on("error", () => {}); // Postgres stopping under a Ctrl-C is not an error of the bench
  const result = {
    date: new Date().toISOString(),
    machine: { cpus: (await import("node:os")).cpus().length, node: process.version },
    limits: LIMITS,
    target: TARGET,
    fresh: [],
    mixed: null,
    twoStudents: null,
    gateway: null,
  };
  try {
    await db.connect();
    const token = await createUser(db, stack.keys.jwtSecret);

    // Pass 1: each input on a fresh worker.
    for (const input of inputs) {
      log(`fresh worker: ${input.id}…`);
      const worker = await startWorker(stack.env, fn);
      const r = await measure(worker, input, token);
      r.workerStartMs = Math.round(worker.startMs);
      r.verdict = verdict(r);
      result.fresh.push(r);
      log(`  ${statusCell(r)} ${r.wallMs} ms, CPU ${r.cpuMs} ms, peak ${r.peakRssMb} MB`);
      if (r.status >= 500 || r.error) {
        for (const l of r.workerLog) log(`  | ${l.slice(0, 300)}`);
      }
      worker.kill();
      await worker.stop();
    }

    // Pass 2: the accepted inputs again, mixed, on one worker.
    const accepted = inputs.filter((i) => i.expect === "accept");
    if (MIXED > 0 && accepted.length > 0) {
      const random = prng(42);
      const order = [];
      while (order.length < MIXED) {
        const round = [...accepted];
        for (let i = round.length - 1; i > 0; i--) {
          const j = Math.floor(random() * (i + 1));
          [round[i], round[j]] = [round[j], round[i]];
        }
        order.push(...round);
      }
      order.length = MIXED;
      log(`one worker, ${MIXED} mixed requests…`);
      let worker = await startWorker(stack.env, fn);
      const idleMb = round1(memory(worker.pid)?.rssMb);
      const rows = [];
      for (const input of order) {
        let restarted = false;
        if (!worker || worker.proc.exited) {
          worker = await startWorker(stack.env, fn);
          restarted = true;
        }
        const r = await measure(worker, input, token);
        r.restarted = restarted;
        r.verdict = verdict(r);
        rows.push(r);
        log(`  #${rows.length} ${input.id}: ${statusCell(r)} RSS after ${r.rssAfterMb} MB`);
        if (!r.workerAlive) {
          worker.kill();
          await worker.stop();
          worker = null;
        }
      }
      if (worker) {
        worker.kill();
        await worker.stop();
      }
      result.mixed = {
        idleRssMb: idleMb,
        requests: rows,
        roundSize: accepted.length,
        summary: growth(rows, accepted.length),
      };
    }

    // Pass 3: two students at once on one worker (issue 21).
    if (TWO_STUDENTS) {
      log(`two students at once…`);
      const secondToken = await createUser(db, stack.keys.jwtSecret);
      result.twoStudents = await twoStudents(stack.env, fn, token, secondToken);
      log(
        `  second student: ${result.twoStudents.sent} uploads, ${result.twoStudents.failed} failed`,
      );
    }

    // Optional: the same inputs through the stack's gateway and its worker supervisor.
    if (GATEWAY) {
      result.gateway = [];
      for (const input of inputs) {
        log(`gateway: ${input.id}…`);
        const t0 = performance.now();
        const res = await post(
          `${stack.urls.functions}/${SLUG}`,
          {
            authorization: `Bearer ${token}`,
            apikey: stack.keys.anon,
          },
          multipart(input, readFileSync(input.path)),
          TIMEOUT_MS,
        );
        result.gateway.push({
          input: input.id,
          label: input.label,
          status: res.status ?? null,
          code: res.status && res.status !== 200 ? errorCode(res.body) : null,
          error: res.error ?? null,
          wallMs: Math.round(performance.now() - t0),
        });
      }
    }
  } finally {
    await db.end().catch(() => {});
    await shutdown();
  }
  return result;
}

function report(result) {
  const lines = [
    `## process-file-upload: one request per input, each on a fresh worker`,
    ``,
    `Worker: Deno ${"2.1"} (tools/deno-edge), offline provider; ${result.machine.cpus} CPUs. ` +
    `Hosted limits ${LIMITS.cpuMs} ms CPU / ${LIMITS.memoryMb} MB; target ${TARGET.cpuMs} ms / ${TARGET.memoryMb} MB, ` +
    `judged on CPU and heap+ext. CPU: the worker's utime + stime during the request. Heap+ext ` +
    `(MiB): the isolate's used heap + external memory as the worker reports it, what hosted ` +
    `counts against 256 MB (V8 runs with hosted's heap limit). Peak RSS (MiB): the whole worker ` +
    `process's VmRSS polled every 5 ms and its VmHWM, the idle Deno runtime (~45–60 MB outside ` +
    `the isolate) included; shown for reference. File sizes in decimal kB/MB.`,
    ``,
    freshTable(result.fresh),
  ];
  if (result.mixed) {
    const s = result.mixed.summary;
    lines.push(
      ``,
      `## ${result.mixed.requests.length} mixed requests on one worker (idle RSS ${result.mixed.idleRssMb} MB)`,
      ``,
      mixedTable(result.mixed.requests),
      ``,
      s.roundMeansMb === undefined
        ? `Growth: ${s.verdict}.`
        : `Growth: ${s.verdict}. Mean heap+ext after a request, per round of ` +
          `${result.mixed.roundSize}: ${s.roundMeansMb.join(" → ")} MB; largest after ` +
          `${s.maxAfterMb} MB, largest peak ${s.maxPeakMb} MB (RSS: largest peak ` +
          `${s.maxPeakRssMb} MB, largest after ${s.maxRssAfterMb} MB).`,
    );
  }
  if (result.twoStudents) {
    const t = result.twoStudents;
    lines.push(
      ``,
      `## Two students at once (one worker)`,
      ``,
      `| row | attacker's answers | attacker's worst in-flight CPU ms | second student: uploads / failed | second student's worst in-flight CPU ms | worker alive | verdict |`,
      `|---|---|--:|--:|--:|:-:|---|`,
      `| 3 hostile in parallel × 2 (${t.hostile.join(", ")}) + 3 threads of small text uploads | ${
        t.attacker.join(", ")
      } | ${t.attackerMaxCpuMs} | ${t.sent} / ${t.failed} | ${t.secondMaxCpuMs} | ${
        yn(t.workerAlive)
      } | ${
        t.failed === 0 && t.workerAlive && t.attackerMaxCpuMs <= LIMITS.cpuMs &&
          t.secondMaxCpuMs <= LIMITS.cpuMs
          ? "ok"
          : "FAIL"
      } |`,
    );
  }
  if (result.gateway) {
    lines.push(
      ``,
      `## Through the stack's gateway (its worker supervisor)`,
      ``,
      `| input | status / code | wall ms |`,
      `|---|---|--:|`,
      ...result.gateway.map((r) =>
        `| ${r.label} | ${r.error ? `no answer: ${r.error}` : statusCell(r)} | ${r.wallMs} |`
      ),
    );
  }
  return lines.join("\n");
}

try {
  const result = await main();
  process.stdout.write(JSON_OUT ? `${JSON.stringify(result, null, 2)}\n` : `${report(result)}\n`);
  // A row whose answer is not its input's (or past hosted's limits) fails the run, not only its row.
  const failed = [...result.fresh, ...(result.mixed?.requests ?? [])]
    .filter((r) => r.verdict?.startsWith("FAIL"));
  if (failed.length > 0) {
    log(`bench:files: ${failed.length} FAIL row(s): ${failed.map((r) => r.input).join(", ")}`);
    process.exit(2);
  }
  process.exit(0);
} catch (e) {
  log(`bench:files failed: ${e.stack ?? e}`);
  for (const w of workers) w.kill();
  process.exit(1);
}
