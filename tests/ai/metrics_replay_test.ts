// The replay command's parsing and counting, with a fake table (the real database is covered in
// ledger_db_test.ts).
import assert from "node:assert/strict";
import {
  parseUnsavedMetricLine,
  type ReplayClient,
  replayMetrics,
} from "../../scripts/metrics-replay.ts";
import type { OperationMetric } from "../../supabase/functions/_shared/ai/tracking.ts";

const metric = (attempt: number): OperationMetric => ({
  request_id: "9b2e4c1a-7d3f-4e8b-a6c5-1f0d2e3b4a59",
  attempt,
  operation_type: "chat",
  platform: "main",
  provider: "groq",
  model: "openai/gpt-oss-120b",
  input_tokens: 10,
  cached_input_tokens: 0,
  output_tokens: 5,
  audio_seconds: null,
  billed_audio_seconds: null,
  cost_usd: "0.0000045000",
  baseline_cost_usd: "0.0000750000",
  user_id: null,
  function_name: "ai-chat",
  duration_ms: 50,
  status: "success",
  error_code: null,
});
const line = (m: OperationMetric) =>
  JSON.stringify({ type: "ai_operation_metric_unsaved", metric: m });

function fakeTable(present: string[] = []) {
  const keys = new Set(present);
  const client: ReplayClient = {
    from: () => ({
      upsert: (rows) => ({
        select: () => {
          const inserted = rows.filter((r) => !keys.has(`${r.request_id}/${r.attempt}`));
          for (const r of inserted) keys.add(`${r.request_id}/${r.attempt}`);
          return Promise.resolve({
            data: inserted.map((r) => ({ request_id: r.request_id, attempt: r.attempt })),
            error: null,
          });
        },
      }),
    }),
  };
  return { client, keys };
}

Deno.test("only unsaved-metric lines are read; a prefix before the JSON is tolerated", () => {
  assert.equal(parseUnsavedMetricLine("GET /health 200"), undefined);
  assert.equal(parseUnsavedMetricLine('{"type":"other","metric":{}}'), undefined);
  assert.deepEqual(
    parseUnsavedMetricLine(`2026-11-25T10:00:00Z ERROR ${line(metric(1))}`),
    metric(1),
  );
  assert.equal(
    parseUnsavedMetricLine('{"type":"ai_operation_metric_unsaved","metric":{"attempt":1}}'),
    null,
  );
  assert.equal(parseUnsavedMetricLine('{"type":"ai_operation_metric_unsaved", broken'), null);
});

Deno.test("replay counts inserted, already present (in the table or twice in the log), skipped", async () => {
  const { client, keys } = fakeTable([`${metric(1).request_id}/1`]);
  const counts = await replayMetrics(
    [
      "noise",
      line(metric(1)),
      line(metric(2)),
      line(metric(2)),
      '{"type":"ai_operation_metric_unsaved"',
    ],
    client,
  );
  assert.deepEqual(counts, { inserted: 1, already_present: 2, skipped: 1, ignored: 1 });
  assert.equal(keys.size, 2);
});

Deno.test("an unreachable database stops the replay with the counts so far", async () => {
  const client: ReplayClient = {
    from: () => ({
      upsert: () => ({
        select: () =>
          Promise.resolve({
            data: null,
            error: { message: "FetchError: refused", code: "" },
            status: 0,
          }),
      }),
    }),
  };
  await assert.rejects(replayMetrics([line(metric(1))], client), /database unreachable/);
});
