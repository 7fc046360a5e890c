// Runs one edge function the way Supabase's edge runtime does: the function's own index.ts calls
// `Deno.serve(handler)`; this host binds that handler to a free loopback port (FUNCTION_PORT, or
// one the system picks when it is 0) and prints `function listening on <port>` for the gateway.
// It provides `EdgeRuntime.waitUntil`, keeping background work (ledger writes)
// alive after the response. On SIGTERM (the supervisor in workers.mjs retiring the worker, or the
// stack stopping) it stops taking connections, lets in-flight requests and waitUntil work finish,
// then dispatches `beforeunload` as edge-runtime does before it drops a worker
// (ext/runtime/js/bootstrap.js dispatchBeforeUnloadEvent: a CustomEvent whose detail has the
// reason) and exits. A limit breach is a SIGKILL instead: nothing more runs, as on hosted.
// Usage: deno run --allow-all --config <function>/deno.json function-host.ts <entrypoint>

const port = Number(Deno.env.get("FUNCTION_PORT") ?? 0);
const entry = Deno.args[0];
if (!Number.isInteger(port) || !entry) {
  console.error("usage: FUNCTION_PORT=<port> function-host.ts <entrypoint>");
  Deno.exit(2);
}

const pending = new Set<Promise<unknown>>();
(globalThis as unknown as { EdgeRuntime: unknown }).EdgeRuntime = {
  waitUntil(promise: Promise<unknown>) {
    const p = Promise.resolve(promise).catch((e) => console.error("waitUntil task failed:", e));
    pending.add(p);
    p.finally(() => pending.delete(p));
  },
};

type Handler = Deno.ServeHandler;
const realServe = Deno.serve.bind(Deno);
let server: Deno.HttpServer | undefined;
// deno-lint-ignore no-explicit-any
(Deno as any).serve = (a: unknown, b?: unknown) => {
  let handler: Handler;
  let options: Record<string, unknown> = {};
  if (typeof a === "function") handler = a as Handler;
  else {
    options = { ...(a as Record<string, unknown>) };
    handler = (typeof b === "function" ? b : options.handler) as Handler;
    delete options.handler;
  }
  server = realServe({
    ...options,
    port,
    hostname: "127.0.0.1",
    onListen: (addr) => console.log(`function listening on ${(addr as Deno.NetAddr).port}`),
  }, handler);
  return server;
};

// The isolate's memory as hosted's edge runtime counts it against the worker's limit: V8's used
// heap plus external memory (ArrayBuffers) — supabase/edge-runtime crates/base/src/runtime/mod.rs,
// MemCheck::check. Reported on stdout whenever it moves by half a megabyte (the supervisor reads
// these lines and keeps them out of the log); a synchronous loop cannot report, which is why the
// supervisor also watches the process's resident memory and V8 runs with hosted's heap limit.
const MEMORY_LINE = "\u0001edge-memory ";
let reportedMb = -1;
const reportMemory = () => {
  const m = Deno.memoryUsage();
  const mb = (m.heapUsed + m.external) / 1048576;
  if (Math.abs(mb - reportedMb) < 0.5) return;
  reportedMb = mb;
  console.log(`${MEMORY_LINE}${mb.toFixed(1)} ${(m.heapUsed / 1048576).toFixed(1)}`);
};
Deno.unrefTimer(setInterval(reportMemory, Number(Deno.env.get("EDGE_POLL_MS") ?? 25)));

let shuttingDown = false;
async function shutdown() {
  if (shuttingDown) return;
  shuttingDown = true;
  await server?.shutdown().catch(() => {});
  // The supervisor kills the worker at its wall clock; this bound only keeps a stray task from
  // holding the process forever.
  const deadline = Date.now() + 30_000;
  while (pending.size > 0 && Date.now() < deadline) {
    await Promise.race([Promise.allSettled([...pending]), new Promise((r) => setTimeout(r, 100))]);
  }
  try {
    globalThis.dispatchEvent(
      new CustomEvent("beforeunload", { cancelable: true, detail: { reason: "EarlyDrop" } }),
    );
  } catch (e) {
    console.error("beforeunload listener failed:", e);
  }
  Deno.exit(0);
}
Deno.addSignalListener("SIGTERM", shutdown);
Deno.addSignalListener("SIGINT", shutdown);

const url = entry.startsWith("file:") ? entry : new URL(`file://${entry}`).href;
await import(url);
reportMemory();
