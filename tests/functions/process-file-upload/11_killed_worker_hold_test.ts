// No hold outlives its request. A worker that hosted ends mid-request (546) cannot settle its
// budget reservation; that hold must stop counting once its request could no longer be alive
// (hosted's 150 s idle timeout), not 10 minutes later, and a request killed while it is still
// reading its file must not have taken a hold at all (the budget is reserved only once the input
// is parsed and the provider call is next). The stack's /__stack/kill ends the worker as a limit
// breach would.
import assert from "node:assert/strict";
import { clientFor, injectFault, resetProvider } from "../../_support/functions.ts";
import { closeDb, createUser, db, stackEnv } from "../../_support/stack.ts";
import { filteredPng } from "./corpus/hostile.mjs";
import { file, form, invokeFileForm } from "./fixtures.ts";

/** Hosted's idle timeout: no request, and so no hold, lives longer. */
const REQUEST_CLOCK_SECONDS = 150;

async function killWorkers(): Promise<void> {
  const res = await fetch(`${stackEnv.url}/__stack/kill?function=process-file-upload`, {
    method: "POST",
  });
  assert.equal(res.status, 200);
  await res.body?.cancel();
}

async function holdsOf(userId: string): Promise<{ status: string; lifetime_s: number }[]> {
  return [
    ...await db()<{ status: string; lifetime_s: number }[]>`
    select status, extract(epoch from expires_at - created_at)::float8 as lifetime_s
    from ai_private.budget_reservations where user_id = ${userId}`,
  ];
}

Deno.test("a worker killed during the provider call leaves a hold that expires within the request clock", async () => {
  await resetProvider();
  const student = await createUser();
  // The provider call hangs, so the request sits with its hold taken when the worker dies.
  await injectFault({ provider: "groq", times: 1, fault: { type: "hang", ms: 20_000 } });
  const upload = invokeFileForm(
    clientFor(student),
    form({
      file: file("notes.txt", new TextEncoder().encode("Конспект: производная и интеграл.")),
      platform: "main",
    }),
  );
  let holds: { status: string; lifetime_s: number }[] = [];
  for (let i = 0; i < 100 && holds.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
    holds = await holdsOf(student.id);
  }
  assert.equal(holds.length, 1, "the request took its hold before the provider call");
  await killWorkers();
  const reply = await upload;
  assert.equal(reply.status, 546, "the client sees the worker die");
  const after = await holdsOf(student.id);
  assert.equal(after[0].status, "held", "nobody settled it");
  assert.ok(
    after[0].lifetime_s > 0 && after[0].lifetime_s <= REQUEST_CLOCK_SECONDS,
    `the hold stops counting within ${REQUEST_CLOCK_SECONDS} s (${after[0].lifetime_s} s)`,
  );
  const [older] = await db()<{ n: number }[]>`
    select count(*)::int as n from ai_private.budget_reservations
    where status = 'held' and expires_at > created_at + make_interval(secs => ${REQUEST_CLOCK_SECONDS})`;
  assert.equal(older.n, 0, "no hold anywhere outlives the request clock");
  await resetProvider();
  await closeDb();
});

Deno.test("a worker killed while decoding the upload leaves no hold at all", async () => {
  await resetProvider();
  const student = await createUser();
  // A 16-bit RGB PNG padded to 3.2 MB (over Groq's 4 MB once in base64, so the server must decode
  // and re-encode it before any hold): ~0.9 s of decoding, and the kill lands inside it.
  const png = new Uint8Array(
    filteredPng(3260, 3260, { colorType: 2, bitDepth: 16, padTo: 3_200_000 }),
  ) as Uint8Array<ArrayBuffer>;
  // A warm worker first (the previous test killed the last one): the kill must land on the
  // request, not on a worker still starting.
  const warm = await invokeFileForm(
    clientFor(student),
    form({ file: file("warm.txt", new TextEncoder().encode("Разминка.")), platform: "main" }),
  );
  assert.equal(warm.status, 200);
  await db()`delete from ai_private.budget_reservations where user_id = ${student.id}`;
  const upload = invokeFileForm(
    clientFor(student),
    form({ file: file("scan.png", png), platform: "main" }),
  );
  // The upload is ~60 kB, so the decode starts within a few ms; 100 ms lands inside it.
  await new Promise((r) => setTimeout(r, 100));
  await killWorkers();
  const reply = await upload;
  assert.equal(reply.status, 546, `the worker died mid-request: ${JSON.stringify(reply.body)}`);
  assert.deepEqual(await holdsOf(student.id), [], "no budget was held before the input was read");
  await closeDb();
});
