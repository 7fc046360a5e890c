// Function workers under hosted Supabase's limits. A function's worker is one Deno process
// (function-host.ts); this supervisor starts it, measures it from /proc and ends it the way the
// hosted edge runtime ends an isolate:
//
//   CPU      2 s per request: the process's utime+stime (/proc/<pid>/stat) consumed since the
//            request began, polled every EDGE_POLL_MS (25 ms) so a synchronous loop is caught.
//            Hosted counts the isolate thread's CPU (supabase/edge-runtime crates/cpu_timer:
//            CLOCK_THREAD_CPUTIME_ID, checked on enter/leave and by a timer); the process figure
//            adds V8's GC and runtime threads, so it is a little stricter. Requests that overlap
//            on one worker are each charged the worker's whole CPU since they began (conservative).
//   memory   256 MB per worker, counted as hosted counts it: the isolate's used heap + external
//            memory (edge-runtime crates/base/src/runtime/mod.rs MemCheck::check), which the worker
//            reports itself (function-host.ts) whenever its event loop turns. V8 runs with hosted's
//            heap limit (`--max-old-space-size`, as edge-runtime's heap_limits(0, limit)), so it
//            collects garbage before growing past it, and a heap that truly overflows ends the
//            worker (an OOM exit is a memory breach). What a synchronous loop allocates outside the
//            heap cannot be reported: the process's resident set (VmRSS) is the backstop, allowed
//            the limit (+ 1/8 slack) plus what the runtime holds outside the isolate at start
//            (`runtimeRssMb` in workerStats(), ~45–60 MB). RSS also counts wasm memories and what
//            the allocator keeps after a free, which hosted does not, so it errs strict.
//   idle     150 s without a response head → 504 IDLE_TIMEOUT (the gateway answers it).
//   wall     150 s (400 s paid) per worker, as edge-runtime's per_worker supervisor
//            (crates/base/src/worker/supervisor/strategy_per_worker.rs): at half the limit the
//            worker is retired (new requests go to a fresh worker; in-flight ones finish); once it
//            has no request in flight it is drained: `beforeunload` fires, waitUntil work gets
//            what is left of the wall clock, then it exits. At the full limit it is killed,
//            whatever is still running.
//   breach   SIGKILL, as hosted terminates the isolate: every in-flight request gets 546, the
//            worker's EdgeRuntime.waitUntil work is lost, the next request cold-starts a worker.
//
// Settings (environment of the stack process): EDGE_LIMITS=off (measure, never kill),
// EDGE_CPU_LIMIT_MS (2000), EDGE_MEMORY_LIMIT_MB (256), EDGE_WALL_CLOCK_MS (150000; 400000 paid),
// EDGE_IDLE_TIMEOUT_MS (150000), EDGE_POLL_MS (25).
import { existsSync, lstatSync, readdirSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { ROOT } from "./config.mjs";
import { startProcess } from "./processes.mjs";
import { ProcFiles } from "./proc-files.mjs";
import { WorkerConnections } from "./worker-connections.mjs";

/** The prefix of the memory lines function-host.ts prints (kept out of the function log). */
const MEMORY_LINE = "\u0001edge-memory ";

/** Hosted's figures (supabase.com/docs/guides/functions/limits, checked 2026-12-01). */
export const HOSTED_LIMITS = Object.freeze({
  enforce: true,
  cpuMs: 2000,
  memoryMb: 256,
  wallClockMs: 150_000,
  idleTimeoutMs: 150_000,
  pollMs: 25,
});

/** The limits from the stack's environment (see the header for the names). */
export function limitsFromEnv(env = process.env) {
  const num = (name, fallback) => {
    const v = Number(env[name]);
    return env[name] !== undefined && env[name] !== "" && Number.isFinite(v) && v > 0
      ? v
      : fallback;
  };
  return {
    enforce: !/^(off|false|0|no)$/i.test(env.EDGE_LIMITS ?? ""),
    cpuMs: num("EDGE_CPU_LIMIT_MS", HOSTED_LIMITS.cpuMs),
    memoryMb: num("EDGE_MEMORY_LIMIT_MB", HOSTED_LIMITS.memoryMb),
    wallClockMs: num("EDGE_WALL_CLOCK_MS", HOSTED_LIMITS.wallClockMs),
    idleTimeoutMs: num("EDGE_IDLE_TIMEOUT_MS", HOSTED_LIMITS.idleTimeoutMs),
    pollMs: num("EDGE_POLL_MS", HOSTED_LIMITS.pollMs),
  };
}

const START_TIMEOUT_MS = 60_000;
/** A worker's CPU figure read this recently serves a request's start or end (proc-files.mjs). */
const CPU_READ_REUSE_MS = 1;

const round = (n) => Math.round(n * 10) / 10;

/**
 * One function's workers: the current one and any retired ones still finishing their requests.
 * `acquire()` gives the worker a request goes to, starting one when there is none.
 */
export class FunctionWorkers {
  /**
   * @param {{ slug: string, spawn: () => {cmd: string, args: string[], env: object, cwd: string},
   *   limits: ReturnType<typeof limitsFromEnv>, log: (line: string) => void,
   *   onEvent?: (event: object) => void }} opts
   */
  constructor({ slug, spawn, limits, log, onEvent }) {
    this.slug = slug;
    this.spawn = spawn;
    this.limits = limits;
    this.log = log;
    this.onEvent = onEvent ?? (() => {});
    this.current = null;
    this.starting = null;
    this.workers = new Set();
    this.stopped = false;
    /** Figures of requests tagged with `x-stack-probe` (see #record). */
    this.probed = [];
    this.stats = {
      function: slug,
      requests: 0,
      workersStarted: 0,
      idleRssMb: null,
      runtimeRssMb: null,
      bootCpuMs: null,
      maxCpuMs: 0,
      maxPeakRssMb: 0,
      maxPeakMemoryMb: 0,
      heaviest: null,
      breaches: { cpu: 0, memory: 0, wall_clock: 0 },
    };
  }

  /** The worker for a new request: the current one, or a fresh one (cold start). */
  acquire() {
    if (this.stopped) return Promise.reject(new Error("stack stopped"));
    // A worker that just died on its own may not have been reaped yet (its 'exit' event can trail
    // the failed request that saw it go): after a failed request, look at the process itself
    // before routing to it (not on every request: that read is a syscall per request).
    if (this.current?.suspect && !this.current.dead) {
      this.current.suspect = false;
      if (!this.current.procFiles.alive()) this.#gone(this.current);
    }
    if (this.current && !this.current.retired && !this.current.dead) {
      return Promise.resolve(this.current);
    }
    this.starting ??= this.#start().finally(() => (this.starting = null));
    return this.starting;
  }

  #emit(event) {
    const line = JSON.stringify(event);
    this.log(line);
    this.onEvent(event);
  }

  async #start() {
    const { cmd, args, env: spawnEnv, cwd } = this.spawn();
    // The gateway reaches the worker over a Unix socket (function-host.ts says why).
    const socketPath = join(
      tmpdir(),
      `edge-${process.pid}-${this.slug.slice(0, 40)}-${this.stats.workersStarted + 1}.sock`,
    );
    rmSync(socketPath, { force: true });
    const env = { ...spawnEnv, FUNCTION_SOCKET: socketPath };
    let resolveListening;
    const listening = new Promise((r) => (resolveListening = r));
    const worker = {
      pid: 0,
      /** The Unix socket the worker listens on. */
      socketPath: null,
      startedAt: Date.now(),
      inFlight: new Set(),
      retired: false,
      dead: false,
      killReason: null,
      /** Used heap + external memory, as the worker last reported it (MB). */
      memoryMb: 0,
      /** What the process holds outside the isolate, measured once it listens (MB). */
      runtimeRssMb: 0,
      /** Resident MB at the supervisor's last poll. */
      rssMb: 0,
      /** A request to it failed at the socket: check the process before the next one. */
      suspect: false,
      agent: new http.Agent({ keepAlive: true, maxSockets: 256, keepAliveMsecs: 10000 }),
      timers: [],
    };
    const proc = startProcess(`function ${this.slug}`, cmd, args, {
      env,
      cwd,
      onLine: (l) => {
        const reported = memoryLineMb(l);
        if (reported !== null) {
          worker.memoryMb = reported;
          for (const req of worker.inFlight) {
            req.peakMemoryMb = Math.max(req.peakMemoryMb, worker.memoryMb);
          }
          return;
        }
        if (l === `function listening on unix:${socketPath}`) resolveListening(socketPath);
        this.log(`${this.slug}: ${l}`);
      },
    });
    worker.proc = proc;
    worker.pid = proc.pid;
    worker.procFiles = new ProcFiles(proc.pid);
    this.workers.add(worker);
    this.stats.workersStarted += 1;
    proc.exitPromise.then(() => {
      // V8 at its heap limit aborts the process: hosted ends the isolate at the same point.
      if (
        !worker.killReason && !worker.draining && worker.inFlight.size > 0 &&
        proc.tail.some((l) => /out of memory|heap limit/i.test(l))
      ) {
        this.#breach(worker, {
          limit: "memory",
          measure: "v8_heap_limit",
          used_mb: round(worker.memoryMb),
          limit_mb: this.limits.memoryMb,
        });
      }
      this.#gone(worker);
    });

    let timer;
    const listened = await Promise.race([
      listening,
      proc.exitPromise.then(() => null),
      new Promise((r) => (timer = setTimeout(() => r(-1), START_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    if (!listened || listened === -1) {
      if (listened === -1) this.#kill(worker, "start_timeout");
      throw new Error(
        `function ${this.slug} ${
          listened === -1 ? `did not listen within ${START_TIMEOUT_MS} ms` : "exited"
        }:\n${proc.tail.slice(-20).join("\n")}`,
      );
    }
    worker.socketPath = socketPath;
    worker.connections = new WorkerConnections(socketPath);
    // The worker reports its isolate's memory once its module has loaded; wait a moment for it.
    for (let i = 0; i < 20 && worker.memoryMb === 0; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    const boot = worker.procFiles.sample();
    worker.runtimeRssMb = Math.max(0, (boot?.rssMb ?? 0) - worker.memoryMb);
    worker.rssMb = boot?.rssMb ?? 0;
    if (boot && this.stats.idleRssMb === null) {
      // The first worker, listening and before any request: the runtime's own baseline.
      this.stats.idleRssMb = round(boot.rssMb);
      this.stats.runtimeRssMb = round(worker.runtimeRssMb);
      this.stats.bootCpuMs = Math.round(boot.cpuMs);
    }
    const half = Math.max(1, Math.floor(this.limits.wallClockMs / 2));
    worker.timers.push(
      setTimeout(() => this.#retire(worker), half - (Date.now() - worker.startedAt)),
    );
    worker.timers.push(
      setTimeout(
        () =>
          this.#breach(worker, {
            limit: "wall_clock",
            used_ms: Date.now() - worker.startedAt,
            limit_ms: this.limits.wallClockMs,
          }),
        this.limits.wallClockMs - (Date.now() - worker.startedAt),
      ),
    );
    worker.poll = setInterval(() => this.#poll(worker), this.limits.pollMs);
    if (this.stopped) {
      await this.#drain(worker, "Termination");
      throw new Error("stack stopped");
    }
    this.current = worker;
    return worker;
  }

  /**
   * Registers a request on `worker`; returns its tracker. `onKilled(event)` is called if a limit
   * ends the worker while the request is in flight; `end()` closes the request's accounting.
   */
  begin(worker, { path, onKilled, probe }) {
    // One read of /proc/<pid>/stat; the resident set comes from the supervisor's poll.
    const req = {
      path,
      probe,
      cpu0: worker.procFiles.cpuMs(CPU_READ_REUSE_MS) ?? 0,
      cpuMs: 0,
      peakRssMb: worker.rssMb,
      peakMemoryMb: worker.memoryMb,
      onKilled,
      ended: false,
    };
    worker.inFlight.add(req);
    this.stats.requests += 1;
    return {
      end: () => {
        if (req.ended) return req;
        req.ended = true;
        // One /proc read: the resident set comes from the supervisor's poll (every EDGE_POLL_MS).
        const cpuMs = worker.procFiles.cpuMs(CPU_READ_REUSE_MS);
        if (cpuMs !== null) req.cpuMs = Math.max(req.cpuMs, cpuMs - req.cpu0);
        req.peakRssMb = Math.max(req.peakRssMb, worker.rssMb ?? 0);
        worker.inFlight.delete(req);
        this.#record(req);
        if (worker.retired && worker.inFlight.size === 0 && !worker.dead) {
          this.#drain(worker, "EarlyDrop");
        }
        return req;
      },
      get cpuMs() {
        return req.cpuMs;
      },
      get peakRssMb() {
        return req.peakRssMb;
      },
      get peakMemoryMb() {
        return req.peakMemoryMb;
      },
    };
  }

  #record(req, killed = false) {
    const cpuMs = Math.round(req.cpuMs);
    const peakRssMb = round(req.peakRssMb);
    const peakMemoryMb = round(req.peakMemoryMb);
    // A request tagged with `x-stack-probe` keeps its figures for tests to read
    // (GET /__stack/requests?probe=…), the last 500 only.
    if (req.probe) {
      this.probed.push({
        probe: req.probe,
        path: req.path,
        cpuMs,
        peakRssMb,
        peakMemoryMb,
        killed,
      });
      if (this.probed.length > 500) this.probed.shift();
    }
    this.stats.maxCpuMs = Math.max(this.stats.maxCpuMs, cpuMs);
    this.stats.maxPeakRssMb = Math.max(this.stats.maxPeakRssMb, peakRssMb);
    this.stats.maxPeakMemoryMb = Math.max(this.stats.maxPeakMemoryMb, peakMemoryMb);
    if (!this.stats.heaviest || cpuMs > this.stats.heaviest.cpuMs) {
      this.stats.heaviest = { path: req.path, cpuMs, peakRssMb, peakMemoryMb };
    }
  }

  #poll(worker) {
    if (worker.dead) return;
    const s = worker.procFiles.sample();
    if (!s) return;
    worker.rssMb = s.rssMb;
    for (const req of worker.inFlight) {
      req.cpuMs = Math.max(req.cpuMs, s.cpuMs - req.cpu0);
      req.peakRssMb = Math.max(req.peakRssMb, s.rssMb);
    }
    if (worker.memoryMb > this.limits.memoryMb) {
      this.#breach(worker, {
        limit: "memory",
        measure: "heap+external",
        used_mb: round(worker.memoryMb),
        limit_mb: this.limits.memoryMb,
        rss_mb: round(s.rssMb),
      });
      return;
    }
    // An eighth of the limit of slack, so that hosted's own measure decides whenever the worker can
    // report it (its reports trail the allocation by up to one interval).
    const rssCeilingMb = this.limits.memoryMb * 1.125 + worker.runtimeRssMb;
    if (s.rssMb > rssCeilingMb) {
      this.#breach(worker, {
        limit: "memory",
        measure: "rss",
        used_mb: round(s.rssMb),
        limit_mb: round(rssCeilingMb),
        hwm_mb: round(s.hwmMb),
      });
      return;
    }
    for (const req of worker.inFlight) {
      if (req.cpuMs > this.limits.cpuMs) {
        this.#breach(worker, {
          limit: "cpu",
          used_ms: Math.round(req.cpuMs),
          limit_ms: this.limits.cpuMs,
          path: req.path,
        });
        return;
      }
    }
  }

  /** A limit is reached: log it and, when enforcing, kill the worker as hosted does. */
  #breach(worker, figures) {
    if (worker.dead || worker.killReason) return;
    if (figures.limit === "wall_clock" && worker.inFlight.size === 0) {
      // Retired and idle already, or draining its background work: this ends it quietly.
      this.#kill(worker, "wall_clock");
      return;
    }
    const enforced = this.limits.enforce;
    const event = {
      type: "worker_limit",
      function: this.slug,
      ...figures,
      pid: worker.pid,
      in_flight: worker.inFlight.size,
      ...(enforced ? {} : { enforced: false }),
    };
    if (!enforced) {
      // Measured only: say it once per worker and limit, then keep going.
      worker.reported ??= new Set();
      if (worker.reported.has(figures.limit)) return;
      worker.reported.add(figures.limit);
      this.#emit(event);
      return;
    }
    this.stats.breaches[figures.limit] = (this.stats.breaches[figures.limit] ?? 0) + 1;
    this.#emit(event);
    this.#kill(worker, figures.limit, event);
  }

  #kill(worker, reason, event) {
    worker.killReason = reason;
    worker.retired = true;
    try {
      process.kill(-worker.pid, "SIGKILL");
    } catch { /* already gone */ }
    for (const req of [...worker.inFlight]) {
      req.ended = true;
      this.#record(req, true);
      req.onKilled?.(event ?? { type: "worker_limit", limit: reason });
    }
    worker.inFlight.clear();
    this.#gone(worker);
  }

  /** Half the wall clock: no new requests; drained once the in-flight ones are done. */
  #retire(worker) {
    if (worker.dead || worker.retired) return;
    worker.retired = true;
    this.#emit({
      type: "worker_retired",
      function: this.slug,
      pid: worker.pid,
      age_ms: Date.now() - worker.startedAt,
      in_flight: worker.inFlight.size,
    });
    if (worker.inFlight.size === 0) this.#drain(worker, "EarlyDrop");
  }

  /** SIGTERM: the host fires `beforeunload`, lets waitUntil work finish, then exits. */
  #drain(worker, reason) {
    if (worker.dead || worker.draining) return worker.proc.exitPromise;
    worker.draining = reason;
    try {
      process.kill(-worker.pid, "SIGTERM");
    } catch { /* already gone */ }
    return worker.proc.exitPromise;
  }

  #gone(worker) {
    if (worker.dead) return;
    worker.dead = true;
    worker.retired = true;
    clearInterval(worker.poll);
    for (const t of worker.timers) clearTimeout(t);
    worker.agent.destroy();
    worker.connections?.destroy();
    worker.procFiles?.close();
    if (worker.socketPath) rmSync(worker.socketPath, { force: true });
    this.workers.delete(worker);
    if (this.current === worker) this.current = null;
    // A worker that exits on its own (a crash) leaves its requests to fail at the socket.
  }

  /** Stops every worker (SIGTERM, then SIGKILL after 5 s, as the rest of the stack). */
  async stop() {
    this.stopped = true;
    await Promise.all([...this.workers].map((w) => {
      this.#drain(w, "Termination");
      return w.proc.stop(5000);
    }));
  }

  /** Pids of the live workers (the tests check nothing is left running). */
  /**
   * Ends every live worker as a breach does (SIGKILL; what is in flight gets 546), logged as a
   * `worker_limit` event with limit "killed": for tests of what a dead worker leaves behind.
   */
  killAll() {
    for (const worker of [...this.workers]) {
      if (worker.dead) continue;
      const event = {
        type: "worker_limit",
        function: this.slug,
        limit: "killed",
        pid: worker.pid,
        in_flight: worker.inFlight.size,
      };
      this.#emit(event);
      this.#kill(worker, "killed", event);
    }
  }

  pids() {
    return [...this.workers].map((w) => w.pid);
  }
}

/**
 * The per-function table printed at the end of `npm test` / `npm run bench`: the heaviest
 * request's CPU and the highest peak RSS any request reached, against hosted's limits.
 * @param {ReturnType<FunctionWorkers["stats"]>[]} stats from `stack.workerStats()`
 */
export function formatWorkerStats(stats, limits = HOSTED_LIMITS) {
  const rows = [
    [
      "function",
      "requests",
      "max CPU ms",
      "max heap+external MB",
      "max peak RSS MB",
      "idle RSS MB",
      "workers",
      "breaches",
    ],
    ...stats.map((s) => [
      s.function,
      String(s.requests),
      `${s.maxCpuMs}${s.maxCpuMs > limits.cpuMs ? " (!)" : ""}`,
      `${s.maxPeakMemoryMb}${s.maxPeakMemoryMb > limits.memoryMb ? " (!)" : ""}`,
      String(s.maxPeakRssMb),
      String(s.idleRssMb ?? "-"),
      String(s.workersStarted),
      Object.entries(s.breaches).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(", ") ||
      "-",
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [
    `Function workers (limits: ${limits.cpuMs} ms CPU per request, ${limits.memoryMb} MB heap+external per worker${
      limits.enforce === false ? ", not enforced" : ""
    })`,
    line(rows[0]),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.slice(1).map(line),
  ].join("\n");
}

/** Prints formatWorkerStats for a running stack (call before `stack.stop()`). */
export function printWorkerStats(stack, write = console.log) {
  write(formatWorkerStats(stack.workerStats(), stack.limits));
}

/**
 * Where `npm ci` leaves a function's Deno 2.1 lockfile (.local/edge-locks/<folder>.lock, not in
 * git: it is rebuilt from the function's deno.json at every install). Hosted runs a function from
 * its deployed bundle, whose npm packages were resolved at deploy time; a worker started without
 * a lockfile resolves every npm package its modules name — those behind a dynamic import too
 * (supabase-js, zod) — from the registry metadata in Deno's cache at each start: ~1 MB of JSON,
 * 25–50 ms of a cold start (`npm run bench:cold`). With the lockfile it reads the resolution.
 */
export function edgeLockPath(config) {
  return join(ROOT, ".local/edge-locks", `${basename(dirname(config))}.lock`);
}

/**
 * Removes the worker sockets (`<tmpdir>/edge-<pid>-<slug>-<n>.sock`) of stacks that are gone: a
 * stack stopped with Ctrl-C removes its own, but one that was killed outright (SIGKILL, an OOM
 * kill, a closed terminal) cannot, and /tmp kept one per worker it ever started. Sockets of a
 * process that is still alive (another stack) are left alone.
 * @returns {number} how many were removed
 */
export function removeStaleWorkerSockets(dir = tmpdir()) {
  let removed = 0;
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const m = /^edge-(\d+)-.+\.sock$/.exec(name);
    if (!m || Number(m[1]) === process.pid) continue;
    try {
      process.kill(Number(m[1]), 0);
      continue; // its stack (or a process that reused the pid) is alive
    } catch (e) {
      if (e.code !== "ESRCH") continue;
    }
    const path = join(dir, name);
    try {
      if (!lstatSync(path).isSocket()) continue;
      rmSync(path, { force: true });
      removed++;
    } catch { /* gone meanwhile */ }
  }
  return removed;
}

/**
 * The `deno` arguments of a function worker: function-host.ts running the entrypoint with the
 * function's own import map, under hosted's V8 heap limit when limits are enforced. (The bench
 * starts workers with the same arguments.)
 */
export function workerArgs({ config, hostPath, entrypoint, limits }) {
  const lock = edgeLockPath(config);
  return [
    "run",
    "--allow-all",
    "--no-prompt",
    // The root lockfile is Deno 2.9's format; 2.1 cannot read it (function configs have none).
    // The function's own Deno 2.1 lockfile, written by `npm ci` (postinstall.mjs), when there is
    // one: see edgeLockPath.
    ...(existsSync(lock) ? [`--lock=${lock}`] : ["--no-lock"]),
    // Hosted gives each isolate a V8 heap limit equal to its memory limit (edge-runtime
    // heap_limits(0, memory_limit)): V8 collects before it grows past it.
    ...(limits.enforce ? [`--v8-flags=--max-old-space-size=${limits.memoryMb}`] : []),
    "--config",
    config,
    hostPath,
    entrypoint,
  ];
}

/** The isolate's used heap + external memory in a worker's memory line, or null (function-host.ts). */
export function memoryLineMb(line) {
  return line.startsWith(MEMORY_LINE) ? Number(line.slice(MEMORY_LINE.length).split(" ")[0]) : null;
}

/**
 * Starts one warm worker per function and returns the gateway's routing table.
 * @param {{ functions: {slug: string, verifyJwt: boolean, entrypoint: string, importMap?: string}[],
 *   env: Record<string, string>, root: string, denoBin: string, defaultConfig: string,
 *   limits: ReturnType<typeof limitsFromEnv>, log: (line: string) => void,
 *   onEvent?: (event: object) => void }} opts
 * @returns {Promise<Map<string, {verifyJwt: boolean, workers: FunctionWorkers}>>}
 */
export async function startFunctionWorkers(
  { functions, env, root, denoBin, defaultConfig, limits, log, onEvent, hostPath },
) {
  const table = new Map();
  for (const f of functions) {
    const config = f.importMap && existsSync(f.importMap) ? f.importMap : defaultConfig;
    const fnLimits = { ...limits, ...(f.limits ?? {}) };
    const workers = new FunctionWorkers({
      slug: f.slug,
      limits: fnLimits,
      log,
      onEvent,
      spawn: () => ({
        cmd: denoBin,
        args: workerArgs({ config, hostPath, entrypoint: f.entrypoint, limits: fnLimits }),
        env: { ...env, FUNCTION_PORT: "0" },
        cwd: root,
      }),
    });
    table.set(f.slug, { verifyJwt: f.verifyJwt, workers });
  }
  try {
    await Promise.all([...table.values()].map(({ workers }) => workers.acquire()));
  } catch (e) {
    await Promise.all([...table.values()].map(({ workers }) => workers.stop()));
    throw e;
  }
  return table;
}
