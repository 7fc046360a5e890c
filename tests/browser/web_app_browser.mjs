#!/usr/bin/env node
// The student app and the admin page (examples/web) in a real Chromium — the one
// @sparticuz/chromium ships in its npm package, driven by puppeteer-core — against the stack
// `npm test` started. The app is served on its own origin (another port than the API), so every
// call is a real cross-origin request. Chromium's fake capture device plays a WAV made here, so
// the voice message is MediaRecorder's own webm/opus.
//   SUPABASE_URL=… SUPABASE_DB_URL=… OFFLINE_PROVIDER_URL=… node tests/browser/web_app_browser.mjs
// (tests/browser/web_app_browser_test.ts runs it under `npm test`). Not a `*_test` file on purpose.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import pg from "pg";
import puppeteer from "puppeteer-core";
import { launchChromium } from "../../scripts/browser/chromium.mjs";
import { PUBLISHABLE_KEY } from "../../scripts/stack/config.mjs";
import { signUserJwt } from "../../scripts/stack/jwt.mjs";
import { startWebApp } from "../../examples/web/server.mjs";

const need = (k) => {
  if (!process.env[k]) {
    throw new Error(`${k} is not set: run through \`npm test -- tests/browser\``);
  }
  return process.env[k];
};
const SUPABASE_URL = need("SUPABASE_URL").replace(/\/+$/, "");
const DB_URL = need("SUPABASE_DB_URL");
const PROVIDER_URL = need("OFFLINE_PROVIDER_URL").replace(/\/+$/, "");
const t0 = Date.now();

/** A mono 16-bit PCM WAV: a voice-like tone whose pitch and loudness move, `seconds` long. */
function voiceWav(seconds, rate = 48_000) {
  const n = Math.round(seconds * rate);
  const buf = Buffer.alloc(44 + n * 2);
  buf.write("RIFF", 0);
  buf.writeUInt32LE(36 + n * 2, 4);
  buf.write("WAVEfmt ", 8);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write("data", 36);
  buf.writeUInt32LE(n * 2, 40);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    phase += (2 * Math.PI * (180 + 60 * Math.sin(2 * Math.PI * 3 * t))) / rate;
    const syllables = 0.5 + 0.5 * Math.sin(2 * Math.PI * 4 * t);
    buf.writeInt16LE(Math.round(12_000 * syllables * Math.sin(phase)), 44 + i * 2);
  }
  return buf;
}

const RECORD_SECONDS = 11; // past Groq's 10 s billing minimum, so billed seconds follow the length
const userDataDir = await mkdtemp(join(tmpdir(), "web-app-chromium-"));
const wavPath = join(userDataDir, "voice.wav");
await writeFile(wavPath, voiceWav(RECORD_SECONDS + 4));

const db = new pg.Client({ connectionString: DB_URL });
await db.connect();

/** A fresh student (auth.users row + ES256 token), so budgets and history start empty. */
async function student() {
  const id = crypto.randomUUID();
  await db.query(
    `insert into auth.users (id, aud, role, email, raw_app_meta_data, email_confirmed_at)
     values ($1, 'authenticated', 'authenticated', $2, '{"provider":"email"}', now())`,
    [id, `${id.slice(0, 8)}@example.test`],
  );
  const now = Math.floor(Date.now() / 1000);
  const token = signUserJwt({
    aud: "authenticated",
    exp: now + 3600,
    iat: now,
    iss: `${SUPABASE_URL}/auth/v1`,
    sub: id,
    role: "authenticated",
    app_metadata: { provider: "email" },
    user_metadata: {},
    aal: "aal1",
    session_id: crypto.randomUUID(),
    is_anonymous: false,
  });
  return { id, token };
}

const app = await startWebApp({
  supabaseUrl: SUPABASE_URL,
  publishableKey: PUBLISHABLE_KEY,
  dbUrl: DB_URL,
});
const browser = await launchChromium(puppeteer, {
  userDataDir,
  args: [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    `--use-file-for-fake-audio-capture=${wavPath}`,
    "--autoplay-policy=no-user-gesture-required",
  ],
});
console.log(`# ${await browser.version()}, app ${app.url}, API ${SUPABASE_URL}`);

/**
 * Opens the student app signed in as `who`, with every console error, page error and failed
 * request collected, and every multipart body the page sends measured as it leaves (`uploads`).
 */
async function openApp(who, path = "") {
  const page = await browser.newPage();
  const problems = [];
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
  const requests = [];
  page.on("request", (r) => requests.push({ url: r.url(), method: r.method() }));
  await page.evaluateOnNewDocument(() => {
    const original = globalThis.fetch;
    globalThis.uploads = [];
    globalThis.fetch = async function (input, init) {
      if (init?.body instanceof FormData) {
        const bytes = (await new Response(init.body).arrayBuffer()).byteLength;
        globalThis.uploads.push({ url: String(input?.url ?? input), bytes });
      }
      return await original.call(this, input, init);
    };
  });
  await page.goto(new URL(path, app.url).href);
  await page.waitForSelector("body[data-loaded=true]");
  if (who) {
    await page.type('[data-testid="auth-token"]', who.token);
    await page.click('[data-testid="auth-sign-in"]');
    await page.waitForSelector("body[data-ready=true]");
  }
  return { page, problems, requests };
}

const text = (page, id) => page.$eval(`[data-testid="${id}"]`, (el) => el.textContent ?? "");
const attr = (page, id, name) =>
  page.$eval(`[data-testid="${id}"]`, (el, n) => el.getAttribute(n), name);

const alice = await student();
const main = await openApp(alice);

test("the page's origin is not the API's: every AI call is cross-origin", () => {
  assert.notEqual(new URL(app.url).origin, new URL(SUPABASE_URL).origin);
});

test("chat: the answer is visible while it still streams, complete at done, with cost and model", async () => {
  const { page } = main;
  // The offline provider writes this answer slowly, a chunk every 120 ms.
  const fault = await fetch(`${PROVIDER_URL}/__offline/faults`, {
    method: "POST",
    body: JSON.stringify({
      path: "chat/completions",
      fault: { type: "slow_stream", chunkDelayMs: 120 },
    }),
  });
  assert.equal(fault.status, 201);
  await page.type('[data-testid="chat-input"]', "Как посчитать ROI рекламной кампании?");
  await page.click('[data-testid="chat-send"]');
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid="chat-answer"]');
    return el?.dataset.state === "streaming" && el.textContent.length > 0;
  }, { timeout: 20_000 });
  const partial = await text(page, "chat-answer");
  assert.equal(await attr(page, "chat-answer", "data-state"), "streaming");
  await page.waitForFunction(
    () => document.querySelector('[data-testid="chat-answer"]')?.dataset.state !== "streaming",
    { timeout: 30_000 },
  );
  assert.equal(await attr(page, "chat-answer", "data-state"), "done");
  const full = await text(page, "chat-answer");
  assert.ok(full.startsWith(partial) && full.length > partial.length, `${partial} → ${full}`);
  assert.match(full, /^\[offline-provider\]/);
  assert.match(full, /ROI/);
  const cost = await text(page, "chat-cost");
  assert.match(cost, /^\$0\.\d{10} · groq:openai\/gpt-oss-120b/);
  assert.ok(Number(await attr(page, "chat-cost", "data-cost-usd")) > 0);
  console.log(`# chat: ${partial.length} of ${full.length} characters shown while streaming`);
});

test("voice: MediaRecorder's webm/opus from the fake microphone is billed within 1 s of its length", async () => {
  const { page } = main;
  await page.click('[data-testid="voice-record"]');
  await page.waitForSelector('[data-testid="voice-record"][data-state="recording"]');
  await new Promise((r) => setTimeout(r, RECORD_SECONDS * 1000));
  await page.click('[data-testid="voice-record"]');
  await page.waitForFunction(
    () =>
      ["done", "error"].includes(
        document.querySelector('[data-testid="voice-transcript"]')?.dataset.state,
      ),
    { timeout: 60_000 },
  );
  assert.equal(
    await attr(page, "voice-transcript", "data-state"),
    "done",
    await text(page, "error-message"),
  );
  const recordedSeconds = Number(await attr(page, "voice-cost", "data-recorded-ms")) / 1000;
  const duration = Number(await attr(page, "voice-cost", "data-duration-seconds"));
  const billed = Number(await attr(page, "voice-cost", "data-billed-seconds"));
  console.log(
    `# voice: recorded ${
      recordedSeconds.toFixed(2)
    } s, server measured ${duration} s, billed ${billed} s`,
  );
  assert.ok(Math.abs(duration - recordedSeconds) <= 1, `${duration} vs ${recordedSeconds}`);
  assert.ok(Math.abs(billed - recordedSeconds) <= 1, `${billed} vs ${recordedSeconds}`);
  assert.ok((await text(page, "voice-transcript")).length > 0);
  assert.match(await text(page, "voice-reply"), /offline-provider/);
  const upload = await page.evaluate(() => globalThis.uploads.at(-1));
  assert.match(upload.url, /process-voice-message$/);
  // The ledger row says the same: whisper, billed from the file's own length. Rows are written
  // after the answer (in the background, as on hosted), so wait for it a few seconds.
  const query = () =>
    db.query(
      `select billed_audio_seconds::float8 as billed, audio_seconds::float8 as seconds
       from ai_operations_metrics where user_id = $1 and operation_type = 'whisper'`,
      [alice.id],
    );
  let rows = await query();
  for (let i = 0; i < 50 && rows.rows.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    rows = await query();
  }
  assert.equal(rows.rows.length, 1);
  assert.equal(rows.rows[0].billed, billed);
});

test("voice as Safari records it (MediaRecorder audio/mp4) is billed within 1 s of its length", async () => {
  const { page, problems } = await openApp(alice, "?voice-type=audio/mp4");
  assert.ok(await page.evaluate(() => MediaRecorder.isTypeSupported("audio/mp4")));
  await page.click('[data-testid="voice-record"]');
  await page.waitForSelector('[data-testid="voice-record"][data-state="recording"]');
  await new Promise((r) => setTimeout(r, RECORD_SECONDS * 1000));
  await page.click('[data-testid="voice-record"]');
  await page.waitForFunction(
    () =>
      ["done", "error"].includes(
        document.querySelector('[data-testid="voice-transcript"]')?.dataset.state,
      ),
    { timeout: 60_000 },
  );
  const sent = await page.evaluate(() => globalThis.uploads.at(-1));
  assert.equal(
    await attr(page, "voice-transcript", "data-state"),
    "done",
    await text(page, "error-message"),
  );
  const recordedSeconds = Number(await attr(page, "voice-cost", "data-recorded-ms")) / 1000;
  const duration = Number(await attr(page, "voice-cost", "data-duration-seconds"));
  const billed = Number(await attr(page, "voice-cost", "data-billed-seconds"));
  console.log(
    `# voice mp4: recorded ${recordedSeconds.toFixed(2)} s (${sent.bytes} bytes), ` +
      `server measured ${duration} s, billed ${billed} s`,
  );
  assert.ok(Math.abs(duration - recordedSeconds) <= 1, `${duration} vs ${recordedSeconds}`);
  assert.ok(Math.abs(billed - recordedSeconds) <= 1, `${billed} vs ${recordedSeconds}`);
  assert.deepEqual(problems, []);
  await page.close();
});

test("a 12 MP photo leaves the browser under Groq's 4 MB and gets an answer", async () => {
  const { page } = main;
  const original = await page.evaluate(async () => {
    const w = 4000, h = 3000;
    const c = new OffscreenCanvas(w, h);
    const ctx = c.getContext("2d");
    const img = ctx.createImageData(w, h);
    let seed = 7;
    for (let i = 0; i < img.data.length; i += 4) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const n = (seed >>> 16) & 127;
      img.data[i] = 140 + (n >> 1);
      img.data[i + 1] = 120 + (n >> 2);
      img.data[i + 2] = 90 + n;
      img.data[i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    ctx.fillStyle = "#101050";
    ctx.font = "80px sans-serif";
    for (let y = 200; y < h; y += 120) ctx.fillText("Задача 3. 2x + 5 = 17, x = 6", 200, y);
    const blob = await c.convertToBlob({ type: "image/jpeg", quality: 0.95 });
    const file = new File([blob], "homework.jpg", { type: "image/jpeg" });
    const input = document.querySelector('[data-testid="file-input"]');
    const dt = new DataTransfer();
    dt.items.add(file);
    input.files = dt.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    return { bytes: file.size, pixels: w * h };
  });
  await page.waitForFunction(
    () =>
      ["done", "error"].includes(
        document.querySelector('[data-testid="file-answer"]')?.dataset.state,
      ),
    { timeout: 60_000 },
  );
  assert.equal(
    await attr(page, "file-answer", "data-state"),
    "done",
    await text(page, "error-message"),
  );
  const upload = await page.evaluate(() => globalThis.uploads.at(-1));
  assert.match(upload.url, /process-file-upload$/);
  console.log(
    `# photo: ${original.pixels / 1e6} MP, ${(original.bytes / 1e6).toFixed(2)} MB picked, ` +
      `${(upload.bytes / 1e6).toFixed(2)} MB sent`,
  );
  assert.ok(original.bytes > 4_000_000, `the photo is larger than Groq takes: ${original.bytes}`);
  assert.ok(upload.bytes < 4_000_000, `sent ${upload.bytes} bytes`);
  assert.match(await text(page, "file-answer"), /offline-provider/);
  assert.match(await text(page, "file-cost"), /^\$0\.\d{10} · groq:/);
  // What the provider received was the downscaled photo, well inside its 4 MB base64 limit.
  const log = await (await fetch(`${PROVIDER_URL}/__offline/requests`)).json();
  const vision = log.filter((r) => r.body.images?.length).at(-1);
  assert.ok(vision.body.images[0].width * vision.body.images[0].height <= 4_000_000);
});

test("no CORS error, console error, page error or failed request in the session", () => {
  assert.deepEqual(main.problems, []);
  const api = main.requests.filter((r) => r.url.startsWith(SUPABASE_URL));
  assert.ok(api.some((r) => r.method === "OPTIONS" || r.method === "POST"));
});

test("errors in plain words: a spent budget names the wait, no network says offline", async () => {
  const bob = await student();
  await db.query(
    `insert into ai_private.budget_limits (platform, period, user_id, limit_usd, note)
     values ('main', 'day', $1, 0, 'browser test: spent')`,
    [bob.id],
  );
  const { page } = await openApp(bob);
  await page.type('[data-testid="chat-input"]', "Привет");
  await page.click('[data-testid="chat-send"]');
  await page.waitForSelector('[data-testid="chat-answer"][data-state="error"]');
  assert.equal(await attr(page, "error-message", "data-code"), "budget_exceeded");
  assert.match(
    await text(page, "error-message"),
    /^You have used today's AI allowance\. Try again in (\d+ h( \d+ min)?|\d+ min|\d+ s)\.$/,
  );

  await page.setOfflineMode(true);
  await page.click('[data-testid="chat-send"]');
  await page.waitForFunction(
    () => document.querySelector('[data-testid="error-message"]')?.dataset.code === "network_error",
  );
  assert.match(await text(page, "error-message"), /offline/);
  await page.setOfflineMode(false);
  await page.close();
});

test("a file over the limit is a 413 in plain words", async () => {
  const { page } = await openApp(await student());
  await page.evaluate(() => {
    const big = new File([new Uint8Array(21 * 1024 * 1024).fill(0x61)], "notes.txt", {
      type: "text/plain",
    });
    const input = document.querySelector('[data-testid="file-input"]');
    const dt = new DataTransfer();
    dt.items.add(big);
    input.files = dt.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });
  await page.waitForSelector('[data-testid="file-answer"][data-state="error"]', {
    timeout: 30_000,
  });
  assert.equal(await attr(page, "error-message", "data-code"), "payload_too_large");
  assert.match(await text(page, "error-message"), /^That is too large to send\./);
  await page.close();
});

test("the admin page's total for today equals the spend views' sum", async () => {
  const { page, problems } = await openApp(null, "admin.html");
  await page.click('[data-testid="auth-demo"]');
  await page.waitForSelector('[data-testid="spend-total"][data-state="done"]');
  // The ledger is written in the background: compare once the views stop moving.
  const viewTotal = async () =>
    (await db.query(
      `select round(coalesce(sum(cost_usd), 0), 10)::text as t from public.ai_spend_by_platform
       where day = (now() at time zone 'utc')::date`,
    )).rows[0].t;
  let expected = await viewTotal();
  for (let i = 0; i < 10; i++) {
    await page.click('[data-testid="spend-refresh"]');
    await page.waitForSelector('[data-testid="spend-total"][data-state="done"]');
    const shown = await attr(page, "spend-total", "data-value");
    const now = await viewTotal();
    if (shown === expected && now === expected) break;
    expected = now;
    await new Promise((r) => setTimeout(r, 300));
  }
  assert.equal(await attr(page, "spend-total", "data-value"), expected);
  assert.equal(await text(page, "spend-total"), `$${expected}`);
  assert.ok(Number(expected) > 0);
  // As an admin under RLS the page sees every student's spend, Alice's included.
  assert.match(await text(page, "spend-users"), new RegExp(alice.id));
  assert.match(await text(page, "spend-platforms"), /main/);
  assert.deepEqual(problems, []);
  await page.close();
});

test.after(async () => {
  await browser.close();
  await app.close();
  await db.end();
  await rm(userDataDir, { recursive: true, force: true });
  console.log(`# web app browser test finished in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
});
