// CORS for browser frontends calling `supabase.functions.invoke`. Hosted's gateway passes OPTIONS
// to the function, so the function answers its own preflight. The allowed headers are every header
// supabase-js sends (2.119.1 exports them from `@supabase/supabase-js/cors`: authorization,
// x-client-info, apikey, content-type, x-retry-count, traceparent, tracestate, baggage), plus
// x-region (functions-js sends it when a region is set) and Idempotency-Key, which our functions
// accept. tests/stack/08_gateway_parity_test.ts keeps this list in step with supabase-js.
export const corsHeaders: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers":
    "authorization, x-client-info, apikey, content-type, x-retry-count, traceparent, tracestate, baggage, x-region, idempotency-key",
  "access-control-allow-methods": "POST, OPTIONS",
  "access-control-expose-headers": "retry-after, x-request-id",
};

/**
 * The headers every answer of ours starts from: CORS, and `cache-control: no-transform`, which
 * stops Deno.serve compressing the body. Deno 2.1's server gzips or brotli-compresses a JSON or
 * event-stream body whenever the client's Accept-Encoding allows (fetch, undici and browsers all
 * send one): a 0.5 KB chat answer shrank by ~150 bytes, inside one packet either way, and each
 * request took 0.7–1.0 ms longer at p50 and 1.5–2.5 ms at p95 through the gateway with a fetch
 * client (docs/PERFORMANCE.md, "Compression"). A stream's events were compressed one flush at a
 * time. Hosted's edge compresses what it sends on to browsers on its own terms; the worker has
 * nothing to gain from doing it.
 */
export const answerHeaders: Record<string, string> = {
  ...corsHeaders,
  "cache-control": "no-transform",
};

/** Answers a preflight, or returns null for any other request. */
export function preflight(req: Request): Response | null {
  return req.method === "OPTIONS" ? new Response("ok", { headers: corsHeaders }) : null;
}
