/**
 * What-if repricing: the period's recorded usage priced with the catalog under another routing
 * ("what would last month have cost with gpt-6-luna for chat?"). Pure: the catalog is read through
 * its exported API (`getModel`, `calculateCost`), so new prices and lifecycle ends apply as they
 * land.
 *
 * Repricing keeps the recorded token counts and audio seconds; it cannot know what another model
 * would have produced (see {@link WHAT_IF_CAVEATS}). When the evaluation harness's results are
 * given (`npm run eval`'s results.json), its measured cost per answer replaces token repricing for
 * the calls whose recorded model and target model it measured on the same task.
 *
 * @module
 */

import { type Capability, getModel } from "../../supabase/functions/_shared/ai/catalog.ts";
import {
  calculateCost,
  ModelRetiredError,
  UnpricedPeriodError,
  type Usage,
} from "../../supabase/functions/_shared/ai/cost.ts";
import {
  decimalFromNumber,
  formatDecimal,
  multiplyDecimal,
} from "../../supabase/functions/_shared/ai/decimal.ts";
import { scaleMoney, subtractMoney, sumDecimals } from "./money.ts";
import type { UsageGroup } from "./sources.ts";

/** What repricing cannot know; shown in the HTML and written to spend.json. */
export const WHAT_IF_CAVEATS: readonly string[] = [
  "Tokenizers differ: the same prompt and answer are a different number of tokens on another model family; repricing keeps the recorded token counts.",
  "Reasoning models (gpt-oss, the gpt-6 family, Qwen in thinking mode) add hidden reasoning tokens billed as output: moving work to or from one changes output tokens in a way the recorded usage cannot show.",
  "Answers differ in length and quality between models, and failures, retries and fallbacks would have differed under another routing; recorded attempts are repriced one for one.",
  "Cached-input tokens are kept as recorded (billed at the full input price where the target has no cached price); another provider's cache would have hit differently.",
  "Audio is re-billed with the target's rules (e.g. Groq's 10 s minimum per request) from the recorded duration.",
];

/** The tasks a rule may name: the routing tasks, plus the ledger's operation types. */
const RULE_TASKS: Record<
  string,
  { operationType: string; capability: Capability; evalTasks: string[] }
> = {
  chat: { operationType: "chat", capability: "chat", evalTasks: ["chat"] },
  vision: { operationType: "vision", capability: "vision", evalTasks: ["vision"] },
  document: { operationType: "document", capability: "chat", evalTasks: ["document"] },
  speech: {
    operationType: "whisper",
    capability: "speech_to_text",
    evalTasks: ["speech", "whisper"],
  },
  whisper: {
    operationType: "whisper",
    capability: "speech_to_text",
    evalTasks: ["speech", "whisper"],
  },
  assistant: { operationType: "assistant", capability: "chat", evalTasks: ["assistant"] },
};
const PLATFORMS = ["main", "tripwire"];

export interface WhatIfRule {
  /** As written: "chat" or "speech.tripwire". */
  readonly key: string;
  readonly task: string;
  readonly operationType: string;
  /** null = every platform. */
  readonly platform: string | null;
  readonly provider: string;
  readonly model: string;
}

/** A --what-if value that cannot be used; the message names the entry. */
export class WhatIfError extends Error {
  readonly code = "invalid_what_if";
  readonly hint =
    'Write task[.platform]=provider:model, comma-separated, e.g. "chat=openai:gpt-6-luna,speech.tripwire=groq:whisper-large-v3-turbo" (tasks: chat, vision, document, speech, assistant).';
  constructor(message: string) {
    super(message);
    this.name = "WhatIfError";
  }
}

/**
 * Parses `task[.platform]=provider:model,…`; the target must be in the catalog with the task's
 * capability.
 *
 * @example
 * ```ts
 * parseWhatIf("chat=openai:gpt-6-luna,speech.tripwire=groq:whisper-large-v3-turbo")[1];
 * // { key: "speech.tripwire", task: "speech", operationType: "whisper", platform: "tripwire",
 * //   provider: "groq", model: "whisper-large-v3-turbo" }
 * ```
 */
export function parseWhatIf(spec: string): WhatIfRule[] {
  const rules: WhatIfRule[] = [];
  for (const raw of spec.split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    const eq = entry.indexOf("=");
    const colon = entry.indexOf(":", eq + 1);
    if (eq <= 0 || colon <= eq + 1 || colon === entry.length - 1) {
      throw new WhatIfError(`"${entry}" is not task[.platform]=provider:model`);
    }
    const key = entry.slice(0, eq).trim();
    const [task, platform, ...rest] = key.split(".");
    const known = RULE_TASKS[task];
    if (!known || rest.length > 0 || (platform !== undefined && !PLATFORMS.includes(platform))) {
      throw new WhatIfError(
        `"${key}" is not a task (chat, vision, document, speech, assistant) with an optional .main or .tripwire`,
      );
    }
    const provider = entry.slice(eq + 1, colon).trim();
    const model = entry.slice(colon + 1).trim();
    let capabilities: readonly string[];
    try {
      capabilities = getModel(provider, model).capabilities;
    } catch (e) {
      throw new WhatIfError(`${key}: ${(e as Error).message}`);
    }
    if (!capabilities.includes(known.capability)) {
      throw new WhatIfError(
        `${key}: ${provider}:${model} has no ${known.capability} capability in the catalog`,
      );
    }
    if (rules.some((r) => r.key === key)) throw new WhatIfError(`"${key}" is given twice`);
    rules.push({
      key,
      task,
      operationType: known.operationType,
      platform: platform ?? null,
      provider,
      model,
    });
  }
  if (rules.length === 0) throw new WhatIfError("no rules given");
  return rules;
}

/** One row of `npm run eval`'s results.json. */
export interface EvalResult {
  readonly task: string;
  readonly provider: string;
  readonly model: string;
  readonly metrics: { readonly cost_per_answer_usd?: number | string | null };
}

export interface WhatIfRuleResult {
  readonly rule: string;
  readonly operation_type: string;
  readonly platform: string | null;
  readonly target: string;
  readonly calls: number;
  readonly actual_cost_usd: string;
  readonly what_if_cost_usd: string;
  readonly difference_usd: string;
  /** Calls on days the target had no price (not yet offered, or shut down): its latest price. */
  readonly priced_at_latest_price_calls: number;
  /** With eval results: the estimate from measured cost per answer (see the module comment). */
  readonly eval_adjusted_cost_usd?: string;
  readonly eval_measured_calls?: number;
}

export interface WhatIfResult {
  readonly spec: string;
  readonly actual_cost_usd: string;
  /** Exact decimal string: repriced calls plus every call no rule touches at its recorded cost. */
  readonly total_cost_usd: string;
  readonly difference_usd: string;
  readonly by_rule: WhatIfRuleResult[];
  readonly by_operation_type: Array<
    {
      operation_type: string;
      actual_cost_usd: string;
      what_if_cost_usd: string;
      difference_usd: string;
    }
  >;
  readonly eval_adjusted_total_cost_usd?: string;
  readonly caveats: readonly string[];
}

/** The rule that applies to a call: a platform-specific rule wins over a general one. */
function ruleFor(rules: readonly WhatIfRule[], g: UsageGroup): WhatIfRule | undefined {
  return rules.find((r) => r.operationType === g.operation_type && r.platform === g.platform) ??
    rules.find((r) => r.operationType === g.operation_type && r.platform === null);
}

function usageOf(g: UsageGroup): Usage {
  if (g.operation_type === "whisper") return { audio_seconds: g.audio_seconds ?? "0" };
  return {
    prompt_tokens: g.input_tokens,
    completion_tokens: g.output_tokens,
    prompt_tokens_details: { cached_tokens: g.cached_input_tokens },
  };
}

/** One call's cost on the target at its day, or at the target's latest price when it had none. */
function repriceOne(rule: WhatIfRule, g: UsageGroup): { cost: string; latest: boolean } {
  const usage = usageOf(g);
  try {
    return {
      cost:
        calculateCost(rule.provider, rule.model, usage, new Date(`${g.day}T12:00:00Z`)).cost_usd,
      latest: false,
    };
  } catch (e) {
    if (!(e instanceof ModelRetiredError || e instanceof UnpricedPeriodError)) throw e;
    return { cost: calculateCost(rule.provider, rule.model, usage).cost_usd, latest: true };
  }
}

function costPerAnswer(
  results: readonly EvalResult[],
  tasks: string[],
  provider: string,
  model: string,
) {
  const hit = results.find((r) =>
    tasks.includes(r.task) && r.provider === provider && r.model === model &&
    r.metrics?.cost_per_answer_usd !== undefined && r.metrics.cost_per_answer_usd !== null &&
    Number(r.metrics.cost_per_answer_usd) > 0
  );
  if (!hit) return null;
  const v = hit.metrics.cost_per_answer_usd!;
  return typeof v === "number" ? formatDecimal(decimalFromNumber(v), 12) : v;
}

/**
 * Reprices `groups` (the period's ledger calls) under `rules`. Calls no rule touches keep their
 * recorded cost, so `total_cost_usd − actual_cost_usd` is the routing change alone.
 */
export function repriceUsage(
  spec: string,
  rules: readonly WhatIfRule[],
  groups: readonly UsageGroup[],
  evalResults?: readonly EvalResult[],
): WhatIfResult {
  const perRule = new Map<string, {
    rule: WhatIfRule;
    calls: number;
    actual: string[];
    whatIf: string[];
    latest: number;
    evalCosts: string[];
    evalCalls: number;
  }>();
  const perType = new Map<string, { actual: string[]; whatIf: string[] }>();
  const totalWhatIf: string[] = [];
  const totalEval: string[] = [];
  for (const g of groups) {
    const type = perType.get(g.operation_type) ?? { actual: [], whatIf: [] };
    perType.set(g.operation_type, type);
    type.actual.push(g.cost_usd);
    const rule = ruleFor(rules, g);
    if (!rule) {
      type.whatIf.push(g.cost_usd);
      totalWhatIf.push(g.cost_usd);
      totalEval.push(g.cost_usd);
      continue;
    }
    const acc = perRule.get(rule.key) ??
      { rule, calls: 0, actual: [], whatIf: [], latest: 0, evalCosts: [], evalCalls: 0 };
    perRule.set(rule.key, acc);
    const one = repriceOne(rule, g);
    const repriced = formatDecimal(multiplyDecimal(one.cost, String(g.calls)), 10);
    acc.calls += g.calls;
    acc.actual.push(g.cost_usd);
    acc.whatIf.push(repriced);
    if (one.latest) acc.latest += g.calls;
    type.whatIf.push(repriced);
    totalWhatIf.push(repriced);
    if (evalResults) {
      const tasks = RULE_TASKS[rule.task].evalTasks;
      const target = costPerAnswer(evalResults, tasks, rule.provider, rule.model);
      const source = costPerAnswer(evalResults, tasks, g.provider, g.model);
      if (target !== null && source !== null) {
        const est = scaleMoney(g.cost_usd, target, source);
        acc.evalCosts.push(est);
        acc.evalCalls += g.calls;
        totalEval.push(est);
      } else {
        acc.evalCosts.push(repriced);
        totalEval.push(repriced);
      }
    }
  }
  const actual = sumDecimals(groups.map((g) => g.cost_usd));
  const total = sumDecimals(totalWhatIf);
  return {
    spec,
    actual_cost_usd: actual,
    total_cost_usd: total,
    difference_usd: subtractMoney(total, actual),
    by_rule: rules.map((rule) => {
      const acc = perRule.get(rule.key);
      const a = sumDecimals(acc?.actual ?? []);
      const w = sumDecimals(acc?.whatIf ?? []);
      return {
        rule: rule.key,
        operation_type: rule.operationType,
        platform: rule.platform,
        target: `${rule.provider}:${rule.model}`,
        calls: acc?.calls ?? 0,
        actual_cost_usd: a,
        what_if_cost_usd: w,
        difference_usd: subtractMoney(w, a),
        priced_at_latest_price_calls: acc?.latest ?? 0,
        ...(evalResults
          ? {
            eval_adjusted_cost_usd: sumDecimals(acc?.evalCosts ?? []),
            eval_measured_calls: acc?.evalCalls ?? 0,
          }
          : {}),
      };
    }),
    by_operation_type: [...perType].sort(([a], [b]) => a.localeCompare(b)).map(
      ([operation_type, v]) => {
        const a = sumDecimals(v.actual);
        const w = sumDecimals(v.whatIf);
        return {
          operation_type,
          actual_cost_usd: a,
          what_if_cost_usd: w,
          difference_usd: subtractMoney(w, a),
        };
      },
    ),
    ...(evalResults ? { eval_adjusted_total_cost_usd: sumDecimals(totalEval) } : {}),
    caveats: WHAT_IF_CAVEATS,
  };
}

/** Reads results.json: a list of `{ task, provider, model, metrics }`; throws on another shape. */
export function parseEvalResults(json: unknown): EvalResult[] {
  const list = Array.isArray(json)
    ? json
    : (json && typeof json === "object" && Array.isArray((json as { results?: unknown }).results))
    ? (json as { results: unknown[] }).results
    : null;
  if (list === null) {
    throw new WhatIfError("results.json is not a list of { task, provider, model, metrics }");
  }
  return list.filter((r): r is EvalResult =>
    !!r && typeof r === "object" && typeof (r as EvalResult).task === "string" &&
    typeof (r as EvalResult).provider === "string" && typeof (r as EvalResult).model === "string" &&
    !!(r as EvalResult).metrics && typeof (r as EvalResult).metrics === "object"
  );
}
