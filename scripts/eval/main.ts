/**
 * `npm run eval`: runs the same Russian tasks over configured candidates and writes
 * `DIR/report.md`, `DIR/report.html` and `DIR/results.json` (per candidate metrics with 95 %
 * intervals, and per item every repeat's pass/fail), plus `DIR/answers.json` (every answer).
 * With `--decide` also `DIR/decision.md` and `DIR/decision.json`: the decision table per task.
 *
 * ```sh
 * npm run eval -- --offline --decide --out /tmp/eval     # the harness against the offline provider
 * GROQ_API_KEY=… OPENAI_API_KEY=… npm run eval -- --decide --repeats 3 --out eval-2026-12
 * npm run eval -- --estimate [--repeats 3]               # calls and cost from the catalog, no call
 * npm run eval -- --compare A/results.json B/results.json  # per-item (paired) comparison of two runs
 * ```
 * Options: `--chat`, `--photo`, `--scan`, `--document`, `--voice` take `provider:model` lists
 * (defaults in candidates.ts); `--tasks chat,voice` runs some tasks; `--sample N` takes N items per
 * task; `--repeats N` asks every item N times (default 1);
 * `--concurrency N` calls in flight per provider (default 2); `--max-retries N` per call after
 * 429s (default 4); `--judge provider:model` scores chat and document answers; `--seed N` orders
 * the judge's answers; `--provider-url URL` an offline provider already running (else
 * `OFFLINE_PROVIDER_URL`, else one is started in this process).
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  createProviderClients,
  type ProviderClients,
} from "../../supabase/functions/_shared/ai/providers.ts";
import {
  DEFAULT_EVAL_CANDIDATES,
  EVAL_TASKS,
  type EvalCandidate,
  type EvalTask,
  parseCandidates,
} from "./candidates.ts";
import { dataSizes, type EvalData, itemCounts, loadEvalData, sample } from "./data.ts";
import { assumptionsLine } from "./assumptions.ts";
import { compareRuns, type EvalResults } from "./compare.ts";
import { decide, renderDecisions } from "./decide.ts";
import { ESTIMATE_ASSUMPTIONS, estimateMinutes, estimateRun } from "./estimate.ts";
import { judgeAnswers } from "./judge.ts";
import { ProviderGate } from "./rate_limit.ts";
import { writeReport } from "./report.ts";
import { itemResults, runEval, summarise } from "./run.ts";

function fail(message: string): never {
  console.error(`eval: ${message}`);
  Deno.exit(2);
}

const { values, positionals } = (() => {
  try {
    return parseArgs({
      args: Deno.args,
      allowPositionals: true,
      options: {
        out: { type: "string" },
        offline: { type: "boolean", default: false },
        "provider-url": { type: "string" },
        sample: { type: "string" },
        tasks: { type: "string", default: EVAL_TASKS.join(",") },
        chat: { type: "string" },
        vision: { type: "string" },
        photo: { type: "string" },
        scan: { type: "string" },
        document: { type: "string" },
        voice: { type: "string" },
        repeats: { type: "string", default: "1" },
        decide: { type: "boolean", default: false },
        compare: { type: "boolean", default: false },
        judge: { type: "string" },
        concurrency: { type: "string", default: "2" },
        "max-retries": { type: "string", default: "4" },
        seed: { type: "string", default: "1" },
        estimate: { type: "boolean", default: false },
      },
    });
  } catch (err) {
    fail((err as Error).message);
  }
})();

const wholeNumber = (name: string, text: string | undefined, min: number) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be a whole number ≥ ${min}`);
  return n;
};

const tasks = values.tasks!.split(",").map((t) => t.trim()).filter(Boolean) as EvalTask[];
for (const t of tasks) if (!EVAL_TASKS.includes(t)) fail(`unknown task "${t}"`);
const concurrency = wholeNumber("concurrency", values.concurrency, 1);
const maxRetries = wholeNumber("max-retries", values["max-retries"], 0);
const seed = wholeNumber("seed", values.seed, 0);
const items = values.sample === undefined ? undefined : wholeNumber("sample", values.sample, 1);
const repeats = wholeNumber("repeats", values.repeats, 1);

if (values.compare) {
  if (positionals.length !== 2) fail("--compare takes two results.json files");
  const [a, b] = await Promise.all(
    positionals.map(async (p) => JSON.parse(await Deno.readTextFile(p)) as EvalResults),
  );
  const lines = compareRuns(a, b);
  console.log(lines.join("\n"));
  Deno.exit(0);
}

let candidates: Partial<Record<EvalTask, EvalCandidate[]>> = {};
let judge: EvalCandidate | undefined;
try {
  for (const t of tasks) {
    candidates[t] = parseCandidates(t, values[t] ?? DEFAULT_EVAL_CANDIDATES[t]);
  }
  if (values.judge) judge = parseCandidates("chat", values.judge)[0];
} catch (err) {
  fail((err as Error).message);
}

const full = await loadEvalData();
const data: EvalData = {
  curator: tasks.includes("chat") ? sample(full.curator, items) : [],
  photos: tasks.includes("photo") ? sample(full.photos, items) : [],
  scans: tasks.includes("scan") ? sample(full.scans, items) : [],
  documents: tasks.includes("document") ? sample(full.documents, items) : [],
  clips: tasks.includes("voice") ? sample(full.clips, items) : [],
};
// The judge also needs the questions (and the documents' instructions).
const prompts = new Map<string, string>([
  ...data.curator.map((q) => [q.id, q.message] as [string, string]),
  ...data.documents.map((d) =>
    [d.id, `${d.instruction ?? "Перескажи документ"} «${d.document.title}»`] as [string, string]
  ),
]);
const sizes = await dataSizes(full);
console.error(
  `eval: data (SYNTHETIC, made by scripts/eval/data): ${sizes.curatorItems} curator items (${sizes.multiTurnItems} multi-turn, ${sizes.longHistoryItems} long-history), ${sizes.photos} photos, ${sizes.scanItems} scanned-PDF items, ${sizes.documentTasks} document tasks over ${sizes.documents} documents (longest ${sizes.longestDocumentPages} pages), ${sizes.negationChecks} negation checks, ${sizes.voiceClips} voice clips from ${sizes.voices} voices (${sizes.voiceWords} words, ${sizes.voiceSeconds} s), ${
    (sizes.bytesOnDisk / 1e6).toFixed(1)
  } MB on disk`,
);
const at = new Date();

if (values.estimate) {
  const rows = estimateRun(data, candidates, at, judge, repeats);
  const total = rows.reduce((sum, r) => sum + (r.costUsd ?? 0), 0);
  console.log("task\tcandidate\tcalls\tUSD");
  for (const r of rows) {
    console.log(
      `${r.task}\t${r.provider}:${r.model}\t${r.calls}\t${r.costUsd?.toFixed(4) ?? r.note}`,
    );
  }
  console.log(
    `total ≈ $${total.toFixed(2)}, ≈ ${
      estimateMinutes(rows, concurrency).toFixed(0)
    } min at ${concurrency} calls in flight per provider (assumptions: ${
      JSON.stringify(ESTIMATE_ASSUMPTIONS)
    })`,
  );
  Deno.exit(0);
}
if (!values.out) fail("--out DIR is required");

let clients: ProviderClients;
let stopProvider: (() => Promise<void>) | undefined;
if (values.offline) {
  let url = values["provider-url"] ?? Deno.env.get("OFFLINE_PROVIDER_URL") ?? "";
  if (url === "") {
    const { createOfflineProvider } = await import("../offline-provider/server.ts");
    const provider = createOfflineProvider({ streamChunkDelayMs: 1 });
    const server = Deno.serve(
      { port: 0, hostname: "127.0.0.1", onListen() {} },
      provider.handler,
    );
    url = `http://127.0.0.1:${server.addr.port}`;
    stopProvider = async () => {
      provider.close();
      await server.shutdown();
    };
  }
  url = url.replace(/\/+$/, "");
  console.error(`eval: OFFLINE run against ${url} (a test double, not a model)`);
  clients = createProviderClients({
    GROQ_API_KEY: "offline-groq-key",
    GROQ_BASE_URL: `${url}/openai/v1`,
    OPENAI_API_KEY: "offline-openai-key",
    OPENAI_BASE_URL: `${url}/v1`,
  });
} else {
  clients = createProviderClients(Deno.env);
  for (const t of tasks) {
    const kept = candidates[t]!.filter((c) => clients[c.provider] !== null);
    const dropped = candidates[t]!.filter((c) => clients[c.provider] === null);
    if (dropped.length > 0) {
      console.error(
        `eval: ${t}: no ${dropped[0].provider.toUpperCase()}_API_KEY, skipping ${
          dropped.map((c) => `${c.provider}:${c.model}`).join(", ")
        }`,
      );
    }
    candidates[t] = kept;
  }
  candidates = Object.fromEntries(Object.entries(candidates).filter(([, l]) => l.length > 0));
  if (Object.keys(candidates).length === 0) fail("no candidate has an API key (or use --offline)");
}

const startedAt = new Date().toISOString();
let done = 0;
const { answers, rateLimited } = await runEval({
  clients,
  data,
  candidates,
  concurrency,
  maxRetries,
  repeats,
  at,
  onProgress(record) {
    done++;
    if (!record.ok) {
      console.error(
        `eval: ${record.task} ${record.provider}:${record.model} ${record.itemId}: ${record.error}`,
      );
    }
    if (done % 25 === 0) console.error(`eval: ${done} answers`);
  },
});
let judgeFailures: number | undefined;
if (judge) {
  const gate = new ProviderGate({ concurrency, maxRetries });
  ({ failed: judgeFailures } = await judgeAnswers(clients, judge, gate, answers, prompts, seed));
}
const rows = summarise(answers, candidates);
const itemRows = itemResults(answers);
const finishedAt = new Date().toISOString();
const info = {
  startedAt,
  finishedAt,
  offline: values.offline!,
  items: Object.fromEntries(
    Object.keys(candidates).map((t) => [
      t,
      {
        chat: data.curator.length,
        photo: data.photos.length,
        scan: data.scans.length,
        document: data.documents.length,
        voice: data.clips.length,
      }[t as EvalTask],
    ]),
  ),
  repeats,
  concurrency,
  judge: judge ? `${judge.provider}:${judge.model}` : undefined,
  judgeFailures,
  rateLimited,
  pricesAt: at.toISOString().slice(0, 10),
};
const results: EvalResults = {
  about: values.offline
    ? "OFFLINE RUN: every answer came from the offline provider, a test double that is not a model. Pass/fail and scores check the harness; they say nothing about Groq or OpenAI. Data: SYNTHETIC."
    : "Run on real provider keys. Data: SYNTHETIC (scripts/eval/data).",
  offline: values.offline!,
  startedAt,
  finishedAt,
  repeats,
  pricesAt: info.pricesAt,
  dataSizes: sizes,
  rows,
  items: itemRows,
};
await writeReport(values.out, rows, info, results);
await Deno.writeTextFile(`${values.out}/answers.json`, JSON.stringify(answers, null, 2) + "\n");
if (values.decide) {
  const all = Object.fromEntries(
    EVAL_TASKS.map((t) => [t, candidates[t] ?? parseCandidates(t, DEFAULT_EVAL_CANDIDATES[t])]),
  ) as Record<EvalTask, EvalCandidate[]>;
  const decisions = decide(all, itemCounts(full), at, {
    evidence: values.offline ? "offline" : "real",
    rows,
    items: itemRows,
  });
  await Deno.writeTextFile(
    `${values.out}/decision.json`,
    JSON.stringify(
      { about: results.about, assumptions: assumptionsLine("en"), decisions },
      null,
      2,
    ) +
      "\n",
  );
  await Deno.writeTextFile(
    `${values.out}/decision.md`,
    `# Decision table\n\n${results.about}\n\n${assumptionsLine("en")}\n\n${
      renderDecisions(decisions, "en", "##")
    }`,
  );
}
await stopProvider?.();
const failed = answers.filter((a) => !a.ok).length;
console.error(
  `eval: ${answers.length} answers (${failed} failed) → ${values.out}/report.md, report.html, results.json${
    values.decide ? ", decision.md, decision.json" : ""
  }`,
);
