/**
 * Secret canaries through the real `sn365` command against the emulator: the ServiceNow password
 * and the Entra client secret are canaries given through the environment, the generated secrets
 * are read back from the secrets file (the one place meant to hold them), and no output — plain,
 * verbose or `--json`, in success and in failure — nor any other file, nor the emulator's snapshot,
 * may contain any of them.
 */
import { readdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { type Emulator, startEmulator } from "@sn365/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { stringify } from "yaml"
import { runCli, tempDir } from "../harness.ts"
import { addFigure } from "./figures.ts"

const CANARY = {
  servicenowPassword: "canary-SN-password-4b7e1c",
  entraClientSecret: "canary~entra.secret-9d02af",
} as const

const TENANT = { id: "9c7a4e2b-3650-4d1f-8a65-5e0c1f365365", domain: "contoso.onmicrosoft.com" }
const SETUP_APP = "5e7f1a2c-0365-4b6d-9e11-5a5e1d365001"

// Every form in which a secret could show up in text (a form-encoded body writes `~` as %7E).
const formsOf = (secret: string) => [
  ...new Set([
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ v: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
    Buffer.from(secret).toString("base64"),
  ]),
]

describe("canary: the sn365 command against the emulator", { timeout: 120_000 }, () => {
  let emulator: Emulator
  let cwd: string
  const secrets = new Set<string>([...Object.values(CANARY), `admin:${CANARY.servicenowPassword}`])
  const outputs: Array<readonly [string, string]> = []

  beforeAll(async () => {
    emulator = await startEmulator({
      servicenow: {
        instances: ["dev365"],
        adminPassword: CANARY.servicenowPassword,
        adminBasicAuthApiAccess: true,
      },
      microsoft: {
        tenants: [
          {
            id: TENANT.id,
            domains: [TENANT.domain],
            apps: [
              {
                appId: SETUP_APP,
                displayName: "sn365 setup (canary)",
                secret: CANARY.entraClientSecret,
                appRoles: {
                  "https://graph.microsoft.com": ["Application.ReadWrite.All"],
                  "https://admin.microsoft.com": ["SupportIntegration.ReadWrite.All"],
                },
              },
            ],
            users: [{ userPrincipalName: `admin@${TENANT.domain}`, roles: ["Global Administrator"] }],
          },
        ],
      },
    })
    cwd = await tempDir()
    await writeFile(
      join(cwd, "sn365.config.yaml"),
      stringify({
        variant: "basic",
        servicenow: { instance: "dev365", auth: { type: "basic", username: "admin" } },
        entra: { tenant: TENANT.domain, auth: { type: "clientSecret", clientId: SETUP_APP } },
        integration: { m365AdminEmail: `admin@${TENANT.domain}` },
        roles: { insightsUsers: ["itil"] },
      }),
    )
  })
  afterAll(async () => {
    await emulator?.close()
  })

  const sn365 = async (args: ReadonlyArray<string>) => {
    const result = await runCli(args, {
      cwd,
      env: {
        SN365_EMULATOR_URL: emulator.url,
        SN365_SERVICENOW_PASSWORD: CANARY.servicenowPassword,
        SN365_ENTRA_CLIENT_SECRET: CANARY.entraClientSecret,
      },
    })
    outputs.push([`sn365 ${args.join(" ")}`, result.stdout + result.stderr])
    return result
  }

  const secretsFile = () => join(cwd, "secrets.json")

  it("runs every command in every output mode, in success and in failure", async () => {
    for (const mode of [[], ["--json"], ["--verbose"]]) await sn365(["plan", ...mode])
    const applied = await sn365(["apply", "--yes", "--json", "--secrets-file", secretsFile()])
    expect(applied.code, applied.stderr).toBe(0)
    const stored = JSON.parse(await readFile(secretsFile(), "utf8")) as Record<string, string>
    for (const value of Object.values(stored)) secrets.add(value)
    expect(Object.keys(stored).length).toBeGreaterThanOrEqual(3)
    for (const mode of [[], ["--json"], ["--verbose"]]) {
      await sn365(["verify", "--secrets-file", secretsFile(), ...mode])
      await sn365(["apply", "--yes", "--secrets-file", secretsFile(), ...mode])
      await sn365(["discover", ...mode])
    }
    // Failures: a hibernating instance, a failing write, an unreachable Graph.
    const failing: ReadonlyArray<readonly [string, () => () => void]> = [
      [
        "hibernating",
        () => {
          emulator.servicenow.setHibernating("dev365", true)
          return () => emulator.servicenow.setHibernating("dev365", false)
        },
      ],
      [
        "a 500 on a write",
        () => emulator.faults.add({ kind: "status", system: "servicenow", method: "PATCH", status: 500 }),
      ],
      ["Graph resets", () => emulator.faults.add({ kind: "reset", system: "graph" })],
    ]
    for (const [, inject] of failing) {
      addFigure("faults")
      const heal = inject()
      // A rotation makes apply write secrets while the fault is on.
      emulator.servicenow.update("dev365", "oauth_entity", inboundSysId(), {
        comments: "Managed by sn365 (prefix sn365); sn365: repository update pending",
      })
      for (const mode of [[], ["--json"], ["--verbose"]]) {
        const result = await sn365(["apply", "--yes", "--secrets-file", secretsFile(), ...mode])
        expect(result.code).not.toBe(0)
      }
      heal()
      const stored = JSON.parse(await readFile(secretsFile(), "utf8")) as Record<string, string>
      for (const value of Object.values(stored)) secrets.add(value)
    }
    for (const mode of [["--json"], []])
      await sn365(["teardown", "--yes", "--secrets-file", secretsFile(), ...mode])
  })

  const inboundSysId = () =>
    String(
      emulator.servicenow.find("dev365", "oauth_entity", "name=sn365 Microsoft 365 support inbound")[0]
        ?.sys_id,
    )

  it("no secret in any output, in any file but the secrets file, or in the emulator's snapshot", async () => {
    for (const file of await readdir(cwd))
      if (file !== "secrets.json") outputs.push([`file ${file}`, await readFile(join(cwd, file), "utf8")])
    outputs.push(["emulator snapshot", JSON.stringify(emulator.snapshot())])
    const leaks: Array<string> = []
    for (const [where, text] of outputs) {
      addFigure("secretsScanned")
      for (const secret of secrets)
        if (formsOf(secret).some((form) => text.includes(form)))
          leaks.push(`${where}: ${secret.slice(0, 6)}…`)
    }
    addFigure("leaks", leaks.length)
    expect(outputs.length).toBeGreaterThan(20)
    expect(secrets.size).toBeGreaterThanOrEqual(6)
    expect(leaks).toEqual([])
  })
})
