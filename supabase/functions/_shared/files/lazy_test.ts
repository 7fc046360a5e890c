import assert from "node:assert/strict";
import { loadJpegTurbo } from "./codecs.ts";
import { loadUnpdf } from "./lazy.ts";

const HEAVY = /unpdf|@cwasm|jpeg-js/;

interface ModuleInfo {
  specifier: string;
  dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[];
}

/** Modules reachable from `file` through static imports only, per `deno info --json`. */
async function staticGraph(file: string): Promise<string[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL(file, import.meta.url).href],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assert.ok(output.success);
  const info = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    roots: string[];
    modules: ModuleInfo[];
  };
  const bySpecifier = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const queue = [...info.roots];
  while (queue.length > 0) {
    const specifier = queue.pop()!;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dep of bySpecifier.get(specifier)?.dependencies ?? []) {
      if (!dep.isDynamic && dep.code) queue.push(dep.code.specifier);
    }
  }
  return [...seen];
}

Deno.test("lazy: no module of this library imports a heavy library statically", async () => {
  for (
    const file of [
      "detect.ts",
      "chunk.ts",
      "image.ts",
      "codecs.ts",
      "pdf.ts",
      "docx.ts",
      "lazy.ts",
    ]
  ) {
    const graph = await staticGraph(file);
    assert.ok(graph.length > 0);
    assert.deepEqual(graph.filter((s) => HEAVY.test(s)), [], file);
  }
});

Deno.test("lazy: each loader is memoised (one import, one wasm compilation per worker)", async () => {
  assert.equal(await loadUnpdf(), await loadUnpdf());
  const [a, b] = await Promise.all([loadJpegTurbo(), loadJpegTurbo()]);
  assert.equal(a, b);
  assert.ok(a instanceof WebAssembly.Module);
});
