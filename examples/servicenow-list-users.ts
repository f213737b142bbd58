/**
 * The ServiceNow client on its own: list users with the typed encoded-query builder. Pages are
 * fetched as the loop advances, so this works the same for ten users or a hundred thousand.
 *
 *   npx -y pnpm@12.4.2 example examples/servicenow-list-users.ts
 */
import { createServiceNowClient, Query, type RecordOf } from "@sn365/servicenow"
import { Redacted } from "effect"
import { connect } from "./support/target.ts"

const target = await connect()
try {
  const sn = createServiceNowClient({
    instanceUrl: target.instance,
    // Secrets are Redacted from here to the wire: they never appear in an error or a log line.
    auth: {
      type: "basic",
      username: target.servicenowUser,
      password: Redacted.make(target.servicenowPassword),
    },
    fetch: target.fetch,
  })

  // Field names are checked against the sys_user record type; values are escaped for you.
  const active = Query.make<RecordOf<"sys_user">>().eq("active", true).orderBy("user_name")
  console.log(`Query: ${active}`)
  const users = sn.table("sys_user")
  for await (const user of users.list({
    query: active,
    fields: ["user_name", "email", "web_service_access_only"],
  }))
    console.log(
      `  ${(user.user_name ?? "").padEnd(28)} ${user.email || "-"}${user.web_service_access_only === "true" ? "  (web service only)" : ""}`,
    )

  // Conditions combine: ^OR joins the next condition to the previous one.
  const admins = Query.make<RecordOf<"sys_user">>()
    .eq("user_name", "admin")
    .or()
    .startsWith("user_name", "sn365_")
  console.log(
    `Active users: ${await users.count({ query: active })}; admin or sn365_*: ${await users.count({ query: admins })}`,
  )
} catch (error) {
  console.error(`${(error as { _tag?: string })._tag ?? "Error"}: ${(error as Error).message}`)
  process.exitCode = 1
} finally {
  await target.close()
}
