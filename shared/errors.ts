// Typed errors for frontends: every failure of an AI function, whatever produced it (the function,
// the gateway, the network), becomes one AiFunctionError with a stable `code`.
import { ERROR_STATUS, type ErrorCode } from "../supabase/functions/_shared/contracts/errors.ts";

export { ERROR_STATUS, type ErrorCode };

/** A failed call to one of the AI functions. */
export class AiFunctionError extends Error {
  constructor(
    /** A stable machine code from ERROR_STATUS, or `network_error` when nothing answered. */
    readonly code: ErrorCode | "network_error",
    message: string,
    readonly status: number,
    readonly hint?: string,
    /** Seconds to wait before retrying (429 budget_exceeded / rate_limited). */
    readonly retryAfterSeconds?: number,
    readonly details?: unknown,
    /** The request's id (x-request-id), when it got that far: quote it in a support ticket. */
    readonly requestId?: string,
  ) {
    super(message);
    this.name = "AiFunctionError";
  }
}

/** Builds an AiFunctionError from an error Response (our JSON shape or the platform's). */
export async function errorFromResponse(res: Response): Promise<AiFunctionError> {
  let body: unknown = null;
  try {
    body = await res.clone().json();
  } catch { /* not JSON */ }
  const retryAfter = Number(res.headers.get("retry-after") ?? NaN);
  const requestId = res.headers.get("x-request-id") ?? undefined;
  const e =
    (body as { error?: { code?: string; message?: string; hint?: string; details?: unknown } })
      ?.error;
  if (e?.code) {
    return new AiFunctionError(
      e.code as ErrorCode,
      e.message ?? res.statusText,
      res.status,
      e.hint,
      Number.isFinite(retryAfter) ? retryAfter : undefined,
      e.details,
      requestId,
    );
  }
  // Hosted Supabase's gateway answers {"code":401,"message":"Invalid JWT"} before the function runs.
  const message = (body as { message?: string })?.message ?? res.statusText;
  const code: ErrorCode = res.status === 401
    ? "unauthorized"
    : res.status === 413
    ? "payload_too_large"
    : res.status >= 500
    ? "upstream_unavailable"
    : "invalid_request";
  return new AiFunctionError(
    code,
    message,
    res.status,
    undefined,
    Number.isFinite(retryAfter) ? retryAfter : undefined,
  );
}
