/**
 * Serves the offline AI provider (a test double for Groq and OpenAI, never a model).
 *
 * @example
 * ```sh
 * deno run -A scripts/offline-provider/main.ts --port 54339 [--hostname 127.0.0.1]
 * ```
 * Prints one line when listening; exits with 0 on SIGINT/SIGTERM.
 */

import { parseArgs } from "node:util";
import { createOfflineProvider } from "./server.ts";

function usage(message: string): never {
  console.error(`offline-provider: ${message}`);
  console.error(
    "usage: deno run -A scripts/offline-provider/main.ts --port N [--hostname 127.0.0.1]",
  );
  Deno.exit(2);
}

let values: { port?: string; hostname?: string };
try {
  ({ values } = parseArgs({
    args: Deno.args,
    options: { port: { type: "string" }, hostname: { type: "string", default: "127.0.0.1" } },
  }));
} catch (error) {
  usage((error as Error).message);
}

const port = Number(values.port);
if (values.port === undefined || !Number.isInteger(port) || port < 0 || port > 65535) {
  usage("--port must be an integer from 0 to 65535");
}

const provider = createOfflineProvider();
const controller = new AbortController();
let server: Deno.HttpServer<Deno.NetAddr>;
try {
  server = Deno.serve({
    port,
    hostname: values.hostname,
    signal: controller.signal,
    onListen({ hostname, port }) {
      console.log(
        `offline-provider listening on http://${hostname}:${port} ` +
          `(groq: /openai/v1, openai: /v1, control: /__offline/)`,
      );
    },
  }, provider.handler);
} catch (error) {
  if (error instanceof Deno.errors.AddrInUse) {
    console.error(`offline-provider: port ${port} on ${values.hostname} is already in use`);
    Deno.exit(1);
  }
  throw error;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => {
    // Deno's graceful shutdown waits for requests in flight: release the ones held by a hang
    // fault first, and do not wait forever on a client that never reads its stream.
    provider.close();
    controller.abort();
    setTimeout(() => Deno.exit(0), 3000);
  });
}

await server.finished;
Deno.exit(0);
