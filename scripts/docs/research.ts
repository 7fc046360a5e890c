/**
 * `npm run docs:research`: writes docs/RESEARCH.md (English) and docs/RESEARCH.ru.md (Russian),
 * the answers to the research brief's twelve questions. Every price, limit and model table is
 * generated here from the catalog's exported API (`CATALOG`, `calculateCost`, `baselineCost`,
 * `DEFAULT_CANDIDATES`, `provider_limits.ts`), so the documents follow the catalog; the test
 * tests/docs/research_test.ts fails when the committed files differ from what this renders.
 *
 * ```sh
 * npm run docs:research            # rewrite both files (formatted by deno fmt)
 * npm run docs:research -- --check # exit 1 when either file is stale
 * ```
 *
 * @module
 */

import {
  ASSUMED_EFFECTIVE_FROM,
  CATALOG,
  getModel,
  isRetired,
  lastPricePeriodAt,
  type ModelEntry,
} from "../../supabase/functions/_shared/ai/catalog.ts";
import { DEFAULT_CANDIDATES } from "../../supabase/functions/_shared/ai/config.ts";
import {
  chatLimitsFor,
  LIMITS_CHECKED_ON,
} from "../../supabase/functions/_shared/ai/provider_limits.ts";
import { imageTokenRule } from "../../supabase/functions/_shared/ai/image_tokens.ts";
import {
  assumptionsLine,
  formatNumber,
  formatUsd,
  imageTokensOf,
  oldStackModel,
  operationCostUsd,
  operationUsage,
  REASONING_TOKENS,
  SCHOOL_MONTH,
  workload,
} from "../eval/assumptions.ts";
import {
  DEFAULT_EVAL_CANDIDATES,
  EVAL_TASKS,
  type EvalCandidate,
  type EvalTask,
  parseCandidates,
} from "../eval/candidates.ts";
import type { EvalResults } from "../eval/compare.ts";
import { dataSizes, itemCounts, loadEvalData } from "../eval/data.ts";
import { decide, itemsFor5Points, renderDecisions } from "../eval/decide.ts";
import { estimateMinutes, estimateRun } from "../eval/estimate.ts";

export type Lang = "en" | "ru";

/** The date the tables are computed at (prices in force, models live). Fixed, so the output only
 * changes when the catalog does. */
export const AS_OF = "2026-12-01";
const at = new Date(`${AS_OF}T12:00:00Z`);
/** The judge the estimate assumes (the strongest non-retiring OpenAI model in the catalog). */
export const SUGGESTED_JUDGE = "openai:gpt-6-sol";
const README_EVAL = "../README.md#provider-evaluation-npm-run-eval";

const tr = (lang: Lang, en: string, ru: string) => lang === "en" ? en : ru;
/** Numbers as the language writes them (RU: 272 000 with a narrow no-break space, 0,5). */
let LANG: Lang = "en";
const num = (n: number | undefined) => n === undefined ? "–" : formatNumber(n, LANG);
/** A catalog price string ("0.15") as the language writes money ("$0.15" / "0,15 $"). */
const money = (v: string | undefined) =>
  v === undefined ? "–" : LANG === "en" ? `$${v}` : `${v.replace(".", ",")} $`;
/** USD of a computed amount. */
const usd = (v: number, digits: number) => formatUsd(v, LANG, digits);
/** The paid run's repeats (each item asked this many times). */
export const PAID_RUN_REPEATS = 3;
/** A real run committed here (none yet): its decision table replaces the "what is known" one. */
const REAL_RESULTS = new URL("../../eval/results/results.json", import.meta.url);

function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

const live = (m: ModelEntry) => !isRetired(m, at);

function modelsTable(lang: Lang): string {
  return table(
    tr(
      lang,
      "provider,model,can do,context (tokens),max output,images/request,source (checked on)",
      "провайдер,модель,умеет,контекст (токенов),макс. ответ,изображений/запрос,источник (проверено)",
    )
      .split(","),
    CATALOG.filter(live).map((m) => [
      m.provider,
      `\`${m.id}\``,
      m.capabilities.join(", "),
      num(m.contextWindow),
      num(m.maxOutputTokens),
      num(m.imagesPerRequest),
      `${m.source}, ${m.checkedOn}${
        m.uncertain
          ? tr(lang, " (uncertain: see catalog)", " (есть неуверенность: см. каталог)")
          : ""
      }`,
    ]),
  );
}

function pricesTable(lang: Lang): string {
  return table(
    tr(
      lang,
      "model,input $/1M,cached $/1M,output $/1M,audio $/hour,price in force from,shuts down,replacement",
      "модель,вход $/1M,кэш $/1M,выход $/1M,аудио $/час,цена действует с (дата),отключение,замена",
    )
      .split(","),
    CATALOG.filter(live).map((m) => {
      const p = lastPricePeriodAt(m, at);
      const long = p.longContext
        ? tr(
          lang,
          ` (above ${
            num(p.longContext.aboveInputTokens)
          } input: ${p.longContext.inputPerMTok} / ${p.longContext.outputPerMTok})`,
          ` (свыше ${num(p.longContext.aboveInputTokens)} токенов на входе: ${
            p.longContext.inputPerMTok.replace(".", ",")
          } / ${p.longContext.outputPerMTok.replace(".", ",")} $)`,
        )
        : "";
      const doubt = m.id === "qwen/qwen3.8-27b" && m.uncertain
        ? tr(
          lang,
          " (uncertain: one source lists $0.60 / $3.00)",
          " (неуверенно: один источник даёт 0,60 / 3,00 $)",
        )
        : "";
      return [
        `${m.provider}:\`${m.id}\``,
        money(p.inputPerMTok) + long + doubt,
        money(p.cachedInputPerMTok),
        money(p.outputPerMTok),
        money(p.audioPerHour),
        p.effectiveFrom === ASSUMED_EFFECTIVE_FROM
          ? tr(lang, "not published", "не опубликовано")
          : p.effectiveFrom,
        m.shutdownOn ?? "–",
        m.replacement ? `\`${m.replacement}\`` : "–",
      ];
    }),
  );
}

function retiredTable(lang: Lang): string {
  return table(
    tr(lang, "model,shut down,replacement", "модель,отключена,замена").split(","),
    CATALOG.filter((m) => !live(m)).map((m) => [
      `${m.provider}:\`${m.id}\``,
      m.shutdownOn ?? "–",
      m.replacement ? `\`${m.replacement}\`` : "–",
    ]),
  );
}

function defaultsTable(lang: Lang): string {
  return table(
    tr(lang, "task,first,fallback", "задача,сначала,запасной").split(","),
    Object.entries(DEFAULT_CANDIDATES).map(([task, list]) => [
      task,
      ...list.slice(0, 2).map((c) => `${c.provider}:\`${c.model}\``),
    ]),
  );
}

/** The candidates a task is decided between (the eval's defaults). */
function evalCandidates(task: EvalTask): EvalCandidate[] {
  return parseCandidates(task, DEFAULT_EVAL_CANDIDATES[task]);
}

/** Q6: one operation of each kind on every candidate, against the old stack, from the one
 * assumption set (image tokens per model, reasoning tokens for reasoning models). */
function savingsTable(lang: Lang): string {
  const rows: string[][] = [];
  for (const w of SCHOOL_MONTH) {
    const old = oldStackModel(w);
    const oldCost = operationCostUsd(w, old.provider, old.model, at);
    for (const c of evalCandidates(w.task as EvalTask)) {
      if (c.provider === old.provider && c.model === old.model && w.task !== "voice") continue;
      const usage = operationUsage(w, c.provider, c.model);
      const cost = operationCostUsd(w, c.provider, c.model, at);
      const img = w.images ? imageTokensOf(c.provider, c.model, w.images.size) : undefined;
      const size = "audio_seconds" in usage
        ? tr(lang, `${usage.audio_seconds} s`, `${usage.audio_seconds} с`)
        : `${num(usage.prompt_tokens)}${
          img
            ? tr(
              lang,
              ` (${num(img.tokens * w.images!.count)} image${img.estimate ? ", estimate" : ""})`,
              ` (${num(img.tokens * w.images!.count)} — изображение${
                img.estimate ? ", оценка" : ""
              })`,
            )
            : ""
        } / ${num(usage.completion_tokens)}`;
      rows.push([
        tr(lang, w.en, w.ru),
        `${c.provider}:\`${c.model}\``,
        size,
        usd(cost, 6),
        `${usd(oldCost, 6)} (\`${old.model}\`)`,
        `${formatNumber(Math.round((1 - cost / oldCost) * 100), lang)} %`,
      ]);
    }
  }
  return table(
    tr(
      lang,
      "operation,model,tokens in (of which image) / out (incl. reasoning),cost,old stack,saving",
      "операция,модель,токенов на входе (из них изображение) / на выходе (с рассуждениями),стоимость,старый стек,экономия",
    ).split(","),
    rows,
  );
}

/** Q6: how each vision model counts an image (image_tokens.ts), for the photo of the assumptions. */
function imageTokensTable(lang: Lang): string {
  const photo = workload("photo").images!.size;
  const models = [
    ...new Set(
      [...evalCandidates("photo"), ...evalCandidates("scan")].map((c) =>
        `${c.provider}:${c.model}`
      ),
    ),
  ];
  return table(
    tr(
      lang,
      `model,tokens for a ${photo.width}×${photo.height} photo,rule,source`,
      `модель,токенов за фото ${photo.width}×${photo.height},правило,источник`,
    ).split(","),
    models.map((key) => {
      const [provider, ...rest] = key.split(":");
      const model = rest.join(":");
      const rule = imageTokenRule(provider, model);
      const t = imageTokensOf(provider, model, photo);
      const how = rule.kind === "grid"
        ? tr(
          lang,
          `one token per ${rule.factor}×${rule.factor} px`,
          `один токен на ${rule.factor}×${rule.factor} пикс.`,
        )
        : rule.kind === "tiles"
        ? tr(
          lang,
          `${rule.baseTokens} + ${rule.tileTokens} per 512 px tile`,
          `${rule.baseTokens} + ${rule.tileTokens} за плитку 512 пикс.`,
        )
        : tr(
          lang,
          `32 px patches, ≤ ${num(rule.maxPatches)}, × ${num(rule.multiplier)}`,
          `патчи 32 пикс., ≤ ${num(rule.maxPatches)}, × ${num(rule.multiplier)}`,
        );
      return [
        `${provider}:\`${model}\``,
        `${num(t.tokens)}${t.estimate ? tr(lang, " (estimate)", " (оценка)") : ""}`,
        how,
        `${rule.source}, ${rule.checkedOn}`,
      ];
    }),
  );
}

/** Q9: the school's month against Groq's free and Developer plans. */
function rateLimitSizing(lang: Lang): string {
  const chat = workload("chat");
  const voice = workload("voice");
  const perDay = (n: number) => n / 30;
  const chatUsage = operationUsage(chat, "groq", "openai/gpt-oss-120b") as {
    prompt_tokens: number;
    completion_tokens: number;
  };
  const chatTokensPerDay = perDay(chat.perMonth) *
    (chatUsage.prompt_tokens + chatUsage.completion_tokens);
  const chatRequestsPerDay = perDay(chat.perMonth);
  const audioSecondsPerDay = perDay(voice.perMonth) * voice.audioSeconds!;
  const voiceRequestsPerDay = perDay(voice.perMonth);
  // Peak: a school's evening hour carries ~3× the average hour (assumption, stated).
  const peakFactor = 3;
  const chatTokensPerMinutePeak = chatTokensPerDay / 1440 * peakFactor;
  const audioSecondsPerHourPeak = audioSecondsPerDay / 24 * peakFactor;
  const free = {
    tpd: 200_000,
    rpd: 1_000,
    tpm: 8_000,
    audioDay: 28_800,
    audioHour: 7_200,
    whisperRpd: 2_000,
  };
  const dev = { tpm: 250_000, audioHour: 200_000 };
  const x = (a: number, b: number) => `${formatNumber(a / b, lang, a / b < 10 ? 2 : 0)}×`;
  const rows = [
    [
      tr(lang, "chat tokens a day (gpt-oss-120b)", "токенов чата в день (gpt-oss-120b)"),
      num(Math.round(chatTokensPerDay)),
      `${num(free.tpd)} TPD — ${tr(lang, "short by", "не хватает в")} ${
        x(chatTokensPerDay, free.tpd)
      }`,
      tr(lang, "no daily cap", "без дневного лимита"),
    ],
    [
      tr(lang, "chat requests a day", "запросов чата в день"),
      num(Math.round(chatRequestsPerDay)),
      `${num(free.rpd)} RPD — ${tr(lang, "short by", "не хватает в")} ${
        x(chatRequestsPerDay, free.rpd)
      }`,
      "1K RPM",
    ],
    [
      tr(
        lang,
        `chat tokens a minute at peak (${peakFactor}× the average)`,
        `токенов чата в минуту в пик (${peakFactor}× от среднего)`,
      ),
      num(Math.round(chatTokensPerMinutePeak)),
      `${num(free.tpm)} TPM — ${tr(lang, "short by", "не хватает в")} ${
        x(chatTokensPerMinutePeak, free.tpm)
      }`,
      `${num(dev.tpm)} TPM — ${tr(lang, "fits", "хватает")}`,
    ],
    [
      tr(lang, "voice audio-seconds a day", "секунд аудио в день"),
      num(Math.round(audioSecondsPerDay)),
      `${num(free.audioDay)} — ${tr(lang, "exceeded", "превышено")} (${
        x(audioSecondsPerDay, free.audioDay)
      })`,
      tr(lang, "no daily cap", "без дневного лимита"),
    ],
    [
      tr(
        lang,
        `voice audio-seconds an hour at peak (${peakFactor}×)`,
        `секунд аудио в час в пик (${peakFactor}×)`,
      ),
      num(Math.round(audioSecondsPerHourPeak)),
      `${num(free.audioHour)} — ${x(audioSecondsPerHourPeak, free.audioHour)}`,
      `${num(dev.audioHour)} — ${tr(lang, "fits", "хватает")}`,
    ],
    [
      tr(lang, "voice requests a day", "голосовых запросов в день"),
      num(Math.round(voiceRequestsPerDay)),
      `${num(free.whisperRpd)} RPD`,
      "300 RPM",
    ],
  ];
  return table(
    tr(
      lang,
      "the school's month (30 days),needed,free plan,Developer plan",
      "месяц школы (30 дней),нужно,бесплатный план,план Developer",
    ).split(","),
    rows,
  );
}

function visionLimitsTable(lang: Lang): string {
  return table(
    tr(
      lang,
      "model,base64 image ≤ bytes,image URL ≤,pixels ≤,images/request,request with base64 image ≤ bytes",
      "модель,base64-изображение ≤ байт,изображение по URL ≤,пикселей ≤,изображений/запрос,запрос с base64 ≤ байт",
    ).split(","),
    CATALOG.filter((m) => live(m) && m.capabilities.includes("vision") && m.provider === "groq")
      .map((m) => [
        `\`${m.id}\``,
        num(m.maxImageBytes),
        tr(lang, "20 MB", "20 МБ"),
        num(m.maxImagePixels),
        m.imagesPerRequest === undefined
          ? tr(lang, "not stated (uncertain)", "не указано (неуверенно)")
          : num(m.imagesPerRequest),
        num(chatLimitsFor("groq", m.id).maxBase64RequestBytes),
      ]),
  );
}

function audioTable(lang: Lang): string {
  return table(
    tr(
      lang,
      "model,$/hour,minimum billed,increment,shortest file,note",
      "модель,$/час,минимум к оплате,шаг,кратчайший файл,примечание",
    ).split(","),
    CATALOG.filter((m) => live(m) && m.capabilities.includes("speech_to_text")).map((m) => [
      `${m.provider}:\`${m.id}\``,
      money(lastPricePeriodAt(m, at).audioPerHour),
      m.billing ? `${m.billing.minBilledAudioSeconds} s` : "–",
      m.billing ? `${m.billing.audioIncrementSeconds} s` : "–",
      m.billing?.minAudioSeconds ? `${m.billing.minAudioSeconds} s` : "–",
      m.notes ?? "",
    ]),
  );
}

async function estimateTable(lang: Lang): Promise<string> {
  const data = await loadEvalData();
  const candidates = Object.fromEntries(EVAL_TASKS.map((t) => [t, evalCandidates(t)]));
  const rows = estimateRun(data, candidates, at, undefined, PAID_RUN_REPEATS);
  const total = rows.reduce((s, r) => s + (r.costUsd ?? 0), 0);
  const minutes = estimateMinutes(rows, 2);
  return [
    table(
      tr(lang, "task,candidate,calls,USD", "задача,кандидат,вызовов,USD").split(","),
      rows.map((r) => [
        r.task,
        `${r.provider}:\`${r.model}\``,
        num(r.calls),
        r.costUsd === null ? (r.note ?? "–") : usd(r.costUsd, 4),
      ]),
    ),
    "",
    tr(
      lang,
      `Total ≈ **${usd(total, 2)}** for every item × ${PAID_RUN_REPEATS} repeats, ≈ ${
        num(Math.round(minutes))
      } min at 2 calls in flight per provider. Input is each item's production prompt at 3 characters a token plus its images counted per model; output ${REASONING_TOKENS} reasoning tokens per answer of a reasoning model on top of the visible answer (the assumption set above). \`npm run eval -- --estimate --repeats ${PAID_RUN_REPEATS}\` prints the same for any candidate lists; an optional judge (\`--judge\`) adds its own calls.`,
      `Итого ≈ **${usd(total, 2)}** за все примеры × ${PAID_RUN_REPEATS} повтора, ≈ ${
        num(Math.round(minutes))
      } мин при 2 одновременных вызовах на провайдера. Вход — промпт каждого примера в том виде, в каком его строит прод, по 3 символа на токен, плюс изображения по правилу модели; выход — ${REASONING_TOKENS} токенов рассуждений на ответ рассуждающей модели сверх видимого ответа (набор допущений выше). \`npm run eval -- --estimate --repeats ${PAID_RUN_REPEATS}\` печатает то же для любых списков кандидатов; судья (\`--judge\`) добавляет свои вызовы.`,
    ),
  ].join("\n");
}

/** The decision table: from a committed real run when one exists, else what is known now. */
async function decisionSection(lang: Lang): Promise<string> {
  const data = await loadEvalData();
  const candidates = Object.fromEntries(EVAL_TASKS.map((t) => [t, evalCandidates(t)])) as Record<
    EvalTask,
    EvalCandidate[]
  >;
  const real = await Deno.readTextFile(REAL_RESULTS).then(
    (t) => JSON.parse(t) as EvalResults,
    () => null,
  );
  const run = real && !real.offline
    ? { evidence: "real" as const, rows: real.rows, items: real.items }
    : undefined;
  return renderDecisions(decide(candidates, itemCounts(data), at, run), lang, "###");
}

/** What the evaluation data holds (printed by every eval run as well). */
async function dataLine(lang: Lang): Promise<string> {
  const z = await dataSizes(await loadEvalData());
  return tr(
    lang,
    `${num(z.curatorItems)} curator items (${num(z.multiTurnItems)} multi-turn, ${
      num(z.longHistoryItems)
    } with a long history; every one with a reference answer or rubric and pass/fail expectations), ${
      num(z.photos)
    } photos of printed and handwriting-style Cyrillic, formulas and tables with phone-photo degradations, ${
      num(z.scanItems)
    } scanned-PDF items, ${num(z.documentTasks)} document tasks over ${
      num(z.documents)
    } documents (the longest ${num(z.longestDocumentPages)} pages), ${
      num(z.negationChecks)
    } negation checks, ${num(z.voiceClips)} voice clips from ${num(z.voices)} synthetic voices (${
      num(z.voiceWords)
    } words, noise and speed variants) — ${
      formatNumber(Math.round(z.bytesOnDisk / 1e5) / 10, lang)
    } MB`,
    `${num(z.curatorItems)} примера для куратора (${num(z.multiTurnItems)} многоходовых, ${
      num(z.longHistoryItems)
    } с длинной историей; у каждого эталонный ответ или рубрика и проверяемые ожидания), ${
      num(z.photos)
    } фото печатного и рукописного кириллического текста, формул и таблиц с искажениями телефонной съёмки, ${
      num(z.scanItems)
    } примеров со сканами PDF, ${num(z.documentTasks)} заданий по ${
      num(z.documents)
    } документам (самый длинный — ${num(z.longestDocumentPages)} страниц), ${
      num(z.negationChecks)
    } проверок отрицаний, ${num(z.voiceClips)} голосовых от ${
      num(z.voices)
    } синтетических голосов (${num(z.voiceWords)} слов, варианты с шумом и ускорением) — ${
      formatNumber(Math.round(z.bytesOnDisk / 1e5) / 10, "ru")
    } МБ`,
  );
}

/**
 * Markdown as `deno fmt` writes it (tables aligned, lines wrapped at 100): the repository's
 * formatter must leave the generated files alone, or the staleness test would fail after a
 * `deno fmt` of the tree.
 */
async function formatMarkdown(text: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext", "md", "--line-width", "100", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const out = await child.output();
  if (!out.success) throw new Error(`deno fmt failed: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout);
}

/** The whole document in `lang`, formatted as `deno fmt` formats Markdown. */
export async function renderResearch(lang: Lang): Promise<string> {
  return formatMarkdown(await renderRaw(lang));
}

async function renderRaw(lang: Lang): Promise<string> {
  LANG = lang;
  const T = (en: string, ru: string) => tr(lang, en, ru);
  // Q4's price comparison, computed (not typed): gpt-6-luna against each Groq default.
  const luna = (task: "chat" | "photo" | "document") => {
    const w = workload(task);
    const first = DEFAULT_CANDIDATES[w.routeTask][0];
    return {
      w,
      groq: `${first.provider}:${first.model}`,
      groqUsd: operationCostUsd(w, first.provider, first.model, at),
      lunaUsd: operationCostUsd(w, "openai", "gpt-6-luna", at),
    };
  };
  const lunaRows = (["chat", "photo", "document"] as const).map(luna);
  const lunaList = lunaRows.map((r) =>
    `${T(r.w.en, r.w.ru)} ${usd(r.lunaUsd, 6)} ${T("vs", "против")} ${
      usd(r.groqUsd, 6)
    } (${r.groq})`
  ).join("; ");
  const lunaAlwaysCheaper = lunaRows.every((r) => r.lunaUsd < r.groqUsd);
  const oss20 = operationCostUsd(workload("chat"), "groq", "openai/gpt-oss-20b", at);
  const whisperPerMinute =
    Number(getModel("groq", "whisper-large-v3").prices.at(-1)!.audioPerHour) /
    60;
  const voice = workload("voice");
  const voiceGroq = operationCostUsd(voice, "groq", "whisper-large-v3", at);
  const voiceW1 = operationCostUsd(voice, "openai", "whisper-1", at);
  const photo = workload("photo");
  const photoQwen = operationCostUsd(photo, "groq", "qwen/qwen3.8-27b", at);
  const photo4o = operationCostUsd(photo, "openai", "gpt-4o", at);
  const qwenPhotoTokens = imageTokensOf("groq", "qwen/qwen3.8-27b", photo.images!.size).tokens;
  const sizes = await dataSizes(await loadEvalData());
  const groqRefused = chatLimitsFor("groq", "qwen/qwen3.8-27b").refused?.join(", ");
  return `<!-- Generated by \`npm run docs:research\` (scripts/docs/research.ts) from the catalog. Do not edit by hand: tests/docs/research_test.ts fails when this file is stale. -->
# ${T("Research brief: answers with evidence", "Исследование: ответы с доказательствами")}

${
    T(
      `The project began with a research brief of twelve questions (in Russian). Each answer below says what is **measured here**, what is **taken from the providers** (with the page and date), and what **only the evaluation harness** (\`npm run eval\`, [README](${README_EVAL})) can settle with real keys. Tables are generated from \`supabase/functions/_shared/ai/catalog.ts\` as of ${AS_OF}. Other language: [RESEARCH.ru.md](RESEARCH.ru.md).`,
      `Проект начался с исследовательского задания из двенадцати вопросов. В каждом ответе сказано, что **измерено здесь**, что **взято у провайдеров** (страница и дата) и что может решить **только стенд оценки** (\`npm run eval\`, [README](${README_EVAL})) с настоящими ключами. Таблицы сгенерированы из \`supabase/functions/_shared/ai/catalog.ts\` на ${AS_OF}. English: [RESEARCH.md](RESEARCH.md).`,
    )
  }

${
    T(
      "**Students' data abroad.** Groq and OpenAI process requests outside Russia: sending students' messages, photos and voice to them has legal aspects (Russian personal-data law, e.g. on cross-border transfer and localisation) that the school must check with its lawyers; this document gives no legal advice.",
      "**Данные студентов за рубежом.** Groq и OpenAI обрабатывают запросы за пределами России: у передачи им сообщений, фото и голосовых студентов есть юридические аспекты (российский закон о персональных данных, в том числе о трансграничной передаче и локализации), которые школа должна проверить со своими юристами; этот документ не даёт юридических советов.",
    )
  }

## ${T("Corrections", "Исправления")}

${
    T(
      "Premises of the brief that are wrong, and statements of earlier versions of this document that were wrong:",
      "Неверные предпосылки задания и неверные утверждения прежних версий этого документа:",
    )
  }

- ${
    T(
      "The brief's model id `llama-3-70b-8192` is misspelt: Groq's id was `llama3-70b-8192`, and that model was shut down on 2025-08-30 (Q3).",
      "Идентификатор модели в задании `llama-3-70b-8192` написан с ошибкой: у Groq он был `llama3-70b-8192`, и эта модель отключена 2025-08-30 (Q3).",
    )
  }
- ${
    T(
      `The brief prices Whisper at $0.003/min. Groq's whisper-large-v3 costs $0.111 an audio hour, that is **${
        usd(whisperPerMinute, 5)
      }/min**; $0.003/min is OpenAI's gpt-4o-mini-transcribe.`,
      `В задании Whisper стоит 0,003 $/мин. У Groq whisper-large-v3 стоит 0,111 $ за час аудио, то есть **${
        usd(whisperPerMinute, 5)
      }/мин**; 0,003 $/мин — это gpt-4o-mini-transcribe от OpenAI.`,
    )
  }
- ${
    T(
      `"Groq first for price" (Q4) was wrong: gpt-6-luna costs less per operation than Groq's defaults ${
        lunaAlwaysCheaper ? "in every row" : "in most rows"
      }, reasoning included — ${lunaList}. Groq's case is speed (its own figures; not yet measured here), Whisper for voice, and gpt-oss-20b's price (${
        usd(oss20, 6)
      } per curator answer).`,
      `«Groq первым из-за цены» (Q4) — неверно: gpt-6-luna дешевле стандартных моделей Groq за операцию ${
        lunaAlwaysCheaper ? "в каждой строке" : "в большинстве строк"
      }, с учётом рассуждений: ${lunaList}. Довод за Groq — скорость (по его собственным данным; здесь ещё не измерена), Whisper для голоса и цена gpt-oss-20b (${
        usd(oss20, 6)
      } за ответ куратора).`,
    )
  }
- ${
    T(
      `Q6 assumed a photo costs the same tokens on Qwen as on GPT-4o (1,300). GPT-4o counts ${
        num(imageTokensOf("openai", "gpt-4o", photo.images!.size).tokens)
      } tokens for a ${photo.images!.size.width}×${
        photo.images!.size.height
      } photo, a Qwen3-VL-family model about ${num(qwenPhotoTokens)}: the homework photo saves ${
        formatNumber(Math.round((1 - photoQwen / photo4o) * 100), lang)
      } % on qwen3.8, not 64 %.`,
      `Q6 считал, что фото стоит на Qwen столько же токенов, сколько на GPT-4o (1 300). GPT-4o считает за фото ${
        photo.images!.size.width
      }×${photo.images!.size.height} ${
        num(imageTokensOf("openai", "gpt-4o", photo.images!.size).tokens)
      } токенов, модель семейства Qwen3-VL — около ${
        num(qwenPhotoTokens)
      }: фото домашки экономит на qwen3.8 ${
        formatNumber(Math.round((1 - photoQwen / photo4o) * 100), lang)
      } %, а не 64 %.`,
    )
  }
- ${
    T(
      `Q6 showed voice saving 69 % "against whisper-1", but the school already transcribes on Groq's whisper-large-v3: the saving is **0 %** (${
        usd(voiceGroq, 6)
      } per 30 s message either way; whisper-1 would be ${usd(voiceW1, 6)}).`,
      `Q6 показывал экономию на голосе 69 % «против whisper-1», но школа уже расшифровывает на whisper-large-v3 у Groq: экономия **0 %** (${
        usd(voiceGroq, 6)
      } за 30-секундное голосовое в обоих случаях; whisper-1 стоил бы ${usd(voiceW1, 6)}).`,
    )
  }
- ${
    T(
      `Q6 assumed 300 reasoning tokens, Q11 600 and the README's month none. One assumption set now serves all three (\`scripts/eval/assumptions.ts\`): ${REASONING_TOKENS} reasoning tokens per answer of a reasoning model.`,
      `Q6 принимал 300 токенов рассуждений, Q11 — 600, месяц в README — ни одного. Теперь у всех трёх один набор допущений (\`scripts/eval/assumptions.ts\`): ${REASONING_TOKENS} токенов рассуждений на ответ рассуждающей модели.`,
    )
  }
- ${
    T(
      "Q7 said Groq has no `stream_options`: it has — `stream_options.include_usage` returns a final usage chunk; older responses carried usage only in `x_groq.usage`, so the code asks for it and reads both.",
      "Q7 утверждал, что у Groq нет `stream_options`: есть — `stream_options.include_usage` даёт последний чанк с расходом; старые ответы несли расход только в `x_groq.usage`, поэтому код запрашивает его и читает оба места.",
    )
  }
- ${
    T(
      "Q9 was not sized to traffic (it is now: the free plan is far short, the Developer plan is required); Q10 omitted the 20 MB limit of image URLs; Q5 showed a placeholder date as a price date and hid qwen3.8's price doubt; the Russian tables used English number formatting and a header «с» that reads as seconds.",
      "Q9 не был соотнесён с нагрузкой (теперь соотнесён: бесплатного плана далеко не хватает, нужен план Developer); Q10 не упоминал лимит 20 МБ для изображений по URL; Q5 показывал дату-заглушку как дату цены и скрывал сомнение в цене qwen3.8; русские таблицы использовали английский формат чисел и заголовок «с», читающийся как «секунды».",
    )
  }

## Q1. ${
    T("Does Groq do vision like GPT-4o?", "Умеет ли Groq работать с изображениями, как GPT-4o?")
  }

${
    T(
      "Yes, with Qwen models: Groq's Llama 4 vision models were retired in 2026 and `qwen/qwen3.6-27b` (preview) and `qwen/qwen3.8-27b` took their place (providers' pages, see Q3). They take images as `image_url` parts in chat completions, as GPT-4o does, with tighter limits (Q10). **Taken from the providers:** capabilities and limits. **Measured here:** only the wire format, against the offline provider (a test double, not a model). **Only the evaluation settles** how well they read: the photo and scanned-PDF tasks of the decision table (Q4).",
      "Да, моделями Qwen: vision-модели Llama 4 на Groq отключены в 2026 году, их место заняли `qwen/qwen3.6-27b` (preview) и `qwen/qwen3.8-27b` (страницы провайдеров, см. Q3). Изображения передаются частями `image_url` в chat completions, как у GPT-4o, но с более жёсткими лимитами (Q10). **Взято у провайдеров:** возможности и лимиты. **Измерено здесь:** только формат запросов, на офлайн-провайдере (тестовый двойник, не модель). **Решит только оценка:** насколько хорошо они читают — задачи «фото» и «скан PDF» таблицы решений (Q4).",
    )
  }

## Q2. ${
    T(
      "Can it read text from images and PDF screenshots? Alternatives?",
      "Может ли он читать текст с изображений и скриншотов PDF? Альтернативы?",
    )
  }

${
    T(
      "Images and screenshots: yes, through the vision models. PDF files: **Groq takes no PDF input** (facts file, console.groq.com/docs, 2026-11-25). The project therefore reads a PDF's text layer itself and sends only pages without text as images (`process-file-upload`; scanned pages come as `page_images` rendered in the browser). Alternatives: OpenAI's vision models (the fallback, Q4), or the text layer alone. Working code: [docs/examples/vision.ts](examples/vision.ts) (run by tests/docs/vision_example_test.ts against the offline provider). How well they read Russian text is measured by the evaluation on synthetic photos and scanned pages (`eval/data/vision/`, Q12).",
      "Изображения и скриншоты — да, через vision-модели. PDF-файлы **Groq не принимает** (файл фактов, console.groq.com/docs, 2026-11-25). Поэтому проект сам читает текстовый слой PDF и отправляет изображениями только страницы без текста (\`process-file-upload\`; сканы приходят как \`page_images\`, отрисованные в браузере). Альтернативы: vision-модели OpenAI (запасной вариант, Q4) или только текстовый слой. Рабочий код: [docs/examples/vision.ts](examples/vision.ts) (его запускает tests/docs/vision_example_test.ts на офлайн-провайдере). Насколько хорошо они читают русский текст, измеряет оценка на синтетических фото и сканах (\`eval/data/vision/\`, Q12).",
    )
  }

## Q3. ${T("Which models exist?", "Какие модели есть?")}

${T(`Live on ${AS_OF} (catalog):`, `Доступны на ${AS_OF} (каталог):`)}

${modelsTable(lang)}

${
    T(
      "Retired (kept for pricing history and for replacing old configuration):",
      "Отключены (остаются для истории цен и замены старых настроек):",
    )
  }

${retiredTable(lang)}

## Q4. ${
    T(
      "Which suit the Russian-speaking AI curator and document analysis?",
      "Какие подходят русскоязычному ИИ-куратору и анализу документов?",
    )
  }

${
    T(
      "The defaults (configuration, `AI_<TASK>_MODELS`, from `_shared/ai/config.ts`):",
      "Значения по умолчанию (настройка \`AI_<TASK>_MODELS\`, из \`_shared/ai/config.ts\`):",
    )
  }

${defaultsTable(lang)}

${
    T(
      "These are configuration, not a verdict. **Price:** gpt-6-luna, OpenAI's cheapest current model, costs less per operation than the Groq defaults in every row, reasoning included (corrections above; Q6). **Groq's case** is speed (gpt-oss-20b ~1000 tok/s, gpt-oss-120b ~500, qwen3.8 ~450 — Groq's own figures, not yet measured here), Whisper for voice (what the school already uses), and gpt-oss-20b, the cheapest chat and document model in the catalog. The candidates therefore include `openai/gpt-oss-20b` and `qwen/qwen3.8-27b` for chat, and the decision below is made per task by the evaluation, not by the provider's name. **No published Russian head-to-head of these models exists** (MERA, mera.a-ai.ru, the standard Russian benchmark, lists none of them).",
      "Это настройка, а не вердикт. **Цена:** gpt-6-luna, самая дешёвая из текущих моделей OpenAI, дешевле стандартных моделей Groq за операцию в каждой строке, с учётом рассуждений (исправления выше; Q6). **Доводы за Groq** — скорость (gpt-oss-20b ~1000 токенов/с, gpt-oss-120b ~500, qwen3.8 ~450 — данные самого Groq, здесь ещё не измерены), Whisper для голоса (им школа уже пользуется) и gpt-oss-20b — самая дешёвая модель каталога для чата и документов. Поэтому среди кандидатов для чата есть `openai/gpt-oss-20b` и `qwen/qwen3.8-27b`, а решение ниже принимается по каждой задаче оценкой, а не по имени провайдера. **Опубликованного сравнения этих моделей на русском нет** (стандартный русский бенчмарк MERA, mera.a-ai.ru, их не содержит).",
    )
  }

### ${T("Decision table", "Таблица решений")}

${assumptionsLine(lang)}

${
    T(
      `Generated by \`npm run docs:research\` with the code of \`npm run eval -- --decide\` (scripts/eval/decide.ts); a test fails when it is stale. "Russian quality" is 0–100 per item (pass/fail of the item's expectations; 1 − CER for photos, 1 − WER for voice), averaged over items with a 95 % interval; where a candidate's paired interval against the best includes 0 the table says **not enough evidence** and chooses on price. The one paid run (Q11: its price) fills the empty columns.`,
      `Сгенерировано \`npm run docs:research\` тем же кодом, что \`npm run eval -- --decide\` (scripts/eval/decide.ts); тест падает, если таблица устарела. «Качество на русском» — 0–100 на пример (выполнены ли ожидания примера; 1 − CER для фото, 1 − WER для голоса), среднее по примерам с 95-процентным интервалом; если парный интервал кандидата против лучшего включает 0, таблица пишет **недостаточно данных** и выбирает по цене. Пустые столбцы заполнит один платный прогон (его цена — в Q11).`,
    )
  }

${await decisionSection(lang)}

## Q5. ${T("Current prices", "Текущие цены")}

${
    T(
      `USD, from the catalog (each entry's source and date are in Q3 and in the catalog), in force on ${AS_OF}:`,
      `USD, из каталога (источник и дата каждой записи — в Q3 и в каталоге), действуют на ${AS_OF}:`,
    )
  }

${pricesTable(lang)}

## Q6. ${T("Saving against GPT-4o per operation", "Экономия против GPT-4o на одну операцию")}

${
    T(
      `Per operation, not per token, from the one assumption set (Q4): a reasoning model also bills its reasoning tokens as output (${REASONING_TOKENS} per answer; the evaluation measures \`reasoning_tokens_per_answer\`), and an image costs different input tokens on each model. How each vision model counts an image (\`_shared/ai/image_tokens.ts\`; the eval reports the count per item):`,
      `На операцию, а не на токен, из единого набора допущений (Q4): рассуждающая модель оплачивает и токены рассуждений как выход (${REASONING_TOKENS} на ответ; оценка измеряет \`reasoning_tokens_per_answer\`), а изображение стоит разное число входных токенов на разных моделях. Как модели считают изображение (\`_shared/ai/image_tokens.ts\`; оценка показывает счёт для каждого примера):`,
    )
  }

${imageTokensTable(lang)}

${
    T(
      "Whether Groq's deployment of qwen3.x keeps Qwen3-VL's defaults is not documented: one call with a known image (prompt tokens with and without it) settles it, and the paid run makes that call on every photo. Costs per operation (`calculateCost`; the old stack is GPT-4o for chat, photos and documents and Groq whisper-large-v3 for voice):",
      "Сохраняет ли развёртывание qwen3.x у Groq настройки Qwen3-VL, не задокументировано: это решает один вызов с известным изображением (входные токены с ним и без него), и платный прогон делает такой вызов на каждом фото. Стоимость операции (`calculateCost`; старый стек — GPT-4o для чата, фото и документов и whisper-large-v3 у Groq для голоса):",
    )
  }

${savingsTable(lang)}

## Q7. ${T("OpenAI SDK compatibility", "Совместимость с OpenAI SDK")}

${
    T(
      `Groq serves the OpenAI wire format at \`https://api.groq.com/openai/v1\`: the same client works with another base URL and key. Differences the code handles (\`_shared/ai/provider_limits.ts\`, checked ${LIMITS_CHECKED_ON}): Groq refuses ${groqRefused}, \`messages[].name\` and \`n\` > 1; it supports \`stream_options.include_usage\` (a final usage chunk), while older responses carried usage only in \`x_groq.usage\` — the code asks for it and reads both; Qwen takes \`reasoning_format\` (we send \`hidden\`), gpt-oss takes \`reasoning_effort\` low|medium|high. The functions call both providers through a small fetch client (\`_shared/ai/openai_http.ts\`) instead of the \`openai\` package, which would take about 2 MB of each function's 5 MB bundle (measured with \`npm run check:deploy\`, 2026-12-01).`,
      `Groq отдаёт формат OpenAI по адресу \`https://api.groq.com/openai/v1\`: тот же клиент работает с другим base URL и ключом. Различия, которые учитывает код (\`_shared/ai/provider_limits.ts\`, проверено ${LIMITS_CHECKED_ON}): Groq отвергает ${groqRefused}, \`messages[].name\` и \`n\` > 1; он поддерживает \`stream_options.include_usage\` (последний чанк с расходом), а старые ответы несли расход только в \`x_groq.usage\` — код запрашивает его и читает оба места; Qwen принимает \`reasoning_format\` (мы шлём \`hidden\`), gpt-oss — \`reasoning_effort\` low|medium|high. Функции обращаются к обоим провайдерам через небольшой fetch-клиент (\`_shared/ai/openai_http.ts\`), а не пакет \`openai\`, который занял бы около 2 МБ из 5 МБ бандла каждой функции (измерено \`npm run check:deploy\`, 2026-12-01).`,
    )
  }

## Q8. ${T("Which endpoints exist?", "Какие эндпоинты есть?")}

${
    table(
      T("endpoint,Groq,OpenAI", "эндпоинт,Groq,OpenAI").split(","),
      [
        ["chat/completions", T("yes", "да"), T("yes", "да")],
        [
          "responses",
          T("yes", "да"),
          T(
            "yes (AI mentor and analyst; Assistants API shut down 2026-08-26)",
            "да (ИИ-наставник и аналитик; Assistants API отключён 2026-08-26)",
          ),
        ],
        [
          "audio/transcriptions, audio/translations",
          T("yes (Whisper)", "да (Whisper)"),
          T("yes", "да"),
        ],
        ["audio/speech", T("yes", "да"), T("yes", "да")],
        ["embeddings", T("**no**", "**нет**"), T("yes", "да")],
        [
          "images/generations",
          T(
            "**no** (not in Groq's OpenAI-compatible list)",
            "**нет** (нет в списке совместимости Groq)",
          ),
          T("yes", "да"),
        ],
      ],
    )
  }

${
    T(
      "Source: facts file (console.groq.com/docs/openai, developers.openai.com), checked 2026-11-25.",
      "Источник: файл фактов (console.groq.com/docs/openai, developers.openai.com), проверено 2026-11-25.",
    )
  }

## Q9. ${T("Rate limits", "Лимиты запросов")}

${
    T(
      "Groq, per model and organisation (console.groq.com/docs/rate-limits, 2026-11-25): free plan chat 30 RPM, 1K RPD, 8K TPM, 200K TPD; Whisper 20 RPM, 2K RPD, 7.2K audio-seconds an hour, 28.8K a day. Developer plan: gpt-oss 1K RPM and 250K TPM; Whisper 300 RPM and 200K audio-seconds an hour. Sized to the school's month (Q4's assumptions, 30 days):",
      "Groq, на модель и организацию (console.groq.com/docs/rate-limits, 2026-11-25): бесплатный план — чат 30 запросов/мин, 1K/день, 8K токенов/мин, 200K/день; Whisper 20 запросов/мин, 2K/день, 7,2K секунд аудио в час, 28,8K в день. План Developer: gpt-oss 1K запросов/мин и 250K токенов/мин; Whisper 300 запросов/мин и 200K секунд аудио в час. В пересчёте на месяц школы (допущения Q4, 30 дней):",
    )
  }

${rateLimitSizing(lang)}

${
    T(
      "**The free plan is far short; the Developer plan is required** (its per-minute limits fit the school's peak). Every response carries `x-ratelimit-*` headers; a 429 carries `retry-after`. **Measured here:** the functions' behaviour on 429 (retried honouring `retry-after`, at most 8 s a wait, then the next candidate), against the offline provider. The harness also waits out 429s per provider and reports `rate_limit_retries`.",
      "**Бесплатного плана далеко не хватает; нужен план Developer** (его поминутные лимиты покрывают пик школы). Каждый ответ несёт заголовки `x-ratelimit-*`, ответ 429 — `retry-after`. **Измерено здесь:** поведение функций на 429 (повтор с учётом `retry-after`, не дольше 8 с, затем следующий кандидат) на офлайн-провайдере. Стенд тоже пережидает 429 по каждому провайдеру и сообщает `rate_limit_retries`.",
    )
  }

## Q10. ${T("Context windows, audio and image limits", "Контекст, лимиты аудио и изображений")}

${
    T(
      "Context windows: Q3. Images on Groq (catalog and provider_limits.ts; image URLs up to 20 MB, base64 up to 4 MB, facts file 2026-11-25):",
      "Контекст: Q3. Изображения на Groq (каталог и provider_limits.ts; по URL — до 20 МБ, в base64 — до 4 МБ, файл фактов, 2026-11-25):",
    )
  }

${visionLimitsTable(lang)}

${
    T(
      "Audio: at most 25 MB uploaded directly (100 MB by URL on the developer plan); flac, mp3, mp4, mpeg, mpga, m4a, ogg, wav, webm (facts file, 2026-11-25). Billing per model:",
      "Аудио: не больше 25 МБ при прямой загрузке (100 МБ по URL на плане Developer); flac, mp3, mp4, mpeg, mpga, m4a, ogg, wav, webm (файл фактов, 2026-11-25). Тарификация по моделям:",
    )
  }

${audioTable(lang)}

## Q11. ${
    T(
      "Speed: time to first token and tokens per second, against OpenAI",
      "Скорость: время до первого токена и токены в секунду против OpenAI",
    )
  }

${
    T(
      "**Taken from the providers:** Groq's own figures, gpt-oss-20b ~1000 tok/s, gpt-oss-120b ~500 tok/s, qwen3.8 ~450 tok/s (facts file, 2026-11-25). **Measured here:** only what our code adds: `npm run bench` on the 2-core development machine (2026-12-01) adds p50 5.2 ms, p95 7.7 ms to a chat call. Real providers cannot be reached from this machine, so **no TTFT or tok/s of a real model has been measured yet**. With keys, the harness measures `ttft_ms_p50`, `ttft_ms_p95`, `output_tokens_per_second` and `latency_ms_p50` per candidate side by side, and the decision table (Q4) shows latency p50/p95 against OpenAI: see [how to run it](" +
        README_EVAL +
        "). The one paid run — every item of every task × 3 repeats on every candidate of the decision table — estimated from the catalog:",
      "**Взято у провайдеров:** данные Groq — gpt-oss-20b ~1000 токенов/с, gpt-oss-120b ~500, qwen3.8 ~450 (файл фактов, 2026-11-25). **Измерено здесь:** только то, что добавляет наш код: `npm run bench` на 2-ядерной машине разработки (2026-12-01) добавляет к вызову чата p50 5,2 мс, p95 7,7 мс. Настоящие провайдеры с этой машины недоступны, поэтому **TTFT и токены в секунду настоящих моделей ещё не измерены**. С ключами стенд измеряет `ttft_ms_p50`, `ttft_ms_p95`, `output_tokens_per_second` и `latency_ms_p50` для кандидатов бок о бок, а таблица решений (Q4) показывает задержку p50/p95 против OpenAI: [как запустить](" +
        README_EVAL +
        "). Один платный прогон — все примеры всех задач × 3 повтора на всех кандидатах таблицы решений — по оценке каталога:",
    )
  }

${await estimateTable(lang)}

## Q12. ${
    T("Quality of Russian answers against GPT-4o", "Качество ответов на русском против GPT-4o")
  }

${
    T(
      "**Taken from the providers:** Whisper large v3 10.3 % WER, turbo 12 % (Groq's figures, not Russian-specific). **No published head-to-head** of Groq-hosted models against GPT-4o on Russian was found (facts file). **Only the evaluation settles it**, on SYNTHETIC data generated by scripts in this repository (`scripts/eval/data/`, `eval/data/`): " +
        (await dataLine(lang)) +
        ". Every item has pass/fail expectations: the answer states fact X with the right polarity and does not state what the source negates (negation-aware: «сертификат выдаётся» fails where the source says «сертификат не выдаётся»), refuses, asks to clarify, or returns valid JSON; photos are scored by CER, voice by WER. The prompts and request builders are production's (`planCurator`, `FILE_SYSTEM_PROMPT`, `textPrompt`, `imagePrompt`). Each item can be asked several times (`--repeats`); scores are averaged per item, then over items with a standard error and a 95 % interval, and two candidates — or two runs (`--compare`) — are compared item by item (paired). Sized to detect a 5-point difference: chat with " +
        `${num(sizes.curatorItems)} items (${
          num(itemsFor5Points("chat"))
        } needed at the assumed spread), photos and voice (error rates, ${
          num(itemsFor5Points("photo"))
        } needed); scans and documents detect larger differences only (the decision table states each task's detectable difference). ` +
        "Synthetic voices and rendered pages are not students' phones: they rank models, they do not forecast the school's error rates. See [how to run it and read the report](" +
        README_EVAL + ").",
      "**Взято у провайдеров:** Whisper large v3 — WER 10,3 %, turbo — 12 % (данные Groq, не для русского отдельно). **Опубликованного сравнения** моделей Groq с GPT-4o на русском не найдено (файл фактов). **Решает только оценка** на СИНТЕТИЧЕСКИХ данных, созданных скриптами репозитория (`scripts/eval/data/`, `eval/data/`): " +
        (await dataLine(lang)) +
        ". У каждого примера есть проверяемые ожидания: ответ называет факт X с верной полярностью и не утверждает того, что источник отрицает (с учётом отрицаний: «сертификат выдаётся» не проходит, если в источнике «сертификат не выдаётся»), отказывает, задаёт уточняющий вопрос или возвращает корректный JSON; фото оцениваются по CER, голос — по WER. Промпты и сборка запросов — из прода (`planCurator`, `FILE_SYSTEM_PROMPT`, `textPrompt`, `imagePrompt`). Каждый пример можно задать несколько раз (`--repeats`); оценки усредняются по примеру, затем по примерам со стандартной ошибкой и 95-процентным интервалом, а два кандидата или два прогона (`--compare`) сравниваются попримерно (парно). Объём рассчитан на разницу в 5 пунктов: чат — " +
        `${num(sizes.curatorItems)} примера (нужно ${
          num(itemsFor5Points("chat"))
        } при принятом разбросе), фото и голос (доли ошибок, нужно ${
          num(itemsFor5Points("photo"))
        }); сканы и документы различают только бо́льшую разницу (таблица решений указывает различимую разницу для каждой задачи). ` +
        "Синтетические голоса и отрисованные страницы — не телефоны студентов: они ранжируют модели, но не предсказывают долю ошибок в школе. См. [как запустить и читать отчёт](" +
        README_EVAL + ").",
    )
  }
`;
}

const FILES: Record<Lang, URL> = {
  en: new URL("../../docs/RESEARCH.md", import.meta.url),
  ru: new URL("../../docs/RESEARCH.ru.md", import.meta.url),
};

if (import.meta.main) {
  const check = Deno.args.includes("--check");
  let stale = false;
  for (const lang of ["en", "ru"] as const) {
    const text = await renderResearch(lang);
    if (check) {
      const current = await Deno.readTextFile(FILES[lang]).catch(() => "");
      if (current !== text) {
        console.error(`${FILES[lang].pathname} is stale: run npm run docs:research`);
        stale = true;
      }
    } else {
      await Deno.writeTextFile(FILES[lang], text);
      console.log(`wrote ${FILES[lang].pathname}`);
    }
  }
  if (stale) Deno.exit(1);
}
