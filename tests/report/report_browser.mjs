#!/usr/bin/env node
// The spend report in a real Chromium (the one @sparticuz/chromium ships in its npm package,
// driven by puppeteer-core): `npm run report` is run against the test stack's seeded data plus
// generated rows, through the Data API as an admin and through the database URL; the page is
// opened from disk with every network request refused, and the test checks that the charts drew
// and that the totals shown equal the spend views' sums. Saves .local/report/report.png.
//   SUPABASE_URL=… SUPABASE_ANON_KEY=… SUPABASE_DB_URL=… node tests/report/report_browser.mjs
// (tests/report/report_browser_test.ts runs it under `npm test`). Not a `*_test` file on purpose.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import process from "node:process";
import pg from "pg";
import puppeteer from "puppeteer-core";
import { launchChromium } from "../../scripts/browser/chromium.mjs";
import { signUserJwt } from "../../scripts/stack/jwt.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const OUT = join(ROOT, ".local/report");
const need = (k) => {
  if (!process.env[k]) throw new Error(`${k} is not set: run through \`npm test -- tests/report\``);
  return process.env[k];
};
const SUPABASE_URL = need("SUPABASE_URL");
const ANON_KEY = need("SUPABASE_ANON_KEY");
const DB_URL = need("SUPABASE_DB_URL");
const t0 = Date.now();

const iso = (ms) => new Date(ms).toISOString().slice(0, 10);
const TODAY = iso(Date.now());
const FROM = iso(Date.now() - 7 * 86_400_000);
const ADMIN = "5eed0000-0000-4000-8000-000000000005"; // the seed's admin
const STUDENT = "5eed0000-0000-4000-8000-000000000001";

const db = new pg.Client({ connectionString: DB_URL });
await db.connect();
// Generated rows on top of seed.sql: today, a Groq 429 then an OpenAI fallback, a tripwire voice
// message, and a function name the seed does not use.
const requestId = crypto.randomUUID();
await db.query(
  `insert into public.ai_operations_metrics (request_id, attempt, operation_type, platform, provider,
     model, input_tokens, cached_input_tokens, output_tokens, audio_seconds, billed_audio_seconds,
     cost_usd, baseline_cost_usd, user_id, function_name, status, error_code, created_at)
   values
     ($1, 1, 'chat', 'main', 'groq', 'openai/gpt-oss-120b', 0, 0, 0, null, null, 0, 0, $2,
      'report-generated', 'error', 'rate_limit_exceeded', now()),
     ($1, 2, 'chat', 'main', 'openai', 'gpt-6-luna', 3000, 1000, 700, null, null, 0.0005600000,
      0.0095000000, $2, 'report-generated', 'success', null, now()),
     (gen_random_uuid(), 1, 'whisper', 'tripwire', 'groq', 'whisper-large-v3', 0, 0, 0, 4.2, 10,
      0.0003083333, 0.0003083333, $2, 'process-voice-message', 'success', null, now())`,
  [requestId, STUDENT],
);

/** Sums of the views for the period, as the database computes them (exact, 10 places). */
async function viewSums() {
  const one = async (q) => (await db.query(q, [FROM, TODAY])).rows;
  const total = (await one(
    `select round(coalesce(sum(cost_usd), 0), 10)::text as t from public.ai_spend_by_platform
     where day between $1 and $2`,
  ))[0].t;
  const byFunction = Object.fromEntries(
    (await one(
      `select coalesce(function_name, '(none)') as k, round(sum(cost_usd), 10)::text as t
       from public.ai_spend_by_function where day between $1 and $2 group by 1`,
    )).map((r) => [r.k, r.t]),
  );
  const byModel = Object.fromEntries(
    (await one(
      `select provider || ':' || model as k, round(sum(cost_usd), 10)::text as t
       from public.ai_spend_by_model where day between $1 and $2 group by 1`,
    )).map((r) => [r.k, r.t]),
  );
  const byPlatform = Object.fromEntries(
    (await one(
      `select platform as k, round(sum(cost_usd), 10)::text as t
       from public.ai_spend_by_platform where day between $1 and $2 group by 1`,
    )).map((r) => [r.k, r.t]),
  );
  return { total, byFunction, byModel, byPlatform };
}
const expected = await viewSums();
await db.end();

const execFileP = promisify(execFile);
const WHAT_IF = "chat=openai:gpt-6-luna,speech.tripwire=groq:whisper-large-v3-turbo";
async function report(out, sourceArgs) {
  const { stdout } = await execFileP(join(ROOT, "node_modules/deno/deno"), [
    "run",
    "--allow-all",
    "--config",
    join(ROOT, "deno.json"),
    join(ROOT, "scripts/report/main.ts"),
    "--out",
    out,
    "--from",
    FROM,
    "--to",
    TODAY,
    "--what-if",
    WHAT_IF,
    ...sourceArgs,
  ], { cwd: ROOT, env: { ...process.env, SUPABASE_DB_URL: "" } });
  console.log(`# ${stdout.trim().split("\n").pop()}`);
  return JSON.parse(await readFile(join(out, "spend.json"), "utf8"));
}
const now = Math.floor(Date.now() / 1000);
const adminToken = signUserJwt({
  aud: "authenticated",
  exp: now + 600,
  iat: now,
  sub: ADMIN,
  role: "authenticated",
  app_metadata: { provider: "email", providers: ["email"], role: "admin" },
  user_metadata: {},
  aal: "aal1",
  is_anonymous: false,
});
const viaApi = await report(OUT, [
  "--url",
  SUPABASE_URL,
  "--api-key",
  ANON_KEY,
  "--token",
  adminToken,
]);
const viaDbDir = join(OUT, "db");
const viaDb = await report(viaDbDir, ["--db-url", DB_URL]);

const userDataDir = await mkdtemp(join(tmpdir(), "report-chromium-"));
const browser = await launchChromium(puppeteer, {
  userDataDir,
  defaultViewport: { width: 1280, height: 900 },
});
const page = await browser.newPage();
const pageErrors = [];
const networkRequests = [];
page.on("pageerror", (e) => pageErrors.push(e.message));
await page.setRequestInterception(true);
page.on("request", (req) => {
  if (req.url().startsWith("file:")) return req.continue();
  networkRequests.push(req.url());
  req.abort();
});
await page.goto(pathToFileURL(join(OUT, "report.html")).href);
await page.waitForFunction(() => globalThis.reportReady === true, { timeout: 15_000 });

const text = (sel) => page.$eval(sel, (el) => el.textContent.trim());
/** A table's rows as { first cell: last cell }. */
const tableMap = (id) =>
  page.$$eval(`#${id} tbody tr`, (trs) =>
    Object.fromEntries(trs.map((tr) => {
      const cells = [...tr.querySelectorAll("td")].map((td) => td.textContent.trim());
      return [cells[0], cells[cells.length - 1]];
    })));

test("the report opens from disk with no network request and no page error", () => {
  assert.deepEqual(networkRequests, []);
  assert.deepEqual(pageErrors, []);
});

test("every chart drew: 8 Chart.js charts (daily, function, model, users, savings, rates, what-if)", async () => {
  const r = await page.evaluate(() => {
    const painted = [...document.querySelectorAll("canvas")].map((c) => {
      const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      let ink = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) ink++;
      return { id: c.id, width: c.width, ink };
    });
    return { charts: globalThis.reportCharts, painted };
  });
  console.log(`# charts: ${r.painted.map((p) => `${p.id} ${p.ink} px`).join(", ")}`);
  assert.equal(r.charts, 7); // budget needs --db-url (it is in the other report)
  for (const p of r.painted) assert.ok(p.width > 0 && p.ink > 500, `${p.id} has ink (${p.ink} px)`);
});

test("the total shown equals the sum of ai_spend_by_platform over the period", async () => {
  assert.equal(await text('[data-testid="total-cost"]'), expected.total);
  assert.equal(viaApi.total_cost_usd, expected.total);
  assert.deepEqual(viaApi.period, { from: FROM, to: TODAY });
  console.log(`# total ${expected.total} USD from ${FROM} to ${TODAY}`);
});

test("per platform, function and model, the tables equal the views' sums", async () => {
  assert.deepEqual(await tableMap("table-platform"), expected.byPlatform);
  assert.deepEqual(await tableMap("table-function"), expected.byFunction);
  assert.deepEqual(await tableMap("table-model"), expected.byModel);
  assert.ok(expected.byFunction["report-generated"], "the generated rows are in the period");
});

test("the Data API and the database URL give the same spend.json numbers", () => {
  for (const k of ["total_cost_usd", "by_platform", "by_function", "by_model", "savings"]) {
    assert.deepEqual(viaDb[k], viaApi[k], k);
  }
  assert.equal(viaDb.what_if.total_cost_usd, viaApi.what_if.total_cost_usd);
  assert.equal(viaApi.fallback_attempts >= 1, true);
  assert.equal(viaDb.budget.readable, true);
  assert.equal(viaApi.budget.readable, false);
});

test("the what-if section shows spend.json's what_if total and what repricing cannot know", async () => {
  assert.equal(await text('[data-testid="what-if-total"]'), viaApi.what_if.total_cost_usd);
  assert.equal(viaApi.what_if.actual_cost_usd, expected.total);
  const caveats = await text("ul.caveats");
  assert.match(caveats, /Tokenizers differ/);
  assert.match(caveats, /reasoning tokens/);
});

test("the database report draws the budget chart too; screenshots saved", async () => {
  await page.screenshot({ path: join(OUT, "report.png"), fullPage: true });
  await page.goto(pathToFileURL(join(viaDbDir, "report.html")).href);
  await page.waitForFunction(() => globalThis.reportReady === true, { timeout: 15_000 });
  assert.equal(await page.evaluate(() => globalThis.reportCharts), 8);
  await page.screenshot({ path: join(viaDbDir, "report.png"), fullPage: true });
  console.log(`# screenshots: ${join(OUT, "report.png")}, ${join(viaDbDir, "report.png")}`);
});

test.after(async () => {
  await browser.close();
  await rm(userDataDir, { recursive: true, force: true });
  console.log(`# report browser test finished in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
});
