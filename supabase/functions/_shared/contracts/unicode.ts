// Well-formed Unicode, checked without zod: text.ts builds its schemas on these, and the functions'
// start-up paths (contracts/chat_request.ts) use them without loading zod.

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const NOT_WELL_FORMED =
  "contains invalid Unicode (a lone surrogate): send the text as it was typed";

/** True when `s` has no lone surrogate. */
export function isWellFormedText(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/** U+0000 or a lone surrogate, everywhere in a string. */
const UNSTORABLE =
  // deno-lint-ignore no-control-regex
  /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text taken from a file, made storable: U+0000 (Postgres text and jsonb cannot hold it) and lone
 * surrogates (not UTF-8; a DOCX's `&#xD800;` decodes to one) become U+FFFD. Applied where text is
 * extracted, so a prompt, an answer and its idempotent replay only ever see storable text.
 * @example storableText("a\u0000b\uD800") // "a\uFFFDb\uFFFD"
 */
export function storableText(s: string): string {
  return s.replace(UNSTORABLE, "\uFFFD");
}
