/**
 * Shows what a setup would change, without changing anything: reads both sides and compares them
 * with the configuration, like `terraform plan`.
 *
 *   npx -y pnpm@12.4.2 example examples/plan.ts
 */
import { hasChanges, planIntegration, renderPlan, summarizePlan } from "@sn365/setup"
import { configFor, connect } from "./support/target.ts"

const target = await connect()
try {
  const plan = await planIntegration(configFor(target), { fetch: target.fetch })

  // A plan is data: print it, serialise it, or inspect it.
  console.log(renderPlan(plan))
  const summary = summarizePlan(plan)
  console.log(`\n${summary.create} to create, ${summary.update} to update, ${summary.keep} in place.`)
  for (const change of plan.changes.filter((c) => c.action === "blocked"))
    console.log(`Blocked: ${change.title} — ${change.reason}`)
  console.log(hasChanges(plan) ? "Run setup.ts to apply it." : "Nothing to do: the integration is in place.")
} catch (error) {
  console.error(`${(error as { _tag?: string })._tag ?? "Error"}: ${(error as Error).message}`)
  process.exitCode = 1
} finally {
  await target.close()
}
