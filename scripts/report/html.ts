/**
 * The spend report as one self-contained HTML file: the report's numbers as JSON, Chart.js inlined
 * (the UMD build from npm, ~210 kB), a small drawing script, and tables with the exact decimal
 * totals. Nothing is fetched when it is opened. Pure: the chart library's source is passed in.
 *
 * @module
 */

import type { SpendReport, Total } from "./spend.ts";

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** JSON safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** A script's source safe inside <script> (no "</script"), without its source-map comment. */
function inlineScript(source: string): string {
  return source.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n").replace(
    /<\/script/gi,
    "<\\/script",
  );
}

function table(id: string, head: string[], rows: string[][]): string {
  return `<table id="${id}"><thead><tr>${
    head.map((h) => `<th>${esc(h)}</th>`).join("")
  }</tr></thead><tbody>${
    rows.map((r) =>
      `<tr>${r.map((c, i) => `<td${i > 0 ? ' class="n"' : ""}>${esc(c)}</td>`).join("")}</tr>`
    )
      .join("")
  }</tbody></table>`;
}

const totalsTable = (id: string, name: string, totals: Total[]) =>
  table(
    id,
    [name, "operations", "cost (USD)"],
    totals.map((x) => [x.key, String(x.operations), x.cost_usd]),
  );

const pct = (part: number, whole: number) => whole === 0 ? "0.00" : (100 * part / whole).toFixed(2);

/** Renders the report; `chartJs` is the text of chart.js/dist/chart.umd.min.js. */
export function renderReportHtml(report: SpendReport, chartJs: string): string {
  const r = report;
  const requests = r.operations - r.fallback_attempts;
  const w = r.what_if;
  const savingsNote = r.savings.view === "ai_savings_vs_old_stack"
    ? "Against the school's old stack in force each day (public.ai_old_stack_baselines); spend on the old stack's own model counts as no savings."
    : "Against the baselines stored on each ledger row (ai_savings_vs_openai).";
  const budget = r.budget.readable
    ? `<canvas id="chart-budget" height="110"></canvas>${
      table(
        "table-budget",
        [
          "student",
          "platform",
          `spend in ${r.budget.month.slice(0, 7)}`,
          "monthly limit",
          "% used",
        ],
        r.budget.rows.map((
          b,
        ) => [b.user_id, b.platform, b.cost_usd, b.limit_usd ?? "none", b.percent ?? "–"]),
      )
    }`
    : `<p class="note" id="budget-unreadable">Budget limits live in <code>ai_private.budget_limits</code>, which the Data API does not expose: run the report with <code>--db-url</code> to see students' use of their monthly limit.</p>`;
  const whatIf = w
    ? `<section id="what-if"><h2>What if: <code>${esc(w.spec)}</code></h2>
<div class="kpis">
  <div><span>recorded</span><b data-testid="what-if-actual">${w.actual_cost_usd}</b></div>
  <div><span>under this routing</span><b data-testid="what-if-total">${w.total_cost_usd}</b></div>
  <div><span>difference</span><b data-testid="what-if-difference">${w.difference_usd}</b></div>
  ${
      w.eval_adjusted_total_cost_usd
        ? `<div><span>with measured cost per answer</span><b data-testid="what-if-eval">${w.eval_adjusted_total_cost_usd}</b></div>`
        : ""
    }
</div>
<canvas id="chart-what-if" height="90"></canvas>
${
      table(
        "table-what-if",
        [
          "rule",
          "target",
          "calls",
          "recorded (USD)",
          "repriced (USD)",
          "difference",
          ...(w.eval_adjusted_total_cost_usd ? ["eval-adjusted"] : []),
          "at latest price",
        ],
        w.by_rule.map((x) => [
          x.rule,
          x.target,
          String(x.calls),
          x.actual_cost_usd,
          x.what_if_cost_usd,
          x.difference_usd,
          ...(w.eval_adjusted_total_cost_usd
            ? [`${x.eval_adjusted_cost_usd} (${x.eval_measured_calls} calls measured)`]
            : []),
          String(x.priced_at_latest_price_calls),
        ]),
      )
    }
${
      table(
        "table-what-if-types",
        ["operation type", "recorded (USD)", "what if (USD)", "difference"],
        w.by_operation_type.map((
          x,
        ) => [x.operation_type, x.actual_cost_usd, x.what_if_cost_usd, x.difference_usd]),
      )
    }
<h3>What repricing cannot know</h3>
<ul class="caveats">${w.caveats.map((c) => `<li>${esc(c)}</li>`).join("")}</ul>
${
      w.eval_adjusted_total_cost_usd
        ? `<p class="note">Eval-adjusted: where the evaluation harness measured both the recorded model and the target on the same task, the recorded cost is scaled by their measured cost-per-answer ratio (which includes their real token counts, reasoning included); other calls keep the token repricing.</p>`
        : `<p class="note">Give <code>--eval results.json</code> (from <code>npm run eval</code>) to scale by measured cost per answer instead.</p>`
    }
</section>`
    : "";

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>AI spend ${esc(r.period.from)} – ${esc(r.period.to)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2433;background:#f5f6f8}
main{max-width:1180px;margin:0 auto;padding:20px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:0 0 10px}h3{font-size:15px}
section{background:#fff;border-radius:8px;padding:16px;margin:14px 0;box-shadow:0 1px 2px #0001}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:14px}.grid section{margin:0}
.kpis{display:flex;flex-wrap:wrap;gap:10px;margin:10px 0}
.kpis div{background:#eef2f8;border-radius:6px;padding:8px 12px;min-width:150px}
.kpis span{display:block;font-size:12px;color:#5a6478}.kpis b{font-size:17px;font-variant-numeric:tabular-nums}
table{border-collapse:collapse;width:100%;margin-top:10px;font-size:13px}
th,td{border-bottom:1px solid #e4e7ec;padding:3px 6px;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#5a6478;font-size:12.5px}code{font-size:12.5px}
@media (max-width:900px){.grid{grid-template-columns:1fr}}
</style></head>
<body><main>
<h1>AI spend, ${esc(r.period.from)} to ${esc(r.period.to)} (UTC)</h1>
<p class="note">Generated ${esc(r.generated_at)} from ${
    esc(r.source)
  }. Amounts are USD at catalog prices, exact to 10 decimal places (the ledger's precision).</p>
<div class="kpis">
  <div><span>total spend</span><b data-testid="total-cost">${r.total_cost_usd}</b></div>
  <div><span>provider calls (attempts)</span><b data-testid="operations">${r.operations}</b></div>
  <div><span>failed attempts</span><b data-testid="failure-rate">${
    pct(r.failed_operations, r.operations)
  } %</b></div>
  <div><span>requests that fell back</span><b data-testid="fallback-rate">${
    pct(r.fallback_attempts, requests)
  } %</b></div>
  <div><span>saved vs old stack</span><b data-testid="savings">${r.savings.savings_usd}</b></div>
</div>
<section><h2>Daily spend per platform and provider</h2><canvas id="chart-daily" height="90"></canvas>
${totalsTable("table-platform-provider", "platform/provider", r.by_platform_provider)}
${totalsTable("table-platform", "platform", r.by_platform)}
${totalsTable("table-provider", "provider", r.by_provider)}</section>
<div class="grid">
<section><h2>Per function</h2><canvas id="chart-function" height="200"></canvas>${
    totalsTable("table-function", "function", r.by_function)
  }</section>
<section><h2>Per model</h2><canvas id="chart-model" height="200"></canvas>${
    totalsTable("table-model", "model", r.by_model)
  }</section>
</div>
<div class="grid">
<section><h2>Top students</h2><p class="note">Per calendar month (the view's grain): ${
    esc(r.by_user.months.map((m) => m.slice(0, 7)).join(", ") || "none")
  }, which may reach outside the period.</p><canvas id="chart-users" height="200"></canvas>${
    totalsTable("table-users", "student", r.by_user.totals.slice(0, 15))
  }</section>
<section><h2>Savings against the old stack</h2><p class="note">${
    esc(savingsNote)
  }</p><canvas id="chart-savings" height="200"></canvas>${
    table(
      "table-savings",
      ["operation type", "old stack", "cost (USD)", "old-stack cost (USD)"],
      r.savings.by_operation_type.map((
        s,
      ) => [s.key, s.baseline ?? "the call itself", s.cost_usd, s.baseline_cost_usd]),
    )
  }</section>
</div>
<div class="grid">
<section><h2>Failure and fallback rates per day</h2><canvas id="chart-rates" height="200"></canvas></section>
<section><h2>Budget use, ${esc(r.budget.month.slice(0, 7))}</h2>${budget}</section>
</div>
<div class="grid">
<section><h2>Routing arms</h2><p class="note">Per answer (a request's rows of one operation type); arm <code>default</code> outside experiments. See docs/COST_LEVERS.md.</p>${
    table(
      "table-arms",
      [
        "platform",
        "operation",
        "arm",
        "answers",
        "cost / answer (USD)",
        "p50 ms",
        "p95 ms",
        "errors",
        "fallbacks",
        "truncated",
      ],
      r.arms.map((a) => [
        a.platform,
        a.operation_type,
        a.arm,
        String(a.answers),
        a.cost_per_answer_usd,
        String(a.latency_p50_ms),
        String(a.latency_p95_ms),
        a.error_rate,
        a.fallback_rate,
        a.truncation_rate,
      ]),
    )
  }</section>
<section><h2>Cached input and image tokens per operation</h2>${
    table(
      "table-tokens",
      ["operation", "answers", "input tokens", "cached %", "image tokens", "image tokens / answer"],
      r.tokens_by_operation.map((o) => [
        o.operation_type,
        String(o.answers),
        String(o.input_tokens),
        o.cached_percent,
        String(o.image_tokens),
        String(o.image_tokens_per_answer),
      ]),
    )
  }</section>
</div>
${whatIf}
</main>
<script type="application/json" id="spend-data">${scriptJson(r)}</script>
<script>${inlineScript(chartJs)}</script>
<script>${DRAW}</script>
</body></html>
`;
}

// Runs in the page: draws every chart from #spend-data; sets window.reportReady when done.
const DRAW = `
(function () {
  var r = JSON.parse(document.getElementById("spend-data").textContent);
  var palette = ["#2b6cb0","#dd6b20","#38a169","#805ad5","#d53f8c","#319795","#b7791f","#4a5568","#e53e3e","#718096"];
  var color = function (i) { return palette[i % palette.length]; };
  var num = function (s) { return Number(s); };
  // A user id too long for an axis: its first and last characters.
  var short = function (id) { return id.length > 16 ? id.slice(0, 4) + "…" + id.slice(-6) : id; };
  Chart.defaults.animation = false;
  Chart.defaults.font.size = 11;
  var drawn = [];
  function draw(id, config) {
    var el = document.getElementById(id);
    if (!el) return;
    config.options = Object.assign({ responsive: true, maintainAspectRatio: true }, config.options || {});
    drawn.push(new Chart(el, config));
  }
  var days = r.daily.map(function (d) { return d.day.slice(5); });
  draw("chart-daily", { type: "bar", data: { labels: days, datasets: r.by_platform_provider.map(function (k, i) {
    return { label: k.key, backgroundColor: color(i), data: r.daily.map(function (d) { return num(d.cost_usd[k.key] || "0"); }) };
  }) }, options: { scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: "USD" } } } } });
  function bars(id, totals, horizontal) {
    draw(id, { type: "bar", data: { labels: totals.map(function (t) { return t.key; }),
      datasets: [{ label: "USD", backgroundColor: totals.map(function (_, i) { return color(i); }),
        data: totals.map(function (t) { return num(t.cost_usd); }) }] },
      options: { indexAxis: horizontal ? "y" : "x", plugins: { legend: { display: false } } } });
  }
  bars("chart-function", r.by_function, true);
  bars("chart-model", r.by_model, true);
  bars("chart-users", r.by_user.totals.slice(0, 10).map(function (t) { return { key: short(t.key), cost_usd: t.cost_usd }; }), true);
  draw("chart-savings", { type: "bar", data: { labels: r.savings.by_operation_type.map(function (s) { return s.key; }), datasets: [
    { label: "spent", backgroundColor: color(0), data: r.savings.by_operation_type.map(function (s) { return num(s.cost_usd); }) },
    { label: "old stack", backgroundColor: color(7), data: r.savings.by_operation_type.map(function (s) { return num(s.baseline_cost_usd); }) }
  ] } });
  draw("chart-rates", { type: "line", data: { labels: days, datasets: [
    { label: "failed attempts %", borderColor: color(8), backgroundColor: color(8), data: r.daily.map(function (d) { return d.operations ? 100 * d.failed_operations / d.operations : 0; }) },
    { label: "requests that fell back %", borderColor: color(1), backgroundColor: color(1), data: r.daily.map(function (d) { var q = d.operations - d.fallbacks; return q > 0 ? 100 * d.fallbacks / q : 0; }) }
  ] }, options: { scales: { y: { beginAtZero: true, title: { display: true, text: "%" } } } } });
  if (r.budget.readable) {
    draw("chart-budget", { type: "bar", data: { labels: r.budget.rows.map(function (b) { return short(b.user_id) + " (" + b.platform + ")"; }),
      datasets: [{ label: "% of monthly limit", backgroundColor: r.budget.rows.map(function (b) { return num(b.percent || "0") >= 80 ? color(8) : color(2); }),
        data: r.budget.rows.map(function (b) { return num(b.percent || "0"); }) }] },
      options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, suggestedMax: 100 } } } });
  }
  if (r.what_if) {
    var types = r.what_if.by_operation_type;
    draw("chart-what-if", { type: "bar", data: { labels: types.map(function (t) { return t.operation_type; }), datasets: [
      { label: "recorded", backgroundColor: color(0), data: types.map(function (t) { return num(t.actual_cost_usd); }) },
      { label: "what if", backgroundColor: color(1), data: types.map(function (t) { return num(t.what_if_cost_usd); }) }
    ] } });
  }
  window.reportCharts = drawn.length;
  window.reportReady = true;
})();
`;
