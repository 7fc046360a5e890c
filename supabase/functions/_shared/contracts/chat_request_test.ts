// chat_request.ts accepts the common chat request without zod; the ChatRequest schema stays the
// judge. These tests hold the plain check to the schema on generated requests, hostile ones
// included: it accepts exactly what the schema accepts, with the same data (field order too), and
// every refusal carries the schema's own issues.
import assert from "node:assert/strict";
import { z } from "zod";
import { ChatRequest, MAX_HISTORY_TURNS, MAX_MESSAGE_CHARS } from "./chat.ts";
import { acceptChatRequest, parseChatRequest, UUID_PATTERN } from "./chat_request.ts";
// mulberry32: a small seeded generator, so a failure names a request that can be rebuilt.
import { prng as rng } from "../../../../scripts/bench/inputs/random.mjs";

const ABSENT = Symbol("absent");
const ya = (n: number) => "я".repeat(n);
const lone = "😀".slice(0, 1);

/** Values each field may take: valid ones, boundary ones and hostile ones. */
const POOLS: Record<string, unknown[]> = {
  platform: [
    "main",
    "tripwire",
    ABSENT,
    "vip",
    "",
    "Main",
    1,
    null,
    ["main"],
    {},
  ],
  message: [
    "Привет",
    "  Как посчитать конверсию?  ",
    ya(MAX_MESSAGE_CHARS),
    ` ${ya(MAX_MESSAGE_CHARS)}\n`, // within the limit once trimmed
    ya(MAX_MESSAGE_CHARS + 1),
    "😀".repeat(MAX_MESSAGE_CHARS / 2), // 8000 UTF-16 units
    "😀".repeat(MAX_MESSAGE_CHARS / 2) + "x", // 8001 units, 4001 characters: zod counts code points
    "😀".repeat(MAX_MESSAGE_CHARS) + "x",
    "",
    "   \n\t ",
    "\u00a0\ufeff", // trimmed away: empty
    "\u200b", // not whitespace: a one-character message
    "Привет \ud800",
    `ok ${lone}`,
    "\udc00x",
    "a\u0000b",
    42,
    null,
    ["Привет"],
    ABSENT,
  ],
  history: [
    ABSENT,
    [],
    "turns",
    null,
    { role: "user", content: "x" },
    "TURNS_OK",
    "TURNS_MAX",
    "TURNS_OVER",
    [{ role: "system", content: "x" }],
    [{ role: "user" }],
    [{ content: "x" }],
    [{ role: "user", content: "x", extra: 1 }],
    [{ content: "reversed keys", role: "assistant" }],
    [{ role: "assistant", content: ya(MAX_MESSAGE_CHARS) }],
    [{ role: "assistant", content: ya(MAX_MESSAGE_CHARS + 1) }],
    [{ role: "user", content: "😀".repeat(MAX_MESSAGE_CHARS) }],
    [{ role: "user", content: "😀".repeat(MAX_MESSAGE_CHARS) + "x" }],
    [{ role: "user", content: "\ud800" }],
    [{ role: "user", content: "" }],
    [{ role: "user", content: 5 }],
    [null],
    [["user", "x"]],
    [{ role: "user", content: "x" }, "x"],
  ],
  stream: [ABSENT, true, false, "true", 1, null],
  conversation_id: [
    ABSENT,
    "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d",
    "9B1DEB4D-3B7D-4BAD-9BDD-2B0D7B3DCB6D",
    "00000000-0000-0000-0000-000000000000",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
    "9b1deb4d-3b7d-0bad-9bdd-2b0d7b3dcb6d", // version 0
    "9b1deb4d-3b7d-9bad-9bdd-2b0d7b3dcb6d", // version 9
    "9b1deb4d-3b7d-4bad-cbdd-2b0d7b3dcb6d", // variant c
    "9b1deb4d3b7d4bad9bdd2b0d7b3dcb6d",
    " 9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d",
    "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d\n",
    "",
    123,
    null,
  ],
};

function turns(n: number, r: () => number) {
  return Array.from({ length: n }, (_, i) => ({
    role: i % 2 ? "assistant" : "user",
    content: r() < 0.5 ? `реплика ${i}` : ` ${ya(Math.floor(r() * 50))} `,
  }));
}

/** One request's JSON text: each field drawn from its pool, sometimes an unknown key. */
function generate(r: () => number): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const fields: [string, unknown][] = [];
  for (const [name, pool] of Object.entries(POOLS)) {
    // Most requests draw the valid common values, so every field's bad values meet good ones.
    let v = r() < 0.6 ? pool[r() < 0.5 ? 0 : 1] : pick(pool);
    if (v === "TURNS_OK") v = turns(1 + Math.floor(r() * 10), r);
    if (v === "TURNS_MAX") v = turns(MAX_HISTORY_TURNS, r);
    if (v === "TURNS_OVER") v = turns(MAX_HISTORY_TURNS + 1, r);
    if (v !== ABSENT) fields.push([name, v]);
  }
  if (r() < 0.3) fields.sort(() => r() - 0.5);
  const extra = r();
  if (extra < 0.04) fields.push(["extra", 1]);
  const body = `{${
    fields.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(
      ",",
    )
  }${
    extra >= 0.04 && extra < 0.07
      ? `${fields.length ? "," : ""}"__proto__":{"platform":"main"}`
      : ""
  }}`;
  return body;
}

const NOT_OBJECTS = [
  "null",
  "[]",
  '[{"platform":"main","message":"x"}]',
  '"main"',
  "1",
  "true",
];

function keysDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(keysDeep);
  if (v && typeof v === "object") {
    return Object.entries(v).map(([k, x]) => [k, keysDeep(x)]);
  }
  return v;
}

Deno.test("the plain check accepts exactly what ChatRequest accepts, with the same data", async () => {
  const r = rng(20261206);
  const bodies = [
    ...NOT_OBJECTS,
    ...Array.from({ length: 4000 }, () => generate(r)),
  ];
  let accepted = 0;
  for (const text of bodies) {
    const json = JSON.parse(text);
    const body = text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text;
    const zod = ChatRequest.safeParse(json);
    const plain = acceptChatRequest(json);
    assert.equal(
      plain !== null,
      zod.success,
      `plain check and schema disagree on ${body}`,
    );
    const parsed = await parseChatRequest(json);
    assert.equal(parsed.success, zod.success, body);
    if (zod.success) {
      accepted++;
      // Same values, same fields present and in the same order (history turns too).
      assert.deepEqual(keysDeep(plain), keysDeep(zod.data), body);
      assert.deepEqual(
        parsed.success && keysDeep(parsed.data),
        keysDeep(zod.data),
        body,
      );
    } else {
      assert.deepEqual(
        !parsed.success && parsed.issues,
        zod.error.issues,
        body,
      );
    }
  }
  // The corpus exercises both sides.
  assert.ok(
    accepted > 400 && accepted < bodies.length - 400,
    `${accepted} of ${bodies.length}`,
  );
});

Deno.test("a refused request's issues are the schema's (message trimmed, field named)", async () => {
  const parsed = await parseChatRequest({ platform: "main", message: "   " });
  assert.equal(parsed.success, false);
  assert.deepEqual(
    !parsed.success && parsed.issues.map((i) => [i.path, i.message]),
    [
      [["message"], "the message is empty"],
    ],
  );
  const surrogate = await parseChatRequest({
    platform: "main",
    message: "ok",
    history: [{ role: "user", content: "\ud800" }],
  });
  assert.deepEqual(
    !surrogate.success && surrogate.issues.map((i) => i.path),
    [["history", 0, "content"]],
  );
});

Deno.test("the plain check's uuid pattern is zod's", () => {
  assert.equal(UUID_PATTERN.source, z.regexes.uuid().source);
});
