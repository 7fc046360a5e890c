// A student's chats close together are paid by one budget lease (_shared/budget_lease.ts): one
// hold, settled once at exactly what the answers cost, every ledger row naming it. And the stated
// bound: a limit set to 0 while a lease is open lets at most `requests − 1` (3) more answers
// through on that worker, then the student is stopped.
import assert from "node:assert/strict";
import { AiFunctionError, invokeChat } from "../../../shared/index.ts";
import { clientFor, resetProvider } from "../../_support/functions.ts";
import { closeDb, createUser, db } from "../../_support/stack.ts";

async function settledHolds(userId: string) {
  for (let i = 0; i < 60; i++) {
    const [{ held }] = await db()`select count(*)::int as held from ai_private.budget_reservations
                                  where user_id = ${userId} and status = 'held'`;
    if (held === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return await db()`select id, amount_usd::text, actual_usd::text, status
                    from ai_private.budget_reservations where user_id = ${userId}`;
}

async function ledgerOf(userId: string, answers: number) {
  let rows: { request_id: string; budget_reservation_id: string; cost_usd: string }[] = [];
  for (let i = 0; i < 60; i++) {
    rows = await db()`select request_id, budget_reservation_id, cost_usd::text
                      from public.ai_operations_metrics where user_id = ${userId}`;
    if (new Set(rows.map((r) => r.request_id)).size >= answers) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return rows;
}

Deno.test("four chats of one student in a row: one hold, settled once at what they cost, rows naming it", async () => {
  await resetProvider();
  const student = await createUser();
  const supabase = clientFor(student);
  for (let i = 0; i < 4; i++) {
    await invokeChat(supabase, { platform: "main", message: `Вопрос ${i + 1}` });
  }
  const holds = await settledHolds(student.id);
  const rows = await ledgerOf(student.id, 4);
  assert.equal(new Set(rows.map((r) => r.request_id)).size, 4, "four answers in the ledger");
  assert.equal(holds.length, 1, "one hold paid for them");
  assert.equal(holds[0].status, "settled");
  assert.ok(rows.every((r) => r.budget_reservation_id === holds[0].id), "each row names it");
  const cost = rows.reduce((s, r) => s + Number(r.cost_usd), 0);
  assert.equal(Number(holds[0].actual_usd).toFixed(10), cost.toFixed(10), "settled at the cost");
  // And the budget counts that cost once (the rows are not counted beside the hold).
  const [usage] =
    await db()`select used_usd::text from ai_private.budget_usage(${student.id}, 'main')
                             where period = 'day'`;
  assert.equal(Number(usage.used_usd).toFixed(10), cost.toFixed(10));
  await closeDb();
});

Deno.test("the bound: a daily limit set to 0 during a lease lets at most 3 more answers through, then 429 budget_exceeded", async () => {
  await resetProvider();
  const student = await createUser();
  const supabase = clientFor(student);
  await invokeChat(supabase, { platform: "main", message: "Первый вопрос" });
  await db()`insert into ai_private.budget_limits (platform, period, user_id, limit_usd, note)
             values ('main', 'day', ${student.id}, 0, 'test: budget withdrawn')`;
  let through = 0;
  let refusal: AiFunctionError | null = null;
  for (let i = 0; i < 8 && !refusal; i++) {
    try {
      await invokeChat(supabase, { platform: "main", message: `Ещё вопрос ${i + 1}` });
      through++;
    } catch (e) {
      assert.ok(e instanceof AiFunctionError, String(e));
      refusal = e;
    }
  }
  assert.ok(through <= 3, `${through} answers after the limit was set to 0`);
  assert.equal(refusal?.status, 429);
  assert.equal(refusal?.code, "budget_exceeded");
  await closeDb();
});
