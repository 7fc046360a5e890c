/**
 * The spend report's numbers, from the spend views' rows: pure, exact (decimal strings), and the
 * same object is written as `spend.json` and drawn by the HTML.
 *
 * @module
 */

import { compareMoney, percentOf, subtractMoney, sumDecimals } from "./money.ts";
import { daysOf, monthOf, type Period } from "./period.ts";
import type { BudgetLimit, FallbackDay, Row, SpendSource, ViewColumn } from "./sources.ts";
import type { WhatIfResult } from "./what_if.ts";
import {
  ARM_ANSWERS_VIEW,
  type ArmSummary,
  type OperationTokens,
  summariseArms,
  tokensByOperation,
} from "./arms.ts";

const n = (name: string): ViewColumn => ({ name, numeric: true });
const t = (name: string): ViewColumn => ({ name });

/** The views read, their columns and date column (one source of truth for both sources). */
export const VIEWS = {
  platform: {
    name: "ai_spend_by_platform",
    date: "day",
    columns: [
      t("day"),
      t("platform"),
      t("provider"),
      n("operations"),
      n("failed_operations"),
      n("cost_usd"),
    ],
  },
  function: {
    name: "ai_spend_by_function",
    date: "day",
    columns: [t("day"), t("platform"), t("function_name"), n("operations"), n("cost_usd")],
  },
  model: {
    name: "ai_spend_by_model",
    date: "day",
    columns: [
      t("day"),
      t("platform"),
      t("provider"),
      t("model"),
      n("operations"),
      n("failed_operations"),
      n("input_tokens"),
      n("cached_input_tokens"),
      n("output_tokens"),
      n("audio_seconds"),
      n("cost_usd"),
    ],
  },
  user: {
    name: "ai_spend_by_user",
    date: "month",
    columns: [t("month"), t("user_id"), t("platform"), n("operations"), n("cost_usd")],
  },
  savings: {
    name: "ai_savings_vs_old_stack",
    date: "day",
    columns: [
      t("day"),
      t("platform"),
      t("operation_type"),
      t("baseline_provider"),
      t("baseline_model"),
      n("operations"),
      n("cost_usd"),
      n("baseline_cost_usd"),
    ],
  },
  // Before the old-stack view exists (older projects): the stored baselines as written.
  savingsLegacy: {
    name: "ai_savings_vs_openai",
    date: "day",
    columns: [
      t("day"),
      t("platform"),
      t("operation_type"),
      n("operations"),
      n("cost_usd"),
      n("baseline_cost_usd"),
    ],
  },
} as const;

export interface ViewRows {
  readonly platform: Row[];
  readonly function: Row[];
  readonly model: Row[];
  readonly user: Row[];
  readonly savings: Row[];
  /** Which savings view the rows came from. */
  readonly savingsView: string;
  readonly fallbacks: FallbackDay[];
  readonly budgetLimits: BudgetLimit[] | null;
  /** One row per answer (`ai_route_arm_answers`); empty on a project without the view. */
  readonly answers?: Row[];
}

/** Reads every view the report needs for `period`. */
export async function readViews(source: SpendSource, period: Period): Promise<ViewRows> {
  const read = (
    v: { name: string; date: string; columns: readonly ViewColumn[] },
    from = period.from,
  ) => source.view(v.name, v.columns, v.date, from, period.to);
  const [platform, fn, model, user, fallbacks, budgetLimits] = await Promise.all([
    read(VIEWS.platform),
    read(VIEWS.function),
    read(VIEWS.model),
    // Monthly grain: every month that overlaps the period.
    read(VIEWS.user, monthOf(period.from)),
    source.fallbacks(period),
    source.budgetLimits(),
  ]);
  let savings: Row[];
  let savingsView: string = VIEWS.savings.name;
  try {
    savings = await read(VIEWS.savings);
  } catch {
    savingsView = VIEWS.savingsLegacy.name;
    savings = await read(VIEWS.savingsLegacy);
  }
  let answers: Row[] = [];
  try {
    answers = await read(ARM_ANSWERS_VIEW);
  } catch {
    // A project migrated before the routing-arm views: the sections stay empty.
  }
  return {
    platform,
    function: fn,
    model,
    user,
    savings,
    savingsView,
    fallbacks,
    budgetLimits,
    answers,
  };
}

export interface Total {
  readonly key: string;
  readonly operations: number;
  readonly cost_usd: string;
}

export interface SpendReport {
  readonly generated_at: string;
  readonly source: string;
  readonly period: { readonly from: string; readonly to: string };
  /** Exact decimal string, 10 places: the sum of ai_spend_by_platform over the period. */
  readonly total_cost_usd: string;
  readonly operations: number;
  readonly failed_operations: number;
  readonly fallback_attempts: number;
  readonly by_platform: Total[];
  readonly by_provider: Total[];
  readonly by_platform_provider: Total[];
  readonly by_function: Total[];
  /** key "provider:model". */
  readonly by_model: Total[];
  /** Months overlapping the period (the view's grain), key = user id or "(no user)". */
  readonly by_user: { readonly months: string[]; readonly totals: Total[] };
  readonly savings: {
    readonly view: string;
    readonly cost_usd: string;
    readonly baseline_cost_usd: string;
    readonly savings_usd: string;
    readonly savings_percent: string | null;
    readonly by_operation_type: Array<
      { key: string; baseline: string | null; cost_usd: string; baseline_cost_usd: string }
    >;
  };
  /** Per day: spend per "platform/provider", failures and fallbacks. */
  readonly daily: Array<{
    day: string;
    cost_usd: Record<string, string>;
    operations: number;
    failed_operations: number;
    fallbacks: number;
  }>;
  /** Students' spend in the last month of the period against their monthly limit. */
  readonly budget: {
    readonly month: string;
    readonly readable: boolean;
    readonly rows: Array<
      {
        user_id: string;
        platform: string;
        cost_usd: string;
        limit_usd: string | null;
        percent: string | null;
      }
    >;
  };
  /** Routing arms compared (docs/COST_LEVERS.md); only `default` outside experiments. */
  readonly arms: ArmSummary[];
  /** Cached input and image tokens per operation type. */
  readonly tokens_by_operation: OperationTokens[];
  readonly what_if?: WhatIfResult;
}

const num = (v: string | null) => (v === null ? 0 : Number(v));

function totals(rows: readonly Row[], keyOf: (r: Row) => string): Total[] {
  const groups = new Map<string, { ops: number; costs: (string | null)[] }>();
  for (const r of rows) {
    const key = keyOf(r);
    const g = groups.get(key) ?? { ops: 0, costs: [] };
    g.ops += num(r.operations);
    g.costs.push(r.cost_usd);
    groups.set(key, g);
  }
  return [...groups].map(([key, g]) => ({ key, operations: g.ops, cost_usd: sumDecimals(g.costs) }))
    .sort((a, b) => compareMoney(b.cost_usd, a.cost_usd) || a.key.localeCompare(b.key));
}

/** Builds the report from the views' rows. Pure: `generatedAt` and `source` are passed in. */
export function buildSpendReport(
  period: Period,
  rows: ViewRows,
  meta: { generatedAt: Date; source: string; whatIf?: WhatIfResult },
): SpendReport {
  const byPlatformProvider = totals(rows.platform, (r) => `${r.platform}/${r.provider}`);
  const savingsCost = sumDecimals(rows.savings.map((r) => r.cost_usd));
  const savingsBaseline = sumDecimals(rows.savings.map((r) => r.baseline_cost_usd));
  const savingsByType = new Map<
    string,
    { baseline: string | null; costs: (string | null)[]; bases: (string | null)[] }
  >();
  for (const r of rows.savings) {
    const key = r.operation_type ?? "";
    const g = savingsByType.get(key) ??
      {
        baseline: r.baseline_model ? `${r.baseline_provider}:${r.baseline_model}` : null,
        costs: [],
        bases: [],
      };
    g.costs.push(r.cost_usd);
    g.bases.push(r.baseline_cost_usd);
    savingsByType.set(key, g);
  }

  const fallbacksByDay = new Map(rows.fallbacks.map((f) => [f.day, f.fallbacks]));
  const daily = daysOf(period).map((day) => {
    const dayRows = rows.platform.filter((r) => r.day === day);
    const cost: Record<string, string> = {};
    for (const k of byPlatformProvider) {
      cost[k.key] = sumDecimals(
        dayRows.filter((r) => `${r.platform}/${r.provider}` === k.key).map((r) => r.cost_usd),
      );
    }
    return {
      day,
      cost_usd: cost,
      operations: dayRows.reduce((s, r) => s + num(r.operations), 0),
      failed_operations: dayRows.reduce((s, r) => s + num(r.failed_operations), 0),
      fallbacks: fallbacksByDay.get(day) ?? 0,
    };
  });

  const months = [...new Set(rows.user.map((r) => r.month ?? ""))].sort();
  const lastMonth = monthOf(period.to);
  const budgetRows = rows.user.filter((r) => r.month === lastMonth && r.user_id !== null)
    .map((r) => {
      const limit = limitFor(rows.budgetLimits, r.user_id!, r.platform ?? "");
      return {
        user_id: r.user_id!,
        platform: r.platform ?? "",
        cost_usd: sumDecimals([r.cost_usd]),
        limit_usd: limit,
        percent: limit === null ? null : percentOf(r.cost_usd ?? "0", limit),
      };
    })
    .sort((a, b) =>
      Number(b.percent ?? -1) - Number(a.percent ?? -1) || compareMoney(b.cost_usd, a.cost_usd)
    )
    .slice(0, 15);

  return {
    generated_at: meta.generatedAt.toISOString(),
    source: meta.source,
    period: { from: period.from, to: period.to },
    total_cost_usd: sumDecimals(rows.platform.map((r) => r.cost_usd)),
    operations: rows.platform.reduce((s, r) => s + num(r.operations), 0),
    failed_operations: rows.platform.reduce((s, r) => s + num(r.failed_operations), 0),
    fallback_attempts: rows.fallbacks.reduce((s, f) => s + f.fallbacks, 0),
    by_platform: totals(rows.platform, (r) => r.platform ?? ""),
    by_provider: totals(rows.platform, (r) => r.provider ?? ""),
    by_platform_provider: byPlatformProvider,
    by_function: totals(rows.function, (r) => r.function_name ?? "(none)"),
    by_model: totals(rows.model, (r) => `${r.provider}:${r.model}`),
    by_user: { months, totals: totals(rows.user, (r) => r.user_id ?? "(no user)") },
    savings: {
      view: rows.savingsView,
      cost_usd: savingsCost,
      baseline_cost_usd: savingsBaseline,
      savings_usd: subtractMoney(savingsBaseline, savingsCost),
      savings_percent: percentOf(subtractMoney(savingsBaseline, savingsCost), savingsBaseline),
      by_operation_type: [...savingsByType].map(([key, g]) => ({
        key,
        baseline: g.baseline,
        cost_usd: sumDecimals(g.costs),
        baseline_cost_usd: sumDecimals(g.bases),
      })).sort((a, b) => a.key.localeCompare(b.key)),
    },
    daily,
    budget: { month: lastMonth, readable: rows.budgetLimits !== null, rows: budgetRows },
    arms: summariseArms(rows.answers ?? []),
    tokens_by_operation: tokensByOperation(rows.answers ?? []),
    ...(meta.whatIf ? { what_if: meta.whatIf } : {}),
  };
}

function limitFor(limits: BudgetLimit[] | null, userId: string, platform: string): string | null {
  if (limits === null) return null;
  const monthly = limits.filter((l) => l.platform === platform && l.period === "month");
  return (monthly.find((l) => l.user_id === userId) ?? monthly.find((l) => l.user_id === null))
    ?.limit_usd ?? null;
}
