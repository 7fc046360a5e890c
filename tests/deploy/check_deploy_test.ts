// `npm run check:deploy` on small fixture projects: a function over the 5 MB server-side bundle is
// OVER and fails the command, one within it passes, and a custom secret with hosted's reserved
// SUPABASE_ prefix is flagged. No stack, no npm packages: a few seconds.
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { findEnvReads, readEnvFileKeys } from "../../scripts/deploy/secrets.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CLI = join(ROOT, "scripts/check-deploy.mjs");

interface FixtureFunction {
  slug: string;
  files: Record<string, string>;
}

/** A throwaway project: supabase/config.toml with absolute paths, one folder per function. */
async function fixtureProject(
  functions: FixtureFunction[],
  extra: Record<string, string> = {},
): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "check-deploy-" });
  let toml = "";
  for (const fn of functions) {
    const fnDir = join(dir, "supabase/functions", fn.slug);
    await Deno.mkdir(fnDir, { recursive: true });
    await Deno.writeTextFile(join(fnDir, "deno.json"), '{ "nodeModulesDir": "none" }\n');
    for (const [name, text] of Object.entries(fn.files)) {
      await Deno.writeTextFile(join(fnDir, name), text);
    }
    toml += `[functions.${fn.slug}]\nenabled = true\nverify_jwt = true\n` +
      `import_map = "${join(fnDir, "deno.json")}"\nentrypoint = "${join(fnDir, "index.ts")}"\n\n`;
  }
  await Deno.writeTextFile(join(dir, "supabase/config.toml"), toml);
  for (const [path, text] of Object.entries(extra)) {
    await Deno.writeTextFile(join(dir, "supabase", path), text);
  }
  return dir;
}

interface CheckResult {
  ok: boolean;
  functions: { slug: string; status: string; compressedBytes: number; rawBytes: number }[];
  secrets: { ok: boolean; custom: { name: string }[]; reserved: { name: string }[] };
}

async function runCheck(dir: string): Promise<{ code: number; result: CheckResult }> {
  const out = await new Deno.Command("node", {
    args: [CLI, "--json", "--config", join(dir, "supabase/config.toml")],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  assert.ok(stdout.startsWith("{"), new TextDecoder().decode(out.stderr) || stdout);
  return { code: out.code, result: JSON.parse(stdout) };
}

/** base64 of random bytes: brotli cannot shrink it below 3/4 of its length. */
function incompressibleText(rawBytes: number): string {
  const bytes = new Uint8Array(rawBytes);
  for (let i = 0; i < bytes.length; i += 65536) {
    crypto.getRandomValues(bytes.subarray(i, Math.min(i + 65536, bytes.length)));
  }
  let binary = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return btoa(binary);
}

const small: FixtureFunction = {
  slug: "small",
  files: {
    "index.ts": 'import { greet } from "./greet.ts";\nDeno.serve(() => new Response(greet()));\n',
    "greet.ts": 'export const greet = () => "hello";\n',
  },
};

Deno.test("a function whose bundle compresses past 5 MB is OVER and the check exits non-zero", async () => {
  const big: FixtureFunction = {
    slug: "big",
    files: {
      "index.ts": 'import { blob } from "./blob.js";\nDeno.serve(() => new Response(blob));\n',
      // 6 MB of random bytes, as base64 in a module the entrypoint imports.
      "blob.js": `export const blob = "${incompressibleText(6_000_000)}";\n`,
    },
  };
  const dir = await fixtureProject([big, small]);
  try {
    const { code, result } = await runCheck(dir);
    assert.notEqual(code, 0);
    assert.equal(result.ok, false);
    const bySlug = Object.fromEntries(result.functions.map((f) => [f.slug, f]));
    assert.equal(bySlug.big.status, "OVER");
    assert.ok(bySlug.big.compressedBytes > 5_000_000, "the imported local file is counted");
    assert.equal(bySlug.small.status, "OK", "a small function beside it still passes");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("functions within the limit and without reserved secrets pass with exit 0", async () => {
  const dir = await fixtureProject([small]);
  try {
    const { code, result } = await runCheck(dir);
    assert.equal(code, 0);
    assert.equal(result.ok, true);
    assert.equal(result.functions[0].status, "OK");
    assert.ok(result.functions[0].compressedBytes < 10_000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a custom secret named SUPABASE_FOO is flagged; the names hosted injects are not", async () => {
  const reader: FixtureFunction = {
    slug: "reader",
    files: {
      "index.ts": [
        'const url = Deno.env.get("SUPABASE_URL");',
        'const foo = Deno.env.get("SUPABASE_FOO");',
        "const env = Deno.env.toObject();",
        "const key = env.GROQ_API_KEY;",
        "Deno.serve(() => new Response(`${url}${foo}${key}`));",
        "",
      ].join("\n"),
      // Tests may read anything: they are not deployed.
      "index_test.ts": 'Deno.env.get("SUPABASE_ONLY_IN_TESTS");\n',
    },
  };
  const dir = await fixtureProject([reader], {
    "functions/.env.example": "# copy to .env\nSUPABASE_BAR=x\nOPENAI_API_KEY=\n",
  });
  try {
    const { code, result } = await runCheck(dir);
    assert.notEqual(code, 0);
    assert.equal(result.functions[0].status, "OK", "the bundle itself is fine");
    assert.deepEqual(result.secrets.reserved.map((s) => s.name), ["SUPABASE_BAR", "SUPABASE_FOO"]);
    const custom = result.secrets.custom.map((s) => s.name);
    assert.ok(custom.includes("GROQ_API_KEY") && custom.includes("OPENAI_API_KEY"));
    assert.ok(!custom.includes("SUPABASE_URL"), "hosted injects SUPABASE_URL itself");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("settings are found however the code reads them", () => {
  const text = [
    'Deno.env.get("A_GET")',
    "env.A_DOT",
    'env["A_INDEX"]',
    'required(env, "A_HELPER")',
    'readEnv(Deno.env, "A_DENO_HELPER")',
    "env.toObject()",
  ].join("\n");
  assert.deepEqual(
    [...findEnvReads(text).keys()].sort(),
    ["A_DENO_HELPER", "A_DOT", "A_GET", "A_HELPER", "A_INDEX"],
  );
  assert.deepEqual(readEnvFileKeys("# c\nexport X=1\n\nY = 2\n"), ["X", "Y"]);
});
