// A local worker starts from its function's Deno 2.1 lockfile when `npm ci` wrote one (as hosted
// starts from a bundle whose npm packages were resolved at deploy time), and without a lockfile
// otherwise, never from the root one (Deno 2.9's format, which 2.1 cannot read).
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { edgeLockPath, workerArgs } from "../../scripts/stack/workers.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const limits = { enforce: false, memoryMb: 256 };

Deno.test("a worker reads its function's lockfile when there is one, and none otherwise", async () => {
  const slug = `lock-test-${crypto.randomUUID()}`;
  const config = join(ROOT, "supabase/functions", slug, "deno.json");
  const lock = edgeLockPath(config);
  assert.equal(lock, join(ROOT, ".local/edge-locks", `${slug}.lock`));
  const args = () => workerArgs({ config, hostPath: "host.ts", entrypoint: "index.ts", limits });
  assert.ok(args().includes("--no-lock"));
  assert.ok(!args().some((a: string) => a.startsWith("--lock")));
  await Deno.mkdir(dirname(lock), { recursive: true });
  await Deno.writeTextFile(lock, '{ "version": "4" }\n');
  try {
    assert.ok(args().includes(`--lock=${lock}`));
    assert.ok(!args().includes("--no-lock"));
  } finally {
    await Deno.remove(lock);
  }
});
