/**
 * The decision table: per task (curator chat, homework photo, scanned PDF, text document, voice)
 * the recommended model and its fallback, cost per operation and per month at the school's
 * traffic (assumptions.ts, the one assumption set), latency p50/p95 against OpenAI, and a Russian
 * quality score with its 95 % interval — or "not enough evidence" wherever the intervals (paired,
 * per item) cannot tell candidates apart.
 *
 * From a real run it decides; from an offline run (the test double) or with no run at all it
 * states what is known (prices, image tokens, providers' own speed figures) and what the one paid
 * run will decide, never presenting the double's numbers as model quality.
 *
 * @module
 */

import {
  formatNumber,
  formatUsd,
  oldStackModel,
  operationCostUsd,
  SCHOOL_MONTH,
  type Workload,
} from "./assumptions.ts";
import { imageTokensOf } from "./assumptions.ts";
import { DEFAULT_CANDIDATES } from "../../supabase/functions/_shared/ai/config.ts";
import type { EvalCandidate, EvalTask } from "./candidates.ts";
import type { ItemResult, ResultRow } from "./run.ts";
import {
  detectableDifference,
  type Estimate,
  itemsToDetect,
  overlaps,
  pairedComparison,
} from "./stats.ts";

export type Lang = "en" | "ru";
const tr = (lang: Lang, en: string, ru: string) => lang === "en" ? en : ru;

/** Where the numbers come from. */
export type Evidence = "real" | "offline" | "none";

export interface CandidateLine {
  provider: string;
  model: string;
  costPerOperationUsd: number;
  costPerMonthUsd: number;
  /** Input tokens of the operation's images on this model (photo, scan). */
  imageTokens?: number;
  imageTokensEstimate?: boolean;
  latencyMsP50: number | null;
  latencyMsP95: number | null;
  /** Quality 0–100 with 95 % interval (real runs only). */
  score: Estimate | null;
  /** Paired comparison with the best-scoring candidate (real runs only). */
  vsBest: { difference: Estimate; verdict: string; n: number } | null;
}

export interface Decision {
  task: EvalTask;
  en: string;
  ru: string;
  perMonth: number;
  evidence: Evidence;
  status: "decided" | "not enough evidence" | "not measured";
  /** With status "not measured": the functions' current configuration, provisional. */
  recommended: string | null;
  fallback: string | null;
  /** The old stack's cost for a month of this work (GPT-4o; Groq Whisper for voice). */
  oldStackPerMonthUsd: number;
  cheapest: string;
  candidates: CandidateLine[];
  /** Smallest difference (points) a paired comparison detects here (80 % power, 5 % level). */
  detectablePoints: number;
  /** What the numbers are, and what the paid run will settle. */
  noteEn: string;
  noteRu: string;
}

const id = (c: { provider: string; model: string }) => `${c.provider}:${c.model}`;

/**
 * The SD of per-item score differences between two models assumed before any real run (points,
 * 0–100): pass/fail items averaged over 3 repeats ≈ 25; error-rate scores (photo, voice) ≈ 10.
 * A real run replaces it with the measured SD.
 */
export const ASSUMED_DIFFERENCE_SD: Readonly<Record<EvalTask, number>> = {
  chat: 25,
  photo: 10,
  scan: 25,
  document: 25,
  voice: 10,
};

/** Items per task in the data set (for the detectable difference before a run). */
export type ItemCounts = Readonly<Record<EvalTask, number>>;

/**
 * Builds the decisions. `rows`/`items` from a run (or none); `evidence` says what kind of run.
 */
export function decide(
  candidates: Readonly<Record<EvalTask, readonly EvalCandidate[]>>,
  itemCounts: ItemCounts,
  at: Date,
  run?: { evidence: "real" | "offline"; rows: readonly ResultRow[]; items: readonly ItemResult[] },
): Decision[] {
  const evidence: Evidence = run?.evidence ?? "none";
  return SCHOOL_MONTH.map((w: Workload) => {
    const task = w.task as EvalTask;
    const list = candidates[task] ?? [];
    const real = evidence === "real";
    const scores = new Map<string, Map<string, number>>();
    if (real) {
      for (const i of run!.items) {
        if (i.task !== task || i.score === null) continue;
        const key = id(i);
        if (!scores.has(key)) scores.set(key, new Map());
        scores.get(key)!.set(i.itemId, i.score * 100);
      }
    }
    const rowOf = (c: EvalCandidate) =>
      run?.rows.find((r) => r.task === task && r.provider === c.provider && r.model === c.model);
    const lines: CandidateLine[] = list.map((c) => {
      const op = operationCostUsd(w, c.provider, c.model, at);
      const row = real ? rowOf(c) : undefined;
      const img = w.images ? imageTokensOf(c.provider, c.model, w.images.size) : undefined;
      return {
        provider: c.provider,
        model: c.model,
        costPerOperationUsd: op,
        costPerMonthUsd: op * w.perMonth,
        ...(img
          ? { imageTokens: img.tokens * w.images!.count, imageTokensEstimate: img.estimate }
          : {}),
        latencyMsP50: row?.metrics.latency_ms_p50 ?? null,
        latencyMsP95: row?.metrics.latency_ms_p95 ?? null,
        score: row?.metrics.score ?? null,
        vsBest: null,
      };
    });
    const old = oldStackModel(w);
    const oldStackPerMonthUsd = operationCostUsd(w, old.provider, old.model, at) * w.perMonth;
    const byCost = [...lines].sort((a, b) => a.costPerOperationUsd - b.costPerOperationUsd);
    const cheapest = byCost.length ? id(byCost[0]) : "–";
    let status: Decision["status"] = "not measured";
    let recommended: string | null = null;
    let fallback: string | null = null;
    let sd = ASSUMED_DIFFERENCE_SD[task];
    let n = itemCounts[task];
    let noteEn: string;
    let noteRu: string;
    const scored = lines.filter((l) => l.score !== null);
    if (real && scored.length > 0) {
      const best = [...scored].sort((a, b) => b.score!.mean - a.score!.mean)[0];
      const bestScores = scores.get(id(best)) ?? new Map();
      const diffs: number[] = [];
      for (const l of scored) {
        if (l === best) continue;
        const p = pairedComparison(bestScores, scores.get(id(l)) ?? new Map());
        if (p) {
          l.vsBest = { difference: p.difference, verdict: p.verdict, n: p.n };
          diffs.push(p.difference.se * Math.sqrt(p.n));
        }
      }
      if (diffs.length) sd = Math.max(...diffs);
      n = best.score!.n;
      // Equivalent to the best: the paired interval includes 0, or the plain intervals overlap.
      const equivalent = scored.filter((l) =>
        l === best || l.vsBest?.verdict === "not enough evidence" || overlaps(l.score!, best.score!)
      ).sort((a, b) => a.costPerOperationUsd - b.costPerOperationUsd);
      recommended = id(equivalent[0]);
      const other = equivalent.find((l) => l.provider !== equivalent[0].provider) ??
        scored.filter((l) => l !== equivalent[0]).sort((a, b) => b.score!.mean - a.score!.mean)[0];
      fallback = other ? id(other) : null;
      status = equivalent.length > 1 ? "not enough evidence" : "decided";
      noteEn = status === "decided"
        ? `${recommended} scores above every other candidate beyond the 95 % intervals.`
        : `Not enough evidence to tell ${
          equivalent.map(id).join(", ")
        } apart on quality (paired 95 % intervals include 0): the cheapest of them is recommended.`;
      noteRu = status === "decided"
        ? `${recommended} лучше всех остальных кандидатов за пределами 95-процентных интервалов.`
        : `Недостаточно данных, чтобы различить по качеству ${
          equivalent.map(id).join(", ")
        } (парные 95-процентные интервалы включают 0): рекомендован самый дешёвый из них.`;
    } else {
      // Until a real run: the functions' current configuration stays (provisional).
      const defaults = DEFAULT_CANDIDATES[w.routeTask];
      recommended = defaults[0] ? id(defaults[0]) : null;
      fallback = defaults[1] ? id(defaults[1]) : null;
      const mde = detectableDifference(n, sd);
      noteEn = (evidence === "offline"
        ? "OFFLINE RUN: the offline provider is a test double, not a model; its answers check the harness and are not shown as quality. "
        : "No run on real keys yet. ") +
        `Known: prices (catalog), image tokens per model, Groq's own speed figures. The paid run decides whether the cheapest candidate (${cheapest}) is within the 95 % interval of the best on ${n} items (paired; detects ≈ ${
          mde.toFixed(1)
        } points), and measures latency p50/p95 against OpenAI.`;
      noteRu = (evidence === "offline"
        ? "ОФЛАЙН-ПРОГОН: офлайн-провайдер — тестовый двойник, а не модель; его ответы проверяют стенд и не выдаются за качество. "
        : "Прогона на настоящих ключах ещё не было. ") +
        `Известно: цены (каталог), токены изображений по моделям, данные Groq о скорости. Платный прогон решит, попадает ли самый дешёвый кандидат (${cheapest}) в 95-процентный интервал лучшего на ${n} примерах (парное сравнение; различает ≈ ${
          formatNumber(mde, "ru", 1)
        } пункта), и измерит задержку p50/p95 против OpenAI.`;
    }
    return {
      task,
      en: w.en,
      ru: w.ru,
      perMonth: w.perMonth,
      evidence,
      status,
      recommended,
      fallback,
      oldStackPerMonthUsd,
      cheapest,
      candidates: lines,
      detectablePoints: Number(detectableDifference(n, sd).toFixed(1)),
      noteEn,
      noteRu,
    };
  });
}

/** Items a paired comparison needs on a task to detect 5 points (with the assumed SD). */
export function itemsFor5Points(task: EvalTask): number {
  return itemsToDetect(5, ASSUMED_DIFFERENCE_SD[task]);
}

const usd = (v: number, lang: Lang, digits: number) => formatUsd(v, lang, digits);

/** The decision table as markdown, one section per task. */
export function renderDecisions(
  decisions: readonly Decision[],
  lang: Lang,
  heading = "###",
): string {
  const out: string[] = [];
  for (const d of decisions) {
    out.push(
      `${heading} ${tr(lang, d.en, d.ru)} — ${formatNumber(d.perMonth, lang)} ${
        tr(lang, "a month", "в месяц")
      }`,
      "",
    );
    const verdict = d.status === "decided"
      ? tr(
        lang,
        `**Recommended:** ${d.recommended}; fallback ${d.fallback ?? "–"}.`,
        `**Рекомендуется:** ${d.recommended}; запасной — ${d.fallback ?? "–"}.`,
      )
      : d.status === "not enough evidence"
      ? tr(
        lang,
        `**Not enough evidence** on quality; chosen on price: ${d.recommended}; fallback ${
          d.fallback ?? "–"
        }.`,
        `**Недостаточно данных** о качестве; выбор по цене: ${d.recommended}; запасной — ${
          d.fallback ?? "–"
        }.`,
      )
      : tr(
        lang,
        `**Not decided: quality and latency not measured.** Until the paid run, keep the current configuration: ${
          d.recommended ?? "–"
        }, fallback ${d.fallback ?? "–"} (provisional). Cheapest per operation: ${d.cheapest}.`,
        `**Не решено: качество и задержка не измерены.** До платного прогона остаётся текущая настройка: ${
          d.recommended ?? "–"
        }, запасной — ${
          d.fallback ?? "–"
        } (предварительно). Дешевле всех за операцию: ${d.cheapest}.`,
      );
    out.push(verdict, "");
    const head = tr(
      lang,
      "candidate|USD per operation|USD per month|image tokens|latency p50 / p95, ms|Russian quality, 0–100 (95 % CI)|vs best (paired)",
      "кандидат|USD за операцию|USD в месяц|токены изображений|задержка p50 / p95, мс|качество на русском, 0–100 (95 % ДИ)|против лучшего (парно)",
    ).split("|");
    const rows = d.candidates.map((c) => [
      `${c.provider}:\`${c.model}\``,
      usd(c.costPerOperationUsd, lang, 6),
      usd(c.costPerMonthUsd, lang, 2),
      c.imageTokens === undefined
        ? "–"
        : `${formatNumber(c.imageTokens, lang)}${
          c.imageTokensEstimate ? tr(lang, " (estimate)", " (оценка)") : ""
        }`,
      c.latencyMsP50 === null
        ? tr(lang, "not measured", "не измерено")
        : `${formatNumber(Math.round(c.latencyMsP50), lang)} / ${
          formatNumber(Math.round(c.latencyMsP95 ?? 0), lang)
        }`,
      c.score === null
        ? (d.evidence === "offline"
          ? tr(lang, "— (offline double, not a model)", "— (офлайн-двойник, не модель)")
          : tr(lang, "not measured", "не измерено"))
        : `${formatNumber(c.score.mean, lang, 1)} (${formatNumber(c.score.low, lang, 1)}–${
          formatNumber(c.score.high, lang, 1)
        })`,
      c.vsBest === null
        ? "–"
        : `${formatNumber(c.vsBest.difference.mean, lang, 1)} (${
          formatNumber(c.vsBest.difference.low, lang, 1)
        }…${formatNumber(c.vsBest.difference.high, lang, 1)})${
          c.vsBest.verdict === "not enough evidence"
            ? tr(lang, ", not enough evidence", ", недостаточно данных")
            : ""
        }`,
    ]);
    out.push(
      `| ${head.join(" | ")} |`,
      `|${head.map(() => "---").join("|")}|`,
      ...rows.map((r) => `| ${r.join(" | ")} |`),
      "",
      tr(
        lang,
        `Old stack for this work: ${usd(d.oldStackPerMonthUsd, lang, 2)} a month. ${d.noteEn}`,
        `Старый стек на этой работе: ${usd(d.oldStackPerMonthUsd, lang, 2)} в месяц. ${d.noteRu}`,
      ),
      "",
    );
  }
  return out.join("\n");
}
