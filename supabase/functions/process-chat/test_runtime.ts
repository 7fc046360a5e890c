// Fakes for tests and benches that call the chat handler directly (not part of any function's
// graph): a control store whose every call succeeds, a runtime around given provider clients, a
// student's chat request, and a provider's streamed chunk in the OpenAI format.
import type { ProviderClients } from "../_shared/ai/providers.ts";
import type { ControlStore } from "../_shared/db.ts";
import type { Runtime } from "../_shared/runtime.ts";
import { studentToken, TEST_JWT_SECRET } from "./test_token.ts";

/** A store that grants every reservation and stores every result; `overrides` replace calls. */
export function grantingStore(overrides: Partial<ControlStore> = {}): ControlStore {
  return {
    reserveBudget: () =>
      Promise.resolve({
        ok: true,
        reservationId: crypto.randomUUID(),
        retryAfterSeconds: 0,
        limitUsd: null,
        usedUsd: null,
        period: null,
      }),
    settleBudget: () => Promise.resolve(),
    idempotencyBegin: () => Promise.resolve({ state: "new" }),
    idempotencyComplete: () => Promise.resolve(),
    idempotencyRelease: () => Promise.resolve(),
    close: () => Promise.resolve(),
    ...overrides,
  };
}

/** A runtime with no ledger, no logs and the test token's secret; `overrides` replace fields. */
export function testRuntime(
  clients: ProviderClients,
  store: ControlStore,
  overrides: Partial<Runtime> = {},
): Runtime {
  return {
    env: {},
    clients,
    tracker: { track() {}, flush: () => Promise.resolve() },
    store,
    waitUntil: (p) => void p.catch(() => {}),
    now: () => new Date(),
    log: () => {},
    jwtSecret: TEST_JWT_SECRET,
    routing: {},
    ...overrides,
  };
}

/** One `data:` event of a streamed chat completion (Groq's usage under `x_groq`). */
export const chatChunk = (
  delta: Record<string, unknown>,
  finish: string | null = null,
  usage?: object,
) =>
  `data: ${
    JSON.stringify({
      id: "c1",
      object: "chat.completion.chunk",
      choices: [{ index: 0, delta, finish_reason: finish }],
      ...(usage ? { x_groq: { usage } } : {}),
    })
  }\n\n`;

/** A new student's chat request ("Привет" on main), with `extra` body fields and `headers`. */
export const chatRequest = async (
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) =>
  new Request("http://x/process-chat", {
    method: "POST",
    headers: {
      authorization: `Bearer ${await studentToken()}`,
      "content-type": "application/json",
      ...headers,
    },
    body: JSON.stringify({ platform: "main", message: "Привет", ...extra }),
  });
