// A student's chats close together are paid by one budget lease (_shared/budget_lease.ts): one
// hold, settled once at exactly what the answers cost, every ledger row naming it. And the stated
// bound: a limit set to 0 while leases are open lets at most their unused ceilings through on that
// worker (2 × 4 − 1 = 7; here 3, since the successor lease is asked for after the limit fell),
// then the student is stopped.
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

Deno.test("four chats of one student in a row: one hold pays, settled once at what they cost, rows naming it", async () => {
  await resetProvider();
  const student = await createUser();
  const supabase = clientFor(student);
  for (let i = 0; i < 4; i++) {
    await invokeChat(supabase, { platform: "main", message: `Вопрос ${i + 1}` });
  }
  const holds = await settledHolds(student.id);
  const rows = await ledgerOf(student.id, 4);
  assert.equal(new Set(rows.map((r) => r.request_id)).size, 4, "four answers in the ledger");
  // One hold paid for the four; a second one, reserved ahead after the third answer for the
  // answers that did not come, was given back at 0 once idle.
  assert.ok(holds.every((h) => h.status === "settled"), "nothing left held");
  const paying = holds.filter((h) => Number(h.actual_usd) > 0);
  assert.equal(paying.length, 1, "one hold paid for them");
  assert.ok(holds.length <= 2, `${holds.length} holds`);
  assert.ok(rows.every((r) => r.budget_reservation_id === paying[0].id), "each row names it");
  const cost = rows.reduce((s, r) => s + Number(r.cost_usd), 0);
  assert.equal(Number(paying[0].actual_usd).toFixed(10), cost.toFixed(10), "settled at the cost");
  // And the budget counts that cost once (the rows are not counted beside the hold).
  const [usage] =
    await db()`select used_usd::text from ai_private.budget_usage(${student.id}, 'main')
                             where period = 'day'`;
  assert.equal(Number(usage.used_usd).toFixed(10), cost.toFixed(10));
  await closeDb();
});

Deno.test("the bound: a daily limit set to 0 during a lease lets at most its unused ceilings through, then 429 budget_exceeded", async () => {
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
  assert.ok(through <= 3, `${through} answers after the limit was set to 0 (bound 7)`);
  assert.equal(refusal?.status, 429);
  assert.equal(refusal?.code, "budget_exceeded");
  await closeDb();
});
