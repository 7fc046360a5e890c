// The committed supabase-js Database type matches the migrated schema: a migration that changes a
// table or view without `npm run gen:types` fails here.
import assert from "node:assert/strict";
import { stackEnv } from "../_support/stack.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

Deno.test("supabase/functions/_shared/database.types.ts is up to date with the migrations", async () => {
  const gen = await new Deno.Command("node", {
    args: ["scripts/gen-types.mjs", "--stdout", "--db-url", stackEnv.dbUrl],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(gen.code, 0, new TextDecoder().decode(gen.stderr));
  const fmt = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext", "ts", "-"],
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const w = fmt.stdin.getWriter();
  await w.write(gen.stdout);
  await w.close();
  const formatted = new TextDecoder().decode((await fmt.output()).stdout);
  const committed = await Deno.readTextFile(`${ROOT}supabase/functions/_shared/database.types.ts`);
  assert.equal(
    committed,
    formatted,
    "run `npm run gen:types` against a database with the migrations",
  );
});
