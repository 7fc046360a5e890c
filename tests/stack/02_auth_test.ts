// auth.uid(), auth.role() and auth.jwt() behave as on hosted Supabase under a user's token.
import assert from "node:assert/strict";
import { closeDb, createUser, db, stackEnv } from "../_support/stack.ts";

Deno.test("auth.uid() is the token's sub through PostgREST, and DDL reloads PostgREST's schema", async () => {
  const sql = db();
  // A throwaway function created now: calling it proves the DDL-watch trigger reloaded PostgREST.
  await sql.unsafe(`
    create or replace function public.stack_test_whoami() returns jsonb
    language sql stable set search_path = '' as $$
      select jsonb_build_object('uid', auth.uid(), 'role', auth.role(),
                                'admin', auth.jwt() -> 'app_metadata' ->> 'role')
    $$;
    revoke all on function public.stack_test_whoami() from public, anon;
    grant execute on function public.stack_test_whoami() to authenticated;`);
  try {
    const user = await createUser();
    const admin = await createUser({ admin: true });
    const call = async (token: string) => {
      for (let i = 0; i < 50; i++) {
        const res = await fetch(`${stackEnv.url}/rest/v1/rpc/stack_test_whoami`, {
          method: "POST",
          headers: {
            apikey: stackEnv.anonKey,
            authorization: `Bearer ${token}`,
            "content-type": "application/json",
          },
          body: "{}",
        });
        if (res.status !== 404) return { status: res.status, body: await res.json() };
        await res.body?.cancel();
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error("PostgREST never saw the new function");
    };
    const a = await call(user.token);
    assert.equal(a.status, 200);
    assert.deepEqual(a.body, { uid: user.id, role: "authenticated", admin: null });
    const b = await call(admin.token);
    assert.deepEqual(b.body, { uid: admin.id, role: "authenticated", admin: "admin" });
    const anon = await fetch(`${stackEnv.url}/rest/v1/rpc/stack_test_whoami`, {
      method: "POST",
      headers: { apikey: stackEnv.anonKey, "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(anon.status, 401, "anon may not execute what is granted to authenticated only");
    await anon.body?.cancel();
  } finally {
    await sql.unsafe(`drop function if exists public.stack_test_whoami()`);
    await closeDb();
  }
});
