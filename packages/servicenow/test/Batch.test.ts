import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import type { Emulator } from "@sn365/emulator"
import { Effect, Redacted, Stream } from "effect"
import { BatchItem } from "../src/Batch.ts"
import { Query } from "../src/Query.ts"
import type { RecordOf } from "../src/Records.ts"
import { clientOf, freshInstance, requestsTo, start } from "./support.ts"

let emulator: Emulator
beforeAll(async () => {
  emulator = await start()
})
afterAll(() => emulator.close())

const BATCH = "/api/now/v1/batch"

/** `count` seeded users, the itil role and a client of `instance`. */
const grantTargets = (instance: string, count: number) =>
  Effect.gen(function* () {
    emulator.servicenow.seedUsers(instance, count)
    const client = clientOf(emulator, instance)
    const role = yield* client.table("sys_user_role").first({ query: "name=itil", fields: ["sys_id"] })
    const users = yield* client
      .table("sys_user")
      .list({
        query: Query.make<RecordOf<"sys_user">>().startsWith("user_name", "user"),
        fields: ["sys_id", "user_name"],
      })
      .pipe(Stream.runCollect)
    return { client, roleId: role?.sys_id ?? "", users }
  })

const grantItems = (
  users: ReadonlyArray<{ sys_id: string; user_name?: string | undefined }>,
  roleId: string,
) =>
  users.map((user) =>
    BatchItem.create("sys_user_has_role", { user: user.sys_id, role: roleId }, { id: user.user_name }),
  )

/** Grants of `roleId` to the seeded users, from the emulator's state. */
const grantsOf = (instance: string, roleId: string) =>
  emulator.servicenow.count(instance, "sys_user_has_role", `role=${roleId}^user.user_nameSTARTSWITHuser`)

describe("Batch API", () => {
  it.live("grants a role to 120 users in three batches, each result mapped back to its item", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      emulator.servicenow.seedUsers(instance, 120)
      const client = clientOf(emulator, instance)
      const role = yield* client.table("sys_user_role").first({ query: "name=itil", fields: ["sys_id"] })
      const users = yield* client
        .table("sys_user")
        .list({
          query: Query.make<RecordOf<"sys_user">>().startsWith("user_name", "user"),
          fields: ["sys_id", "user_name"],
        })
        .pipe(Stream.runCollect)
      const before = emulator.servicenow.count(instance, "sys_user_has_role")
      const results = yield* client.batch(
        users.map((user) =>
          BatchItem.create<RecordOf<"sys_user_has_role">>(
            "sys_user_has_role",
            { user: user.sys_id, role: role?.sys_id ?? "" },
            { id: user.user_name, fields: ["sys_id", "user"] },
          ),
        ),
        { chunkSize: 50 },
      )
      assert.strictEqual(requestsTo(emulator, instance, "POST", BATCH), 3)
      assert.strictEqual(emulator.servicenow.count(instance, "sys_user_has_role"), before + 120)
      assert.deepStrictEqual(
        results.map((r) => r.id),
        users.map((u) => u.user_name),
      )
      for (const [index, result] of results.entries()) {
        assert.strictEqual(result._tag, "Success")
        assert.strictEqual(result.status, 201)
        assert.strictEqual((result.result as { user?: string }).user, users[index]?.sys_id)
      }
    }),
  )

  it.live("a list item reads one page, seeing what the items before it wrote", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      const client = clientOf(emulator, instance)
      const [created, listed] = yield* client.batch([
        BatchItem.create("incident", { short_description: "batched then listed" }, { fields: ["sys_id"] }),
        BatchItem.list("incident", {
          query: Query.make<RecordOf<"incident">>().eq("short_description", "batched then listed"),
          fields: ["sys_id", "short_description"],
          limit: 5,
        }),
      ])
      assert.strictEqual(created?._tag, "Success")
      assert.strictEqual(listed?._tag, "Success")
      const sysId = (created?.result as { sys_id: string } | undefined)?.sys_id
      assert.deepStrictEqual(listed?.result, [{ sys_id: sysId, short_description: "batched then listed" }])
    }),
  )

  it.live("runs chunks concurrently when asked, results still in input order", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      const { client, roleId, users } = yield* grantTargets(instance, 200)
      emulator.requests.clear()
      emulator.setLatency(20)
      const results = yield* client
        .batch(grantItems(users, roleId), { chunkSize: 50, concurrency: 4 })
        .pipe(Effect.ensuring(Effect.sync(() => emulator.setLatency(0))))
      const batches = emulator.requests.all().filter((r) => r.path === BATCH)
      assert.strictEqual(batches.length, 4)
      // Every chunk was on the wire before the first answer came back.
      const firstEnd = Math.min(...batches.map((r) => r.startedAt + r.durationMs))
      assert.isTrue(batches.every((r) => r.startedAt <= firstEnd))
      assert.deepStrictEqual(
        results.map((r) => [r.id, r._tag]),
        users.map((u) => [u.user_name, "Success"]),
      )
      assert.strictEqual(grantsOf(instance, roleId), 200)
    }),
  )

  it.live("waits as a 429 asks and sends the throttled chunks again, without duplicates", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      const { client, roleId, users } = yield* grantTargets(instance, 200)
      // Two batches allowed per hour, and the hour ends in a second.
      emulator.servicenow.addRateLimitRule(instance, { api: "batch", limitPerHour: 2 })
      const hour = 3_600_000
      emulator.clock.advance(hour - (emulator.clock.now() % hour) - 1000)
      emulator.requests.clear()
      const results = yield* client.batch(grantItems(users, roleId), { chunkSize: 50, concurrency: 4 })
      const statuses = emulator.requests
        .all()
        .filter((r) => r.path === BATCH)
        .map((r) => r.status)
        .sort()
      assert.deepStrictEqual(statuses, [200, 200, 200, 200, 429, 429])
      assert.isTrue(results.every((r) => r._tag === "Success"))
      assert.strictEqual(grantsOf(instance, roleId), 200)
    }),
  )

  it.live("maps each failed item to its own error, the others succeeding", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      emulator.servicenow.grantRole(instance, "itil", "snc_basic_auth_api_access")
      const itil = clientOf(emulator, instance, {
        auth: { type: "basic", username: "itil", password: Redacted.make("itil") },
      })
      const [admin] = emulator.servicenow.find(instance, "sys_user", "user_name=admin")
      const results = yield* itil.batch([
        BatchItem.get("sys_user", admin?.sys_id ?? "", { fields: ["user_name"] }),
        BatchItem.get("sys_user", "0123456789abcdef0123456789abcdef"),
        BatchItem.create("sys_user_has_role", { user: admin?.sys_id ?? "", role: "x" }),
        BatchItem.delete("incident", "0123456789abcdef0123456789abcdef", { id: "missing-incident" }),
        { id: "custom", method: "GET", url: "/api/now/v2/table/u_nothing" },
      ])
      assert.deepStrictEqual(
        results.map((r) => [r.id, r._tag, r.status, r.error?._tag]),
        [
          ["0", "Success", 200, undefined],
          ["1", "Failure", 404, "NotFound"],
          ["2", "Failure", 403, "AclDenied"],
          ["missing-incident", "Failure", 404, "NotFound"],
          ["custom", "Failure", 400, "BadRequest"],
        ],
      )
      assert.deepStrictEqual(results[0]?.result, { user_name: "admin" })
      const denied = results[2]?.error
      assert.strictEqual(denied?._tag === "AclDenied" && denied.table, "sys_user_has_role")
      assert.include(results[1]?.error?.message ?? "", `https://${instance}`)
    }),
  )

  it.live("writes passwords in batch items with sysparm_input_display_value", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      const client = clientOf(emulator, instance)
      const [result] = yield* client.batch([
        BatchItem.create("sys_user", { user_name: "batch_user", user_password: Redacted.make("B@tch-pass") }),
      ])
      assert.strictEqual(result?._tag, "Success")
      assert.isTrue(emulator.servicenow.passwordMatches(instance, "batch_user", "B@tch-pass"))
    }),
  )

  it.live("re-sends unserviced items, a bounded number of times", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      // 9 s per item against the 30 s batch quota: three items per batch are serviced.
      emulator.servicenow.setTransactionQuota(instance, { msPerBatchItem: 9_000 })
      const client = clientOf(emulator, instance)
      const items = (n: number) =>
        Array.from({ length: n }, (_, i) => BatchItem.create("incident", { short_description: `item ${i}` }))
      const ten = yield* client.batch(items(10))
      assert.isTrue(ten.every((r) => r._tag === "Success"))
      assert.strictEqual(requestsTo(emulator, instance, "POST", BATCH), 4)
      assert.strictEqual(
        emulator.servicenow.count(instance, "incident", "short_descriptionSTARTSWITHitem "),
        10,
      )

      const twenty = yield* client.batch(items(20))
      assert.strictEqual(requestsTo(emulator, instance, "POST", BATCH), 8)
      const unserviced = twenty.filter((r) => r._tag === "Failure")
      assert.strictEqual(unserviced.length, 8)
      assert.isTrue(unserviced.every((r) => r.error?._tag === "BatchItemUnserviced" && r.status === 0))
      assert.include(unserviced[0]?.error?.remedy ?? "", "chunkSize")
    }),
  )

  it.live("fails as a whole when the batch request itself fails", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      emulator.servicenow.setHibernating(instance, true)
      const error = yield* Effect.flip(clientOf(emulator, instance).batch([BatchItem.get("sys_user", "x")]))
      assert.strictEqual(error._tag, "InstanceHibernating")
      emulator.servicenow.setHibernating(instance, false)
      // A batch of reads is idempotent and retried; one with a POST is not.
      emulator.faults.add({ system: "servicenow", kind: "status", status: 503, path: BATCH, times: 1 })
      const reads = yield* clientOf(emulator, instance).batch([BatchItem.get("sys_user", "x")])
      assert.strictEqual(reads[0]?.status, 404)
      emulator.faults.add({ system: "servicenow", kind: "status", status: 503, path: BATCH, times: 1 })
      const writes = yield* Effect.flip(
        clientOf(emulator, instance).batch([BatchItem.create("incident", { short_description: "x" })]),
      )
      emulator.faults.clear()
      assert.strictEqual(writes._tag, "ServerError")
    }),
  )
})
