/**
 * `npm run report -- --out DIR [--from YYYY-MM-DD] [--to YYYY-MM-DD] [source] [--what-if SPEC]
 * [--eval results.json]`: writes DIR/report.html (self-contained, charts inlined) and
 * DIR/spend.json.
 *
 * Source, one of:
 * - `--url https://<ref>.supabase.co --api-key <publishable key> --token <admin access token>`
 *   (or SUPABASE_URL, SUPABASE_ANON_KEY, REPORT_ACCESS_TOKEN): the Data API as an admin;
 * - `--db-url postgresql://…` (or SUPABASE_DB_URL): the database; also reads budget limits;
 * - nothing: the local stack's database (`npm start`, port 54322).
 *
 * Exits 0 with the two paths printed; 1 with `{ code, message, hint }` on stderr.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { resolvePeriod } from "./period.ts";
import { dataApiSource, postgresSource, type SpendSource } from "./sources.ts";
import { buildSpendReport, readViews } from "./spend.ts";
import { renderReportHtml } from "./html.ts";
import { parseEvalResults, parseWhatIf, repriceUsage } from "./what_if.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** The charting library, inlined from its npm package (devDependency chart.js). */
export const CHART_JS_PATH = join(ROOT, "node_modules/chart.js/dist/chart.umd.min.js");
const LOCAL_DB_URL = "postgresql://postgres:postgres@127.0.0.1:54322/postgres";

class UsageError extends Error {
  readonly code = "usage";
  constructor(message: string, readonly hint: string) {
    super(message);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      out: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      url: { type: "string" },
      "api-key": { type: "string" },
      token: { type: "string" },
      "db-url": { type: "string" },
      "what-if": { type: "string" },
      eval: { type: "string" },
    },
  });
  if (!values.out) {
    throw new UsageError(
      "--out DIR is required",
      "npm run report -- --out .local/report [--from 2026-11-01 --to 2026-11-30]",
    );
  }
  const period = resolvePeriod({ from: values.from, to: values.to }, new Date());
  const rules = values["what-if"] ? parseWhatIf(values["what-if"]) : null;
  const evalResults = values.eval
    ? parseEvalResults(JSON.parse(await Deno.readTextFile(values.eval)))
    : undefined;

  const source = pickSource(values);
  try {
    const rows = await readViews(source, period);
    const whatIf = rules
      ? repriceUsage(values["what-if"]!, rules, await source.usageGroups(period), evalResults)
      : undefined;
    const report = buildSpendReport(period, rows, {
      generatedAt: new Date(),
      source: source.description,
      whatIf,
    });
    const chartJs = await Deno.readTextFile(CHART_JS_PATH).catch(() => {
      throw new UsageError(
        `cannot read ${CHART_JS_PATH}`,
        "Run `npm ci` (chart.js is a devDependency).",
      );
    });
    await Deno.mkdir(values.out, { recursive: true });
    const htmlPath = join(values.out, "report.html");
    const jsonPath = join(values.out, "spend.json");
    await Deno.writeTextFile(htmlPath, renderReportHtml(report, chartJs));
    await Deno.writeTextFile(jsonPath, JSON.stringify(report, null, 2) + "\n");
    console.log(`${htmlPath}\n${jsonPath}`);
    console.log(
      `total ${report.total_cost_usd} USD, ${report.period.from} to ${report.period.to}` +
        (whatIf ? `; what if: ${whatIf.total_cost_usd} USD` : ""),
    );
  } finally {
    await source.close();
  }
}

function pickSource(values: Record<string, string | undefined>): SpendSource {
  const env = (k: string) => Deno.env.get(k) || undefined;
  const url = values.url ??
    (values["db-url"] ? undefined : env("REPORT_ACCESS_TOKEN") && env("SUPABASE_URL"));
  if (url) {
    const accessToken = values.token ?? env("REPORT_ACCESS_TOKEN");
    const apiKey = values["api-key"] ?? env("SUPABASE_ANON_KEY") ?? env("SUPABASE_PUBLISHABLE_KEY");
    if (!accessToken || !apiKey) {
      throw new UsageError(
        "--url needs --token (an admin's access token) and --api-key (the publishable key)",
        "Locally: npm run token -- <uuid> --admin. Hosted: sign in as an admin and copy the session's access_token.",
      );
    }
    return dataApiSource({ url, apiKey, accessToken });
  }
  return postgresSource(values["db-url"] ?? env("SUPABASE_DB_URL") ?? LOCAL_DB_URL);
}

if (import.meta.main) {
  try {
    await main();
  } catch (e) {
    const err = e as Error & { code?: string; hint?: string };
    console.error(
      JSON.stringify({
        error: { code: err.code ?? "report_failed", message: err.message, hint: err.hint },
      }),
    );
    Deno.exit(1);
  }
}
