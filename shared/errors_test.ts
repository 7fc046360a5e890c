// plainErrorMessage: what a student reads for each failure, built from the same AiFunctionError
// every frontend gets (the function's JSON, the platform's gateway shape, or no answer at all).
import assert from "node:assert/strict";
import { AiFunctionError, errorFromResponse, plainErrorMessage } from "./errors.ts";

const jsonError = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });

Deno.test("a 413 says the file is too large and passes on the function's hint", async () => {
  const e = await errorFromResponse(jsonError(413, {
    error: { code: "payload_too_large", message: "File too large", hint: "Send at most 20 MB." },
  }));
  assert.equal(plainErrorMessage(e), "That is too large to send. Send at most 20 MB.");
});

Deno.test("a 429 names the wait from Retry-After", async () => {
  const budget = await errorFromResponse(jsonError(
    429,
    { error: { code: "budget_exceeded", message: "Daily budget reached" } },
    { "retry-after": "5400" },
  ));
  assert.equal(
    plainErrorMessage(budget),
    "You have used today's AI allowance. Try again in 1 h 30 min.",
  );
  const busy = await errorFromResponse(jsonError(
    429,
    { error: { code: "rate_limited", message: "Rate limited" } },
    { "retry-after": "2" },
  ));
  assert.equal(plainErrorMessage(busy), "The AI is busy right now. Try again in 2 s.");
});

Deno.test("the platform's 546 says to try a smaller file", async () => {
  const e = await errorFromResponse(jsonError(
    546,
    {
      code: "WORKER_RESOURCE_LIMIT",
      message: "Function failed due to not having enough compute resources (please check logs)",
    },
    { "sb-error-code": "WORKER_RESOURCE_LIMIT" },
  ));
  assert.match(plainErrorMessage(e), /try a smaller file/);
});

Deno.test("no answer at all reads as being offline", () => {
  const e = new AiFunctionError("network_error", "Failed to fetch", 0);
  assert.match(plainErrorMessage(e), /offline/);
});

Deno.test("anything that is not an AiFunctionError gets a generic sentence, not its internals", () => {
  const message = plainErrorMessage(new TypeError("x is undefined at line 3"));
  assert.ok(!message.includes("undefined"), message);
});
