// Only the school's back-ends may record: students, the anon key and strangers are refused, and an
// operation the catalog cannot price, or for a user who does not exist, records nothing.
import assert from "node:assert/strict";
import { clientFor } from "../../_support/functions.ts";
import { closeDb, createUser, signJwt, stackEnv } from "../../_support/stack.ts";
import { FUNCTION_URL, operation, post, rowsFor, testFunctionName } from "./_record.ts";

Deno.test("a student's JWT → 403, the anon key → 403, no key → 401; nothing recorded", async () => {
  const student = await createUser();
  const fn = testFunctionName("ai-mentor");
  const body = operation({ function_name: fn, user_id: student.id });

  const asStudent = await post(body, student.token);
  assert.equal(
    asStudent.status,
    403,
    "the gateway lets a student's JWT through (verify_jwt = false); the function refuses it",
  );
  assert.equal(asStudent.json.error!.code, "forbidden");

  const { error } = await clientFor(student).functions.invoke("record-ai-operation", { body });
  assert.equal((error as { context: Response }).context.status, 403, "also through supabase-js");

  const asAnon = await post(body, stackEnv.anonKey);
  assert.equal(asAnon.status, 403, "the anon key is a valid key, but not allowed here");
  assert.equal(asAnon.json.error!.code, "forbidden");

  const noKey = await post(body, null);
  assert.equal(noKey.status, 401);
  assert.equal(noKey.json.error!.code, "unauthorized");

  const forged = await post(
    body,
    await signJwt({ role: "service_role", exp: 4102444800 }, "x".repeat(40)),
  );
  assert.equal(forged.status, 401, "a service_role token signed with another secret");

  const wrongSecret = await post(body, null, { "x-record-secret": "guess" });
  assert.equal(wrongSecret.status, 401, "a secret header with no or another secret");

  assert.equal((await rowsFor(fn)).length, 0);
  await closeDb();
});

Deno.test("an unknown model → 422 unpriced_model naming the item, and no rows (never $0)", async () => {
  const fn = testFunctionName("ai-analyst");
  const res = await post({
    operations: [
      operation({ function_name: fn }),
      operation({ function_name: fn, model: "gpt-9-ultra" }),
    ],
  });
  assert.equal(res.status, 422);
  assert.equal(res.json.error!.code, "unpriced_model");
  assert.match(res.json.error!.message, /^operations\[1\]: openai:gpt-9-ultra /);
  assert.equal((await rowsFor(fn)).length, 0, "the priced item was not recorded either");

  const groqModel = await post(
    operation({ function_name: fn, provider: "groq", model: "gpt-6-luna" }),
  );
  assert.equal(groqModel.status, 422, "a model is priced per provider");
  assert.equal((await rowsFor(fn)).length, 0);
  await closeDb();
});

Deno.test("a user_id not in auth.users → 422 unknown_user naming it, and no rows", async () => {
  const fn = testFunctionName("ai-mentor");
  const ghost = crypto.randomUUID();
  const res = await post({
    operations: [
      operation({ function_name: fn }),
      operation({ function_name: fn, user_id: ghost }),
    ],
  });
  assert.equal(res.status, 422);
  assert.equal(res.json.error!.code, "unknown_user");
  assert.equal(res.json.error!.message, `operations[1]: user ${ghost} does not exist.`);
  assert.equal((await rowsFor(fn)).length, 0, "all or nothing");
  await closeDb();
});

Deno.test("GET → 405, a non-JSON body → 400", async () => {
  const get = await fetch(FUNCTION_URL(), {
    headers: { authorization: `Bearer ${stackEnv.serviceRoleKey}` },
  });
  assert.equal(get.status, 405);
  await get.body?.cancel();
  const text = await post("{not json");
  assert.equal(text.status, 400);
  assert.equal(text.json.error!.code, "invalid_request");
});
