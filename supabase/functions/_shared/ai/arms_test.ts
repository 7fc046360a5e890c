import assert from "node:assert/strict";
import {
  armCandidates,
  ArmConfigError,
  armsFor,
  assignArm,
  CONTROL_ARM,
  DEFAULT_ARM,
  isShortQuestion,
  SHORT_QUESTION_CHARS,
  stableHash,
} from "./arms.ts";

const CONTROL = [
  { provider: "groq" as const, model: "openai/gpt-oss-120b" },
  { provider: "openai" as const, model: "gpt-6-luna" },
];

Deno.test("no experiment configured: every conversation is arm default on the configured route", () => {
  assert.equal(armsFor("chat", "main", {}), null);
  const a = assignArm(null, "user-1:");
  assert.deepEqual(a, { arm: DEFAULT_ARM, target: null, escalateOnTruncation: false });
  assert.deepEqual(armCandidates(a, CONTROL), CONTROL);
  assert.equal(armsFor("chat", "main", { AI_CHAT_ARMS: "off" }), null);
});

Deno.test("an experiment at 10 % gets 10 % ± 2 % of 2,000 conversations", () => {
  const experiment = armsFor("chat", "main", { AI_CHAT_ARMS: "small:10:groq:openai/gpt-oss-20b" });
  let small = 0;
  for (let i = 0; i < 2_000; i++) {
    const key = `${crypto.randomUUID()}:`;
    if (assignArm(experiment, key).arm === "small") small++;
  }
  assert.ok(small >= 160 && small <= 240, `${small} of 2000`);
});

Deno.test("assignment is deterministic per conversation, and a ramp 10 → 20 % keeps the 10 % in the arm", () => {
  const at10 = armsFor("chat", "main", { AI_CHAT_ARMS: "small:10:groq:openai/gpt-oss-20b" });
  const at20 = armsFor("chat", "main", { AI_CHAT_ARMS: "small:20:groq:openai/gpt-oss-20b" });
  for (let i = 0; i < 500; i++) {
    const key = `user-${i}:conversation-${i % 7}`;
    const first = assignArm(at10, key);
    assert.deepEqual(assignArm(at10, key), first, "same key, same arm");
    if (first.arm === "small") assert.equal(assignArm(at20, key).arm, "small");
  }
});

Deno.test("an arm's route is its model first, then the control route (which stays the fallback)", () => {
  const experiment = armsFor("chat", "main", { AI_CHAT_ARMS: "all:100:groq:openai/gpt-oss-20b" });
  const a = assignArm(experiment, "anyone");
  assert.equal(a.arm, "all");
  assert.deepEqual(armCandidates(a, CONTROL), [
    { provider: "groq", model: "openai/gpt-oss-20b" },
    ...CONTROL,
  ]);
});

Deno.test("the platform's variable wins over the general one", () => {
  const env = {
    AI_CHAT_ARMS: "small:10:groq:openai/gpt-oss-20b",
    AI_CHAT_ARMS_TRIPWIRE: "tiny:50:groq:openai/gpt-oss-20b",
  };
  assert.equal(armsFor("chat", "tripwire", env)?.arms[0].name, "tiny");
  assert.equal(armsFor("chat", "main", env)?.arms[0].name, "small");
});

Deno.test("the short rule: short, context-free questions go to the arm, escalated on truncation", () => {
  const experiment = armsFor("chat", "main", {
    AI_CHAT_ARMS: "quick:short:groq:openai/gpt-oss-20b",
  });
  const short = assignArm(experiment, "u", { message: "Когда дедлайн?", historyTurns: 0 });
  assert.equal(short.arm, "quick");
  assert.equal(short.escalateOnTruncation, true);
  assert.equal(
    assignArm(experiment, "u", { message: "Когда дедлайн?", historyTurns: 2 }).arm,
    CONTROL_ARM,
  );
  const long = "а".repeat(SHORT_QUESTION_CHARS + 1);
  assert.equal(assignArm(experiment, "u", { message: long }).arm, CONTROL_ARM);
  assert.equal(isShortQuestion({ message: "   " }), false);
});

Deno.test("a malformed experiment fails loudly, naming the variable", () => {
  const bad = [
    "small:10:groq:no-such-model",
    "small:10:azure:gpt-4o",
    "Small:10:groq:openai/gpt-oss-20b",
    "control:10:groq:openai/gpt-oss-20b",
    "small:0:groq:openai/gpt-oss-20b",
    "small:ten:groq:openai/gpt-oss-20b",
    "a:60:groq:openai/gpt-oss-20b,b:60:groq:openai/gpt-oss-20b",
    "a:10:groq:openai/gpt-oss-20b,a:10:groq:openai/gpt-oss-20b",
    "s:10:groq:whisper-large-v3",
  ];
  for (const value of bad) {
    assert.throws(
      () => armsFor("chat", "main", { AI_CHAT_ARMS: value }),
      (e: unknown) => e instanceof ArmConfigError && e.variable === "AI_CHAT_ARMS",
      value,
    );
  }
});

Deno.test("stableHash is a fixed function of its input (the same on every worker)", () => {
  assert.equal(stableHash("chat/main/small|user:"), stableHash("chat/main/small|user:"));
  assert.notEqual(stableHash("a"), stableHash("b"));
  assert.ok(Number.isInteger(stableHash("x")) && stableHash("x") >= 0);
});
