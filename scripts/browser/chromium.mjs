// The Chromium the `@sparticuz/chromium` npm package ships, for the browser tests and the eval
// images: installed by `npm ci` like everything else, nothing downloaded.

import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";
import chromium from "@sparticuz/chromium";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

/** Flags that work on these machines as root with no network (see env/machines/node.md). */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  // /dev/shm is 64 MB in many containers; Chromium then crashes under load without saying why.
  "--disable-dev-shm-usage",
];

/**
 * The packaged Chromium, unpacked once per package version under node_modules/.cache (which
 * `npm ci` starts afresh). @sparticuz/chromium unpacks into os.tmpdir(), and would reuse any
 * /tmp/chromium it finds, whatever its version: TMPDIR points it at a staging folder, renamed into
 * place only when complete, so an interrupted or concurrent first run never leaves half a browser.
 * @example const browser = await puppeteer.launch({ executablePath: await unpackedChromium(),
 *   args: CHROMIUM_ARGS, userDataDir });
 */
export async function unpackedChromium() {
  const pkg = join(ROOT, "node_modules/@sparticuz/chromium");
  const { version } = JSON.parse(await readFile(join(pkg, "package.json"), "utf8"));
  const dir = join(ROOT, "node_modules/.cache/sparticuz-chromium", version);
  if (!existsSync(join(dir, "chromium"))) {
    const staging = `${dir}.staging-${process.pid}`;
    await mkdir(staging, { recursive: true });
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = staging;
    try {
      await chromium.executablePath(join(pkg, "bin"));
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
    }
    await rename(staging, dir).catch(() => rm(staging, { recursive: true, force: true }));
  }
  return join(dir, "chromium");
}

/**
 * puppeteer.launch with the packaged Chromium and CHROMIUM_ARGS, tried up to three times. A CI run
 * once saw Chromium die by a signal during launch with nothing on stderr (not reproduced in 20 local
 * launches): a browser that fails to start is the test machine's trouble, not the product's, so it
 * is retried, each failure printed as a `# chromium launch` line with Chromium's own stderr
 * (`dumpio` on the retries) so the next one says why.
 * @param {object} options puppeteer launch options; `args` are added after CHROMIUM_ARGS
 * @example const browser = await launchChromium(puppeteer, { userDataDir, args: ["--use-fake-ui-for-media-stream"] });
 */
export async function launchChromium(puppeteer, { args = [], ...options } = {}) {
  const executablePath = await unpackedChromium();
  for (let attempt = 1;; attempt++) {
    try {
      // A crashed start may leave its profile locked: each retry gets a profile of its own.
      const userDataDir = options.userDataDir && attempt > 1
        ? await mkdtemp(`${options.userDataDir}-retry`)
        : options.userDataDir;
      return await puppeteer.launch({
        executablePath,
        headless: true,
        ...options,
        userDataDir,
        dumpio: attempt > 1,
        args: [...CHROMIUM_ARGS, ...args],
      });
    } catch (e) {
      console.error(
        `# chromium launch ${attempt} failed: ${String(e?.message ?? e).split("\n")[0]}`,
      );
      if (attempt >= 3) throw e;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}
