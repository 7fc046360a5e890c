// What a cold process-chat worker loads before its first answer (docs/PERFORMANCE.md, "Cold
// start"): its entry's imports, but not zod (loaded for a request the plain check does not accept)
// nor supabase-js (loaded at the first ledger write). Both stay in the deployed bundle, behind
// dynamic imports.
import assert from "node:assert/strict";

const ROOT = new URL("../../../", import.meta.url);

interface Info {
  roots: string[];
  redirects: Record<string, string>;
  modules: {
    specifier: string;
    dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[];
  }[];
}

async function graph(): Promise<Info> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "info",
      "--json",
      "--no-lock",
      "--config",
      "supabase/functions/process-chat/deno.json",
      "supabase/functions/process-chat/index.ts",
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** The npm packages reached from the entry; dynamic imports followed from the entry only, or all. */
function npmReached(info: Info, dynamic: "entry" | "all"): Set<string> {
  const bySpec = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const npm = new Set<string>();
  const visit = (spec: string, isRoot: boolean) => {
    spec = info.redirects[spec] ?? spec;
    if (seen.has(spec)) return;
    seen.add(spec);
    if (spec.startsWith("npm:")) {
      npm.add(spec.replace(/^npm:\/?/, "").replace(/@[^@/]+$/, ""));
    }
    for (const d of bySpec.get(spec)?.dependencies ?? []) {
      if (d.code && (!d.isDynamic || isRoot || dynamic === "all")) {
        visit(d.code.specifier, false);
      }
    }
  };
  visit(info.roots[0], true);
  return npm;
}

Deno.test("process-chat starts without loading zod or supabase-js; both stay in its bundle", async () => {
  const info = await graph();
  assert.deepEqual([...npmReached(info, "entry")].sort(), ["postgres"]);
  assert.deepEqual([...npmReached(info, "all")].sort(), [
    "@supabase/supabase-js",
    "postgres",
    "zod",
  ]);
});
