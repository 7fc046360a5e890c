import assert from "node:assert/strict";
import { isWellFormedText, storableText, text } from "./text.ts";

Deno.test("text: well-formed Unicode passes, a lone surrogate anywhere is refused", () => {
  for (const ok of ["", "Привет", "эмодзи 😀 и 𝒙", "\u{10FFFF}"]) {
    assert.ok(isWellFormedText(ok), ok);
  }
  for (
    const bad of [
      "\uD800",
      "a\uDC00",
      "😀".slice(0, 1) + "x",
      "x" + "😀".slice(1),
    ]
  ) {
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

Deno.test("storableText replaces U+0000 and lone surrogates with U+FFFD and keeps pairs", () => {
  assert.equal(storableText("a\u0000b"), "a\uFFFDb");
  assert.equal(storableText("x\uD800y\uDC00z"), "x\uFFFDy\uFFFDz");
  assert.equal(storableText("эмодзи 😀 остаётся"), "эмодзи 😀 остаётся");
  assert.equal(storableText("\uD83D\uDE00\uD800"), "😀\uFFFD");
});
