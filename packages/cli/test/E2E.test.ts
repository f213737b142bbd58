/** End to end: the real `@sn365/setup` against the emulator, through the CLI. */
import { readFile, stat, writeFile } from "node:fs/promises"
import { createServer } from "node:net"
import { join } from "node:path"
import { type Emulator, startEmulator } from "@sn365/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { stringify } from "yaml"
import { EMULATOR_SERVICENOW, emulatorConfigInput, emulatorIdentities } from "../src/internal/emulatorSeed.ts"
import { runCli, schemaErrors, tempDir } from "./harness.ts"

/** A loopback port nothing listens on (taken, then given back). */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

describe("end to end against the emulator", { timeout: 60_000 }, () => {
  let emulator: Emulator
  let cwd: string
  let env: Record<string, string>
  let secretValues: Array<string>

  beforeAll(async () => {
    emulator = await startEmulator({
      servicenow: EMULATOR_SERVICENOW,
      microsoft: { deviceCodeIntervalSeconds: 0 },
    })
    const identities = emulatorIdentities(emulator)
    const input = emulatorConfigInput(identities)
    // The file holds no secret; they come from the environment, as the CLI asks.
    const { password: _password, ...servicenowAuth } = input.servicenow.auth
    const { clientSecret: _clientSecret, ...entraAuth } = input.entra.auth
    cwd = await tempDir()
    await writeFile(
      join(cwd, "sn365.config.yaml"),
      stringify({
        ...input,
        servicenow: { ...input.servicenow, auth: servicenowAuth },
        entra: { ...input.entra, auth: entraAuth },
      }),
    )
    env = {
      SN365_EMULATOR_URL: emulator.url,
      SN365_SERVICENOW_PASSWORD: identities.servicenowPassword,
      SN365_ENTRA_CLIENT_SECRET: identities.entraClientSecret,
    }
    secretValues = [identities.entraClientSecret]
  })
  afterAll(async () => {
    await emulator?.close()
  })

  const sn365 = (args: ReadonlyArray<string>, options: Parameters<typeof runCli>[1] = {}) =>
    runCli(args, { cwd, ...options, env: { ...env, ...options.env } })

  const noSecrets = (output: string) => {
    for (const secret of secretValues) expect(output).not.toContain(secret)
  }

  it("plan shows what apply would create (golden) and a valid --json document", async () => {
    const text = await sn365(["plan"])
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toContain("Plan for basic setup of https://dev365.service-now.com")
    await expect(text.stdout).toMatchFileSnapshot("golden/plan-emulator.txt")
    const json = await sn365(["plan", "--json"])
    const document = JSON.parse(json.stdout)
    expect(await schemaErrors(document)).toBeUndefined()
    expect(document.plan.changes.some((c: { action: string }) => c.action === "create")).toBe(true)
    noSecrets(text.stdout + text.stderr + json.stdout + json.stderr)
  })

  it("apply, verify with the secrets file, apply again (no changes), teardown", async () => {
    const secretsFile = join(cwd, "secrets.json")
    const applied = await sn365(["apply", "--yes", "--json", "--secrets-file", secretsFile])
    expect(applied.code, applied.stderr).toBe(0)
    const document = JSON.parse(applied.stdout)
    expect(await schemaErrors(document)).toBeUndefined()
    expect(document.apply.secrets.storedIn).toBe(secretsFile)
    expect((await stat(secretsFile)).mode & 0o777).toBe(0o600)
    const stored = JSON.parse(await readFile(secretsFile, "utf8")) as Record<string, string>
    secretValues.push(...Object.values(stored))
    noSecrets(applied.stdout + applied.stderr)

    const verified = await sn365(["verify", "--secrets-file", secretsFile])
    expect(verified.code, verified.stdout + verified.stderr).toBe(0)
    expect(verified.stdout).toContain("Verification passed")

    const again = await sn365(["apply", "--yes", "--json", "--secrets-file", secretsFile])
    expect(again.code, again.stderr).toBe(0)
    const second = JSON.parse(again.stdout)
    const changed = second.apply.steps.filter(
      (s: { status: string; outcome?: string }) =>
        s.status !== "skipped" && s.outcome !== "kept" && s.outcome !== "checked",
    )
    expect(changed).toEqual([])
    noSecrets(again.stdout + again.stderr)

    noSecrets(verified.stdout + verified.stderr)
  })

  // Runs after the test above (vitest runs a file's tests in order), on what it created.
  it("teardown removes everything sn365 manages", async () => {
    const secretsFile = join(cwd, "secrets.json")
    const torn = await sn365(["teardown", "--yes", "--secrets-file", secretsFile])
    expect(torn.code, torn.stderr).toBe(0)
    expect(torn.stdout).toContain("Teardown complete")
    noSecrets(torn.stdout + torn.stderr)
    const after = await sn365(["plan", "--json"])
    const document = JSON.parse(after.stdout)
    expect(document.plan.changes.some((c: { action: string }) => c.action === "create")).toBe(true)
  })

  it("signs in to Entra with a device code shown on stderr", async () => {
    const identities = emulatorIdentities(emulator)
    const result = await sn365(
      ["plan", "--entra-auth", "deviceCode", "--entra-client-id", identities.publicClientId],
      {
        onStderr: (text) => {
          const code = /enter the code ([A-Z0-9-]+)/i.exec(text)?.[1]
          if (code !== undefined) emulator.microsoft.approveDeviceCode(code, identities.adminEmail)
        },
      },
    )
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain("Sign in to Entra ID as an administrator")
  })

  it("sn365 demo runs the whole setup twice and verifies it (exit 0, valid JSON)", async () => {
    const demo = await runCli(["demo", "--json"], { cwd: await tempDir() })
    expect(demo.code, demo.stderr).toBe(0)
    const document = JSON.parse(demo.stdout)
    expect(await schemaErrors(document)).toBeUndefined()
    expect(document.verify.ok).toBe(true)
    expect(document.reapply.secrets.generated).toEqual([])
    const text = await runCli(["demo"], { cwd: await tempDir() })
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toContain("(idempotent)")
    noSecrets(demo.stdout + demo.stderr + text.stdout + text.stderr)
  })

  it("an emulator that is not running fails at once, naming its URL, not the vendor's host", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`
    const result = await sn365(["plan"], { env: { SN365_EMULATOR_URL: url } })
    expect(result.code, result.stderr).toBe(2)
    expect(result.stderr).toContain(`Cannot reach the emulator at ${url} (SN365_EMULATOR_URL): ECONNREFUSED`)
    expect(result.stderr).toContain("sn365 emulator")
    expect(result.stderr).not.toContain("retry")
  })

  it("verify with a secrets file that does not exist is a usage error, not skipped checks", async () => {
    const missing = join(cwd, "no-such-dir", "secrets.jsno")
    const result = await sn365(["verify", "--secrets-file", missing])
    expect(result.code, result.stdout).toBe(2)
    expect(result.stderr).toContain(
      `The secrets file ${missing} (from --secrets-file) does not exist, or is not a file.`,
    )
    expect(result.stdout).not.toContain("PASS")
  })

  it("a secrets file that is a folder, or not JSON, is a usage error, not a crash or chmod advice", async () => {
    const folder = await sn365(["apply", "--yes", "--json", "--secrets-file", cwd])
    expect(folder.code).toBe(2)
    const document = JSON.parse(folder.stdout)
    expect(await schemaErrors(document)).toBeUndefined()
    expect(document.error.message).toBe(`The secrets file ${cwd} (from --secrets-file) is a folder.`)
    expect(folder.stderr).not.toContain("chmod")
    const corrupt = join(cwd, "corrupt-secrets.json")
    await writeFile(corrupt, "not json {")
    const verify = await sn365(["verify", "--secrets-file", corrupt])
    expect(verify.code).toBe(2)
    expect(verify.stderr).toContain(`The secrets file ${corrupt} is not a JSON object`)
    expect(verify.stderr).not.toContain("UnexpectedError")
  })

  it("apply with a secrets file it could not write changes nothing (preflight)", async () => {
    const config = join(cwd, "sn365.config.yaml")
    const result = await sn365(["apply", "--yes", "--secrets-file", join(config, "secrets.json")])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain("Preflight failed; nothing was changed")
    expect(result.stderr).toContain("Secret store: Cannot read the secrets file")
    const json = await sn365(["apply", "--yes", "--json", "--secrets-file", join(config, "secrets.json")])
    const failed = JSON.parse(json.stdout)
    expect(await schemaErrors(failed)).toBeUndefined()
    expect(failed.error.tag).toBe("PreflightFailed")
    expect(failed.error.preflightProblems.map((p: { check: string }) => p.check)).toEqual(["Secret store"])
    // Nothing was created: the app registration is still to create.
    const after = JSON.parse((await sn365(["plan", "--json"])).stdout)
    const app = after.plan.changes.find((c: { step: string }) => c.step === "entra.app")
    expect(app?.action).toBe("create")
  })

  it("an apply that fails part-way says in its JSON which steps stay in place", async () => {
    // The inbound OAuth endpoint cannot be created: the steps that need it do not start.
    const stop = emulator.faults.add({
      kind: "status",
      system: "servicenow",
      method: "POST",
      path: /\/table\/oauth_entity$/,
      status: 403,
      times: 5,
    })
    try {
      const result = await sn365(["apply", "--yes", "--json"])
      expect(result.code).toBe(1)
      const document = JSON.parse(result.stdout)
      expect(await schemaErrors(document)).toBeUndefined()
      expect(document.error.tag).toBe("ApplyFailed")
      expect(document.error.failedStep).toMatch(/^servicenow\./)
      expect(document.error.completed).toContain("entra.app")
      expect(document.error.notStarted).toContain("servicenow.wizard")
      expect(document.error.stepError.tag).toBe("Forbidden")
    } finally {
      stop()
      // What the failed run left in place must not leak into the next test.
      expect((await sn365(["teardown", "--yes"])).code).toBe(0)
    }
  })

  it("teardown without --yes and no terminal says how to go on", async () => {
    const result = await sn365(["teardown"])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("Run it on a terminal to be asked first, or again with --yes")
  })

  it("against the emulator, the network report does not look the connector host up in DNS", async () => {
    const result = await sn365(["apply", "--yes", "--json"])
    expect(result.code, result.stderr).toBe(0)
    const document = JSON.parse(result.stdout)
    expect(document.apply.network.lookup).toEqual({ error: "not looked up (emulator)" })
    await sn365(["teardown", "--yes"])
  })
})
