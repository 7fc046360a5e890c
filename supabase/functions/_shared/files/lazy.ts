// The heavy file libraries (pdf.js via unpdf, ImageMagick compiled to wasm) are loaded only
// through these functions, each a dynamic `import()`, so a module that imports this file pays
// nothing at cold start: issue 7 requires that "a chat-sized request does not pay for PDF parsing".
// Each loader is memoised: the first caller pays the import (and for ImageMagick the wasm
// instantiation), later callers in the same isolate reuse it. A failed load is not memoised, so a
// later request can try again.

type UnpdfModule = typeof import("unpdf");
type MagickModule = typeof import("@imagemagick/magick-wasm");

function memoise<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= load().catch((error) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

/** unpdf with its bundled serverless pdf.js (pdf.js itself is resolved on first use). */
export const loadUnpdf: () => Promise<UnpdfModule> = memoise(() => import("unpdf"));

/**
 * Where ImageMagick's wasm comes from: by default the file inside the npm package (the 32-bit
 * build, the package's `./magick.wasm` export), resolved through the import map to a `file:` URL
 * in Deno's npm cache. A deployment that cannot read package files can pass the bytes or a URL.
 */
export type MagickWasmSource = URL | Uint8Array;

let magick: Promise<MagickModule> | undefined;

/** ImageMagick (magick-wasm), initialised once per isolate. */
export function loadMagick(wasm?: MagickWasmSource): Promise<MagickModule> {
  magick ??= (async () => {
    const module = await import("@imagemagick/magick-wasm");
    const source = wasm ?? new URL(import.meta.resolve("@imagemagick/magick-wasm/magick.wasm"));
    const bytes = source instanceof Uint8Array ? source : await readUrl(source);
    await module.initializeImageMagick(bytes);
    return module;
  })().catch((error) => {
    magick = undefined;
    throw error;
  });
  return magick;
}

async function readUrl(url: URL): Promise<Uint8Array> {
  if (url.protocol === "file:") return await Deno.readFile(url);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`magick.wasm: HTTP ${response.status} from ${url.origin}`);
  return new Uint8Array(await response.arrayBuffer());
}
