// When the ledger cannot be written, the back-end is told to retry (503), never that it landed.
import assert from "node:assert/strict";
import type { LedgerClient } from "../../../supabase/functions/_shared/ai/ledger.ts";
import { createRecordHandler } from "../../../supabase/functions/record-ai-operation/handler.ts";
import { operation } from "./_record.ts";

const SERVICE_KEY = "sb_secret_test_key_for_unit_tests";

Deno.test("a database outage → 503 upstream_unavailable with Retry-After, logged, no internals leaked", async () => {
  const logs: string[] = [];
  const down: LedgerClient = {
    from: () => ({
      upsert: () => ({
        select: () =>
          Promise.resolve({
            data: null,
            error: { message: "connection refused to 10.0.0.5", code: "08006" },
            status: 503,
          }),
      }),
    }),
  };
  const handler = createRecordHandler({
    env: { SUPABASE_SERVICE_ROLE_KEY: SERVICE_KEY },
    ledger: down,
    now: () => new Date(),
    log: (l) => logs.push(l),
  });
  const res = await handler(
    new Request("http://local/record-ai-operation", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${SERVICE_KEY}` },
      body: JSON.stringify(operation()),
    }),
  );
  assert.equal(res.status, 503);
  assert.equal(res.headers.get("retry-after"), "1");
  const body = await res.json();
  assert.equal(body.error.code, "upstream_unavailable");
  assert.doesNotMatch(JSON.stringify(body), /10\.0\.0\.5/, "database details stay in the log");
  assert.ok(logs.some((l) => l.includes("ledger write failed")));
});
