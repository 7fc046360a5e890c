#!/usr/bin/env node
// `npm run bench`: what process-chat adds over a direct call to the (offline) provider, and its
// throughput under concurrent load with a count of lost ledger rows. Starts its own stack on
// 28321… with a fresh database, so it runs beside `npm start` and `npm test`.
//   npm run bench -- --sequential 500 --concurrency 64 --seconds 20 [--store postgres]
// --store picks how functions reach budgets and idempotency: `postgres` (default, as the stack and
// hosted with AI_CONTROL_DB_URL: one connection per worker, one simple-protocol statement per
// call, no prepared statements, as the transaction pooler needs) or `data-api` (PostgREST
// `.rpc()`, no connection held by functions). It prints the Postgres connections the function
// workers hold while 64 students chat.
import http from "node:http";
import { readdirSync, readFileSync } from "node:fs";
import pg from "pg";
import { BENCH_API_PORT, PROFILES } from "../stack/config.mjs";
import { signUserJwt } from "../stack/jwt.mjs";
import { startStack } from "../stack/index.mjs";
import { printWorkerStats } from "../stack/workers.mjs";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const SEQUENTIAL = opt("--sequential", 500);
const CONCURRENCY = opt("--concurrency", 64);
const STORE = args.includes("--store") ? args[args.indexOf("--store") + 1] : "postgres";
const SECONDS = opt("--seconds", 20);
const PORT = opt("--port", BENCH_API_PORT);

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY * 2 });

function post(url, headers, body) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request({
      host: u.hostname,
      port: u.port,
      path: u.pathname,
      method: "POST",
      agent,
      headers: {
        ...headers,
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
      },
    }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on(
        "end",
        () =>
          resolve({
            status: res.statusCode,
            body: Buffer.concat(chunks).toString("utf8"),
            timing: res.headers["server-timing"],
          }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** CPU seconds used so far by each process of the machine, grouped by what it is. */
function cpuByPart(stack) {
  const hz = 100;
  const names = new Map(stack.functions.map((f) => [f.pid, `function ${f.slug}`]));
  const out = {};
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const secs = (Number(f[11]) + Number(f[12])) / hz;
      let part = null;
      if (Number(pid) === process.pid) part = "bench client + gateway (node)";
      else if (names.has(Number(pid)) || cmd.includes("function-host.ts")) {
        part = names.get(Number(pid)) ?? "deno (function children)";
      } else if (cmd.includes("offline-provider")) part = "offline provider (deno)";
      else if (cmd.includes("postgrest")) part = "PostgREST";
      else if (stat.includes("(postgres)") && cmd.includes(String(stack.ports.db))) {
        part = "Postgres";
      } else if (stat.includes("(postgres)")) part = "Postgres";
      if (part) out[part] = (out[part] ?? 0) + secs;
    } catch { /* gone */ }
  }
  return out;
}

const pct = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const fmt = (ms) => `${ms.toFixed(2)} ms`;

async function timeSequential(n, fn) {
  for (let i = 0; i < Math.min(50, n); i++) await fn(); // warm-up: JIT, connections, caches
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: pct(times, 50), p95: pct(times, 95), mean: times.reduce((a, b) => a + b, 0) / n };
}

console.log(`starting a bench stack on ${PORT}…`);
const stack = await startStack({
  apiPort: PORT,
  dataDir: `${PROFILES.test.dataDir}-bench`,
  fresh: true,
  forceOffline: true,
  fast: false,
  seed: false,
  functionEnv: { AI_CONTROL_STORE: STORE },
});
console.log(`control store: ${STORE}`);
const db = new pg.Client({ connectionString: stack.urls.db });
await db.connect();
try {
  // One student per concurrent client (a student does not send 32 requests at once; one student's
  // reservations are serialised by design). The bench students may spend without limit: the bench
  // measures latency, not budgets.
  const now = Math.floor(Date.now() / 1000);
  const tokens = [];
  for (let i = 0; i < CONCURRENCY; i++) {
    const userId = crypto.randomUUID();
    await db.query(
      `insert into auth.users (id, aud, role, email) values ($1, 'authenticated', 'authenticated', $2)`,
      [userId, `bench-${i}@example.test`],
    );
    await db.query(
      `insert into ai_private.budget_limits (platform, period, user_id, limit_usd, note)
                    values ('main','day',$1,1000000,'bench'), ('main','month',$1,1000000,'bench')`,
      [userId],
    );
    tokens.push(
      signUserJwt({
        sub: userId,
        role: "authenticated",
        aud: "authenticated",
        exp: now + 3600,
        iat: now,
      }),
    );
  }

  const message = "Как посчитать конверсию лендинга, если было 1200 посетителей и 36 заявок?";
  const chatBody = JSON.stringify({ platform: "main", message });
  // The same request the curator sends to Groq (system prompt + message), straight to the provider.
  const directBody = JSON.stringify({
    model: "openai/gpt-oss-120b",
    messages: [{ role: "system", content: "Ты — ИИ-куратор онлайн-школы." }, {
      role: "user",
      content: message,
    }],
    max_completion_tokens: 2048,
    reasoning_effort: "low",
  });
  const headersFor = (token) => ({
    authorization: `Bearer ${token}`,
    apikey: stack.keys.publishable,
  });
  const direct = () =>
    post(`${stack.urls.provider}/openai/v1/chat/completions`, {
      authorization: "Bearer offline-groq-key",
    }, directBody);
  // Server-Timing of each sequential request: where inside the function the time goes.
  const steps = new Map();
  let recordSteps = false;
  const viaFunction = async (token = tokens[0]) => {
    const r = await post(`${stack.urls.functions}/process-chat`, headersFor(token), chatBody);
    if (r.status !== 200) throw new Error(`process-chat answered ${r.status}: ${r.body}`);
    if (recordSteps && r.timing) {
      for (const m of String(r.timing).matchAll(/([\w-]+);dur=([\d.]+)/g)) {
        if (!steps.has(m[1])) steps.set(m[1], []);
        steps.get(m[1]).push(Number(m[2]));
      }
    }
    return r;
  };

  const d = await timeSequential(SEQUENTIAL, direct);
  recordSteps = true;
  const f = await timeSequential(SEQUENTIAL, () => viaFunction());
  recordSteps = false;
  console.log(`\nsequential, ${SEQUENTIAL} requests each (after 50 warm-up):`);
  console.log(`  direct to offline provider   p50 ${fmt(d.p50)}  p95 ${fmt(d.p95)}`);
  console.log(`  through process-chat         p50 ${fmt(f.p50)}  p95 ${fmt(f.p95)}`);
  console.log(
    `  added by process-chat        p50 ${fmt(f.p50 - d.p50)}  p95 ${
      fmt(f.p95 - d.p95)
    }   (targets: p50 ≤ 8 ms, p95 ≤ 20 ms)`,
  );
  console.log(`  inside process-chat (its Server-Timing steps, p50; the rest is transport):`);
  for (const [name, list] of steps) {
    list.sort((a, b) => a - b);
    console.log(`    ${name.padEnd(12)} p50 ${fmt(pct(list, 50))}  p95 ${fmt(pct(list, 95))}`);
  }

  // Throughput: CONCURRENCY clients for SECONDS; every 200 is a request that must have its row.
  const ids = [];
  let errors = 0;
  await db.query("select extensions.pg_stat_statements_reset()");
  const cpuBefore = cpuByPart(stack);
  const until = Date.now() + SECONDS * 1000;
  // Postgres connections by client while the students chat: the function workers' own
  // (application_name edge-functions, AI_CONTROL_STORE=postgres) and PostgREST's (fixed pool).
  const connections = { functions: 0, postgrest: 0 };
  const sampleDb = new pg.Client({ connectionString: stack.urls.db });
  await sampleDb.connect();
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const { rows } = await sampleDb.query(
        `select count(*) filter (where application_name = 'edge-functions')::int as functions,
                count(*) filter (where application_name ilike 'postgrest%')::int as postgrest
         from pg_stat_activity where backend_type = 'client backend'`,
      );
      connections.functions = Math.max(connections.functions, rows[0].functions);
      connections.postgrest = Math.max(connections.postgrest, rows[0].postgrest);
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  const t0 = performance.now();
  await Promise.all(tokens.map(async (token) => {
    while (Date.now() < until) {
      try {
        const r = await viaFunction(token);
        ids.push(JSON.parse(r.body).request_id);
      } catch {
        errors++;
      }
    }
  }));
  const elapsed = (performance.now() - t0) / 1000;
  sampling = false;
  await sampler;
  await sampleDb.end();
  const cpuAfter = cpuByPart(stack);
  // Ledger writes run in the background: give them a moment, then count.
  let rows = 0;
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 200));
    const { rows: [{ n }] } = await db.query(
      `select count(distinct request_id)::int as n from public.ai_operations_metrics where request_id = any($1::uuid[])`,
      [ids],
    );
    rows = n;
    if (rows >= ids.length) break;
  }
  console.log(`\n${CONCURRENCY} concurrent clients (one student each) for ${SECONDS} s:`);
  console.log(
    `  ${ids.length} answered, ${errors} failed, ${
      (ids.length / elapsed).toFixed(0)
    } requests/s   (target ≥ 300)`,
  );
  console.log(`  ledger rows lost: ${ids.length - rows} of ${ids.length}   (target 0)`);
  console.log(
    `  Postgres connections held by function workers: ${connections.functions} at most` +
      `   (PostgREST's fixed pool: ${connections.postgrest}; control store: ${STORE})`,
  );
  console.log(`  CPU per answered request, by part:`);
  for (const [part, after] of Object.entries(cpuAfter).sort((a, b) => b[1] - a[1])) {
    const used = after - (cpuBefore[part] ?? 0);
    if (used > 0) {
      console.log(`    ${part.padEnd(34)} ${((used / ids.length) * 1000).toFixed(2)} ms`);
    }
  }
  const { rows: top } = await db.query(`
    select calls, total_exec_time + total_plan_time as ms, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) as q
    from extensions.pg_stat_statements where toplevel order by 2 desc limit 6`);
  console.log(`  Postgres time per answered request, top statements:`);
  for (const t of top) {
    console.log(
      `    ${(t.ms / ids.length).toFixed(2)} ms  ${String(t.calls).padStart(6)} calls  ${t.q}`,
    );
  }
} finally {
  await db.end();
  agent.destroy();
  console.log("");
  printWorkerStats(stack);
  await stack.stop();
}
