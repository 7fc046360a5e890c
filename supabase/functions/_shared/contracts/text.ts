// Text the functions accept from clients: well-formed Unicode, everywhere. A JSON body can carry a
// lone surrogate (`"\ud800"` parses), which providers reject or mangle and Postgres cannot store
// as UTF-8; every text field refuses it the same way, with a 400 naming the field, rather than
// forwarding it or silently replacing it. (Multipart fields are decoded as UTF-8 and cannot carry
// one.)
import { z } from "zod";

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const NOT_WELL_FORMED =
  "contains invalid Unicode (a lone surrogate): send the text as it was typed";

/** True when `s` has no lone surrogate. */
export function isWellFormedText(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/**
 * A string schema that refuses lone surrogates; chain the field's own limits onto it.
 * @example const Message = text().max(8000, "at most 8000 characters");
 */
export function text() {
  return z.string().refine(isWellFormedText, NOT_WELL_FORMED);
}

/** U+0000 or a lone surrogate, everywhere in a string. */
// deno-lint-ignore no-control-regex
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text taken from a file, made storable: U+0000 (Postgres text and jsonb cannot hold it) and lone
 * surrogates (not UTF-8; a DOCX's `&#xD800;` decodes to one) become U+FFFD. Applied where text is
 * extracted, so a prompt, an answer and its idempotent replay only ever see storable text.
 * @example storableText("a\u0000b\uD800") // "a\uFFFDb\uFFFD"
 */
export function storableText(s: string): string {
  return s.replace(UNSTORABLE, "\uFFFD");
}
