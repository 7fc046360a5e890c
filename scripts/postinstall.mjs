#!/usr/bin/env node
// `npm ci` warms Deno's cache for both Deno lines the project uses, so the first `npm start` or
// `npm test` on a fresh machine downloads nothing:
// - Deno 2.9 (node_modules/deno) runs the tools, tests, the offline provider and the stack host;
// - Deno 2.1 (tools/deno-edge, the line hosted Supabase's edge runtime is on) runs the
//   function workers, each with its own deno.json as on hosted.
//   Each function also gets a Deno 2.1 lockfile under .local/edge-locks/ (stack/workers.mjs,
//   edgeLockPath), so that a worker starts from a resolved set of npm packages as hosted does.
import { mkdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { BIN, readSupabaseConfig, ROOT, withSystemCa } from "./stack/config.mjs";
import { run } from "./stack/processes.mjs";
import { edgeLockPath } from "./stack/workers.mjs";

const functions = readSupabaseConfig().functions;
const tools = [
  "scripts/stack/function-host.ts",
  "scripts/offline-provider/main.ts",
  ...functions.map((f) => f.entrypoint),
];
const steps = [
  // `deno cache`, not `deno install`: install also resolves package.json's npm dependencies into
  // deno.lock, which the next `deno test` prunes again (a lockfile that changed on every run).
  [BIN.deno, ["cache", "--quiet", "--config", "deno.json", ...tools]],
  // Each function's Deno 2.1 lockfile is written here, from scratch (workers.mjs, edgeLockPath).
  ...functions.map((f) => [
    BIN.denoEdge,
    [
      "cache",
      "--quiet",
      `--lock=${edgeLockPath(f.importMap)}`,
      "--config",
      f.importMap,
      "scripts/stack/function-host.ts",
      f.entrypoint,
    ],
  ]),
];
// Deno 2.1 lives in its own npm project (see BIN.denoEdge in stack/config.mjs).
const edge = await run("npm", ["ci", "--prefix", "tools/deno-edge", "--no-audit", "--no-fund"], {
  cwd: ROOT,
});
if (edge.code !== 0) {
  console.error(`postinstall: npm ci --prefix tools/deno-edge failed:\n${edge.output}`);
  process.exit(1);
}
for (const f of functions) {
  mkdirSync(dirname(edgeLockPath(f.importMap)), { recursive: true });
  rmSync(edgeLockPath(f.importMap), { force: true });
}
for (const [bin, args] of steps) {
  const r = await run(bin, args, { cwd: ROOT, env: withSystemCa(process.env) });
  if (r.code !== 0) {
    console.error(`postinstall: ${bin} ${args.join(" ")} failed:\n${r.output}`);
    process.exit(1);
  }
}
