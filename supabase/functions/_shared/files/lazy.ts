// The heavy file libraries (pdf.js via unpdf, mammoth, ImageMagick compiled to wasm) are loaded only
// through these functions, each a dynamic `import()`, so a module that imports this file pays
// nothing at cold start: issue 7 requires that "a chat-sized request does not pay for PDF parsing".
// Each loader is memoised: the first caller pays the import (and for ImageMagick the wasm
// instantiation), later callers in the same isolate reuse it. A failed load is not memoised, so a
// later request can try again.

type UnpdfModule = typeof import("unpdf");
type MagickModule = typeof import("@imagemagick/magick-wasm");

/** The part of mammoth's API this library uses (mammoth ships loose typings). */
export interface MammothApi {
  extractRawText(input: { buffer: Uint8Array }): Promise<{
    value: string;
    messages: readonly { type: string; message: string }[];
  }>;
}

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
 * mammoth, repaired for Deno. mammoth's `lib/promises.js` builds its public promise type with
 * `ExternalPromise.__proto__ = Promise`; Deno removes `Object.prototype.__proto__` (a prototype
 * pollution guard), so that line only adds a plain property and every public call fails with
 * "ExternalPromise.resolve is not a function". Turning the guard off needs `--unsafe-proto`, which
 * the Edge Runtime cannot pass, so instead we replace the one exported wrapper with a native
 * promise. `index.js` looks `promises.toExternalPromise` up on each call, and Deno hands both
 * importers the same CommonJS module object. The patch applies only while the wrapper is broken.
 */
export const loadMammoth: () => Promise<MammothApi> = memoise(async () => {
  const mammoth = await import("mammoth");
  const promisesModule = await import("mammoth/lib/promises.js");
  const promises = (promisesModule.default ?? promisesModule) as {
    toExternalPromise(promise: Promise<unknown>): Promise<unknown>;
  };
  try {
    promises.toExternalPromise(Promise.resolve());
  } catch {
    promises.toExternalPromise = (promise) => Promise.resolve(promise);
  }
  return (mammoth.default ?? mammoth) as unknown as MammothApi;
});

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
