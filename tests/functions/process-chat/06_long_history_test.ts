// The longest valid conversation (40 turns of 8,000 characters) is answered, and gpt-oss-120b sees
// all of it: history is trimmed only to each model's own context window (a fallback with a smaller
// or unknown window must not make the first choice forget the conversation).
import assert from "node:assert/strict";
import { invokeChat } from "../../../shared/index.ts";
import { clientFor, providerRequests, resetProvider } from "../../_support/functions.ts";
import { closeDb, createUser } from "../../_support/stack.ts";

Deno.test("40 turns of 8,000 characters: answered, and Groq's 131K window holds them all", async () => {
  await resetProvider();
  const student = await createUser();
  const history = Array.from({ length: 40 }, (_, i) => ({
    role: i % 2 === 0 ? "user" as const : "assistant" as const,
    content: `Ход ${i + 1}. ` + "я".repeat(7990),
  }));
  const res = await invokeChat(clientFor(student), { platform: "main", message: "Итак?", history });
  assert.equal(res.provider, "groq");
  const [sent] = (await providerRequests()).filter((r) => r.path.endsWith("chat/completions"));
  // Each turn is estimated at 8,000 / 2.5 + 4 = 3,204 tokens: 40 of them (128,160) fit in
  // 131,072 − 2,048 for the answer − the prompt. (Before the fix, the 8K assumed for the
  // gpt-4.1-mini fallback trimmed Groq's prompt to one turn.)
  assert.equal(sent.body.messages, 42, "system + all 40 turns + the message");
  await closeDb();
});
