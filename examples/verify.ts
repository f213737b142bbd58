/**
 * Checks an existing installation by machine — what "Testing the configuration" asks an
 * administrator to do by hand: tokens on both sides, the records, the roles, cross-scope reads and
 * the admin-center repository. Exits with 3 when a check fails.
 *
 *   npx -y pnpm@12.4.2 example examples/verify.ts
 *
 * The token checks need the secrets the setup generated: run setup.ts first with the same
 * SN365_SECRETS_FILE (or `sn365 apply --secrets-file`), or those checks are skipped.
 */
import { setupIntegration, verifyIntegration } from "@sn365/setup"
import { terminalHandoff } from "./support/handoff.ts"
import { secretStore } from "./support/secrets.ts"
import { configFor, connect } from "./support/target.ts"

const target = await connect()
try {
  const config = configFor(target)
  const options = { fetch: target.fetch, secrets: secretStore(), manualHandoff: terminalHandoff }

  // An emulator started in this process is empty: install the integration first, so there is
  // something to verify. Against your own emulator or instance, verify what is already there.
  if (target.kind === "in-process emulator") await setupIntegration(config, options)

  const report = await verifyIntegration(config, options)
  for (const check of report.checks) {
    console.log(
      `${check.status.toUpperCase().padEnd(7)} ${check.title}${check.message ? ` — ${check.message}` : ""}`,
    )
    if (check.status === "fail" && check.remedy !== undefined) console.log(`        Remedy: ${check.remedy}`)
  }
  const count = (status: string) => report.checks.filter((check) => check.status === status).length
  console.log(
    `${report.ok ? "Verified" : "Verification failed"}: ${count("pass")} passed, ${count("fail")} failed, ${count("skipped")} skipped.`,
  )
  if (!report.ok) process.exitCode = 3
} catch (error) {
  console.error(`${(error as { _tag?: string })._tag ?? "Error"}: ${(error as Error).message}`)
  process.exitCode = 1
} finally {
  await target.close()
}
