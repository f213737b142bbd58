/**
 * The examples against an emulator that outlives them (`SN365_EMULATOR_URL`, as with
 * `sn365 emulator`): this test starts it, runs the examples one after another as separate
 * processes, and checks what they did on the emulator itself.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Emulator, startEmulator } from "@sn365/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { describeRun, type Run, runExample } from "./run.ts"

const INSTANCE = "dev365"
let emulator: Emulator
let dir: string
let env: Record<string, string>
const runs: Array<Run> = []
/** Every secret the secrets file has held after any run (later runs overwrite earlier ones). */
const generated = new Set<string>()

const run = async (
  script: string,
  options: { args?: ReadonlyArray<string>; input?: string; env?: Record<string, string> } = {},
) => {
  const result = await runExample(script, { ...options, env: { ...env, ...options.env }, cwd: dir })
  runs.push(result)
  const file = env.SN365_SECRETS_FILE as string
  if (existsSync(file))
    for (const secret of Object.values(JSON.parse(readFileSync(file, "utf8")) as Record<string, string>))
      generated.add(secret)
  return result
}

const managedApps = () =>
  emulator.microsoft
    .applications()
    .filter((app) => (app.tags as ReadonlyArray<string>).includes("sn365:managed"))

beforeAll(async () => {
  // As `sn365 emulator` starts it: the administrator may use Basic authentication.
  emulator = await startEmulator({ servicenow: { instances: [INSTANCE], adminBasicAuthApiAccess: true } })
  dir = mkdtempSync(join(tmpdir(), "sn365-examples-"))
  env = {
    SN365_EMULATOR_URL: emulator.url,
    SN365_SERVICENOW_PASSWORD: "admin",
    SN365_ENTRA_CLIENT_SECRET: emulator.microsoft.defaults.adminApp.secret,
    SN365_SECRETS_FILE: join(dir, "secrets.json"),
  }
})

afterAll(async () => {
  await emulator?.close()
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

describe("examples against a running emulator (SN365_EMULATOR_URL)", { timeout: 120_000 }, () => {
  it("setup.ts creates one of each object on the emulator; a second run changes nothing", async () => {
    const first = await run("setup.ts")
    expect(first.code, describeRun(first)).toBe(0)
    expect(first.stdout).toContain("Setting up against the emulator.")
    expect(managedApps()).toHaveLength(1)
    expect(emulator.servicenow.count(INSTANCE, "oauth_entity", "nameSTARTSWITHsn365 ")).toBe(2)
    expect(emulator.servicenow.count(INSTANCE, "sys_user", "user_name=sn365_m365_integration")).toBe(1)
    expect(emulator.microsoft.supportIntegration().repositories).toHaveLength(1)

    const secrets = JSON.parse(readFileSync(env.SN365_SECRETS_FILE as string, "utf8")) as Record<
      string,
      string
    >
    expect(Object.keys(secrets).sort()).toEqual([
      "entraClientSecret",
      "inboundClientSecret",
      "integrationUserPassword",
    ])
    expect(statSync(env.SN365_SECRETS_FILE as string).mode & 0o077).toBe(0)

    const second = await run("setup.ts")
    expect(second.code, describeRun(second)).toBe(0)
    expect(second.stdout).toMatch(/0 created, 0 updated, \d+ unchanged/)
    expect(second.stdout).toContain("Secrets generated this run: none")
    expect(managedApps()).toHaveLength(1)
  })

  it("plan.ts finds nothing to do once the integration is in place", async () => {
    const result = await run("plan.ts")
    expect(result.code, describeRun(result)).toBe(0)
    expect(result.stdout).toContain("Nothing to do: the integration is in place.")
  })

  it("verify.ts passes every check with the secrets setup.ts kept", async () => {
    const result = await run("verify.ts")
    expect(result.code, describeRun(result)).toBe(0)
    expect(result.stdout).toMatch(/Verified: \d+ passed, 0 failed/)
    expect(result.stdout).toMatch(/^PASS +ServiceNow password grant with the inbound client/m)
  })

  it("servicenow-grant-roles.ts grants in one batch, and nothing the second time", async () => {
    const batches = () => emulator.requests.count((r) => r.path === "/api/now/v1/batch")
    const before = batches()
    const first = await run("servicenow-grant-roles.ts", {
      args: ["x_mioms_m365_assis.administrator", "admin", "itil"],
    })
    expect(first.code, describeRun(first)).toBe(0)
    expect(first.stdout).toContain(
      "x_mioms_m365_assis.administrator: 2 granted in one batch, 0 already held it.",
    )
    expect(batches() - before).toBe(1)
    const second = await run("servicenow-grant-roles.ts", {
      args: ["x_mioms_m365_assis.administrator", "admin", "itil"],
    })
    expect(second.code, describeRun(second)).toBe(0)
    expect(second.stdout).toContain("0 granted in one batch, 2 already held it.")
  })

  it("entra-create-app.ts registers an app the tenant shows, found again on a second run", async () => {
    const first = await run("entra-create-app.ts")
    expect(first.code, describeRun(first)).toBe(0)
    const app = emulator.microsoft.application("sn365-example-app")
    expect(app).toMatchObject({
      signInAudience: "AzureADMyOrg",
      web: { redirectUris: ["https://dev12345.service-now.com/oauth_redirect.do"] },
    })
    const second = await run("entra-create-app.ts", { args: ["--delete"] })
    expect(second.code, describeRun(second)).toBe(0)
    expect(second.stdout).toContain(`Found app sn365 example app: appId ${String(app?.appId)}`)
    expect(emulator.microsoft.application("sn365-example-app")).toBeUndefined()
  })

  it("teardown.ts removes everything sn365 manages, and finds nothing the second time", async () => {
    const first = await run("teardown.ts")
    expect(first.code, describeRun(first)).toBe(0)
    expect(managedApps()).toHaveLength(0)
    expect(emulator.servicenow.count(INSTANCE, "oauth_entity", "nameSTARTSWITHsn365 ")).toBe(0)
    expect(emulator.servicenow.count(INSTANCE, "sys_user", "user_name=sn365_m365_integration")).toBe(0)
    expect(emulator.microsoft.supportIntegration().repositories).toHaveLength(0)
    const second = await run("teardown.ts")
    expect(second.code, describeRun(second)).toBe(0)
    expect(second.stdout).toContain("Teardown complete: 0 removed")
  })

  it("setup.ts in manual mode hands the admin-center form to an administrator", async () => {
    const result = await run("setup.ts", { env: { SN365_M365_MODE: "manual" }, input: "done\nshow\ndone\n" })
    expect(result.code, describeRun(result)).toBe(0)
    expect(result.stderr).toContain("Manual step M1:")
    expect(result.stderr).toMatch(/Manual step M2:[^\n]*\nGo to: Microsoft 365 admin center/)
    expect(result.stderr).toMatch(/Rest user password +\(secret: type show to see it\)/)
    // The values went to a person, not to the (modeled) admin-center API.
    expect(emulator.microsoft.supportIntegration().repositories).toHaveLength(0)
    // Secret values appear only after "show", on standard error.
    const secrets = JSON.parse(readFileSync(env.SN365_SECRETS_FILE as string, "utf8")) as Record<
      string,
      string
    >
    const shown = result.stderr.slice(result.stderr.lastIndexOf("(secret: type show to see it)"))
    expect(shown).toContain(secrets.inboundClientSecret)
    expect(result.stdout).not.toContain(secrets.inboundClientSecret)
  })

  it("no example printed a generated secret or the Entra client secret on standard output", () => {
    // Two setups ran (API and manual mode), each generating its own secrets.
    expect(generated.size).toBeGreaterThanOrEqual(6)
    const printed = runs.map((r) => r.stdout).join("\n")
    for (const secret of [...generated, env.SN365_ENTRA_CLIENT_SECRET as string])
      expect(printed).not.toContain(secret)
  })
})
