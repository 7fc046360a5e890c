// Runs tests/browser/web_app_browser.mjs (the student app and admin page of examples/web in a real
// Chromium) against the stack `npm test` started, so `npm test -- tests/browser` covers it.
import assert from "node:assert/strict";

Deno.test("the web app in Chromium: streamed chat, recorded voice, a 12 MP photo, errors, admin spend", async () => {
  const run = await new Deno.Command("node", {
    args: ["tests/browser/web_app_browser.mjs"],
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
  assert.equal(count("pass"), 9, `browser tests passed: ${count("pass")}`);
  assert.equal(run.code, 0);
});
