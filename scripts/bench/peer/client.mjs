// The load generator of `npm run bench:peer`, run in a worker thread so that its own event loop
// never delays the local gateway (which lives on the bench's main thread, as in `npm start`).
// Messages in: { id, kind: "sequential" | "streams" | "load", ... }; out: { id, result }.
import http from "node:http";
import { parentPort } from "node:worker_threads";

const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });

/** One request; resolves { status, body, ms, events? } (events: arrival ms of each SSE event). */
function send(target, { stream = false } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request(target.url, {
      method: "POST",
      agent,
      headers: {
        ...target.headers,
        "content-type": "application/json",
        "content-length": Buffer.byteLength(target.body),
      },
    }, (res) => {
      const chunks = [];
      const events = [];
      let pending = "";
      res.on("data", (c) => {
        chunks.push(c);
        if (!stream) return;
        const now = performance.now() - t0;
        pending += c.toString("utf8");
        let i;
        while ((i = pending.indexOf("\n\n")) >= 0) {
          events.push({ ms: now, text: pending.slice(0, i) });
          pending = pending.slice(i + 2);
        }
      });
      res.on("end", () =>
        resolve({
          status: res.statusCode,
          body: Buffer.concat(chunks).toString("utf8"),
          ms: performance.now() - t0,
          events,
          timing: res.headers["server-timing"],
        }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(target.body);
  });
}

/** True when an SSE event carries answer text (a provider chunk's delta, or our `delta`). */
function hasText(event) {
  if (event.startsWith("event: delta")) return true;
  const data = /^data: (\{.*\})$/m.exec(event)?.[1];
  if (!data) return false;
  try {
    return !!JSON.parse(data).choices?.[0]?.delta?.content;
  } catch {
    return false;
  }
}

function check(target, r) {
  if (r.status !== 200) {
    throw new Error(`${target.name} answered ${r.status}: ${r.body.slice(0, 300)}`);
  }
  return r;
}

/** n requests to each target, one at a time, interleaved request by request. */
async function sequential({ targets, n, warmup }) {
  const out = Object.fromEntries(targets.map((t) => [t.name, []]));
  // Server-Timing steps (name → durations), where a target sends them.
  const steps = {};
  for (let i = 0; i < warmup + n; i++) {
    for (const t of targets) {
      const r = check(t, await send(t));
      if (i < warmup) continue;
      out[t.name].push(r.ms);
      for (const m of String(r.timing ?? "").matchAll(/([\w-]+);dur=([\d.]+)/g)) {
        (steps[m[1]] ??= []).push(Number(m[2]));
      }
    }
  }
  return { ...out, steps };
}

/** n streamed requests to each target, interleaved: time to first text, largest gap. */
async function streams({ targets, n }) {
  const out = Object.fromEntries(targets.map((t) => [t.name, []]));
  for (let i = 0; i < n; i++) {
    for (const t of targets) {
      const r = check(t, await send(t, { stream: true }));
      const first = r.events.find((e) => hasText(e.text));
      let maxGapMs = 0;
      let maxGapAt = 0;
      let over5 = 0;
      for (let k = 1; k < r.events.length; k++) {
        const gap = r.events[k].ms - r.events[k - 1].ms;
        if (gap > maxGapMs) [maxGapMs, maxGapAt] = [gap, k];
        if (gap > 5) over5++;
      }
      out[t.name].push({
        firstTextMs: first?.ms ?? NaN,
        maxGapMs,
        maxGapAt,
        events: r.events.length,
        over5,
      });
    }
  }
  return out;
}

/** `clients` concurrent clients (one token each) for `seconds`: answered, failed, request ids. */
async function load({ target, headersPerClient, seconds }) {
  const until = performance.now() + seconds * 1000;
  const ids = [];
  let errors = 0;
  const t0 = performance.now();
  await Promise.all(headersPerClient.map(async (headers) => {
    const t = { ...target, headers: { ...target.headers, ...headers } };
    while (performance.now() < until) {
      try {
        const r = await send(t);
        if (r.status !== 200) errors++;
        else if (target.collectIds) ids.push(JSON.parse(r.body).request_id);
        else ids.push(null);
      } catch {
        errors++;
      }
    }
  }));
  return { answered: ids.length, errors, seconds: (performance.now() - t0) / 1000, ids };
}

const kinds = { sequential, streams, load };
parentPort.on("message", async ({ id, kind, args }) => {
  try {
    parentPort.postMessage({ id, result: await kinds[kind](args) });
  } catch (e) {
    parentPort.postMessage({ id, error: String(e?.stack ?? e) });
  }
});
