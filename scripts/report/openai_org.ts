/**
 * Reads OpenAI's organization Costs and Usage APIs (an Admin API key) into per-day, per-model
 * totals: `GET /organization/costs?group_by=line_item` (USD per line item "<model>, <kind>"),
 * `GET /organization/usage/completions?group_by=model` and
 * `GET /organization/usage/audio_transcriptions?group_by=model`, all in 1-day buckets, following
 * `next_page`. Shapes: the `openai` SDK 7.57.0 types (`UsageCostsResponse` and friends).
 *
 * @module
 */

import {
  addDecimal,
  decimalFromNumber,
  formatDecimal,
  parseDecimal,
} from "../../supabase/functions/_shared/ai/decimal.ts";
import type { Period } from "./period.ts";

/** What OpenAI reports for one UTC day and model (snapshot dates stripped, see `baseModel`). */
export interface BilledDayModel {
  readonly day: string;
  readonly model: string;
  /** USD, 10 places, from the Costs API. */
  cost_usd: string;
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  audio_seconds: number;
  requests: number;
}

export class OpenAIOrgError extends Error {
  readonly code = "openai_org_api_failed";
  constructor(message: string, readonly hint: string) {
    super(message);
    this.name = "OpenAIOrgError";
  }
}

/** "gpt-4.1-mini-2025-04-14" → "gpt-4.1-mini": the ledger records the alias it asked for. */
export function baseModel(model: string): string {
  return model.replace(/-\d{4}-\d{2}-\d{2}$/, "");
}

/** The model of a cost line item ("gpt-4o-2024-08-06, input" → "gpt-4o"). */
export function lineItemModel(lineItem: string): string {
  return baseModel(lineItem.split(",")[0].trim());
}

interface Bucket {
  start_time: number;
  results: Array<Record<string, unknown>>;
}

export interface OrgApiOptions {
  /** OPENAI_BASE_URL, e.g. https://api.openai.com/v1 */
  readonly baseUrl: string;
  /** OPENAI_ADMIN_KEY (sk-admin-…). */
  readonly adminKey: string;
  readonly fetch?: typeof fetch;
}

async function buckets(
  opts: OrgApiOptions,
  path: string,
  period: Period,
  groupBy: string,
): Promise<Bucket[]> {
  const doFetch = opts.fetch ?? fetch;
  const start = Date.parse(`${period.from}T00:00:00Z`) / 1000;
  const end = Date.parse(`${period.toExclusive}T00:00:00Z`) / 1000;
  const out: Bucket[] = [];
  let page: string | null = null;
  for (let i = 0; i < 100; i++) {
    const q = new URLSearchParams({
      start_time: String(start),
      end_time: String(end),
      bucket_width: "1d",
      limit: "31",
    });
    q.append("group_by", groupBy);
    if (page) q.set("page", page);
    const res = await doFetch(`${opts.baseUrl.replace(/\/+$/, "")}${path}?${q}`, {
      headers: { authorization: `Bearer ${opts.adminKey}`, accept: "application/json" },
    });
    if (!res.ok) {
      await res.body?.cancel();
      throw new OpenAIOrgError(
        `GET ${path} answered ${res.status}`,
        res.status === 401 || res.status === 403
          ? "Set OPENAI_ADMIN_KEY to an Admin API key (platform.openai.com → Organization → Admin keys); project keys cannot read costs."
          : "Check OPENAI_BASE_URL (e.g. https://api.openai.com/v1).",
      );
    }
    const body = await res.json() as {
      data: Bucket[];
      has_more: boolean;
      next_page: string | null;
    };
    out.push(...body.data);
    if (!body.has_more || !body.next_page) return out;
    page = body.next_page;
  }
  throw new OpenAIOrgError(`GET ${path}: more than 100 pages`, "Use a shorter --from/--to.");
}

const day = (unix: number) => new Date(unix * 1000).toISOString().slice(0, 10);
const count = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
function money(v: unknown): string {
  if (typeof v === "number" && Number.isFinite(v)) return formatDecimal(decimalFromNumber(v), 10);
  if (typeof v === "string") return formatDecimal(parseDecimal(v), 10);
  return formatDecimal("0", 10);
}

/** Per day and model: OpenAI's billed cost and usage over `period`. */
export async function fetchOpenAIBilled(
  opts: OrgApiOptions,
  period: Period,
): Promise<BilledDayModel[]> {
  const [costs, completions, transcriptions] = await Promise.all([
    buckets(opts, "/organization/costs", period, "line_item"),
    buckets(opts, "/organization/usage/completions", period, "model"),
    buckets(opts, "/organization/usage/audio_transcriptions", period, "model"),
  ]);
  const rows = new Map<string, BilledDayModel>();
  const at = (d: string, model: string) => {
    const key = `${d}|${model}`;
    let row = rows.get(key);
    if (!row) {
      row = {
        day: d,
        model,
        cost_usd: formatDecimal("0", 10),
        input_tokens: 0,
        cached_input_tokens: 0,
        output_tokens: 0,
        audio_seconds: 0,
        requests: 0,
      };
      rows.set(key, row);
    }
    return row;
  };
  for (const b of costs) {
    for (const r of b.results) {
      const amount = r.amount as { value?: unknown } | undefined;
      const row = at(day(b.start_time), lineItemModel(String(r.line_item ?? "(unknown)")));
      row.cost_usd = formatDecimal(addDecimal(row.cost_usd, money(amount?.value)), 10);
    }
  }
  for (const b of completions) {
    for (const r of b.results) {
      const row = at(day(b.start_time), baseModel(String(r.model ?? "(unknown)")));
      row.input_tokens += count(r.input_tokens);
      row.cached_input_tokens += count(r.input_cached_tokens);
      row.output_tokens += count(r.output_tokens);
      row.requests += count(r.num_model_requests);
    }
  }
  for (const b of transcriptions) {
    for (const r of b.results) {
      const row = at(day(b.start_time), baseModel(String(r.model ?? "(unknown)")));
      row.audio_seconds += count(r.seconds);
      row.requests += count(r.num_model_requests);
    }
  }
  return [...rows.values()].sort((a, b) =>
    a.day.localeCompare(b.day) || a.model.localeCompare(b.model)
  );
}
