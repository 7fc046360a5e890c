// Wiring only: the real dependencies from the environment, handed to the handler.
//
// For a cold worker's first request (`npm run bench:cold`; docs/PERFORMANCE.md, "Cold start"):
// the signing keys are imported at once, and the first request's control calls go over the Data
// API (cold_store.ts) instead of waiting for the worker's Postgres connection to open.
import { dataApiFirst } from "../_shared/cold_store.ts";
import { createRestControlStore } from "../_shared/db.ts";
import { preloadJwks } from "../_shared/http/auth.ts";
import { createRuntime, secretKeyFromEnv } from "../_shared/runtime.ts";
import { createChatHandler } from "./handler.ts";

const env = Deno.env.toObject();
const runtime = createRuntime(env);
preloadJwks();

Deno.serve(createChatHandler({
  ...runtime,
  store: dataApiFirst(
    runtime.store,
    createRestControlStore({ url: runtime.env.SUPABASE_URL!, key: secretKeyFromEnv(env) }),
  ),
}));
