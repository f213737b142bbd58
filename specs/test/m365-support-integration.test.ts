/**
 * The modeled admin-center support-integration contract says plainly what it is, and encodes the
 * form's fields and rules as the Microsoft setup guides describe them
 * (`/work/shared/docs/integration-procedure.md` §6).
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { parse } from "yaml"

type JsonSchema = Record<string, unknown>

const spec = parse(
  readFileSync(fileURLToPath(new URL("../m365/support-integration.yaml", import.meta.url)), "utf8"),
) as {
  info: { description: string }
  servers: Array<{ url: string }>
  paths: Record<string, Record<string, unknown>>
  components: { schemas: Record<string, JsonSchema> }
}
const schemas = spec.components.schemas
const propertiesOf = (name: string) => (schemas[name]?.properties ?? {}) as Record<string, JsonSchema>

describe("support-integration spec (modeled)", () => {
  it("says it is modeled, retired and never documented", () => {
    const text = spec.info.description
    expect(text).toMatch(/modeled API, not a Microsoft one/)
    expect(text).toContain("2025-05-30")
    expect(text).toMatch(/no public API/)
    expect(spec.servers.map((s) => s.url)).toEqual([
      "https://admin.microsoft.com/modeled/supportIntegration/v1",
    ])
  })

  it("models both tabs of the form", () => {
    expect(Object.keys(spec.paths).sort()).toEqual([
      "/basicInformation",
      "/repositories",
      "/repositories/{repositoryId}",
    ])
    expect(schemas.InternalSupportTool?.enum).toEqual(["ServiceNow"])
    expect(schemas.AuthenticationType?.enum).toEqual(["Basic Auth", "AAD Auth"])
    expect(schemas.BasicInformationInput?.required).toEqual(["internalSupportTool", "applicationId"])
  })

  it("requires every repository field whatever the authentication type; expiry defaults to 864000", () => {
    expect(schemas.RepositoryFields?.required).toEqual([
      "endpoint",
      "authenticationType",
      "clientId",
      "clientSecret",
      "restUsername",
      "restUserPassword",
    ])
    expect(schemas.RepositoryFields?.if).toBeUndefined()
    expect(propertiesOf("RepositoryFields").refreshTokenExpiry).toMatchObject({ default: 864000, minimum: 1 })
    expect(schemas.RepositoryCreate?.unevaluatedProperties).toBe(false)
    expect(schemas.RepositoryReplace?.unevaluatedProperties).toBe(false)
  })

  it("never returns a secret", () => {
    const fields = propertiesOf("RepositoryFields")
    expect(fields.clientSecret?.writeOnly).toBe(true)
    expect(fields.restUserPassword?.writeOnly).toBe(true)
    const returned = Object.keys(propertiesOf("Repository"))
    expect(returned).not.toContain("clientSecret")
    expect(returned).not.toContain("restUserPassword")
    expect(returned).toEqual(expect.arrayContaining(["clientSecretConfigured", "restUserPasswordConfigured"]))
  })
})
