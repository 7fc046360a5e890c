// A back-end told to retry retries: U+0000 anywhere in the body is a 400 it can fix, never a 503.
// A secret key that came from a browser is refused as hosted's gateway refuses it; a legacy
// service token must carry an expiry.
import assert from "node:assert/strict";
import { closeDb, signJwt, stackEnv } from "../../_support/stack.ts";
import { operation, post, rowsFor, testFunctionName } from "./_record.ts";

Deno.test("U+0000 in function_name, in a nested field or in a key is 400 invalid_request, nothing recorded", async () => {
  const fn = testFunctionName("ai-mentor");
  for (
    const body of [
      operation({ function_name: `${fn}\u0000` }),
      operation({ function_name: fn, usage: { ...operation().usage, "x\u0000": 1 } }),
      { operations: [operation({ function_name: fn }), operation({ model: "gpt\u0000" })] },
    ]
  ) {
    const res = await post(body);
    assert.equal(res.status, 400, JSON.stringify(res.json));
    assert.equal(res.json.error!.code, "invalid_request");
    assert.match(res.json.error!.message, /U\+0000/);
  }
  assert.equal((await rowsFor(fn)).length, 0);
  await closeDb();
});

Deno.test("a secret key sent with a browser's User-Agent and Origin is 401; from a server it records", async () => {
  const fn = testFunctionName("ai-mentor");
  const browser = await post(operation({ function_name: fn }), null, {
    apikey: stackEnv.secretKey,
    "user-agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1",
    origin: "https://school.example",
  });
  assert.equal(browser.status, 401, JSON.stringify(browser.json));
  assert.match(browser.json.error!.message, /browser/);
  assert.equal((await rowsFor(fn)).length, 0);
  const server = await post(operation({ function_name: fn }), null, {
    apikey: stackEnv.secretKey,
    "user-agent": "Deno/2.1.4",
  });
  assert.equal(server.status, 200, JSON.stringify(server.json));
  await closeDb();
});

Deno.test("a legacy HS256 service_role token without exp is 401", async () => {
  const fn = testFunctionName("ai-mentor");
  const noExp = await signJwt({ role: "service_role", iss: "supabase-demo" });
  const res = await post(operation({ function_name: fn }), noExp);
  assert.equal(res.status, 401, JSON.stringify(res.json));
  assert.equal((await rowsFor(fn)).length, 0);
  await closeDb();
});
