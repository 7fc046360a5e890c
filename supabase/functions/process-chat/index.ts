// Wiring only: the real dependencies from the environment, handed to the handler.
//
// In two steps, for a cold worker's first request (`npm run bench:cold`, docs/PERFORMANCE.md):
// the runtime first, whose control store opens its Postgres connection as it is created (db.ts),
// and the signing keys' import; the handler's own modules load while those run, instead of
// before they start. The first request then finds its connection (nearly) open and its key ready.
import { preloadJwks } from "../_shared/http/auth.ts";
import { createRuntime } from "../_shared/runtime.ts";

const runtime = createRuntime(Deno.env.toObject());
preloadJwks();
// postgres.js opens its socket from a timer (setTimeout 0), and while a dynamic import loads,
// Deno 2.1 runs no timers: without this turn of the event loop the connection would only start
// once the handler had loaded.
await new Promise((resolve) => setTimeout(resolve, 0));
const { createChatHandler } = await import("./handler.ts");

Deno.serve(createChatHandler(runtime));
