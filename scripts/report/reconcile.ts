/**
 * Reconciliation: the ledger's OpenAI rows against what OpenAI billed, per UTC day and model.
 * Pure. A difference is listed when it is above the thresholds: cost when |ledger − billed| >
 * max(thresholdUsd, thresholdPercent % of the larger), tokens and audio seconds when they differ
 * by more than thresholdPercent % of the larger; a day and model on only one side is always listed.
 *
 * @module
 */

import { absDifference, compareMoney, subtractMoney, sumDecimals } from "./money.ts";
import {
  formatDecimal,
  maxDecimal,
  multiplyDecimal,
} from "../../supabase/functions/_shared/ai/decimal.ts";
import type { BilledDayModel } from "./openai_org.ts";
import type { Row } from "./sources.ts";

export interface LedgerDayModel {
  readonly day: string;
  readonly model: string;
  readonly cost_usd: string;
  readonly input_tokens: number;
  readonly cached_input_tokens: number;
  readonly output_tokens: number;
  readonly audio_seconds: number;
  readonly operations: number;
}

export interface Thresholds {
  /** Default 0.01 USD. */
  readonly usd: string;
  /** Default 1 (%). */
  readonly percent: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { usd: "0.01", percent: 1 };

export type DifferenceKind =
  | "cost"
  | "input_tokens"
  | "cached_input_tokens"
  | "output_tokens"
  | "audio_seconds"
  | "missing_in_ledger"
  | "missing_in_bill";

export interface Difference {
  readonly day: string;
  readonly model: string;
  readonly kind: DifferenceKind;
  readonly ledger: string;
  readonly billed: string;
  /** billed − ledger. */
  readonly difference: string;
}

export interface Reconciliation {
  readonly ledger_cost_usd: string;
  readonly billed_cost_usd: string;
  readonly difference_usd: string;
  readonly compared: number;
  readonly differences: Difference[];
}

/** Sums ai_spend_by_model rows (all platforms) of provider openai per day and model. */
export function ledgerOpenAIRows(rows: readonly Row[]): LedgerDayModel[] {
  const groups = new Map<string, { day: string; model: string; rows: Row[] }>();
  for (const r of rows) {
    if (r.provider !== "openai") continue;
    const key = `${r.day}|${r.model}`;
    const g = groups.get(key) ?? { day: r.day ?? "", model: r.model ?? "", rows: [] };
    g.rows.push(r);
    groups.set(key, g);
  }
  const sum = (rs: Row[], k: string) => rs.reduce((s, r) => s + Number(r[k] ?? 0), 0);
  return [...groups.values()].map((g) => ({
    day: g.day,
    model: g.model,
    cost_usd: sumDecimals(g.rows.map((r) => r.cost_usd)),
    input_tokens: sum(g.rows, "input_tokens"),
    cached_input_tokens: sum(g.rows, "cached_input_tokens"),
    output_tokens: sum(g.rows, "output_tokens"),
    audio_seconds: sum(g.rows, "audio_seconds"),
    operations: sum(g.rows, "operations"),
  })).sort((a, b) => a.day.localeCompare(b.day) || a.model.localeCompare(b.model));
}

const beyond = (a: number, b: number, percent: number) =>
  Math.abs(a - b) > (percent / 100) * Math.max(Math.abs(a), Math.abs(b)) && a !== b;

/** Compares per day and model; `differences` is sorted by day, model and kind. */
export function reconcile(
  ledger: readonly LedgerDayModel[],
  billed: readonly BilledDayModel[],
  thresholds: Thresholds = DEFAULT_THRESHOLDS,
): Reconciliation {
  const differences: Difference[] = [];
  const keys = new Set([...ledger, ...billed].map((r) => `${r.day}|${r.model}`));
  for (const key of [...keys].sort()) {
    const [day, model] = key.split("|");
    const l = ledger.find((r) => r.day === day && r.model === model);
    const b = billed.find((r) => r.day === day && r.model === model);
    const zero = "0.0000000000";
    if (!l || !b) {
      const present = (l ?? b)!;
      // A side with nothing billed and nothing used is no difference (e.g. failed attempts only).
      if (compareMoney(present.cost_usd, zero) === 0 && !l?.operations && !(b?.requests)) continue;
      differences.push({
        day,
        model,
        kind: l ? "missing_in_bill" : "missing_in_ledger",
        ledger: l?.cost_usd ?? zero,
        billed: b?.cost_usd ?? zero,
        difference: subtractMoney(b?.cost_usd ?? zero, l?.cost_usd ?? zero),
      });
      continue;
    }
    const larger = maxDecimal(l.cost_usd, b.cost_usd);
    const relative = formatDecimal(multiplyDecimal(larger, String(thresholds.percent / 100)), 10);
    const allowed = compareMoney(relative, thresholds.usd) > 0 ? relative : thresholds.usd;
    if (compareMoney(absDifference(b.cost_usd, l.cost_usd), allowed) > 0) {
      differences.push({
        day,
        model,
        kind: "cost",
        ledger: l.cost_usd,
        billed: b.cost_usd,
        difference: subtractMoney(b.cost_usd, l.cost_usd),
      });
    }
    for (
      const [kind, lv, bv] of [
        ["input_tokens", l.input_tokens, b.input_tokens],
        ["cached_input_tokens", l.cached_input_tokens, b.cached_input_tokens],
        ["output_tokens", l.output_tokens, b.output_tokens],
        ["audio_seconds", l.audio_seconds, b.audio_seconds],
      ] as const
    ) {
      if (beyond(lv, bv, thresholds.percent)) {
        differences.push({
          day,
          model,
          kind,
          ledger: String(lv),
          billed: String(bv),
          difference: String(Math.round((bv - lv) * 1000) / 1000),
        });
      }
    }
  }
  const ledgerCost = sumDecimals(ledger.map((r) => r.cost_usd));
  const billedCost = sumDecimals(billed.map((r) => r.cost_usd));
  return {
    ledger_cost_usd: ledgerCost,
    billed_cost_usd: billedCost,
    difference_usd: subtractMoney(billedCost, ledgerCost),
    compared: keys.size,
    differences,
  };
}

/** The listing `npm run reconcile` prints. */
export function formatReconciliation(
  r: Reconciliation,
  period: { from: string; to: string },
): string {
  const lines = [
    `OpenAI ${period.from} to ${period.to}: ledger ${r.ledger_cost_usd} USD, billed ${r.billed_cost_usd} USD, difference ${r.difference_usd} USD (${r.compared} day/model pairs)`,
  ];
  if (r.differences.length === 0) lines.push("no differences above the thresholds");
  else {
    lines.push(`${r.differences.length} differences above the thresholds:`);
    for (const d of r.differences) {
      lines.push(
        `  ${d.day}  ${d.model.padEnd(24)} ${
          d.kind.padEnd(20)
        } ledger ${d.ledger}  billed ${d.billed}  (${d.difference})`,
      );
    }
  }
  return lines.join("\n");
}
