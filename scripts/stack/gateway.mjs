// The gateway on :54321 plays the part of hosted Supabase's API gateway:
//   /rest/v1/*           → PostgREST, only with a project key as `apikey`: the legacy anon /
//                          service-role JWTs or the new sb_publishable_… / sb_secret_… keys. A new
//                          key is not a JWT: as hosted's gateway does, it is swapped for a JWT of
//                          its role before PostgREST sees it (Kong's shape and CORS, as before)
//   /auth/v1/.well-known/jwks.json → the public signing keys, as hosted Auth publishes them
//   /functions/v1/<slug> → a worker of that function (workers.mjs), verifying the JWT first when
//                          verify_jwt is on. Everything the function answers passes through
//                          untouched, OPTIONS included (a function answers its own preflight, as
//                          on hosted); streams pass through unbuffered (server-sent events).
// Errors the gateway itself produces for functions use hosted's shape and codes, with the code
// also in an `sb-error-code` header (see HOSTED_ERRORS for the sources).
//
// The hop to a worker is kept lean, because every local latency figure includes it (the bench's
// "added by process-chat"): the gateway keeps its own keep-alive connections to each worker
// whatever the client's `Connection` header says (hop-by-hop headers are never forwarded: a
// client's `Connection: close` once closed the worker's side of a pooled socket under load, and
// 3–30 % of 200 parallel requests got 500 WORKER_ERROR), headers are copied as raw arrays with no
// per-request objects, a verified token is remembered until it expires, and the supervisor's CPU
// accounting costs one /proc read at each end of a request.
import http from "node:http";
import {
  ANON_KEY,
  JWT_SECRET,
  publicJwks,
  PUBLISHABLE_KEY,
  SECRET_KEY,
  SERVICE_ROLE_KEY,
} from "./config.mjs";
import { verifyJwt } from "./jwt.mjs";
import { requestHead } from "./worker-connections.mjs";

export const CORS_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers":
    "authorization, x-client-info, apikey, content-type, idempotency-key, prefer, range, accept-profile, content-profile, x-region, x-retry-count, traceparent, tracestate, baggage",
  "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
  "access-control-expose-headers": "content-range, retry-after, x-request-id, sb-error-code",
  "access-control-max-age": "86400",
};

/**
 * What hosted's gateway answers when it, not the function, ends a request. Bodies as recorded
 * from hosted projects (public issue threads and write-ups, 2026-05…09) and as Supabase's own
 * self-hosted router answers them (supabase/supabase docker/volumes/functions/main/index.ts,
 * `RequestErrors` / `resolveRuntimeError`), which also sets `sb-error-code`:
 *   401 {"code":"UNAUTHORIZED_NO_AUTH_HEADER","message":"Missing authorization header"}
 *   401 {"code":"UNAUTHORIZED_INVALID_JWT_FORMAT","message":"Invalid JWT"}          (not a JWT)
 *   401 {"code":"UNAUTHORIZED_INVALID_JWT_FORMAT","message":"Auth header is not 'Bearer {token}'"}
 *   401 {"code":"UNAUTHORIZED_LEGACY_JWT","message":"Invalid JWT"}   (HS256: bad signature, expired)
 *   546 {"code":"WORKER_RESOURCE_LIMIT","message":"Function failed due to not having enough
 *        compute resources (please check logs)"}  (CPU, memory or wall clock; older gateways
 *        answered the same message with code WORKER_LIMIT)
 *   504 {"code":"IDLE_TIMEOUT","message":"Request idle timeout limit (150s) reached"}
 *   503 {"code":"BOOT_ERROR","message":"Function failed to start (please check logs)"}
 *   500 {"code":"WORKER_ERROR","message":"Function exited due to an error (please check logs)"}
 *   404 {"code":"NOT_FOUND","message":"Requested function was not found"}
 */
export const HOSTED_ERRORS = {
  noAuthHeader: [401, "UNAUTHORIZED_NO_AUTH_HEADER", "Missing authorization header"],
  notBearer: [401, "UNAUTHORIZED_INVALID_JWT_FORMAT", "Auth header is not 'Bearer {token}'"],
  invalidJwtFormat: [401, "UNAUTHORIZED_INVALID_JWT_FORMAT", "Invalid JWT"],
  invalidLegacyJwt: [401, "UNAUTHORIZED_LEGACY_JWT", "Invalid JWT"],
  workerLimit: [
    546,
    "WORKER_RESOURCE_LIMIT",
    "Function failed due to not having enough compute resources (please check logs)",
  ],
  idleTimeout: (
    seconds,
  ) => [504, "IDLE_TIMEOUT", `Request idle timeout limit (${seconds}s) reached`],
  bootError: [503, "BOOT_ERROR", "Function failed to start (please check logs)"],
  workerError: [500, "WORKER_ERROR", "Function exited due to an error (please check logs)"],
  notFound: [404, "NOT_FOUND", "Requested function was not found"],
};

const restAgent = new http.Agent({ keepAlive: true, maxSockets: 256, keepAliveMsecs: 10000 });
// A client body still arriving after the function answered is read and dropped up to this much,
// so the client gets to read the answer (an early 413); beyond it the connection is closed.
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;
const EXPECT_CONTINUE_BYTES = 1024 * 1024;

function sendError(res, status, code, message, hint) {
  const body = JSON.stringify({ error: { code, message, ...(hint ? { hint } : {}) } });
  res.writeHead(status, { ...CORS_HEADERS, "content-type": "application/json" });
  res.end(body);
}

/** A gateway error in hosted's shape, with the CORS headers a browser needs to read it. */
function sendHostedError(res, [status, code, message]) {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    ...CORS_HEADERS,
    "content-type": "application/json",
    "sb-error-code": code,
  });
  res.end(JSON.stringify({ code, message }));
}

/**
 * Tokens that verified, with their expiry (seconds; Infinity without `exp`): a student's next
 * request with the same token skips the signature check. The keys never change while the gateway
 * runs, so a token that verified once verifies again until it expires. Bounded: cleared when full.
 */
const verifiedTokens = new Map();
const VERIFIED_TOKENS_MAX = 10_000;

/** Hosted's verify_jwt: the failure for a request with this Authorization, or null when it may pass. */
function jwtFailure(h) {
  if (!h) return HOSTED_ERRORS.noAuthHeader;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  if (!m) return HOSTED_ERRORS.notBearer;
  const token = m[1];
  const exp = verifiedTokens.get(token);
  if (exp !== undefined) {
    if (exp >= Date.now() / 1000) return null;
    verifiedTokens.delete(token);
  }
  const v = verifyJwt(token, { secret: JWT_SECRET, jwks: JWKS });
  if (v.ok) {
    if (verifiedTokens.size >= VERIFIED_TOKENS_MAX) verifiedTokens.clear();
    verifiedTokens.set(token, typeof v.payload.exp === "number" ? v.payload.exp : Infinity);
    return null;
  }
  // No hosted answer for a bad asymmetric (ES256) token has been recorded: it gets the same body.
  return v.reason === "malformed" ? HOSTED_ERRORS.invalidJwtFormat : HOSTED_ERRORS.invalidLegacyJwt;
}

const JWKS = publicJwks();

/** The role JWT PostgREST gets for each project key sent as `apikey`. */
const KEY_ROLE_JWT = new Map([
  [ANON_KEY, ANON_KEY],
  [SERVICE_ROLE_KEY, SERVICE_ROLE_KEY],
  [PUBLISHABLE_KEY, ANON_KEY],
  [SECRET_KEY, SERVICE_ROLE_KEY],
]);

/**
 * Headers that describe one connection, not the request (RFC 9110 §7.6.1), plus the ones the
 * gateway sets itself: never copied from one side to the other.
 */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "upgrade",
  "te",
  "trailer",
  "host",
  "expect",
]);

/**
 * A message's raw headers ([name, value, …], as Node keeps them) without the hop-by-hop ones and
 * without those its `Connection` header names, followed by `extra` pairs.
 */
export function forwardHeaders(raw, ...extra) {
  let named = null;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === 10 && raw[i].toLowerCase() === "connection") {
      for (const t of raw[i + 1].split(",")) {
        const name = t.trim().toLowerCase();
        if (name && !HOP_BY_HOP.has(name)) (named ??= new Set()).add(name);
      }
    }
  }
  const out = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (HOP_BY_HOP.has(name) || named?.has(name)) continue;
    out.push(raw[i], raw[i + 1]);
  }
  for (const h of extra) out.push(h[0], h[1]);
  return out;
}

/**
 * Hosted's gateway refuses a secret key (`sb_secret_…`) sent from a browser, which it recognises by
 * the User-Agent, with 401 (facts: supabase-platform-2026-12.md, addendum 2026-12-06; Supabase's
 * API keys guide and the knowledge-base article on UNAUTHORIZED_MISSING_API_KEY). Every browser's
 * User-Agent starts `Mozilla/`; servers' clients (Deno, Node, curl, supabase-js on a server) do not.
 */
export function secretKeyFromBrowser(req, apikey = req.headers.apikey) {
  return secretKeyFrom(req.headers["user-agent"], apikey, req.headers.authorization);
}

function secretKeyFrom(ua, apikey, auth) {
  if (!ua || !ua.startsWith("Mozilla/")) return false;
  return /^sb_secret_/.test(apikey ?? "") || /^Bearer\s+sb_secret_/i.test(auth ?? "");
}

/**
 * What the gateway reads of a function request's headers, in one pass over Node's raw array
 * (`req.headers` would build an object of all of them). As Node's own object: the first
 * Authorization, User-Agent and Content-Length count; repeated other headers are joined.
 */
function scanHeaders(raw) {
  const h = {
    authorization: undefined,
    userAgent: undefined,
    apikey: undefined,
    probe: undefined,
    contentLength: undefined,
    transferEncoding: undefined,
    /** Header names a `Connection` header lists (hop-by-hop for this message). */
    named: null,
  };
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    switch (name.length) {
      case 6:
        if (name.toLowerCase() === "apikey") h.apikey ??= raw[i + 1];
        break;
      case 10:
        if (name.toLowerCase() === "user-agent") h.userAgent ??= raw[i + 1];
        else if (name.toLowerCase() === "connection") {
          for (const t of raw[i + 1].split(",")) {
            const n = t.trim().toLowerCase();
            if (n && !HOP_BY_HOP.has(n)) (h.named ??= new Set()).add(n);
          }
        }
        break;
      case 13:
        if (name.toLowerCase() === "authorization") h.authorization ??= raw[i + 1];
        else if (name.toLowerCase() === "x-stack-probe") h.probe ??= raw[i + 1];
        break;
      case 14:
        if (name.toLowerCase() === "content-length") h.contentLength ??= raw[i + 1];
        break;
      case 17:
        if (name.toLowerCase() === "transfer-encoding") h.transferEncoding = raw[i + 1];
        break;
    }
  }
  return h;
}

function refuseSecretKeyFromBrowser(req, res) {
  drain(req, res);
  // The status is hosted's; the wording of its body is not recorded, so this is the gateway's own.
  sendError(
    res,
    401,
    "secret_key_in_browser",
    "Secret API keys cannot be used from a browser.",
    "Use the publishable key in the browser; keep sb_secret_ keys on servers.",
  );
}

/** Reads and drops what is left of a client's body, closing the connection past the limit. */
function drain(req, res) {
  let bytes = 0;
  req.on("data", (chunk) => {
    bytes += chunk.length;
    if (bytes > DRAIN_LIMIT_BYTES) {
      if (res.writableFinished) req.socket.destroy();
      else res.once("finish", () => req.socket.destroy());
    }
  });
  req.on("error", () => {});
  req.resume();
}

function proxyRest(req, res, port, path, authorization) {
  const headers = authorization
    ? forwardHeaders(
      req.rawHeaders.filter((_, i, a) => a[i - (i % 2)].toLowerCase() !== "authorization"),
      ["host", `127.0.0.1:${port}`],
      ["authorization", authorization],
    )
    : forwardHeaders(req.rawHeaders, ["host", `127.0.0.1:${port}`]);
  const upstream = http.request(
    { host: "127.0.0.1", port, method: req.method, path, headers, agent: restAgent },
    (up) => {
      const extra = Object.entries(CORS_HEADERS).filter(([k]) => !(k in up.headers));
      res.writeHead(up.statusCode ?? 502, forwardHeaders(up.rawHeaders, ...extra));
      up.pipe(res);
      up.on("error", () => res.destroy());
    },
  );
  upstream.on("error", () => {
    if (!res.headersSent) {
      sendError(res, 503, "service_unavailable", "The upstream service is not answering.");
    } else res.destroy();
  });
  // When the caller goes away, tell the upstream too.
  res.on("close", () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}

/**
 * Sends a request to a worker of `fn`, under the worker limits (see workers.mjs). `h` is what
 * scanHeaders() read of the request.
 */
function proxyFunction(req, res, fn, path, idleTimeoutMs, h) {
  const current = fn.workers.current;
  // The usual case, with no promise: the current worker is up.
  if (current && !current.retired && !current.dead && !current.suspect) {
    dispatch(req, res, current, fn, path, idleTimeoutMs, h);
    return;
  }
  (async () => {
    let worker;
    try {
      // A worker that a limit ended between acquire() and now is replaced, as hosted re-polls a
      // retired worker before dispatch.
      do worker = await fn.workers.acquire(); while (worker.dead);
    } catch {
      drain(req, res);
      sendHostedError(res, HOSTED_ERRORS.bootError);
      return;
    }
    if (!res.destroyed) dispatch(req, res, worker, fn, path, idleTimeoutMs, h);
  })();
}

function dispatch(req, res, worker, fn, path, idleTimeoutMs, h) {
  // A large body is held back until the worker asks for it (100-continue: Deno's server sends it
  // when the handler starts reading). A function that answers first (an early 413) then never
  // gets a body it would not read, and its answer is not lost to a reset connection.
  const large = Number(h.contentLength ?? 0) > EXPECT_CONTINUE_BYTES ||
    h.transferEncoding !== undefined;
  const probe = typeof h.probe === "string" ? h.probe.slice(0, 100) : undefined;
  if (large) proxyLargeRequest(req, res, worker, fn, path, idleTimeoutMs, probe);
  else proxyRequest(req, res, worker, fn, path, idleTimeoutMs, probe, h.named);
}

/** A limit ended the worker mid-request: hosted's 546, or a cut stream when the head already went out. */
function answerWorkerKilled(req, res) {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (!req.readableEnded) drain(req, res);
  sendHostedError(res, HOSTED_ERRORS.workerLimit);
}

/**
 * The usual request (a body of known length up to EXPECT_CONTINUE_BYTES): over the gateway's own
 * keep-alive connections to the worker (worker-connections.mjs), the answer streamed back as it
 * arrives.
 */
function proxyRequest(req, res, worker, fn, path, idleTimeoutMs, probe, named) {
  let responded = false;
  let bodySent = false;
  let forwarding = true;
  const tracker = fn.workers.begin(worker, {
    path,
    probe,
    onKilled: () => {
      clearTimeout(idle);
      exchange.destroy();
      answerWorkerKilled(req, res);
    },
  });
  // Body listeners first: the exchange sends the head with the body that is already here.
  req.on("data", (chunk) => {
    if (forwarding) exchange.write(chunk);
  });
  req.on("end", () => {
    bodySent = true;
    if (forwarding) exchange.end();
  });
  const resume = () => exchange.resume();
  const exchange = worker.connections.request(
    requestHead(req.method, path, req.rawHeaders, HOP_BY_HOP, named),
    req.method === "HEAD",
    {
      onResponse(status, rawHeaders) {
        responded = true;
        clearTimeout(idle);
        if (res.headersSent || res.destroyed) {
          tracker.end();
          exchange.destroy();
          return;
        }
        res.writeHead(status, forwardHeaders(rawHeaders));
        if (!req.readableEnded) {
          // Stop feeding a worker that has answered, and let the client finish sending so that
          // it reads the answer instead of a reset.
          forwarding = false;
          drain(req, res);
        }
      },
      onBody(chunk, last) {
        // A whole answer in one piece (most JSON answers) leaves with its head in one write.
        if (last) {
          res.end(chunk);
          return true;
        }
        if (res.write(chunk)) return true;
        res.once("drain", resume);
        return false;
      },
      onEnd() {
        tracker.end();
        res.end();
        // The function answered before the whole body arrived (an early 413): that connection
        // cannot carry another request.
        if (!bodySent) exchange.destroy();
      },
      onError() {
        if (worker.killReason) return; // onKilled answered.
        worker.suspect = true; // the next acquire() checks that the process is still there
        tracker.end();
        if (responded) {
          // The answer was cut mid-body.
          if (!res.writableFinished) res.destroy();
          return;
        }
        clearTimeout(idle);
        if (!req.readableEnded) drain(req, res);
        sendHostedError(res, HOSTED_ERRORS.workerError);
      },
    },
  );
  const idle = setTimeout(() => {
    if (responded) return;
    tracker.end();
    exchange.destroy();
    if (!req.readableEnded) drain(req, res);
    sendHostedError(res, HOSTED_ERRORS.idleTimeout(Math.round(idleTimeoutMs / 1000)));
  }, idleTimeoutMs);
  // When the caller goes away, tell the worker too (a function then aborts its provider call).
  res.on("close", () => {
    clearTimeout(idle);
    if (!res.writableFinished) {
      exchange.destroy();
      tracker.end();
    }
  });
}

/** A chunked or large upload: through Node's client, which holds the body until 100-continue. */
function proxyLargeRequest(req, res, worker, fn, path, idleTimeoutMs, probe) {
  let responded = false;
  const tracker = fn.workers.begin(worker, {
    path,
    probe,
    onKilled: () => {
      clearTimeout(idle);
      upstream.destroy();
      answerWorkerKilled(req, res);
    },
  });
  const upstream = http.request({
    socketPath: worker.socketPath,
    method: req.method,
    path,
    headers: forwardHeaders(req.rawHeaders, ["host", "localhost"], ["expect", "100-continue"]),
    agent: worker.agent,
  });
  const idle = setTimeout(() => {
    if (responded) return;
    tracker.end();
    upstream.destroy();
    if (!req.readableEnded) drain(req, res);
    sendHostedError(res, HOSTED_ERRORS.idleTimeout(Math.round(idleTimeoutMs / 1000)));
  }, idleTimeoutMs);
  upstream.on("response", (up) => {
    responded = true;
    clearTimeout(idle);
    if (res.headersSent || res.destroyed) {
      up.resume();
      return;
    }
    res.writeHead(up.statusCode ?? 502, forwardHeaders(up.rawHeaders));
    up.pipe(res);
    up.on("end", () => {
      tracker.end();
      // The function answered before the whole body arrived (an early 413): that connection
      // cannot carry another request.
      if (!req.readableEnded) upstream.destroy();
    });
    up.on("error", () => {
      tracker.end();
      if (!res.writableFinished) res.destroy();
    });
    if (!req.readableEnded) {
      // Stop feeding a worker that has answered, and let the client finish sending so that it
      // reads the answer instead of a reset.
      req.unpipe(upstream);
      drain(req, res);
    }
  });
  upstream.on("error", () => {
    if (worker.killReason) return; // onKilled answered.
    worker.suspect = true; // the next acquire() checks that the process is still there
    if (responded) return; // EPIPE/ECONNRESET after an early answer: the answer stands.
    clearTimeout(idle);
    tracker.end();
    if (!req.readableEnded) drain(req, res);
    sendHostedError(res, HOSTED_ERRORS.workerError);
  });
  upstream.on("continue", () => {
    if (!responded) req.pipe(upstream);
  });
}

/**
 * @param {{ port: number, postgrestPort?: number, idleTimeoutMs: number,
 *   functions: Map<string, {verifyJwt: boolean, workers: import("./workers.mjs").FunctionWorkers}> }} opts
 * @returns {Promise<{ port: number, stop(): Promise<void> }>}
 */
export function startGateway({ port, postgrestPort, functions, idleTimeoutMs = 150_000 }) {
  const server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    const fm = /^\/functions\/v1\/([^/?]+)(.*)$/.exec(url);
    if (fm) {
      const fn = functions.get(fm[1]);
      if (!fn) {
        drain(req, res);
        sendHostedError(res, HOSTED_ERRORS.notFound);
        return;
      }
      const h = scanHeaders(req.rawHeaders);
      if (req.method !== "OPTIONS" && secretKeyFrom(h.userAgent, h.apikey, h.authorization)) {
        refuseSecretKeyFromBrowser(req, res);
        return;
      }
      // Hosted lets OPTIONS through unverified: the function answers its own preflight.
      const failure = fn.verifyJwt && req.method !== "OPTIONS" ? jwtFailure(h.authorization) : null;
      if (failure) {
        drain(req, res);
        sendHostedError(res, failure);
        return;
      }
      proxyFunction(req, res, fn, `/${fm[1]}${fm[2]}`, idleTimeoutMs, h);
      return;
    }
    if (url === "/rest/v1" || url.startsWith("/rest/v1/") || url.startsWith("/rest/v1?")) {
      if (req.method === "OPTIONS") {
        res.writeHead(200, CORS_HEADERS);
        res.end("ok");
        return;
      }
      const apikey = req.headers.apikey ?? new URL(url, "http://x").searchParams.get("apikey");
      if (secretKeyFromBrowser(req, apikey)) {
        refuseSecretKeyFromBrowser(req, res);
        return;
      }
      const roleJwt = KEY_ROLE_JWT.get(apikey);
      if (!roleJwt) {
        sendError(
          res,
          401,
          "invalid_api_key",
          apikey ? "Invalid API key" : "No API key found in request",
          "Send the project's publishable or secret key (or the legacy anon / service-role key) in the apikey header.",
        );
        return;
      }
      // Like hosted's gateway, a request with only an apikey acts with that key's role; a new key
      // sent as the bearer too (supabase-js does) is replaced by its role's JWT.
      const auth = req.headers.authorization;
      const bearerIsKey = auth !== undefined && /^Bearer\s+sb_/i.test(auth);
      proxyRest(
        req,
        res,
        postgrestPort,
        url.slice("/rest/v1".length) || "/",
        !auth || bearerIsKey ? `Bearer ${roleJwt}` : null,
      );
      return;
    }
    if (url === "/auth/v1/.well-known/jwks.json") {
      res.writeHead(200, {
        ...CORS_HEADERS,
        "content-type": "application/json",
        "cache-control": "public, max-age=600",
      });
      res.end(JSON.stringify(JWKS));
      return;
    }
    if (url.startsWith("/__stack/requests?")) {
      // The local stack only: what the supervisor measured for requests a test tagged with
      // `x-stack-probe` (CPU ms, peak heap+external MB, peak RSS MB, killed by a limit).
      const probe = new URL(url, "http://x").searchParams.get("probe");
      const found = [...functions.values()].flatMap((fn) =>
        fn.workers.probed.filter((r) => r.probe === probe)
      );
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(found));
      return;
    }
    if (url.startsWith("/__stack/kill?") && req.method === "POST") {
      // The local stack only: end a function's workers mid-request, as a limit would.
      const fn = functions.get(new URL(url, "http://x").searchParams.get("function") ?? "");
      fn?.workers.killAll();
      res.writeHead(fn ? 200 : 404, { "content-type": "application/json" });
      res.end(JSON.stringify({ killed: Boolean(fn) }));
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
  // Hosted's idle timeout is the gateway's business; Node's own request timeout must not be
  // shorter (it would answer 408 to a slow upload).
  server.requestTimeout = 0;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      resolve({
        port: server.address().port,
        async stop() {
          await new Promise((r) => {
            server.close(() => r());
            server.closeAllConnections?.();
          });
          restAgent.destroy();
        },
      });
    });
  });
}
