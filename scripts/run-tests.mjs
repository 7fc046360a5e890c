#!/usr/bin/env node
// `npm test`: starts its own stack on other ports (25321…, a fresh database) so it works while
// `npm start` runs, runs the whole suite with `deno test`, lints the migrated database with
// `supabase db advisors`, stops the stack and exits non-zero on any failure.
//   npm test -- tests/stack      run only some test files (arguments go to `deno test`)
//   TEST_STACK_PORT=26321 npm test   another port block, e.g. for two runs side by side
import { spawn } from "node:child_process";
import { join } from "node:path";
import { BIN, PROFILES, readSupabaseConfig, ROOT, withSystemCa } from "./stack/config.mjs";
import { dbUrl } from "./stack/postgres.mjs";
import { run } from "./stack/processes.mjs";
import { handleSignals, PortInUseError, startStack } from "./stack/index.mjs";
import { printWorkerStats } from "./stack/workers.mjs";

const t0 = Date.now();
const testArgs = process.argv.slice(2);
const fixtures = join(ROOT, "tests/stack/fixtures");

// Every line the functions log, to find any request they failed with a 500 (a bug by definition:
// bad input has its own 4xx codes).
const functionLog = [];
let stack;
try {
  stack = await startStack({
    log: (line) => functionLog.push(line),
    apiPort: Number(process.env.TEST_STACK_PORT ?? PROFILES.test.apiPort),
    dataDir: process.env.TEST_STACK_PORT
      ? `${PROFILES.test.dataDir}-${process.env.TEST_STACK_PORT}`
      : PROFILES.test.dataDir,
    fresh: true,
    forceOffline: true,
    fast: true,
    // Fixture functions from the test tree check the gateway's verify_jwt handling.
    extraFunctions: [
      { slug: "stack-fixture", verifyJwt: true, entrypoint: join(fixtures, "echo.ts") },
      { slug: "stack-fixture-public", verifyJwt: false, entrypoint: join(fixtures, "echo.ts") },
    ],
    // A short overall deadline lets the "provider hangs" tests finish in seconds; tripwire chat is
    // configured with a retired model to check that its catalog replacement answers.
    functionEnv: {
      AI_DEADLINE_MS: "6000",
      RECORD_AI_OPERATION_SECRET: "rec_test_secret_for_the_local_suite_only",
      AI_ATTEMPT_TIMEOUT_MS: "4000",
      // A silent model commits a stream after 1 s, with keep-alive comments every 300 ms.
      AI_STREAM_COMMIT_MS: "1000",
      AI_STREAM_KEEPALIVE_MS: "300",
      AI_CHAT_MODELS_TRIPWIRE: "groq:llama-3.3-70b-versatile,openai:gpt-4.1-mini",
      // Tripwire voice on the cheaper turbo model: per-platform speech routing, end to end.
      AI_SPEECH_MODELS_TRIPWIRE: "groq:whisper-large-v3-turbo,openai:gpt-transcribe",
    },
  });
} catch (e) {
  console.error(e instanceof PortInUseError ? `Cannot start the test stack: ${e.message}` : e);
  process.exit(1);
}
console.log(`test stack ready in ${((Date.now() - t0) / 1000).toFixed(1)} s on ${stack.urls.api}`);

let stopping = false;
const stopAndExit = async (code) => {
  if (stopping) return;
  stopping = true;
  await stack.stop();
  process.exit(code);
};
handleSignals((sig) => stopAndExit(sig === "SIGINT" ? 130 : 143));

const env = {
  ...process.env,
  SUPABASE_URL: stack.urls.api,
  SUPABASE_ANON_KEY: stack.keys.anon,
  SUPABASE_SERVICE_ROLE_KEY: stack.keys.serviceRole,
  SUPABASE_DB_URL: stack.urls.db,
  SUPABASE_JWT_SECRET: stack.keys.jwtSecret,
  OFFLINE_PROVIDER_URL: stack.urls.provider ?? "",
  TEST_STACK_PIDS: stack.pids.join(","),
};

const summary = { passed: 0, failed: 0 };

// The house style is checked like behaviour: `deno lint` and `deno fmt --check` over the tree.
for (const args of [["lint", "--quiet"], ["fmt", "--check", "--quiet"]]) {
  const r = await run(BIN.deno, args, { cwd: ROOT });
  console.log(`deno ${args.join(" ")}: ${r.code === 0 ? "clean" : "problems"}`);
  if (r.code === 0) summary.passed += 1;
  else {
    console.log(r.output);
    summary.failed += 1;
  }
}

// The functions run without type-checking (as on the edge runtime): check them here, once.
const entrypoints = stack.functions.length
  ? readSupabaseConfig().functions.map((f) => f.entrypoint)
  : [];
if (entrypoints.length) {
  // On the Deno line hosted runs them on (2.1), each with its own deno.json as when deployed.
  console.log(`deno check ${entrypoints.length} function entrypoints on Deno 2.1 (hosted's line)`);
  let output = "";
  let code = 0;
  for (const f of readSupabaseConfig().functions) {
    const r = await run(BIN.denoEdge, ["check", "--quiet", "--config", f.importMap, f.entrypoint], {
      cwd: ROOT,
      env: withSystemCa(process.env),
    });
    if (r.code !== 0) {
      code = r.code;
      output += r.output;
    }
  }
  const check = { code, output };
  if (check.code === 0) summary.passed += 1;
  else {
    console.log(check.output);
    summary.failed += 1;
  }
}
/** The counts in `deno test`'s closing line ("ok | 12 passed (3 steps) | 0 failed (4s)"), or null. */
function denoTestCounts(output) {
  // deno-lint-ignore no-control-regex
  const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
  const m = /(?:ok|FAILED) \| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/.exec(plain);
  return m ? { passed: Number(m[1]), failed: Number(m[2]) } : null;
}

// The provider transport speaks HTTP over the runtime's own sockets (Deno.connect, connectTls,
// ref/unref): its tests run on the worker's Deno (2.1, hosted's line) too, not only on the CLI's.
if (testArgs.length === 0 || testArgs.some((a) => a.includes("h1_transport"))) {
  const h1 = await run(BIN.denoEdge, [
    "test",
    "--allow-all",
    "--no-check",
    "--no-lock",
    "--config",
    "deno.json",
    "supabase/functions/_shared/ai/h1_transport_test.ts",
  ], { cwd: ROOT, env: withSystemCa(process.env) });
  const counts = denoTestCounts(h1.output);
  console.log(
    `provider transport on Deno 2.1: ${
      counts ? `${counts.passed} passed, ${counts.failed} failed` : "did not run"
    }`,
  );
  summary.passed += counts?.passed ?? 0;
  summary.failed += counts ? counts.failed : 1;
  if (h1.code !== 0) console.log(h1.output);
}

// The deploy gate: every function under hosted's 5 MB server-side bundle, no SUPABASE_ secrets.
const deploy = await run(process.execPath, [join(ROOT, "scripts/check-deploy.mjs")], {
  cwd: ROOT,
  env: withSystemCa(process.env),
});
console.log(deploy.output.trim());
if (deploy.code === 0) summary.passed += 1;
else summary.failed += 1;

// The shared/ downscaler in a real Chromium (the one the @sparticuz/chromium npm package ships).
if (testArgs.length === 0 || testArgs.some((a) => a.includes("browser"))) {
  const browser = await run(process.execPath, ["tests/browser/downscale_browser.mjs"], {
    cwd: ROOT,
  });
  const count = (k) => Number(new RegExp(`^# ${k} (\\d+)$`, "m").exec(browser.output)?.[1] ?? 0);
  console.log(`browser test (Chromium): ${count("pass")} passed, ${count("fail")} failed`);
  summary.passed += count("pass");
  summary.failed += count("fail") || (browser.code !== 0 ? 1 : 0);
  if (browser.code !== 0) console.log(browser.output);
}

const deno = spawn(BIN.deno, ["test", "--allow-all", ...testArgs], {
  cwd: ROOT,
  env,
  stdio: ["ignore", "pipe", "inherit"],
});
deno.stdout.on("data", (d) => {
  process.stdout.write(d);
  const counts = denoTestCounts(String(d));
  if (counts) {
    summary.passed += counts.passed;
    summary.failed += counts.failed;
  }
});
const denoCode = await new Promise((resolve) => deno.on("close", resolve));
if (denoCode !== 0 && summary.failed === 0) summary.failed += 1;

const unhandled = functionLog.filter((l) => l.includes('"msg":"unhandled error"'));
console.log(
  `\nfunction logs: ${unhandled.length} unhandled errors (500s) in ${functionLog.length} lines`,
);
if (unhandled.length === 0) summary.passed += 1;
else {
  for (const l of unhandled.slice(0, 10)) console.log(`  ${l.slice(0, 600)}`);
  summary.failed += 1;
}

console.log("\nsupabase db advisors --type all --fail-on warn");
const adv = await run(BIN.supabase, [
  "db",
  "advisors",
  "--db-url",
  dbUrl(stack.ports.db),
  "--type",
  "all",
  "--fail-on",
  "warn",
], { cwd: ROOT });
console.log(adv.output.trim());
if (adv.code === 0) summary.passed += 1;
else summary.failed += 1;

printWorkerStats(stack);
await stack.stop();
stopping = true;
console.log(`\nnpm test finished in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`${summary.passed} passed, ${summary.failed} failed`);
process.exit(summary.failed > 0 ? 1 : 0);
