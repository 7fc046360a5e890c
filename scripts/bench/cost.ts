/**
 * `npm run bench:cost`: what one answer costs, per operation, before and after each cost lever,
 * and what the school's month comes to — by replaying a sample of the month through a running
 * stack (functions, ledger, offline provider) and reading the ledger it writes.
 *
 * The month (README "Savings against the old stack"): 200k chat turns, 30k voice messages (each
 * answered by the curator), 10k images — taken here as 8k homework photos (12 MP phone JPEGs) and
 * 2k scanned pages (A4 at 300 dpi, sent as a PDF's page image) — and 5k text documents (PDFs of a
 * few pages). Our assumption about chat: 85 % of turns belong to conversations of 6 turns of ~700
 * tokens each (the student's message plus the reply, history resent every turn); 15 % are short
 * standalone questions ("когда дедлайн?").
 *
 * Levers, each run on its own stack (port block 24421+ by default, `--port`):
 * 1. today — image ceilings off (`AI_IMAGE_MAX_TOKENS_*=none`), the offline provider's prefix
 *    caching off (what the ledger showed before: cached_tokens always 0);
 * 2. + prompt caching — same stack, caching simulated as Groq documents it;
 * 3. + image policy — the default ceilings (photo 1,600 tokens, scan 4,096);
 * 4. + routing — `AI_CHAT_ARMS=quick:short:…gpt-oss-20b,small:<share>:…gpt-oss-20b`: the short rule
 *    plus the small arm at `--small-share` % (default 50: "if the experiment's small arm is promoted";
 *    whether it may be is the evaluation's call, not this bench's).
 * Then an experiment at 10 % over `--experiment` conversations (default 2,000): its share of
 * conversations, and the arm view's totals against the ledger's.
 *
 * The offline provider is a test double: its replies are short, so output costs are below a real
 * model's; the input side (prompts, history, images, caching) is what this bench measures.
 *
 * @example
 * ```sh
 * npm run bench:cost -- --scale 500 --experiment 2000
 * ```
 */
import postgres from "postgres";
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { signEs256 } from "../stack/jwt.mjs";
import { encodeJpeg, type Rgba } from "../../supabase/functions/_shared/files/codecs.ts";
import { pdfDocument, proseLines } from "../../supabase/functions/_shared/files/test_documents.ts";
import { calculateCost } from "../../supabase/functions/_shared/ai/cost.ts";
import { modelsWithCapability } from "../../supabase/functions/_shared/ai/catalog.ts";
import {
  DEFAULT_IMAGE_POLICY,
  imageTarget,
  UNBOUNDED_IMAGE_POLICY,
} from "../../supabase/functions/_shared/ai/image_policy.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const ANON_KEY =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    port: { type: "string", default: "24421" },
    scale: { type: "string", default: "1000" },
    "small-share": { type: "string", default: "50" },
    experiment: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "8" },
    json: { type: "string" },
  },
});
const PORT = Number(flags.port);
/** The sample is the month divided by this. */
const SCALE = Number(flags.scale);
const SMALL_SHARE = Number(flags["small-share"]);
const EXPERIMENT = Number(flags.experiment);
const CONCURRENCY = Number(flags.concurrency);

export const MONTH = {
  chat: 200_000,
  voice: 30_000,
  photo: 8_000,
  scan: 2_000,
  document: 5_000,
} as const;
type Kind = keyof typeof MONTH;
const CONVERSATION_TURNS = 6;
const SHORT_SHARE = 0.15;

// ---------------------------------------------------------------------------------------------
// Inputs

/** A photo-like image; `variant` changes its pixels, so each upload is a different image. */
function smoothPhoto(width: number, height: number, variant = 0): Rgba {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 4) {
      data[i] = ((x + variant * 37) >> 4) & 0xff;
      data[i + 1] = ((y + variant * 53) >> 4) & 0xff;
      data[i + 2] = ((x * 7 + y * 3 + variant * 101) >> 6) & 0xff;
      data[i + 3] = 255;
    }
  }
  return { data, width, height };
}

/** About `tokens` tokens (the offline provider counts 4 characters a token) of Russian words in
 * an order drawn from `seed`: no two conversations share a prefix by accident. */
function russian(seed: number, tokens: number): string {
  const words = [
    "домашнее",
    "задание",
    "урок",
    "срок",
    "сдать",
    "вопрос",
    "пример",
    "решение",
    "модуль",
    "проект",
    "оценка",
    "куратор",
    "тема",
    "формула",
    "ответ",
    "проверка",
  ];
  let x = (seed * 2654435761 + 12345) >>> 0;
  let text = "";
  while (text.length < tokens * 4) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    text += `${words[x >>> 28]} ${x % 997} `;
  }
  return text.slice(0, tokens * 4);
}

// ---------------------------------------------------------------------------------------------
// A stack per lever

interface Stack {
  api: string;
  provider: string;
  sql: postgres.Sql;
  stop(): Promise<void>;
}

async function startStack(label: string, env: Record<string, string>): Promise<Stack> {
  const dataDir = `/tmp/bench-cost-${PORT}`;
  const childEnv: Record<string, string> = { ...Deno.env.toObject(), ...env };
  // Offline: a machine with real keys would otherwise reach real providers.
  delete childEnv.GROQ_API_KEY;
  delete childEnv.OPENAI_API_KEY;
  const child = new Deno.Command("node", {
    args: ["scripts/start.mjs", "--port", String(PORT), "--data-dir", dataDir, "--reset"],
    cwd: ROOT,
    env: childEnv,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const deadline = Date.now() + 120_000;
  while (!/ready in/.test(seen)) {
    if (Date.now() > deadline) throw new Error(`stack for ${label} did not start:\n${seen}`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`stack for ${label} exited:\n${seen}`);
    seen += value;
  }
  // Keep draining its output so it never blocks on a full pipe.
  (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })();
  child.stderr.pipeTo(new WritableStream()).catch(() => {});
  const sql = postgres(`postgresql://postgres:postgres@127.0.0.1:${PORT + 1}/postgres`, {
    max: 2,
    onnotice: () => {},
  });
  return {
    api: `http://127.0.0.1:${PORT}`,
    provider: `http://127.0.0.1:${PORT + 18}`,
    sql,
    async stop() {
      await sql.end();
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

async function createUsers(sql: postgres.Sql, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, () => crypto.randomUUID());
  const rows = ids.map((id) => ({
    id,
    aud: "authenticated",
    role: "authenticated",
    email: `${id}@bench.test`,
  }));
  for (let i = 0; i < rows.length; i += 500) {
    await sql`insert into auth.users ${sql(rows.slice(i, i + 500))}`;
  }
  return ids;
}

function token(userId: string): string {
  return signEs256({
    sub: userId,
    role: "authenticated",
    aud: "authenticated",
    exp: Math.floor(Date.now() / 1000) + 3600,
  });
}

async function call(
  stack: Stack,
  fn: string,
  userId: string,
  body: Record<string, unknown> | FormData,
): Promise<{ request_id: string; reply?: string }> {
  const json = !(body instanceof FormData);
  const res = await fetch(`${stack.api}/functions/v1/${fn}`, {
    method: "POST",
    headers: {
      apikey: ANON_KEY,
      authorization: `Bearer ${token(userId)}`,
      ...(json ? { "content-type": "application/json" } : {}),
    },
    body: json ? JSON.stringify(body) : body,
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${fn} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// The replay

interface Inputs {
  photos: Uint8Array[];
  scans: { pdf: Uint8Array; page: Uint8Array }[];
  documents: Uint8Array[];
  voice: Uint8Array;
}

/** How many operations of each kind one replay makes. */
function sampleCounts() {
  const n = (month: number) => Math.max(1, Math.round(month / SCALE));
  return {
    voice: n(MONTH.voice),
    photo: n(MONTH.photo),
    scan: n(MONTH.scan),
    document: n(MONTH.document),
  };
}

async function makeInputs(): Promise<Inputs> {
  const counts = sampleCounts();
  const photos: Uint8Array[] = [];
  for (let i = 0; i < counts.photo; i++) {
    photos.push(await encodeJpeg(smoothPhoto(4000, 3000, i), 80));
  }
  // A4 at 300 dpi: 2480 × 3508 (8.7 MP); a scanned page without a text layer.
  const scans = [];
  for (let i = 0; i < counts.scan; i++) {
    scans.push({
      pdf: pdfDocument([{ image: { width: 2480, height: 3508 } }]),
      page: await encodeJpeg(smoothPhoto(2480, 3508, 1000 + i), 80),
    });
  }
  const documents = Array.from(
    { length: counts.document },
    (_, i) => pdfDocument([1, 2, 3].map((p) => ({ lines: proseLines(40, i * 3 + p) }))),
  );
  const voice = await Deno.readFile(join(ROOT, "tests/fixtures/audio/long.ogg"));
  return { photos, scans, documents, voice };
}

const kindOf = new Map<string, Kind>();
/** The turn (1-based) of a conversation's chat request. */
const turnOf = new Map<string, number>();

async function replayMonth(stack: Stack, inputs: Inputs) {
  const chatTurns = Math.round(MONTH.chat / SCALE);
  const shortQuestions = Math.round(chatTurns * SHORT_SHARE);
  const conversations = Math.max(1, Math.round((chatTurns - shortQuestions) / CONVERSATION_TURNS));
  const counts = sampleCounts();
  const users = await createUsers(stack.sql, conversations + shortQuestions + 50);
  let u = 0;
  const jobs: (() => Promise<void>)[] = [];
  for (let c = 0; c < conversations; c++) {
    const user = users[u++];
    jobs.push(async () => {
      const history: { role: string; content: string }[] = [];
      const conversation_id = crypto.randomUUID();
      for (let t = 0; t < CONVERSATION_TURNS; t++) {
        const message = russian(c * 31 + t, 640);
        const r = await call(stack, "process-chat", user, {
          platform: "main",
          message,
          history,
          conversation_id,
        });
        kindOf.set(r.request_id, "chat");
        turnOf.set(r.request_id, t + 1);
        history.push({ role: "user", content: message }, { role: "assistant", content: r.reply! });
      }
    });
  }
  for (let q = 0; q < shortQuestions; q++) {
    const user = users[u++];
    jobs.push(async () => {
      const r = await call(stack, "process-chat", user, {
        platform: "main",
        message: `Когда дедлайн по уроку ${q % 12 + 1}?`,
      });
      kindOf.set(r.request_id, "chat");
    });
  }
  const form = (fields: Record<string, string | Blob>) => {
    const f = new FormData();
    for (const [k, v] of Object.entries(fields)) {
      f.append(k, v, typeof v === "string" ? undefined : (v as File).name);
    }
    return f;
  };
  const file = (bytes: Uint8Array, name: string, type: string) =>
    new File([bytes as BufferSource], name, { type });
  for (let i = 0; i < counts.voice; i++) {
    const user = users[u++ % users.length];
    jobs.push(async () => {
      const r = await call(
        stack,
        "process-voice-message",
        user,
        form({
          platform: "main",
          reply: "true",
          file: file(inputs.voice, "voice.ogg", "audio/ogg"),
        }),
      );
      kindOf.set(r.request_id, "voice");
    });
  }
  for (let i = 0; i < counts.photo; i++) {
    const user = users[u++ % users.length];
    jobs.push(async () => {
      const r = await call(
        stack,
        "process-file-upload",
        user,
        form({ platform: "main", file: file(inputs.photos[i], "homework.jpg", "image/jpeg") }),
      );
      kindOf.set(r.request_id, "photo");
    });
  }
  for (let i = 0; i < counts.scan; i++) {
    const user = users[u++ % users.length];
    jobs.push(async () => {
      const r = await call(
        stack,
        "process-file-upload",
        user,
        form({
          platform: "main",
          file: file(inputs.scans[i].pdf, "scan.pdf", "application/pdf"),
          page_images: file(inputs.scans[i].page, "page1.jpg", "image/jpeg"),
        }),
      );
      kindOf.set(r.request_id, "scan");
    });
  }
  for (let i = 0; i < counts.document; i++) {
    const user = users[u++ % users.length];
    jobs.push(async () => {
      const r = await call(
        stack,
        "process-file-upload",
        user,
        form({ platform: "main", file: file(inputs.documents[i], "essay.pdf", "application/pdf") }),
      );
      kindOf.set(r.request_id, "document");
    });
  }
  await pool(jobs, CONCURRENCY, (job) => job());
}

interface KindCost {
  answers: number;
  costUsd: number;
  inputTokens: number;
  cachedTokens: number;
  imageTokens: number;
  /** Of the curator's answers (chat rows, including a voice message's reply). */
  curatorAnswers?: number;
}

type LedgerRow = {
  request_id: string;
  operation_type: string;
  cost_usd: string;
  input_tokens: number;
  cached_input_tokens: number;
  image_tokens: number | null;
  arm: string;
};

/** Waits until the background ledger writes of `since` have settled (no new row for 1.5 s). */
async function ledgerSince(sql: postgres.Sql, since: Date): Promise<LedgerRow[]> {
  let last = -1;
  for (;;) {
    const [{ n }] = await sql`
      select count(*)::int as n from public.ai_operations_metrics where created_at >= ${since}`;
    if (n === last) break;
    last = n;
    await new Promise((r) => setTimeout(r, 1500));
  }
  return await sql<LedgerRow[]>`
    select request_id::text, operation_type, cost_usd::text, coalesce(input_tokens, 0) as input_tokens,
      coalesce(cached_input_tokens, 0) as cached_input_tokens, image_tokens, arm
    from public.ai_operations_metrics where created_at >= ${since}`;
}

/** Cost per answer per kind; "curator" = every chat row (typed questions and voice replies). */
function summarise(rows: LedgerRow[], reprice?: (r: LedgerRow) => number) {
  const out: Record<string, KindCost> = {};
  const seen: Record<string, Set<string>> = {};
  const add = (key: string, r: LedgerRow) => {
    const k = out[key] ??= {
      answers: 0,
      costUsd: 0,
      inputTokens: 0,
      cachedTokens: 0,
      imageTokens: 0,
    };
    const ids = seen[key] ??= new Set();
    if (!ids.has(r.request_id)) (ids.add(r.request_id), k.answers++);
    k.costUsd += reprice ? reprice(r) : Number(r.cost_usd);
    k.inputTokens += r.input_tokens;
    k.cachedTokens += r.cached_input_tokens;
    k.imageTokens += r.image_tokens ?? 0;
  };
  for (const r of rows) {
    const kind = kindOf.get(r.request_id);
    if (kind) add(kind, r);
    if (r.operation_type === "chat") add("curator", r);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Printing

const usd = (n: number) => `$${n.toFixed(n < 0.01 ? 6 : 2)}`;
const pct = (a: number, b: number) => (b === 0 ? "—" : `${Math.round((100 * a) / b)} %`);

function monthUsd(s: Record<string, KindCost>): number {
  let total = 0;
  for (const kind of Object.keys(MONTH) as Kind[]) {
    const k = s[kind];
    if (k && k.answers > 0) total += (k.costUsd / k.answers) * MONTH[kind];
  }
  return total;
}

function printLevers(levers: { label: string; s: Record<string, KindCost> }[]) {
  const kinds = ["curator", ...Object.keys(MONTH)];
  const head = ["per answer", ...levers.map((l) => l.label)];
  const rows = kinds.map((kind) => [
    kind,
    ...levers.map((l) => {
      const k = l.s[kind];
      return k && k.answers ? usd(k.costUsd / k.answers) : "—";
    }),
  ]);
  rows.push([
    "month",
    ...levers.map((l) => usd(monthUsd(l.s))),
  ]);
  const widths = head.map((_, i) => Math.max(...[head, ...rows].map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i])));
  console.log(line(head).join("  "));
  for (const r of rows) console.log(line(r).join("  "));
  const first = levers[0].s;
  const last = levers[levers.length - 1].s;
  const per = (s: Record<string, KindCost>, k: string) => s[k].costUsd / s[k].answers;
  console.log(
    `\ncurator cost per answer, all levers vs today: ${
      pct(per(last, "curator"), per(first, "curator"))
    }` +
      ` (acceptance ≤ 60 %); photo: ${pct(per(last, "photo"), per(first, "photo"))} (≤ 40 %);` +
      ` month: ${pct(monthUsd(last), monthUsd(first))}`,
  );
}

function printPhotoTable(measured: { text: number; output: number }) {
  console.log(
    `\n12 MP phone photo (4000×3000), per model: image tokens and cost per photo, today (sent as it is)` +
      ` vs the default policy (photo ceiling ${DEFAULT_IMAGE_POLICY.photo.maxTokens} tokens);` +
      ` text ${measured.text} + answer ${measured.output} tokens as measured on the default route`,
  );
  const at = new Date();
  for (const m of modelsWithCapability("vision", { at })) {
    const size = { width: 4000, height: 3000 };
    const today = imageTarget(m.provider, m.id, size, "photo", UNBOUNDED_IMAGE_POLICY);
    const after = imageTarget(m.provider, m.id, size, "photo");
    const cost = (tokens: number) =>
      Number(
        calculateCost(m.provider, m.id, {
          prompt_tokens: measured.text + tokens,
          completion_tokens: measured.output,
        }, at).cost_usd,
      );
    console.log(
      `  ${`${m.provider}:${m.id}`.padEnd(26)} ${String(today.tokens).padStart(6)} → ${
        String(after.tokens).padStart(5)
      } tokens  ${usd(cost(today.tokens))} → ${usd(cost(after.tokens))}  (${
        pct(cost(after.tokens), cost(today.tokens))
      })${after.estimate ? "  [rule is an estimate]" : ""}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------

const started = performance.now();
const inputs = await makeInputs();
const levers: { label: string; s: Record<string, KindCost> }[] = [];
const NO_CEILING = { AI_IMAGE_MAX_TOKENS_PHOTO: "none", AI_IMAGE_MAX_TOKENS_SCAN: "none" };

async function caching(stack: Stack, enabled: boolean) {
  const res = await fetch(`${stack.provider}/__offline/prompt-caching`, {
    method: "POST",
    body: JSON.stringify({ enabled }),
  });
  await res.body?.cancel();
  if (!res.ok) throw new Error(`prompt-caching control answered ${res.status}`);
}

let photoMeasured = { text: 300, output: 400 };
let cachedTurns = { early: "—", late: "—" };
{
  const stack = await startStack("today", NO_CEILING);
  try {
    await caching(stack, false);
    let since = new Date();
    await replayMonth(stack, inputs);
    levers.push({ label: "today", s: summarise(await ledgerSince(stack.sql, since)) });
    console.log(`replayed "today" (${Math.round((performance.now() - started) / 1000)} s)`);
    await caching(stack, true);
    since = new Date();
    await replayMonth(stack, inputs);
    const rows = await ledgerSince(stack.sql, since);
    levers.push({ label: "+caching", s: summarise(rows) });
    const share = (late: boolean) => {
      const turns = rows.filter((r) =>
        r.operation_type === "chat" && turnOf.has(r.request_id) &&
        (turnOf.get(r.request_id)! >= 3) === late
      );
      return pct(
        turns.reduce((n, r) => n + r.cached_input_tokens, 0),
        turns.reduce((n, r) => n + r.input_tokens, 0),
      );
    };
    cachedTurns = { early: share(false), late: share(true) };
  } finally {
    await stack.stop();
  }
}
{
  const stack = await startStack("image policy", {});
  try {
    const since = new Date();
    await replayMonth(stack, inputs);
    const rows = await ledgerSince(stack.sql, since);
    levers.push({ label: "+image policy", s: summarise(rows) });
    const [m] = await stack.sql`
      select avg(input_tokens - coalesce(image_tokens, 0))::int as text,
        avg(output_tokens)::int as output
      from public.ai_operations_metrics
      where created_at >= ${since} and operation_type = 'vision' and status = 'success'
        and request_id::text = any(${
      [...kindOf].filter(([, k]) => k === "photo").map(([id]) => id)
    })`;
    if (m?.text) photoMeasured = { text: m.text, output: m.output };
  } finally {
    await stack.stop();
  }
}
const ARMS = `quick:short:groq:openai/gpt-oss-20b,small:${SMALL_SHARE}:groq:openai/gpt-oss-20b`;
{
  const stack = await startStack("routing", { AI_CHAT_ARMS: ARMS });
  try {
    const since = new Date();
    await replayMonth(stack, inputs);
    levers.push({ label: "+routing", s: summarise(await ledgerSince(stack.sql, since)) });
  } finally {
    await stack.stop();
  }
}

console.log(
  `\nThe month (${
    Object.entries(MONTH).map(([k, v]) => `${v.toLocaleString("en")} ${k}`).join(", ")
  }), replayed at 1/${SCALE}; cost per answer from the ledger:`,
);
console.log(
  `  levers: today = no image ceiling, no prefix caching; +caching = Groq's automatic prefix caching;` +
    ` +image policy = photo ${DEFAULT_IMAGE_POLICY.photo.maxTokens} / scan ${DEFAULT_IMAGE_POLICY.scan.maxTokens} tokens;` +
    ` +routing = AI_CHAT_ARMS=${ARMS}\n`,
);
printLevers(levers);
console.log(
  `curator input reported cached (+caching): turns 1–2 ${cachedTurns.early}, turns 3+ ${cachedTurns.late}` +
    ` (acceptance ≥ 60 % on turns 3+)`,
);
printPhotoTable(photoMeasured);

// The experiment: 10 % of conversations to the small model.
if (EXPERIMENT > 0) {
  const stack = await startStack("experiment", {
    AI_CHAT_ARMS: "small:10:groq:openai/gpt-oss-20b",
  });
  try {
    const since = new Date();
    const users = await createUsers(stack.sql, EXPERIMENT);
    await pool(users, CONCURRENCY * 2, async (user) => {
      await call(stack, "process-chat", user, { platform: "main", message: "Как сдать работу?" });
    });
    await ledgerSince(stack.sql, since);
    const arms = await stack.sql`
      select arm, answers::int, operations::int, cost_usd::text, cost_per_answer_usd::text,
        latency_p50_ms::int as p50, latency_p95_ms::int as p95, error_rate::text,
        fallback_rate::text, truncation_rate::text
      from public.ai_route_arms
      where platform = 'main' and operation_type = 'chat' and arm in ('control', 'small')
      order by arm`;
    // The stack's seeded demo rows are arm 'default': the experiment is the other two arms.
    const [ledger] = await stack.sql`
      select count(*)::int as operations, sum(cost_usd)::text as cost_usd
      from public.ai_operations_metrics
      where operation_type = 'chat' and platform = 'main' and arm in ('control', 'small')`;
    const small = arms.find((a) => a.arm === "small")?.answers ?? 0;
    console.log(
      `\nExperiment AI_CHAT_ARMS=small:10:groq:openai/gpt-oss-20b over ${EXPERIMENT} conversations:` +
        ` small got ${small} (${((100 * small) / EXPERIMENT).toFixed(1)} %; acceptance 10 ± 2 %)`,
    );
    for (const a of arms) {
      console.log(
        `  ${
          a.arm.padEnd(8)
        } answers ${a.answers}  cost/answer $${a.cost_per_answer_usd}  p50 ${a.p50} ms` +
          `  p95 ${a.p95} ms  errors ${a.error_rate}  fallbacks ${a.fallback_rate}  truncated ${a.truncation_rate}`,
      );
    }
    const viewOps = arms.reduce((n, a) => n + a.operations, 0);
    const viewCost = arms.reduce((n, a) => n + Number(a.cost_usd), 0);
    console.log(
      `  ai_route_arms totals: ${viewOps} rows, $${
        viewCost.toFixed(10)
      }; ledger: ${ledger.operations} rows,` +
        ` $${ledger.cost_usd} → ${
          viewOps === ledger.operations && Math.abs(viewCost - Number(ledger.cost_usd)) < 1e-9
            ? "equal"
            : "DIFFERENT"
        }`,
    );
  } finally {
    await stack.stop();
  }
}

if (flags.json) {
  await Deno.writeTextFile(flags.json, JSON.stringify({ levers, photoMeasured }, null, 2));
}
console.log(`\nbench:cost done in ${Math.round((performance.now() - started) / 1000)} s`);
