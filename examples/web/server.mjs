// Serves the student app and the admin page on their own origin (another port than the API's, so
// the browser applies CORS exactly as it would to a school's real frontend), bundled by esbuild
// from TypeScript at start. Locally it also mints access tokens, because the local stack has no
// Auth server: POST /demo/token {"role":"student"|"admin"} creates the demo user in auth.users and
// signs a token as Auth would (the stack's ES256 key, as `npm run token` does). That route exists
// only in local mode and the server listens on 127.0.0.1.
import { createServer } from "node:http";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import pg from "pg";
import { signUserJwt } from "../../scripts/stack/jwt.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "../..");

/** The demo users the local token route signs in (fixed, so a reload keeps the same history). */
export const DEMO_USERS = {
  student: "de3000de-0000-4000-8000-000000000001",
  admin: "de3000de-0000-4000-8000-0000000000ad",
};

/** Bundles the two pages' scripts (TypeScript → one ES module each, for current browsers). */
export async function bundleApp() {
  const result = await build({
    entryPoints: { app: join(HERE, "app.ts"), admin: join(HERE, "admin.ts") },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    outdir: "/bundle",
    write: false,
    logLevel: "silent",
  });
  return Object.fromEntries(result.outputFiles.map((f) => [`/${f.path.split("/").pop()}`, f.text]));
}

async function page(name) {
  const [html, auth] = await Promise.all([
    readFile(join(HERE, name), "utf8"),
    readFile(join(HERE, "auth.fragment.html"), "utf8"),
  ]);
  return html.replace(/<!--#auth (\w+)-->/, (_, role) => auth.replace("ROLE", role));
}

/**
 * Starts the app server.
 * @param {{ supabaseUrl: string, publishableKey: string, mode?: "local" | "hosted",
 *   dbUrl?: string, port?: number, host?: string, reportDir?: string }} opts
 *   `dbUrl` (local mode) is where the token route creates the demo users.
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 * @example const app = await startWebApp({ supabaseUrl: stack.urls.api,
 *   publishableKey: stack.keys.publishable, dbUrl: stack.urls.db }); console.log(app.url);
 */
export async function startWebApp(opts) {
  const mode = opts.mode ?? "local";
  const scripts = await bundleApp();
  const pages = {
    "/": await page("index.html"),
    "/index.html": await page("index.html"),
    "/admin.html": await page("admin.html"),
  };
  const css = await readFile(join(HERE, "style.css"), "utf8");
  const config = JSON.stringify({
    mode,
    supabaseUrl: opts.supabaseUrl,
    publishableKey: opts.publishableKey,
  });
  const reportDir = opts.reportDir ?? join(ROOT, ".local/report");

  const send = (res, status, type, body) =>
    res.writeHead(status, { "content-type": type, "cache-control": "no-store" }).end(body);

  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    try {
      if (req.method === "GET" && pages[path]) return send(res, 200, "text/html", pages[path]);
      if (req.method === "GET" && scripts[path]) {
        return send(res, 200, "text/javascript", scripts[path]);
      }
      if (req.method === "GET" && path === "/style.css") return send(res, 200, "text/css", css);
      if (req.method === "GET" && path === "/config.json") {
        return send(res, 200, "application/json", config);
      }
      if (req.method === "GET" && (path === "/report/" || path === "/report")) {
        const file = join(reportDir, "report.html");
        if (existsSync(file)) return send(res, 200, "text/html", await readFile(file));
        return send(
          res,
          404,
          "text/html",
          `<!doctype html><meta charset="utf-8"><p>No report yet. Make one with
          <code>npm run report -- --out .local/report</code> and reload.</p>`,
        );
      }
      if (req.method === "POST" && path === "/demo/token" && mode === "local") {
        let body = "";
        for await (const chunk of req) body += chunk;
        const role = JSON.parse(body || "{}").role === "admin" ? "admin" : "student";
        const token = await mintToken(opts, role);
        return send(res, 200, "application/json", JSON.stringify(token));
      }
      send(res, 404, "text/plain", "not found");
    } catch (e) {
      send(res, 500, "text/plain", String(e?.message ?? e));
    }
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", resolve);
  });
  const { port } = server.address();
  return {
    url: `http://${opts.host ?? "127.0.0.1"}:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // keep-alive sockets would hold close() open
      }),
  };
}

/** A token for the demo student or admin, as `npm run token -- <uuid> [--admin]` makes one. */
async function mintToken(opts, role) {
  const userId = DEMO_USERS[role];
  const email = `demo-${role}@example.test`;
  const appMetadata = {
    provider: "email",
    providers: ["email"],
    ...(role === "admin" ? { role: "admin" } : {}),
  };
  const client = new pg.Client({ connectionString: opts.dbUrl });
  await client.connect();
  try {
    await client.query(
      `insert into auth.users (id, aud, role, email, raw_app_meta_data, email_confirmed_at)
       values ($1, 'authenticated', 'authenticated', $2, $3, now())
       on conflict (id) do update set raw_app_meta_data = excluded.raw_app_meta_data`,
      [userId, email, JSON.stringify(appMetadata)],
    );
  } finally {
    await client.end();
  }
  const now = Math.floor(Date.now() / 1000);
  const accessToken = signUserJwt({
    aud: "authenticated",
    exp: now + 3600,
    iat: now,
    iss: `${opts.supabaseUrl.replace(/\/+$/, "")}/auth/v1`,
    sub: userId,
    email,
    role: "authenticated",
    app_metadata: appMetadata,
    user_metadata: {},
    aal: "aal1",
    session_id: crypto.randomUUID(),
    is_anonymous: false,
  });
  return { access_token: accessToken, user_id: userId, expires_in: 3600 };
}
