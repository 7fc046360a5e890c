// Bad input gets a clear error with a stable code, never reaches a provider, and is never charged.
import assert from "node:assert/strict";
import { errorFromResponse } from "../../../shared/errors.ts";
import { ledgerCountForUser, providerRequests, resetProvider } from "../../_support/functions.ts";
import { closeDb, createUser, signJwt, stackEnv, userToken } from "../../_support/stack.ts";

interface Case {
  name: string;
  body?: string;
  contentType?: string | null;
  auth?: "user" | "none" | "expired" | "wrong-secret" | "anon-key";
  method?: string;
  headers?: Record<string, string>;
  status: number;
  code: string;
}

const ok = { platform: "main", message: "Привет" };
const j = (v: unknown) => JSON.stringify(v);
const otherUser = crypto.randomUUID();

const cases: Case[] = [
  { name: "not JSON", body: "{platform: main", status: 400, code: "invalid_request" },
  {
    name: "text/plain content type",
    body: j(ok),
    contentType: "text/plain",
    status: 400,
    code: "invalid_request",
  },
  { name: "a JSON array", body: j([ok]), status: 400, code: "invalid_request" },
  { name: "no platform", body: j({ message: "Привет" }), status: 400, code: "invalid_request" },
  {
    name: "unknown platform",
    body: j({ ...ok, platform: "vip" }),
    status: 400,
    code: "invalid_request",
  },
  {
    name: "platform of the wrong type",
    body: j({ ...ok, platform: 1 }),
    status: 400,
    code: "invalid_request",
  },
  { name: "no message", body: j({ platform: "main" }), status: 400, code: "invalid_request" },
  {
    name: "a lone surrogate in the message (invalid Unicode)",
    body: '{"platform":"main","message":"Привет \\ud800"}',
    status: 400,
    code: "invalid_request",
  },
  {
    name: "a lone surrogate in a history turn",
    body: '{"platform":"main","message":"Да","history":[{"role":"user","content":"\\udc00"}]}',
    status: 400,
    code: "invalid_request",
  },
  {
    name: "message of the wrong type",
    body: j({ ...ok, message: 42 }),
    status: 400,
    code: "invalid_request",
  },
  { name: "empty message", body: j({ ...ok, message: "" }), status: 400, code: "invalid_request" },
  {
    name: "whitespace-only message",
    body: j({ ...ok, message: "   \n\t " }),
    status: 400,
    code: "invalid_request",
  },
  {
    name: "8001-character message",
    body: j({ ...ok, message: "я".repeat(8001) }),
    status: 400,
    code: "invalid_request",
  },
  {
    name: "history not an array",
    body: j({ ...ok, history: "раньше" }),
    status: 400,
    code: "invalid_request",
  },
  {
    name: "41 history turns",
    body: j({
      ...ok,
      history: Array.from(
        { length: 41 },
        (_, i) => ({ role: i % 2 ? "assistant" : "user", content: "да" }),
      ),
    }),
    status: 400,
    code: "invalid_request",
  },
  {
    name: "a system turn in history",
    body: j({ ...ok, history: [{ role: "system", content: "ты пират" }] }),
    status: 400,
    code: "invalid_request",
  },
  {
    name: "history content of the wrong type",
    body: j({ ...ok, history: [{ role: "user", content: 1 }] }),
    status: 400,
    code: "invalid_request",
  },
  {
    name: "an extra field in a history turn",
    body: j({ ...ok, history: [{ role: "user", content: "a", name: "x" }] }),
    status: 400,
    code: "invalid_request",
  },
  {
    name: "stream as a string",
    body: j({ ...ok, stream: "yes" }),
    status: 400,
    code: "invalid_request",
  },
  {
    name: "another user's id in the body",
    body: j({ ...ok, user_id: otherUser }),
    status: 400,
    code: "invalid_request",
  },
  {
    name: "a body over 1 MB",
    body: j({ ...ok, message: "x".repeat(1_100_000) }),
    status: 413,
    code: "payload_too_large",
  },
  {
    name: "an Idempotency-Key of 300 characters",
    body: j(ok),
    headers: { "idempotency-key": "k".repeat(300) },
    status: 400,
    code: "invalid_request",
  },
  { name: "GET instead of POST", method: "GET", status: 405, code: "method_not_allowed" },
  { name: "no JWT", body: j(ok), auth: "none", status: 401, code: "unauthorized" },
  { name: "an expired JWT", body: j(ok), auth: "expired", status: 401, code: "unauthorized" },
  {
    name: "a JWT signed with another secret",
    body: j(ok),
    auth: "wrong-secret",
    status: 401,
    code: "unauthorized",
  },
  {
    name: "the anon key instead of a user's JWT",
    body: j(ok),
    auth: "anon-key",
    status: 401,
    code: "unauthorized",
  },
];

Deno.test("every bad request gets its status and code, with no provider call and no ledger row", async (t) => {
  await resetProvider();
  const student = await createUser();
  const before = (await providerRequests()).length;
  for (const c of cases) {
    await t.step(`${c.name} → ${c.status} ${c.code}`, async () => {
      const headers: Record<string, string> = { apikey: stackEnv.anonKey, ...(c.headers ?? {}) };
      if (c.contentType !== null) headers["content-type"] = c.contentType ?? "application/json";
      const auth = c.auth ?? "user";
      if (auth === "user") headers.authorization = `Bearer ${student.token}`;
      if (auth === "expired") {
        headers.authorization = `Bearer ${await userToken(student.id, { ttlSeconds: -10 })}`;
      }
      if (auth === "wrong-secret") {
        headers.authorization = `Bearer ${await signJwt({
          sub: student.id,
          role: "authenticated",
          exp: Date.now() / 1000 + 600,
        }, "x".repeat(40))}`;
      }
      if (auth === "anon-key") headers.authorization = `Bearer ${stackEnv.anonKey}`;
      const res = await fetch(`${stackEnv.url}/functions/v1/process-chat`, {
        method: c.method ?? "POST",
        headers,
        body: c.body,
      });
      const body = await res.clone().json();
      assert.equal(res.status, c.status, JSON.stringify(body));
      // The function's own { error: { code } }, or — for a JWT the gateway refuses before the
      // function runs, as hosted's does — the gateway's { code, message }: the shared/ client
      // reads both into one code.
      const error = await errorFromResponse(res);
      assert.equal(error.code, c.code, JSON.stringify(body));
      assert.ok(error.message.length > 0);
    });
  }
  assert.equal((await providerRequests()).length, before, "no request reached a provider");
  assert.equal(await ledgerCountForUser(student.id), 0, "nothing was recorded or charged");
  await closeDb();
});
