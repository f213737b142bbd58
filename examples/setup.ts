/**
 * Sets up the Microsoft 365 support integration with ServiceNow — every step, on all three sides —
 * and prints what it created. Run it again: it changes nothing the second time.
 *
 *   npx -y pnpm@12.4.2 example examples/setup.ts
 *
 * Target: an emulator started in this process, unless SN365_EMULATOR_URL or SN365_INSTANCE says
 * otherwise (see support/target.ts). SN365_SECRETS_FILE keeps the generated secrets for verify.ts.
 */
import { type SetupEvent, setupIntegration } from "@sn365/setup"
import { terminalHandoff } from "./support/handoff.ts"
import { secretStore } from "./support/secrets.ts"
import { configFor, connect } from "./support/target.ts"

// Progress arrives as typed events; none of them ever contains a secret.
const progress = (event: SetupEvent) => {
  if (event._tag === "StepSucceeded") console.error(`  ok  ${event.title}: ${event.outcome}`)
  if (event._tag === "StepRetrying") console.error(`  ..  ${event.title}: retrying (${event.reason})`)
  if (event._tag === "Warning") console.error(`  warning: ${event.message}`)
}

const target = await connect()
console.log(`Setting up against the ${target.kind}.`)
try {
  const result = await setupIntegration(configFor(target), {
    fetch: target.fetch,
    secrets: secretStore(),
    onEvent: progress,
    manualHandoff: terminalHandoff,
  })

  const count = (outcome: string) => result.steps.filter((step) => step.outcome === outcome).length
  console.log(
    `Done in ${result.durationMs} ms: ${count("created")} created, ${count("updated")} updated, ${count("kept")} unchanged.`,
  )
  // Outputs are the ids of what was created or found. None of them is a secret.
  for (const [name, value] of Object.entries(result.outputs)) console.log(`  ${name.padEnd(22)} ${value}`)
  // Generated secrets come back once, Redacted: printing one shows "<redacted>", never its value.
  console.log(`Secrets generated this run: ${Object.keys(result.secrets).join(", ") || "none"}`)
} catch (error) {
  // Every failure is a tagged error with a message that says what to do, and never a secret.
  console.error(`${(error as { _tag?: string })._tag ?? "Error"}: ${(error as Error).message}`)
  process.exitCode = 1
} finally {
  await target.close()
}
