/**
 * The README's second quick start, command for command: `sn365 plan`, `apply`, `verify` and
 * `teardown` with `examples/sn365.emulator.yaml` against an emulator started as `sn365 emulator`
 * starts it (here in the test process, on a free port). `--yes` stands in for the person who
 * confirms at the prompt.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Emulator, startEmulator } from "@sn365/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { describeRun, runCli } from "./run.ts"

const CONFIG = "examples/sn365.emulator.yaml"
let emulator: Emulator
let dir: string
let env: Record<string, string>

beforeAll(async () => {
  emulator = await startEmulator({ servicenow: { instances: ["dev365"], adminBasicAuthApiAccess: true } })
  dir = mkdtempSync(join(tmpdir(), "sn365-quick-start-"))
  // The three variables the README exports.
  env = {
    SN365_EMULATOR_URL: emulator.url,
    SN365_SERVICENOW_PASSWORD: "admin",
    SN365_ENTRA_CLIENT_SECRET: "sn365~emulator.admin-secret.0000000000001",
  }
})

afterAll(async () => {
  await emulator?.close()
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

describe("README quick start 2: sn365 against a running emulator", { timeout: 120_000 }, () => {
  const secretsFile = () => join(dir, ".sn365-secrets.json")

  it("the emulator's seeded secret is the one the README exports", () => {
    expect(emulator.microsoft.defaults.adminApp.secret).toBe(env.SN365_ENTRA_CLIENT_SECRET)
  })

  it("plan, apply, apply again, verify and teardown succeed", async () => {
    const plan = await runCli(["plan", "--config", CONFIG], { env })
    expect(plan.code, describeRun(plan)).toBe(0)
    expect(plan.stdout).toMatch(/Plan: \d+ to create/)

    const apply = await runCli(["apply", "--config", CONFIG, "--secrets-file", secretsFile(), "--yes"], {
      env,
    })
    expect(apply.code, describeRun(apply)).toBe(0)
    expect(emulator.microsoft.supportIntegration().repositories).toHaveLength(1)

    const again = await runCli(
      ["apply", "--config", CONFIG, "--secrets-file", secretsFile(), "--yes", "--json"],
      {
        env,
      },
    )
    expect(again.code, describeRun(again)).toBe(0)
    const steps = (JSON.parse(again.stdout) as { apply: { steps: Array<{ outcome?: string }> } }).apply.steps
    expect(steps.filter((s) => s.outcome !== "kept" && s.outcome !== "checked")).toEqual([])

    const verify = await runCli(["verify", "--config", CONFIG, "--secrets-file", secretsFile()], { env })
    expect(verify.code, describeRun(verify)).toBe(0)
    expect(`${verify.stdout}${verify.stderr}`).toMatch(/Verification passed: \d+ passed, 0 failed, 0 skipped/)

    const teardown = await runCli(["teardown", "--config", CONFIG, "--yes"], { env })
    expect(teardown.code, describeRun(teardown)).toBe(0)
    expect(emulator.microsoft.supportIntegration().repositories).toHaveLength(0)
    expect(emulator.servicenow.count("dev365", "sys_user", "user_name=sn365_m365_integration")).toBe(0)
  })
})
