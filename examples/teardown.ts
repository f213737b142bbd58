/**
 * Decommissions the integration: removes everything sn365 manages for this configuration — the
 * Entra app with its secrets and service principal, the ServiceNow OAuth records, the integration
 * user and its roles, the app's wizard values and the admin-center repository — and reports it.
 * Objects sn365 did not create are never touched. Safe to run twice.
 *
 *   npx -y pnpm@12.4.2 example examples/teardown.ts
 */
import { setupIntegration, teardownIntegration } from "@sn365/setup"
import { terminalHandoff } from "./support/handoff.ts"
import { configFor, connect } from "./support/target.ts"

const target = await connect()
try {
  const config = configFor(target)
  const options = { fetch: target.fetch, manualHandoff: terminalHandoff }

  // An emulator started in this process is empty: install the integration first, so there is
  // something to remove. Against your own emulator or instance, remove what is there.
  if (target.kind === "in-process emulator") await setupIntegration(config, options)

  const report = await teardownIntegration(config, options)
  for (const item of report.removed) console.log(`removed  ${item.title} (${item.key})`)
  for (const item of report.absent) console.log(`absent   ${item.title} (${item.key})`)
  console.log(`Teardown complete: ${report.removed.length} removed, ${report.absent.length} already absent.`)
} catch (error) {
  console.error(`${(error as { _tag?: string })._tag ?? "Error"}: ${(error as Error).message}`)
  process.exitCode = 1
} finally {
  await target.close()
}
