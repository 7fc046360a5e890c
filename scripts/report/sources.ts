/**
 * Where the spend report reads from: the spend views through the Data API (PostgREST) with an
 * admin session, or the database URL (as the `postgres` role, which reads the same views over the
 * rollups). Both return numeric columns as exact decimal strings: PostgREST is asked to cast them
 * (`cost_usd::text`), Postgres casts them in SQL, so no money passes through a float.
 *
 * @module
 */

import postgres from "postgres";
import { sumDecimals } from "./money.ts";
import type { Period } from "./period.ts";

/** A view row with every value as text (numbers as exact decimals); null stays null. */
export type Row = Record<string, string | null>;

/** One group of identical ledger calls, for what-if repricing. */
export interface UsageGroup {
  readonly day: string;
  readonly operation_type: string;
  readonly platform: string;
  readonly provider: string;
  readonly model: string;
  readonly input_tokens: number;
  readonly cached_input_tokens: number;
  readonly output_tokens: number;
  /** Audio duration as recorded (decimal string), or null for token calls. */
  readonly audio_seconds: string | null;
  /** How many calls had exactly this usage. */
  readonly calls: number;
  /** Their recorded cost, summed (decimal string). */
  readonly cost_usd: string;
}

/** Ledger rows that were a second or later attempt (a fallback), per UTC day. */
export interface FallbackDay {
  readonly day: string;
  readonly fallbacks: number;
}

/** A budget limit row (ai_private.budget_limits): user_id null = the platform's default. */
export interface BudgetLimit {
  readonly platform: string;
  readonly period: string;
  readonly user_id: string | null;
  readonly limit_usd: string;
}

export interface SpendSource {
  /** For the report's footer: where the numbers came from (no secrets). */
  readonly description: string;
  /** Rows of a spend view whose `dateColumn` is within `[from, to]`. */
  view(
    name: string,
    columns: readonly ViewColumn[],
    dateColumn: string,
    from: string,
    to: string,
  ): Promise<Row[]>;
  /** The period's ledger calls grouped by identical usage (for repricing). */
  usageGroups(period: Period): Promise<UsageGroup[]>;
  fallbacks(period: Period): Promise<FallbackDay[]>;
  /** Budget limits, or null when this source cannot read them (the Data API: ai_private). */
  budgetLimits(): Promise<BudgetLimit[] | null>;
  close(): Promise<void>;
}

/** A column to read; `numeric` ones are cast to text so they stay exact. */
export interface ViewColumn {
  readonly name: string;
  readonly numeric?: boolean;
}

/** A source that cannot answer: HTTP status or database error, with a hint for the admin. */
export class SourceError extends Error {
  readonly code = "report_source_failed";
  constructor(message: string, readonly hint: string) {
    super(message);
    this.name = "SourceError";
  }
}

const PAGE_ROWS = 1000;
/** Reading the ledger row by row through the Data API is bounded; the database URL is not. */
export const DATA_API_MAX_LEDGER_ROWS = 500_000;

export interface DataApiOptions {
  /** Project URL, e.g. https://<ref>.supabase.co or the local gateway. */
  readonly url: string;
  /** The publishable (anon) key the gateway wants in `apikey`. */
  readonly apiKey: string;
  /** An admin's access token (app_metadata.role = "admin"). */
  readonly accessToken: string;
  readonly fetch?: typeof fetch;
  readonly maxLedgerRows?: number;
}

/** Reads through PostgREST as the admin; every view and the ledger are row-level secured. */
export function dataApiSource(opts: DataApiOptions): SpendSource {
  const doFetch = opts.fetch ?? fetch;
  const base = `${opts.url.replace(/\/+$/, "")}/rest/v1`;
  const maxLedgerRows = opts.maxLedgerRows ?? DATA_API_MAX_LEDGER_ROWS;

  async function pages(table: string, query: URLSearchParams, limit = Infinity): Promise<Row[]> {
    const rows: Row[] = [];
    for (let offset = 0;; offset += PAGE_ROWS) {
      const q = new URLSearchParams(query);
      q.set("limit", String(PAGE_ROWS));
      q.set("offset", String(offset));
      const res = await doFetch(`${base}/${table}?${q}`, {
        headers: {
          apikey: opts.apiKey,
          authorization: `Bearer ${opts.accessToken}`,
          accept: "application/json",
        },
      });
      if (!res.ok) {
        const body = (await res.text()).slice(0, 300);
        throw new SourceError(
          `GET /rest/v1/${table} answered ${res.status}: ${body}`,
          res.status === 401 || res.status === 403
            ? "Pass an admin's access token (app_metadata.role = admin) with --token or REPORT_ACCESS_TOKEN, and the project's publishable key with --api-key."
            : "Check --url (the project URL, without /rest/v1) and that the migrations are applied.",
        );
      }
      const page = await res.json() as Record<string, unknown>[];
      for (const r of page) rows.push(textRow(r));
      if (rows.length > limit) {
        throw new SourceError(
          `more than ${limit} ledger rows in the period through the Data API`,
          "Use --db-url (the database reads grouped rows), or a shorter --from/--to.",
        );
      }
      // Stop on an empty page, not a short one: a project's max-rows may be below PAGE_ROWS.
      if (page.length === 0) return rows;
      offset += page.length - PAGE_ROWS;
    }
  }

  return {
    description: `Data API ${opts.url}`,
    view(name, columns, dateColumn, from, to) {
      const q = new URLSearchParams();
      q.set("select", columns.map((c) => c.numeric ? `${c.name}::text` : c.name).join(","));
      q.append(dateColumn, `gte.${from}`);
      q.append(dateColumn, `lte.${to}`);
      q.set("order", columns.map((c) => c.name).join(","));
      return pages(name, q);
    },
    async usageGroups(period) {
      const q = new URLSearchParams();
      q.set(
        "select",
        "created_at,operation_type,platform,provider,model,input_tokens,cached_input_tokens," +
          "output_tokens,audio_seconds::text,cost_usd::text",
      );
      q.append("created_at", `gte.${period.from}T00:00:00Z`);
      q.append("created_at", `lt.${period.toExclusive}T00:00:00Z`);
      q.set("order", "created_at,id");
      const rows = await pages("ai_operations_metrics", q, maxLedgerRows);
      return groupUsage(rows.map((r) => ({ ...r, day: utcDay(r.created_at ?? "") })));
    },
    async fallbacks(period) {
      const q = new URLSearchParams();
      q.set("select", "created_at");
      q.append("created_at", `gte.${period.from}T00:00:00Z`);
      q.append("created_at", `lt.${period.toExclusive}T00:00:00Z`);
      q.set("attempt", "gt.1");
      q.set("order", "created_at,id");
      const rows = await pages("ai_operations_metrics", q, maxLedgerRows);
      const byDay = new Map<string, number>();
      for (const r of rows) {
        const day = utcDay(r.created_at ?? "");
        byDay.set(day, (byDay.get(day) ?? 0) + 1);
      }
      return [...byDay].sort().map(([day, fallbacks]) => ({ day, fallbacks }));
    },
    budgetLimits: () => Promise.resolve(null),
    close: () => Promise.resolve(),
  };
}

/** Reads as the database owner (hosted: the connection string of Settings → Database). */
export function postgresSource(dbUrl: string): SpendSource {
  const sql = postgres(dbUrl, { max: 2, onnotice: () => {}, idle_timeout: 5 });
  const host = (() => {
    try {
      return new URL(dbUrl).host;
    } catch {
      return "database";
    }
  })();
  const wrap = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (e) {
      throw new SourceError(
        `database query failed: ${(e as Error).message}`,
        "Check --db-url (hosted: the session pooler or direct connection string) and that the migrations are applied.",
      );
    }
  };
  return {
    description: `database ${host}`,
    view(name, columns, dateColumn, from, to) {
      // Every column as text: numerics stay exact, dates stay "YYYY-MM-DD".
      const select = columns.map((c) => `${ident(c.name)}::text as ${ident(c.name)}`).join(", ");
      const order = columns.map((c) => ident(c.name)).join(", ");
      return wrap(async () =>
        (await sql.unsafe(
          `select ${select} from public.${ident(name)} where ${
            ident(dateColumn)
          } between $1 and $2 order by ${order}`,
          [from, to],
        )) as unknown as Row[]
      );
    },
    usageGroups(period) {
      return wrap(async () => {
        const rows = await sql`
          select (created_at at time zone 'UTC')::date::text as day, operation_type, platform,
            provider, model, coalesce(input_tokens, 0) as input_tokens,
            coalesce(cached_input_tokens, 0) as cached_input_tokens,
            coalesce(output_tokens, 0) as output_tokens, audio_seconds::text as audio_seconds,
            count(*)::int as calls, sum(cost_usd)::text as cost_usd
          from public.ai_operations_metrics
          where created_at >= ${period.from + "T00:00:00Z"}::timestamptz
            and created_at < ${period.toExclusive + "T00:00:00Z"}::timestamptz
          group by 1, 2, 3, 4, 5, 6, 7, 8, 9
          order by 1, 2, 3, 4, 5, 6, 7, 8, 9`;
        return rows.map((r) => ({
          day: r.day,
          operation_type: r.operation_type,
          platform: r.platform,
          provider: r.provider,
          model: r.model,
          input_tokens: Number(r.input_tokens),
          cached_input_tokens: Number(r.cached_input_tokens),
          output_tokens: Number(r.output_tokens),
          audio_seconds: r.audio_seconds,
          calls: Number(r.calls),
          cost_usd: r.cost_usd,
        }));
      });
    },
    fallbacks(period) {
      return wrap(async () => {
        const rows = await sql`
          select (created_at at time zone 'UTC')::date::text as day, count(*)::int as fallbacks
          from public.ai_operations_metrics
          where attempt > 1
            and created_at >= ${period.from + "T00:00:00Z"}::timestamptz
            and created_at < ${period.toExclusive + "T00:00:00Z"}::timestamptz
          group by 1 order by 1`;
        return rows.map((r) => ({ day: r.day, fallbacks: Number(r.fallbacks) }));
      });
    },
    budgetLimits() {
      return wrap(async () => {
        const rows = await sql`
          select platform, period, user_id::text as user_id, limit_usd::text as limit_usd
          from ai_private.budget_limits order by platform, period, user_id nulls first`;
        return rows.map((r) => ({
          platform: r.platform,
          period: r.period,
          user_id: r.user_id,
          limit_usd: r.limit_usd,
        }));
      });
    },
    close: () => sql.end({ timeout: 5 }),
  };
}

function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain identifier: ${name}`);
  return `"${name}"`;
}

function textRow(r: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(r)) out[k] = v === null || v === undefined ? null : String(v);
  return out;
}

/** The UTC date of a timestamptz as PostgREST prints it ("2026-11-30T10:15:00+00:00"). */
export function utcDay(timestamp: string): string {
  const at = new Date(timestamp);
  if (Number.isNaN(at.getTime())) throw new SourceError(`bad timestamp ${timestamp}`, "");
  return at.toISOString().slice(0, 10);
}

/** Folds ledger rows (text values) into groups of identical usage per day. */
export function groupUsage(rows: readonly Row[]): UsageGroup[] {
  const groups = new Map<string, { g: UsageGroup; costs: string[] }>();
  for (const r of rows) {
    const g: UsageGroup = {
      day: r.day ?? "",
      operation_type: r.operation_type ?? "",
      platform: r.platform ?? "",
      provider: r.provider ?? "",
      model: r.model ?? "",
      input_tokens: Number(r.input_tokens ?? 0),
      cached_input_tokens: Number(r.cached_input_tokens ?? 0),
      output_tokens: Number(r.output_tokens ?? 0),
      audio_seconds: r.audio_seconds,
      calls: 1,
      cost_usd: r.cost_usd ?? "0",
    };
    const key = JSON.stringify([
      g.day,
      g.operation_type,
      g.platform,
      g.provider,
      g.model,
      g.input_tokens,
      g.cached_input_tokens,
      g.output_tokens,
      g.audio_seconds,
    ]);
    const seen = groups.get(key);
    if (seen) {
      seen.costs.push(g.cost_usd);
      seen.g = { ...seen.g, calls: seen.g.calls + 1 };
    } else groups.set(key, { g, costs: [g.cost_usd] });
  }
  return [...groups.values()].map(({ g, costs }) => ({ ...g, cost_usd: sumDecimals(costs) }));
}
