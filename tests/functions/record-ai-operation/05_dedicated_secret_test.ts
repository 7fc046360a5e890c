// A deployment that sets RECORD_AI_OPERATION_SECRET lets a back-end record with that secret
// instead of the service-role key. The handler runs in this process (with the secret in its
// environment) and writes to the stack's real ledger.
import assert from "node:assert/strict";
import {
  createRecordHandler,
  createRecordRuntime,
} from "../../../supabase/functions/record-ai-operation/handler.ts";
import { closeDb, stackEnv } from "../../_support/stack.ts";
import { operation, rowsFor, testFunctionName } from "./_record.ts";

const SECRET = "rec_test_9d2f6c1a7e3b48a5b0c4";

function handler(env: Record<string, string | undefined>) {
  return createRecordHandler({
    ...createRecordRuntime({
      SUPABASE_URL: stackEnv.url,
      SUPABASE_SERVICE_ROLE_KEY: stackEnv.serviceRoleKey,
      ...env,
    }),
    log: () => {},
  });
}
const call = (
  h: (r: Request) => Promise<Response>,
  headers: Record<string, string>,
  body: unknown,
) =>
  h(
    new Request("http://local/record-ai-operation", {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    }),
  );

Deno.test("the dedicated secret, as x-record-secret or Bearer, records; a wrong one is 401", async () => {
  const h = handler({ RECORD_AI_OPERATION_SECRET: SECRET });
  const fn = testFunctionName("ai-analyst");
  const viaHeader = await call(h, { "x-record-secret": SECRET }, operation({ function_name: fn }));
  assert.equal(viaHeader.status, 200);
  await viaHeader.body?.cancel();
  const viaBearer = await call(
    h,
    { authorization: `Bearer ${SECRET}` },
    operation({ function_name: fn }),
  );
  assert.equal(viaBearer.status, 200);
  await viaBearer.body?.cancel();
  const wrong = await call(
    h,
    { "x-record-secret": `${SECRET}x` },
    operation({ function_name: fn }),
  );
  assert.equal(wrong.status, 401);
  await wrong.body?.cancel();
  assert.equal((await rowsFor(fn)).length, 2);
  await closeDb();
});

Deno.test("without SUPABASE_JWT_SECRET (hosted), only the exact service-role key is trusted", async () => {
  const h = handler({});
  const fn = testFunctionName("ai-analyst");
  const ok = await call(
    h,
    { authorization: `Bearer ${stackEnv.serviceRoleKey}` },
    operation({ function_name: fn }),
  );
  assert.equal(ok.status, 200);
  await ok.body?.cancel();
  const noSecretConfigured = await call(
    h,
    { "x-record-secret": SECRET },
    operation({ function_name: fn }),
  );
  assert.equal(noSecretConfigured.status, 401, "no secret configured: the header opens nothing");
  await noSecretConfigured.body?.cancel();
  assert.equal((await rowsFor(fn)).length, 1);
  await closeDb();
});
