/**
 * The same setup through the Effect API, for people who use Effect: decode the configuration once
 * (every problem reported at once), then plan, apply and verify as Effects, with progress from the
 * `Progress` service and failures as typed values you can match on by tag.
 *
 *   npx -y pnpm@12.4.2 example examples/effect-setup.ts
 */
import { apply, decodeConfig, Progress, plan, renderPlan, verify } from "@sn365/setup"
import { Effect } from "effect"
import { terminalHandoff } from "./support/handoff.ts"
import { secretStore } from "./support/secrets.ts"
import { configFor, connect } from "./support/target.ts"

const target = await connect()

const program = Effect.gen(function* () {
  // Secrets become Redacted here, and every problem of the configuration is reported at once.
  const config = yield* decodeConfig(configFor(target))
  const options = { fetch: target.fetch, secrets: secretStore(), manualHandoff: terminalHandoff }

  const planned = yield* plan(config, options)
  yield* Effect.log(`${planned.changes.filter((c) => c.action !== "keep").length} resources to change`)
  console.log(renderPlan(planned))

  // apply asks `confirm` with the plan before the first write; the steps then run along the
  // dependency graph, independent ones concurrently.
  const result = yield* apply(config, { ...options, confirm: async () => true })
  console.log(`Applied: Entra app ${result.outputs.entraAppId}, repository ${result.outputs.repositoryId}`)

  const report = yield* verify(config, options)
  console.log(`Verification: ${report.ok ? "passed" : "failed"} (${report.checks.length} checks)`)
  return report.ok
}).pipe(
  // Progress events go to whatever listener is provided (default: nowhere).
  Effect.provideService(Progress, (event) => {
    if (event._tag === "StepSucceeded") console.error(`  ok  ${event.title}: ${event.outcome}`)
  }),
  // Failures are typed: handle the ones you expect by tag, with their fields.
  Effect.catchTags({
    InvalidConfig: (error) =>
      Effect.sync(() => {
        for (const problem of error.problems)
          console.error(`config ${problem.path.join(".")}: ${problem.message}`)
        return false
      }),
    PreflightFailed: (error) =>
      Effect.sync(() => {
        for (const problem of error.problems)
          console.error(`${problem.check}: ${problem.message}\n  Remedy: ${problem.remedy}`)
        return false
      }),
  }),
  Effect.ensuring(Effect.promise(() => target.close())),
)

const ok = await Effect.runPromise(program)
process.exitCode = ok ? 0 : 1
