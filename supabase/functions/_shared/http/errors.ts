// Errors a client can see: one class, one response shape, statuses from the one table.
import { ERROR_STATUS, type ErrorBody, type ErrorCode } from "../contracts/errors.ts";
import { answerHeaders } from "./cors.ts";

export { ERROR_STATUS, type ErrorCode };

/** An error meant for the client: a stable `code`, a human `message`, an actionable `hint`. */
export class HttpError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: {
      hint?: string;
      retryAfterSeconds?: number;
      details?: unknown;
      status?: number;
    } = {},
  ) {
    super(message);
    this.name = "HttpError";
    this.status = options.status ?? ERROR_STATUS[code];
  }
}

/**
 * The 400 for input that failed a zod schema: the first problem in the message, all of them in
 * `details` (path and message each), so a frontend can mark every bad field.
 */
export function invalidRequest(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  hint?: string,
  where = "body",
): HttpError {
  const path = (i: { path: readonly PropertyKey[] }) => i.path.map(String).join(".");
  return new HttpError("invalid_request", `${path(issues[0]) || where}: ${issues[0].message}`, {
    hint,
    details: issues.map((i) => ({ path: path(i), message: i.message })),
  });
}

/** Turns any thrown value into the JSON error response; unknown errors are a 500 and logged. */
export function errorResponse(
  err: unknown,
  log: (line: string) => void = console.error,
  requestId?: string,
): Response {
  if (!(err instanceof HttpError)) {
    log(
      JSON.stringify({
        level: "error",
        msg: "unhandled error",
        error: String(err),
        stack: (err as Error)?.stack,
      }),
    );
    err = new HttpError("internal_error", "Something went wrong on our side.", {
      hint: "Retry in a moment; if it persists, report the request id.",
    });
  }
  const e = err as HttpError;
  const body: ErrorBody = {
    error: {
      code: e.code,
      message: e.message,
      ...(e.options.hint ? { hint: e.options.hint } : {}),
      ...(e.options.details !== undefined ? { details: e.options.details } : {}),
    },
  };
  const headers: Record<string, string> = { ...answerHeaders, "content-type": "application/json" };
  if (requestId) headers["x-request-id"] = requestId;
  if (e.options.retryAfterSeconds !== undefined) {
    headers["retry-after"] = String(Math.max(1, Math.ceil(e.options.retryAfterSeconds)));
  }
  return new Response(JSON.stringify(body), { status: e.status, headers });
}
