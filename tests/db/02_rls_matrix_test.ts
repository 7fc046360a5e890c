/**
 * Row-level security matrix through PostgREST with real JWTs: anon, student A, student B, admin
 * and service_role × select / insert / update / delete on the ledger, and select on every view.
 */
import assert from "node:assert/strict";
import {
  type Caller,
  connect,
  createUser,
  env,
  insertRows,
  isolatedDay,
  ledgerRow,
  rest,
  userJwt,
} from "./stack.ts";

const VIEWS = [
  "ai_spend_by_platform",
  "ai_spend_by_function",
  "ai_spend_by_model",
  "ai_spend_by_user",
  "ai_savings_vs_openai",
  "ai_route_arm_answers",
];

Deno.test("RLS matrix through PostgREST", async (t) => {
  const sql = connect();
  try {
    const aId = await createUser(sql);
    const bId = await createUser(sql);
    const adminId = await createUser(sql, { admin: true });
    const day = isolatedDay();
    const aRow = ledgerRow({ user_id: aId, created_at: `${day}T10:00:00Z` });
    const bRow = ledgerRow({
      user_id: bId,
      created_at: `${day}T11:00:00Z`,
      platform: "tripwire",
      cost_usd: "0.0010000000",
    });
    await insertRows(sql, [aRow, bRow]);
    const both = `request_id=in.(${aRow.request_id},${bRow.request_id})`;
    const month = `${day.slice(0, 8)}01`;

    const anon: Caller = { name: "anon", apikey: env.anonKey, bearer: env.anonKey };
    const studentA: Caller = { name: "student A", apikey: env.anonKey, bearer: userJwt(aId) };
    const studentB: Caller = { name: "student B", apikey: env.anonKey, bearer: userJwt(bId) };
    const admin: Caller = {
      name: "admin",
      apikey: env.anonKey,
      bearer: userJwt(adminId, { admin: true }),
    };
    const service: Caller = {
      name: "service_role",
      apikey: env.serviceRoleKey,
      bearer: env.serviceRoleKey,
    };

    const expectedRows: Record<string, string[]> = {
      "student A": [aRow.request_id],
      "student B": [bRow.request_id],
      admin: [aRow.request_id, bRow.request_id].sort(),
      service_role: [aRow.request_id, bRow.request_id].sort(),
    };

    await t.step("select on the ledger", async () => {
      const denied = await rest(anon, "GET", `ai_operations_metrics?${both}`);
      assert.equal(denied.status, 401, "anon cannot read the ledger at all");
      for (const caller of [studentA, studentB, admin, service]) {
        const result = await rest(caller, "GET", `ai_operations_metrics?${both}&select=request_id`);
        assert.equal(result.status, 200, `${caller.name} may query the ledger`);
        const ids = (result.body as { request_id: string }[]).map((r) => r.request_id).sort();
        assert.deepEqual(
          ids,
          expectedRows[caller.name],
          `${caller.name} sees ${caller.name.startsWith("student") ? "only own rows" : "all rows"}`,
        );
      }
    });

    await t.step("insert into the ledger", async () => {
      const anonInsert = await rest(anon, "POST", "ai_operations_metrics", ledgerRow());
      assert.equal(anonInsert.status, 401, "anon cannot insert");
      for (const [caller, ownId] of [[studentA, aId], [studentB, bId], [admin, adminId]] as const) {
        const result = await rest(
          caller,
          "POST",
          "ai_operations_metrics",
          ledgerRow({ user_id: ownId }),
        );
        assert.equal(
          result.status,
          403,
          `${caller.name} cannot insert, even a row with own user_id`,
        );
      }
      const row = ledgerRow({ user_id: aId });
      const inserted = await rest(service, "POST", "ai_operations_metrics", row);
      assert.equal(inserted.status, 201, "service_role inserts");
      const [stored] = await sql`
        select count(*)::int as n from public.ai_operations_metrics
        where request_id = ${row.request_id}`;
      assert.equal(stored.n, 1, "the service_role row is in the ledger");
    });

    await t.step("update on the ledger", async () => {
      for (const caller of [anon, studentA, studentB, admin, service]) {
        const result = await rest(caller, "PATCH", `ai_operations_metrics?${both}`, {
          cost_usd: 0,
        });
        assert.equal(
          result.status,
          caller === anon ? 401 : 403,
          `${caller.name} cannot update ledger rows (append-only)`,
        );
      }
    });

    await t.step("delete on the ledger", async () => {
      for (const caller of [anon, studentA, studentB, admin, service]) {
        const result = await rest(caller, "DELETE", `ai_operations_metrics?${both}`);
        assert.equal(
          result.status,
          caller === anon ? 401 : 403,
          `${caller.name} cannot delete ledger rows (append-only)`,
        );
      }
      const [kept] = await sql`
        select count(*)::int as n, sum(cost_usd)::text as cost from public.ai_operations_metrics
        where request_id in (${aRow.request_id}, ${bRow.request_id})`;
      assert.deepEqual({ ...kept }, { n: 2, cost: "0.0014500000" }, "both rows are unchanged");
    });

    for (const view of VIEWS) {
      await t.step(`select on ${view}`, async () => {
        const filter = view === "ai_spend_by_user"
          ? `month=eq.${month}&user_id=in.(${aId},${bId})`
          : `day=eq.${day}`;
        const denied = await rest(anon, "GET", `${view}?${filter}`);
        assert.equal(denied.status, 401, `anon cannot read ${view}`);
        const expected: Record<string, { platform: string; cost: string }[]> = {
          "student A": [{ platform: "main", cost: "0.00045" }],
          "student B": [{ platform: "tripwire", cost: "0.001" }],
          admin: [{ platform: "main", cost: "0.00045" }, { platform: "tripwire", cost: "0.001" }],
          service_role: [
            { platform: "main", cost: "0.00045" },
            { platform: "tripwire", cost: "0.001" },
          ],
        };
        for (const caller of [studentA, studentB, admin, service]) {
          const result = await rest(caller, "GET", `${view}?${filter}&order=platform`);
          assert.equal(result.status, 200, `${caller.name} may read ${view}`);
          const rows = (result.body as { platform: string; cost_usd: number }[]).map((r) => ({
            platform: r.platform,
            cost: String(Number(r.cost_usd)),
          }));
          assert.deepEqual(
            rows,
            expected[caller.name],
            `${caller.name} sees ${
              caller.name.startsWith("student") ? "only own spend" : "everyone's spend"
            } in ${view}`,
          );
        }
      });
    }

    await t.step(
      "the budget and idempotency functions are not reachable through the API",
      async () => {
        for (const caller of [anon, studentA, admin, service]) {
          const result = await rest(caller, "POST", "rpc/reserve_budget", {
            p_user_id: aId,
            p_platform: "main",
            p_request_id: crypto.randomUUID(),
            p_amount_usd: 0,
          });
          assert.equal(
            result.status,
            404,
            `${caller.name} cannot call ai_private through PostgREST`,
          );
        }
      },
    );
  } finally {
    await sql.end();
  }
});
