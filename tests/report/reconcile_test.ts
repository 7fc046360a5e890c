// Reconciliation against OpenAI's organization Costs and Usage APIs, served offline by
// scripts/offline-provider/organization.ts from a dataset with injected differences.
import assert from "node:assert/strict";
import {
  createOrganizationApi,
  type OrganizationDataset,
} from "../../scripts/offline-provider/organization.ts";
import { fetchOpenAIBilled, OpenAIOrgError } from "../../scripts/report/openai_org.ts";
import { ledgerOpenAIRows, reconcile } from "../../scripts/report/reconcile.ts";
import { resolvePeriod } from "../../scripts/report/period.ts";
import type { Row } from "../../scripts/report/sources.ts";

// ai_spend_by_model rows as the report reads them (text values), two platforms.
const viewRow = (day: string, platform: string, provider: string, model: string, v: {
  cost: string;
  ops?: number;
  input?: number;
  cached?: number;
  output?: number;
  audio?: string;
}): Row => ({
  day,
  platform,
  provider,
  model,
  operations: String(v.ops ?? 1),
  failed_operations: "0",
  input_tokens: String(v.input ?? 0),
  cached_input_tokens: String(v.cached ?? 0),
  output_tokens: String(v.output ?? 0),
  audio_seconds: v.audio ?? "0",
  cost_usd: v.cost,
});

const LEDGER: Row[] = [
  // Nov 10: gpt-6-luna on both platforms, agrees with the bill once summed.
  viewRow("2026-11-10", "main", "openai", "gpt-6-luna", {
    cost: "0.4000000000",
    ops: 30,
    input: 2_000_000,
    cached: 500_000,
    output: 400_000,
  }),
  viewRow("2026-11-10", "tripwire", "openai", "gpt-6-luna", {
    cost: "0.1000000000",
    ops: 10,
    input: 500_000,
    output: 100_000,
  }),
  // Nov 10: whisper-1 agrees.
  viewRow("2026-11-10", "main", "openai", "whisper-1", {
    cost: "0.0600000000",
    ops: 5,
    audio: "600.000",
  }),
  // Groq rows never enter the comparison.
  viewRow("2026-11-10", "main", "groq", "openai/gpt-oss-120b", {
    cost: "3.0000000000",
    ops: 900,
    input: 9_000_000,
  }),
  // Nov 11: the bill is 0.25 higher than the ledger (a cost difference) and output tokens differ.
  viewRow("2026-11-11", "main", "openai", "gpt-6-luna", {
    cost: "1.0000000000",
    ops: 50,
    input: 5_000_000,
    output: 1_000_000,
  }),
  // Nov 12: the ledger has a model the bill lacks.
  viewRow("2026-11-12", "main", "openai", "gpt-4.1-mini", {
    cost: "0.2000000000",
    ops: 4,
    input: 100_000,
    output: 100_000,
  }),
  // Nov 13: a difference below the thresholds (0.004 USD, under 0.01 USD and 1 %).
  viewRow("2026-11-13", "main", "openai", "gpt-6-luna", {
    cost: "2.0000000000",
    ops: 80,
    input: 10_000_000,
    output: 2_000_000,
  }),
  // Dec 15 (outside the first page of 31 daily buckets): agrees.
  viewRow("2026-12-15", "main", "openai", "gpt-6-luna", {
    cost: "0.0500000000",
    ops: 2,
    input: 100_000,
    output: 80_000,
  }),
];

const DATASET: OrganizationDataset = {
  costs: [
    // Snapshot names and line items as OpenAI writes them.
    { day: "2026-11-10", line_item: "gpt-6-luna-2026-09-22, input", amount_usd: 0.2 },
    { day: "2026-11-10", line_item: "gpt-6-luna-2026-09-22, output", amount_usd: 0.3 },
    { day: "2026-11-10", line_item: "whisper-1, audio", amount_usd: 0.06 },
    { day: "2026-11-11", line_item: "gpt-6-luna-2026-09-22, input", amount_usd: 0.5 },
    { day: "2026-11-11", line_item: "gpt-6-luna-2026-09-22, output", amount_usd: 0.75 },
    { day: "2026-11-13", line_item: "gpt-6-luna-2026-09-22, input", amount_usd: 2.004 },
    // Nov 14: billed, but the ledger has nothing (calls the ledger never recorded).
    { day: "2026-11-14", line_item: "gpt-4o-2024-08-06, input", amount_usd: 0.33 },
    { day: "2026-12-15", line_item: "gpt-6-luna-2026-09-22, input", amount_usd: 0.05 },
  ],
  completions: [
    {
      day: "2026-11-10",
      model: "gpt-6-luna-2026-09-22",
      input_tokens: 2_500_000,
      input_cached_tokens: 500_000,
      output_tokens: 500_000,
      num_model_requests: 40,
    },
    {
      day: "2026-11-11",
      model: "gpt-6-luna-2026-09-22",
      input_tokens: 5_000_000,
      input_cached_tokens: 0,
      output_tokens: 1_500_000,
      num_model_requests: 50,
    },
    {
      day: "2026-11-13",
      model: "gpt-6-luna-2026-09-22",
      input_tokens: 10_000_000,
      input_cached_tokens: 0,
      output_tokens: 2_000_000,
      num_model_requests: 80,
    },
    {
      day: "2026-11-14",
      model: "gpt-4o-2024-08-06",
      input_tokens: 132_000,
      input_cached_tokens: 0,
      output_tokens: 0,
      num_model_requests: 3,
    },
    {
      day: "2026-12-15",
      model: "gpt-6-luna-2026-09-22",
      input_tokens: 100_000,
      input_cached_tokens: 0,
      output_tokens: 80_000,
      num_model_requests: 2,
    },
  ],
  audio_transcriptions: [{
    day: "2026-11-10",
    model: "whisper-1",
    seconds: 600,
    num_model_requests: 5,
  }],
};

async function withOrgApi<T>(run: (baseUrl: string) => Promise<T>): Promise<T> {
  const api = createOrganizationApi(DATASET);
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, api.handle);
  try {
    return await run(`http://127.0.0.1:${server.addr.port}/v1`);
  } finally {
    await server.shutdown();
  }
}

const PERIOD = resolvePeriod({ from: "2026-11-10", to: "2026-12-20" }, new Date());

Deno.test("reconciliation lists exactly the injected differences", async () => {
  const billed = await withOrgApi((baseUrl) =>
    fetchOpenAIBilled({ baseUrl, adminKey: "sk-admin-offline" }, PERIOD)
  );
  const r = reconcile(ledgerOpenAIRows(LEDGER), billed);
  assert.deepEqual(
    r.differences.map((d) => [d.day, d.model, d.kind, d.ledger, d.billed, d.difference]),
    [
      ["2026-11-11", "gpt-6-luna", "cost", "1.0000000000", "1.2500000000", "0.2500000000"],
      ["2026-11-11", "gpt-6-luna", "output_tokens", "1000000", "1500000", "500000"],
      [
        "2026-11-12",
        "gpt-4.1-mini",
        "missing_in_bill",
        "0.2000000000",
        "0.0000000000",
        "-0.2000000000",
      ],
      ["2026-11-14", "gpt-4o", "missing_in_ledger", "0.0000000000", "0.3300000000", "0.3300000000"],
    ],
  );
  assert.equal(r.ledger_cost_usd, "3.8100000000"); // OpenAI rows only: 0.4+0.1+0.06+1+0.2+2+0.05
  assert.equal(r.billed_cost_usd, "4.1940000000");
  assert.equal(r.difference_usd, "0.3840000000");
});

Deno.test("a tighter threshold lists the small difference too", async () => {
  const billed = await withOrgApi((baseUrl) =>
    fetchOpenAIBilled({ baseUrl, adminKey: "sk-admin-offline" }, PERIOD)
  );
  const r = reconcile(ledgerOpenAIRows(LEDGER), billed, { usd: "0.001", percent: 0.1 });
  assert.ok(
    r.differences.some((d) =>
      d.day === "2026-11-13" && d.kind === "cost" && d.difference === "0.0040000000"
    ),
  );
});

Deno.test("the offline Costs API pages daily buckets and refuses a project key", async () => {
  await withOrgApi(async (baseUrl) => {
    const start = Date.parse("2026-11-10T00:00:00Z") / 1000;
    const page1 = await (await fetch(
      `${baseUrl}/organization/costs?start_time=${start}&end_time=${
        start + 40 * 86400
      }&limit=31&group_by=line_item`,
      {
        headers: { authorization: "Bearer sk-admin-offline" },
      },
    )).json();
    assert.equal(page1.object, "page");
    assert.equal(page1.data.length, 31);
    assert.equal(page1.has_more, true);
    assert.equal(page1.data[0].results[0].object, "organization.costs.result");
    assert.deepEqual(page1.data[0].results[0].amount, { value: 0.2, currency: "usd" });
    const page2 = await (await fetch(
      `${baseUrl}/organization/costs?start_time=${start}&end_time=${
        start + 40 * 86400
      }&limit=31&page=${page1.next_page}`,
      {
        headers: { authorization: "Bearer sk-admin-offline" },
      },
    )).json();
    assert.equal(page2.data.length, 9);
    assert.equal(page2.has_more, false);
    // Without group_by, one total per day.
    assert.equal(page2.data[4].results[0].line_item, null); // 2026-12-15

    const refused = await fetch(`${baseUrl}/organization/costs?start_time=${start}`, {
      headers: { authorization: "Bearer sk-proj-abc" },
    });
    assert.equal(refused.status, 401);
    await refused.body?.cancel();
    await assert.rejects(
      fetchOpenAIBilled({ baseUrl, adminKey: "sk-proj-abc" }, PERIOD),
      (e) => e instanceof OpenAIOrgError && e.hint.includes("Admin API key"),
    );
  });
});
