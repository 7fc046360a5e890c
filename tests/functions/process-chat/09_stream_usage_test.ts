// Streamed chats ask Groq for the usage chunk; a stream that still ends without usage is billed on
// an estimate from its text and flagged `usage_estimated`, never recorded at 0 USD.
import assert from "node:assert/strict";
import { streamChat } from "../../../shared/index.ts";
import {
  clientFor,
  injectFault,
  ledgerRows,
  providerRequests,
  resetProvider,
} from "../../_support/functions.ts";
import { closeDb, createUser } from "../../_support/stack.ts";

async function streamedRequestId(student: { token: string }) {
  let requestId = "";
  for await (
    const ev of streamChat(clientFor(student), { platform: "main", message: "Что такое ROI?" })
  ) {
    if (ev.type === "done") requestId = ev.data.request_id;
  }
  return requestId;
}

Deno.test("a streamed Groq chat asks for stream_options.include_usage and records the reported usage", async () => {
  await resetProvider();
  const student = await createUser();
  const requestId = await streamedRequestId(student);
  const [sent] = await providerRequests();
  assert.equal(sent.provider, "groq");
  const [row] = await ledgerRows(requestId);
  assert.equal(row.error_code, null);
  assert.ok(Number(row.cost_usd) > 0 && row.output_tokens > 0);
  await closeDb();
});

Deno.test("a Groq stream that ends with no usage at all is priced on an estimate and flagged usage_estimated", async () => {
  await resetProvider();
  await injectFault({
    provider: "groq",
    path: "chat/completions",
    fault: { type: "stream_usage", variant: "none" },
  });
  const student = await createUser();
  const requestId = await streamedRequestId(student);
  const [row] = await ledgerRows(requestId);
  assert.equal(row.error_code, "usage_estimated");
  assert.equal(row.status, "success");
  assert.ok(row.input_tokens > 0 && row.output_tokens > 0, JSON.stringify(row));
  assert.ok(Number(row.cost_usd) > 0, `${row.cost_usd} USD, not 0`);
  await closeDb();
});
