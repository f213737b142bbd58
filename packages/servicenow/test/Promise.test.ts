import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import type { Emulator } from "@sn365/emulator"
import { Redacted } from "effect"
import { BatchItem } from "../src/Batch.ts"
import { AclDenied } from "../src/Errors.ts"
import { createServiceNowClient } from "../src/Promise.ts"
import { Query } from "../src/Query.ts"
import type { RecordOf } from "../src/Records.ts"
import { ADMIN, freshInstance, start, urlOf } from "./support.ts"

let emulator: Emulator
beforeAll(async () => {
  emulator = await start()
})
afterAll(() => emulator.close())

describe("createServiceNowClient (Promise facade)", () => {
  it("returns Promises, lists as async iterables fetched as the loop advances", async () => {
    const instance = freshInstance()
    emulator.servicenow.seedUsers(instance, 30)
    const sn = createServiceNowClient({ instanceUrl: urlOf(instance), auth: ADMIN, fetch: emulator.fetch })
    assert.strictEqual(sn.instanceUrl, urlOf(instance))
    const names: Array<string> = []
    for await (const user of sn.table("sys_user").list({
      query: Query.make<RecordOf<"sys_user">>().startsWith("user_name", "user"),
      fields: ["user_name"],
      pageSize: 10,
    })) {
      names.push(user.user_name ?? "")
      if (names.length === 15) break
    }
    assert.strictEqual(names.length, 15)
    assert.strictEqual(
      emulator.requests.count((r) => r.host === `${instance}.service-now.com`),
      2,
    )

    const created = await sn.table("incident").create({ short_description: "from a promise" })
    const read = await sn.table("incident").get(created.sys_id, { fields: ["short_description"] })
    assert.deepStrictEqual(read, { short_description: "from a promise" })
    const [result] = await sn.batch([BatchItem.get("incident", created.sys_id, { fields: ["number"] })])
    const incident = result?.result as { number?: string } | undefined
    assert.match(incident?.number ?? "", /^INC\d{7}$/)
    await sn.table("incident").delete(created.sys_id)
    assert.strictEqual(await sn.table("incident").first({ query: `sys_id=${created.sys_id}` }), undefined)
    const summary = await sn.app.setupSummary()
    assert.strictEqual(summary.setup_complete, "false")
  })

  it("rejects with the tagged error itself, and aborts with the signal", async () => {
    const instance = freshInstance()
    emulator.servicenow.grantRole(instance, "itil", "snc_basic_auth_api_access")
    const itil = createServiceNowClient({
      instanceUrl: instance, // a bare instance name is enough
      auth: { type: "basic", username: "itil", password: Redacted.make("itil") },
      fetch: emulator.fetch,
    })
    const error = await itil
      .table("sys_user_role")
      .create({ name: "not allowed" })
      .catch((e: unknown) => e)
    assert.instanceOf(error, AclDenied)
    assert.strictEqual((error as AclDenied)._tag, "AclDenied")

    emulator.faults.add({ system: "servicenow", kind: "hang", times: 1 })
    const controller = new AbortController()
    const pending = itil.table("sys_user").count({ signal: controller.signal })
    setTimeout(() => controller.abort(), 100)
    const aborted = await pending.catch((e: unknown) => e)
    emulator.faults.clear()
    assert.isDefined(aborted)
  })
})
