// `npm run bench:cold`'s traced worker: where a fresh Deno 2.1 worker spends its time between
// spawn and its first answer. Run by scripts/bench/cold.mjs instead of function-host.ts, with the
// same arguments plus COLD_TRACE_MODULES (the modules the entry loads at start, dependencies first,
// from
// `deno info --json`). It
//   1. notes when its own first statement runs (process start + Deno's bootstrap before it);
//   2. imports the graph's modules one at a time, dependencies first, timing each: every import
//      then loads, compiles and evaluates that module alone (npm packages count as one unit);
//   3. imports function-host.ts, which imports the entry (`createRuntime`, `Deno.serve`);
//   4. times the first request from the inside: the handler's wall time, the key import and the
//      signature check (WebCrypto), the Postgres socket (TCP connect, then each write, with its
//      size, and each answer) and every fetch.
// Marks are epoch milliseconds; one `\u0001cold {json}` line on stdout after the first answer.
// No static imports: the first statement runs before anything of the function's is loaded.

const now = () => performance.timeOrigin + performance.now();
const marks: Record<string, unknown> = {
  origin: performance.timeOrigin,
  main: now(),
};
const modules: [string, number][] = [];
const net: { connect?: number; tcp?: number; data: number[]; writes: [number, number][] } = {
  data: [],
  writes: [],
};
const crypto_: [string, number, number][] = [];
const fetches: [string, number, number][] = [];

const graph = JSON.parse(
  Deno.env.get("COLD_TRACE_MODULES") ?? "[]",
) as string[];
const root = new URL("../../../", import.meta.url).href;
for (const spec of graph) {
  const t = now();
  await import(spec);
  modules.push([
    spec.startsWith(root) ? spec.slice(root.length) : spec,
    now() - t,
  ]);
}
marks.modulesDone = now();

// The Postgres client (postgres.js over node:net): its socket's connect, writes and answers.
const { Socket } = await import("node:net");
const pgSockets = new WeakSet<object>();
const realConnect = Socket.prototype.connect;
const realWrite = Socket.prototype.write;
// deno-lint-ignore no-explicit-any
(Socket.prototype as any).connect = function (this: InstanceType<typeof Socket>, ...a: unknown[]) {
  if (net.connect === undefined) {
    net.connect = now();
    pgSockets.add(this);
    this.once("connect", () => (net.tcp = now()));
    this.on("data", () => net.data.length < 24 && net.data.push(now()));
  }
  // deno-lint-ignore no-explicit-any
  return (realConnect as any).apply(this, a);
};
// deno-lint-ignore no-explicit-any
(Socket.prototype as any).write = function (this: InstanceType<typeof Socket>, ...a: unknown[]) {
  if (pgSockets.has(this) && net.writes.length < 24) {
    net.writes.push([now(), (a[0] as { length?: number })?.length ?? 0]);
  }
  // deno-lint-ignore no-explicit-any
  return (realWrite as any).apply(this, a);
};

const subtle = crypto.subtle;
for (const name of ["importKey", "verify"] as const) {
  const real = subtle[name].bind(subtle) as (
    ...a: unknown[]
  ) => Promise<unknown>;
  // deno-lint-ignore no-explicit-any
  (subtle as any)[name] = async (...a: unknown[]) => {
    const t = now();
    try {
      return await real(...a);
    } finally {
      crypto_.push([name, t, now()]);
    }
  };
}
const realFetch = globalThis.fetch;
globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
  const t = now();
  const url = new URL(input instanceof Request ? input.url : String(input));
  try {
    return await realFetch(input, init);
  } finally {
    fetches.push([url.pathname, t, now()]);
  }
};

// function-host.ts binds the real Deno.serve when it loads: wrap it first, to see the request.
const realServe = Deno.serve.bind(Deno);
let answered = false;
// deno-lint-ignore no-explicit-any
(Deno as any).serve = (
  options: Deno.ServeTcpOptions,
  handler: Deno.ServeHandler,
) => {
  marks.serve = now();
  return realServe(options, async (req, info) => {
    const first = !answered;
    answered = true;
    const t = now();
    const res = await handler(req, info);
    if (first) {
      const line = JSON.stringify({
        ...marks,
        request: t,
        response: now(),
        serverTiming: res.headers.get("server-timing"),
        modules,
        net,
        crypto: crypto_,
        fetches,
      });
      console.log(`\u0001cold ${line}`);
    }
    return res;
  });
};

marks.hostImport = now();
await import(new URL("../../stack/function-host.ts", import.meta.url).href);
marks.hostDone = now();
