/**
 * The harness's three outputs: `results.json` (`{ about, offline, rows: [{ task, provider, model,
 * metrics }], items: [per item and candidate, every repeat] }`),
 * `report.md` (tables) and `report.html` (the same tables and bar charts). The charts are
 * hand-written SVG: a horizontal bar per candidate needs no library, the file opens offline and
 * nothing enters package.json or any function's bundle.
 *
 * @module
 */

import type { EvalTask } from "./candidates.ts";
import type { ResultRow } from "./run.ts";

export interface RunInfo {
  startedAt: string;
  finishedAt: string;
  offline: boolean;
  /** Items per task actually run. */
  items: Partial<Record<EvalTask, number>>;
  repeats?: number;
  concurrency: number;
  judge?: string;
  judgeFailures?: number;
  rateLimited: Record<string, number>;
  pricesAt: string;
}

interface Column {
  key: string;
  /** The value (default: the metric named `key`). */
  get?: (m: ResultRow["metrics"]) => unknown;
  label: string;
  /** Lower is better (for the chart's note). */
  better: "lower" | "higher";
  format: (v: number) => string;
}

const ms = (v: number) => `${Math.round(v)}`;
const rate = (v: number) => `${(v * 100).toFixed(1)} %`;
const usd = (v: number) => `$${v.toFixed(6)}`;

const COLUMNS: Column[] = [
  { key: "ttft_ms_p50", label: "TTFT p50, ms", better: "lower", format: ms },
  { key: "ttft_ms_p95", label: "TTFT p95, ms", better: "lower", format: ms },
  { key: "output_tokens_per_second", label: "output tok/s", better: "higher", format: ms },
  { key: "latency_ms_p50", label: "latency p50, ms", better: "lower", format: ms },
  { key: "cost_per_answer_usd", label: "cost / answer", better: "lower", format: usd },
  { key: "error_rate", label: "errors", better: "lower", format: rate },
  { key: "russian_rate", label: "in Russian", better: "higher", format: rate },
  { key: "wer", label: "WER", better: "lower", format: rate },
  { key: "cer", label: "CER", better: "lower", format: rate },
  {
    key: "score",
    label: "score 0–100",
    better: "higher",
    format: (v) => v.toFixed(1),
    get: (m) => m.score?.mean,
  },
  {
    key: "score_ci",
    label: "±95 % (half-width)",
    better: "lower",
    format: (v) => v.toFixed(1),
    get: (m) => m.score ? (m.score.high - m.score.low) / 2 : null,
  },
  {
    key: "pass_rate",
    label: "passed, %",
    better: "higher",
    format: (v) => v.toFixed(1),
    get: (m) => m.pass_rate?.mean,
  },
  { key: "repeat_se", label: "SE between repeats", better: "lower", format: (v) => v.toFixed(2) },
  { key: "image_tokens_per_item", label: "image tokens", better: "lower", format: ms },
  { key: "judge_score", label: "judge (1–5)", better: "higher", format: (v) => v.toFixed(2) },
  { key: "reasoning_tokens_per_answer", label: "reasoning tok", better: "lower", format: ms },
  { key: "truncated_rate", label: "truncated", better: "lower", format: rate },
];

function valueOf(row: ResultRow, c: Column): unknown {
  return c.get ? c.get(row.metrics) : (row.metrics as unknown as Record<string, unknown>)[c.key];
}

/** Columns with at least one value among `rows`. */
function columnsFor(rows: readonly ResultRow[]): Column[] {
  return COLUMNS.filter((c) => rows.some((r) => typeof valueOf(r, c) === "number"));
}

const TASK_TITLES: Record<EvalTask, string> = {
  chat: "Curator answers (chat)",
  photo: "Reading Russian text from homework photos (OCR)",
  scan: "Scanned PDF pages (facts, negation-aware)",
  document: "Text documents (facts, negation-aware)",
  voice: "Russian voice messages (speech-to-text)",
};

const cell = (row: ResultRow, c: Column) => {
  const v = valueOf(row, c);
  return typeof v === "number" ? c.format(v) : "–";
};

function tasksOf(rows: readonly ResultRow[]): EvalTask[] {
  return [...new Set(rows.map((r) => r.task))];
}

function header(info: RunInfo): string[] {
  const lines = [
    `Run ${info.startedAt} → ${info.finishedAt}; prices from the catalog at ${info.pricesAt}.`,
    `Items per task: ${
      Object.entries(info.items).map(([t, n]) => `${t} ${n}`).join(", ")
    }; at most ${info.concurrency} calls in flight per provider; 429s waited out: ${
      Object.entries(info.rateLimited).map(([p, n]) => `${p} ${n}`).join(", ") || "none"
    }.`,
  ];
  if (info.judge) {
    lines.push(
      `Judge: ${info.judge} (Russian rubric, answers shuffled and unnamed); items it failed to score: ${
        info.judgeFailures ?? 0
      }.`,
    );
  }
  if (info.offline) {
    lines.unshift(
      "**OFFLINE RUN: every answer came from the offline provider, a test double that is not a " +
        "model. The numbers check the harness; they say nothing about Groq or OpenAI.**",
    );
  }
  return lines;
}

const DEFINITIONS = [
  "TTFT: request to the first visible answer text (hidden reasoning counts as waiting).",
  "output tok/s: median of output tokens per second after the first delta (hidden reasoning tokens left out).",
  "cost / answer: mean of the catalog's `calculateCost` over successful answers; output tokens include reasoning tokens; audio with the provider's minimum (Groq: 10 s).",
  "errors: share of calls that failed after 429 retries; in Russian: share of answers whose letters are ≥ 60 % Cyrillic.",
  "WER / CER: corpus word / character error rate against the known text (lower case, ё = е; WER ignores punctuation).",
  "score: 0–100 per item (1 for a pass of the item's expectations — facts with the right polarity, nothing the source negates, refusal, clarifying question, valid JSON; 1 − CER for photos, 1 − WER for voice), the mean over items with its 95 % interval (normal, over items; repeats averaged within an item).",
  "passed: share of items whose expectations held (photos: CER ≤ 10 %, voice: WER ≤ 10 %).",
];

/** report.md */
export function renderMarkdown(rows: readonly ResultRow[], info: RunInfo): string {
  const out = ["# Provider evaluation", "", ...header(info).map((l) => `${l}  `), ""];
  for (const task of tasksOf(rows)) {
    const taskRows = rows.filter((r) => r.task === task);
    const cols = columnsFor(taskRows);
    out.push(`## ${TASK_TITLES[task]}`, "");
    out.push(`| candidate | answers | ${cols.map((c) => c.label).join(" | ")} |`);
    out.push(`|---|---:|${cols.map(() => "---:").join("|")}|`);
    for (const r of taskRows) {
      out.push(
        `| ${r.provider}:${r.model} | ${r.metrics.answers} | ${
          cols.map((c) => cell(r, c)).join(" | ")
        } |`,
      );
    }
    out.push("");
  }
  out.push("## How to read it", "", ...DEFINITIONS.map((d) => `- ${d}`), "");
  return out.join("\n");
}

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** A horizontal bar chart of one metric, one bar per candidate (hand-written SVG). */
export function barChart(rows: readonly ResultRow[], c: Column): string {
  const values = rows.map((r) => valueOf(r, c));
  const max = Math.max(0, ...values.map((v) => typeof v === "number" ? v : 0));
  const bar = 22;
  const label = 260;
  const width = 620;
  const height = rows.length * (bar + 6) + 28;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="${
      esc(c.label)
    }">`,
    `<text x="0" y="14" font-size="13" font-weight="bold">${
      esc(c.label)
    } (${c.better} is better)</text>`,
  ];
  rows.forEach((r, i) => {
    const v = values[i];
    const y = 24 + i * (bar + 6);
    const w = typeof v === "number" && max > 0 ? Math.max(1, (v / max) * (width - label - 90)) : 0;
    parts.push(
      `<text x="${label - 6}" y="${y + 15}" font-size="12" text-anchor="end">${
        esc(`${r.provider}:${r.model}`)
      }</text>`,
      `<rect x="${label}" y="${y}" width="${w.toFixed(1)}" height="${bar}" fill="${
        r.provider === "groq" ? "#f55036" : "#10a37f"
      }"/>`,
      `<text x="${label + w + 6}" y="${y + 15}" font-size="12">${esc(cell(r, c))}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("");
}

/** report.html: tables and a chart per metric, self-contained. */
export function renderHtml(rows: readonly ResultRow[], info: RunInfo): string {
  const body: string[] = header(info).map((l) =>
    `<p>${esc(l).replace(/\*\*(.+)\*\*/, "<strong>$1</strong>")}</p>`
  );
  for (const task of tasksOf(rows)) {
    const taskRows = rows.filter((r) => r.task === task);
    const cols = columnsFor(taskRows);
    body.push(
      `<h2>${esc(TASK_TITLES[task])}</h2>`,
      "<table><tr><th>candidate</th><th>answers</th>",
    );
    body.push(...cols.map((c) => `<th>${esc(c.label)}</th>`), "</tr>");
    for (const r of taskRows) {
      body.push(
        `<tr><td>${esc(`${r.provider}:${r.model}`)}</td><td>${r.metrics.answers}</td>${
          cols.map((c) => `<td>${esc(cell(r, c))}</td>`).join("")
        }</tr>`,
      );
    }
    body.push("</table>", '<div class="charts">');
    body.push(...cols.map((c) => barChart(taskRows, c)), "</div>");
  }
  body.push(
    "<h2>How to read it</h2><ul>",
    ...DEFINITIONS.map((d) => `<li>${esc(d)}</li>`),
    "</ul>",
  );
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>Provider evaluation</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1300px}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}
.charts{display:flex;flex-wrap:wrap;gap:16px}</style>
<h1>Provider evaluation</h1>
${body.join("\n")}
</html>
`;
}

/** Writes the three files into `dir` (created if missing). */
export async function writeReport(
  dir: string,
  rows: readonly ResultRow[],
  info: RunInfo,
  results: unknown,
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await Promise.all([
    Deno.writeTextFile(`${dir}/results.json`, JSON.stringify(results, null, 2) + "\n"),
    Deno.writeTextFile(`${dir}/report.md`, renderMarkdown(rows, info)),
    Deno.writeTextFile(`${dir}/report.html`, renderHtml(rows, info)),
  ]);
}
