// The limits of a chat request, without zod: chat.ts builds the ChatRequest schema from them, and
// process-chat's start-up path (chat_request.ts) checks the common request against them without
// loading zod.

/** The platforms a request may name (`platform`). */
export const PLATFORMS = ["main", "tripwire"] as const;

export const MAX_MESSAGE_CHARS = 8000;
export const MAX_HISTORY_TURNS = 40;
