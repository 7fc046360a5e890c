// One student cannot hurt another. While one student sends three hostile uploads at once (twice
// over: a PDF whose 100 pages share 1 M operators, a 2,000-scan progressive JPEG, and the costliest
// PNG that is still accepted), a second student uploads small text files on three threads to the
// same worker. Every one of the second student's uploads must succeed: heavy work runs one job at a
// time per worker, and a job starts only when no request in flight would be pushed past the CPU
// limit by it (files/heavy_work.ts). The first student gets answers, never a 546.
import assert from "node:assert/strict";
import { clientFor, resetProvider } from "../../_support/functions.ts";
import { closeDb, createUser } from "../../_support/stack.ts";
import { CORPUS } from "./corpus/hostile.mjs";
import { file, form, invokeFileForm } from "./fixtures.ts";

const HOSTILE = ["pdf-shared-td", "jpeg-2000-scans", "png-grey-paeth"];

Deno.test("three hostile uploads in parallel: the second student's small uploads all succeed", async () => {
  await resetProvider();
  const attacker = clientFor(await createUser());
  const student = clientFor(await createUser());
  const inputs = HOSTILE.map((id) => {
    const c = CORPUS.find((x) => x.id === id)!;
    return { name: c.name, bytes: new Uint8Array(c.make()) as Uint8Array<ArrayBuffer> };
  });

  let hostileDone = false;
  const hostileStatuses: number[] = [];
  const hostile = (async () => {
    for (let wave = 0; wave < 2; wave++) {
      const replies = await Promise.all(
        inputs.map((i) =>
          invokeFileForm(attacker, form({ file: file(i.name, i.bytes), platform: "main" }))
        ),
      );
      hostileStatuses.push(...replies.map((r) => r.status));
    }
    hostileDone = true;
  })();

  const failures: string[] = [];
  let sent = 0;
  const thread = async (t: number) => {
    for (let n = 0; !hostileDone || n < 4; n++) {
      const text = `Поток ${t}, файл ${n}: уравнение x² − 4 = 0 имеет два корня.`;
      const reply = await invokeFileForm(
        student,
        form({
          file: file(`note-${t}-${n}.txt`, new TextEncoder().encode(text)),
          platform: "main",
        }),
      );
      sent++;
      if (reply.status !== 200) {
        failures.push(`${reply.status} ${JSON.stringify(reply.body).slice(0, 160)}`);
      }
    }
  };
  await Promise.all([hostile, thread(1), thread(2), thread(3)]);

  console.log(
    `two students: hostile answers ${
      hostileStatuses.join(", ")
    }; second student ${sent} uploads, ` +
      `${failures.length} failed`,
  );
  assert.ok(!hostileStatuses.includes(546), "no hostile upload ends the worker");
  for (const status of hostileStatuses) {
    assert.ok([200, 413, 503].includes(status), `a hostile upload gets an answer (${status})`);
  }
  assert.ok(sent >= 12, "the second student kept uploading throughout");
  assert.deepEqual(failures, [], "the second student gets no failure");
  await closeDb();
});
