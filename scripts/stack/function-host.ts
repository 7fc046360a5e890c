// Runs one edge function the way Supabase's edge runtime does: the function's own index.ts calls
// `Deno.serve(handler)`; this host binds that handler to a Unix socket (FUNCTION_SOCKET, as the
// stack's gateway reaches its workers) or else to a free loopback port (FUNCTION_PORT, or one the
// system picks when it is 0), and prints `function listening on unix:<path>` / `on <port>`.
//
// Why a Unix socket: Deno 2.1's Deno.serve leaves Nagle's algorithm on for the TCP connections it
// accepts (2.9 sets TCP_NODELAY), and 2.1 gives no way to set it on them. A streamed answer's
// second event then waited for the gateway's delayed ACK: a ~40 ms stall after the first event of
// every stream (`npm run bench:peer`, "largest gap between events"). A Unix socket has no Nagle,
// and is a cheaper hop besides. Hosted's edge runtime hands a request to the function's isolate
// in-process and sets TCP_NODELAY on the connections it accepts when its `tcp_nodelay` flag is on
// (supabase/edge-runtime crates/base/src/server.rs), so there is no such stall to reproduce.
// Handlers see the URL they would see over TCP (`http://localhost/<slug>…`).
// It provides `EdgeRuntime.waitUntil`, keeping background work (ledger writes)
// alive after the response. On SIGTERM (the supervisor in workers.mjs retiring the worker, or the
// stack stopping) it stops taking connections, lets in-flight requests and waitUntil work finish,
// then dispatches `beforeunload` as edge-runtime does before it drops a worker
// (ext/runtime/js/bootstrap.js dispatchBeforeUnloadEvent: a CustomEvent whose detail has the
// reason) and exits. A limit breach is a SIGKILL instead: nothing more runs, as on hosted.
// Usage: deno run --allow-all --config <function>/deno.json function-host.ts <entrypoint>

const socketPath = Deno.env.get("FUNCTION_SOCKET");
const port = Number(Deno.env.get("FUNCTION_PORT") ?? 0);
const entry = Deno.args[0];
if ((!socketPath && !Number.isInteger(port)) || !entry) {
  console.error(
    "usage: FUNCTION_SOCKET=<path> | FUNCTION_PORT=<port> function-host.ts <entrypoint>",
  );
  Deno.exit(2);
}

/**
 * The handler behind a Unix socket: the request's URL (`http+unix://<socket>/<path>`) reads as
 * `http://localhost/<path>`, what a function reads over TCP. The request itself is passed on as
 * Deno.serve made it, with only its `url` shadowed by an own property: rebuilding it
 * (`new Request(url, req)`) converted its init, copied every header, chained a second abort
 * signal and wrapped the body in a new stream, per request (the worker's CPU profile put it at
 * ~4 % of the worker's JavaScript time on a small chat request; docs/PERFORMANCE.md, "Inside the
 * worker"). `clone()` and `new Request(req)` still carry the socket URL; no function uses them.
 */
function overSocket(handler: Handler): Handler {
  return (req, info) => {
    const slash = req.url.indexOf("/", "http+unix://".length);
    Object.defineProperty(req, "url", { value: `http://localhost${req.url.slice(slash)}` });
    return handler(req, info);
  };
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
  server = socketPath
    ? realServe({
      ...options,
      path: socketPath,
      onListen: () => console.log(`function listening on unix:${socketPath}`),
    }, overSocket(handler))
    : realServe({
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
