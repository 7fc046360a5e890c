// Production-shaped platform access: the function verifies tokens itself (a request sent straight
// to it, past any gateway, is judged by the JWKS), a stalled Postgres is a quick 503 and not a
// hung request, and one student's parallel chats are all served without passing the budget.
import assert from "node:assert/strict";
import { AiFunctionError, invokeChat } from "../../../shared/index.ts";
import { createChatHandler } from "../../../supabase/functions/process-chat/handler.ts";
import { createRuntime } from "../../../supabase/functions/_shared/runtime.ts";
import { clientFor, providerRequests, resetProvider } from "../../_support/functions.ts";
import {
  closeDb,
  createUser,
  db,
  foreignSigningKey,
  stackEnv,
  userToken,
} from "../../_support/stack.ts";

/** process-chat's handler in this process, with the environment hosted gives it: nothing but the
 * function stands between the request and the handler. */
function functionDirect() {
  const provider = stackEnv.providerUrl;
  return createChatHandler(createRuntime({
    SUPABASE_URL: stackEnv.url,
    SUPABASE_SECRET_KEYS: JSON.stringify({ default: stackEnv.secretKey }),
    SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: stackEnv.publishableKey }),
    // No SUPABASE_JWKS: the keys are fetched from <SUPABASE_URL>/auth/v1/.well-known/jwks.json.
    GROQ_API_KEY: "offline-groq-key",
    GROQ_BASE_URL: `${provider}/openai/v1`,
    OPENAI_API_KEY: "offline-openai-key",
    OPENAI_BASE_URL: `${provider}/v1`,
  }));
}

const chatRequest = (token: string) =>
  new Request("http://function.local/process-chat", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ platform: "main", message: "Что такое воронка продаж?" }),
  });

Deno.test("sent straight to the function: an ES256 token of the project's key is answered, one signed by a foreign key is 401", async () => {
  await resetProvider();
  const handler = functionDirect();
  const student = await createUser();
  const ok = await handler(chatRequest(await userToken(student.id)));
  assert.equal(ok.status, 200, await ok.clone().text());
  await ok.body?.cancel();

  const before = (await providerRequests()).length;
  const forged = await userToken(student.id, { signingKey: await foreignSigningKey() });
  const res = await handler(chatRequest(forged));
  assert.equal(res.status, 401);
  assert.equal((await res.json()).error.code, "unauthorized");
  // An HS256 token is refused where no legacy secret is configured (hosted's default).
  const hs = await handler(chatRequest(await userToken(student.id, { alg: "HS256" })));
  assert.equal(hs.status, 401);
  await hs.body?.cancel();
  assert.equal((await providerRequests()).length, before, "no provider call for a bad token");
  await closeDb();
});

/** The test stack's Postgres: its postmaster and every backend. */
function postgresPids(): number[] {
  const port = new URL(stackEnv.dbUrl).port;
  const procs = new Map<number, { ppid: number; cmd: string[] }>();
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const cmd = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).split("\0");
      procs.set(Number(e.name), { ppid, cmd });
    } catch { /* gone */ }
  }
  const master = [...procs].find(([, p]) =>
    /postgres$/.test(p.cmd[0] ?? "") &&
    p.cmd.some((a, i) => (a === "-p" && p.cmd[i + 1] === port) || a === `--port=${port}`)
  );
  assert.ok(master, `the postmaster on port ${port}`);
  return [master[0], ...[...procs].filter(([, p]) => p.ppid === master[0]).map(([pid]) => pid)];
}

type Asked = { status: number; code?: string; retryAfter?: number };

/** Stops Postgres while `ask` runs one chat, then resumes it: a quick 503, no provider call, and
 * answers again afterwards. `ask` resolves with the HTTP status and Retry-After. `warm` is the same
 * request by another student: it warms the worker, its pools and key cache, but opens no budget
 * lease for `userId` (a request inside an open lease is already paid for and needs no database). */
async function stalledPostgres(
  userId: string,
  ask: () => Promise<Asked>,
  warm: () => Promise<Asked>,
) {
  await resetProvider();
  await closeDb(); // no connection of ours may wait on the stopped database
  assert.equal((await warm()).status, 200, "warm: worker, pools and key cache");
  const before = (await providerRequests()).length;
  const pids = postgresPids();
  for (const pid of pids) Deno.kill(pid, "SIGSTOP");
  try {
    const t0 = performance.now();
    const r = await ask();
    const ms = performance.now() - t0;
    assert.equal(r.status, 503);
    assert.equal(r.code, "service_unavailable");
    assert.ok(r.retryAfter! > 0, "Retry-After");
    assert.ok(ms < 3000, `answered in ${ms.toFixed(0)} ms`);
    assert.equal((await providerRequests()).length, before, "no provider call");
  } finally {
    for (const pid of pids) {
      try {
        Deno.kill(pid, "SIGCONT");
      } catch { /* gone */ }
    }
  }
  // Once the database answers again, so does the function.
  let status = 0;
  for (let i = 0; i < 20 && status !== 200; i++) {
    status = (await ask()).status;
    if (status !== 200) await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal(status, 200);
  // The reservation that timed out landed once Postgres resumed; the function gives it back, so
  // nothing stays held for the student (a leftover hold would block them for 10 minutes).
  let held = -1;
  for (let i = 0; i < 60 && held !== 0; i++) {
    [{ held }] = await db()<{ held: number }[]>`
      select count(*)::int as held from ai_private.budget_reservations
      where user_id = ${userId} and status = 'held'`;
    if (held !== 0) await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal(held, 0, "no hold left behind");
}

Deno.test("a stalled Postgres (SIGSTOP) → 503 service_unavailable with Retry-After within 3 s, no provider call; 200 once it resumes (the stack: Postgres store, as through the transaction pooler)", async () => {
  const student = await createUser();
  const other = await createUser();
  const ask = (supabase: ReturnType<typeof clientFor>) => () =>
    invokeChat(supabase, { platform: "main", message: "Вопрос" }).then(
      () => ({ status: 200 }),
      (e) => {
        assert.ok(e instanceof AiFunctionError, String(e));
        return { status: e.status, code: e.code, retryAfter: e.retryAfterSeconds };
      },
    );
  await stalledPostgres(student.id, ask(clientFor(student)), ask(clientFor(other)));
});

Deno.test("the same with the Data API store: 503 within 3 s while Postgres is stopped, 200 after", async () => {
  const handler = functionDirect(); // no AI_CONTROL_DB_URL: budgets go through /rest/v1/rpc
  const student = await createUser();
  const other = await createUser();
  const ask = (token: string) => async () => {
    const res = await handler(chatRequest(token));
    const body = await res.json();
    return {
      status: res.status,
      code: body.error?.code,
      retryAfter: Number(res.headers.get("retry-after") ?? 0),
    };
  };
  await stalledPostgres(
    student.id,
    ask(await userToken(student.id)),
    ask(await userToken(other.id)),
  );
});

Deno.test("50 parallel chats of one student with a $0.05 daily budget: all served, spend within the limit plus one reservation", async () => {
  await resetProvider();
  const student = await createUser();
  await db()`insert into ai_private.budget_limits (platform, period, user_id, limit_usd, note)
             values ('main', 'day', ${student.id}, 0.05, 'test: small daily budget')`;
  const supabase = clientFor(student);
  const results = await Promise.all(
    Array.from(
      { length: 50 },
      (_, i) =>
        invokeChat(supabase, { platform: "main", message: `Вопрос номер ${i + 1}` })
          .then(
            () => "ok",
            (e) => `${(e as AiFunctionError).status} ${(e as AiFunctionError).code}`,
          ),
    ),
  );
  const failed = results.filter((r) => r !== "ok");
  assert.deepEqual(failed, [], "every chat is answered");

  // Settlement runs after each answer: wait for the last holds.
  let held = 1;
  for (let i = 0; i < 50 && held > 0; i++) {
    [{ held }] = await db()`select count(*)::int as held from ai_private.budget_reservations
                            where user_id = ${student.id} and status = 'held'`;
    if (held > 0) await new Promise((r) => setTimeout(r, 100));
  }
  // Holds: one per request, or a lease paying for several (budget_lease.ts); either way what
  // they settled at is exactly what the ledger says the 50 answers cost.
  const [spend] = await db()`
    select sum(actual_usd) as spent, max(amount_usd) as reservation, count(*)::int as n
    from ai_private.budget_reservations where user_id = ${student.id}`;
  let ledger = { cost: "0", answers: 0 };
  for (let i = 0; i < 50 && ledger.answers < 50; i++) {
    [ledger] = await db()`
      select sum(cost_usd) as cost, count(distinct request_id)::int as answers
      from public.ai_operations_metrics where user_id = ${student.id}`;
    if (ledger.answers < 50) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(ledger.answers, 50);
  assert.ok(spend.n >= 1 && spend.n <= 50, `${spend.n} holds`);
  assert.equal(Number(spend.spent).toFixed(10), Number(ledger.cost).toFixed(10));
  assert.ok(
    Number(spend.spent) <= 0.05 + Number(spend.reservation),
    `spent ${spend.spent} with a limit of 0.05 and reservations of ${spend.reservation}`,
  );
  await closeDb();
});
