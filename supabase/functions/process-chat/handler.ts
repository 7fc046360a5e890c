// process-chat: the AI curator. The story of a request: preflight → authenticate → parse and
// validate → idempotency → budget → ask the curator (streamed or not) → respond; every provider
// attempt is recorded in the ledger in the background.
import { addDecimal, formatDecimal } from "../_shared/ai/decimal.ts";
import type { ChatResponse } from "../_shared/contracts/chat.ts";
import { parseChatRequest } from "../_shared/contracts/chat_request.ts";
import { answerSummary, askCurator, planCurator } from "../_shared/curator/curator.ts";
import { replayAsStream, streamCuratorAnswer } from "../_shared/curator/stream.ts";
import { authenticate, requirePlatform } from "../_shared/http/auth.ts";
import { readBytes } from "../_shared/http/body.ts";
import { preflight } from "../_shared/http/cors.ts";
import { errorResponse, HttpError, invalidRequest } from "../_shared/http/errors.ts";
import { StepTimer } from "../_shared/http/timing.ts";
import {
  answerJson,
  beginIdempotent,
  costCeiling,
  idempotencyKey,
  type IdempotencyScope,
  replayResponse,
  requestHash,
  upstreamError,
} from "../_shared/request.ts";
import { createBudgetLeases, leaseOptionsFromEnv } from "../_shared/budget_lease.ts";
import { trackerPaidBy } from "../_shared/ai/tracking.ts";
import type { Runtime } from "../_shared/runtime.ts";

export const FUNCTION_NAME = "process-chat";
/** 40 turns of 8,000 Cyrillic characters fit; anything bigger is not a chat request. */
export const MAX_BODY_BYTES = 1024 * 1024;

async function parseRequest(bytes: Uint8Array, contentType: string | null) {
  if (!/^application\/json\b/i.test(contentType ?? "")) {
    throw new HttpError(
      "invalid_request",
      "The body must be JSON (content-type: application/json).",
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new HttpError("invalid_request", "The body is not valid JSON.");
  }
  // The common request is accepted without loading zod; anything else is the schema's to judge.
  const parsed = await parseChatRequest(json);
  if (!parsed.success) {
    throw invalidRequest(
      parsed.issues,
      "See the ChatRequest schema exported by shared/.",
    );
  }
  return parsed.data;
}

/**
 * @example Deno.serve(createChatHandler(createRuntime(Deno.env.toObject())));
 */
export function createChatHandler(
  rt: Runtime,
): (req: Request) => Promise<Response> {
  // A student's requests close together draw from one reservation (budget_lease.ts).
  const leases = createBudgetLeases(rt, leaseOptionsFromEnv(rt.env ?? {}));
  return async (req) => {
    const pre = preflight(req);
    if (pre) return pre;
    let idem: IdempotencyScope | null = null;
    let requestId: string | undefined;
    const timer = new StepTimer();
    try {
      if (req.method !== "POST") {
        throw new HttpError("method_not_allowed", "Use POST.");
      }
      const user = await authenticate(req, { secret: rt.jwtSecret });
      const bytes = await readBytes(req, MAX_BODY_BYTES);
      const input = await parseRequest(bytes, req.headers.get("content-type"));
      requirePlatform(user, input.platform);
      timer.mark("parse");

      const key = idempotencyKey(req);
      if (key) {
        const scope = { key, userId: user.id, fn: FUNCTION_NAME };
        const stored = await beginIdempotent(
          rt.store,
          scope,
          await requestHash(bytes),
        );
        if (stored) {
          return input.stream && stored.status === 200
            ? replayAsStream(stored.body as ChatResponse)
            : replayResponse(stored);
        }
        idem = scope;
        timer.mark("idempotency");
      }

      const rid = crypto.randomUUID();
      requestId = rid;
      const plan = planCurator(rt, {
        ...input,
        armKey: `${user.id}:${input.conversation_id ?? ""}`,
      });
      const size = {
        inputTokens: plan.inputTokens,
        outputTokens: plan.maxOutputTokens,
      };
      // A `short` arm may ask the control route again (JSON answers only): reserve for both.
      const escalation = plan.escalateTo !== null && !input.stream;
      const hold = await leases.reserve({
        userId: user.id,
        platform: input.platform,
        requestId,
        amountUsd: escalation
          ? formatDecimal(
            addDecimal(
              costCeiling(plan.candidates, size, rt.now()),
              costCeiling(plan.escalateTo!, size, rt.now()),
            ),
            10,
          )
          : costCeiling(plan.candidates, size, rt.now()),
      });
      timer.mark("budget");
      // Its ledger rows name the hold that pays for them: a lease pays for several requests.
      const paid = { ...rt, tracker: trackerPaidBy(rt.tracker, hold.reservationId) };
      const ctx = {
        requestId: rid,
        userId: user.id,
        platform: input.platform,
        functionName: FUNCTION_NAME,
        signal: req.signal,
        escalationReserved: escalation,
      };

      if (!input.stream) {
        const outcome = await askCurator(paid, ctx, plan);
        timer.mark("model");
        hold.settle(outcome.costUsd);
        if (!outcome.ok) throw upstreamError(outcome.failure);
        const body: ChatResponse = {
          ...answerSummary(rid, outcome),
          reply: outcome.reply,
        };
        return await answerJson(rt, idem, rid, body, timer);
      }

      return await streamCuratorAnswer(paid, {
        ctx,
        plan,
        hold,
        scope: idem,
        requestId: rid,
      }, () => {
        idem = null; // from here on, the stream's end completes or releases the key
      });
    } catch (err) {
      if (idem) await rt.store.idempotencyRelease(idem).catch(() => {});
      return errorResponse(err, rt.log, requestId);
    }
  };
}
