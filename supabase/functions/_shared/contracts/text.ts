// Text the functions accept from clients: well-formed Unicode, everywhere. A JSON body can carry a
// lone surrogate (`"\ud800"` parses), which providers reject or mangle and Postgres cannot store
// as UTF-8; every text field refuses it the same way, with a 400 naming the field, rather than
// forwarding it or silently replacing it. (Multipart fields are decoded as UTF-8 and cannot carry
// one.) The checks themselves are in unicode.ts, which does not load zod.
import { z } from "zod";
import { isWellFormedText, NOT_WELL_FORMED } from "./unicode.ts";

export { isWellFormedText, NOT_WELL_FORMED, storableText } from "./unicode.ts";

/**
 * A string schema that refuses lone surrogates; chain the field's own limits onto it.
 * @example const Message = text().max(8000, "at most 8000 characters");
 */
export function text() {
  return z.string().refine(isWellFormedText, NOT_WELL_FORMED);
}
