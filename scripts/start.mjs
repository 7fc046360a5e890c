#!/usr/bin/env node
// `npm start`: the local Supabase stack in the foreground until Ctrl-C.
//   npm start -- --reset        start from an empty database
//   npm start -- --port 24321   another gateway port (the others follow it), e.g. beside `npm test`
//   npm start -- --data-dir D   keep the database in D instead of .local/db
import { PROFILES } from "./stack/config.mjs";
import { handleSignals, PortInUseError, startStack } from "./stack/index.mjs";

const t0 = Date.now();
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const verbose = flag("--verbose");

let stack;
let stopping = false;
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the stack…`);
  await stack?.stop();
  console.log("Stopped. Nothing is left running.");
  process.exit(0);
}
handleSignals(shutdown);

try {
  stack = await startStack({
    apiPort: Number(option("--port") ?? PROFILES.dev.apiPort),
    dataDir: option("--data-dir") ?? PROFILES.dev.dataDir,
    fresh: flag("--reset"),
    log: verbose ? (l) => console.log(l) : undefined,
  });
} catch (e) {
  if (e instanceof PortInUseError) {
    console.error(`Cannot start: ${e.message}`);
  } else {
    console.error(`Cannot start the stack: ${e.message}`);
  }
  process.exit(1);
}
if (stopping) process.exit(0);

const s = stack;
console.log(`
         API URL: ${s.urls.api}
        REST URL: ${s.urls.rest}
   Functions URL: ${s.urls.functions}  (${s.functions.map((f) => f.slug).join(", ") || "none"})
          DB URL: ${s.urls.db}
     AI provider: ${
  s.offline
    ? `offline test double at ${s.urls.provider} (no GROQ_API_KEY set)`
    : "real Groq/OpenAI keys from the environment"
}
 Publishable key: ${s.keys.publishable}
      Secret key: ${s.keys.secret}
            JWKS: ${s.keys.jwksUrl}  (user tokens are ES256)
        anon key: ${s.keys.anon}  (legacy)
service_role key: ${s.keys.serviceRole}  (legacy)
JWT secret (HS256, legacy): ${s.keys.jwtSecret}
    a user token: npm run token -- <user-uuid> [--admin] [--hs256]
`);
console.log(
  `Local Supabase stack ready in ${
    ((Date.now() - t0) / 1000).toFixed(1)
  } s on ${s.urls.api} (Ctrl-C to stop)`,
);
