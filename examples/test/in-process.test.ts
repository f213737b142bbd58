/**
 * Every example, as a user first runs it: no environment, so each starts an emulator in its own
 * process and works against it.
 */
import { describe, expect, it } from "vitest"
import { describeRun, runExample } from "./run.ts"

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/

describe.concurrent("examples against an in-process emulator", { timeout: 120_000 }, () => {
  it("setup.ts sets up the integration and prints the ids it created", async () => {
    const run = await runExample("setup.ts")
    expect(run.code, describeRun(run)).toBe(0)
    expect(run.stdout).toContain("Setting up against the in-process emulator.")
    expect(run.stdout).toMatch(new RegExp(`entraAppId +${GUID.source}`))
    expect(run.stdout).toMatch(/integrationUserName +sn365_m365_integration/)
    expect(run.stdout).toMatch(/repositoryId +dev365/)
    expect(run.stdout).toContain(
      "Secrets generated this run: entraClientSecret, inboundClientSecret, integrationUserPassword",
    )
    expect(run.stderr).toContain("ok  Complete the integration: updated")
  })

  it("plan.ts shows what a setup would change", async () => {
    const run = await runExample("plan.ts")
    expect(run.code, describeRun(run)).toBe(0)
    expect(run.stdout).toContain("Plan for basic setup of https://dev365.service-now.com")
    expect(run.stdout).toMatch(/\+ App registration \(outbound\) +sn365-m365-support-dev365 +\[create\]/)
    expect(run.stdout).toMatch(/clientSecret = \(secret\)/)
    expect(run.stdout).toContain("Run setup.ts to apply it.")
  })

  it("verify.ts passes every check of a fresh installation", async () => {
    const run = await runExample("verify.ts")
    expect(run.code, describeRun(run)).toBe(0)
    expect(run.stdout).toMatch(/^PASS +Entra token with the outbound app's secret/m)
    expect(run.stdout).toMatch(/^PASS +ServiceNow password grant with the inbound client/m)
    expect(run.stdout).toMatch(/Verified: \d+ passed, 0 failed/)
  })

  it("teardown.ts removes what the setup created", async () => {
    const run = await runExample("teardown.ts")
    expect(run.code, describeRun(run)).toBe(0)
    expect(run.stdout).toMatch(/^removed +App registration \(outbound\) \(sn365-m365-support-dev365\)/m)
    expect(run.stdout).toMatch(/^removed +Integration user \(sn365_m365_integration\)/m)
    expect(run.stdout).toMatch(/Teardown complete: \d+ removed/)
  })

  it("servicenow-list-users.ts lists users through the query builder", async () => {
    const run = await runExample("servicenow-list-users.ts")
    expect(run.code, describeRun(run)).toBe(0)
    expect(run.stdout).toContain("Query: active=true^ORDERBYuser_name")
    expect(run.stdout).toMatch(/^ {2}admin +admin@/m)
    expect(run.stdout).toMatch(/^ {2}itil +itil@/m)
    expect(run.stdout).toContain("Active users: 2; admin or sn365_*: 1")
  })

  it("servicenow-grant-roles.ts grants a role to several users in one batch", async () => {
    const run = await runExample("servicenow-grant-roles.ts")
    expect(run.code, describeRun(run)).toBe(0)
    expect(run.stdout).toMatch(/^granted +admin$/m)
    expect(run.stdout).toMatch(/^granted +itil$/m)
    expect(run.stdout).toContain(
      "x_mioms_m365_assis.insights_user: 2 granted in one batch, 0 already held it.",
    )
  })

  it("entra-create-app.ts registers an app with a usable secret, and deletes it", async () => {
    const run = await runExample("entra-create-app.ts", { args: ["--delete"] })
    expect(run.code, describeRun(run)).toBe(0)
    expect(run.stdout).toMatch(new RegExp(`Created app sn365 example app: appId ${GUID.source}`))
    expect(run.stdout).toMatch(/Secret added: keyId \S+, value <redacted>/)
    expect(run.stdout).toContain("The token service accepts the new secret.")
    expect(run.stdout).toContain("Deleted the service principal and the app.")
  })

  it("effect-setup.ts plans, applies and verifies through the Effect API", async () => {
    const run = await runExample("effect-setup.ts")
    expect(run.code, describeRun(run)).toBe(0)
    expect(run.stdout).toMatch(/Plan: \d+ to create/)
    expect(run.stdout).toMatch(new RegExp(`Applied: Entra app ${GUID.source}, repository dev365`))
    expect(run.stdout).toMatch(/Verification: passed/)
  })
})
