// What one function weighs when hosted Supabase bundles it server-side, measured before deploying.
//
// How the deploy works (read 2026-12-01 in supabase/cli 1d1e719, apps/cli-go, and
// supabase/edge-runtime b1edf45):
// - `supabase functions deploy` bundles with Docker by default; without a running Docker engine (our
//   machines) it warns and falls back to the API path, the same as `--use-api`
//   (internal/functions/deploy/deploy.go). That path (pkg/function/deploy.go `writeForm`) uploads
//   source, not a bundle: a multipart form with the metadata, the import map / deno.json, every
//   `static_files` match, and the local files it finds by walking relative imports from the
//   entrypoint with a regex (pkg/function/deno.go `WalkImportPaths`). npm packages are NOT uploaded.
// - The server then bundles it into an eszip with the edge runtime: the module graph, plus, for
//   every npm package the graph resolved, its WHOLE folder from the npm cache
//   (crates/deno_facade/eszip/vfs.rs `build_npm_vfs`: `add_dir_recursive` over
//   `all_system_packages`). README, .d.ts, source maps and src/ copies all count.
// - The CLI's own (Docker) bundler stores an eszip as "EZBR" + brotli at the Go library's default
//   settings, quality 6 and a 2^22 window (pkg/function/bundle.go `Compress`, andybalholm/brotli
//   DefaultCompression). The 20 MB local-bundling limit is checked on that compressed upload.
// - The 5 MB limit for server-side bundling is documented without saying whether it applies to the
//   compressed or the raw eszip (supabase.com/docs/guides/troubleshooting/
//   edge-function-bundle-size-issues, checked 2026-12-01). Not knowable from outside. We gate on
//   the brotli-compressed size, because (a) that is the artifact the platform stores and the
//   20 MB sibling limit is measured on, and (b) a raw 5 MB cap would refuse any function importing
//   npm:openai (24 MB on disk) or npm:@supabase/supabase-js with its deps (8 MB), which Supabase's
//   own Dashboard examples deploy server-side. Conservative choices where we must guess: whole
//   package folders (as the runtime copies them), source files before TypeScript is stripped, a
//   brotli flush after each package (costs a few bytes), and 5 MB read as 5,000,000 bytes, the
//   smaller reading. The raw size is printed beside it so nobody mistakes which one gates.
//   supabase/cli#5076 reports a server-side failure near 4 MB of raw TypeScript with an opaque
//   500, not the size error: leave headroom, and re-measure after any new dependency.
import { execFile } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import zlib from "node:zlib";

/** Server-side bundle limit, read as 5,000,000 bytes (the smaller reading of "5 MB"). */
export const BUNDLE_LIMIT_BYTES = 5_000_000;

/** The CLI's eszip compression: brotli quality 6 (andybalholm DefaultCompression), 2^22 window. */
export const BROTLI_PARAMS = {
  [zlib.constants.BROTLI_PARAM_QUALITY]: 6,
  [zlib.constants.BROTLI_PARAM_LGWIN]: 22,
};

/**
 * The module graph of one function as Deno resolves it with the function's own deno.json: local
 * (and cached remote) module files, and every npm package with the exact version resolved.
 * `deno` is the 2.9 binary: its `deno info --json` gives each package's folder (`localPath`); when
 * absent (2.1), the folder is derived from the npm cache.
 *
 * @example
 * const graph = await resolveModuleGraph({ deno: BIN.deno, entrypoint, importMap });
 * // { modules: [{ path, bytes }], packages: [{ id, name, version, dir }], errors: [] }
 */
export async function resolveModuleGraph({ deno, entrypoint, importMap, cwd, env }) {
  const args = ["info", "--json"];
  if (importMap) args.push("--config", importMap);
  args.push(entrypoint);
  const info = JSON.parse(await execText(deno, args, { cwd, env }));
  const errors = [];
  const modules = [];
  for (const m of info.modules ?? []) {
    if (m.error) errors.push(`${m.specifier}: ${m.error}`);
    else if (m.local && m.kind !== "npm" && m.kind !== "node") {
      modules.push({ path: m.local, bytes: m.size ?? statSync(m.local).size });
    }
  }
  let npmCache;
  const packages = [];
  const seen = new Set();
  for (const p of Object.values(info.npmPackages ?? {})) {
    let dir = p.localPath;
    if (!dir) {
      npmCache ??= JSON.parse(await execText(deno, ["info", "--json"], { cwd, env })).npmCache;
      const host = new URL(p.registryUrl ?? "https://registry.npmjs.org/").host;
      dir = join(npmCache, host, p.name, p.version);
    }
    // Peer-dependency variants (openai@7.57.0_zod@4.6.7) share one folder: copied once.
    if (seen.has(dir)) continue;
    seen.add(dir);
    packages.push({ id: `${p.name}@${p.version}`, name: p.name, version: p.version, dir });
  }
  packages.sort((a, b) => a.id.localeCompare(b.id));
  return { modules, packages, errors };
}

/**
 * Raw and brotli-compressed bytes of everything the eszip would hold: the given local files (the
 * module graph plus the import map), then each package's whole folder. One brotli stream, as the
 * eszip is compressed whole; flushed after each package so its share of the compressed size can
 * be reported.
 *
 * @example
 * const m = await measureBundle({ localFiles: ["/x/index.ts"], packages, root: "/x" });
 * // { files, rawBytes, compressedBytes, local: {...}, packages: [{ id, files, rawBytes, compressedBytes }] }
 */
export async function measureBundle({ localFiles, packages, root }) {
  const brotli = zlib.createBrotliCompress({ params: BROTLI_PARAMS });
  let out = 0;
  brotli.on("data", (chunk) => (out += chunk.length));
  const ended = new Promise((resolve, reject) => {
    brotli.on("end", resolve);
    brotli.on("error", reject);
  });
  const write = (buf) =>
    new Promise((resolve) => (brotli.write(buf) ? resolve() : brotli.once("drain", resolve)));
  const flush = () => new Promise((resolve) => brotli.flush(resolve));

  const addGroup = async (files, keyOf) => {
    const before = out;
    let rawBytes = 0;
    for (const file of files) {
      const content = readFileSync(file);
      rawBytes += content.length;
      // The eszip keys each entry by its path; count the key like the content.
      await write(Buffer.from(`${keyOf(file)}\0`));
      await write(content);
    }
    await flush();
    return { files: files.length, rawBytes, compressedBytes: out - before };
  };

  const local = await addGroup([...new Set(localFiles)].sort(), (f) => relative(root, f));
  const perPackage = [];
  for (const p of packages) {
    const files = listFiles(p.dir);
    const m = await addGroup(files, (f) => `node_modules/${p.id}/${relative(p.dir, f)}`);
    perPackage.push({ id: p.id, name: p.name, version: p.version, ...m });
  }
  brotli.end();
  await ended;
  return {
    files: local.files + perPackage.reduce((n, p) => n + p.files, 0),
    rawBytes: local.rawBytes + perPackage.reduce((n, p) => n + p.rawBytes, 0),
    compressedBytes: out,
    local,
    packages: perPackage,
  };
}

/** Every regular file under `dir`, sorted by path (the eszip's virtual folders sort by name). */
export function listFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

/**
 * Graph + measure for one `[functions.<slug>]` entry of config.toml (as `readSupabaseConfig()`
 * returns it). Status is OVER when the compressed size exceeds `limitBytes`, ERROR when the graph
 * does not resolve.
 */
export async function checkFunctionBundle(
  fn,
  { deno, root, env, limitBytes = BUNDLE_LIMIT_BYTES },
) {
  const graph = await resolveModuleGraph({
    deno,
    entrypoint: fn.entrypoint,
    importMap: fn.importMap,
    cwd: root,
    env,
  });
  const localFiles = graph.modules.map((m) => m.path);
  if (fn.importMap) localFiles.push(fn.importMap);
  const m = await measureBundle({ localFiles, packages: graph.packages, root });
  const status = graph.errors.length ? "ERROR" : m.compressedBytes > limitBytes ? "OVER" : "OK";
  return {
    slug: fn.slug,
    status,
    limitBytes,
    marginBytes: limitBytes - m.compressedBytes,
    ...m,
    errors: graph.errors,
  };
}

function execText(cmd, args, opts) {
  return new Promise((resolve, reject) =>
    execFile(
      cmd,
      args,
      { ...opts, maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) =>
        err
          ? reject(new Error(`${cmd} ${args.join(" ")} failed: ${stderr || err.message}`))
          : resolve(
            stdout,
          ),
    )
  );
}
