// `npm run demo`: prints the app's URL and serves the student app, the admin page and its config;
// beside a running stack it attaches to it instead of starting another, and mints demo tokens the
// functions accept. With --url/--key (a hosted project) it serves the same app with supabase.auth
// sign-in and no token route.
import assert from "node:assert/strict";

const API = Deno.env.get("SUPABASE_URL")!.replace(/\/+$/, "");

/** Starts demo.mjs, waits for the URL it prints, runs `fn`, then stops it with Ctrl-C. */
async function withDemo(args: string[], fn: (url: string, output: () => string) => Promise<void>) {
  const child = new Deno.Command("node", {
    args: ["examples/web/demo.mjs", ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const stderr = new Response(child.stderr).text();
  try {
    let url: string | undefined;
    const deadline = Date.now() + 30_000;
    while (!url && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      output += value;
      url = /Student app: (http:\/\/\S+)/.exec(output)?.[1];
    }
    if (!url) {
      child.kill("SIGINT");
      assert.fail(`no URL printed: ${output} ${await stderr}`);
    }
    await fn(url, () => output);
  } finally {
    child.kill("SIGINT");
    reader.releaseLock();
    await child.stdout.cancel().catch(() => {});
    // Ctrl-C must end it promptly; a demo that lingers is killed so the suite goes on, and fails.
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    const status = await child.status;
    clearTimeout(timer);
    await stderr;
    assert.equal(status.code, 0, "Ctrl-C ends the demo cleanly");
  }
}

Deno.test("npm run demo beside a running stack: prints the URL, serves the app, mints tokens the functions accept", async () => {
  const port = new URL(API).port;
  await withDemo(["--port", port, "--app-port", "0"], async (url, output) => {
    assert.match(output(), /Using the stack already running/);
    assert.notEqual(new URL(url).origin, new URL(API).origin);
    const index = await (await fetch(url)).text();
    for (const id of ["chat-input", "chat-send", "chat-answer", "voice-record", "file-input"]) {
      assert.ok(index.includes(`data-testid="${id}"`), id);
    }
    const admin = await (await fetch(new URL("admin.html", url))).text();
    assert.ok(admin.includes('data-testid="spend-total"'));
    const script = await fetch(new URL("app.js", url));
    assert.equal(script.headers.get("content-type"), "text/javascript");
    await script.body?.cancel();
    const config = await (await fetch(new URL("config.json", url))).json();
    assert.deepEqual({ mode: config.mode, url: config.supabaseUrl }, { mode: "local", url: API });

    const minted = await fetch(new URL("demo/token", url), {
      method: "POST",
      body: JSON.stringify({ role: "student" }),
    });
    const { access_token } = await minted.json();
    const chat = await fetch(`${API}/functions/v1/process-chat`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${access_token}`,
        apikey: config.publishableKey,
        "content-type": "application/json",
      },
      body: JSON.stringify({ platform: "main", message: "Привет" }),
    });
    assert.equal(chat.status, 200);
    assert.ok((await chat.json()).reply);
  });
});

Deno.test("npm run demo --url/--key: the hosted sign-in, and no token route", async () => {
  await withDemo(
    ["--url", "https://example-ref.supabase.co", "--key", "sb_publishable_x", "--app-port", "0"],
    async (url, output) => {
      assert.match(output(), /supabase\.auth/);
      const config = await (await fetch(new URL("config.json", url))).json();
      assert.equal(config.mode, "hosted");
      const minted = await fetch(new URL("demo/token", url), { method: "POST", body: "{}" });
      assert.equal(minted.status, 404);
      await minted.body?.cancel();
    },
  );
});
