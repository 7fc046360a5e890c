// The AI curator: one place that turns a student's message (typed, or transcribed from a voice
// message) into a metered answer. process-chat and process-voice-message both call it.
import { armCandidates, armsFor, assignArm } from "../ai/arms.ts";
import { findModel } from "../ai/catalog.ts";
import { candidatesFor } from "../ai/config.ts";
import { addDecimal, formatDecimal } from "../ai/decimal.ts";
import { runAIOperation } from "../ai/operation.ts";
import {
  chatCompletion,
  type ChatMessage,
  type ChatResult,
  type ChatStreamResult,
  streamChatCompletion,
} from "../ai/providers.ts";
import type { ChatDone, ChatTurn, Platform, Usage } from "../contracts/chat.ts";
import type { Runtime } from "../runtime.ts";
import { estimateTokens, trimHistory } from "./history.ts";
import { CURATOR_MAX_OUTPUT_TOKENS, CURATOR_PROMPTS } from "./prompts.ts";

export interface CuratorInput {
  platform: Platform;
  message: string;
  history?: ChatTurn[];
  /** Identifies the conversation for a routing experiment (`arms.ts`): the user id, plus the
   * client's conversation id when it sends one. Same key, same arm. */
  armKey?: string;
}

type Target = { provider: "groq" | "openai"; model: string };

export interface CuratorPlan {
  candidates: Target[];
  /** The prompt for a candidate: as much history as fits that model's own context window. */
  messagesFor(target: Target): ChatMessage[];
  maxOutputTokens: number;
  /** Estimated size of the largest of those prompts, for the budget reservation. */
  inputTokens: number;
  /** The routing arm (`default` outside experiments), recorded on every ledger row. */
  arm: string;
  /** The `short` rule's escalation: the control route to ask again when the arm's answer comes
   * back truncated (only when the caller reserved budget for it, `CuratorContext`). */
  escalateTo: Target[] | null;
}

/** A context window the catalog does not state is taken as a safe 8K. */
const UNKNOWN_CONTEXT_WINDOW = 8192;

function contextWindowOf(target: Target): number {
  return findModel(target.provider, target.model)?.contextWindow ?? UNKNOWN_CONTEXT_WINDOW;
}

/**
 * Which models answer and with what prompt: the platform's system prompt, as much history as fits
 * each candidate's context window with room for the answer (trimmed oldest-first), then the
 * message. Per candidate, so a fallback whose window is smaller or unknown does not make the first
 * choice forget the conversation.
 */
export function planCurator(
  rt: Pick<Runtime, "env" | "now" | "log">,
  input: CuratorInput,
): CuratorPlan {
  const { candidates: control, warnings } = candidatesFor(
    "chat",
    input.platform,
    rt.env,
    rt.now(),
  );
  for (const w of warnings) {
    rt.log(JSON.stringify({ level: "warn", type: "ai_model_config", message: w }));
  }
  const assignment = assignArm(armsFor("chat", input.platform, rt.env), input.armKey ?? "", {
    message: input.message,
    historyTurns: input.history?.length ?? 0,
  });
  const candidates = armCandidates(assignment, control);
  const system = CURATOR_PROMPTS[input.platform];
  const maxOutputTokens = CURATOR_MAX_OUTPUT_TOKENS[input.platform];
  const fixed = estimateTokens(system) + estimateTokens(input.message);
  const byWindow = new Map<number, { messages: ChatMessage[]; tokens: number }>();
  const promptFor = (window: number) => {
    let prompt = byWindow.get(window);
    if (!prompt) {
      const history = trimHistory(
        input.history ?? [],
        Math.max(0, window - maxOutputTokens - fixed),
      );
      prompt = {
        messages: [
          { role: "system", content: system },
          ...history.map((t) => ({ role: t.role, content: t.content }) as ChatMessage),
          { role: "user", content: input.message },
        ],
        tokens: fixed + history.reduce((n, t) => n + estimateTokens(t.content), 0),
      };
      byWindow.set(window, prompt);
    }
    return prompt;
  };
  const targets = candidates.map((c) => ({ provider: c.provider, model: c.model }));
  const inputTokens = Math.max(fixed, ...targets.map((t) => promptFor(contextWindowOf(t)).tokens));
  return {
    candidates: targets,
    messagesFor: (target) => promptFor(contextWindowOf(target)).messages,
    maxOutputTokens,
    inputTokens,
    arm: assignment.arm,
    escalateTo: assignment.escalateOnTruncation
      ? control.map((c) => ({ provider: c.provider, model: c.model }))
      : null,
  };
}

export interface CuratorContext {
  requestId: string;
  userId: string;
  platform: Platform;
  functionName: string;
  signal?: AbortSignal;
  /** Ledger attempts start after this many (another operation of the same request used them). */
  attemptOffset?: number;
  /** The budget hold covers `plan.escalateTo` too: a truncated answer of a `short` arm may be
   * asked again on the control route (JSON answers only: a stream has already shown the text). */
  escalationReserved?: boolean;
}

export type CuratorOutcome =
  | {
    ok: true;
    reply: string;
    provider: "groq" | "openai";
    model: string;
    usage: Usage;
    costUsd: string;
    fallbackUsed: boolean;
    /** The stream was cut after text reached the user (the answer is incomplete). */
    partial: boolean;
    /** The model stopped at its output-token limit: the answer is complete as far as it goes
     * but cut short (its ledger row is `partial`). Shown to the student, who can ask for the
     * rest or a shorter answer; we do not continue on our own, since that spends budget the
     * request did not reserve. */
    truncated: boolean;
  }
  | {
    ok: false;
    failure: { code: string; message: string; status: number; retryAfterSeconds?: number };
    costUsd: string;
  };

/** What the student is told about an answered request besides the reply itself: the JSON
 * answer's fields and the stream's `done` event are the same. */
export function answerSummary(
  requestId: string,
  outcome: Extract<CuratorOutcome, { ok: true }>,
): ChatDone {
  return {
    request_id: requestId,
    provider: outcome.provider,
    model: outcome.model,
    usage: outcome.usage,
    cost_usd: outcome.costUsd,
    fallback_used: outcome.fallbackUsed,
    truncated: outcome.truncated,
  };
}

/** Where a streamed answer goes: each text delta, and a call whenever the deltas received so far
 * have all been given and the provider's stream waits for more (the moment to write them out). */
export interface CuratorStream {
  onDelta: (text: string) => void | Promise<void>;
  onWait?: () => void;
}

/**
 * Asks the curator. With `stream` the answer is streamed: text reaches `stream.onDelta` as it
 * arrives. Every provider attempt becomes one ledger row (operation `chat`).
 */
export async function askCurator(
  rt: Pick<Runtime, "clients" | "tracker" | "routing" | "log">,
  ctx: CuratorContext,
  plan: CuratorPlan,
  stream?: CuratorStream,
): Promise<CuratorOutcome> {
  const first = await askOnce(rt, ctx, plan, plan.candidates, ctx.attemptOffset ?? 0, stream);
  if (
    !first.outcome.ok || !first.outcome.truncated || plan.escalateTo === null || stream ||
    !ctx.escalationReserved
  ) {
    return first.outcome;
  }
  // The `short` rule guessed wrong: the small model ran out of room. Ask the control route.
  rt.log(JSON.stringify({
    level: "info",
    type: "ai_arm_escalated",
    request_id: ctx.requestId,
    arm: plan.arm,
    from: first.outcome.model,
  }));
  const second = await askOnce(
    rt,
    ctx,
    plan,
    plan.escalateTo,
    (ctx.attemptOffset ?? 0) + first.attempts,
  );
  const costUsd = formatDecimal(addDecimal(first.outcome.costUsd, second.outcome.costUsd), 10);
  return second.outcome.ok
    ? { ...second.outcome, costUsd, fallbackUsed: true }
    : { ...first.outcome, costUsd };
}

async function askOnce(
  rt: Pick<Runtime, "clients" | "tracker" | "routing" | "log">,
  ctx: CuratorContext,
  plan: CuratorPlan,
  candidates: Target[],
  attemptOffset: number,
  stream?: CuratorStream,
): Promise<{ outcome: CuratorOutcome; attempts: number }> {
  const result = await runAIOperation<ChatResult | ChatStreamResult>({
    ...rt.routing,
    context: {
      requestId: ctx.requestId,
      userId: ctx.userId,
      platform: ctx.platform,
      functionName: ctx.functionName,
      operationType: "chat",
      arm: plan.arm,
    },
    candidates,
    tracker: rt.tracker,
    log: rt.log,
    signal: ctx.signal,
    attemptOffset,
    // A truncated answer is recorded as `partial` (and, like a cut stream, not retried).
    isPartial: (value) => value.truncated || ("partial" in value && value.partial),
    attempt: (target, { signal, timeoutMs }) => {
      // Reasoning settings per model family (gpt-oss low effort, Qwen hidden) are added by
      // providers.ts from provider_limits.ts.
      const req = {
        messages: plan.messagesFor(target),
        max_completion_tokens: plan.maxOutputTokens,
      };
      return stream
        ? streamChatCompletion(rt.clients, target, req, { signal, timeoutMs, ...stream })
        : chatCompletion(rt.clients, target, req, { signal, timeoutMs });
    },
  });
  const attempts = result.metrics.length;
  if (!result.ok) {
    return { outcome: { ok: false, failure: result.failure, costUsd: result.costUsd }, attempts };
  }
  const last = result.metrics[result.metrics.length - 1];
  const outcome: CuratorOutcome = {
    ok: true,
    reply: result.value.text,
    provider: result.provider,
    model: result.model,
    usage: {
      input_tokens: last?.input_tokens ?? 0,
      output_tokens: last?.output_tokens ?? 0,
      cached_input_tokens: last?.cached_input_tokens ?? 0,
    },
    costUsd: result.costUsd,
    fallbackUsed: result.fallbackUsed,
    partial: "partial" in result.value && result.value.partial,
    truncated: result.value.truncated === true,
  };
  return { outcome, attempts };
}
