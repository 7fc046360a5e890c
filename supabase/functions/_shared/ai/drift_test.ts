// Catalog drift check against @pydantic/genai-prices, a price list no one here wrote.
// That package computes in floating point, so it is only compared against, with a tolerance; it
// never bills anything.
import assert from "node:assert/strict";
import { calcPrice, type ModelPrice, TieredPrices } from "@pydantic/genai-prices";
import { CATALOG, FACTS_CHECKED_ON, type ModelEntry, pricePeriodAt } from "./catalog.ts";

type Field = "input" | "cached" | "output" | "longContext";

/**
 * Known disagreements, each with the reason we keep our value. Keyed `provider:model:field`.
 * An exception that no longer disagrees fails the test, so this list cannot go stale.
 */
const EXCEPTIONS: Readonly<Record<string, string>> = {
  "groq:llama-3.2-90b-vision-preview:input":
    "the facts file gives no price for this retired preview; we refuse to bill it (UnpricedPeriodError) rather than borrow one",
  "groq:llama-3.2-90b-vision-preview:output": "as above: no price in our facts",
  "groq:llama-3.2-11b-vision-preview:input":
    "the facts file gives no price for this retired preview; we refuse to bill it (UnpricedPeriodError) rather than borrow one",
  "groq:llama-3.2-11b-vision-preview:output": "as above: no price in our facts",
};

const TOLERANCE = 1e-9;

function sameNumber(ours: number, theirs: number): boolean {
  return Math.abs(ours - theirs) <= TOLERANCE * Math.max(1, Math.abs(theirs));
}

function base(price: ModelPrice[string]): number | undefined {
  if (price === undefined) return undefined;
  return price instanceof TieredPrices || typeof price === "object" ? price.base : price;
}

function tier(price: ModelPrice[string]): { start: number; price: number } | undefined {
  if (price === undefined || typeof price === "number") return undefined;
  return price.tiers.length === 1 ? price.tiers[0] : undefined;
}

// A day the model was live and priced, so both lists are read for the same period.
function comparisonDate(entry: ModelEntry): Date {
  if (entry.shutdownOn === undefined) return new Date(`${FACTS_CHECKED_ON}T12:00:00Z`);
  const lastLiveDay = new Date(`${entry.shutdownOn}T00:00:00Z`);
  lastLiveDay.setUTCDate(lastLiveDay.getUTCDate() - 1);
  return lastLiveDay;
}

interface Comparison {
  readonly key: string;
  readonly ours: string;
  readonly theirs: string;
  readonly agree: boolean;
}

function compare(entry: ModelEntry, theirs: ModelPrice): Comparison[] {
  const name = `${entry.provider}:${entry.id}`;
  const at = comparisonDate(entry);
  const period = entry.prices.length > 0 ? pricePeriodAt(entry, at) : undefined;
  const out: Comparison[] = [];
  const scalar = (field: Field, ours: string | undefined, theirsValue: number | undefined) => {
    if (theirsValue === undefined) return; // the package does not price this part
    out.push({
      key: `${name}:${field}`,
      ours: ours ?? "(none)",
      theirs: String(theirsValue),
      agree: ours !== undefined && sameNumber(Number(ours), theirsValue),
    });
  };
  scalar("input", period?.inputPerMTok, base(theirs.input_mtok));
  scalar("output", period?.outputPerMTok, base(theirs.output_mtok));
  scalar("cached", period?.cachedInputPerMTok, base(theirs.cache_read_mtok));

  // Long-context tiers: both absent agrees; otherwise threshold and rates must match.
  const ourTier = period?.longContext;
  const inputTier = tier(theirs.input_mtok);
  const outputTier = tier(theirs.output_mtok);
  if (ourTier !== undefined || inputTier !== undefined || outputTier !== undefined) {
    const oursText = ourTier
      ? `>${ourTier.aboveInputTokens}: in ${ourTier.inputPerMTok} out ${ourTier.outputPerMTok}`
      : "(none)";
    const theirsText = inputTier && outputTier
      ? `>${inputTier.start}: in ${inputTier.price} out ${outputTier.price}`
      : "(none)";
    const agree = ourTier !== undefined && inputTier !== undefined && outputTier !== undefined &&
      ourTier.aboveInputTokens === inputTier.start &&
      sameNumber(Number(ourTier.inputPerMTok), inputTier.price) &&
      sameNumber(Number(ourTier.outputPerMTok), outputTier.price);
    out.push({ key: `${name}:longContext`, ours: oursText, theirs: theirsText, agree });
  }
  return out;
}

function allComparisons(): { compared: string[]; comparisons: Comparison[] } {
  const compared: string[] = [];
  const comparisons: Comparison[] = [];
  for (const entry of CATALOG) {
    if (!entry.capabilities.includes("chat")) continue;
    const result = calcPrice({ input_tokens: 1000, output_tokens: 1000 }, entry.id, {
      providerId: entry.provider,
      timestamp: comparisonDate(entry),
    });
    // Not priced there (or only under another provider's name): nothing to compare.
    if (result === null || result.provider.id !== entry.provider) continue;
    compared.push(`${entry.provider}:${entry.id}`);
    comparisons.push(...compare(entry, result.model_price));
  }
  return { compared, comparisons };
}

Deno.test("our chat prices agree with @pydantic/genai-prices, or are listed exceptions", () => {
  const { compared, comparisons } = allComparisons();
  // Guard against a vacuous pass (e.g. a package change that stops matching our ids).
  for (const must of ["groq:openai/gpt-oss-120b", "groq:openai/gpt-oss-20b", "openai:gpt-4o"]) {
    assert.ok(
      compared.includes(must),
      `${must} was not compared; compared: ${compared.join(", ")}`,
    );
  }
  const drift = comparisons
    .filter((c) => !c.agree && !(c.key in EXCEPTIONS))
    .map((c) => `${c.key}: ours ${c.ours} vs genai-prices ${c.theirs}`);
  assert.deepEqual(drift, [], `catalog drift:\n${drift.join("\n")}`);
});

Deno.test("every drift exception still disagrees (stale exceptions must be removed)", () => {
  const { comparisons } = allComparisons();
  const disagreeing = new Set(comparisons.filter((c) => !c.agree).map((c) => c.key));
  const stale = Object.keys(EXCEPTIONS).filter((key) => !disagreeing.has(key));
  assert.deepEqual(stale, [], `exceptions that no longer apply: ${stale.join(", ")}`);
});
