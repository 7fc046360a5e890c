import assert from "node:assert/strict";
import { HttpError } from "./errors.ts";
import { parseMultipart } from "./multipart.ts";

async function encode(form: FormData): Promise<{ bytes: Uint8Array; type: string }> {
  const req = new Request("http://x/", { method: "POST", body: form });
  return { bytes: new Uint8Array(await req.arrayBuffer()), type: req.headers.get("content-type")! };
}

const enc = new TextEncoder();

Deno.test("every part of a browser-encoded form comes back: text fields, files, names, types", async () => {
  const form = new FormData();
  form.append("platform", "main");
  form.append("instruction", "Проверь задачу — «ответ»");
  form.append(
    "file",
    new File([new Uint8Array([0, 13, 10, 45, 45, 255])], 'д "1".pdf', {
      type: "application/pdf",
    }),
  );
  form.append("page_images", new File([new Uint8Array([1])], "a.png", { type: "image/png" }));
  form.append("page_images", new File([new Uint8Array([2, 2])], "b.png", { type: "image/png" }));
  const { bytes, type } = await encode(form);
  const parsed = parseMultipart(bytes, type);
  assert.deepEqual(parsed.parts.map((p) => p.name), [
    "platform",
    "instruction",
    "file",
    "page_images",
    "page_images",
  ]);
  assert.deepEqual(parsed.getAll("instruction"), [{
    kind: "text",
    name: "instruction",
    value: "Проверь задачу — «ответ»",
  }]);
  const [file] = parsed.getAll("file");
  assert.ok(file.kind === "file");
  assert.equal(file.filename, 'д "1".pdf');
  assert.equal(file.type, "application/pdf");
  assert.deepEqual([...file.bytes], [0, 13, 10, 45, 45, 255]);
  assert.deepEqual(parsed.getAll("page_images").map((p) => p.kind === "file" && p.size), [1, 2]);
});

Deno.test("a file part is a view into the body, not a copy", async () => {
  const form = new FormData();
  form.append("file", new File([new Uint8Array(1024 * 1024).fill(7)], "big.bin"));
  const { bytes, type } = await encode(form);
  const [file] = parseMultipart(bytes, type).parts;
  assert.ok(file.kind === "file");
  assert.equal(file.bytes.buffer, bytes.buffer);
  assert.equal(file.size, 1024 * 1024);
});

Deno.test("content that looks like a boundary but is not one stays inside the part", () => {
  const body = enc.encode(
    'preamble\r\n--XyZ\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\n' +
      "a\r\n-XyZ\r\n--Xy\r\nb\r\n--XyZ--\r\n",
  );
  const [part] = parseMultipart(body, "multipart/form-data; boundary=XyZ").parts;
  assert.ok(part.kind === "file");
  assert.equal(new TextDecoder().decode(part.bytes), "a\r\n-XyZ\r\n--Xy\r\nb");
});

Deno.test("a body that is not a well-formed form is a 400", () => {
  const cases: [string, string | null][] = [
    ["x", "application/json"],
    ["x", null],
    ["garbage", "multipart/form-data; boundary=x"],
    [
      '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nno end',
      "multipart/form-data; boundary=x",
    ],
    ["--x\r\nContent-Type: text/plain\r\n\r\nv\r\n--x--", "multipart/form-data; boundary=x"],
    ['--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\r\n--x--', "multipart/form-data"],
  ];
  for (const [body, type] of cases) {
    assert.throws(
      () => parseMultipart(enc.encode(body), type),
      (e) => e instanceof HttpError && e.status === 400,
      `${JSON.stringify(body)} with ${type}`,
    );
  }
});
