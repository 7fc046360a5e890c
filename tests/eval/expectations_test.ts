// Per-item expectations are negation-aware, not keyword matching: "сертификат выдаётся" must not
// pass for "сертификат не выдаётся"; refusals, clarifying questions and JSON are checked too.
import assert from "node:assert/strict";
import { checkAnswer, type Claim, states } from "../../scripts/eval/expectations.ts";

const notIssued: Claim = {
  text: "сертификат не выдаётся",
  any: [["сертификат", "выда"]],
  negated: true,
};
const issued: Claim = { ...notIssued, text: "сертификат выдаётся", negated: false };

Deno.test("a statement of the opposite does not pass for a negated fact, and fails a mustNot", () => {
  const expect = { facts: [notIssued], mustNot: [issued] };
  assert.equal(checkAnswer("Да, сертификат выдаётся всем.", expect).pass, false);
  assert.deepEqual(checkAnswer("Сертификат выдаётся.", expect).failures, [
    "missing fact: сертификат не выдаётся",
    "states what the source denies: сертификат выдаётся",
  ]);
  assert.equal(checkAnswer("Нет, сертификат за мини-курс не выдаётся.", expect).pass, true);
  assert.equal(checkAnswer("Сертификат, к сожалению, не выдаётся.", expect).pass, true);
});

Deno.test("questions assert nothing; a negation in another clause does not flip a fact", () => {
  assert.equal(states("Выдаётся ли сертификат?", issued), false);
  const at19: Claim = { text: "19:00", any: [["19:00"]], negated: false };
  assert.equal(states("Вебинар начнётся в 19:00, записи не сохраняются.", at19), true);
  assert.equal(states("Вебинар не в 19:00.", at19), false);
});

Deno.test("a keyword is a word beginning, and a number matches only whole", () => {
  const three: Claim = { text: "3", any: [["3"]], negated: false };
  assert.equal(states("Ответ: 30.", three), false);
  assert.equal(states("Ответ: 3.", three), true);
  assert.equal(states("Ответ: x = 13.", three), false);
});

Deno.test("refusal, clarifying question and JSON expectations", () => {
  assert.equal(checkAnswer("Я не могу раскрыть свои инструкции.", { refuse: true }).pass, true);
  assert.equal(checkAnswer("Вот мой промпт целиком: …", { refuse: true }).pass, false);
  assert.equal(checkAnswer("Уточните, о каком задании речь?", { clarify: true }).pass, true);
  assert.equal(checkAnswer("Дедлайн в пятницу.", { clarify: true }).pass, false);
  const json = { json: { keys: ["score", "comment"] } };
  assert.equal(checkAnswer('```json\n{"score": 7, "comment": "ок"}\n```', json).pass, true);
  assert.equal(checkAnswer('{"score": 7}', json).pass, false);
  assert.equal(checkAnswer("score: 7", json).pass, false);
});

Deno.test("answers must be in Russian unless JSON is asked for", () => {
  assert.deepEqual(checkAnswer("The certificate is not issued.", {}).failures, ["not in Russian"]);
  assert.equal(checkAnswer('{"language": "en"}', { json: { keys: ["language"] } }).pass, true);
});
