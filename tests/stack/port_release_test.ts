// `npm start` and a port that a closing connection still holds (scripts/stack/processes.mjs,
// waitForPortRelease): Supabase's ports lie in Linux's ephemeral range, so right after a busy run a
// client socket in TIME_WAIT can keep one from every listener for a minute while nothing listens.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { waitForPortRelease } from "../../scripts/stack/processes.mjs";

Deno.test("a port nothing listens on is waited for until the kernel lets it go", async () => {
  let polls = 0;
  let waited = false;
  const released = await waitForPortRelease(1, {
    intervalMs: 1,
    portFree: () => Promise.resolve(++polls >= 4),
    listening: () => Promise.resolve(false),
    onWait: () => (waited = true),
  });
  assert.equal(released, true);
  assert.equal(waited, true, "the user is told why the start waits");
  assert.equal(polls, 4);
});

Deno.test("a port something listens on is refused at once; one never released, after the wait", async () => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number }).port;
  try {
    let waited = false;
    const released = await waitForPortRelease(port, {
      timeoutMs: 60_000,
      onWait: () => (waited = true),
    });
    assert.equal(released, false);
    assert.equal(waited, false, "no wait when another server listens on it");
  } finally {
    await new Promise((r) => server.close(r));
  }
  let asked = 0;
  const never = await waitForPortRelease(1, {
    timeoutMs: 50,
    intervalMs: 5,
    portFree: () => Promise.resolve(++asked < 0),
    listening: () => Promise.resolve(false),
  });
  assert.equal(never, false);
  assert.ok(asked >= 2, "it kept asking until the wait ran out");
  // A server that starts listening while we wait ends the wait: it is another stack's port now.
  let listeningNow = false;
  setTimeout(() => (listeningNow = true), 20);
  assert.equal(
    await waitForPortRelease(1, {
      timeoutMs: 10_000,
      intervalMs: 5,
      portFree: () => Promise.resolve(false),
      listening: () => Promise.resolve(listeningNow),
    }),
    false,
  );
});
