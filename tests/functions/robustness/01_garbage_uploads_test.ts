// A 500 is a bug, never a way to report bad input: garbage that looks like a recording or a
// document (right magic bytes, broken insides) is answered with a 4xx and a stable code, never
// reaches a provider, and is never charged.
import assert from "node:assert/strict";
import {
  clientFor,
  invokeForm,
  ledgerCountForUser,
  providerRequests,
  resetProvider,
} from "../../_support/functions.ts";
import { closeDb, createUser } from "../../_support/stack.ts";

/** A small seeded generator, so a failure can be replayed. */
function rng(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}

const te = new TextEncoder();
const PREFIXES: Record<string, Uint8Array> = {
  wav: te.encode("RIFF\x24\x00\x00\x00WAVEfmt "),
  ogg: te.encode("OggS\x00\x02"),
  webm: Uint8Array.of(0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01),
  mp3: te.encode("ID3\x04\x00\x00\x00\x00\x00\x00"),
  m4a: te.encode("\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00"),
  flac: te.encode("fLaC\x00\x00\x00\x22"),
  pdf: te.encode("%PDF-1.7\n1 0 obj\n<< /Type /Catalog"),
  png: Uint8Array.of(
    0x89,
    0x50,
    0x4e,
    0x47,
    0x0d,
    0x0a,
    0x1a,
    0x0a,
    0,
    0,
    0,
    13,
    0x49,
    0x48,
    0x44,
    0x52,
  ),
  jpeg: Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46),
  gif: te.encode("GIF89a\x10\x00\x10\x00"),
  docx: te.encode("PK\x03\x04\x14\x00\x00\x00\x08\x00"),
  none: new Uint8Array(),
};

function garbage(prefix: Uint8Array, next: () => number): Uint8Array<ArrayBuffer> {
  const size = Math.floor(next() * 3000);
  const out = new Uint8Array(prefix.length + size);
  out.set(prefix);
  for (let i = prefix.length; i < out.length; i++) out[i] = Math.floor(next() * 256);
  return out;
}

async function post(fn: string, token: string, form: FormData) {
  const reply = await invokeForm(clientFor({ token }), fn, form);
  return { status: reply.status, code: (reply.body?.error as { code?: string })?.code };
}

for (
  const [fn, kinds, accepted] of [
    ["process-voice-message", ["wav", "ogg", "webm", "mp3", "m4a", "flac", "png", "none"], [
      415,
      422,
    ]],
    ["process-file-upload", ["pdf", "png", "jpeg", "gif", "docx", "wav", "none"], [415, 422]],
  ] as const
) {
  Deno.test(`${fn}: broken files with real magic bytes get 415/422, no provider call, no charge`, async (t) => {
    await resetProvider();
    const student = await createUser();
    const next = rng(fn.length * 7919);
    const before = (await providerRequests()).length;
    for (const kind of kinds) {
      for (let i = 0; i < 3; i++) {
        await t.step(`${kind} #${i}`, async () => {
          const form = new FormData();
          form.append("platform", "main");
          form.append("file", new File([garbage(PREFIXES[kind], next)], `upload.${kind}`));
          const { status, code } = await post(fn, student.token, form);
          assert.ok(
            (accepted as readonly number[]).includes(status),
            `${kind}: got ${status} ${code}`,
          );
          assert.ok(
            code &&
              ["unsupported_media_type", "unprocessable_audio", "unprocessable_file"].includes(
                code,
              ),
          );
        });
      }
    }
    assert.equal((await providerRequests()).length, before, "no provider call");
    assert.equal(await ledgerCountForUser(student.id), 0, "nothing charged");
    await closeDb();
  });
}
