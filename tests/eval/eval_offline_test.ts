// `npm run eval -- --offline --decide --out DIR` on a small sample writes report.md, report.html,
// results.json (per candidate metrics with intervals, per item every repeat's pass/fail) and the
// decision table (decision.md + decision.json), labelled OFFLINE; it waits out a 429 instead of
// failing.
import assert from "node:assert/strict";
import { withOfflineProvider } from "../_support/offline_provider.ts";

const MAIN = new URL("../../scripts/eval/main.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

async function runEval(args: string[]): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--config", CONFIG, MAIN, "--offline", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

interface Row {
  task: string;
  provider: string;
  model: string;
  metrics: Record<string, unknown> & Record<string, number | null>;
}
interface Results {
  about: string;
  offline: boolean;
  repeats: number;
  rows: Row[];
  items: {
    task: string;
    itemId: string;
    provider: string;
    model: string;
    imageTokens?: number;
    repeats: { ok: boolean; pass?: boolean }[];
  }[];
  dataSizes: Record<string, number>;
}

Deno.test("an offline sample of every task produces the report, per-item results and the decision table", async () => {
  const dir = await Deno.makeTempDir({ prefix: "eval-offline-" });
  let stderr = "";
  try {
    await withOfflineProvider(async (url) => {
      const run = await runEval([
        "--out",
        dir,
        "--sample",
        "2",
        "--repeats",
        "2",
        "--decide",
        "--provider-url",
        url,
      ]);
      assert.equal(run.code, 0, run.stderr);
      stderr = run.stderr;
    });
    assert.match(stderr, /201 curator items/, "the eval prints the data sizes");
    const results = JSON.parse(await Deno.readTextFile(`${dir}/results.json`)) as Results;
    assert.equal(results.offline, true);
    assert.match(results.about, /OFFLINE RUN/);
    assert.equal(results.repeats, 2);
    const rows = results.rows;
    assert.deepEqual([...new Set(rows.map((r) => r.task))], [
      "chat",
      "photo",
      "scan",
      "document",
      "voice",
    ]);
    for (const item of results.items) {
      assert.equal(item.repeats.length, 2, `${item.task} ${item.itemId}: two repeats`);
      assert.ok(
        item.repeats.every((r) => typeof r.pass === "boolean"),
        "every repeat passes or fails",
      );
      if (item.task === "photo" || item.task === "scan") {
        assert.ok(item.imageTokens! > 0, `${item.itemId} reports its image tokens`);
      }
    }
    for (const r of rows) {
      const score = r.metrics.score as { mean: number; low: number; high: number } | null;
      assert.ok(score && score.low <= score.mean && score.mean <= score.high, "a 95 % interval");
    }
    const decision = JSON.parse(await Deno.readTextFile(`${dir}/decision.json`)) as {
      decisions: { task: string; status: string; candidates: { score: unknown }[] }[];
    };
    assert.deepEqual(decision.decisions.map((d) => d.task), [
      "chat",
      "photo",
      "scan",
      "document",
      "voice",
    ]);
    for (const d of decision.decisions) {
      assert.equal(d.status, "not measured", "an offline run decides nothing");
      assert.ok(d.candidates.every((c) => c.score === null), "the double's scores are not quality");
    }
    const table = await Deno.readTextFile(`${dir}/decision.md`);
    assert.match(table, /OFFLINE RUN/);
    assert.match(table, /offline double, not a model/);
    for (const r of rows) {
      for (
        const name of [
          "ttft_ms_p50",
          "ttft_ms_p95",
          "output_tokens_per_second",
          "latency_ms_p50",
          "cost_per_answer_usd",
          "error_rate",
          "russian_rate",
        ]
      ) {
        assert.ok(name in r.metrics, `${r.task} ${r.provider}:${r.model} lacks ${name}`);
      }
      assert.equal(r.metrics.error_rate, 0, `${r.task} ${r.provider}:${r.model} had errors`);
      assert.ok(r.metrics.cost_per_answer_usd! > 0);
      if (r.task !== "voice") assert.ok(r.metrics.ttft_ms_p50! >= 0);
    }
    assert.ok(
      rows.filter((r) => r.task === "voice").every((r) => typeof r.metrics.wer === "number"),
    );
    assert.ok(
      rows.filter((r) => r.task === "photo").every((r) => typeof r.metrics.cer === "number"),
    );
    const md = await Deno.readTextFile(`${dir}/report.md`);
    assert.match(md, /OFFLINE RUN/, "an offline report must say it measured no model");
    const html = await Deno.readTextFile(`${dir}/report.html`);
    assert.match(html, /<svg[^>]*aria-label="TTFT p50, ms"/);
    assert.match(html, /OFFLINE RUN/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a 429 with retry-after is waited out and retried, not counted as an error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "eval-offline-429-" });
  try {
    await withOfflineProvider(async (url) => {
      const fault = await fetch(`${url}/__offline/faults`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          provider: "groq",
          path: "chat/completions",
          model: "openai/gpt-oss-20b",
          times: 1,
          fault: { type: "rate_limit", retryAfterSeconds: 1 },
        }),
      });
      await fault.body?.cancel();
      assert.ok(fault.ok);
      const started = Date.now();
      const run = await runEval([
        "--out",
        dir,
        "--tasks",
        "chat",
        "--sample",
        "1",
        "--chat",
        "groq:openai/gpt-oss-20b",
        "--provider-url",
        url,
      ]);
      assert.equal(run.code, 0, run.stderr);
      assert.ok(Date.now() - started >= 1000, "the harness waited for retry-after");
    });
    const [row] = (JSON.parse(await Deno.readTextFile(`${dir}/results.json`)) as Results).rows;
    assert.equal(row.metrics.error_rate, 0);
    assert.equal(row.metrics.rate_limit_retries, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
