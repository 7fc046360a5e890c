// The offline provider for tests that need one: the stack's when `npm test` started one
// (OFFLINE_PROVIDER_URL), otherwise a fresh one served on a free port for the call.
import { createOfflineProvider } from "../../scripts/offline-provider/server.ts";

/** Runs `fn` with the provider's origin (no trailing slash), then stops a provider it started. */
export async function withOfflineProvider(fn: (url: string) => Promise<void>): Promise<void> {
  const stackUrl = Deno.env.get("OFFLINE_PROVIDER_URL");
  if (stackUrl) return await fn(stackUrl.replace(/\/+$/, ""));
  const provider = createOfflineProvider();
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, provider.handler);
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    provider.close();
    await server.shutdown();
  }
}
