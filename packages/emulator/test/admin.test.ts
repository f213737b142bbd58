import { describe, expect, it } from "@effect/vitest"
import type { Emulator } from "../src/index.ts"
import { ADMIN, adminGraph, appToken, client, postForm, start } from "./microsoft-helpers.ts"

const adminClient = async (emulator: Emulator) =>
  client(
    emulator,
    ADMIN,
    await appToken(emulator, emulator.microsoft.defaults.adminApp, "https://admin.microsoft.com/.default"),
  )

const repository = {
  repository: "REPO-0001",
  endpoint: "https://dev12345.service-now.com/api/x_mioms_m365_assis",
  authenticationType: "Basic Auth",
  clientId: "8f2c0a6e5d4b4c3a9e1f0d2c3b4a5968",
  clientSecret: "inbound-client-secret",
  restUsername: "m365_integration",
  restUserPassword: "integration-password",
}

describe("admin (modeled support integration): authentication", () => {
  it("401 without a token or with a Graph token, 403 without the support-integration permission", async () => {
    await using emulator = await start()
    expect((await client(emulator, ADMIN, undefined)("GET", "/repositories")).status).toBe(401)
    const graphToken = await appToken(emulator, emulator.microsoft.defaults.adminApp)
    const wrongAudience = await client(emulator, ADMIN, graphToken)("GET", "/repositories")
    expect([wrongAudience.status, wrongAudience.body.error.code]).toEqual([401, "InvalidAuthenticationToken"])
    expect(wrongAudience.headers.get("www-authenticate")).toBe(
      'Bearer resource="https://admin.microsoft.com"',
    )
    const noRole = await appToken(
      emulator,
      emulator.microsoft.defaults.ownedByApp,
      "https://admin.microsoft.com/.default",
    )
    const forbidden = await client(emulator, ADMIN, noRole)("GET", "/repositories")
    expect([forbidden.status, forbidden.body.error.code]).toEqual([403, "Forbidden"])
    expect(
      (await client(emulator, "https://admin.microsoft.com", undefined)("GET", "/adminportal")).status,
    ).toBe(404)
  })

  it("delegated: a Global Administrator may save the form, an ordinary user may not", async () => {
    await using emulator = await start({ deviceCodeIntervalSeconds: 0 })
    const { tenantId, publicClient, adminUser, user } = emulator.microsoft.defaults
    const signIn = async (upn: string) => {
      const code = await postForm(emulator, `/${tenantId}/oauth2/v2.0/devicecode`, {
        client_id: publicClient.appId,
        scope: "https://admin.microsoft.com/SupportIntegration.ReadWrite.All",
      })
      emulator.microsoft.approveDeviceCode(code.body.user_code, upn)
      const tokens = await postForm(emulator, `/${tenantId}/oauth2/v2.0/token`, {
        grant_type: "device_code",
        client_id: publicClient.appId,
        device_code: code.body.device_code,
      })
      return client(emulator, ADMIN, tokens.body.access_token)
    }
    expect((await (await signIn(adminUser))("GET", "/basicInformation")).status).toBe(200)
    expect((await (await signIn(user))("GET", "/basicInformation")).status).toBe(403)
  })
})

describe("admin (modeled support integration): Basic information", () => {
  it("starts empty; saves ServiceNow and the Outbound app id; refuses bad values", async () => {
    await using emulator = await start()
    const admin = await adminClient(emulator)
    const graph = await adminGraph(emulator)
    const outbound = await graph("POST", "/applications", { displayName: "outbound" })
    expect((await admin("GET", "/basicInformation")).body).toEqual({
      internalSupportTool: null,
      applicationId: null,
      lastModifiedDateTime: null,
    })
    const saved = await admin("PUT", "/basicInformation", {
      internalSupportTool: "ServiceNow",
      applicationId: outbound.body.appId,
    })
    expect(saved.status).toBe(200)
    expect(saved.body).toMatchObject({
      internalSupportTool: "ServiceNow",
      applicationId: outbound.body.appId,
    })
    expect(emulator.microsoft.supportIntegration().basicInformation).toMatchObject({
      applicationId: outbound.body.appId,
    })

    const invalid = await admin("PUT", "/basicInformation", {
      internalSupportTool: "Service Now",
      applicationId: "nope",
    })
    expect([invalid.status, invalid.body.error.code]).toEqual([400, "ValidationFailed"])
    expect(invalid.body.error.details.map((d: { target: string }) => d.target).sort()).toEqual([
      "applicationId",
      "internalSupportTool",
    ])
    const unknownApp = await admin("PUT", "/basicInformation", {
      internalSupportTool: "ServiceNow",
      applicationId: "11111111-2222-4333-8444-555555555555",
    })
    expect([unknownApp.status, unknownApp.body.error.code]).toEqual([400, "ApplicationNotFound"])
  })

  it("empties Basic information back to its unsaved state (idempotently)", async () => {
    await using emulator = await start()
    const admin = await adminClient(emulator)
    const graph = await adminGraph(emulator)
    const outbound = await graph("POST", "/applications", { displayName: "outbound" })
    await admin("PUT", "/basicInformation", {
      internalSupportTool: "ServiceNow",
      applicationId: outbound.body.appId,
    })
    expect((await admin("DELETE", "/basicInformation")).status).toBe(204)
    expect((await admin("GET", "/basicInformation")).body).toEqual({
      internalSupportTool: null,
      applicationId: null,
      lastModifiedDateTime: null,
    })
    expect((await admin("DELETE", "/basicInformation")).status).toBe(204)
  })
})

describe("admin (modeled support integration): repositories", () => {
  it("creates a Basic Auth repository (864000 by default) and never returns its secrets", async () => {
    await using emulator = await start()
    const admin = await adminClient(emulator)
    const created = await admin("POST", "/repositories", repository)
    expect(created.status).toBe(201)
    expect(created.body).toEqual({
      repository: "REPO-0001",
      endpoint: repository.endpoint,
      authenticationType: "Basic Auth",
      clientId: repository.clientId,
      clientSecretConfigured: true,
      refreshTokenExpiry: 864000,
      restUsername: "m365_integration",
      restUserPasswordConfigured: true,
      createdDateTime: expect.any(String),
      lastModifiedDateTime: expect.any(String),
    })
    expect((await admin("GET", "/repositories/REPO-0001")).body).toEqual(created.body)
    expect((await admin("GET", "/repositories")).body.value).toEqual([created.body])
    expect(
      emulator.microsoft.isRepositorySecretValid("REPO-0001", "clientSecret", "inbound-client-secret"),
    ).toBe(true)
    expect(emulator.microsoft.isRepositorySecretValid("REPO-0001", "restUserPassword", "wrong")).toBe(false)
    const snapshot = JSON.stringify(emulator.snapshot())
    expect(snapshot).not.toContain("inbound-client-secret")
    expect(snapshot).not.toContain("integration-password")

    const duplicate = await admin("POST", "/repositories", repository)
    expect([duplicate.status, duplicate.body.error.code]).toEqual([409, "RepositoryAlreadyExists"])
  })

  it("requires every field whatever the authentication type, and refuses unknown ones", async () => {
    await using emulator = await start()
    const admin = await adminClient(emulator)
    const { clientSecret: _s, restUsername: _u, ...incomplete } = repository
    for (const authenticationType of ["Basic Auth", "AAD Auth"]) {
      const refused = await admin("POST", "/repositories", { ...incomplete, authenticationType })
      expect(refused.status).toBe(400)
      expect(refused.body.error.details).toEqual(
        expect.arrayContaining([
          { code: "Required", target: "clientSecret", message: "clientSecret is required." },
          { code: "Required", target: "restUsername", message: "restUsername is required." },
        ]),
      )
    }
    const badType = await admin("POST", "/repositories", { ...repository, authenticationType: "OAuth" })
    expect(badType.body.error.details).toMatchObject([{ code: "Invalid", target: "authenticationType" }])
    const blank = await admin("POST", "/repositories", { ...repository, clientId: "   " })
    expect(blank.body.error.details).toMatchObject([{ code: "Invalid", target: "clientId" }])
    const expiry = await admin("POST", "/repositories", { ...repository, refreshTokenExpiry: 0 })
    expect(expiry.body.error.details).toMatchObject([{ code: "Invalid", target: "refreshTokenExpiry" }])
    const unknown = await admin("POST", "/repositories", { ...repository, tenantName: "contoso" })
    expect(unknown.body.error.details).toEqual([
      { code: "Unknown", target: "tenantName", message: "tenantName is not a field of this form." },
    ])
    expect(emulator.microsoft.supportIntegration().repositories).toEqual([])
  })

  it("PUT creates (201) or replaces (200); DELETE removes (204) then 404", async () => {
    await using emulator = await start()
    const admin = await adminClient(emulator)
    const { repository: id, ...fields } = repository
    const aad = { ...fields, authenticationType: "AAD Auth", refreshTokenExpiry: 3600 }
    const created = await admin("PUT", `/repositories/${id}`, aad)
    expect([created.status, created.body.authenticationType, created.body.refreshTokenExpiry]).toEqual([
      201,
      "AAD Auth",
      3600,
    ])
    emulator.clock.advance(1000)
    const replaced = await admin("PUT", `/repositories/${id}`, { ...fields, clientSecret: "rotated" })
    expect([replaced.status, replaced.body.refreshTokenExpiry]).toEqual([200, 864000])
    expect(replaced.body.createdDateTime).toBe(created.body.createdDateTime)
    expect(replaced.body.lastModifiedDateTime).not.toBe(created.body.lastModifiedDateTime)
    expect(emulator.microsoft.isRepositorySecretValid(id, "clientSecret", "rotated")).toBe(true)
    expect((await admin("PUT", `/repositories/${id}`, { ...fields, repository: id })).status).toBe(400)
    expect((await admin("DELETE", `/repositories/${id}`)).status).toBe(204)
    expect((await admin("DELETE", `/repositories/${id}`)).body.error.code).toBe("RepositoryNotFound")
    expect((await admin("GET", `/repositories/${id}`)).status).toBe(404)
    expect((await admin("PATCH", `/repositories/${id}`, {})).status).toBe(405)
  })
})
