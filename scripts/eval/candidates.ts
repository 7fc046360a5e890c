/**
 * Which models the harness compares, per task: `provider:model` lists, like the functions'
 * `AI_<TASK>_MODELS` settings (config.ts), checked against the catalog.
 *
 * @module
 */

import { getModel } from "../../supabase/functions/_shared/ai/catalog.ts";
import type { ProviderName } from "../../supabase/functions/_shared/ai/providers.ts";

/** The school's five decisions (assumptions.ts's DECISION_TASKS): curator chat, homework photo,
 * scanned PDF, text document, voice message. */
export const EVAL_TASKS = ["chat", "photo", "scan", "document", "voice"] as const;
export type EvalTask = typeof EVAL_TASKS[number];

export interface EvalCandidate {
  readonly provider: ProviderName;
  readonly model: string;
}

/** The capability a model needs for each task (documents are summarised as text). */
const NEEDS: Record<EvalTask, string> = {
  chat: "chat",
  photo: "vision",
  scan: "vision",
  document: "chat",
  voice: "speech_to_text",
};

/**
 * Defaults: every live candidate worth deciding between — the functions' first choices, Groq's
 * cheaper gpt-oss-20b and qwen3.8 for chat, gpt-6-luna (cheaper per operation than the Groq
 * defaults, RESEARCH.md Q6), and GPT-4o, the old stack's model. Voice: Groq's two Whisper models
 * against OpenAI's gpt-transcribe (the replacement from 2027-02-26) and gpt-4o-transcribe.
 */
export const DEFAULT_EVAL_CANDIDATES: Readonly<Record<EvalTask, string>> = {
  chat:
    "groq:openai/gpt-oss-120b,groq:openai/gpt-oss-20b,groq:qwen/qwen3.8-27b,openai:gpt-6-luna,openai:gpt-4o",
  photo: "groq:qwen/qwen3.8-27b,groq:qwen/qwen3.6-27b,openai:gpt-6-luna,openai:gpt-4o",
  scan: "groq:qwen/qwen3.8-27b,openai:gpt-6-luna,openai:gpt-4o",
  document: "groq:openai/gpt-oss-120b,groq:openai/gpt-oss-20b,openai:gpt-6-luna,openai:gpt-4o",
  voice:
    "groq:whisper-large-v3,groq:whisper-large-v3-turbo,openai:gpt-transcribe,openai:gpt-4o-transcribe",
};

/**
 * Parses `groq:openai/gpt-oss-120b,openai:gpt-4o` (the first colon splits provider from model).
 * Throws for an unknown provider, a model not in the catalog, or one without the capability the
 * task needs.
 *
 * @example
 * parseCandidates("voice", "groq:whisper-large-v3"); // [{ provider: "groq", model: "whisper-large-v3" }]
 */
export function parseCandidates(task: EvalTask, list: string): EvalCandidate[] {
  const out: EvalCandidate[] = [];
  for (const raw of list.split(",")) {
    const text = raw.trim();
    if (text === "") continue;
    const colon = text.indexOf(":");
    const provider = text.slice(0, colon);
    const model = text.slice(colon + 1);
    if (colon <= 0 || model === "" || (provider !== "groq" && provider !== "openai")) {
      throw new Error(`${task}: "${text}" is not provider:model (provider groq or openai)`);
    }
    const entry = getModel(provider, model);
    if (!(entry.capabilities as readonly string[]).includes(NEEDS[task])) {
      throw new Error(`${task}: ${text} has no ${NEEDS[task]} capability in the catalog`);
    }
    if (!out.some((c) => c.provider === provider && c.model === model)) {
      out.push({ provider, model });
    }
  }
  if (out.length === 0) throw new Error(`${task}: no candidates`);
  return out;
}
