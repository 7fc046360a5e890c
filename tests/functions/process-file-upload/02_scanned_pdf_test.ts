// Pages without a text layer are read from the page images the client sends, on the vision model,
// and only those pages: a scan without them is refused before any call, naming the pages.
import assert from "node:assert/strict";
import { AiFunctionError, analyzeFile } from "../../../shared/index.ts";
import {
  clientFor,
  ledgerCountForUser,
  ledgerRows,
  providerRequests,
  resetProvider,
} from "../../_support/functions.ts";
import { closeDb, createUser } from "../../_support/stack.ts";
import { file, fixtureBytes, manifest, sumUsd } from "./fixtures.ts";

const page1 = () => file("scanned-page-1.png");
const page2 = () => file("scanned-page-2.png");

Deno.test("a scanned PDF with its page images → method vision: one vision call with exactly those pages", async () => {
  await resetProvider();
  const student = await createUser();
  const res = await analyzeFile(clientFor(student), {
    file: file("scanned.pdf"),
    platform: "main",
    page_images: [page1(), page2()],
  });
  assert.equal(res.kind, "pdf");
  assert.equal(res.method, "vision");
  assert.equal(res.pages, 2);
  assert.equal(res.extracted_text, undefined, "no page has a text layer");
  assert.deepEqual(res.models, ["qwen/qwen3.8-27b"]);

  const calls = await providerRequests();
  assert.equal(calls.length, 1, "two pages fit one call (3 images a request on qwen3.8)");
  assert.equal(calls[0].model, "qwen/qwen3.8-27b");
  assert.deepEqual(
    calls[0].body.images!.map((i) => [i.bytes, i.width, i.height]),
    [
      [fixtureBytes("scanned-page-1.png").length, 595, 842],
      [fixtureBytes("scanned-page-2.png").length, 595, 842],
    ],
    "the page images, in page order, unchanged (they fit the limits)",
  );
  const rows = await ledgerRows(res.request_id);
  assert.deepEqual(rows.map((r) => [r.attempt, r.operation_type]), [[1, "vision"]]);
  assert.equal(res.cost_usd, sumUsd(rows.map((r) => r.cost_usd)));
  await closeDb();
});

Deno.test("a scanned PDF without page images → 422 page_images_required naming pages 1 and 2, no call", async () => {
  await resetProvider();
  const student = await createUser();
  const err = await analyzeFile(clientFor(student), { file: file("scanned.pdf"), platform: "main" })
    .catch((e) => e);
  assert.ok(err instanceof AiFunctionError);
  assert.equal(err.status, 422);
  assert.equal(err.code, "page_images_required");
  assert.deepEqual(err.details, { pages: [1, 2], page_count: 2 });
  assert.match(err.message, /1, 2/);
  assert.deepEqual(await providerRequests(), []);
  assert.equal(await ledgerCountForUser(student.id), 0);
  await closeDb();
});

Deno.test("a mixed PDF: page 1 by its text layer, page 2 by its image, one combined answer → method mixed", async () => {
  const m = manifest["mixed.pdf"];
  assert.deepEqual(m.pagesWithoutText, [2]);
  const student = await createUser();
  const supabase = clientFor(student);

  // Without an image, only page 2 is named.
  await resetProvider();
  const err = await analyzeFile(supabase, { file: file("mixed.pdf"), platform: "main" })
    .catch((e) => e);
  assert.equal(err.code, "page_images_required");
  assert.deepEqual(err.details, { pages: [2], page_count: 2 });
  assert.deepEqual(await providerRequests(), []);

  // One image per page without text, or one per page: both mean the same, and only page 2's
  // image reaches the vision model.
  for (const pageImages of [[page2()], [page1(), page2()]]) {
    await resetProvider();
    const res = await analyzeFile(supabase, {
      file: file("mixed.pdf"),
      platform: "main",
      page_images: pageImages,
    });
    assert.equal(res.method, "mixed");
    assert.equal(res.pages, 2);
    for (const line of m.textPage) assert.ok(res.extracted_text!.includes(line));
    const calls = await providerRequests();
    assert.deepEqual(
      calls.map((c) => [c.model, c.body.images?.length ?? 0]),
      [
        ["openai/gpt-oss-120b", 0], // page 1's text
        ["qwen/qwen3.8-27b", 1], // page 2's image
        ["openai/gpt-oss-120b", 0], // the two answers combined
      ],
    );
    assert.equal(calls[1].body.images![0].bytes, fixtureBytes("scanned-page-2.png").length);
    assert.deepEqual(res.models, ["openai/gpt-oss-120b", "qwen/qwen3.8-27b"]);
    const rows = await ledgerRows(res.request_id, 3);
    assert.deepEqual(
      rows.map((r) => [r.attempt, r.operation_type]),
      [[1, "document"], [2, "vision"], [3, "document"]],
      "one request id, distinct attempts",
    );
    assert.equal(res.cost_usd, sumUsd(rows.map((r) => r.cost_usd)));
  }
  await closeDb();
});

Deno.test("page images that match neither mapping → 400 naming the pages, no call", async () => {
  await resetProvider();
  const student = await createUser();
  const err = await analyzeFile(clientFor(student), {
    file: file("mixed.pdf"),
    platform: "main",
    page_images: [page1(), page2(), page1()],
  }).catch((e) => e);
  assert.equal(err.status, 400);
  assert.equal(err.code, "invalid_request");
  assert.deepEqual(err.details, { pages: [2], page_count: 2 });
  assert.deepEqual(await providerRequests(), []);
  await closeDb();
});
