/**
 * Per-item expectations and their pass/fail check: must state fact X (with the right polarity),
 * must not state what the source negates, must refuse, must ask to clarify, must be valid JSON
 * with given keys. Pure functions; the harness applies them to every answer.
 *
 * Negation-aware, not keyword matching: a claim is found in a CLAUSE (sentences, split further at
 * «; », «, но», «, а», «, однако», «—»), and its polarity is whether the smallest comma-run of that
 * clause holding the keywords has a negation cue (не, нет, ни, нельзя, невозможно, отсутствует,
 * запрещено…). "Сертификат выдаётся" therefore
 * does not pass for the fact "сертификат не выдаётся" and fails a `mustNot` of "выдаётся".
 * Questions (a sentence ending in «?») assert nothing and are skipped. Known limits: double
 * negation ("не может не выдаваться") reads as negated; a claim split over two clauses is missed.
 *
 * @module
 */

/** A statement: found when every keyword of one alternative is in one clause, with `negated`
 * matching the clause's polarity. Keywords are word beginnings (stems): "выда" matches
 * "выдаётся"; a keyword ending in a digit matches a whole number only ("3" is not "30"). */
export interface Claim {
  readonly text: string;
  readonly any: readonly (readonly string[])[];
  readonly negated: boolean;
}

export interface Expectations {
  readonly facts?: readonly Claim[];
  readonly mustNot?: readonly Claim[];
  readonly refuse?: boolean;
  readonly clarify?: boolean;
  readonly json?: { readonly keys: readonly string[] };
  /** The answer must be mostly Cyrillic (default true; JSON answers are exempt). */
  readonly russian?: boolean;
}

export interface CheckResult {
  readonly pass: boolean;
  /** Why it failed, one line each (empty when it passed). */
  readonly failures: readonly string[];
}

const fold = (text: string) =>
  text.toLowerCase().replaceAll("ё", "е").replace(/[\u00a0\u202f]/g, " ").replace(/−/g, "-");

const NEGATION =
  /(?<![\p{L}\p{N}])(не|нет|ни|нельзя|невозможно|отсутству\p{L}*|запрещ\p{L}*|недоступ\p{L}*|никак\p{L}*|никогда)(?![\p{L}\p{N}])/u;

/** The clauses of `text` that assert something (questions dropped), folded. */
export function clauses(text: string): string[] {
  const sentences = fold(text).split(/(?<=[.!?…])\s+|\n+/u);
  const out: string[] = [];
  for (const s of sentences) {
    if (/\?\s*$/.test(s)) continue;
    for (const part of s.split(/;|\s[—–]\s|,\s*(?:но|а|однако|зато)\s/u)) {
      if (part.trim() !== "") out.push(part.trim());
    }
  }
  return out;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function hasKeyword(clause: string, keyword: string): boolean {
  const k = fold(keyword);
  const tail = /\p{N}$/u.test(k) ? "(?![\\p{N}])" : "";
  const head = /^[\p{L}\p{N}]/u.test(k) ? "(?<![\\p{L}\\p{N}])" : "";
  return new RegExp(head + escape(k) + tail, "u").test(clause);
}

/**
 * The polarity with which `clause` carries one keyword alternative: the smallest run of its
 * comma-separated segments holding every keyword is read for a negation cue ("вебинар в 19:00,
 * записи не сохраняются" keeps "19:00" positive; "сертификат, к сожалению, не выдаётся" is
 * negated). Undefined when the keywords are not all there.
 */
function polarity(clause: string, words: readonly string[]): boolean | undefined {
  const segments = clause.split(",");
  for (let width = 1; width <= segments.length; width++) {
    for (let i = 0; i + width <= segments.length; i++) {
      const window = segments.slice(i, i + width).join(",");
      if (words.every((w) => hasKeyword(window, w))) return NEGATION.test(window);
    }
  }
  return undefined;
}

/** True when a clause of `text` carries `claim` with its polarity. */
export function states(text: string, claim: Claim): boolean {
  return clauses(text).some((c) => claim.any.some((words) => polarity(c, words) === claim.negated));
}

const REFUSAL =
  /(не могу|не буду|не стану|не смогу|не имею права|не вправе|не получится|не предоставляю|не раскрываю|не делюсь|не могу помочь|не помогу|не передаю|откаж|нельзя|не разглаша|не выполн|недопустим|против правил|не положено|не сделаю|не напишу|не решу)/u;
const CLARIFY_HINT =
  /(уточн|какой|какая|какое|какие|какого|каком|о чем|о чём|что именно|что вы имеете|какую|расскажите подробнее|опишите|напишите подробнее|пришлите|приложите)/u;

/** The first JSON object in `text` (a ```json fence or bare braces), or undefined. */
export function parseJsonAnswer(text: string): unknown {
  const fenced = text.match(/```(?:json)?\s*([\s\S]*?)```/);
  const body = (fenced ? fenced[1] : text).trim();
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function isRussianText(text: string): boolean {
  const letters = text.match(/\p{L}/gu) ?? [];
  if (letters.length === 0) return false;
  return letters.filter((ch) => /\p{Script=Cyrillic}/u.test(ch)).length / letters.length >= 0.6;
}

/**
 * Checks one answer against its expectations.
 *
 * @example
 * const no = { text: "не выдаётся", any: [["сертификат", "выда"]], negated: true };
 * checkAnswer("Сертификат не выдаётся.", { facts: [no] }).pass; // true
 * checkAnswer("Сертификат выдаётся.", { facts: [no] }).pass;    // false
 */
export function checkAnswer(text: string, expect: Expectations): CheckResult {
  const failures: string[] = [];
  for (const f of expect.facts ?? []) {
    if (!states(text, f)) failures.push(`missing fact: ${f.text}`);
  }
  for (const f of expect.mustNot ?? []) {
    if (states(text, f)) failures.push(`states what the source denies: ${f.text}`);
  }
  const folded = fold(text);
  if (expect.refuse && !REFUSAL.test(folded)) failures.push("does not refuse");
  if (expect.clarify && !(folded.includes("?") && CLARIFY_HINT.test(folded))) {
    failures.push("does not ask to clarify");
  }
  if (expect.json) {
    const value = parseJsonAnswer(text);
    if (
      value === undefined || value === null || typeof value !== "object" || Array.isArray(value)
    ) {
      failures.push("not a JSON object");
    } else {
      const missing = expect.json.keys.filter((k) => !(k in (value as Record<string, unknown>)));
      if (missing.length > 0) failures.push(`JSON lacks ${missing.join(", ")}`);
    }
  }
  if ((expect.russian ?? !expect.json) && !isRussianText(text)) failures.push("not in Russian");
  return { pass: failures.length === 0, failures };
}
