// The heavy file library (pdf.js via unpdf) is loaded only through this function, a dynamic
// `import()`, so a module that imports this file pays nothing at cold start: "a chat-sized request
// does not pay for PDF parsing". The loader is memoised: the first caller pays the import, later
// callers in the same worker reuse it. A failed load is not memoised, so a later request can try
// again. (The image codecs load the same way, in codecs.ts.)

type UnpdfModule = typeof import("unpdf");

/** A memoised async loader: one load per worker, retried after a failure. */
export function memoise<T>(load: () => Promise<T>): () => Promise<T> {
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
