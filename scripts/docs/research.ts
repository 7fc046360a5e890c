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
  CATALOG,
  isRetired,
  lastPricePeriodAt,
  type ModelEntry,
} from "../../supabase/functions/_shared/ai/catalog.ts";
import { baselineCost, calculateCost } from "../../supabase/functions/_shared/ai/cost.ts";
import { DEFAULT_CANDIDATES } from "../../supabase/functions/_shared/ai/config.ts";
import {
  chatLimitsFor,
  LIMITS_CHECKED_ON,
} from "../../supabase/functions/_shared/ai/provider_limits.ts";
import { DEFAULT_EVAL_CANDIDATES, EVAL_TASKS, parseCandidates } from "../eval/candidates.ts";
import { loadEvalData } from "../eval/data.ts";
import { ESTIMATE_ASSUMPTIONS, estimateMinutes, estimateRun } from "../eval/estimate.ts";

export type Lang = "en" | "ru";

/** The date the tables are computed at (prices in force, models live). Fixed, so the output only
 * changes when the catalog does. */
export const AS_OF = "2026-12-01";
const at = new Date(`${AS_OF}T12:00:00Z`);
/** The judge the estimate assumes (the strongest non-retiring OpenAI model in the catalog). */
export const SUGGESTED_JUDGE = "openai:gpt-6-sol";
const README_EVAL = "../README.md#provider-evaluation-npm-run-eval";

const tr = (lang: Lang, en: string, ru: string) => lang === "en" ? en : ru;
const num = (n: number | undefined) => n === undefined ? "–" : n.toLocaleString("en-US");
const money = (v: string | undefined) => v === undefined ? "–" : `$${v}`;

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
      "model,input $/1M,cached $/1M,output $/1M,audio $/hour,from,shuts down,replacement",
      "модель,вход $/1M,кэш $/1M,выход $/1M,аудио $/час,с,отключение,замена",
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
          ` (свыше ${
            num(p.longContext.aboveInputTokens)
          } на входе: ${p.longContext.inputPerMTok} / ${p.longContext.outputPerMTok})`,
        )
        : "";
      return [
        `${m.provider}:\`${m.id}\``,
        money(p.inputPerMTok) + long,
        money(p.cachedInputPerMTok),
        money(p.outputPerMTok),
        money(p.audioPerHour),
        p.effectiveFrom,
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

/** Typical operations (assumed usage, stated in the table) priced on today's defaults and GPT-4o. */
const OPERATIONS = [
  {
    type: "chat" as const,
    en: "curator answer (1,200 tokens in, 350 out)",
    ru: "ответ куратора (1 200 токенов на входе, 350 на выходе)",
    usage: { prompt_tokens: 1200, completion_tokens: 350 },
  },
  {
    type: "vision" as const,
    en: "homework photo read (1,300 in incl. the image, 300 out)",
    ru: "чтение фото домашки (1 300 на входе с изображением, 300 на выходе)",
    usage: { prompt_tokens: 1300, completion_tokens: 300 },
  },
  {
    type: "document" as const,
    en: "document summary (6,000 in, 500 out)",
    ru: "пересказ документа (6 000 на входе, 500 на выходе)",
    usage: { prompt_tokens: 6000, completion_tokens: 500 },
  },
];
/** Reasoning tokens assumed for a reasoning model at low effort (billed as output). */
const REASONING_TOKENS = 300;

function savingsTable(lang: Lang): string {
  const rows: string[][] = [];
  for (const op of OPERATIONS) {
    const gpt4o = Number(baselineCost(op.type, op.usage, at));
    for (const c of DEFAULT_CANDIDATES[op.type].slice(0, 2)) {
      const entry = CATALOG.find((m) => m.provider === c.provider && m.id === c.model)!;
      const reasoning = entry.capabilities.includes("reasoning") ? REASONING_TOKENS : 0;
      const usage = { ...op.usage, completion_tokens: op.usage.completion_tokens + reasoning };
      const cost = Number(calculateCost(c.provider, c.model, usage, at).cost_usd);
      rows.push([
        tr(lang, op.en, op.ru),
        `${c.provider}:\`${c.model}\`${
          reasoning ? tr(lang, ` (+${reasoning} reasoning)`, ` (+${reasoning} на рассуждения)`) : ""
        }`,
        `$${cost.toFixed(6)}`,
        `$${gpt4o.toFixed(6)}`,
        `${((1 - cost / gpt4o) * 100).toFixed(0)} %`,
        `${(gpt4o / cost).toFixed(1)}×`,
      ]);
    }
  }
  const voice = { audio_seconds: 25 };
  for (const c of DEFAULT_CANDIDATES.speech.slice(0, 2)) {
    const cost = Number(calculateCost(c.provider, c.model, voice, at).cost_usd);
    const base = Number(calculateCost("openai", "whisper-1", voice, at).cost_usd);
    rows.push([
      tr(lang, "voice message, 25 s (against whisper-1)", "голосовое, 25 с (против whisper-1)"),
      `${c.provider}:\`${c.model}\``,
      `$${cost.toFixed(6)}`,
      `$${base.toFixed(6)}`,
      `${((1 - cost / base) * 100).toFixed(0)} %`,
      `${(base / cost).toFixed(1)}×`,
    ]);
  }
  return table(
    tr(
      lang,
      "operation,model,cost,GPT-4o (old stack),saving,cheaper by",
      "операция,модель,стоимость,GPT-4o (старый стек),экономия,дешевле в",
    ).split(","),
    rows,
  );
}

function visionLimitsTable(lang: Lang): string {
  return table(
    tr(
      lang,
      "model,base64 image ≤ bytes,pixels ≤,images/request,request with base64 image ≤ bytes",
      "модель,base64-изображение ≤ байт,пикселей ≤,изображений/запрос,запрос с base64 ≤ байт",
    ).split(","),
    CATALOG.filter((m) => live(m) && m.capabilities.includes("vision") && m.provider === "groq")
      .map((m) => [
        `\`${m.id}\``,
        num(m.maxImageBytes),
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
  const candidates = Object.fromEntries(
    EVAL_TASKS.map((t) => [t, parseCandidates(t, DEFAULT_EVAL_CANDIDATES[t])]),
  );
  const judge = parseCandidates("chat", SUGGESTED_JUDGE)[0];
  const rows = estimateRun(data, candidates, at, judge);
  const total = rows.reduce((s, r) => s + (r.costUsd ?? 0), 0);
  const minutes = estimateMinutes(rows, 2);
  return [
    table(
      tr(lang, "task,candidate,calls,USD", "задача,кандидат,вызовов,USD").split(","),
      rows.map((r) => [
        r.task,
        `${r.provider}:\`${r.model}\``,
        String(r.calls),
        r.costUsd === null ? (r.note ?? "–") : `$${r.costUsd.toFixed(4)}`,
      ]),
    ),
    "",
    tr(
      lang,
      `Total ≈ **$${total.toFixed(2)}** for the whole data set with the judge, ≈ ${
        minutes.toFixed(0)
      } min at 2 calls in flight per provider. Assumptions (the run replaces them with measured usage): ${ESTIMATE_ASSUMPTIONS.charsPerToken} characters a token, ${ESTIMATE_ASSUMPTIONS.reasoningTokens} reasoning tokens per answer of a reasoning model, ${ESTIMATE_ASSUMPTIONS.imageTokens} tokens an image, ${ESTIMATE_ASSUMPTIONS.secondsPerCall} s a call. \`npm run eval -- --estimate\` prints the same for any candidate lists.`,
      `Итого ≈ **$${total.toFixed(2)}** за весь набор данных с судьёй, ≈ ${
        minutes.toFixed(0)
      } мин при 2 одновременных вызовах на провайдера. Допущения (прогон заменяет их измеренным расходом): ${ESTIMATE_ASSUMPTIONS.charsPerToken} символа на токен, ${ESTIMATE_ASSUMPTIONS.reasoningTokens} токенов рассуждений на ответ рассуждающей модели, ${ESTIMATE_ASSUMPTIONS.imageTokens} токенов на изображение, ${ESTIMATE_ASSUMPTIONS.secondsPerCall} с на вызов. \`npm run eval -- --estimate\` печатает то же для любых списков кандидатов.`,
    ),
  ].join("\n");
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
  const T = (en: string, ru: string) => tr(lang, en, ru);
  const groqRefused = chatLimitsFor("groq", "qwen/qwen3.8-27b").refused?.join(", ");
  return `<!-- Generated by \`npm run docs:research\` (scripts/docs/research.ts) from the catalog. Do not edit by hand: tests/docs/research_test.ts fails when this file is stale. -->
# ${T("Research brief: answers with evidence", "Исследование: ответы с доказательствами")}

${
    T(
      `The project began with a research brief of twelve questions (in Russian). Each answer below says what is **measured here**, what is **taken from the providers** (with the page and date), and what **only the evaluation harness** (\`npm run eval\`, [README](${README_EVAL})) can settle with real keys. Tables are generated from \`supabase/functions/_shared/ai/catalog.ts\` as of ${AS_OF}. Other language: [RESEARCH.ru.md](RESEARCH.ru.md).`,
      `Проект начался с исследовательского задания из двенадцати вопросов. В каждом ответе сказано, что **измерено здесь**, что **взято у провайдеров** (страница и дата) и что может решить **только стенд оценки** (\`npm run eval\`, [README](${README_EVAL})) с настоящими ключами. Таблицы сгенерированы из \`supabase/functions/_shared/ai/catalog.ts\` на ${AS_OF}. English: [RESEARCH.md](RESEARCH.md).`,
    )
  }

## Q1. ${
    T("Does Groq do vision like GPT-4o?", "Умеет ли Groq работать с изображениями, как GPT-4o?")
  }

${
    T(
      "Yes, with Qwen models: Groq's Llama 4 vision models were retired in 2026 and `qwen/qwen3.6-27b` (preview) and `qwen/qwen3.8-27b` took their place (providers' pages, see Q3). They take images as `image_url` parts in chat completions, as GPT-4o does, with tighter limits (Q10). **Taken from the providers:** capabilities and limits. **Measured here:** only the wire format, against the offline provider (a test double, not a model). **Only the harness settles** how well they read: `cer` of the vision task.",
      "Да, моделями Qwen: vision-модели Llama 4 на Groq отключены в 2026 году, их место заняли `qwen/qwen3.6-27b` (preview) и `qwen/qwen3.8-27b` (страницы провайдеров, см. Q3). Изображения передаются частями `image_url` в chat completions, как у GPT-4o, но с более жёсткими лимитами (Q10). **Взято у провайдеров:** возможности и лимиты. **Измерено здесь:** только формат запросов, на офлайн-провайдере (тестовый двойник, не модель). **Решит только стенд:** насколько хорошо они читают — метрика `cer` задачи vision.",
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
      "Images and screenshots: yes, through the vision models. PDF files: **Groq takes no PDF input** (facts file, console.groq.com/docs, 2026-11-25). The project therefore reads a PDF's text layer itself and sends only pages without text as images (`process-file-upload`; scanned pages come as `page_images` rendered in the browser). Alternatives: OpenAI's vision models (the fallback, Q4), or the text layer alone. Working code: [docs/examples/vision.ts](examples/vision.ts) (run by tests/docs/vision_example_test.ts against the offline provider). The character error rate on Russian text is measured by the harness on six rendered images (`eval/data/vision/`).",
      "Изображения и скриншоты — да, через vision-модели. PDF-файлы **Groq не принимает** (файл фактов, console.groq.com/docs, 2026-11-25). Поэтому проект сам читает текстовый слой PDF и отправляет изображениями только страницы без текста (\`process-file-upload\`; сканы приходят как \`page_images\`, отрисованные в браузере). Альтернативы: vision-модели OpenAI (запасной вариант, Q4) или только текстовый слой. Рабочий код: [docs/examples/vision.ts](examples/vision.ts) (его запускает tests/docs/vision_example_test.ts на офлайн-провайдере). Долю ошибок в символах на русском тексте измеряет стенд на шести отрисованных изображениях (\`eval/data/vision/\`).",
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
      "Why: Groq first for price and speed (Q5, Q11); `whisper-large-v3` is Groq's best choice for Russian (10.3 % WER, Groq's figure); the OpenAI fallback has no shutdown date. **No published Russian head-to-head of these models exists** (facts file: MERA, mera.a-ai.ru, is the standard Russian benchmark and lists none of them), so the choice stays configuration and Q12's harness decides it.",
      "Почему: Groq первым — из-за цены и скорости (Q5, Q11); `whisper-large-v3` — лучший выбор Groq для русского (WER 10,3 %, данные Groq); у запасной модели OpenAI нет даты отключения. **Опубликованного сравнения этих моделей на русском нет** (файл фактов: стандартный русский бенчмарк MERA, mera.a-ai.ru, их не содержит), поэтому выбор остаётся настройкой, а решает его стенд из Q12.",
    )
  }

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
      `Per operation, not per token: a reasoning model also bills its reasoning tokens as output (assumed ${REASONING_TOKENS} at low effort here; the harness measures \`reasoning_tokens_per_answer\`). Computed with \`calculateCost\` and \`baselineCost\` (the old stack: GPT-4o for chat, vision and documents):`,
      `На операцию, а не на токен: рассуждающая модель оплачивает и токены рассуждений как выход (здесь принято ${REASONING_TOKENS} при низком усилии; стенд измеряет \`reasoning_tokens_per_answer\`). Посчитано \`calculateCost\` и \`baselineCost\` (старый стек: GPT-4o для чата, изображений и документов):`,
    )
  }

${savingsTable(lang)}

## Q7. ${T("OpenAI SDK compatibility", "Совместимость с OpenAI SDK")}

${
    T(
      `Groq serves the OpenAI wire format at \`https://api.groq.com/openai/v1\`: the same client works with another base URL and key. Differences the code handles (\`_shared/ai/provider_limits.ts\`, checked ${LIMITS_CHECKED_ON}): Groq refuses ${groqRefused}, \`messages[].name\` and \`n\` > 1; it has no \`stream_options\` (usage arrives in \`x_groq.usage\`); Qwen takes \`reasoning_format\` (we send \`hidden\`), gpt-oss takes \`reasoning_effort\` low|medium|high. The functions call both providers through a small fetch client (\`_shared/ai/openai_http.ts\`) instead of the \`openai\` package, which would take about 2 MB of each function's 5 MB bundle (measured with \`npm run check:deploy\`, 2026-12-01).`,
      `Groq отдаёт формат OpenAI по адресу \`https://api.groq.com/openai/v1\`: тот же клиент работает с другим base URL и ключом. Различия, которые учитывает код (\`_shared/ai/provider_limits.ts\`, проверено ${LIMITS_CHECKED_ON}): Groq отвергает ${groqRefused}, \`messages[].name\` и \`n\` > 1; у него нет \`stream_options\` (расход приходит в \`x_groq.usage\`); Qwen принимает \`reasoning_format\` (мы шлём \`hidden\`), gpt-oss — \`reasoning_effort\` low|medium|high. Функции обращаются к обоим провайдерам через небольшой fetch-клиент (\`_shared/ai/openai_http.ts\`), а не пакет \`openai\`, который занял бы около 2 МБ из 5 МБ бандла каждой функции (измерено \`npm run check:deploy\`, 2026-12-01).`,
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
      "Groq, per model and organisation (console.groq.com/docs/rate-limits, 2026-11-25): free plan chat 30 RPM, 1K RPD, 8K TPM, 200K TPD; Whisper 20 RPM, 2K RPD, 7.2K audio-seconds/hour. Developer plan: gpt-oss 1K RPM and 250K TPM; Whisper 300 RPM and 200K audio-seconds/hour. Every response carries `x-ratelimit-*` headers; a 429 carries `retry-after`. **Measured here:** the functions' behaviour on 429 (retried honouring `retry-after`, at most 8 s a wait, then the next candidate), against the offline provider. The harness also waits out 429s per provider and reports `rate_limit_retries`.",
      "Groq, на модель и организацию (console.groq.com/docs/rate-limits, 2026-11-25): бесплатный план — чат 30 запросов/мин, 1K/день, 8K токенов/мин, 200K/день; Whisper 20 запросов/мин, 2K/день, 7,2K секунд аудио в час. План Developer: gpt-oss 1K запросов/мин и 250K токенов/мин; Whisper 300 запросов/мин и 200K секунд аудио в час. Каждый ответ несёт заголовки `x-ratelimit-*`, ответ 429 — `retry-after`. **Измерено здесь:** поведение функций на 429 (повтор с учётом `retry-after`, не дольше 8 с, затем следующий кандидат) на офлайн-провайдере. Стенд тоже пережидает 429 по каждому провайдеру и сообщает `rate_limit_retries`.",
    )
  }

## Q10. ${T("Context windows, audio and image limits", "Контекст, лимиты аудио и изображений")}

${
    T(
      "Context windows: Q3. Images on Groq (catalog and provider_limits.ts):",
      "Контекст: Q3. Изображения на Groq (каталог и provider_limits.ts):",
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
      "**Taken from the providers:** Groq's own figures, gpt-oss-20b ~1000 tok/s, gpt-oss-120b ~500 tok/s, qwen3.8 ~450 tok/s (facts file, 2026-11-25). **Measured here:** only what our code adds: `npm run bench` on the 2-core development machine (2026-12-01) adds p50 5.2 ms, p95 7.7 ms to a chat call. Real providers cannot be reached from this machine, so **no TTFT or tok/s of a real model has been measured yet**. With keys, the harness measures `ttft_ms_p50`, `ttft_ms_p95`, `output_tokens_per_second` and `latency_ms_p50` per candidate side by side: see [how to run it](" +
        README_EVAL + "). Its cost with the default candidates, estimated from the catalog:",
      "**Взято у провайдеров:** данные Groq — gpt-oss-20b ~1000 токенов/с, gpt-oss-120b ~500, qwen3.8 ~450 (файл фактов, 2026-11-25). **Измерено здесь:** только то, что добавляет наш код: `npm run bench` на 2-ядерной машине разработки (2026-12-01) добавляет к вызову чата p50 5,2 мс, p95 7,7 мс. Настоящие провайдеры с этой машины недоступны, поэтому **TTFT и токены в секунду настоящих моделей ещё не измерены**. С ключами стенд измеряет `ttft_ms_p50`, `ttft_ms_p95`, `output_tokens_per_second` и `latency_ms_p50` для кандидатов бок о бок: [как запустить](" +
        README_EVAL + "). Его стоимость с кандидатами по умолчанию, оценка по каталогу:",
    )
  }

${await estimateTable(lang)}

## Q12. ${
    T("Quality of Russian answers against GPT-4o", "Качество ответов на русском против GPT-4o")
  }

${
    T(
      "**Taken from the providers:** Whisper large v3 10.3 % WER, turbo 12 % (Groq's figures, not Russian-specific). **No published head-to-head** of Groq-hosted models against GPT-4o on Russian was found (facts file). **Only the harness settles it**, on data made in this repository (`eval/data/`): 52 curator questions (logistics, homework, motivation, 10 adversarial), 6 images of Russian text, 8 espeak-ng voice clips, 3 documents with reference facts. Per candidate it reports `russian_rate`, `wer`, `cer`, `fact_recall` and, with `--judge provider:model`, `judge_score` (1–5, Russian rubric, answers shuffled and unnamed). GPT-4o is in the default candidates as the baseline until its shutdown on 2027-01-14. See [how to run it and read the report](" +
        README_EVAL + ").",
      "**Взято у провайдеров:** Whisper large v3 — WER 10,3 %, turbo — 12 % (данные Groq, не для русского отдельно). **Опубликованного сравнения** моделей Groq с GPT-4o на русском не найдено (файл фактов). **Решает только стенд** на данных, сделанных в этом репозитории (`eval/data/`): 52 вопроса куратору (организация, домашние задания, мотивация, 10 провокационных), 6 изображений с русским текстом, 8 голосовых фраз espeak-ng, 3 документа с эталонными фактами. Для каждого кандидата он сообщает `russian_rate`, `wer`, `cer`, `fact_recall`, а с `--judge provider:model` — `judge_score` (1–5, рубрика на русском, ответы перемешаны и без имён). GPT-4o входит в кандидатов по умолчанию как эталон до отключения 2027-01-14. См. [как запустить и читать отчёт](" +
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
