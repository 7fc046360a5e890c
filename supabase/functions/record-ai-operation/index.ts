// Wiring only: the real dependencies from the environment, handed to the handler.
import { createRecordHandler, createRecordRuntime } from "./handler.ts";

Deno.serve(createRecordHandler(createRecordRuntime(Deno.env.toObject())));
