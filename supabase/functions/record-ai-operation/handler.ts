// record-ai-operation: the school's own back-ends (the AI mentor and analyst, on OpenAI's Responses
// API) report their calls here so they land in the one ledger as `assistant` rows. The story of a
// request: authenticate the back-end → parse and validate every operation → price every one from
// the catalog → write them all in one statement (or none) → say which were new.
import { createClient } from "@supabase/supabase-js";
import { insertMetrics, type LedgerClient, metricKey } from "../_shared/ai/ledger.ts";
import { meterResponse, responseRequestId } from "../_shared/ai/responses.ts";
import type { OperationMetric } from "../_shared/ai/tracking.ts";
import {
  RecordBatch,
  type RecordedOperation,
  RecordOperation,
  type RecordResponse,
} from "../_shared/contracts/record.ts";
import { readJson } from "../_shared/http/body.ts";
import { errorResponse, HttpError } from "../_shared/http/errors.ts";
import { authenticateService } from "../_shared/http/service_auth.ts";
import { type Env, type Runtime, secretKeyFromEnv } from "../_shared/runtime.ts";

export const FUNCTION_NAME = "record-ai-operation";
/** 500 operations of ~700 bytes each fit with room to spare. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;
/** Clock skew allowed for a `created_at` in the future. */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

/** What the handler needs: the Runtime's clock, log and keys, plus a synchronous ledger writer. */
export interface RecordRuntime extends Pick<Runtime, "env" | "now" | "log" | "jwtSecret"> {
  /** A supabase-js client created with the service-role key. */
  ledger: LedgerClient;
}

/**
 * @example Deno.serve(createRecordHandler(createRecordRuntime(Deno.env.toObject())));
 */
export function createRecordRuntime(env: Env): RecordRuntime {
  const url = env.SUPABASE_URL;
  if (!url) throw new Error("SUPABASE_URL must be set");
  // A secret key (SUPABASE_SECRET_KEYS), or the legacy service-role key while a project has it:
  // the ledger keeps working when the legacy keys are turned off.
  const key = secretKeyFromEnv(env);
  const supabase = createClient(url, key, {
    auth: {
      persistSession: false,
      autoRefreshToken: false,
      detectSessionInUrl: false,
    },
  });
  return {
    env,
    ledger: supabase as unknown as LedgerClient,
    now: () => new Date(),
    log: (line) => console.log(line),
    jwtSecret: env.LEGACY_JWT_SECRET,
  };
}

const pathOf = (path: PropertyKey[]) =>
  path.reduce<string>(
    (s, p) => (typeof p === "number" ? `${s}[${p}]` : s ? `${s}.${String(p)}` : String(p)),
    "",
  ) || "body";

type ParsedItem = ReturnType<typeof RecordOperation.parse>;

/**
 * The path of the first string (value or key) holding U+0000, or null. Postgres text cannot store
 * it: without this check the write fails as if the ledger were down, and a back-end told to retry
 * would retry forever.
 */
export function nulPath(value: unknown, path = ""): string | null {
  if (typeof value === "string") return value.includes("\u0000") ? path || "body" : null;
  if (typeof value !== "object" || value === null) return null;
  for (const [k, v] of Object.entries(value)) {
    const at = Array.isArray(value) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
    if (k.includes("\u0000")) return at;
    const found = nulPath(v, at);
    if (found) return found;
  }
  return null;
}

function parseBody(json: unknown): { batch: boolean; items: ParsedItem[] } {
  const nul = nulPath(json);
  if (nul !== null) {
    throw new HttpError("invalid_request", `${nul}: contains the character U+0000`, {
      hint: "Nothing was recorded. Remove U+0000 (NUL) characters; text fields cannot hold them.",
      details: [{ path: nul, message: "contains U+0000" }],
    });
  }
  const batch = typeof json === "object" && json !== null &&
    !Array.isArray(json) &&
    "operations" in json;
  const parsed = batch ? RecordBatch.safeParse(json) : RecordOperation.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({
      path: pathOf(i.path),
      message: i.message,
    }));
    throw new HttpError(
      "invalid_request",
      `${issues[0].path}: ${issues[0].message}`,
      {
        hint:
          "Nothing was recorded. See the RecordOperation schema exported by shared/; fix the item and resend the whole request.",
        details: issues,
      },
    );
  }
  const data = parsed.data as ParsedItem | { operations: ParsedItem[] };
  return "operations" in data
    ? { batch: true, items: data.operations }
    : { batch: false, items: [data] };
}

const label = (
  batch: boolean,
  i: number,
) => (batch ? `operations[${i}]` : "body");

/** Prices every item (all of them, so one response names every problem); throws before any write. */
async function meterAll(
  rt: RecordRuntime,
  parsed: { batch: boolean; items: ParsedItem[] },
) {
  const now = rt.now();
  const invalid: { path: string; message: string }[] = [];
  const unpriced: {
    path: string;
    provider: string;
    model: string;
    message: string;
    reason: "unknown_model" | "unpriced_period" | "model_retired";
    shutdown_on?: string;
  }[] = [];
  const metrics: OperationMetric[] = [];
  for (const [i, item] of parsed.items.entries()) {
    const at = item.created_at ? new Date(item.created_at) : now;
    if (at.getTime() > now.getTime() + MAX_FUTURE_SKEW_MS) {
      invalid.push({
        path: `${label(parsed.batch, i)}.created_at`,
        message: "is in the future",
      });
      continue;
    }
    const requestId = await responseRequestId(item.response_id, item.provider);
    try {
      metrics.push(meterResponse(
        {
          id: item.response_id,
          model: item.model,
          usage: item.usage,
          status: item.status,
        },
        {
          requestId,
          platform: item.platform,
          userId: item.user_id,
          functionName: item.function_name,
          durationMs: item.duration_ms,
          provider: item.provider,
          model: item.model,
          at,
        },
      ));
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (
        code === "unknown_model" || code === "unpriced_period" ||
        code === "model_retired"
      ) {
        // A created_at on or after the model's shutdown: the provider refuses such calls, so the
        // report cannot be true as given (catalog lifecycle, issue 14).
        const shutdownOn = (err as { shutdownOn?: unknown }).shutdownOn;
        unpriced.push({
          path: label(parsed.batch, i),
          provider: item.provider,
          model: item.model,
          message: (err as Error).message,
          reason: code,
          ...(typeof shutdownOn === "string" ? { shutdown_on: shutdownOn } : {}),
        });
      } else if (code === "invalid_usage") {
        invalid.push({
          path: `${label(parsed.batch, i)}.usage`,
          message: (err as Error).message,
        });
      } else {
        throw err;
      }
    }
  }
  if (invalid.length > 0) {
    throw new HttpError(
      "invalid_request",
      `${invalid[0].path}: ${invalid[0].message}`,
      {
        hint: "Nothing was recorded. Fix the item and resend the whole request.",
        details: invalid,
      },
    );
  }
  if (unpriced.length > 0) {
    const first = unpriced[0];
    if (first.reason === "model_retired") {
      throw new HttpError(
        "unpriced_model",
        `${first.path}: ${first.provider}:${first.model} was shut down on ${first.shutdown_on}, before its created_at, so the call cannot be recorded.`,
        {
          hint:
            "Nothing was recorded. Check created_at (UTC) and report the model that actually served the call.",
          details: unpriced,
        },
      );
    }
    throw new HttpError(
      "unpriced_model",
      `${first.path}: ${first.provider}:${first.model} has no price in the catalog, so it cannot be recorded.`,
      {
        hint:
          "Nothing was recorded. Report the model you requested (e.g. gpt-4.1, not a dated snapshot), or add the model with its price to _shared/ai/catalog.ts.",
        details: unpriced,
      },
    );
  }
  return metrics;
}

/** `Key (user_id)=(…) is not present in table "users".` → the user id. */
function missingUser(details: string | null | undefined): string | null {
  return /\(user_id\)=\(([0-9a-f-]{36})\)/i.exec(details ?? "")?.[1] ?? null;
}

/** A failed write as the client's error: an unknown user is theirs to fix, anything else ours. */
function ledgerError(
  rt: RecordRuntime,
  result: {
    error: { code?: string; details?: string | null };
    status?: number;
  },
  parsed: { batch: boolean; items: ParsedItem[] },
): HttpError {
  if (result.error.code === "23503") {
    const user = missingUser(result.error.details);
    const items = parsed.items.flatMap((it, i) =>
      it.user_id === user ? [label(parsed.batch, i)] : []
    );
    return new HttpError(
      "unknown_user",
      `${items[0] ?? "body"}: user ${user ?? "(unknown)"} does not exist.`,
      {
        hint:
          "Nothing was recorded. user_id must be an auth.users id, or null for work tied to no student.",
        details: { user_id: user, items },
      },
    );
  }
  rt.log(
    JSON.stringify({
      level: "error",
      msg: "ledger write failed",
      error: result.error,
      status: result.status,
    }),
  );
  return new HttpError(
    "upstream_unavailable",
    "The ledger could not be written; nothing was recorded.",
    {
      status: 503,
      hint: "Retry the same request: operations already recorded are not recorded twice.",
      retryAfterSeconds: 1,
    },
  );
}

/**
 * @example Deno.serve(createRecordHandler(createRecordRuntime(Deno.env.toObject())));
 */
export function createRecordHandler(
  rt: RecordRuntime,
): (req: Request) => Promise<Response> {
  return async (req) => {
    try {
      if (req.method !== "POST") {
        throw new HttpError("method_not_allowed", "Use POST.");
      }
      const caller = await authenticateService(req, {
        jwtSecret: rt.jwtSecret,
        serviceRoleKey: rt.env.SUPABASE_SERVICE_ROLE_KEY,
        sharedSecret: rt.env.RECORD_AI_OPERATION_SECRET,
      });
      const parsed = parseBody(await readJson(req, MAX_BODY_BYTES));
      const metrics = await meterAll(rt, parsed);

      // The same response twice in one batch: the first report stands, like a later request.
      const unique = new Map<string, OperationMetric>();
      for (const m of metrics) {
        if (!unique.has(metricKey(m))) unique.set(metricKey(m), m);
      }
      const result = await insertMetrics(rt.ledger, [...unique.values()]);
      if (!result.ok) throw ledgerError(rt, result, parsed);

      const seen = new Set<string>();
      const operations: RecordedOperation[] = metrics.map((m, i) => {
        const key = metricKey(m);
        const duplicate = seen.has(key) || !result.inserted.has(key);
        seen.add(key);
        return {
          response_id: parsed.items[i].response_id,
          request_id: m.request_id,
          cost_usd: m.cost_usd!,
          duplicate,
        };
      });
      const body: RecordResponse = {
        recorded: result.inserted.size,
        duplicates: operations.length - result.inserted.size,
        operations,
      };
      rt.log(JSON.stringify({
        level: "info",
        msg: "ai operations recorded",
        via: caller.via,
        recorded: body.recorded,
        duplicates: body.duplicates,
      }));
      return Response.json(body);
    } catch (err) {
      return errorResponse(err, rt.log);
    }
  };
}
