import assert from "node:assert/strict";
import { CATALOG, overrideModel } from "./catalog.ts";
import {
  candidatesFor,
  configVariables,
  DEFAULT_CANDIDATES,
  lifecycleGaps,
  ModelConfigError,
} from "./config.ts";

const NOW = new Date("2026-11-25T12:00:00Z");

function models(list: { provider: string; model: string }[]): string[] {
  return list.map((c) => `${c.provider}:${c.model}`);
}

function configError(problem: string, entry?: string) {
  return (error: unknown) =>
    error instanceof ModelConfigError && error.code === "model_config_invalid" &&
    error.problem === problem && (entry === undefined || error.entry === entry) &&
    (entry === undefined || error.message.includes(entry));
}

Deno.test("with no configuration each task gets DESIGN.md's defaults", () => {
  const expected = {
    chat: ["groq:openai/gpt-oss-120b", "openai:gpt-6-luna"],
    vision: ["groq:qwen/qwen3.8-27b", "openai:gpt-6-luna"],
    document: ["groq:openai/gpt-oss-120b", "openai:gpt-6-luna"],
    speech: ["groq:whisper-large-v3", "openai:gpt-transcribe"],
  } as const;
  for (const task of ["chat", "vision", "document", "speech"] as const) {
    const result = candidatesFor(task, "main", {}, NOW);
    assert.deepEqual(models(result.candidates), expected[task], task);
    assert.deepEqual(result.warnings, []);
    assert.equal(result.source, "default");
  }
});

Deno.test("the env variable names follow AI_<TASK>_MODELS[_<PLATFORM>]", () => {
  assert.deepEqual(configVariables("speech", "tripwire"), [
    "AI_SPEECH_MODELS_TRIPWIRE",
    "AI_SPEECH_MODELS",
  ]);
});

Deno.test("AI_<TASK>_MODELS overrides the defaults, in the order given", () => {
  const result = candidatesFor("chat", "main", {
    AI_CHAT_MODELS: " openai:gpt-4.1-mini , groq:openai/gpt-oss-20b,",
  }, NOW);
  assert.deepEqual(models(result.candidates), ["openai:gpt-4.1-mini", "groq:openai/gpt-oss-20b"]);
  assert.equal(result.source, "AI_CHAT_MODELS");
});

Deno.test("the platform-specific variable wins over the general one", () => {
  const env = {
    AI_VISION_MODELS: "groq:qwen/qwen3.8-27b",
    AI_VISION_MODELS_TRIPWIRE: "groq:qwen/qwen3.6-27b,openai:gpt-4o",
  };
  const tripwire = candidatesFor("vision", "tripwire", env, NOW);
  assert.deepEqual(models(tripwire.candidates), ["groq:qwen/qwen3.6-27b", "openai:gpt-4o"]);
  assert.equal(tripwire.source, "AI_VISION_MODELS_TRIPWIRE");
  const main = candidatesFor("vision", "main", env, NOW);
  assert.deepEqual(models(main.candidates), ["groq:qwen/qwen3.8-27b"]);
});

Deno.test("an empty variable counts as unset", () => {
  const result = candidatesFor("speech", "main", { AI_SPEECH_MODELS_MAIN: "  " }, NOW);
  assert.equal(result.source, "default");
});

Deno.test("an unknown model is a config error naming it", () => {
  assert.throws(
    () => candidatesFor("chat", "main", { AI_CHAT_MODELS: "groq:llama-9-imaginary" }, NOW),
    configError("unknown_model", "groq:llama-9-imaginary"),
  );
  // a real model under the wrong provider is unknown too
  assert.throws(
    () => candidatesFor("chat", "main", { AI_CHAT_MODELS_MAIN: "openai:openai/gpt-oss-120b" }, NOW),
    (e: unknown) => e instanceof ModelConfigError && e.variable === "AI_CHAT_MODELS_MAIN",
  );
});

Deno.test("a model lacking the task's capability is a config error naming it", () => {
  // gpt-oss-120b is text only
  assert.throws(
    () => candidatesFor("vision", "main", { AI_VISION_MODELS: "groq:openai/gpt-oss-120b" }, NOW),
    configError("missing_capability", "groq:openai/gpt-oss-120b"),
  );
  assert.throws(
    () => candidatesFor("speech", "main", { AI_SPEECH_MODELS: "openai:gpt-4o" }, NOW),
    configError("missing_capability", "openai:gpt-4o"),
  );
  assert.throws(
    () => candidatesFor("chat", "main", { AI_CHAT_MODELS: "groq:whisper-large-v3" }, NOW),
    configError("missing_capability", "groq:whisper-large-v3"),
  );
});

Deno.test("malformed entries and unknown providers are config errors", () => {
  assert.throws(
    () => candidatesFor("chat", "main", { AI_CHAT_MODELS: "gpt-oss-120b" }, NOW),
    configError("malformed_entry", "gpt-oss-120b"),
  );
  assert.throws(
    () => candidatesFor("chat", "main", { AI_CHAT_MODELS: "groq:" }, NOW),
    configError("malformed_entry"),
  );
  assert.throws(
    () => candidatesFor("chat", "main", { AI_CHAT_MODELS: "," }, NOW),
    configError("malformed_entry"),
  );
  assert.throws(
    () => candidatesFor("chat", "main", { AI_CHAT_MODELS: "anthropic:claude" }, NOW),
    configError("unknown_provider", "anthropic:claude"),
  );
});

Deno.test("a configured model past its shutdown is replaced, with a warning", () => {
  const result = candidatesFor("chat", "tripwire", {
    AI_CHAT_MODELS_TRIPWIRE: "groq:llama-3.3-70b-versatile,openai:gpt-4.1-mini",
  }, NOW);
  assert.deepEqual(result.candidates, [
    { provider: "groq", model: "openai/gpt-oss-120b", replacedFrom: "llama-3.3-70b-versatile" },
    { provider: "openai", model: "gpt-4.1-mini" },
  ]);
  assert.deepEqual(result.warnings, [
    "groq:llama-3.3-70b-versatile was shut down on 2026-08-16; using its replacement groq:openai/gpt-oss-120b",
  ]);
});

Deno.test("the same model configured before its shutdown is used as is", () => {
  const result = candidatesFor("chat", "main", {
    AI_CHAT_MODELS: "groq:llama-3.3-70b-versatile",
  }, new Date("2026-08-01T00:00:00Z"));
  assert.deepEqual(models(result.candidates), ["groq:llama-3.3-70b-versatile"]);
  assert.deepEqual(result.warnings, []);
});

Deno.test("a replacement that duplicates a listed model appears once", () => {
  const result = candidatesFor("chat", "main", {
    AI_CHAT_MODELS: "groq:qwen/qwen3-32b,groq:openai/gpt-oss-120b,openai:gpt-4o",
  }, NOW);
  assert.deepEqual(models(result.candidates), ["groq:openai/gpt-oss-120b", "openai:gpt-4o"]);
  assert.equal(result.warnings.length, 1);
});

Deno.test("a retired vision model whose replacement is text only is dropped, not misrouted", () => {
  const result = candidatesFor("vision", "main", {
    AI_VISION_MODELS: "groq:meta-llama/llama-4-maverick-17b-128e-instruct,openai:gpt-4.1-mini",
  }, NOW);
  assert.deepEqual(models(result.candidates), ["openai:gpt-4.1-mini"]);
  assert.ok(result.warnings.some((w) => /lacks "vision"/.test(w)), result.warnings.join("\n"));
  // llama-4-scout's replacement (qwen3.6-27b) can see, so it is kept
  const scout = candidatesFor("vision", "main", {
    AI_VISION_MODELS: "groq:meta-llama/llama-4-scout-17b-16e-instruct",
  }, NOW);
  assert.deepEqual(models(scout.candidates), ["groq:qwen/qwen3.6-27b"]);
});

Deno.test("when every configured model is retired without a replacement, the defaults are used", () => {
  const result = candidatesFor("chat", "main", { AI_CHAT_MODELS: "groq:gemma2-9b-it" }, NOW);
  assert.deepEqual(models(result.candidates), ["groq:openai/gpt-oss-120b", "openai:gpt-6-luna"]);
  assert.equal(result.source, "default");
  assert.deepEqual(result.warnings, [
    "groq:gemma2-9b-it was shut down on 2025-10-08 and has no replacement",
    "dropped groq:gemma2-9b-it from the chat models",
    "AI_CHAT_MODELS has no model in service; using the default chat models",
  ]);
});

Deno.test("defaults past their shutdown are replaced or dropped too", () => {
  // 2027-03-01: a configured gpt-4.1-mini (2027-01-14) → gpt-6-luna; whisper-1 (2027-02-26) →
  // gpt-transcribe.
  const at = new Date("2027-03-01T00:00:00Z");
  const chat = candidatesFor("chat", "main", {
    AI_CHAT_MODELS: "groq:openai/gpt-oss-120b,openai:gpt-4.1-mini",
  }, at);
  assert.deepEqual(models(chat.candidates), ["groq:openai/gpt-oss-120b", "openai:gpt-6-luna"]);
  assert.ok(chat.warnings.some((w) => w.includes("gpt-4.1-mini")));
  const speech = candidatesFor("speech", "main", {}, at);
  assert.deepEqual(models(speech.candidates), ["groq:whisper-large-v3", "openai:gpt-transcribe"]);
});

Deno.test("no model in service at all is a config error", () => {
  let patched = overrideModel(CATALOG, "groq", "openai/gpt-oss-120b", { shutdownOn: "2026-01-01" });
  patched = overrideModel(patched, "openai", "gpt-6-luna", { shutdownOn: "2026-01-01" });
  assert.throws(
    () => candidatesFor("chat", "main", {}, NOW, patched),
    configError("no_candidates"),
  );
});

Deno.test("unknown tasks and platforms are refused", () => {
  assert.throws(
    // @ts-expect-error: checking the runtime guard
    () => candidatesFor("poetry", "main", {}, NOW),
    configError("unknown_task"),
  );
  assert.throws(
    // @ts-expect-error: checking the runtime guard
    () => candidatesFor("chat", "staging", {}, NOW),
    configError("unknown_platform"),
  );
});

// The forward-looking lifecycle check, against the real clock: every model a default route can
// reach (the defaults and their replacement chains) is priced, and no default is past its
// shutdown, on each of the next 60 days. When it fails, the message names the model and the day.
Deno.test("lifecycle: every model a default route can reach is priced and in service for the next 60 days", () => {
  const gaps = lifecycleGaps(new Date(), 60);
  assert.deepEqual(gaps.map((g) => `${g.day} ${g.message}`), []);
});

Deno.test("lifecycle check names the model and the first day of a gap", () => {
  // gpt-4.1-mini as a default (as before 2026-12-01): past its shutdown on 2027-01-14, 44 days on.
  const old = {
    ...DEFAULT_CANDIDATES,
    chat: [{ provider: "openai" as const, model: "gpt-4.1-mini" }],
  };
  const gaps = lifecycleGaps(new Date("2026-12-01T09:00:00Z"), 60, CATALOG, old);
  assert.deepEqual(gaps.map((g) => [g.task, g.model, g.day, g.problem]), [
    ["chat", "gpt-4.1-mini", "2027-01-14", "past_shutdown"],
  ]);
  // gpt-transcribe without a price (as before 2026-12-01): whisper-1 hands over to it.
  const unpriced = overrideModel(CATALOG, "openai", "gpt-transcribe", { prices: [] });
  const speech = lifecycleGaps(new Date("2026-12-01T09:00:00Z"), 60, unpriced);
  assert.deepEqual(speech.map((g) => [g.task, g.model, g.day, g.problem]), [
    ["speech", "gpt-transcribe", "2026-12-01", "unpriced"],
  ]);
});
