// `npm run token` gives a developer a user's access token for local work, creating the user.
import assert from "node:assert/strict";
import { closeDb, db, stackEnv } from "../_support/stack.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

async function token(args: string[]) {
  const port = new URL(stackEnv.url).port;
  const out = await new Deno.Command("node", {
    args: ["scripts/token.mjs", ...args, "--port", port],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test("npm run token -- <uuid> --admin creates the admin and its token works through PostgREST", async () => {
  const id = crypto.randomUUID();
  const jwt = await token([id, "--admin"]);
  const claims = JSON.parse(atob(jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
  assert.equal(claims.sub, id);
  assert.equal(claims.role, "authenticated");
  assert.equal(claims.app_metadata.role, "admin");
  const [user] =
    await db()`select raw_app_meta_data ->> 'role' as role from auth.users where id = ${id}`;
  assert.equal(user.role, "admin", "the auth.users row exists with app_metadata.role = admin");

  const res = await fetch(`${stackEnv.url}/rest/v1/ai_operations_metrics?select=id&limit=1`, {
    headers: { apikey: stackEnv.anonKey, authorization: `Bearer ${jwt}` },
  });
  assert.equal(res.status, 200, "PostgREST accepts the token");
  await res.body?.cancel();

  const again = await token([id]);
  const claims2 = JSON.parse(atob(again.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
  assert.equal(claims2.app_metadata.role, undefined, "without --admin the user is a student again");
  await closeDb();
});

Deno.test("npm run token -- <uuid> --platforms main grants main only and issues the token in one step", async () => {
  const id = crypto.randomUUID();
  const claimsOf = (jwt: string) =>
    JSON.parse(atob(jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
  const jwt = await token([id, "--platforms", "main"]);
  assert.deepEqual(claimsOf(jwt).app_metadata.platforms, ["main"]);
  const [row] = await db()`select raw_app_meta_data -> 'platforms' as p from auth.users
                           where id = ${id}`;
  assert.deepEqual(row.p, ["main"], "granted on the auth.users row, as the Auth admin API does");
  const chat = (platform: string) =>
    fetch(`${stackEnv.url}/functions/v1/process-chat`, {
      method: "POST",
      headers: {
        apikey: stackEnv.anonKey,
        authorization: `Bearer ${jwt}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ platform, message: "Привет" }),
    });
  const refused = await chat("tripwire");
  assert.equal(refused.status, 403);
  assert.equal((await refused.json()).error.code, "platform_forbidden");

  // Without the flag the grant stays (a token never widens it); --platforms replaces it.
  assert.deepEqual(claimsOf(await token([id])).app_metadata.platforms, ["main"]);
  const both = claimsOf(await token([id, "--platforms", "main,tripwire"]));
  assert.deepEqual(both.app_metadata.platforms, ["main", "tripwire"]);

  // A new user without the flag may use both platforms, as before (no claim at all).
  assert.equal(claimsOf(await token([crypto.randomUUID()])).app_metadata.platforms, undefined);
  await closeDb();
});
