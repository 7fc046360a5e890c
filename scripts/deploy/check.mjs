// The deploy gate's core: every function of config.toml against the server-side bundle limit, and
// the secrets the functions read against hosted's reserved prefix. Printing lives here too so the
// test can run the same core on a fixture.
import { dirname, join } from "node:path";
import { BIN, readSupabaseConfig, ROOT, withSystemCa } from "../stack/config.mjs";
import { BUNDLE_LIMIT_BYTES, checkFunctionBundle } from "./bundle.mjs";
import { checkSecrets } from "./secrets.mjs";

/**
 * Checks every enabled `[functions.*]` of `configPath`; secrets are scanned in the `functions/`
 * folder beside it. `ok` is false when a function is OVER or ERROR, or a secret is reserved.
 *
 * @example
 * const result = await checkDeploy();
 * if (!result.ok) process.exitCode = 1;
 */
export async function checkDeploy({
  configPath = join(ROOT, "supabase/config.toml"),
  deno = BIN.deno,
  limitBytes = BUNDLE_LIMIT_BYTES,
  root = ROOT,
} = {}) {
  const { functions } = readSupabaseConfig(configPath);
  const env = withSystemCa(process.env);
  const bundles = await Promise.all(functions.map(async (fn) => {
    try {
      return await checkFunctionBundle(fn, { deno, root, env, limitBytes });
    } catch (e) {
      return { slug: fn.slug, status: "ERROR", limitBytes, errors: [String(e?.message ?? e)] };
    }
  }));
  const secrets = checkSecrets({ functionsDir: join(dirname(configPath), "functions"), root });
  return {
    ok: bundles.every((b) => b.status === "OK") && secrets.ok,
    limitBytes,
    measure: "brotli q6 (2^22 window) of every local module + each npm package's whole folder",
    functions: bundles,
    secrets,
  };
}

const mb = (bytes) => (bytes / 1e6).toFixed(2);

/** The human report: one table row per function, its top packages, then the secrets verdict. */
export function formatReport(result, { top = 5 } = {}) {
  const lines = [];
  const w = Math.max(8, ...result.functions.map((f) => f.slug.length));
  lines.push(
    `Server-side bundle (supabase functions deploy without Docker): limit ${
      mb(result.limitBytes)
    } MB, measured as ${result.measure}.`,
    "",
    `${"function".padEnd(w)}  ${"files".padStart(6)}  ${"raw MB".padStart(7)}  ${
      "brotli MB".padStart(9)
    }  ${"limit".padStart(5)}  status`,
  );
  for (const f of result.functions) {
    const row = f.status === "ERROR"
      ? `${f.slug.padEnd(w)}  ${"".padStart(6)}  ${"".padStart(7)}  ${"".padStart(9)}  ${
        mb(f.limitBytes).padStart(5)
      }  ERROR`
      : `${f.slug.padEnd(w)}  ${String(f.files).padStart(6)}  ${mb(f.rawBytes).padStart(7)}  ${
        mb(f.compressedBytes).padStart(9)
      }  ${mb(f.limitBytes).padStart(5)}  ${f.status} (${f.marginBytes >= 0 ? "" : "+"}${
        mb(Math.abs(f.marginBytes))
      } MB ${f.marginBytes >= 0 ? "spare" : "over"})`;
    lines.push(row);
  }
  for (const f of result.functions) {
    lines.push("", `${f.slug}:`);
    if (f.status === "ERROR") {
      for (const e of f.errors) lines.push(`  error: ${e}`);
      continue;
    }
    lines.push(
      `  local modules + deno.json: ${f.local.files} files, ${mb(f.local.rawBytes)} MB raw, ${
        mb(f.local.compressedBytes)
      } MB brotli`,
    );
    const largest = [...f.packages].sort((a, b) => b.compressedBytes - a.compressedBytes);
    for (const p of largest.slice(0, top)) {
      lines.push(
        `  ${p.id.padEnd(36)} ${mb(p.rawBytes).padStart(6)} MB raw  ${
          mb(p.compressedBytes).padStart(5)
        } MB brotli  (${p.files} files)`,
      );
    }
    if (largest.length > top) lines.push(`  … and ${largest.length - top} smaller packages`);
  }
  lines.push("");
  const { secrets } = result;
  if (secrets.ok) {
    lines.push(
      `Secrets: ${secrets.custom.length} custom names, none with the reserved SUPABASE_ prefix.`,
    );
  } else {
    lines.push(
      "Secrets: hosted reserves the SUPABASE_ prefix (`supabase secrets set` skips such names), so",
      "these settings the functions read can never be set on hosted. Rename them:",
    );
    for (const s of secrets.reserved) {
      lines.push(`  ${s.name} -> e.g. ${s.rename}   read at ${s.where.join(", ")}`);
    }
  }
  lines.push("", result.ok ? "check:deploy OK" : "check:deploy FAILED");
  return lines.join("\n");
}
