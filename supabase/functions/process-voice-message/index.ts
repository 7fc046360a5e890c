// Wiring only: the real dependencies from the environment, handed to the handler.
import { createRuntime } from "../_shared/runtime.ts";
import { createVoiceHandler } from "./handler.ts";

Deno.serve(createVoiceHandler(createRuntime(Deno.env.toObject())));
