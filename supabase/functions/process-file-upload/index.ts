// Wiring only: the real dependencies from the environment, handed to the handler.
import { createRuntime } from "../_shared/runtime.ts";
import { createFileHandler } from "./handler.ts";

Deno.serve(createFileHandler(createRuntime(Deno.env.toObject())));
