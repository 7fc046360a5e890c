/**
 * Routing arms: trying a cheaper route on a share of real traffic, measured in the ledger.
 *
 * Off by default. One line of configuration starts an experiment:
 *
 * ```
 * AI_CHAT_ARMS=small:10:groq:openai/gpt-oss-20b
 * ```
 *
 * sends 10 % of conversations to gpt-oss-20b (arm `small`); the other 90 % keep the configured
 * route (arm `control`). `AI_<TASK>_ARMS_<PLATFORM>` wins over `AI_<TASK>_ARMS` (TASK: CHAT,
 * VISION, DOCUMENT). A value is comma-separated arms `name:weight:provider:model`, where weight is
 * a percent (`10`, `2.5`; all arms together ≤ 100) or `short`: the difficulty rule — a short,
 * context-free question (no history, at most {@link SHORT_QUESTION_CHARS} characters) goes to the
 * arm's model and is escalated to the control route when the answer comes back truncated.
 *
 * An arm's route is its model, then the control route as fallback. Assignment is deterministic: a
 * hash of the experiment (task, platform, arm names — not weights, so ramping 10 → 20 % keeps
 * everyone already in the arm there) and the conversation's key; every ledger row records its arm
 * (`ai_operations_metrics.arm`; `default` outside experiments) and `ai_route_arms` compares them.
 * Pure: the caller passes the environment in.
 *
 * @module
 */

import { CATALOG, findModel, type ModelEntry, type Provider } from "./catalog.ts";
import { type Candidate, type Platform, type Task, TASK_CAPABILITY } from "./config.ts";

/** The arm of a row outside any experiment (the ledger column's default). */
export const DEFAULT_ARM = "default";
/** The share of an experiment that keeps the configured route. */
export const CONTROL_ARM = "control";
/** What counts as a short question for the `short` rule (characters, after trimming). */
export const SHORT_QUESTION_CHARS = 200;

export interface Arm {
  readonly name: string;
  /** Share of conversations in percent; absent for a rule arm. */
  readonly percent?: number;
  /** `short`: short, context-free questions go here, escalated on a truncated answer. */
  readonly rule?: "short";
  readonly target: { readonly provider: Provider; readonly model: string };
}

export interface ArmExperiment {
  /** The variable it came from. */
  readonly variable: string;
  readonly arms: readonly Arm[];
  /** Mixed into the hash: changing the arms reshuffles, changing their weights does not. */
  readonly salt: string;
}

export class ArmConfigError extends Error {
  readonly code = "arm_config_invalid";
  constructor(readonly variable: string, message: string) {
    super(message);
    this.name = "ArmConfigError";
  }
}

const NAME = /^[a-z0-9][a-z0-9_.-]{0,62}$/;

/** The variables consulted for `task` on `platform`, most specific first. */
export function armVariables(task: Task, platform: Platform): [string, string] {
  const general = `AI_${task.toUpperCase()}_ARMS`;
  return [`${general}_${platform.toUpperCase()}`, general];
}

/**
 * The experiment configured for `task` on `platform`, or null (no experiment: every row is arm
 * `default`). A malformed arm, an unknown model or one that cannot do the task throws
 * `ArmConfigError` naming the variable.
 *
 * @example
 * ```ts
 * armsFor("chat", "main", { AI_CHAT_ARMS: "small:10:groq:openai/gpt-oss-20b" });
 * // { variable: "AI_CHAT_ARMS", arms: [{ name: "small", percent: 10, target: {…} }], salt: … }
 * ```
 */
export function armsFor(
  task: Task,
  platform: Platform,
  env: Readonly<Record<string, string | undefined>>,
  catalog: readonly ModelEntry[] = CATALOG,
): ArmExperiment | null {
  const variable = armVariables(task, platform).find((v) => (env[v] ?? "").trim() !== "");
  if (variable === undefined) return null;
  const value = env[variable]!.trim();
  if (value === "off") return null;
  const arms: Arm[] = [];
  let total = 0;
  for (const raw of value.split(",")) {
    const text = raw.trim();
    if (text === "") continue;
    const [name, weight, provider, ...rest] = text.split(":");
    const model = rest.join(":");
    const fail = (why: string): never => {
      throw new ArmConfigError(
        variable,
        `${variable}: "${text}" ${why} (expected name:weight:provider:model, e.g. small:10:groq:openai/gpt-oss-20b)`,
      );
    };
    if (!name || !NAME.test(name) || name === CONTROL_ARM || name === DEFAULT_ARM) {
      fail("needs a lower-case name other than control or default");
    }
    if (arms.some((a) => a.name === name)) fail("repeats an arm name");
    if (provider !== "groq" && provider !== "openai") fail("names an unknown provider");
    const entry = findModel(provider as Provider, model, catalog);
    if (!entry) fail("names a model the catalog does not have");
    if (!entry!.capabilities.includes(TASK_CAPABILITY[task])) {
      fail(`names a model that cannot do ${task}`);
    }
    const target = { provider: provider as Provider, model };
    if (weight === "short") {
      arms.push({ name, rule: "short", target });
      continue;
    }
    const percent = Number(weight);
    if (!/^\d+(\.\d+)?$/.test(weight ?? "") || !(percent > 0)) {
      fail("needs a percent above 0 or short");
    }
    total += percent;
    if (total > 100) fail("makes the arms add up to more than 100 %");
    arms.push({ name, percent, target });
  }
  if (arms.length === 0) return null;
  return { variable, arms, salt: `${task}/${platform}/${arms.map((a) => a.name).join("+")}` };
}

/** 32-bit FNV-1a with a final avalanche (murmur3's fmix32): stable across runtimes. */
export function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** What the assignment may look at besides the conversation's key. */
export interface ArmQuestion {
  /** The question, for the `short` rule. */
  readonly message?: string;
  /** Turns of history sent with it (the `short` rule wants none). */
  readonly historyTurns?: number;
}

export interface ArmAssignment {
  readonly arm: string;
  /** The arm's route: its model, then the control route. Null = the control route as is. */
  readonly target: Arm["target"] | null;
  /** The `short` rule: escalate to the control route on a truncated answer. */
  readonly escalateOnTruncation: boolean;
}

/**
 * Which arm serves a conversation. `key` identifies the conversation (the user id, plus the
 * client's conversation id when it sends one); the same key always lands in the same weighted arm.
 */
export function assignArm(
  experiment: ArmExperiment | null,
  key: string,
  question: ArmQuestion = {},
): ArmAssignment {
  if (experiment === null) return { arm: DEFAULT_ARM, target: null, escalateOnTruncation: false };
  const bucket = stableHash(`${experiment.salt}|${key}`) % 10_000;
  let upTo = 0;
  for (const arm of experiment.arms) {
    if (arm.percent === undefined) continue;
    upTo += Math.round(arm.percent * 100);
    if (bucket < upTo) return { arm: arm.name, target: arm.target, escalateOnTruncation: false };
  }
  const rule = experiment.arms.find((a) => a.rule === "short");
  if (rule && isShortQuestion(question)) {
    return { arm: rule.name, target: rule.target, escalateOnTruncation: true };
  }
  return { arm: CONTROL_ARM, target: null, escalateOnTruncation: false };
}

/** A short, context-free question: no history and at most {@link SHORT_QUESTION_CHARS}. */
export function isShortQuestion(question: ArmQuestion): boolean {
  const text = (question.message ?? "").trim();
  return (question.historyTurns ?? 0) === 0 && text.length > 0 &&
    text.length <= SHORT_QUESTION_CHARS;
}

/** The candidates an assignment routes over: the arm's model first, then the control route. */
export function armCandidates(
  assignment: ArmAssignment,
  control: readonly Candidate[],
): Candidate[] {
  if (assignment.target === null) return [...control];
  const { provider, model } = assignment.target;
  return [
    { provider, model },
    ...control.filter((c) => !(c.provider === provider && c.model === model)),
  ];
}
