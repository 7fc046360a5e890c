// docs/RESEARCH.md and docs/RESEARCH.ru.md are generated from the catalog: a price or model change
// without `npm run docs:research` fails here, and each answers Q1–Q12.
import assert from "node:assert/strict";
import { renderResearch } from "../../scripts/docs/research.ts";
import {
  CATALOG,
  isRetired,
  lastPricePeriodAt,
} from "../../supabase/functions/_shared/ai/catalog.ts";

const files = {
  en: new URL("../../docs/RESEARCH.md", import.meta.url),
  ru: new URL("../../docs/RESEARCH.ru.md", import.meta.url),
} as const;

for (const lang of ["en", "ru"] as const) {
  Deno.test(`docs/${lang === "en" ? "RESEARCH.md" : "RESEARCH.ru.md"} is what the catalog renders today`, async () => {
    const committed = await Deno.readTextFile(files[lang]);
    assert.ok(
      committed === await renderResearch(lang),
      "stale: run `npm run docs:research` and commit docs/RESEARCH*.md",
    );
  });

  Deno.test(`the ${lang} document has one section per question, Q1 to Q12, in order`, async () => {
    const text = await renderResearch(lang);
    const heads = [...text.matchAll(/^## (Q\d+)\./gm)].map((m) => m[1]);
    assert.deepEqual(heads, Array.from({ length: 12 }, (_, i) => `Q${i + 1}`));
  });

  Deno.test(`the ${lang} Q11 and Q12 link to the README's eval section`, async () => {
    const text = await renderResearch(lang);
    for (const q of ["Q11", "Q12"]) {
      const section = text.split(`## ${q}.`)[1].split("\n## ")[0];
      assert.match(section, /README\.md#provider-evaluation-npm-run-eval/);
    }
  });
}

Deno.test("the price table shows each live model's input price from the catalog", async () => {
  const text = await renderResearch("en");
  const at = new Date("2026-12-01T12:00:00Z");
  for (
    const m of CATALOG.filter((m) =>
      !isRetired(m, at) && !m.capabilities.includes("speech_to_text")
    )
  ) {
    const price = lastPricePeriodAt(m, at).inputPerMTok;
    const q5 = text.split("## Q5.")[1].split("\n## ")[0];
    const row = q5.split("\n").find((l) => l.startsWith(`| ${m.provider}:\`${m.id}\` `));
    assert.ok(row?.includes(`$${price}`), `${m.provider}:${m.id} should show $${price}: ${row}`);
  }
});

Deno.test("the decision table in Q4 is what the eval's decide.ts renders now (stale fails)", async () => {
  const { decide, renderDecisions } = await import("../../scripts/eval/decide.ts");
  const { DEFAULT_EVAL_CANDIDATES, EVAL_TASKS, parseCandidates } = await import(
    "../../scripts/eval/candidates.ts"
  );
  const { itemCounts, loadEvalData } = await import("../../scripts/eval/data.ts");
  const candidates = Object.fromEntries(
    EVAL_TASKS.map((t) => [t, parseCandidates(t, DEFAULT_EVAL_CANDIDATES[t])]),
  ) as unknown as Parameters<typeof decide>[0];
  const at = new Date("2026-12-01T12:00:00Z");
  const fresh = renderDecisions(decide(candidates, itemCounts(await loadEvalData()), at), "en");
  const committed = await Deno.readTextFile(files.en);
  // Compare table rows (the committed file is formatted by deno fmt: cells are padded).
  const rows = (text: string) =>
    text.split("\n").filter((l) => l.startsWith("|") && !/^\|\s*-/.test(l)).map((l) =>
      l.split("|").map((c) => c.trim()).join("|")
    );
  const inDoc = new Set(rows(committed));
  for (const row of rows(fresh)) assert.ok(inDoc.has(row), `stale decision table: ${row}`);
});

Deno.test("every correction the issue lists is visible in both languages", async () => {
  const en = await renderResearch("en");
  const ru = await renderResearch("ru");
  for (
    const [what, pattern] of [
      ["misspelt model id", /`llama-3-70b-8192`[\s\S]{0,120}`llama3-70b-8192`/],
      ["Whisper per minute", /0[.,]00185 ?\$?\/(min|мин)/],
      ["gpt-6-luna cheaper per operation", /gpt-6-luna/],
      ["voice saving is 0 %", /\*\*0 %\*\*/],
      ["Groq has stream_options", /stream_options\.include_usage/],
      ["Developer plan required", /Developer/],
      ["image URLs up to 20 MB", /20 (MB|МБ)/],
      ["personal-data line", /(personal-data law|персональных\s+данных)/],
      ["qwen3.8 price doubt", /(one source lists \$0\.60|один источник даёт 0,60)/],
    ] as const
  ) {
    assert.match(en, pattern, `en: ${what}`);
    assert.match(ru, pattern, `ru: ${what}`);
  }
  assert.doesNotMatch(en + ru, /\| 2024-01-01 \|/, "no placeholder date shown as a price date");
});

Deno.test("the Russian document formats numbers the Russian way and never heads a column «с»", async () => {
  const ru = await renderResearch("ru");
  const tables = ru.split("\n").filter((l) => l.startsWith("|")).join("\n");
  assert.match(tables, /272\u202f000/);
  assert.doesNotMatch(tables, /\b\d{1,3},\d{3}\b(?!\s*\$)/, "no 272,000 in Russian tables");
  assert.doesNotMatch(tables, /\|\s*с\s*\|/);
});
