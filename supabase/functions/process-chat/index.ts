// Wiring only: the real dependencies from the environment, handed to the handler.
//
// In an order that shortens a cold worker's first request (`npm run bench:cold`;
// docs/PERFORMANCE.md, "Cold start"): the runtime first, whose control store opens its Postgres
// connection as it is created (db.ts), and the signing keys' import; the handler's own modules load
// while those run. The first request's control calls go over the Data API (cold_store.ts), so
// that it does not wait for that connection's handshake.
import { dataApiFirst } from "../_shared/cold_store.ts";
import { createRestControlStore } from "../_shared/db.ts";
import { preloadJwks } from "../_shared/http/auth.ts";
import { createRuntime, secretKeyFromEnv } from "../_shared/runtime.ts";

const env = Deno.env.toObject();
const runtime = createRuntime(env);
preloadJwks();
// postgres.js opens its socket from a timer (setTimeout 0), and while a dynamic import loads,
// Deno 2.1 runs no timers: without this turn of the event loop the connection would only start
// once the handler had loaded.
await new Promise((resolve) => setTimeout(resolve, 0));
const { createChatHandler } = await import("./handler.ts");

Deno.serve(createChatHandler({
  ...runtime,
  store: dataApiFirst(
    runtime.store,
    createRestControlStore({ url: runtime.env.SUPABASE_URL!, key: secretKeyFromEnv(env) }),
  ),
}));
