// Wiring only: the real dependencies from the environment, handed to the handler.
import { createRuntime } from "../_shared/runtime.ts";
import { createChatHandler } from "./handler.ts";

Deno.serve(createChatHandler(createRuntime(Deno.env.toObject())));
