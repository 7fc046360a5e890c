#!/usr/bin/env node
// `npm run demo`: the student app and the admin page in your browser, on the local stack.
//   npm run demo                       starts the stack (as `npm start`) unless one already answers
//                                      on --port, then serves the app and prints its URL
//   npm run demo -- --port 24321       the stack's gateway port (default 54321, as `npm start`)
//   npm run demo -- --app-port 54380   the app's own port (default 54380)
//   npm run demo -- --url https://<ref>.supabase.co --key <publishable key>
//                                      a hosted project: no local stack, sign-in with supabase.auth
import { portsFrom, PROFILES, PUBLISHABLE_KEY } from "../../scripts/stack/config.mjs";
import { dbUrl } from "../../scripts/stack/postgres.mjs";
import { handleSignals, PortInUseError, startStack } from "../../scripts/stack/index.mjs";
import { startWebApp } from "./server.mjs";

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const apiPort = Number(option("--port") ?? PROFILES.dev.apiPort);
const appPort = Number(option("--app-port") ?? 54380);

let stack = null;
let app = null;
let stopping = false;
handleSignals(async () => {
  if (stopping) return;
  stopping = true;
  await app?.close();
  await stack?.stop();
  process.exit(0);
});

let appOpts;
if (option("--url")) {
  if (!option("--key")) {
    console.error("--url needs --key <the project's publishable (or anon) key>");
    process.exit(2);
  }
  appOpts = { mode: "hosted", supabaseUrl: option("--url"), publishableKey: option("--key") };
} else {
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const running = await fetch(`${apiUrl}/rest/v1/`, { headers: { apikey: PUBLISHABLE_KEY } })
    .then((r) => r.status < 500, () => false);
  if (running) {
    console.log(`Using the stack already running on ${apiUrl}.`);
  } else {
    try {
      stack = await startStack({ apiPort, dataDir: PROFILES.dev.dataDir });
    } catch (e) {
      console.error(
        e instanceof PortInUseError ? `Cannot start: ${e.message}` : `Cannot start: ${e.message}`,
      );
      process.exit(1);
    }
  }
  appOpts = {
    mode: "local",
    supabaseUrl: apiUrl,
    publishableKey: PUBLISHABLE_KEY,
    dbUrl: stack?.urls.db ?? dbUrl(portsFrom(apiPort).db, { ssl: false }),
  };
}
app = await startWebApp({ ...appOpts, port: appPort });
console.log(`
  Student app: ${app.url}
   Admin page: ${app.url}admin.html
          API: ${appOpts.supabaseUrl}  (another origin: CORS applies as in production)
${
  appOpts.mode === "local"
    ? "Sign in with the demo button (the stack has no Auth server: the app server mints a token)."
    : "Sign in with a user of that project (supabase.auth)."
}
Ctrl-C stops ${stack ? "the app and the stack" : "the app"}.`);
