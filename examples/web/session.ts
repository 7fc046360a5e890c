// Signing in, the two ways the app can: on a hosted project with supabase.auth (email and
// password), and against the local stack, which has no Auth server, with an access token the stack
// issues (the demo server mints one for the demo student or admin, or paste one from
// `npm run token -- <uuid>`). Either way the pages get one supabase-js client whose requests carry
// the student's session, which is all `shared/` needs.
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import type { Database } from "../../shared/index.ts";

export interface AppConfig {
  /** "local": the stack from `npm run demo` / `npm start`; "hosted": a Supabase project. */
  mode: "local" | "hosted";
  supabaseUrl: string;
  publishableKey: string;
}

export type Client = SupabaseClient<Database>;

export async function loadConfig(): Promise<AppConfig> {
  const res = await fetch("./config.json", { cache: "no-store" });
  return await res.json() as AppConfig;
}

const TOKEN_KEY = "ai-demo-access-token";

/** A local session: the token is kept for this tab only, so a reload stays signed in. */
export function localClient(config: AppConfig, token: string): Client {
  sessionStorage.setItem(TOKEN_KEY, token);
  return createClient<Database>(config.supabaseUrl, config.publishableKey, {
    accessToken: () => Promise.resolve(token),
  });
}

export function storedLocalToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function forgetLocalToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** Asks the local demo server for a token of the demo student or admin. */
export async function demoToken(role: "student" | "admin"): Promise<string> {
  const res = await fetch("./demo/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ role }),
  });
  if (!res.ok) throw new Error(`The demo server gave no token (${res.status}).`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** A hosted project's client; supabase.auth keeps the session in localStorage. */
export function hostedClient(config: AppConfig): Client {
  return createClient<Database>(config.supabaseUrl, config.publishableKey);
}

/** The user id inside a token (for display only: the server verifies the token). */
export function tokenSubject(token: string): string {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return String(JSON.parse(atob(part)).sub ?? "?");
  } catch {
    return "?";
  }
}

/**
 * Wires the sign-in box of a page (both pages have the same one) and calls `onClient` once a
 * client with a session exists.
 */
export async function signIn(
  role: "student" | "admin",
  onClient: (client: Client, who: string) => void,
): Promise<void> {
  const config = await loadConfig();
  const box = document.querySelector<HTMLElement>("#auth")!;
  const status = document.querySelector<HTMLElement>("[data-testid=auth-status]")!;
  const local = box.querySelector<HTMLElement>(".local")!;
  const hosted = box.querySelector<HTMLElement>(".hosted")!;
  local.hidden = config.mode !== "local";
  hosted.hidden = config.mode !== "hosted";
  const done = (client: Client, who: string) => {
    status.textContent = `Signed in as ${who}`;
    box.dataset.state = "signed-in";
    onClient(client, who);
  };
  const fail = (e: unknown) => {
    status.textContent = `Not signed in: ${(e as Error).message ?? e}`;
  };

  if (config.mode === "local") {
    const use = (token: string) => done(localClient(config, token), tokenSubject(token));
    const saved = storedLocalToken();
    if (saved) use(saved);
    box.querySelector("[data-testid=auth-demo]")!.addEventListener("click", async () => {
      try {
        use(await demoToken(role));
      } catch (e) {
        fail(e);
      }
    });
    box.querySelector("form.local")!.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const token = box.querySelector<HTMLInputElement>("[data-testid=auth-token]")!.value.trim();
      if (token) use(token);
    });
    return;
  }

  const client = hostedClient(config);
  const { data } = await client.auth.getSession();
  if (data.session) done(client, data.session.user.email ?? data.session.user.id);
  box.querySelector("form.hosted")!.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const email = box.querySelector<HTMLInputElement>("input[type=email]")!.value;
    const password = box.querySelector<HTMLInputElement>("input[type=password]")!.value;
    const { data, error } = await client.auth.signInWithPassword({ email, password });
    if (error) fail(error);
    else done(client, data.user.email ?? data.user.id);
  });
}
