/**
 * Which models serve which task on which platform: configuration, not code.
 *
 * `AI_<TASK>_MODELS_<PLATFORM>` wins over `AI_<TASK>_MODELS`, which wins over the defaults below
 * (TASK: CHAT, VISION, DOCUMENT, SPEECH; PLATFORM: MAIN, TRIPWIRE). A value is a comma-separated,
 * ordered list of `provider:model`. Pure: the caller passes the environment in and logs the
 * warnings that come back.
 *
 * @module
 */

import {
  type Capability,
  CATALOG,
  findModel,
  type ModelEntry,
  pricePeriodAt,
  type Provider,
  resolveModel,
} from "./catalog.ts";

export type Task = "chat" | "vision" | "document" | "speech";
export type Platform = "main" | "tripwire";

export interface Candidate {
  readonly provider: Provider;
  readonly model: string;
  /** The configured model id, when this candidate is its replacement. */
  readonly replacedFrom?: string;
}

export interface CandidateList {
  /** In order: try the first, fall back to the next. Never empty. */
  readonly candidates: Candidate[];
  /** Things to log once: replaced or dropped retired models, a fall-back to the defaults. */
  readonly warnings: string[];
  /** Where the list came from: the env variable's name, or "default". */
  readonly source: string;
}

export type ModelConfigProblem =
  | "malformed_entry"
  | "unknown_provider"
  | "unknown_model"
  | "missing_capability"
  | "unknown_task"
  | "unknown_platform"
  | "no_candidates";

/** A routing setting that cannot work. Names the variable and the offending entry. */
export class ModelConfigError extends Error {
  readonly code = "model_config_invalid";
  readonly hint: string;
  constructor(
    readonly problem: ModelConfigProblem,
    readonly variable: string,
    readonly entry: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = "ModelConfigError";
    this.hint =
      `Fix ${variable}: a comma-separated list of provider:model from _shared/ai/catalog.ts`;
  }
}

/** The capability a model needs for each task (documents are sent as extracted text). */
export const TASK_CAPABILITY: Readonly<Record<Task, Capability>> = {
  chat: "chat",
  vision: "vision",
  document: "chat",
  speech: "speech_to_text",
};

/**
 * Defaults from DESIGN.md: Groq first, an OpenAI fallback second. Speech defaults to
 * whisper-large-v3, Groq's best choice for Russian (facts file, 2026-11-25).
 *
 * The OpenAI fallback for chat, vision and documents is gpt-6-luna since 2026-12-01: gpt-4.1-mini
 * shuts down 2027-01-14. Among the catalog's OpenAI models with chat and vision, only gpt-6-sol
 * and gpt-6-luna have no shutdown date (gpt-4o, gpt-4o-mini, gpt-4.1 end 2027-01-14, the gpt-5
 * family 2026-12-11); luna is the cheaper by 20× (0.10 / 0.01 / 0.50 per 1M input / cached /
 * output against sol's 2.00 / 0.20 / 10.00) and cheaper than gpt-4.1-mini (0.40 / 0.10 / 1.60),
 * with a 1,050,000-token window. It is a reasoning model: its reasoning tokens are billed as output,
 * so an answer may cost more tokens than gpt-4.1-mini's did.
 */
export const DEFAULT_CANDIDATES: Readonly<Record<Task, readonly Candidate[]>> = {
  chat: [
    { provider: "groq", model: "openai/gpt-oss-120b" },
    { provider: "openai", model: "gpt-6-luna" },
  ],
  vision: [
    { provider: "groq", model: "qwen/qwen3.8-27b" },
    { provider: "openai", model: "gpt-6-luna" },
  ],
  document: [
    { provider: "groq", model: "openai/gpt-oss-120b" },
    { provider: "openai", model: "gpt-6-luna" },
  ],
  speech: [
    { provider: "groq", model: "whisper-large-v3" },
    // Not whisper-1: it shuts down on 2027-02-26 (the lifecycle check would name it from
    // 2026-12-29). gpt-transcribe is its named replacement and cheaper ($0.27 against $0.36 an
    // audio hour; its price is uncertain, see the catalog).
    { provider: "openai", model: "gpt-transcribe" },
  ],
};

const PROVIDERS: readonly Provider[] = ["groq", "openai"];

/** The env variable names consulted for `task` on `platform`, most specific first. */
export function configVariables(task: Task, platform: Platform): [string, string] {
  const general = `AI_${task.toUpperCase()}_MODELS`;
  return [`${general}_${platform.toUpperCase()}`, general];
}

function parseEntries(variable: string, value: string): Candidate[] {
  const candidates: Candidate[] = [];
  for (const raw of value.split(",")) {
    const text = raw.trim();
    if (text === "") continue; // tolerate "a,b," and spaces around commas
    const colon = text.indexOf(":");
    if (colon <= 0 || colon === text.length - 1) {
      throw new ModelConfigError(
        "malformed_entry",
        variable,
        text,
        `${variable}: "${text}" is not provider:model (e.g. groq:openai/gpt-oss-120b)`,
      );
    }
    const provider = text.slice(0, colon).trim();
    const model = text.slice(colon + 1).trim();
    if (!PROVIDERS.includes(provider as Provider)) {
      throw new ModelConfigError(
        "unknown_provider",
        variable,
        text,
        `${variable}: unknown provider "${provider}" in "${text}" (use groq or openai)`,
      );
    }
    candidates.push({ provider: provider as Provider, model });
  }
  if (candidates.length === 0) {
    throw new ModelConfigError(
      "malformed_entry",
      variable,
      value,
      `${variable}: ${JSON.stringify(value)} lists no provider:model`,
    );
  }
  return candidates;
}

function validate(
  variable: string,
  task: Task,
  candidate: Candidate,
  catalog: readonly ModelEntry[],
): void {
  const name = `${candidate.provider}:${candidate.model}`;
  const entry = findModel(candidate.provider, candidate.model, catalog);
  if (!entry) {
    throw new ModelConfigError(
      "unknown_model",
      variable,
      name,
      `${variable}: unknown model ${name} (not in the catalog)`,
    );
  }
  const capability = TASK_CAPABILITY[task];
  if (!entry.capabilities.includes(capability)) {
    throw new ModelConfigError(
      "missing_capability",
      variable,
      name,
      `${variable}: ${name} cannot serve ${task} (lacks "${capability}"; has ${
        entry.capabilities.join(", ")
      })`,
    );
  }
}

// Replaces retired models (warning), drops those with no usable replacement (warning), dedupes.
function resolveAll(
  task: Task,
  listed: readonly Candidate[],
  at: Date,
  catalog: readonly ModelEntry[],
  warnings: string[],
): Candidate[] {
  const capability = TASK_CAPABILITY[task];
  const out: Candidate[] = [];
  const seen = new Set<string>();
  for (const candidate of listed) {
    const resolved = resolveModel(candidate.provider, candidate.model, at, catalog);
    if (resolved.warning) warnings.push(resolved.warning);
    if (resolved.retired) {
      warnings.push(`dropped ${candidate.provider}:${candidate.model} from the ${task} models`);
      continue;
    }
    if (!resolved.entry.capabilities.includes(capability)) {
      warnings.push(
        `dropped ${candidate.provider}:${candidate.model} from the ${task} models: its replacement ${resolved.entry.provider}:${resolved.entry.id} lacks "${capability}"`,
      );
      continue;
    }
    const key = `${resolved.entry.provider}:${resolved.entry.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(
      resolved.replacedFrom === undefined
        ? { provider: resolved.entry.provider, model: resolved.entry.id }
        : {
          provider: resolved.entry.provider,
          model: resolved.entry.id,
          replacedFrom: resolved.replacedFrom,
        },
    );
  }
  return out;
}

/**
 * The ordered models to try for `task` on `platform` at date `at`, from `env` (a plain record; this
 * module never reads `Deno.env`).
 *
 * A configured model that is unknown, or cannot do the task, throws `ModelConfigError` naming it:
 * a typo must fail loudly. A model past its shutdown date is replaced by its catalog replacement
 * (or dropped when there is none or it cannot do the task), with a warning; if nothing configured
 * survives, the defaults are used, with a warning. Throws `ModelConfigError` (`no_candidates`)
 * only when even the defaults are all retired.
 *
 * @example
 * ```ts
 * const { candidates, warnings } = candidatesFor("chat", "tripwire", {
 *   AI_CHAT_MODELS_TRIPWIRE: "groq:llama-3.3-70b-versatile,openai:gpt-4.1-mini",
 * }, new Date("2026-11-25"));
 * // candidates: [{ provider: "groq", model: "openai/gpt-oss-120b", replacedFrom:
 * //   "llama-3.3-70b-versatile" }, { provider: "openai", model: "gpt-4.1-mini" }]
 * // warnings: ["groq:llama-3.3-70b-versatile was shut down on 2026-08-16; using its
 * //   replacement groq:openai/gpt-oss-120b"]
 * ```
 */
export function candidatesFor(
  task: Task,
  platform: Platform,
  env: Readonly<Record<string, string | undefined>>,
  at: Date,
  catalog: readonly ModelEntry[] = CATALOG,
): CandidateList {
  if (!(task in TASK_CAPABILITY)) {
    throw new ModelConfigError(
      "unknown_task",
      "task",
      String(task),
      `unknown task ${JSON.stringify(task)}`,
    );
  }
  if (platform !== "main" && platform !== "tripwire") {
    throw new ModelConfigError(
      "unknown_platform",
      "platform",
      String(platform),
      `unknown platform ${JSON.stringify(platform)}`,
    );
  }
  const warnings: string[] = [];
  for (const variable of configVariables(task, platform)) {
    const value = env[variable];
    if (value === undefined || value.trim() === "") continue;
    const listed = parseEntries(variable, value);
    for (const candidate of listed) validate(variable, task, candidate, catalog);
    const candidates = resolveAll(task, listed, at, catalog, warnings);
    if (candidates.length > 0) return { candidates, warnings, source: variable };
    warnings.push(`${variable} has no model in service; using the default ${task} models`);
    break; // the most specific setting that is present decides; do not fall to the general one
  }
  const candidates = resolveAll(task, DEFAULT_CANDIDATES[task], at, catalog, warnings);
  if (candidates.length === 0) {
    throw new ModelConfigError(
      "no_candidates",
      configVariables(task, platform)[0],
      undefined,
      `no ${task} model in service on ${at.toISOString().slice(0, 10)}: set ${
        configVariables(task, platform)[1]
      }`,
    );
  }
  return { candidates, warnings, source: "default" };
}

/** One day on which a model a default route can reach could not serve or be priced. */
export interface LifecycleGap {
  readonly task: Task;
  readonly provider: Provider;
  readonly model: string;
  /** The first day (UTC, YYYY-MM-DD) of the gap. */
  readonly day: string;
  readonly problem: "past_shutdown" | "unpriced" | "unknown_model";
  readonly message: string;
}

const DAY_MS = 86_400_000;

/**
 * The lifecycle check: every model a default route can reach — each default candidate and every
 * model on its replacement chain (routing follows it when a provider answers
 * model_decommissioned) — must have a price on each of the `days` days from `from`, and no
 * default candidate may be past its shutdown. Returns the gaps, the first day of each per model
 * and problem (empty = healthy). `npm test` runs it against the real clock, 60 days ahead.
 *
 * @example
 * ```ts
 * lifecycleGaps(new Date("2026-12-01"), 60); // [] once gpt-4.1-mini is no longer a default
 * ```
 */
export function lifecycleGaps(
  from: Date,
  days: number,
  catalog: readonly ModelEntry[] = CATALOG,
  defaults: Readonly<Record<Task, readonly Candidate[]>> = DEFAULT_CANDIDATES,
): LifecycleGap[] {
  const gaps = new Map<string, LifecycleGap>();
  const add = (gap: LifecycleGap) => {
    const key = `${gap.task}:${gap.provider}:${gap.model}:${gap.problem}`;
    if (!gaps.has(key)) gaps.set(key, gap);
  };
  const start = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  for (const task of Object.keys(defaults) as Task[]) {
    for (const candidate of defaults[task]) {
      // The candidate, then its replacement chain.
      const chain: { provider: Provider; model: string; isDefault: boolean }[] = [];
      let next: { provider: Provider; model: string } | undefined = candidate;
      const seen = new Set<string>();
      while (next && !seen.has(next.model)) {
        seen.add(next.model);
        chain.push({ ...next, isDefault: chain.length === 0 });
        const entry = findModel(next.provider, next.model, catalog);
        next = entry?.replacement
          ? { provider: entry.provider, model: entry.replacement }
          : undefined;
      }
      for (const link of chain) {
        const entry = findModel(link.provider, link.model, catalog);
        const base = { task, provider: link.provider, model: link.model };
        if (!entry) {
          const day = new Date(start).toISOString().slice(0, 10);
          add({
            ...base,
            day,
            problem: "unknown_model",
            message: `${link.provider}:${link.model} is not in the catalog`,
          });
          continue;
        }
        for (let i = 0; i < days; i++) {
          const at = new Date(start + i * DAY_MS);
          const day = at.toISOString().slice(0, 10);
          const retired = entry.shutdownOn !== undefined && day >= entry.shutdownOn;
          if (retired) {
            if (link.isDefault) {
              add({
                ...base,
                day,
                problem: "past_shutdown",
                message:
                  `${task}: default ${link.provider}:${link.model} shuts down on ${entry.shutdownOn}; choose another default in config.ts`,
              });
            }
            continue; // past its shutdown the route moves on to the replacement, checked next
          }
          try {
            pricePeriodAt(entry, at);
          } catch (err) {
            add({
              ...base,
              day,
              problem: "unpriced",
              message: `${task}: ${link.provider}:${link.model} has no price on ${day}: ${
                (err as Error).message
              }`,
            });
          }
        }
      }
    }
  }
  return [...gaps.values()];
}
