// Back-ends that buffer send up to 500 operations at once: all are recorded, or none.
import assert from "node:assert/strict";
import { usd } from "../../_support/functions.ts";
import { closeDb, createUser } from "../../_support/stack.ts";
import { operation, post, rowsFor, testFunctionName } from "./_record.ts";

Deno.test("a batch of 500 → 500 rows, each at its catalog cost", async () => {
  const student = await createUser();
  const fn = testFunctionName("ai-analyst");
  const operations = Array.from({ length: 500 }, (_, i) =>
    operation({
      user_id: i % 2 ? student.id : null,
      function_name: fn,
      usage: {
        input_tokens: 1_000 + i,
        input_tokens_details: { cached_tokens: i },
        output_tokens: 100 + i,
      },
    }));
  const res = await post({ operations });
  assert.equal(res.status, 200);
  assert.equal(res.json.recorded, 500);
  assert.equal(res.json.duplicates, 0);
  assert.equal(res.json.operations!.length, 500, "one entry per operation, in order");
  assert.equal(res.json.operations![7].response_id, operations[7].response_id);
  // item 7 on gpt-6-luna: 1,000 uncached × 0.10 + 7 cached × 0.01 + 107 output × 0.50 per 1M
  assert.equal(
    res.json.operations![7].cost_usd,
    usd([[1_000, "0.10"], [7, "0.01"], [107, "0.50"]]),
  );
  const rows = await rowsFor(fn);
  assert.equal(rows.length, 500, "500 rows");
  assert.equal(new Set(rows.map((r) => r.request_id)).size, 500, "500 distinct request ids");
  assert.equal(rows.filter((r) => r.user_id === student.id).length, 250);

  const again = await post({ operations });
  assert.equal(again.json.recorded, 0, "the whole batch again adds nothing");
  assert.equal(again.json.duplicates, 500);
  assert.equal((await rowsFor(fn)).length, 500);
  await closeDb();
});

Deno.test("a batch with one invalid item → 400 naming the item, and no rows", async () => {
  const fn = testFunctionName("ai-analyst");
  const operations = Array.from({ length: 20 }, () => operation({ function_name: fn }));
  operations[13] = operation({ function_name: fn, usage: { input_tokens: -5, output_tokens: 10 } });
  const res = await post({ operations });
  assert.equal(res.status, 400);
  assert.equal(res.json.error!.code, "invalid_request");
  assert.match(
    res.json.error!.message,
    /^operations\[13\]\.usage\.input_tokens: /,
    "the message names the item",
  );
  assert.equal((await rowsFor(fn)).length, 0, "nothing was recorded");
  await closeDb();
});

Deno.test("more cached than input tokens, a missing field or 501 operations → 400, no rows", async () => {
  const fn = testFunctionName("ai-analyst");
  const cases: [unknown, RegExp][] = [
    [
      {
        operations: [
          operation({ function_name: fn }),
          operation({
            function_name: fn,
            usage: {
              input_tokens: 10,
              input_tokens_details: { cached_tokens: 11 },
              output_tokens: 1,
            },
          }),
        ],
      },
      /^operations\[1\]\.usage\.input_tokens_details\.cached_tokens: /,
    ],
    [
      { operations: [operation({ function_name: fn, response_id: undefined })] },
      /^operations\[0\]\.response_id: /,
    ],
    [
      { operations: [operation({ function_name: fn, platform: "vip" })] },
      /^operations\[0\]\.platform: /,
    ],
    [
      { operations: [operation({ function_name: fn, created_at: "2099-01-01T00:00:00Z" })] },
      /^operations\[0\]\.created_at: is in the future/,
    ],
    [
      { operations: Array.from({ length: 501 }, () => operation({ function_name: fn })) },
      /^operations: at most 500/,
    ],
    [{ operations: [] }, /^operations: at least one/],
    [operation({ function_name: fn, user_id: "not-a-uuid" }), /^user_id: /],
  ];
  for (const [body, message] of cases) {
    const res = await post(body);
    assert.equal(res.status, 400, `${message}`);
    assert.match(res.json.error!.message, message);
  }
  assert.equal((await rowsFor(fn)).length, 0, "nothing was recorded");
  await closeDb();
});

Deno.test("the same response twice in one batch → one row, the second reported as a duplicate", async () => {
  const fn = testFunctionName("ai-mentor");
  const op = operation({ function_name: fn });
  const res = await post({ operations: [op, operation({ function_name: fn }), op] });
  assert.equal(res.status, 200);
  assert.equal(res.json.recorded, 2);
  assert.equal(res.json.duplicates, 1);
  assert.deepEqual(res.json.operations!.map((o) => o.duplicate), [false, false, true]);
  assert.equal((await rowsFor(fn)).length, 2);
  await closeDb();
});
