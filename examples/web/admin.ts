// The admin page: today's spend, per platform and provider, and this month's top users, read from
// the spend views through the Data API with the admin's own session. The views are
// security_invoker, so RLS decides: an admin sees everyone, a student only themself.
import { plainErrorMessage } from "../../shared/index.ts";
import { type Client, signIn } from "./session.ts";

const $ = (id: string) => document.querySelector<HTMLElement>(`[data-testid=${id}]`)!;

/** Exact sums of numeric(…,10) strings: money is never added as floats. */
const SCALE = 10;
function toUnits(decimal: string | null): bigint {
  if (!decimal) return 0n;
  const negative = decimal.startsWith("-");
  const [whole, fraction = ""] = decimal.replace(/^-/, "").split(".");
  const units = BigInt(whole || "0") * 10n ** BigInt(SCALE) +
    BigInt((fraction + "0".repeat(SCALE)).slice(0, SCALE));
  return negative ? -units : units;
}
function fromUnits(units: bigint): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(SCALE + 1, "0");
  return `${negative ? "-" : ""}${digits.slice(0, -SCALE)}.${digits.slice(-SCALE)}`;
}

function row(cells: (string | number)[]): HTMLTableRowElement {
  const tr = document.createElement("tr");
  for (const c of cells) {
    const td = document.createElement("td");
    td.textContent = String(c);
    tr.append(td);
  }
  return tr;
}

async function load(supabase: Client) {
  const error = $("error-message");
  error.hidden = true;
  $("spend-total").dataset.state = "loading";
  const today = new Date().toISOString().slice(0, 10); // the views' days are UTC days
  const month = `${today.slice(0, 7)}-01`;
  const [byPlatform, byUser] = await Promise.all([
    supabase.from("ai_spend_by_platform")
      .select("platform, provider, operations, cost_usd::text")
      .eq("day", today),
    supabase.from("ai_spend_by_user")
      .select("user_id, platform, operations, cost_usd::text")
      .gte("month", month)
      .order("cost_usd", { ascending: false })
      .limit(10),
  ]);
  const failed = byPlatform.error ?? byUser.error;
  if (failed) {
    error.textContent = `The spend views could not be read: ${failed.message}`;
    error.hidden = false;
    $("spend-total").dataset.state = "error";
    return;
  }

  let total = 0n;
  const perPlatform = new Map<string, { operations: number; units: bigint }>();
  const platformRows = $("spend-platforms");
  platformRows.replaceChildren();
  for (const r of byPlatform.data ?? []) {
    const units = toUnits(r.cost_usd);
    total += units;
    const p = perPlatform.get(r.platform ?? "?") ?? { operations: 0, units: 0n };
    p.operations += r.operations ?? 0;
    p.units += units;
    perPlatform.set(r.platform ?? "?", p);
    platformRows.append(
      row([r.platform ?? "", r.provider ?? "", r.operations ?? 0, `$${r.cost_usd}`]),
    );
  }
  for (const [platform, p] of perPlatform) {
    platformRows.append(row([platform, "all", p.operations, `$${fromUnits(p.units)}`]));
  }
  const users = $("spend-users");
  users.replaceChildren();
  for (const r of byUser.data ?? []) {
    users.append(
      row([r.user_id ?? "(no user)", r.platform ?? "", r.operations ?? 0, `$${r.cost_usd}`]),
    );
  }
  const totalEl = $("spend-total");
  totalEl.textContent = `$${fromUnits(total)}`;
  totalEl.dataset.value = fromUnits(total);
  totalEl.dataset.state = "done";
  $("spend-day").textContent = today;
}

document.querySelector("[data-testid=spend-refresh]")!.addEventListener("click", () => {
  if (client) void load(client).catch(showFailure);
});
let client: Client | null = null;
function showFailure(e: unknown) {
  $("error-message").textContent = plainErrorMessage(e);
  $("error-message").hidden = false;
}

await signIn("admin", (c) => {
  client = c;
  void load(c).catch(showFailure);
});
document.body.dataset.loaded = "true";
