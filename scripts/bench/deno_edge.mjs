// Runs one of the benches' Deno 2.1 scripts (the line hosted runs functions on) the way
// bench:transport and bench:stream do: all permissions, no type-check, no lockfile (2.1 cannot
// read the root one), the root deno.json, output inherited; resolves the script's exit code.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { BIN, ROOT } from "../stack/config.mjs";

/** @param {string} script path from the repository root  @param {Record<string, string>} env extra variables */
export function runOnDenoEdge(script, env) {
  const child = spawn(BIN.denoEdge, [
    "run",
    "-A",
    "--no-check",
    "--no-lock",
    "--config",
    "deno.json",
    join(ROOT, script),
  ], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, ...env } });
  return new Promise((resolve) => child.on("close", (code) => resolve(code ?? 1)));
}
