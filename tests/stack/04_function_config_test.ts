// Every function declared in supabase/config.toml is deployable as it is: its entrypoint exists,
// it has its own deno.json, and that file pins the same versions as the root deno.json (one set of
// pins, so tests exercise exactly what deploys).
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);
const config = await Deno.readTextFile(new URL("supabase/config.toml", ROOT));
const root = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
const functions = [
  ...config.matchAll(/^\[functions\.([a-z0-9-]+)\]([\s\S]*?)(?=^\[|$(?![\s\S]))/gm),
]
  .map((m) => ({ slug: m[1], body: m[2] }));

Deno.test("config.toml declares the functions", () => {
  assert.ok(functions.length >= 1);
});

for (const { slug, body } of functions) {
  Deno.test(`${slug}: entrypoint, deno.json and verify_jwt are declared and consistent`, async () => {
    assert.match(body, /verify_jwt = (true|false)/, "verify_jwt is explicit");
    const dir = new URL(`supabase/functions/${slug}/`, ROOT);
    await Deno.stat(new URL("index.ts", dir));
    const own = JSON.parse(await Deno.readTextFile(new URL("deno.json", dir)));
    for (const [name, spec] of Object.entries(own.imports ?? {})) {
      assert.equal(spec, root.imports[name], `${name} is pinned as in the root deno.json`);
    }
  });
}
