// Text longer than the document model's context (131K tokens on gpt-oss-120b) is split into parts
// that fit, each part read in its own call, and the parts' answers combined in one final call:
// every call a ledger row under the one request id, and one answer.
import assert from "node:assert/strict";
import { analyzeFile } from "../../../shared/index.ts";
import {
  clientFor,
  ledgerRows,
  providerRequests,
  resetProvider,
} from "../../_support/functions.ts";
import { closeDb, createUser } from "../../_support/stack.ts";
import { file, sumUsd } from "./fixtures.ts";

/** ~800,000 characters of numbered Russian paragraphs (~1.5 MB): about 2.5 context windows. */
function longText(): string {
  const paragraphs: string[] = [];
  let length = 0;
  for (let i = 1; length < 800_000; i++) {
    const p = `Параграф ${i}. Ученик разбирает тему номер ${i}: читает определения, решает ` +
      "примеры из учебника, записывает вопросы для куратора и проверяет ответы по ключу.";
    paragraphs.push(p);
    length += p.length + 2;
  }
  return paragraphs.join("\n\n");
}

Deno.test("a text file past the context window → several document calls and one combined answer", async () => {
  await resetProvider();
  const student = await createUser();
  const text = longText();
  const res = await analyzeFile(clientFor(student), {
    file: file("lectures.txt", new TextEncoder().encode(text)),
    platform: "main",
  });
  assert.equal(res.kind, "text");
  assert.equal(res.method, "text");

  const calls = await providerRequests();
  assert.ok(calls.length >= 3, `parts + 1 combining call, got ${calls.length}`);
  assert.ok(calls.every((c) => c.model === "openai/gpt-oss-120b" && c.status === 200));
  assert.ok(calls.every((c) => c.body.images === undefined));

  const rows = await ledgerRows(res.request_id, calls.length);
  assert.equal(rows.length, calls.length, "one ledger row per call");
  assert.deepEqual(
    rows.map((r) => r.attempt),
    calls.map((_, i) => i + 1),
    "distinct attempts under one request id",
  );
  assert.ok(rows.every((r) => r.operation_type === "document" && r.status === "success"));
  // The parts carry the whole text; the combining call carries only the parts' answers.
  const partTokens = rows.slice(0, -1).reduce((n, r) => n + r.input_tokens, 0);
  assert.ok(partTokens * 4 >= text.length, "every character was sent in some part");
  assert.ok(rows.slice(0, -1).every((r) => r.input_tokens <= 131_072), "each part fits the window");
  assert.ok(rows.at(-1)!.input_tokens < 10_000, "the combining call reads answers, not the text");
  assert.match(res.analysis, /offline-provider/, "one answer: the combining call's");
  assert.equal(res.cost_usd, sumUsd(rows.map((r) => r.cost_usd)));
  await closeDb();
});
