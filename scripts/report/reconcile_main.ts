/**
 * `npm run reconcile -- [--from D --to D] [source flags as in `npm run report`]
 * [--threshold-usd 0.01] [--threshold-percent 1] [--fail-on-drift] [--json]`
 *
 * Compares the ledger's OpenAI rows (ai_spend_by_model, per UTC day and model) with OpenAI's
 * organization Costs and Usage APIs (OPENAI_ADMIN_KEY, OPENAI_BASE_URL, default
 * https://api.openai.com/v1) and lists the differences above the thresholds. Exits 0 with the
 * listing; with --fail-on-drift, 3 when there is any difference (for cron); 1 on an error.
 * Default period: the 7 UTC days ending yesterday (today's costs are still arriving).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { resolvePeriod } from "./period.ts";
import { dataApiSource, postgresSource, type SpendSource } from "./sources.ts";
import { VIEWS } from "./spend.ts";
import { fetchOpenAIBilled } from "./openai_org.ts";
import {
  DEFAULT_THRESHOLDS,
  formatReconciliation,
  ledgerOpenAIRows,
  reconcile,
} from "./reconcile.ts";

const LOCAL_DB_URL = "postgresql://postgres:postgres@127.0.0.1:54322/postgres";

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      from: { type: "string" },
      to: { type: "string" },
      url: { type: "string" },
      "api-key": { type: "string" },
      token: { type: "string" },
      "db-url": { type: "string" },
      "threshold-usd": { type: "string" },
      "threshold-percent": { type: "string" },
      "fail-on-drift": { type: "boolean" },
      json: { type: "boolean" },
    },
  });
  const env = (k: string) => Deno.env.get(k) || undefined;
  const yesterday = new Date(Date.now() - 86_400_000);
  const period = resolvePeriod({ from: values.from, to: values.to }, yesterday, 7);
  const adminKey = env("OPENAI_ADMIN_KEY");
  if (!adminKey) {
    throw Object.assign(new Error("OPENAI_ADMIN_KEY is not set"), {
      code: "usage",
      hint:
        "Create an Admin API key (platform.openai.com → Organization → Admin keys) and export OPENAI_ADMIN_KEY.",
    });
  }
  const thresholds = {
    usd: values["threshold-usd"] ?? DEFAULT_THRESHOLDS.usd,
    percent: values["threshold-percent"] !== undefined
      ? Number(values["threshold-percent"])
      : DEFAULT_THRESHOLDS.percent,
  };
  let source: SpendSource;
  const url = values.url;
  if (url) {
    const accessToken = values.token ?? env("REPORT_ACCESS_TOKEN");
    const apiKey = values["api-key"] ?? env("SUPABASE_ANON_KEY");
    if (!accessToken || !apiKey) {
      throw Object.assign(new Error("--url needs --token and --api-key"), { code: "usage" });
    }
    source = dataApiSource({ url, apiKey, accessToken });
  } else source = postgresSource(values["db-url"] ?? env("SUPABASE_DB_URL") ?? LOCAL_DB_URL);
  try {
    const [rows, billed] = await Promise.all([
      source.view(VIEWS.model.name, VIEWS.model.columns, "day", period.from, period.to),
      fetchOpenAIBilled({
        baseUrl: env("OPENAI_BASE_URL") ?? "https://api.openai.com/v1",
        adminKey,
      }, period),
    ]);
    const result = reconcile(ledgerOpenAIRows(rows), billed, thresholds);
    console.log(
      values.json
        ? JSON.stringify({ period: { from: period.from, to: period.to }, ...result }, null, 2)
        : formatReconciliation(result, period),
    );
    return values["fail-on-drift"] && result.differences.length > 0 ? 3 : 0;
  } finally {
    await source.close();
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main());
  } catch (e) {
    const err = e as Error & { code?: string; hint?: string };
    console.error(
      JSON.stringify({
        error: { code: err.code ?? "reconcile_failed", message: err.message, hint: err.hint },
      }),
    );
    Deno.exit(1);
  }
}
