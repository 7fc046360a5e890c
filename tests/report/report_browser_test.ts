// Runs tests/report/report_browser.mjs (the spend report in a real Chromium) against the stack
// `npm test` started, so `npm test -- tests/report` covers it without a change to the runner.
import assert from "node:assert/strict";

Deno.test("the spend report renders in Chromium with its charts and the views' totals", async () => {
  const run = await new Deno.Command("node", {
    args: ["tests/report/report_browser.mjs"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(run.stdout) + new TextDecoder().decode(run.stderr);
  for (const line of out.split("\n")) {
    if (line.startsWith("# ") || line.includes("not ok")) console.log(line);
  }
  const count = (k: string) => Number(new RegExp(`^# ${k} (\\d+)$`, "m").exec(out)?.[1] ?? -1);
  if (run.code !== 0 || count("fail") !== 0) console.log(out);
  assert.equal(count("fail"), 0);
  assert.ok(count("pass") >= 7, `browser tests passed: ${count("pass")}`);
  assert.equal(run.code, 0);
});
