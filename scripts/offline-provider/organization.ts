/**
 * OpenAI's organization Costs and Usage APIs, offline, from an in-memory dataset (a test double
 * for `npm run reconcile`, never a bill). Shapes follow the `openai` SDK 7.57.0 types
 * (resources/admin/organization/usage.d.ts: `UsageCostsResponse`, `UsageCompletionsParams`…):
 *
 * - `GET /v1/organization/costs?start_time&end_time&bucket_width=1d&group_by=line_item&limit&page`
 *   → `{ object: "page", data: [{ object: "bucket", start_time, end_time, results: [
 *   { object: "organization.costs.result", amount: { value, currency: "usd" }, line_item,
 *   project_id } ] }], has_more, next_page }`; a line item reads "<model>, <kind>"
 *   (e.g. "gpt-4.1-mini-2025-04-14, input").
 * - `GET /v1/organization/usage/completions?…&group_by=model` → results
 *   `organization.usage.completions.result` with input_tokens (cached included),
 *   input_cached_tokens, output_tokens, num_model_requests, model.
 * - `GET /v1/organization/usage/audio_transcriptions?…&group_by=model` → results
 *   `organization.usage.audio_transcriptions.result` with seconds, num_model_requests, model.
 * - Any other `/v1/organization/usage/<kind>`: empty buckets.
 *
 * Buckets are UTC days from `start_time` (every day, empty ones included, as OpenAI returns
 * them); `limit` buckets per page (default 7; at most 180 for costs and 31 for usage), `page` is
 * the cursor from `next_page`. Admin keys only: a bearer that is not `sk-admin-…` gets 401, as
 * OpenAI answers a project key.
 *
 * Standalone (tests): `Deno.serve({ port: 0 }, createOrganizationApi(dataset).handle)`. In the
 * offline provider's router: `if (path.startsWith("/v1/organization/")) return org.handle(req);`
 *
 * @module
 */

export interface OrganizationCost {
  /** UTC day, YYYY-MM-DD. */
  readonly day: string;
  /** "<model>, <kind>", e.g. "gpt-4.1-mini-2025-04-14, input". */
  readonly line_item: string;
  readonly amount_usd: number;
  readonly project_id?: string;
}

export interface OrganizationCompletionsUsage {
  readonly day: string;
  readonly model: string;
  readonly input_tokens: number;
  readonly input_cached_tokens: number;
  readonly output_tokens: number;
  readonly num_model_requests: number;
}

export interface OrganizationTranscriptionUsage {
  readonly day: string;
  readonly model: string;
  readonly seconds: number;
  readonly num_model_requests: number;
}

export interface OrganizationDataset {
  costs: OrganizationCost[];
  completions: OrganizationCompletionsUsage[];
  audio_transcriptions: OrganizationTranscriptionUsage[];
}

export interface OrganizationApi {
  /** Answers `/v1/organization/…`; anything else is a 404. */
  handle(req: Request): Promise<Response>;
  /** Replaces the dataset (tests inject differences this way). */
  setDataset(dataset: OrganizationDataset): void;
  /** Requests answered, for assertions (path and query). */
  readonly requests: string[];
}

const DAY_S = 86_400;
const PREFIX = "/v1/organization/";

function error(status: number, message: string, type: string, code: string | null = null) {
  return Response.json({ error: { message, type, param: null, code } }, { status });
}

const dayOf = (unix: number) => new Date(unix * 1000).toISOString().slice(0, 10);

/** Creates the handler over `dataset` (empty by default). */
export function createOrganizationApi(
  dataset: OrganizationDataset = { costs: [], completions: [], audio_transcriptions: [] },
): OrganizationApi {
  let data = dataset;
  const requests: string[] = [];

  function handle(req: Request): Promise<Response> {
    return Promise.resolve(answer(req));
  }

  function answer(req: Request): Response {
    const url = new URL(req.url);
    const path = url.pathname.replace(/\/+$/, "");
    requests.push(`${path}${url.search}`);
    if (!path.startsWith(PREFIX)) {
      return error(404, `Unknown path ${path}.`, "invalid_request_error", "unknown_url");
    }
    if (req.method !== "GET") {
      return error(405, `Method ${req.method} not allowed.`, "invalid_request_error");
    }
    const auth = req.headers.get("authorization") ?? "";
    if (!/^Bearer sk-admin-\S+$/.test(auth)) {
      return error(
        401,
        "Invalid authorization header: the organization endpoints need an Admin API key (sk-admin-…).",
        "invalid_request_error",
        "invalid_api_key",
      );
    }
    const kind = path.slice(PREFIX.length);
    const q = url.searchParams;
    const list = (name: string) => [...q.getAll(name), ...q.getAll(`${name}[]`)];
    const start = Number(q.get("start_time"));
    if (!q.has("start_time") || !Number.isInteger(start) || start < 0) {
      return error(400, "start_time is required (Unix seconds).", "invalid_request_error");
    }
    const bucketWidth = q.get("bucket_width") ?? "1d";
    if (bucketWidth !== "1d") {
      return error(400, "Only bucket_width=1d is served offline.", "invalid_request_error");
    }
    const maxLimit = kind === "costs" ? 180 : 31;
    const limit = q.has("limit") ? Number(q.get("limit")) : 7;
    if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) {
      return error(400, `limit must be from 1 to ${maxLimit}.`, "invalid_request_error");
    }
    const end = q.has("end_time") ? Number(q.get("end_time")) : Infinity;
    const first = start - (start % DAY_S);
    const cursor = q.get("page");
    const offset = cursor === null ? 0 : Number(atob(cursor));
    if (!Number.isInteger(offset) || offset < 0) {
      return error(400, "Invalid page cursor.", "invalid_request_error");
    }
    const groupBy = list("group_by");
    const buckets = [];
    let index = offset;
    for (; index < offset + limit; index++) {
      const bucketStart = first + index * DAY_S;
      if (bucketStart >= end) break;
      if (end === Infinity && bucketStart * 1000 > Date.now()) break;
      buckets.push({
        object: "bucket",
        start_time: bucketStart,
        end_time: bucketStart + DAY_S,
        results: results(kind, dayOf(bucketStart), groupBy),
      });
    }
    const more = first + index * DAY_S < (end === Infinity ? Date.now() / 1000 : end) &&
      buckets.length === limit;
    return Response.json({
      object: "page",
      data: buckets,
      has_more: more,
      next_page: more ? btoa(String(index)) : null,
    });
  }

  function results(kind: string, day: string, groupBy: string[]): unknown[] {
    if (kind === "costs") {
      const rows = data.costs.filter((c) => c.day === day);
      return group(rows, (c) => [
        groupBy.includes("line_item") ? c.line_item : null,
        groupBy.includes("project_id") ? c.project_id ?? null : null,
      ], (key, rs) => ({
        object: "organization.costs.result",
        amount: { value: rs.reduce((s, c) => s + c.amount_usd, 0), currency: "usd" },
        line_item: key[0],
        project_id: key[1],
      }));
    }
    if (kind === "usage/completions") {
      return group(
        data.completions.filter((c) => c.day === day),
        (c) => [groupBy.includes("model") ? c.model : null],
        (key, rs) => ({
          object: "organization.usage.completions.result",
          input_tokens: rs.reduce((s, c) => s + c.input_tokens, 0),
          input_cached_tokens: rs.reduce((s, c) => s + c.input_cached_tokens, 0),
          output_tokens: rs.reduce((s, c) => s + c.output_tokens, 0),
          input_audio_tokens: 0,
          output_audio_tokens: 0,
          num_model_requests: rs.reduce((s, c) => s + c.num_model_requests, 0),
          model: key[0],
          project_id: null,
          user_id: null,
          api_key_id: null,
          batch: null,
        }),
      );
    }
    if (kind === "usage/audio_transcriptions") {
      return group(
        data.audio_transcriptions.filter((c) => c.day === day),
        (c) => [groupBy.includes("model") ? c.model : null],
        (key, rs) => ({
          object: "organization.usage.audio_transcriptions.result",
          seconds: rs.reduce((s, c) => s + c.seconds, 0),
          num_model_requests: rs.reduce((s, c) => s + c.num_model_requests, 0),
          model: key[0],
          project_id: null,
          user_id: null,
          api_key_id: null,
        }),
      );
    }
    return [];
  }

  return {
    handle,
    setDataset(next) {
      data = next;
    },
    requests,
  };
}

function group<T>(
  rows: readonly T[],
  keyOf: (row: T) => (string | null)[],
  make: (key: (string | null)[], rows: T[]) => unknown,
): unknown[] {
  const groups = new Map<string, { key: (string | null)[]; rows: T[] }>();
  for (const row of rows) {
    const key = keyOf(row);
    const id = JSON.stringify(key);
    const g = groups.get(id) ?? { key, rows: [] };
    g.rows.push(row);
    groups.set(id, g);
  }
  return [...groups.values()].map((g) => make(g.key, g.rows));
}
