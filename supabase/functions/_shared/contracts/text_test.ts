import assert from "node:assert/strict";
import { isWellFormedText, text } from "./text.ts";

Deno.test("text: well-formed Unicode passes, a lone surrogate anywhere is refused", () => {
  for (const ok of ["", "Привет", "эмодзи 😀 и 𝒙", "\u{10FFFF}"]) {
    assert.ok(isWellFormedText(ok), ok);
  }
  for (const bad of ["\uD800", "a\uDC00", "😀".slice(0, 1) + "x", "x" + "😀".slice(1)]) {
    assert.equal(isWellFormedText(bad), false, JSON.stringify(bad));
  }
  const r = text().max(5).safeParse("ok\uD800");
  assert.equal(r.success, false);
  assert.match(r.error!.issues[0].message, /lone surrogate/);
  assert.equal(
    text().max(5).safeParse("toolong").success,
    false,
    "the field's own limits still apply",
  );
});
