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
    const row = text.split("\n").find((l) => l.startsWith(`| ${m.provider}:\`${m.id}\` `));
    assert.ok(row?.includes(`$${price}`), `${m.provider}:${m.id} should show $${price}: ${row}`);
  }
});
