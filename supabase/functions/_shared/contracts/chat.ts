// The process-chat contract: validated by the function, imported by frontends through `shared/`.
// process-chat itself parses requests with chat_request.ts, which accepts the common shape without
// building these schemas and hands everything else to them (so every error is zod's).
import { z } from "zod";
import { MAX_HISTORY_TURNS, MAX_MESSAGE_CHARS, PLATFORMS } from "./chat_limits.ts";
import { text } from "./text.ts";

export { MAX_HISTORY_TURNS, MAX_MESSAGE_CHARS, PLATFORMS } from "./chat_limits.ts";

export const Platform = z.enum(PLATFORMS);
export type Platform = z.infer<typeof Platform>;

export const ChatTurn = z.strictObject({
  role: z.enum(["user", "assistant"]),
  content: text().max(
    MAX_MESSAGE_CHARS,
    `at most ${MAX_MESSAGE_CHARS} characters`,
  ),
});
export type ChatTurn = z.infer<typeof ChatTurn>;

export const ChatRequest = z.strictObject({
  platform: Platform,
  message: text()
    .transform((s) => s.trim())
    .pipe(
      z.string()
        .min(1, "the message is empty")
        .max(
          MAX_MESSAGE_CHARS,
          `at most ${MAX_MESSAGE_CHARS} characters after trimming`,
        ),
    ),
  history: z.array(ChatTurn).max(
    MAX_HISTORY_TURNS,
    `at most ${MAX_HISTORY_TURNS} turns`,
  )
    .optional(),
  stream: z.boolean().optional(),
  /** The app's id for this conversation (optional). A routing experiment keeps one conversation
   * on one arm (docs/COST_LEVERS.md); without it, all of a student's conversations share one. */
  conversation_id: z.uuid("a conversation id (uuid)").optional(),
});
export type ChatRequest = z.input<typeof ChatRequest>;

export const Usage = z.object({
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  cached_input_tokens: z.number().int(),
});
export type Usage = z.infer<typeof Usage>;

export const Provider = z.enum(["groq", "openai"]);

export const ChatResponse = z.object({
  request_id: z.string().uuid(),
  reply: z.string(),
  provider: Provider,
  model: z.string(),
  usage: Usage,
  cost_usd: z.string(),
  fallback_used: z.boolean(),
  /** True when the model stopped at its output-token limit: `reply` is cut short (ask the
   * curator to continue, or ask a narrower question). The ledger row says `partial`. */
  truncated: z.boolean(),
});
export type ChatResponse = z.infer<typeof ChatResponse>;

/** The `done` event of a streamed chat: everything the JSON response has except `reply`. */
export const ChatDone = ChatResponse.omit({ reply: true });
export type ChatDone = z.infer<typeof ChatDone>;

/** Events of `stream: true`, as the typed helper yields them. */
export type ChatStreamEvent =
  | { type: "delta"; text: string }
  | { type: "done"; data: ChatDone }
  | { type: "error"; data: { code: string; message: string } };
