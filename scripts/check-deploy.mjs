#!/usr/bin/env node
// `npm run check:deploy`: would every function fit hosted Supabase's 5 MB server-side bundle, and
// can every secret it reads be set there? Exits 1 when not. See scripts/deploy/bundle.mjs for what
// is measured and why.
//   npm run check:deploy                 the table, the largest packages, the secrets verdict
//   npm run check:deploy -- --json       the same as JSON, for tools
//   npm run check:deploy -- --config <supabase/config.toml>   another project (the test's fixture)
import { resolve } from "node:path";
import { checkDeploy, formatReport } from "./deploy/check.mjs";

const args = process.argv.slice(2);
const json = args.includes("--json");
const configAt = args.indexOf("--config");
const configPath = configAt >= 0 ? resolve(args[configAt + 1] ?? "") : undefined;
const unknown = args.filter((a) => a.startsWith("--") && a !== "--json" && a !== "--config");
if (unknown.length || (configAt >= 0 && !args[configAt + 1])) {
  console.error(
    unknown.length
      ? `check:deploy: unknown arguments ${unknown.join(" ")}`
      : "check:deploy: --config needs the path of a supabase/config.toml",
  );
  process.exit(2);
}

const result = await checkDeploy(configPath ? { configPath } : {});
console.log(json ? JSON.stringify(result, null, 2) : formatReport(result));
process.exitCode = result.ok ? 0 : 1;
