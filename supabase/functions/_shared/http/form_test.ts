import assert from "node:assert/strict";
import { formHash, parseForm } from "./form.ts";

async function encode(
  form: FormData,
): Promise<{ bytes: Uint8Array; type: string }> {
  const req = new Request("http://x/", { method: "POST", body: form });
  return {
    bytes: new Uint8Array(await req.arrayBuffer()),
    type: req.headers.get("content-type")!,
  };
}

function voiceForm(audio: number[], platform = "main") {
  const form = new FormData();
  form.append(
    "file",
    new File([new Uint8Array(audio)], "voice.ogg", { type: "audio/ogg" }),
  );
  form.append("platform", platform);
  return form;
}

Deno.test("the same form sent twice hashes the same although its boundary changes", async () => {
  const a = await encode(voiceForm([1, 2, 3]));
  const b = await encode(voiceForm([1, 2, 3]));
  assert.notDeepEqual(a.bytes, b.bytes, "fetch picks a new boundary each time");
  const ha = await formHash(await parseForm(a.bytes, a.type));
  const hb = await formHash(await parseForm(b.bytes, b.type));
  assert.equal(ha, hb);
});

Deno.test("another file or another field value hashes differently", async () => {
  const hash = async (form: FormData) => {
    const { bytes, type } = await encode(form);
    return await formHash(parseForm(bytes, type));
  };
  const base = await hash(voiceForm([1, 2, 3]));
  assert.notEqual(await hash(voiceForm([1, 2, 4])), base);
  assert.notEqual(await hash(voiceForm([1, 2, 3], "tripwire")), base);
});
