// process-chat's request, parsed without loading zod at start-up. zod costs a fresh Deno 2.1
// worker 115–180 ms to load and ChatRequest ~17 ms more to build (`npm run bench:cold`), and a
// cold worker bills that to its first request. So the common request — every field well-formed —
// is accepted by the plain check below, and anything it does not accept goes to the ChatRequest
// schema (chat.ts, loaded at that moment), which decides: every refusal, and every issue list, is
// zod's. The check only ever says yes where the schema says yes with the same data
// (chat_request_test.ts compares the two on generated requests); it may say "ask zod" for
// requests the schema accepts.
import type { z } from "zod";
import type { ChatRequest } from "./chat.ts";
import { MAX_HISTORY_TURNS, MAX_MESSAGE_CHARS, PLATFORMS } from "./chat_limits.ts";
import { isWellFormedText } from "./unicode.ts";

/** A request as the handler uses it (zod's output: the message trimmed). */
export type ParsedChatRequest = z.output<typeof ChatRequest>;

export type ChatRequestResult =
  | { success: true; data: ParsedChatRequest }
  | {
    success: false;
    issues: readonly { path: readonly PropertyKey[]; message: string }[];
  };

/** zod's `z.uuid()` (zod 4.6.7, v4/core/regexes.js `uuid()`); chat_request_test.ts compares them. */
export const UUID_PATTERN =
  /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/;

const FIELDS = new Set([
  "platform",
  "message",
  "history",
  "stream",
  "conversation_id",
]);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) &&
  Object.getPrototypeOf(v) === Object.prototype;

/** Within `max` characters as zod 4.6 counts them: code points (a surrogate pair is one). */
function withinChars(s: string, max: number): boolean {
  if (s.length <= max) return true;
  let n = 0;
  for (const _ of s) if (++n > max) return false;
  return true;
}

const goodText = (v: unknown, max: number): v is string =>
  typeof v === "string" && isWellFormedText(v) && withinChars(v, max);

/**
 * The request when every field is certainly valid, built as ChatRequest builds it (fields in the
 * schema's order, absent ones left out, `message` trimmed); null when the schema must decide.
 */
export function acceptChatRequest(json: unknown): ParsedChatRequest | null {
  if (!isRecord(json)) return null;
  for (const key of Object.keys(json)) if (!FIELDS.has(key)) return null;
  const { platform, message, history, stream, conversation_id } = json;
  if (!(PLATFORMS as readonly unknown[]).includes(platform)) return null;
  if (typeof message !== "string" || !isWellFormedText(message)) return null;
  const trimmed = message.trim();
  if (trimmed.length < 1 || !withinChars(trimmed, MAX_MESSAGE_CHARS)) {
    return null;
  }
  const out: Record<string, unknown> = { platform, message: trimmed };
  if ("history" in json) {
    if (!Array.isArray(history) || history.length > MAX_HISTORY_TURNS) {
      return null;
    }
    const turns = [];
    for (const turn of history) {
      if (!isRecord(turn)) return null;
      const keys = Object.keys(turn);
      if (keys.length !== 2 || !("role" in turn) || !("content" in turn)) {
        return null;
      }
      if (turn.role !== "user" && turn.role !== "assistant") return null;
      if (!goodText(turn.content, MAX_MESSAGE_CHARS)) return null;
      turns.push({ role: turn.role, content: turn.content });
    }
    out.history = turns;
  }
  if ("stream" in json) {
    if (typeof stream !== "boolean") return null;
    out.stream = stream;
  }
  if ("conversation_id" in json) {
    if (
      typeof conversation_id !== "string" || !UUID_PATTERN.test(conversation_id)
    ) return null;
    out.conversation_id = conversation_id;
  }
  return out as ParsedChatRequest;
}

/**
 * Parses a chat request's JSON: the plain check first, the ChatRequest schema for anything else.
 * @example const r = await parseChatRequest(JSON.parse(body)); if (!r.success) throw invalidRequest(r.issues);
 */
export async function parseChatRequest(
  json: unknown,
): Promise<ChatRequestResult> {
  const accepted = acceptChatRequest(json);
  if (accepted) return { success: true, data: accepted };
  const { ChatRequest } = await import("./chat.ts");
  const parsed = ChatRequest.safeParse(json);
  return parsed.success
    ? { success: true, data: parsed.data }
    : { success: false, issues: parsed.error.issues };
}
