// The evaluation's data is sized to decide (counted here, so the full sizes are checked without
// running the full eval), every file a manifest names exists, the text sets are exactly what their
// generator writes, and the whole data set stays compact.
import assert from "node:assert/strict";
import { dataSizes, loadEvalData } from "../../scripts/eval/data.ts";
import { renderTextSets } from "../../scripts/eval/data/make_text_sets.ts";

const data = await loadEvalData();
const sizes = await dataSizes(data);

Deno.test("at least 150 curator items, multi-turn and long-history ones, each with a reference and an expectation", () => {
  assert.ok(sizes.curatorItems >= 150, `${sizes.curatorItems} items`);
  assert.ok(sizes.multiTurnItems >= 30 && sizes.longHistoryItems >= 20, JSON.stringify(sizes));
  for (const item of data.curator) {
    assert.ok(item.reference.length > 0, `${item.id} has a reference or rubric`);
    assert.ok(Object.keys(item.expect).length > 0, `${item.id} has a checkable expectation`);
  }
  const categories = new Set(data.curator.map((i) => i.category));
  for (const c of ["negation", "refuse", "clarify", "json", "long_history"]) {
    assert.ok(categories.has(c as never), `a ${c} category`);
  }
});

Deno.test("at least 40 photos: printed and handwriting-style fonts, every degradation, formulas and tables", async () => {
  assert.ok(sizes.photos >= 40, `${sizes.photos} photos`);
  const manifest = JSON.parse(
    await Deno.readTextFile(new URL("../../eval/data/vision/manifest.json", import.meta.url)),
  ) as { images: { font?: string; degradations?: string[]; style?: string }[] };
  const fonts = new Set(manifest.images.map((i) => i.font).filter(Boolean));
  assert.ok(
    fonts.has("chancery") && fonts.has("sans"),
    `handwriting-style and printed: ${[...fonts]}`,
  );
  const degradations = new Set(manifest.images.flatMap((i) => i.degradations ?? []));
  assert.deepEqual([...degradations].sort(), ["blur", "noise", "perspective", "shadow"]);
  const styles = new Set(manifest.images.map((i) => i.style));
  assert.ok(styles.has("formula") && styles.has("table"));
});

Deno.test("at least 40 voice clips from two synthetic voices, with noise and speed variants, over 1,000 words", () => {
  assert.ok(sizes.voiceClips >= 40, `${sizes.voiceClips} clips`);
  assert.ok(sizes.voices >= 2, `${sizes.voices} voices`);
  assert.ok(sizes.voiceWords >= 1000, `${sizes.voiceWords} words`);
  const conditions = new Set(data.clips.map((c) => c.condition));
  for (const c of ["clean", "noise", "fast", "noise+fast"]) assert.ok(conditions.has(c), c);
  const groqMinimum = data.clips.filter((c) => c.durationSeconds > 0).length;
  assert.equal(groqMinimum, data.clips.length);
});

Deno.test("documents carry negation-sensitive facts and two of them run to 50 pages or more", () => {
  assert.ok(sizes.longestDocumentPages >= 50);
  const long = new Set(
    data.documents.filter((t) => t.document.pages >= 50).map((t) => t.document.id),
  );
  assert.ok(long.size >= 2, `${long.size} long documents`);
  for (const t of data.documents) {
    if (t.document.pages >= 50) {
      assert.ok(t.document.text.length >= 50 * 1700, `${t.id} is really ${t.document.pages} pages`);
    }
  }
  assert.ok(sizes.negationChecks >= 60, `${sizes.negationChecks} negation checks`);
});

Deno.test("every image and clip a manifest names exists", async () => {
  const files = [
    ...data.photos.map((p) => `vision/${p.file}`),
    ...data.scans.flatMap((s) => s.files.map((f) => `vision/${f}`)),
    ...data.clips.map((c) => `speech/${c.file}`),
  ];
  for (const f of files) {
    const stat = await Deno.stat(new URL(`../../eval/data/${f}`, import.meta.url));
    assert.ok(stat.size > 0, f);
  }
});

Deno.test("the text sets are exactly what make_text_sets.ts writes", async () => {
  const out = renderTextSets();
  const read = (name: string) =>
    Deno.readTextFile(new URL(`../../eval/data/${name}`, import.meta.url));
  assert.ok(out.curator === await read("curator.json"), "stale: run make_text_sets.ts");
  assert.ok(out.documents === await read("documents.json"), "stale: run make_text_sets.ts");
});

Deno.test("the whole data set stays under 15 MB", () => {
  assert.ok(sizes.bytesOnDisk < 15_000_000, `${sizes.bytesOnDisk} bytes`);
});
