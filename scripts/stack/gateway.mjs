// The gateway on :54321 plays Kong's part in a Supabase project:
//   /rest/v1/*           → PostgREST, only with the anon or service-role key as `apikey`
//   /functions/v1/<slug> → that function's process, verifying the JWT first when verify_jwt is on
// and answers CORS preflights. Streams pass through unbuffered (server-sent events).
import http from "node:http";
import { ANON_KEY, JWT_SECRET, SERVICE_ROLE_KEY } from "./config.mjs";
import { verifyJwt } from "./jwt.mjs";

export const CORS_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers":
    "authorization, x-client-info, apikey, content-type, idempotency-key, prefer, range, accept-profile, content-profile, x-region",
  "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
  "access-control-expose-headers": "content-range, retry-after, x-request-id",
  "access-control-max-age": "86400",
};

const agent = new http.Agent({ keepAlive: true, maxSockets: 256, keepAliveMsecs: 10000 });

function sendError(res, status, code, message, hint) {
  const body = JSON.stringify({ error: { code, message, ...(hint ? { hint } : {}) } });
  res.writeHead(status, { ...CORS_HEADERS, "content-type": "application/json" });
  res.end(body);
}

function bearer(req) {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(.+)$/i.exec(h);
  return m ? m[1].trim() : "";
}

function proxy(req, res, port, path, extraHeaders = {}) {
  const headers = { ...req.headers, ...extraHeaders };
  delete headers.host;
  headers.host = `127.0.0.1:${port}`;
  const upstream = http.request(
    { host: "127.0.0.1", port, method: req.method, path, headers, agent },
    (up) => {
      const h = { ...up.headers };
      for (const [k, v] of Object.entries(CORS_HEADERS)) if (!(k in h)) h[k] = v;
      res.writeHead(up.statusCode ?? 502, h);
      up.pipe(res);
      up.on("error", () => res.destroy());
    },
  );
  upstream.on("error", () => {
    if (!res.headersSent) {
      sendError(res, 503, "service_unavailable", "The upstream service is not answering.");
    } else res.destroy();
  });
  // When the caller goes away, tell the upstream too (a function then aborts its provider call).
  res.on("close", () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}

/**
 * @param {{ port: number, postgrestPort: number, functions: Map<string, {port: number, verifyJwt: boolean}> }} opts
 */
export function startGateway({ port, postgrestPort, functions }) {
  const server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    if (req.method === "OPTIONS") {
      res.writeHead(200, CORS_HEADERS);
      res.end("ok");
      return;
    }
    if (url === "/rest/v1" || url.startsWith("/rest/v1/") || url.startsWith("/rest/v1?")) {
      const apikey = req.headers.apikey ?? new URL(url, "http://x").searchParams.get("apikey");
      if (apikey !== ANON_KEY && apikey !== SERVICE_ROLE_KEY) {
        sendError(
          res,
          401,
          "invalid_api_key",
          apikey ? "Invalid API key" : "No API key found in request",
          "Send the project's anon or service-role key in the apikey header.",
        );
        return;
      }
      // Like Kong, a request with only an apikey acts with that key's role.
      const extra = req.headers.authorization ? {} : { authorization: `Bearer ${apikey}` };
      proxy(req, res, postgrestPort, url.slice("/rest/v1".length) || "/", extra);
      return;
    }
    const fm = /^\/functions\/v1\/([^/?]+)(.*)$/.exec(url);
    if (fm) {
      const fn = functions.get(fm[1]);
      if (!fn) {
        sendError(res, 404, "not_found", `No function named ${fm[1]}.`);
        return;
      }
      if (fn.verifyJwt) {
        const token = bearer(req);
        if (!token) {
          sendError(
            res,
            401,
            "unauthorized",
            "Missing authorization header",
            "Sign in and send the session's access token.",
          );
          return;
        }
        const v = verifyJwt(token, JWT_SECRET);
        if (!v.ok) {
          sendError(
            res,
            401,
            "unauthorized",
            "Invalid JWT",
            v.reason === "expired" ? "The session expired: refresh it and retry." : undefined,
          );
          return;
        }
      }
      proxy(req, res, fn.port, `/${fm[1]}${fm[2]}`);
      return;
    }
    if (url === "/" || url === "/health") {
      res.writeHead(200, { "content-type": "application/json", ...CORS_HEADERS });
      res.end(JSON.stringify({ ok: true }));
      return;
    }
    sendError(res, 404, "not_found", "No route for this path.");
  });
  server.keepAliveTimeout = 65000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      resolve({
        async stop() {
          await new Promise((r) => {
            server.close(() => r());
            server.closeAllConnections?.();
          });
          agent.destroy();
        },
      });
    });
  });
}
