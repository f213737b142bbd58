/**
 * The Batch API: grant a role to many users in a few round trips instead of one request each.
 * Users who already hold the role are skipped, so running it twice grants nothing the second time.
 *
 *   npx -y pnpm@12.4.2 example examples/servicenow-grant-roles.ts [role] [user_name…]
 *
 * Default: the app role x_mioms_m365_assis.insights_user (it shows Microsoft's recommended solutions
 * on incidents) for the users admin and itil.
 */
import { BatchItem, createServiceNowClient, Query, type RecordOf } from "@sn365/servicenow"
import { Redacted } from "effect"
import { connect } from "./support/target.ts"

const [role = "x_mioms_m365_assis.insights_user", ...names] = process.argv.slice(2)
const userNames = names.length > 0 ? names : ["admin", "itil"]

const target = await connect()
try {
  const sn = createServiceNowClient({
    instanceUrl: target.instance,
    auth: {
      type: "basic",
      username: target.servicenowUser,
      password: Redacted.make(target.servicenowPassword),
    },
    fetch: target.fetch,
  })

  // Look up the role and the users by their natural keys.
  const roleRecord = await sn
    .table("sys_user_role")
    .first({ query: Query.make<RecordOf<"sys_user_role">>().eq("name", role), fields: ["sys_id"] })
  if (roleRecord === undefined) throw new Error(`No role named ${role} on ${sn.instanceUrl}.`)
  const users = new Map<string, string>()
  for await (const user of sn.table("sys_user").list({
    query: Query.make<RecordOf<"sys_user">>().in("user_name", userNames),
    fields: ["sys_id", "user_name"],
  }))
    users.set(user.sys_id, user.user_name ?? user.sys_id)

  // Skip the users who already hold it.
  const held = Query.make<RecordOf<"sys_user_has_role">>()
    .eq("role", roleRecord.sys_id)
    .in("user", [...users.keys()])
  for await (const grant of sn.table("sys_user_has_role").list({ query: held, fields: ["user"] }))
    if (typeof grant.user === "string") {
      console.log(`already  ${users.get(grant.user)}`)
      users.delete(grant.user)
    }

  // One batch item per grant; each result (or its typed error) comes back in input order.
  const items = [...users.keys()].map((user) =>
    BatchItem.create("sys_user_has_role", { user, role: roleRecord.sys_id }, { id: user }),
  )
  const results = await sn.batch(items)
  for (const result of results)
    console.log(
      result._tag === "Success"
        ? `granted  ${users.get(result.id)}`
        : `FAILED   ${users.get(result.id)}: ${result.error.message}`,
    )
  console.log(
    `${role}: ${results.filter((r) => r._tag === "Success").length} granted in one batch, ${userNames.length - items.length} already held it.`,
  )
  if (results.some((r) => r._tag === "Failure")) process.exitCode = 1
} catch (error) {
  console.error(`${(error as { _tag?: string })._tag ?? "Error"}: ${(error as Error).message}`)
  process.exitCode = 1
} finally {
  await target.close()
}
