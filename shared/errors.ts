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
    /**
     * The platform's own code when hosted Supabase's gateway, not the function, answered
     * (`sb-error-code`, e.g. WORKER_RESOURCE_LIMIT, IDLE_TIMEOUT, UNAUTHORIZED_NO_AUTH_HEADER).
     */
    readonly platformCode?: string,
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
  // Hosted Supabase's gateway answers in its own shape before or instead of the function:
  // {"code":"UNAUTHORIZED_NO_AUTH_HEADER","message":"Missing authorization header"} (401),
  // {"code":"WORKER_RESOURCE_LIMIT" (older: "WORKER_LIMIT"),"message":"Function failed due to not
  // having enough compute resources (please check logs)"} (546: CPU, memory or wall clock),
  // {"code":"IDLE_TIMEOUT","message":"Request idle timeout limit (150s) reached"} (504),
  // {"code":"BOOT_ERROR",…} (503); older gateways sent {"msg": …}.
  const platform = body as { code?: unknown; message?: string; msg?: string } | null;
  const platformCode = res.headers.get("sb-error-code") ??
    (typeof platform?.code === "string" ? platform.code : undefined);
  const message = platform?.message ?? platform?.msg ?? res.statusText;
  const code: ErrorCode = res.status === 401
    ? "unauthorized"
    : res.status === 413
    ? "payload_too_large"
    : res.status === 504
    ? "upstream_timeout"
    : res.status === 546 || res.status === 503
    ? "service_unavailable"
    : res.status >= 500
    ? "upstream_unavailable"
    : "invalid_request";
  const hint = res.status === 546
    ? "The function ran out of CPU time or memory on this input: try a smaller one."
    : undefined;
  return new AiFunctionError(
    code,
    message,
    res.status,
    hint,
    Number.isFinite(retryAfter) ? retryAfter : undefined,
    undefined,
    requestId,
    platformCode,
  );
}

/**
 * What to tell a student about a failed call, in plain words: what happened and what to do. Built
 * from the error's code, status, hint and wait, so every frontend words the same failure the same
 * way. Anything that is not an AiFunctionError (a bug, a thrown string) gets a generic sentence.
 * @example
 * try { await analyzeFile(supabase, { file, platform: "main" }); }
 * catch (e) { errorBox.textContent = plainErrorMessage(e); }
 */
export function plainErrorMessage(error: unknown): string {
  if (!(error instanceof AiFunctionError)) {
    return "Something went wrong on this page. Reload it and try again.";
  }
  const wait = error.retryAfterSeconds !== undefined
    ? ` Try again in ${formatWait(error.retryAfterSeconds)}.`
    : " Try again in a moment.";
  const hint = error.hint ? ` ${error.hint}` : "";
  if (error.status === 546) {
    return "That file was too much work for the server: try a smaller file (a smaller photo, " +
      "fewer pages).";
  }
  switch (error.code) {
    case "network_error":
      return "You seem to be offline: the server could not be reached. Check your connection " +
        "and try again.";
    case "payload_too_large":
      return `That is too large to send.${hint || " Try a smaller file or a shorter message."}`;
    case "unsupported_media_type":
      return `That kind of file cannot be read here.${hint || " Send a photo, PDF or document."}`;
    case "unprocessable_audio":
    case "unprocessable_file":
    case "page_images_required":
      return `That file could not be read.${hint || " It may be empty or damaged."}`;
    case "budget_exceeded":
      return `You have used today's AI allowance.${wait}`;
    case "rate_limited":
      return `The AI is busy right now.${wait}`;
    case "unauthorized":
      return "Your session has ended. Sign in again.";
    case "forbidden":
      return "Your account cannot do that.";
    case "invalid_request":
      return `That request was not accepted: ${error.message}`;
    case "idempotency_conflict":
      return "That is already being sent. Wait for the answer.";
    case "upstream_unavailable":
    case "upstream_timeout":
      return `The AI did not answer.${wait}`;
    case "service_unavailable":
      return `The service is briefly unavailable.${hint || wait}`;
    default:
      return `Something went wrong (${error.code}).${wait}`;
  }
}

function formatWait(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.ceil(seconds))} s`;
  if (seconds < 3600) return `${Math.ceil(seconds / 60)} min`;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.ceil((seconds % 3600) / 60);
  return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
}
