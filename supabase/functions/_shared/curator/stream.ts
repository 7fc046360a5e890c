// The curator's answer as server-sent events (process-chat with `stream: true`): `delta` events
// as the text is written, then `done` (everything the JSON answer has but `reply`) or `error`.
// Until the first text the answer can still be an HTTP error (routing may retry or fall back
// unseen); a provider that stays silent longer than AI_STREAM_COMMIT_MS gets the stream committed
// with keep-alive comments instead, so the client never waits on nothing.
import type { ChatDone, ChatResponse } from "../contracts/chat.ts";
import { answerHeaders } from "../http/cors.ts";
import {
  type BudgetHold,
  completeIdempotent,
  type IdempotencyScope,
  upstreamError,
} from "../request.ts";
import type { Runtime } from "../runtime.ts";
import { answerSummary, askCurator, type CuratorContext, type CuratorPlan } from "./curator.ts";

export const sse = (event: string, data: unknown) =>
  `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** A positive whole number of milliseconds from a setting, or the default. */
function positiveMs(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}

/** Replays a stored JSON result as the event stream the client asked for. */
export function replayAsStream(body: ChatResponse): Response {
  const { reply, ...done } = body;
  return new Response(sse("delta", { text: reply }) + sse("done", done), {
    headers: {
      ...answerHeaders,
      "content-type": "text/event-stream",
      "idempotent-replayed": "true",
    },
  });
}

/**
 * Asks the curator and answers as an event stream. Throws an HttpError when the request fails
 * before any text (and before the stream is committed); `handOver()` is called once the stream
 * owns the idempotency key (it completes or releases it at its end).
 * @example return await streamCuratorAnswer(rt, { ctx, plan, hold, scope, requestId }, () => {});
 */
export async function streamCuratorAnswer(
  rt: Runtime,
  a: {
    ctx: CuratorContext;
    plan: CuratorPlan;
    hold: BudgetHold;
    scope: IdempotencyScope | null;
    requestId: string;
  },
  handOver: () => void,
): Promise<Response> {
  // Streamed: answer with HTTP errors until the first text arrives (routing may still retry
  // or fall back unseen); after that, failures end the stream with an `error` event.
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({
    start: (c) => void (controller = c),
  });
  let started!: (v: boolean) => void;
  const firstText = new Promise<boolean>((r) => (started = r));
  // Events are gathered and sent when the provider's stream waits for more bytes, or before we
  // wait on anything ourselves: what the provider sent back to back (its last text, its usage,
  // `[DONE]`) leaves as one write, so no scheduling hiccup of the worker or a proxy can open a
  // gap between them (docs/PERFORMANCE.md, "Seventh session"). Text is never held longer than
  // the events that arrived with it take to handle.
  let gathered = "";
  const flush = () => {
    if (gathered === "") return;
    const out = gathered;
    gathered = "";
    try {
      controller.enqueue(encoder.encode(out));
    } catch { /* the client went away */ }
  };
  const write = (s: string) => void (gathered += s);
  const send = (s: string) => {
    write(s);
    flush();
  };
  const end = (s: string) => {
    send(s);
    controller.close();
  };
  const { ctx, plan, hold, scope, requestId: rid } = a;
  handOver(); // from here on, the stream's end completes or releases the idempotency key
  const run = askCurator(rt, ctx, plan, {
    onDelta: (text) => {
      started(true);
      write(sse("delta", { text }));
    },
    onWait: flush,
  }).then(async (outcome) => {
    hold.settle(outcome.costUsd);
    // The text so far leaves before any bookkeeping is awaited (only with an idempotency key).
    if (scope) flush();
    if (!outcome.ok) {
      started(false);
      if (scope) await rt.store.idempotencyRelease(scope).catch(() => {});
      const e = upstreamError(outcome.failure);
      end(sse("error", { code: e.code, message: e.message }));
      return outcome;
    }
    const done: ChatDone = answerSummary(rid, outcome);
    if (outcome.partial) {
      if (scope) await rt.store.idempotencyRelease(scope).catch(() => {});
      end(
        sse("error", {
          code: "upstream_unavailable",
          message: "The answer was interrupted. Retry to get it whole.",
        }),
      );
    } else {
      if (scope) {
        await completeIdempotent(rt, scope, 200, {
          ...done,
          reply: outcome.reply,
        });
      }
      end(sse("done", done));
    }
    return outcome;
  });
  // A provider that stays silent must not leave the client with nothing: after
  // AI_STREAM_COMMIT_MS (10 s) without text the stream is committed (200), a comment says so
  // and keep-alive comments follow every AI_STREAM_KEEPALIVE_MS (15 s) — hosted ends a request
  // with no response after 150 s — and a failure from then on is an `error` event, sent by the
  // request's deadline at the latest (routing stops there).
  const commitMs = positiveMs(rt.env.AI_STREAM_COMMIT_MS, 10_000);
  let commitTimer: ReturnType<typeof setTimeout> | undefined;
  const first = await Promise.race([
    firstText,
    new Promise<"waiting">((
      r,
    ) => (commitTimer = setTimeout(() => r("waiting"), commitMs))),
  ]);
  clearTimeout(commitTimer);
  if (first === false) {
    const outcome = await run;
    if (!outcome.ok) throw upstreamError(outcome.failure);
  }
  if (first === "waiting") {
    send(": waiting for the model\n\n");
    const keepAlive = setInterval(
      () => send(": keep-alive\n\n"),
      positiveMs(rt.env.AI_STREAM_KEEPALIVE_MS, 15_000),
    );
    firstText.then(() => clearInterval(keepAlive));
    run.finally(() => clearInterval(keepAlive));
  }
  rt.waitUntil(run);
  return new Response(stream, {
    headers: {
      ...answerHeaders,
      "content-type": "text/event-stream",
      "cache-control": "no-cache, no-transform",
      "x-request-id": rid,
    },
  });
}
