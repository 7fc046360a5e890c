// `npm start` in a subprocess, on its own ports: it says it is ready only when every part answers,
// and Ctrl-C (SIGINT) stops every process it started, leaving nothing running.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { START_TEST_API_PORT } from "../../scripts/stack/config.mjs";

const ROOT = new URL("../../", import.meta.url).pathname;
/** Where the stack puts its workers' sockets (Node's os.tmpdir(), as workers.mjs). */
const TMP = tmpdir();
// A suite on another port block (TEST_STACK_PORT) starts its `npm start` 500 ports above it, so two
// suites can run side by side.
const API_PORT = Deno.env.get("TEST_STACK_PORT")
  ? Number(Deno.env.get("TEST_STACK_PORT")) + 500
  : START_TEST_API_PORT;

function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry.name)]);
    } catch { /* gone */ }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

const alive = (pid: number) => {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/\) Z /.test(stat);
  } catch {
    return false;
  }
};

async function portFree(port: number) {
  return await new Promise<boolean>((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

function startStack(port: number, dataDir: string) {
  const env = { ...Deno.env.toObject() };
  delete env.GROQ_API_KEY;
  return new Deno.Command("node", {
    args: ["scripts/start.mjs", "--port", String(port), "--data-dir", dataDir],
    cwd: ROOT,
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function readUntil(stream: ReadableStream<Uint8Array>, pattern: RegExp, timeoutMs: number) {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const timer = setTimeout(() => reader.cancel(), timeoutMs);
  try {
    while (!pattern.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
  } finally {
    clearTimeout(timer);
    reader.releaseLock();
  }
  return text;
}

Deno.test("npm start prints the ready line, serves, and Ctrl-C leaves nothing running", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "stack-shutdown-" });
  await Deno.chmod(dataDir, 0o777);
  const child = startStack(API_PORT, dataDir);
  const stderr = child.stderr.pipeThrough(new TextDecoderStream());
  let errText = "";
  const errDone = (async () => {
    for await (const c of stderr) errText += c;
  })();
  const out = await readUntil(child.stdout, /Local Supabase stack ready/, 120_000);
  assert.match(out, /Local Supabase stack ready in [\d.]+ s/, `no ready line:\n${out}\n${errText}`);
  assert.match(out, /anon key: eyJ/, "the keys are printed");

  const res = await fetch(`http://127.0.0.1:${API_PORT}/rest/v1/`, {
    headers: { apikey: out.match(/anon key: (\S+)/)![1] },
  });
  assert.equal(res.status, 200, "PostgREST answers once ready");
  await res.body?.cancel();

  const started = descendants(child.pid);
  assert.ok(started.length >= 3, "Postgres, PostgREST and the functions run as children");
  child.kill("SIGINT");
  const status = await child.status;
  await child.stdout.cancel().catch(() => {});
  await errDone.catch(() => {});
  assert.equal(status.code, 0, "Ctrl-C is a clean exit");
  await new Promise((r) => setTimeout(r, 300));
  const left = started.filter(alive);
  assert.deepEqual(left, [], "no process the stack started is still running");
  for (const port of [API_PORT, API_PORT + 1, API_PORT + 9, API_PORT + 18]) {
    assert.ok(await portFree(port), `port ${port} is free again`);
  }
  await Deno.remove(dataDir, { recursive: true });
});

Deno.test("a taken port gives a clear message, not a stack trace", async () => {
  const port = API_PORT + 100;
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(port, "127.0.0.1", () => r()));
  try {
    const out = await new Deno.Command("node", {
      args: ["scripts/start.mjs", "--port", String(port), "--data-dir", "/tmp/stack-port-taken"],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 1);
    assert.match(err, new RegExp(`Port ${port} \\(gateway\\) is already in use`));
    assert.doesNotMatch(err, /\n\s+at /, "no stack trace");
  } finally {
    await new Promise((r) => blocker.close(r));
  }
});

Deno.test("npm start killed outright leaves nothing behind, and the next npm start comes up", async () => {
  // SIGKILL, an OOM kill or a closed terminal give the stack no chance to stop its processes. Its
  // own children end with it (the kernel's parent-death signal, processes.mjs); Postgres is left
  // holding its port and data directory and is stopped by the next start (postgres.mjs).
  const port = API_PORT + 200;
  const dataDir = await Deno.makeTempDir({ prefix: "stack-killed-" });
  await Deno.chmod(dataDir, 0o777);
  const first = startStack(port, dataDir);
  const out = await readUntil(first.stdout, /Local Supabase stack ready/, 120_000);
  assert.match(out, /Local Supabase stack ready/);
  const started = descendants(first.pid);
  first.kill("SIGKILL");
  await first.status;
  await first.stdout.cancel().catch(() => {});
  await first.stderr.cancel().catch(() => {});
  const isPostgres = (pid: number) => {
    try {
      return Deno.readTextFileSync(`/proc/${pid}/comm`).trim() === "postgres";
    } catch {
      return false;
    }
  };
  const others = started.filter((pid) => !isPostgres(pid));
  for (let i = 0; i < 50 && others.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(others.filter(alive), [], "PostgREST, the provider and the workers end with it");
  // Its workers' sockets are left in the temporary directory; the next start removes them.
  const sockets = () =>
    [...Deno.readDirSync(TMP)].filter((e) => e.name.startsWith(`edge-${first.pid}-`));
  assert.ok(sockets().length > 0, "the killed stack's worker sockets were left behind");

  const second = startStack(port, dataDir);
  const out2 = await readUntil(second.stdout, /Local Supabase stack ready|Cannot start/, 120_000);
  const startedAgain = descendants(second.pid);
  second.kill("SIGINT");
  const status = await second.status;
  await second.stdout.cancel().catch(() => {});
  await second.stderr.cancel().catch(() => {});
  assert.match(out2, /Local Supabase stack ready/, `the next start came up:\n${out2}`);
  assert.deepEqual(sockets(), [], "the next start removed the dead stack's worker sockets");
  assert.equal(status.code, 0);
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual([...started, ...startedAgain].filter(alive), [], "nothing is left running");
  for (const p of [port, port + 1, port + 9, port + 18]) {
    assert.ok(await portFree(p), `port ${p} is free again`);
  }
  await Deno.remove(dataDir, { recursive: true });
});
