import { describe, expect, it } from "vitest"
import { ExitCode } from "../src/Errors.ts"
import {
  applyJson,
  discoveryJson,
  OUTPUT_SCHEMA_VERSION,
  type OutputDocument,
  planJson,
  teardownJson,
  verifyJson,
} from "../src/Json.ts"
import {
  applyResult,
  discoveryReport,
  GENERATED_SECRET,
  plan,
  teardownReport,
  verifyFail,
  verifyPass,
} from "./fixtures.ts"
import { schemaErrors } from "./harness.ts"

const base = { schemaVersion: OUTPUT_SCHEMA_VERSION, warnings: [] } as const

const documents: Record<string, OutputDocument> = {
  plan: {
    ...base,
    command: "plan",
    ok: true,
    exitCode: 0,
    plan: planJson(plan),
    configFile: "/x/sn365.config.yaml",
  },
  apply: {
    ...base,
    command: "apply",
    ok: true,
    exitCode: 0,
    plan: planJson(applyResult.plan),
    apply: applyJson(applyResult, "/x/secrets.json"),
    emulator: "http://127.0.0.1:4365",
  },
  verify: {
    ...base,
    command: "verify",
    ok: false,
    exitCode: ExitCode.VerificationFailed,
    verify: verifyJson(verifyFail),
    error: { tag: "VerificationFailed", message: "1 check failed" },
  },
  verifyPass: { ...base, command: "verify", ok: true, exitCode: 0, verify: verifyJson(verifyPass) },
  teardown: { ...base, command: "teardown", ok: true, exitCode: 0, teardown: teardownJson(teardownReport) },
  discover: {
    ...base,
    command: "discover",
    ok: true,
    exitCode: 0,
    discovery: discoveryJson(discoveryReport),
  },
  invalid: {
    ...base,
    command: "plan",
    ok: false,
    exitCode: 2,
    error: {
      tag: "InvalidConfig",
      message: "…",
      problems: [{ path: ["entra", "tenant"], message: "must be a tenant" }],
    },
  },
}

describe("the --json document", () => {
  for (const [name, document] of Object.entries(documents)) {
    it(`validates against schema/output.schema.json: ${name}`, async () => {
      expect(await schemaErrors(JSON.parse(JSON.stringify(document)))).toBeUndefined()
    })
  }

  it("reports generated secrets by name and location only", () => {
    const json = JSON.stringify(documents.apply)
    expect(json).not.toContain(GENERATED_SECRET)
    expect(documents.apply?.apply?.secrets).toEqual({
      generated: ["entraClientSecret", "integrationUserPassword"],
      storedIn: "/x/secrets.json",
    })
  })

  it("never copies the value of a password-type property", () => {
    expect(JSON.stringify(documents.discover)).not.toContain(GENERATED_SECRET)
  })

  it("marks secret plan fields without values", () => {
    const fields = planJson(plan).changes.flatMap((c) => c.changes)
    expect(fields.filter((f) => f.secret)).toEqual([
      { field: "secretText", secret: true },
      { field: "client_secret", secret: true },
      { field: "Client secret", secret: true },
    ])
  })

  it("the schema rejects anything unexpected, such as a secret's value or a missing error", async () => {
    const leaked = JSON.parse(JSON.stringify(documents.apply))
    leaked.apply.secrets.values = { entraClientSecret: "x" }
    expect(await schemaErrors(leaked)).toBeDefined()
    const stray = JSON.parse(JSON.stringify(documents.plan))
    stray.plan.changes[1].changes[0].to = "x"
    expect(await schemaErrors(stray)).toBeDefined()
    expect(await schemaErrors({ ...documents.plan, ok: false, exitCode: 1 })).toBeDefined()
    expect(await schemaErrors({ ...documents.plan, ok: true, exitCode: 2 })).toBeDefined()
  })
})
