import assert from "node:assert/strict";
import {
  createOperationTracker,
  defaultWaitUntil,
  type MetricsClient,
  type MetricsWriteError,
  type OperationMetric,
  trackAIOperation,
} from "./tracking.ts";

function metric(
  attempt: number,
  requestId = "6f1c1f8e-3c1e-4a53-9d55-5b7c8e0b2a11",
): OperationMetric {
  return {
    request_id: requestId,
    attempt,
    operation_type: "chat",
    platform: "main",
    provider: "groq",
    model: "openai/gpt-oss-120b",
    input_tokens: 100,
    cached_input_tokens: 0,
    output_tokens: 20,
    audio_seconds: null,
    billed_audio_seconds: null,
    cost_usd: "0.0000270000",
    baseline_cost_usd: "0.0004500000",
    user_id: null,
    function_name: "ai-chat",
    duration_ms: 120,
    status: "success",
    error_code: null,
    created_at: "2026-11-25T12:00:00.000Z",
  };
}

/** A fake supabase client with a table keyed like the real unique constraint. */
function fakeSupabase(
  failures: Array<{ error: MetricsWriteError; status?: number } | "throw"> = [],
) {
  const table = new Map<string, OperationMetric>();
  const calls: Array<{ table: string; rows: OperationMetric[]; options: unknown }> = [];
  const client: MetricsClient = {
    from(name) {
      return {
        upsert(rows, options) {
          calls.push({ table: name, rows: [...rows], options });
          const failure = failures.shift();
          if (failure === "throw") return Promise.reject(new TypeError("fetch failed"));
          if (failure) return Promise.resolve({ error: failure.error, status: failure.status });
          for (const row of rows) {
            const key = `${row.request_id}/${row.attempt}`;
            if (!options.ignoreDuplicates || !table.has(key)) table.set(key, row);
          }
          return Promise.resolve({ error: null, status: 201 });
        },
      };
    },
  };
  return { client, table, calls };
}

const noSleep = () => Promise.resolve();
const down = { error: { message: "FetchError: connection refused", code: "" }, status: 0 };

Deno.test("a write that fails twice then succeeds makes exactly one row, without a log line", async () => {
  const db = fakeSupabase([down, "throw"]);
  const lines: string[] = [];
  const sleeps: number[] = [];
  const tracker = createOperationTracker({
    supabase: db.client,
    log: (l) => lines.push(l),
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    backoffMs: 100,
  });
  tracker.track(metric(1));
  await tracker.flush();
  assert.equal(db.table.size, 1);
  assert.equal(db.calls.length, 3);
  assert.deepEqual(sleeps, [100, 200]);
  assert.deepEqual(lines, []);
  assert.equal(db.calls[0].table, "ai_operations_metrics");
  assert.deepEqual(db.calls[0].options, {
    onConflict: "request_id,attempt",
    ignoreDuplicates: true,
  });
});

Deno.test("a database that stays down yields one JSON log line per metric", async () => {
  const db = fakeSupabase(Array.from({ length: 10 }, () => down));
  const lines: string[] = [];
  const tracker = createOperationTracker({
    supabase: db.client,
    log: (l) => lines.push(l),
    sleep: noSleep,
    maxRetries: 2,
  });
  tracker.track(metric(1));
  await tracker.flush();
  assert.equal(db.calls.length, 3); // first write + 2 retries
  assert.equal(lines.length, 1);
  const parsed = JSON.parse(lines[0]);
  assert.equal(parsed.type, "ai_operation_metric_unsaved");
  assert.deepEqual(parsed.metric, metric(1));
  assert.equal(db.table.size, 0);
});

Deno.test("writing the same metric twice leaves one row (duplicates ignored)", async () => {
  const db = fakeSupabase();
  const tracker = createOperationTracker({ supabase: db.client, sleep: noSleep });
  tracker.track(metric(1));
  await tracker.flush();
  tracker.track({ ...metric(1), cost_usd: "9.0000000000" });
  await tracker.flush();
  assert.equal(db.table.size, 1);
  assert.equal([...db.table.values()][0].cost_usd, "0.0000270000");
});

Deno.test("metrics tracked close together go in one insert", async () => {
  const db = fakeSupabase();
  const tracker = createOperationTracker({
    supabase: db.client,
    batch: { windowMs: 20, maxRows: 100 },
  });
  for (let i = 1; i <= 5; i++) tracker.track(metric(i));
  await tracker.flush();
  assert.equal(db.calls.length, 1);
  assert.equal(db.calls[0].rows.length, 5);
  assert.equal(db.table.size, 5);
});

Deno.test("a full batch is written without waiting for the window", async () => {
  const db = fakeSupabase();
  const tracker = createOperationTracker({
    supabase: db.client,
    batch: { windowMs: 60_000, maxRows: 2 },
  });
  tracker.track(metric(1));
  tracker.track(metric(2));
  tracker.track(metric(3));
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(db.calls.length, 1);
  assert.deepEqual(db.calls[0].rows.map((r) => r.attempt), [1, 2]);
  await tracker.flush(); // the third row's batch is cut short by flush
  assert.equal(db.table.size, 3);
});

Deno.test("the write runs in the background: track returns before the database answers", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const handed: Promise<unknown>[] = [];
  let written = 0;
  const client: MetricsClient = {
    from: () => ({
      upsert: async () => {
        await gate;
        written++;
        return { error: null };
      },
    }),
  };
  const tracker = createOperationTracker({ supabase: client, waitUntil: (p) => handed.push(p) });
  tracker.track(metric(1));
  assert.equal(handed.length, 1, "the batch promise went to waitUntil");
  assert.equal(written, 0);
  release();
  await handed[0];
  assert.equal(written, 1);
});

Deno.test("a constraint violation in a batch does not sink the other rows", async () => {
  const table: OperationMetric[] = [];
  const lines: string[] = [];
  const client: MetricsClient = {
    from: () => ({
      upsert: (rows) => {
        if (rows.some((r) => r.attempt === 2)) {
          return Promise.resolve({
            error: { message: "violates foreign key constraint", code: "23503" },
            status: 409,
          });
        }
        table.push(...rows);
        return Promise.resolve({ error: null, status: 201 });
      },
    }),
  };
  const tracker = createOperationTracker({
    supabase: client,
    log: (l) => lines.push(l),
    sleep: noSleep,
  });
  for (let i = 1; i <= 3; i++) tracker.track(metric(i));
  await tracker.flush();
  assert.deepEqual(table.map((r) => r.attempt), [1, 3]);
  assert.equal(lines.length, 1);
  assert.equal(JSON.parse(lines[0]).metric.attempt, 2);
});

Deno.test("trackAIOperation resolves once the row is saved", async () => {
  const db = fakeSupabase(["throw"]);
  await trackAIOperation(metric(1), { supabase: db.client, sleep: noSleep });
  assert.equal(db.table.size, 1);
});

Deno.test("defaultWaitUntil falls back to fire-and-forget outside the edge runtime", async () => {
  const waitUntil = defaultWaitUntil();
  waitUntil(Promise.reject(new Error("ignored"))); // must not be an unhandled rejection
  await new Promise((r) => setTimeout(r, 0));
});

Deno.test("defaultWaitUntil uses EdgeRuntime.waitUntil when present", () => {
  const seen: Promise<unknown>[] = [];
  const g = globalThis as { EdgeRuntime?: unknown };
  g.EdgeRuntime = { waitUntil: (p: Promise<unknown>) => seen.push(p) };
  try {
    const p = Promise.resolve(1);
    defaultWaitUntil()(p);
    assert.deepEqual(seen, [p]);
  } finally {
    delete g.EdgeRuntime;
  }
});
