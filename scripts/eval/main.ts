/**
 * `npm run eval`: runs the same Russian tasks over configured candidates and writes
 * `DIR/report.md`, `DIR/report.html` and `DIR/results.json` (plus `DIR/answers.json`, every
 * answer for reading).
 *
 * ```sh
 * npm run eval -- --offline --out /tmp/eval              # the harness against the offline provider
 * GROQ_API_KEY=… OPENAI_API_KEY=… npm run eval -- --out eval-2026-12 [--judge openai:gpt-6-sol]
 * npm run eval -- --estimate                             # calls and cost from the catalog, no call
 * ```
 * Options: `--chat`, `--vision`, `--document`, `--speech` take `provider:model` lists (defaults in
 * candidates.ts); `--tasks chat,speech` runs some tasks; `--sample N` takes N items per task;
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
import { type EvalData, loadEvalData, sample } from "./data.ts";
import { ESTIMATE_ASSUMPTIONS, estimateMinutes, estimateRun } from "./estimate.ts";
import { judgeAnswers } from "./judge.ts";
import { ProviderGate } from "./rate_limit.ts";
import { writeReport } from "./report.ts";
import { runEval, summarise } from "./run.ts";

function fail(message: string): never {
  console.error(`eval: ${message}`);
  Deno.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      args: Deno.args,
      options: {
        out: { type: "string" },
        offline: { type: "boolean", default: false },
        "provider-url": { type: "string" },
        sample: { type: "string" },
        tasks: { type: "string", default: EVAL_TASKS.join(",") },
        chat: { type: "string" },
        vision: { type: "string" },
        document: { type: "string" },
        speech: { type: "string" },
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
  questions: tasks.includes("chat") ? sample(full.questions, items) : [],
  images: tasks.includes("vision") ? sample(full.images, items) : [],
  clips: tasks.includes("speech") ? sample(full.clips, items) : [],
  documents: tasks.includes("document") ? sample(full.documents, items) : [],
};
// The judge also needs the questions of the documents (their titles).
const prompts = new Map<string, string>([
  ...data.questions.map((q) => [q.id, q.question] as [string, string]),
  ...data.documents.map((d) =>
    [d.id, `Перескажи документ «${d.title}»:\n${d.text}`] as [string, string]
  ),
]);
const at = new Date();

if (values.estimate) {
  const rows = estimateRun(data, candidates, at, judge);
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
await writeReport(values.out, rows, {
  startedAt,
  finishedAt: new Date().toISOString(),
  offline: values.offline!,
  items: Object.fromEntries(
    Object.keys(candidates).map((t) => [
      t,
      {
        chat: data.questions.length,
        vision: data.images.length,
        document: data.documents.length,
        speech: data.clips.length,
      }[t as EvalTask],
    ]),
  ),
  concurrency,
  judge: judge ? `${judge.provider}:${judge.model}` : undefined,
  judgeFailures,
  rateLimited,
  pricesAt: at.toISOString().slice(0, 10),
});
await Deno.writeTextFile(`${values.out}/answers.json`, JSON.stringify(answers, null, 2) + "\n");
await stopProvider?.();
const failed = answers.filter((a) => !a.ok).length;
console.error(
  `eval: ${answers.length} answers (${failed} failed) → ${values.out}/report.md, report.html, results.json`,
);
