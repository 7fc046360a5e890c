import assert from "node:assert/strict";
import { verdict } from "./verdict.mjs";

const row = {
  status: 200,
  code: null as string | null,
  error: null as string | null,
  cpuMs: 300,
  peakMemoryMb: 30,
  expect: "accept",
  expectCode: undefined as string | undefined,
};

Deno.test("bench:files verdict: an input expected to be accepted but refused is a failure, not 'ok'", () => {
  assert.equal(
    verdict({ ...row, status: 413, code: "payload_too_large" }),
    "FAIL: expected 200, answered 413 payload_too_large",
  );
  assert.equal(verdict(row), "ok");
});

Deno.test("bench:files verdict: a refusal must carry the code its input names", () => {
  const refuse = { ...row, expect: "refuse", expectCode: "payload_too_large" };
  assert.equal(verdict({ ...refuse, status: 413, code: "payload_too_large" }), "ok");
  assert.equal(
    verdict({ ...refuse, status: 413, code: "work_limit_exceeded" }),
    "FAIL: expected payload_too_large, answered 413 work_limit_exceeded",
  );
  assert.equal(verdict({ ...refuse, status: 200 }), "FAIL: bomb accepted");
  assert.equal(
    verdict({ ...refuse, expectCode: undefined, status: 422, code: "unprocessable_file" }),
    "ok",
    "an input without a code only needs a refusal",
  );
});

Deno.test("bench:files verdict: limits still judge a matching answer", () => {
  assert.equal(verdict({ ...row, cpuMs: 1600 }), "WARN: over target");
  assert.equal(verdict({ ...row, cpuMs: 2100 }), "FAIL: over hosted limits");
  assert.equal(verdict({ ...row, status: 546 }), "FAIL: 546");
});
