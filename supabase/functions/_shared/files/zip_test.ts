import assert from "node:assert/strict";
import { deflateBomb, zipArchive } from "./test_documents.ts";
import { entryChunks, entryData, readZipDirectory, type ZipEntry, ZipInflateLimit } from "./zip.ts";

const text = (chunks: Uint8Array[]) => new TextDecoder().decode(concatAll(chunks));
function concatAll(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) out.set(c, (at += c.length) - c.length);
  return out;
}
async function collect(gen: AsyncGenerator<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of gen) out.push(c);
  return out;
}

Deno.test("zip: the directory lists each entry with its declared sizes and method", () => {
  const zip = zipArchive([
    { name: "a.txt", data: "hello hello hello hello" },
    { name: "b.bin", data: "raw", method: 0 },
  ]);
  const dir = readZipDirectory(zip, 10);
  assert.ok(dir.ok);
  assert.deepEqual(
    dir.entries.map((e) => [e.name, e.method, e.uncompressedSize]),
    [
      ["a.txt", 8, 23],
      ["b.bin", 0, 3],
    ],
  );
});

Deno.test("zip: deflated and stored entries inflate to their bytes", async () => {
  const zip = zipArchive([
    { name: "a.txt", data: "Привет ".repeat(1000) },
    { name: "b.txt", data: "stored", method: 0 },
  ]);
  const dir = readZipDirectory(zip, 10);
  assert.ok(dir.ok);
  for (const [i, expected] of ["Привет ".repeat(1000), "stored"].entries()) {
    const entry: ZipEntry = dir.entries[i];
    assert.equal(
      text(await collect(entryChunks(entryData(zip, entry)!, entry, 1 << 20))),
      expected,
    );
  }
});

Deno.test("zip: an entry count past the limit is refused from the end record alone", () => {
  const zip = zipArchive(
    Array.from({ length: 6 }, (_, i) => ({ name: `${i}`, data: "x" })),
  );
  assert.deepEqual(readZipDirectory(zip, 5), {
    ok: false,
    reason: "too_many_entries",
  });
});

Deno.test("zip: no end record, or a directory pointing past the end, is corrupt", () => {
  const zip = zipArchive([{ name: "a", data: "x" }]);
  assert.deepEqual(readZipDirectory(zip.subarray(0, zip.length - 30), 5), {
    ok: false,
    reason: "corrupt",
  });
  const broken = zip.slice();
  new DataView(broken.buffer).setUint32(broken.length - 6, 1 << 30, true);
  assert.deepEqual(readZipDirectory(broken, 5), {
    ok: false,
    reason: "corrupt",
  });
});

Deno.test("zip: an entry inflating past what it declared stops at the declared size", async () => {
  const zip = zipArchive([
    {
      name: "bomb",
      data: deflateBomb(64 << 20),
      method: "raw",
      declaredSize: 1000,
    },
  ]);
  const dir = readZipDirectory(zip, 5);
  assert.ok(dir.ok);
  const started = performance.now();
  await assert.rejects(
    () =>
      collect(
        entryChunks(entryData(zip, dir.entries[0])!, dir.entries[0], 1 << 30),
      ),
    (e) => e instanceof ZipInflateLimit && e.produced < 2 << 20,
  );
  assert.ok(performance.now() - started < 500);
});
