// CORS for browser frontends calling `supabase.functions.invoke` (Supabase's documented headers,
// plus Idempotency-Key, which our functions accept).
export const corsHeaders: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers":
    "authorization, x-client-info, apikey, content-type, idempotency-key",
  "access-control-allow-methods": "POST, OPTIONS",
  "access-control-expose-headers": "retry-after, x-request-id",
};

/** Answers a preflight, or returns null for any other request. */
export function preflight(req: Request): Response | null {
  return req.method === "OPTIONS" ? new Response("ok", { headers: corsHeaders }) : null;
}
