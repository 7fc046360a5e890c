/**
 * Every error code a client of these functions can see, with its HTTP status: the one table.
 * Frontends import it through `shared/`; functions answer with `{ error: { code, message, hint? } }`.
 */
export const ERROR_STATUS = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  /** The student's account is not granted this platform (`app_metadata.platforms`). */
  platform_forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  idempotency_conflict: 409,
  /** The key's request was answered and charged, but its answer could not be stored for replay. */
  idempotency_not_replayable: 409,
  payload_too_large: 413,
  /** One request would cost more than the whole period's budget: no wait would let it through. */
  exceeds_whole_budget: 413,
  /** The file would cost more CPU to read than one request may spend (files/work_meter.ts). */
  work_limit_exceeded: 413,
  unsupported_media_type: 415,
  unprocessable_audio: 422,
  unprocessable_file: 422,
  page_images_required: 422,
  unpriced_model: 422,
  unknown_user: 422,
  budget_exceeded: 429,
  rate_limited: 429,
  upstream_unavailable: 502,
  upstream_timeout: 504,
  service_unavailable: 503,
  /** This worker is busy reading other files and could not start in time: retry after Retry-After. */
  worker_busy: 503,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** The JSON body of every error response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; hint?: string; details?: unknown };
}
