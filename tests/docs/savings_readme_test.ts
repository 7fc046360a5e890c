// The README's savings table is the generator's output, not typed in: every row of
// `npm run docs:savings -- --at 2026-12-01` stands in the README (cells compared with spacing
// folded, since deno fmt aligns the columns). When prices change, regenerate and paste it.
import assert from "node:assert/strict";
import { savingsTable } from "../../scripts/docs-savings.ts";

const fold = (row: string) =>
  row.split("|").map((cell) => cell.trim()).filter((_, i, all) => i > 0 && i < all.length - 1)
    .join("|");

Deno.test("the README's savings table is what npm run docs:savings prints for 2026-12-01", async () => {
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const readmeRows = new Set(
    readme.split("\n").filter((l) => l.trim().startsWith("|")).map(fold),
  );
  const rows = savingsTable(new Date("2026-12-01T12:00:00Z")).split("\n")
    .filter((l) => l.startsWith("|") && !/^\|\s*-/.test(l));
  assert.ok(rows.length >= 6, "a header, four kinds of work and the month");
  for (const row of rows) assert.ok(readmeRows.has(fold(row)), `not in the README: ${row}`);
});
