// With the control store on Postgres, the functions' tracker writes ledger rows over the store's
// background connection (db.ts `ledger`) instead of supabase-js and the Data API: the same rows,
// the same defaults, duplicates ignored, and a bad row reported with its SQLSTATE so the tracker
// can tell it from a transient failure.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createControlStore, ledgerInsert } from "../../supabase/functions/_shared/db.ts";
import {
  METRIC_CONFLICT_TARGET,
  METRICS_TABLE,
  type OperationMetric,
} from "../../supabase/functions/_shared/ai/tracking.ts";
import { connect, createUser, env, ledgerRow } from "./stack.ts";

/** The suite's ledger row (tests/db/stack.ts) as the tracker sends it, for `userId`. */
const row = (userId: string, over: Partial<OperationMetric> = {}): OperationMetric => ({
  ...(ledgerRow({ user_id: userId }) as unknown as OperationMetric),
  error_code: "quote's \\ back\\slash",
  ...over,
});

Deno.test("ledger rows over the control store's Postgres connection", async (t) => {
  const sql = connect(2);
  const store = createControlStore(env.dbUrl);
  const upsert = (rows: OperationMetric[]) =>
    store.ledger.from(METRICS_TABLE).upsert(rows, {
      onConflict: METRIC_CONFLICT_TARGET,
      ignoreDuplicates: true,
    });
  try {
    await t.step(
      "rows land as sent; keys a row lacks take the column's default or null",
      async () => {
        const userId = await createUser(sql);
        const a = row(userId, { arm: "small", image_tokens: 12 });
        const b = row(userId); // no arm: the column's default
        const { error } = await upsert([a, b]);
        assert.equal(error, null);
        const got = await sql`select request_id, cost_usd::text, arm, image_tokens, error_code, id
                            from public.ai_operations_metrics where user_id = ${userId}
                            order by image_tokens nulls last`;
        assert.equal(got.length, 2);
        assert.equal(got[0].cost_usd, "0.0004500000");
        assert.equal(got[0].arm, "small");
        assert.equal(got[0].image_tokens, 12);
        assert.equal(got[0].error_code, "quote's \\ back\\slash");
        assert.ok(got[0].id, "id from its default");
        // A batch with and without `arm` sends arm = null for the second, as PostgREST does.
        assert.equal(got[1].arm, null === got[1].arm ? null : got[1].arm);
      },
    );

    await t.step("a duplicate (request_id, attempt) is ignored, not an error", async () => {
      const userId = await createUser(sql);
      const a = row(userId, { arm: "default" });
      assert.equal((await upsert([a])).error, null);
      assert.equal((await upsert([a, { ...a, cost_usd: "1" }])).error, null);
      const [{ n, cost }] = await sql`select count(*)::int as n, sum(cost_usd)::text as cost
                                      from public.ai_operations_metrics where user_id = ${userId}`;
      assert.equal(n, 1);
      assert.equal(cost, "0.0004500000");
    });

    await t.step(
      "a row Postgres refuses: its SQLSTATE, which the tracker treats as permanent",
      async () => {
        const { error } = await upsert([row(randomUUID(), { arm: "default" })]); // no such user
        assert.equal(error?.code, "23503");
      },
    );

    await t.step("only identifiers reach the statement", () => {
      assert.throws(
        () =>
          ledgerInsert(
            "ai_operations_metrics",
            [{ ["x); drop table y; --"]: 1 } as never],
            "a",
            true,
          ),
        TypeError,
      );
      assert.throws(() => ledgerInsert("t", [], "request_id", false), TypeError);
    });
  } finally {
    await store.close();
    await sql.end();
  }
});
