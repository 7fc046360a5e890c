// Wiring only: the real dependencies from the environment, handed to the handler.
//
// In two steps, for a cold worker's first request (`npm run bench:cold`): the runtime first, whose
// control store opens its Postgres connection as it is created (db.ts); the handler's own modules
// load while that connection's handshake is under way, instead of before it starts. The first
// request's budget step then waits for a connection that is already (nearly) open.
import { createRuntime } from "../_shared/runtime.ts";

const runtime = createRuntime(Deno.env.toObject());
const { createChatHandler } = await import("./handler.ts");

Deno.serve(createChatHandler(runtime));
