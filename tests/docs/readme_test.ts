// The README is what a newcomer reads in five minutes: at most 250 lines, the two commands first,
// "try it in the browser", the functions in brief and links to docs/ by topic. The detail lives in
// docs/, so every relative link in the README and in docs/*.md must lead to a file that exists and,
// with a #fragment, to a heading in it (GitHub's anchors).
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);
const read = (path: string) => Deno.readTextFileSync(new URL(path, ROOT));
const readme = read("README.md");

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}
const anchors = (markdown: string) =>
  new Set([...markdown.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1])));

Deno.test("the README fits in 250 lines and starts with the two commands", () => {
  const lines = readme.split("\n").length;
  assert.ok(lines <= 250, `README.md has ${lines} lines`);
  const commands = readme.split("## The two commands")[1];
  assert.ok(commands, "a section called The two commands");
  assert.match(commands.slice(0, 400), /npm ci && npm start/);
  assert.match(commands.slice(0, 400), /npm ci && npm test/);
});

Deno.test("the README has the newcomer's sections and links every docs topic", () => {
  for (
    const section of [
      "## Try it in the browser",
      "## The functions in brief",
      "## Admin and spend in brief",
      "## Documentation by topic",
    ]
  ) assert.ok(readme.includes(section), section);
  for (
    const doc of [
      "docs/LOCAL_STACK.md",
      "docs/DEPLOYING.md",
      "docs/FUNCTIONS.md",
      "docs/ADMIN_AND_SPEND.md",
      "docs/RESEARCH.md",
      "docs/BENCHMARKS.md",
      "docs/WEB_APP.md",
    ]
  ) assert.ok(readme.includes(`](${doc}`), `README links ${doc}`);
});

Deno.test("every relative link in the README and docs/ leads to a file and heading that exist", () => {
  const files = [
    "README.md",
    ...[...Deno.readDirSync(new URL("docs/", ROOT))]
      .filter((e) => e.isFile && e.name.endsWith(".md")).map((e) => `docs/${e.name}`),
  ];
  for (const file of files) {
    const text = read(file);
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue; // http(s), mailto
      const [path, fragment] = target.split("#");
      const resolved = path ? new URL(path, new URL(file, ROOT)) : new URL(file, ROOT);
      let linked: string;
      try {
        linked = Deno.readTextFileSync(resolved);
      } catch {
        assert.fail(`${file}: ${target} does not exist`);
      }
      if (fragment && resolved.pathname.endsWith(".md")) {
        assert.ok(anchors(linked).has(fragment), `${file}: no heading for #${fragment}`);
      }
    }
  }
});
