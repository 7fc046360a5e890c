// Fitting a conversation into a model's context window: the newest turns matter most, so history
// is dropped oldest-first until the prompt leaves room for the answer.
import type { ChatTurn } from "../contracts/chat.ts";

/**
 * A conservative token estimate: Cyrillic text runs about 2.5–3.5 characters per token on the
 * gpt-oss/qwen tokenizers, so count one token per 2.5 characters plus per-message overhead. Over-
 * estimating only drops an old turn a little early; under-estimating would fail the call.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 2.5) + 4;
}

/**
 * Keeps the most recent turns whose estimated size fits in `budgetTokens`. A dropped turn takes
 * everything older with it, so the kept history is always a suffix of the conversation.
 * @example trimHistory(turns, 1000) // → the newest turns totalling ≤ 1000 estimated tokens
 */
export function trimHistory(history: readonly ChatTurn[], budgetTokens: number): ChatTurn[] {
  let used = 0;
  let start = history.length;
  for (let i = history.length - 1; i >= 0; i--) {
    const t = estimateTokens(history[i].content);
    if (used + t > budgetTokens) break;
    used += t;
    start = i;
  }
  return history.slice(start);
}
