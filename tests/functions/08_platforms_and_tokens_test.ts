// Who may spend, decided by data the student cannot write: platforms come from
// `app_metadata.platforms` in the signed token (only the Auth admin API writes it), and a token is
// checked for aud, iss, nbf and exp. A deleted user's still-valid token is 401 under either
// control store, never a 503 "retry".
import assert from "node:assert/strict";
import { AiFunctionError, analyzeFile, invokeChat, transcribeVoice } from "../../shared/index.ts";
import { createChatHandler } from "../../supabase/functions/process-chat/handler.ts";
import { createRuntime } from "../../supabase/functions/_shared/runtime.ts";
import { clientFor, providerRequests, resetProvider } from "../_support/functions.ts";
import { closeDb, createUser, db, stackEnv, userToken } from "../_support/stack.ts";
import { fixtureFile } from "./process-voice-message/fixtures.ts";

const refusal = (p: Promise<unknown>) => p.then(() => null, (e) => e as AiFunctionError);

Deno.test("a main-only student: tripwire chat, voice and file upload are 403 platform_forbidden, main works", async () => {
  await resetProvider();
  const student = await createUser({ platforms: ["main"] });
  const supabase = clientFor(student);
  const chat = await refusal(invokeChat(supabase, { platform: "tripwire", message: "Привет" }));
  assert.equal(chat?.status, 403);
  assert.equal(chat?.code, "platform_forbidden");
  const voice = await refusal(
    transcribeVoice(supabase, { file: fixtureFile("short.wav"), platform: "tripwire" }),
  );
  assert.equal(voice?.code, "platform_forbidden");
  const file = await refusal(analyzeFile(supabase, {
    file: new File(["Текст урока о воронке продаж."], "notes.txt", { type: "text/plain" }),
    platform: "tripwire",
  }));
  assert.equal(file?.code, "platform_forbidden");
  assert.deepEqual(await providerRequests(), [], "no provider call for a refused platform");

  const ok = await invokeChat(supabase, { platform: "main", message: "Привет" });
  assert.ok(ok.reply.length > 0);
  await closeDb();
});

Deno.test("a main-only student refused on main at its limit cannot spend on tripwire instead", async () => {
  await resetProvider();
  const student = await createUser({ platforms: ["main"] });
  await db()`insert into ai_private.budget_limits (platform, period, user_id, limit_usd, note)
             values ('main', 'day', ${student.id}, 0, 'test: main exhausted')`;
  const supabase = clientFor(student);
  const main = await refusal(invokeChat(supabase, { platform: "main", message: "Привет" }));
  assert.equal(main?.code, "budget_exceeded");
  const tripwire = await refusal(invokeChat(supabase, { platform: "tripwire", message: "Привет" }));
  assert.equal(tripwire?.code, "platform_forbidden");
  assert.deepEqual(await providerRequests(), []);
  await closeDb();
});

Deno.test("a student with no platforms claim keeps both (as before); platforms in user_metadata grant nothing", async () => {
  await resetProvider();
  const student = await createUser();
  const res = await invokeChat(clientFor(student), { platform: "tripwire", message: "Привет" });
  assert.ok(res.reply.length > 0);
  const selfGranted = await userToken(student.id, {
    platforms: ["main"],
    claims: { user_metadata: { platforms: ["main", "tripwire"] } },
  });
  const err = await refusal(
    invokeChat(clientFor({ token: selfGranted }), { platform: "tripwire", message: "Привет" }),
  );
  assert.equal(err?.code, "platform_forbidden");
  await closeDb();
});

Deno.test("correctly signed tokens with a foreign aud, a foreign iss, nbf an hour ahead or no exp are 401", async () => {
  await resetProvider();
  const student = await createUser();
  const now = Math.floor(Date.now() / 1000);
  const cases: [string, Record<string, unknown>][] = [
    ["foreign aud", { aud: "another-project" }],
    ["foreign iss", { iss: "https://evil.supabase.co/auth/v1" }],
    ["nbf an hour ahead", { nbf: now + 3600 }],
    ["no exp", { exp: undefined }],
  ];
  for (const [name, claims] of cases) {
    for (const alg of ["ES256", "HS256"] as const) {
      const token = await userToken(student.id, { alg, claims });
      const err = await refusal(
        invokeChat(clientFor({ token }), { platform: "main", message: "Привет" }),
      );
      assert.equal(err?.status, 401, `${name} (${alg}): ${err?.code} ${err?.message}`);
    }
  }
  // The project's own issuer is accepted.
  const own = await userToken(student.id, { claims: { iss: `${stackEnv.url}/auth/v1` } });
  const ok = await invokeChat(clientFor({ token: own }), { platform: "main", message: "Привет" });
  assert.ok(ok.reply.length > 0);
  await closeDb();
});

const provider = () => stackEnv.providerUrl;
const directEnv = (store: "postgres" | "data-api") => ({
  SUPABASE_URL: stackEnv.url,
  SUPABASE_DB_URL: stackEnv.dbUrl,
  SUPABASE_SECRET_KEYS: JSON.stringify({ default: stackEnv.secretKey }),
  SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: stackEnv.publishableKey }),
  AI_CONTROL_STORE: store,
  ...(store === "postgres" ? { AI_CONTROL_DB_URL: stackEnv.dbUrl } : {}),
  GROQ_API_KEY: "offline-groq-key",
  GROQ_BASE_URL: `${provider()}/openai/v1`,
  OPENAI_API_KEY: "offline-openai-key",
  OPENAI_BASE_URL: `${provider()}/v1`,
});

for (const store of ["postgres", "data-api"] as const) {
  Deno.test(`control store ${store}: a deleted user's valid token is 401, not 503 + Retry-After`, async () => {
    await resetProvider();
    const handler = createChatHandler(createRuntime(directEnv(store)));
    const student = await createUser();
    await db()`delete from auth.users where id = ${student.id}`;
    for (const idempotencyKey of [null, crypto.randomUUID()]) {
      const res = await handler(
        new Request("http://function.local/process-chat", {
          method: "POST",
          headers: {
            authorization: `Bearer ${student.token}`,
            "content-type": "application/json",
            ...(idempotencyKey ? { "idempotency-key": idempotencyKey } : {}),
          },
          body: JSON.stringify({ platform: "main", message: "Привет" }),
        }),
      );
      const body = await res.json();
      assert.equal(res.status, 401, JSON.stringify(body));
      assert.equal(body.error.code, "unauthorized");
      assert.equal(res.headers.get("retry-after"), null);
    }
    assert.deepEqual(await providerRequests(), []);
    await closeDb();
  });
}
