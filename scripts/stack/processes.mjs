// Child processes of the stack: started in their own process group so that stopping the stack
// leaves nothing running, with their output kept for error messages.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createConnection, createServer } from "node:net";

/** Runs a command to completion; resolves `{ code, output }`. */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { ...opts, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", (e) => resolve({ code: -1, output: output + String(e) }));
    child.on("close", (code) => resolve({ code, output }));
  });
}

/**
 * util-linux's setpriv (on every Debian): `--pdeathsig TERM` has the kernel send the child SIGTERM
 * when the stack's process dies, however it dies. The children run in their own process groups
 * (for a clean stop), so a stack killed with SIGKILL, an OOM kill or a closed terminal used to
 * leave PostgREST, the offline provider and workers running on the stack's ports, and the next
 * `npm start` refused to start ("Port 54330 (PostgREST) is already in use").
 */
const SETPRIV = ["/usr/bin/setpriv", "/bin/setpriv"].find((p) => existsSync(p));

/** Starts a long-running child; returns a handle whose `stop()` ends it and waits. */
export function startProcess(name, cmd, args, { env, cwd, onLine } = {}) {
  const [file, argv] = SETPRIV
    ? [SETPRIV, ["--pdeathsig", "TERM", "--", cmd, ...args]]
    : [cmd, args];
  // setpriv execs the command: the pid, the process group and /proc/<pid> are the command's.
  const child = spawn(file, argv, { env, cwd, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const tail = [];
  let exited = false;
  const exitPromise = new Promise((resolve) =>
    child.on("exit", (code, signal) => {
      exited = true;
      resolve({ code, signal });
    })
  );
  const onData = (d) => {
    for (const line of String(d).split("\n")) {
      if (!line) continue;
      tail.push(line);
      if (tail.length > 100) tail.shift();
      onLine?.(line);
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  child.on("error", (e) => tail.push(String(e)));
  return {
    name,
    pid: child.pid,
    get exited() {
      return exited;
    },
    exitPromise,
    tail,
    async stop(timeoutMs = 5000) {
      if (exited) return;
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch { /* already gone */ }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch { /* already gone */ }
      }, timeoutMs);
      await exitPromise;
      clearTimeout(timer);
    },
  };
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function isListening(port) {
  return new Promise((resolve) => {
    const s = createConnection({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/** True when 127.0.0.1:port can be bound now. */
export function isPortFree(port) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/**
 * For a port that cannot be bound: true once it can be, when nothing was listening on it (a
 * connection still holds it as its local port); false at once when something listens, or after
 * `timeoutMs`. Supabase's ports (54321…) lie inside Linux's ephemeral range (32768–60999), so any
 * outgoing connection may be given one; a client socket (no SO_REUSEADDR) keeps it from every
 * listener while it lives and for its minute of TIME_WAIT after it closes. Right after a full
 * `npm test`, `npm start` was refused twice with "Port 54322 (Postgres) is already in use" while
 * nothing listened there; a minute later it started.
 */
export async function waitForPortRelease(port, {
  timeoutMs = 90_000,
  intervalMs = 250,
  portFree = isPortFree,
  listening = isListening,
  onWait = () => {},
} = {}) {
  if (await listening(port)) return false;
  onWait();
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await portFree(port)) return true;
    if (await listening(port)) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return await portFree(port);
}

/** Polls `check` until it resolves truthy or `timeoutMs` passes. */
export async function waitFor(
  check,
  { timeoutMs = 20000, intervalMs = 50, what = "service" } = {},
) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms`);
}
