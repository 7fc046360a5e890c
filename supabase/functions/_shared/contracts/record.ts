// The record-ai-operation contract: validated by the function, imported by the school's back-ends
// (the AI mentor and analyst) through `shared/`.
import { z } from "zod";
import { text } from "./text.ts";
import { Platform, Provider } from "./chat.ts";

/** The most operations one request may carry (applied all-or-nothing). */
export const MAX_RECORD_OPERATIONS = 500;

const tokens = z.number().int("a whole number").min(0, "not negative").max(
  2_147_483_647,
);

/** The `usage` object of a Responses API response, as the API returns it (extra keys ignored). */
export const ResponsesUsageInput = z.object({
  input_tokens: tokens,
  output_tokens: tokens,
  total_tokens: tokens.optional(),
  input_tokens_details: z.object({ cached_tokens: tokens.nullish() }).nullish(),
  output_tokens_details: z.object({ reasoning_tokens: tokens.nullish() })
    .nullish(),
}).refine(
  (u) => (u.input_tokens_details?.cached_tokens ?? 0) <= u.input_tokens,
  {
    message: "cached_tokens cannot exceed input_tokens",
    path: ["input_tokens_details", "cached_tokens"],
  },
).refine(
  (u) => (u.output_tokens_details?.reasoning_tokens ?? 0) <= u.output_tokens,
  {
    message: "reasoning_tokens are part of output_tokens and cannot exceed it",
    path: ["output_tokens_details", "reasoning_tokens"],
  },
);
export type ResponsesUsageInput = z.infer<typeof ResponsesUsageInput>;

/**
 * One Responses API call to record. Unknown keys (a `cost_usd`, for one) are ignored: the cost is
 * always computed on the server from the catalog.
 */
export const RecordOperation = z.object({
  platform: Platform,
  /** The student (auth.users id) the call was made for; null for work tied to no student. */
  user_id: z.uuid("a user id (uuid) or null").nullable(),
  /** The model you requested (e.g. "gpt-4.1"): it must be in the price catalog. */
  model: text().trim().min(1, "the model is empty").max(200),
  /** Which back-end made the call, e.g. "ai-mentor", "ai-analyst". */
  function_name: text().trim().min(1, "the function name is empty").max(100),
  duration_ms: z.number().int("whole milliseconds").min(0).max(2_147_483_647),
  /** The Responses `id` (`resp_…`): the idempotency key. */
  response_id: z.string().min(1, "the response id is empty").max(200)
    .regex(/^[\x21-\x7e]+$/, "visible ASCII characters only"),
  usage: ResponsesUsageInput,
  provider: Provider.default("openai"),
  /** When the call was made (ISO 8601 with offset); default: when it is recorded. */
  created_at: z.iso.datetime({ offset: true, message: "an ISO 8601 date-time" })
    .optional(),
  /** The Responses `status`; default completed. */
  status: z.enum(["completed", "incomplete", "failed", "cancelled"]).optional(),
});
export type RecordOperation = z.input<typeof RecordOperation>;

/** A batch: up to {@link MAX_RECORD_OPERATIONS} operations, recorded all or none. */
export const RecordBatch = z.object({
  operations: z.array(RecordOperation)
    .min(1, "at least one operation")
    .max(
      MAX_RECORD_OPERATIONS,
      `at most ${MAX_RECORD_OPERATIONS} operations a request`,
    ),
});
export type RecordBatch = z.input<typeof RecordBatch>;

/** The body: one operation, or `{ operations: [...] }`. */
export type RecordRequest = RecordOperation | RecordBatch;

export const RecordedOperation = z.object({
  response_id: z.string(),
  /** The ledger request id derived from the response id (the same response, the same id). */
  request_id: z.uuid(),
  /** The catalog cost of this report (10 decimal places). */
  cost_usd: z.string(),
  /** True when the response was already in the ledger (or earlier in this batch): no new row. */
  duplicate: z.boolean(),
});
export type RecordedOperation = z.infer<typeof RecordedOperation>;

export const RecordResponse = z.object({
  /** New ledger rows written. */
  recorded: z.number().int(),
  /** Operations whose response was already recorded. */
  duplicates: z.number().int(),
  /** One entry per operation sent, in order. */
  operations: z.array(RecordedOperation),
});
export type RecordResponse = z.infer<typeof RecordResponse>;
