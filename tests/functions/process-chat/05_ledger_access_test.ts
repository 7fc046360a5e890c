// Students read only their own ledger rows; admins read everyone's.
import assert from "node:assert/strict";
import { invokeChat } from "../../../shared/index.ts";
import { clientFor, ledgerRows, resetProvider } from "../../_support/functions.ts";
import { closeDb, createUser } from "../../_support/stack.ts";

Deno.test("student B cannot read student A's rows; an admin can", async () => {
  await resetProvider();
  const a = await createUser();
  const b = await createUser();
  const admin = await createUser({ admin: true });
  const res = await invokeChat(clientFor(a), { platform: "main", message: "Мой личный вопрос" });
  await ledgerRows(res.request_id);

  const read = async (who: typeof a) => {
    const { data, error } = await clientFor(who).from("ai_operations_metrics").select(
      "request_id, user_id",
    )
      .eq("request_id", res.request_id);
    assert.equal(error, null);
    return data!;
  };
  assert.deepEqual(
    await read(a),
    [{ request_id: res.request_id, user_id: a.id }],
    "A sees A's row",
  );
  assert.deepEqual(await read(b), [], "B sees nothing of A's");
  assert.equal((await read(admin)).length, 1, "the admin sees A's row");
  await closeDb();
});
