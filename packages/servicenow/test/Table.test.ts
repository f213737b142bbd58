import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import type { Emulator } from "@sn365/emulator"
import { Effect, Redacted, Stream } from "effect"
import { Query } from "../src/Query.ts"
import type { RecordOf } from "../src/Records.ts"
import { clientOf, freshInstance, requestsTo, start } from "./support.ts"

let emulator: Emulator
beforeAll(async () => {
  emulator = await start()
})
afterAll(() => emulator.close())

type User = RecordOf<"sys_user">

/** Paths (decoded) of the requests to `instance`, optionally of one method. */
const pathsTo = (instance: string, method?: string) =>
  emulator.requests
    .all()
    .filter((r) => r.host === `${instance}.service-now.com` && (method === undefined || r.method === method))
    .map((r) => decodeURIComponent(r.path))

describe("TableAccessor: reads and writes", () => {
  it.live("reads, creates, updates, replaces and deletes over explicit v2 URLs", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      const users = clientOf(emulator, instance).table("sys_user")
      const created = yield* users.create({ user_name: "jdoe", first_name: "Jane", last_name: "Doe" })
      assert.strictEqual(created.user_name, "jdoe")
      assert.match(created.sys_id, /^[0-9a-f]{32}$/)
      const sysId = created.sys_id

      const read = yield* users.get(sysId, { fields: ["user_name", "name"] })
      assert.deepStrictEqual(read, { user_name: "jdoe", name: "Jane Doe" })

      const patched = yield* users.update(sysId, { title: "Engineer" })
      assert.strictEqual(patched.title, "Engineer")
      const replaced = yield* users.replace(sysId, { title: "Lead" }, { fields: ["title", "user_name"] })
      assert.deepStrictEqual(replaced, { title: "Lead", user_name: "jdoe" })

      yield* users.delete(sysId)
      const gone = yield* Effect.flip(users.get(sysId))
      assert.strictEqual(gone._tag, "NotFound")
      assert.include(gone.remedy ?? "", "an ACL hides it")

      const paths = pathsTo(instance)
      assert.isTrue(
        paths.every((p) => p.startsWith("/api/now/v2/table/sys_user")),
        paths.join("\n"),
      )
      assert.deepStrictEqual(
        emulator.requests
          .all()
          .filter((r) => r.host === `${instance}.service-now.com`)
          .map((r) => r.method),
        ["POST", "GET", "PATCH", "PUT", "DELETE", "GET"],
      )
    }),
  )

  it.live(
    "narrows the record type to the fields asked for, and returns references as sys_ids by default",
    () =>
      Effect.gen(function* () {
        const instance = freshInstance()
        const users = clientOf(emulator, instance).table("sys_user")
        const admin = yield* users.first({
          query: Query.make<User>().eq("user_name", "admin"),
          fields: ["sys_id"],
        })
        const itil = yield* users.first({
          query: Query.make<User>().eq("user_name", "itil"),
          fields: ["sys_id", "manager"],
        })
        assert.isDefined(admin)
        assert.isDefined(itil)
        yield* users.update(itil?.sys_id ?? "", { manager: admin?.sys_id ?? "" })
        const narrowed = yield* users.get(itil?.sys_id ?? "", { fields: ["user_name", "manager"] })
        // @ts-expect-error `email` was not asked for, so it is not part of the type
        assert.isUndefined(narrowed.email)
        const manager: string | undefined = narrowed.manager
        assert.strictEqual(manager, admin?.sys_id)
        const linked = yield* users.get(itil?.sys_id ?? "", {
          fields: ["manager"],
          excludeReferenceLink: false,
        })
        assert.deepStrictEqual(linked.manager, {
          link: `https://${instance}.service-now.com/api/now/table/sys_user/${admin?.sys_id}`,
          value: admin?.sys_id ?? "",
        })
      }),
  )

  it.live("reads display values of an untyped table, with and without reference links", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      const client = clientOf(emulator, instance)
      const group = yield* client.table("sys_user_group").create({ name: "M365 admins" })
      const admin = yield* client.table("sys_user").first({ query: "user_name=admin", fields: ["sys_id"] })
      yield* client.table("sys_user_grmember").create({ group: group.sys_id, user: admin?.sys_id ?? "" })
      const [all] = yield* client
        .table("sys_user_grmember")
        .list({ fields: ["user", "group"], displayValue: "all", excludeReferenceLink: false })
        .pipe(Stream.runCollect)
      assert.deepStrictEqual(all?.group, {
        display_value: "M365 admins",
        value: group.sys_id,
        link: `https://${instance}.service-now.com/api/now/table/sys_user_group/${group.sys_id}`,
      })
      const [shown] = yield* client
        .table("sys_user_grmember")
        .list({ fields: ["user"], displayValue: true })
        .pipe(Stream.runCollect)
      assert.deepStrictEqual(shown, { user: "System Administrator" })
    }),
  )

  // The spec's typed per-table paths type stored values only; the platform serves the same URL with
  // display values, and so must the emulator.
  it.live("display values of a typed table on its v2 URL", () =>
    Effect.gen(function* () {
      const users = clientOf(emulator, freshInstance()).table("sys_user")
      const admin = yield* users.first({ query: "user_name=admin", fields: ["name"], displayValue: true })
      assert.strictEqual(admin?.name, "System Administrator")
    }),
  )

  it.live(
    "first makes one request and returns undefined when nothing matches; count reads X-Total-Count",
    () =>
      Effect.gen(function* () {
        const instance = freshInstance()
        const users = clientOf(emulator, instance).table("sys_user")
        const admin = yield* users.first({
          query: Query.make<User>().eq("user_name", "admin"),
          fields: ["user_name", "sys_id"],
        })
        assert.strictEqual(admin?.user_name, "admin")
        const none = yield* users.first({ query: Query.make<User>().eq("user_name", "nobody") })
        assert.isUndefined(none)
        assert.strictEqual(requestsTo(emulator, instance, "GET"), 2)
        emulator.servicenow.seedUsers(instance, 12)
        assert.strictEqual(
          yield* users.count({ query: Query.make<User>().startsWith("user_name", "user") }),
          12,
        )
        assert.strictEqual(yield* users.count(), 14)
      }),
  )

  it.live("works untyped on any table, and reports an unknown table with a remedy", () =>
    Effect.gen(function* () {
      const client = clientOf(emulator, freshInstance())
      const groups = client.table("sys_user_group")
      const created = yield* groups.create({ name: "Helpdesk", description: "first line" })
      const read: Readonly<Record<string, string>> = yield* groups.get(created.sys_id)
      assert.strictEqual(read.description, "first line")
      const error = yield* Effect.flip(client.table("u_no_such_table").get("x"))
      assert.strictEqual(error._tag, "BadRequest")
      assert.include(error.remedy ?? "", "u_no_such_table does not exist")
    }),
  )
})

describe("TableAccessor.list: pagination", () => {
  const userQuery = Query.make<User>().startsWith("user_name", "user")

  it.live("follows the Link header, in a stable sys_id order, with comma-joined fields", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      emulator.servicenow.seedUsers(instance, 25)
      const rows = yield* clientOf(emulator, instance)
        .table("sys_user")
        .list({ query: userQuery, fields: ["user_name", "sys_id"], pageSize: 10 })
        .pipe(Stream.runCollect)
      assert.strictEqual(rows.length, 25)
      assert.strictEqual(new Set(rows.map((r) => r.user_name)).size, 25)
      const ids = rows.map((r) => r.sys_id)
      assert.deepStrictEqual(ids, [...ids].sort(), "ordered by sys_id")
      const paths = pathsTo(instance, "GET")
      assert.strictEqual(paths.length, 3)
      assert.include(paths[0] ?? "", "sysparm_fields=user_name,sys_id")
      assert.include(paths[0] ?? "", "sysparm_query=user_nameSTARTSWITHuser^ORDERBYsys_id")
      assert.include(paths[1] ?? "", "sysparm_offset=10")
      assert.include(paths[2] ?? "", "sysparm_offset=20")
    }),
  )

  it.live("keeps the query's own order instead of adding ORDERBYsys_id", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      emulator.servicenow.seedUsers(instance, 5)
      const rows = yield* clientOf(emulator, instance)
        .table("sys_user")
        .list({ query: userQuery.orderByDesc("user_name"), fields: ["user_name"], pageSize: 2 })
        .pipe(Stream.runCollect)
      assert.deepStrictEqual(
        rows.map((r) => r.user_name),
        ["user000005", "user000004", "user000003", "user000002", "user000001"],
      )
      assert.notInclude(pathsTo(instance, "GET")[0] ?? "", "ORDERBYsys_id")
    }),
  )

  it.live("pages by X-Total-Count when the Link header is suppressed, without an extra request", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      emulator.servicenow.seedUsers(instance, 25)
      const rows = yield* clientOf(emulator, instance)
        .table("sys_user")
        .list({ query: userQuery, fields: ["user_name"], pageSize: 10, suppressPaginationHeader: true })
        .pipe(Stream.runCollect)
      assert.strictEqual(rows.length, 25)
      assert.strictEqual(requestsTo(emulator, instance, "GET"), 3)
    }),
  )

  it.live("pages by offset until an empty page with neither Link nor count", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      emulator.servicenow.seedUsers(instance, 25)
      const rows = yield* clientOf(emulator, instance)
        .table("sys_user")
        .list({
          query: userQuery,
          fields: ["user_name"],
          pageSize: 10,
          suppressPaginationHeader: true,
          noCount: true,
        })
        .pipe(Stream.runCollect)
      assert.strictEqual(rows.length, 25)
      assert.strictEqual(requestsTo(emulator, instance, "GET"), 4)
    }),
  )

  it.live("does not stop on pages that ACLs made short or empty", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      const sn = emulator.servicenow
      // A web-service-only user without roles sees only the incidents it is the caller of.
      const reader = sn.insert(instance, "sys_user", {
        user_name: "reader",
        web_service_access_only: "true",
        user_password: "Reader#2026",
      })
      const [admin] = sn.find(instance, "sys_user", "user_name=admin")
      const own: Array<string> = []
      for (let n = 0; n < 40; n++) {
        const mine = n % 13 === 12
        const row = sn.insert(instance, "incident", {
          short_description: `incident ${n}`,
          caller_id: (mine ? reader.sys_id : admin?.sys_id) ?? "",
        })
        if (mine) own.push(row.sys_id ?? "")
      }
      const client = clientOf(emulator, instance, {
        auth: { type: "basic", username: "reader", password: Redacted.make("Reader#2026") },
      })
      const seen = yield* client
        .table("incident")
        .list({ fields: ["sys_id"], pageSize: 5 })
        .pipe(Stream.runCollect)
      assert.deepStrictEqual(seen.map((r) => r.sys_id).sort(), own.sort())
      assert.strictEqual(requestsTo(emulator, instance, "GET"), Math.ceil(43 / 5))
      const first = yield* client.table("incident").first({ fields: ["sys_id"] })
      assert.include(own, first?.sys_id)
    }),
  )

  it.live("reads a page again with half the page size when the transaction quota cancels it", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      emulator.servicenow.seedUsers(instance, 60)
      // 1 ms per scanned row against a 40 ms quota: pages of 25 rows pass, larger ones are cancelled.
      emulator.servicenow.setTransactionQuota(instance, { msPerRow: 1, limitMs: 40 })
      const rows = yield* clientOf(emulator, instance)
        .table("sys_user")
        .list({ fields: ["user_name"], pageSize: 100 })
        .pipe(Stream.runCollect)
      assert.strictEqual(rows.length, 62)
      const limits = pathsTo(instance, "GET").map((p) => /sysparm_limit=(\d+)/.exec(p)?.[1])
      assert.deepStrictEqual(limits, ["100", "50", "25", "25", "25"])
    }),
  )
})
