// An answer Postgres cannot store (U+0000, a lone surrogate) still completes its Idempotency-Key,
// as "done, not replayable": every retry for the key's whole life, even past the 10-minute lease,
// gets 409 `idempotency_not_replayable` and never a second provider call. Both control stores.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { SECRET_KEY } from "../../scripts/stack/config.mjs";
import {
  type ControlStore,
  createControlStore,
  createRestControlStore,
} from "../../supabase/functions/_shared/db.ts";
import {
  beginIdempotent,
  completeIdempotent,
  NOT_REPLAYABLE_STATUS,
} from "../../supabase/functions/_shared/request.ts";
import { connect, createUser, env } from "./stack.ts";

const stores: [string, () => ControlStore][] = [
  ["postgres (transaction pooler)", () => createControlStore(env.dbUrl)],
  ["data-api", () => createRestControlStore({ url: env.supabaseUrl, key: SECRET_KEY })],
];

for (const [name, make] of stores) {
  Deno.test(`control store over ${name}: an unstorable answer completes its key as not replayable`, async () => {
    const sql = connect(2);
    const store = make();
    const logs: string[] = [];
    const rt = { store, log: (line: string) => logs.push(line) };
    try {
      const userId = await createUser(sql);
      for (const bad of ["a\u0000b", "a\uD800b", "\uDC00"]) {
        const scope = { userId, fn: "process-file-upload", key: randomUUID() };
        assert.equal(await beginIdempotent(store, scope, "hash"), null, "a new key");
        await completeIdempotent(rt, scope, 200, { summary: bad });
        // Past the lease: the key is done, so nothing can claim it again.
        await sql`update ai_private.idempotency_keys set locked_until = now() - interval '1 hour'
                  where user_id = ${userId} and idempotency_key = ${scope.key}`;
        const stored = await beginIdempotent(store, scope, "hash");
        assert.equal(stored?.status, NOT_REPLAYABLE_STATUS, JSON.stringify(bad));
        assert.equal(
          (stored?.body as { error: { code: string } }).error.code,
          "idempotency_not_replayable",
        );
      }
      assert.ok(logs.some((l) => l.includes("not replayable")), "the fallback is logged");
    } finally {
      await store.close();
      await sql.end();
    }
  });
}
