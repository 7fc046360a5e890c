/**
 * The report's cost-lever sections, from `ai_route_arm_answers` (one row per answer): routing arms
 * compared (sample size, cost per answer, latency p50/p95, error, fallback and truncation rates)
 * and, per operation, how much of the input was cached and how many tokens images took.
 * Pure: rows in, numbers out (money stays exact decimal strings).
 *
 * @module
 */

import { sumDecimals } from "./money.ts";
import type { Row, ViewColumn } from "./sources.ts";

const n = (name: string): ViewColumn => ({ name, numeric: true });
const t = (name: string): ViewColumn => ({ name });

/** The per-answer view the sections read (booleans come as "true"/"false"). */
export const ARM_ANSWERS_VIEW = {
  name: "ai_route_arm_answers",
  date: "day",
  columns: [
    t("day"),
    t("platform"),
    t("operation_type"),
    t("arm"),
    t("request_id"),
    n("operations"),
    n("cost_usd"),
    n("duration_ms"),
    n("input_tokens"),
    n("cached_input_tokens"),
    n("image_tokens"),
    n("errored"),
    n("fell_back"),
    n("truncated"),
  ],
} as const;

export interface ArmSummary {
  readonly platform: string;
  readonly operation_type: string;
  readonly arm: string;
  /** Sample size: answers (request × operation type). */
  readonly answers: number;
  readonly operations: number;
  readonly cost_usd: string;
  /** 10 decimal places. */
  readonly cost_per_answer_usd: string;
  readonly latency_p50_ms: number;
  readonly latency_p95_ms: number;
  /** Fractions 0..1, 4 decimal places. */
  readonly error_rate: string;
  readonly fallback_rate: string;
  readonly truncation_rate: string;
}

export interface OperationTokens {
  readonly operation_type: string;
  readonly answers: number;
  readonly input_tokens: number;
  readonly cached_input_tokens: number;
  /** Percent of input reported cached, 1 decimal place. */
  readonly cached_percent: string;
  readonly image_tokens: number;
  readonly image_tokens_per_answer: number;
}

/** The nearest-rank percentile, as `percentile_disc` computes it in the view. */
export function percentileDisc(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

const num = (v: string | null | undefined) => (v === null || v === undefined ? 0 : Number(v));
const flag = (v: string | null | undefined) => v === "true" || v === "t";
const rate = (count: number, of: number) => (of === 0 ? "0.0000" : (count / of).toFixed(4));

/** Divides an exact decimal by a whole count, to 10 places (half-up). */
function perAnswer(total: string, answers: number): string {
  if (answers === 0) return "0.0000000000";
  const [whole, frac = ""] = total.split(".");
  const scaled = BigInt(whole + frac.padEnd(10, "0").slice(0, 10));
  const q = (scaled * 2n + BigInt(answers)) / (2n * BigInt(answers));
  const s = q.toString().padStart(11, "0");
  return `${s.slice(0, -10)}.${s.slice(-10)}`;
}

/** Arms compared per platform and operation type, in that order. */
export function summariseArms(rows: readonly Row[]): ArmSummary[] {
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const key = `${r.platform}\u0000${r.operation_type}\u0000${r.arm}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups].map(([key, g]) => {
    const [platform, operation_type, arm] = key.split("\u0000");
    const cost = sumDecimals(g.map((r) => r.cost_usd));
    const latency = g.map((r) => num(r.duration_ms)).sort((a, b) => a - b);
    return {
      platform,
      operation_type,
      arm,
      answers: g.length,
      operations: g.reduce((s, r) => s + num(r.operations), 0),
      cost_usd: cost,
      cost_per_answer_usd: perAnswer(cost, g.length),
      latency_p50_ms: percentileDisc(latency, 0.5),
      latency_p95_ms: percentileDisc(latency, 0.95),
      error_rate: rate(g.filter((r) => flag(r.errored)).length, g.length),
      fallback_rate: rate(g.filter((r) => flag(r.fell_back)).length, g.length),
      truncation_rate: rate(g.filter((r) => flag(r.truncated)).length, g.length),
    };
  }).sort((a, b) =>
    a.platform.localeCompare(b.platform) || a.operation_type.localeCompare(b.operation_type) ||
    a.arm.localeCompare(b.arm)
  );
}

/** Cached input and image tokens per operation type. */
export function tokensByOperation(rows: readonly Row[]): OperationTokens[] {
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const key = r.operation_type ?? "";
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups].map(([operation_type, g]) => {
    const input = g.reduce((s, r) => s + num(r.input_tokens), 0);
    const cached = g.reduce((s, r) => s + num(r.cached_input_tokens), 0);
    const image = g.reduce((s, r) => s + num(r.image_tokens), 0);
    return {
      operation_type,
      answers: g.length,
      input_tokens: input,
      cached_input_tokens: cached,
      cached_percent: input === 0 ? "0.0" : ((100 * cached) / input).toFixed(1),
      image_tokens: image,
      image_tokens_per_answer: Math.round(image / g.length),
    };
  }).sort((a, b) => a.operation_type.localeCompare(b.operation_type));
}
