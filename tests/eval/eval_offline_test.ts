// `npm run eval -- --offline --out DIR` on a small sample writes report.md, report.html and
// results.json with the documented metric names, and waits out a 429 instead of failing.
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
  metrics: Record<string, number | null>;
}

Deno.test("an offline sample of every task produces the three files with the documented metrics", async () => {
  const dir = await Deno.makeTempDir({ prefix: "eval-offline-" });
  try {
    await withOfflineProvider(async (url) => {
      const run = await runEval(["--out", dir, "--sample", "2", "--provider-url", url]);
      assert.equal(run.code, 0, run.stderr);
    });
    const rows = JSON.parse(await Deno.readTextFile(`${dir}/results.json`)) as Row[];
    assert.deepEqual([...new Set(rows.map((r) => r.task))], [
      "chat",
      "vision",
      "document",
      "speech",
    ]);
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
      if (r.task !== "speech") assert.ok(r.metrics.ttft_ms_p50! >= 0);
    }
    assert.ok(
      rows.filter((r) => r.task === "speech").every((r) => typeof r.metrics.wer === "number"),
    );
    assert.ok(
      rows.filter((r) => r.task === "vision").every((r) => typeof r.metrics.cer === "number"),
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
    const [row] = JSON.parse(await Deno.readTextFile(`${dir}/results.json`)) as Row[];
    assert.equal(row.metrics.error_rate, 0);
    assert.equal(row.metrics.rate_limit_retries, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
