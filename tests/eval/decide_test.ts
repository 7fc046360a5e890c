// The decision table decides only from a real run: a clear winner beyond the intervals is
// recommended; candidates the data cannot tell apart are "not enough evidence" and the cheapest
// is chosen; an offline run or no run decides nothing and shows no score. Costs come from the one
// assumption set that also prices the README's month.
import assert from "node:assert/strict";
import { SCHOOL_MONTH } from "../../scripts/eval/assumptions.ts";
import type { EvalCandidate, EvalTask } from "../../scripts/eval/candidates.ts";
import { decide, renderDecisions } from "../../scripts/eval/decide.ts";
import type { ItemResult, ResultRow } from "../../scripts/eval/run.ts";
import { savingsRows } from "../../scripts/docs-savings.ts";
import { meanInterval } from "../../scripts/eval/stats.ts";

const at = new Date("2026-12-01T12:00:00Z");
const chat: EvalCandidate[] = [
  { provider: "groq", model: "openai/gpt-oss-120b" },
  { provider: "groq", model: "openai/gpt-oss-20b" },
  { provider: "openai", model: "gpt-6-luna" },
];
const candidates = {
  chat,
  photo: [{ provider: "groq", model: "qwen/qwen3.8-27b" }],
  scan: [{ provider: "groq", model: "qwen/qwen3.8-27b" }],
  document: [{ provider: "groq", model: "openai/gpt-oss-120b" }],
  voice: [{ provider: "groq", model: "whisper-large-v3" }],
} as Record<EvalTask, EvalCandidate[]>;
const counts = { chat: 200, photo: 48, scan: 12, document: 30, voice: 62 };

/** A real run where each chat candidate passes items with the given probability pattern. */
function run(passEvery: Record<string, (i: number) => boolean>) {
  const items: ItemResult[] = [];
  const rows: ResultRow[] = [];
  for (const c of chat) {
    const key = `${c.provider}:${c.model}`;
    const scores: number[] = [];
    for (let i = 0; i < 200; i++) {
      const s = passEvery[key](i) ? 1 : 0;
      scores.push(s * 100);
      items.push({ task: "chat", ...c, itemId: `q${i}`, score: s, pass: s, repeats: [] });
    }
    rows.push({
      task: "chat",
      ...c,
      metrics: {
        score: meanInterval(scores, 0, 100),
        latency_ms_p50: 800,
        latency_ms_p95: 2000,
      } as unknown as ResultRow["metrics"],
    });
  }
  return { evidence: "real" as const, rows, items };
}

Deno.test("a candidate better beyond the intervals is recommended", () => {
  const [d] = decide(
    candidates,
    counts,
    at,
    run({
      "groq:openai/gpt-oss-120b": (i) => i % 10 !== 0,
      "groq:openai/gpt-oss-20b": (i) => i % 2 === 0,
      "openai:gpt-6-luna": (i) => i % 3 === 0,
    }),
  );
  assert.equal(d.status, "decided");
  assert.equal(d.recommended, "groq:openai/gpt-oss-120b");
  assert.match(renderDecisions([d], "en"), /\*\*Recommended:\*\* groq:openai\/gpt-oss-120b/);
});

Deno.test("candidates the data cannot tell apart are 'not enough evidence' and the cheapest is chosen", () => {
  const [d] = decide(
    candidates,
    counts,
    at,
    run({
      "groq:openai/gpt-oss-120b": (i) => i % 10 !== 0,
      "groq:openai/gpt-oss-20b": (i) => i % 10 !== 1,
      "openai:gpt-6-luna": (i) => i % 2 === 0,
    }),
  );
  assert.equal(d.status, "not enough evidence");
  assert.equal(d.recommended, "groq:openai/gpt-oss-20b", "the cheaper of two equals");
  assert.equal(d.fallback, "groq:openai/gpt-oss-120b");
  const md = renderDecisions([d], "en");
  assert.match(md, /\*\*Not enough evidence\*\*/);
  assert.match(md, /not enough evidence/);
});

Deno.test("an offline run and no run decide nothing and show no quality", () => {
  for (const evidence of ["offline", undefined] as const) {
    const decisions = decide(
      candidates,
      counts,
      at,
      evidence
        ? {
          ...run({
            "groq:openai/gpt-oss-120b": () => true,
            "groq:openai/gpt-oss-20b": () => true,
            "openai:gpt-6-luna": () => true,
          }),
          evidence,
        }
        : undefined,
    );
    for (const d of decisions) {
      assert.equal(d.status, "not measured");
      assert.ok(d.candidates.every((c) => c.score === null && c.latencyMsP50 === null));
    }
    const md = renderDecisions(decisions, "en");
    assert.doesNotMatch(md, /\d+\.\d \(\d/, "no score with an interval");
  }
});

Deno.test("the decision table, the README month and Q6 price the same operation the same way", () => {
  const decisions = decide(candidates, counts, at);
  const readme = savingsRows(at);
  for (const [i, w] of SCHOOL_MONTH.entries()) {
    const d = decisions.find((x) => x.task === w.task)!;
    const first = d.candidates[0];
    const row = readme[i];
    assert.equal(row.ourModel, `${first.provider}:${first.model}`);
    const readmeUsd = Number(row.ourUsd.units) / 10 ** row.ourUsd.scale;
    assert.ok(
      Math.abs(readmeUsd - first.costPerMonthUsd) < 0.01,
      `${w.task}: README ${readmeUsd} vs decision ${first.costPerMonthUsd}`,
    );
  }
});

Deno.test("Russian tables write numbers the Russian way", () => {
  const md = renderDecisions(decide(candidates, counts, at), "ru");
  assert.match(md, /200\u202f000 в месяц/);
  assert.match(md, /0,000585 \$/);
  assert.doesNotMatch(md, /\d,\d{3}\b(?! \$)/, "no English thousands separators");
});
