/**
 * Contracts and typed helpers for the school's AI edge functions. The schemas here are the ones
 * the functions validate with (one source of truth under supabase/functions/_shared/contracts).
 * @module
 */
export * from "../supabase/functions/_shared/contracts/chat.ts";
export * from "../supabase/functions/_shared/contracts/voice.ts";
export * from "./errors.ts";
export * from "./invoke.ts";
export * from "../supabase/functions/_shared/contracts/record.ts";
export * from "../supabase/functions/_shared/contracts/file.ts";
export type { Database, Json } from "../supabase/functions/_shared/database.types.ts";
