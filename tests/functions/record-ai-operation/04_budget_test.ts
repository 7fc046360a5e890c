// A student's mentor usage counts toward their AI budget like any other spend.
import assert from "node:assert/strict";
import { AiFunctionError, invokeChat } from "../../../shared/index.ts";
import { clientFor, resetProvider, usd } from "../../_support/functions.ts";
import { closeDb, createUser, db } from "../../_support/stack.ts";
import { operation, post, testFunctionName } from "./_record.ts";

const dayUsage = async (userId: string) => {
  const rows = await db()<{ period: string; limit_usd: string; used_usd: string }[]>`
    select period, limit_usd::text, used_usd::text from ai_private.budget_usage(${userId}, 'main')`;
  return rows.find((r) => r.period === "day")!;
};

Deno.test("recorded assistant spend counts toward the budget: past the limit, process-chat → 429", async () => {
  await resetProvider();
  const student = await createUser();
  await db()`insert into ai_private.budget_limits (platform, period, user_id, limit_usd, note)
             values ('main', 'day', ${student.id}, 0.05, 'test: small daily limit')`;

  const before = await invokeChat(clientFor(student), {
    platform: "main",
    message: "Первый вопрос",
  });
  assert.ok(before.reply.length > 0, "within the limit, the curator answers");

  // gpt-4.1, 2,000 input and 30,000 output tokens: 2,000 × 2.00 + 30,000 × 8.00 per 1M = 0.244 USD.
  const mentorCost = usd([[2_000, "2.00"], [30_000, "8.00"]]);
  const res = await post(operation({
    user_id: student.id,
    function_name: testFunctionName("ai-mentor"),
    model: "gpt-4.1",
    usage: {
      input_tokens: 2_000,
      output_tokens: 30_000,
      output_tokens_details: { reasoning_tokens: 20_000 },
    },
  }));
  assert.equal(res.status, 200);
  assert.equal(res.json.operations![0].cost_usd, mentorCost);

  const usage = await dayUsage(student.id);
  assert.ok(
    Number(usage.used_usd) >= Number(mentorCost),
    `used ${usage.used_usd} includes the mentor's ${mentorCost}`,
  );

  // process-chat's budget lease from the first answer may still pay for a few more answers (at
  // most 7 within 2 s: _shared/budget_lease.ts); once it has closed, the next chat asks the
  // database, which counts the mentor's spend.
  for (let i = 0; i < 50; i++) {
    const [{ held }] = await db()`select count(*)::int as held from ai_private.budget_reservations
                                  where user_id = ${student.id} and status = 'held'`;
    if (held === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const err = await invokeChat(clientFor(student), { platform: "main", message: "Второй вопрос" })
    .catch((e) => e);
  assert.ok(err instanceof AiFunctionError);
  assert.equal(err.status, 429);
  assert.equal(err.code, "budget_exceeded");
  await closeDb();
});

Deno.test("spend recorded for another platform does not touch this one", async () => {
  const student = await createUser();
  const res = await post(
    operation({
      user_id: student.id,
      platform: "tripwire",
      function_name: testFunctionName("ai-mentor"),
    }),
  );
  assert.equal(res.status, 200);
  assert.equal(Number((await dayUsage(student.id)).used_usd), 0);
  await closeDb();
});
