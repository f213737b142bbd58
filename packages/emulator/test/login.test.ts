import { createPublicKey, type JsonWebKey, verify } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { adminGraph, appToken, claimsOf, GRAPH, LOGIN, postForm, start } from "./microsoft-helpers.ts"

const AADSTS_DESCRIPTION =
  /^AADSTS\d+: .+\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/s

describe("login: client credentials", () => {
  it("v2: issues a Graph token with numeric lifetimes, verifiable with the published keys", async () => {
    await using emulator = await start()
    const { tenantId, adminApp } = emulator.microsoft.defaults
    const response = await postForm(emulator, `/${tenantId}/oauth2/v2.0/token`, {
      grant_type: "client_credentials",
      client_id: adminApp.appId,
      client_secret: adminApp.secret,
      scope: "https://graph.microsoft.com/.default",
    })
    expect(response.status).toBe(200)
    expect(response.body).toMatchObject({ token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599 })
    expect(response.body.refresh_token).toBeUndefined()
    const token = response.body.access_token as string
    expect(claimsOf(token)).toMatchObject({
      aud: "https://graph.microsoft.com",
      tid: tenantId,
      appid: adminApp.appId,
      roles: ["Application.ReadWrite.All"],
      iss: `https://sts.windows.net/${tenantId}/`,
    })

    const discovery = await emulator.fetch(
      new Request(`${LOGIN}/${tenantId}/v2.0/.well-known/openid-configuration`),
    )
    const { jwks_uri } = (await discovery.json()) as { jwks_uri: string }
    const { keys } = (await (await emulator.fetch(new Request(jwks_uri))).json()) as {
      keys: Array<JsonWebKey>
    }
    const [header, payload, signature] = token.split(".") as [string, string, string]
    const key = createPublicKey({ key: keys[0] as JsonWebKey, format: "jwk" })
    expect(
      verify("sha256", Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, "base64url")),
    ).toBe(true)
  })

  it("v1: takes `resource`, answers numbers as strings with expires_on and not_before", async () => {
    await using emulator = await start()
    const { tenantDomain, adminApp } = emulator.microsoft.defaults
    const response = await postForm(emulator, `/${tenantDomain}/oauth2/token`, {
      grant_type: "client_credentials",
      client_id: adminApp.appId,
      client_secret: adminApp.secret,
      resource: "https://graph.microsoft.com",
    })
    expect(response.status).toBe(200)
    const body = response.body
    expect(body).toMatchObject({
      token_type: "Bearer",
      expires_in: "3599",
      resource: "https://graph.microsoft.com",
    })
    expect(Number(body.expires_on) - Number(body.not_before)).toBe(3599)
    expect(Math.abs(Number(body.not_before) - Date.now() / 1000)).toBeLessThan(5)
  })

  it("accepts HTTP Basic client authentication", async () => {
    await using emulator = await start()
    const { tenantId, adminApp } = emulator.microsoft.defaults
    const basic = Buffer.from(`${adminApp.appId}:${encodeURIComponent(adminApp.secret)}`).toString("base64")
    const response = await postForm(
      emulator,
      `/${tenantId}/oauth2/v2.0/token`,
      { grant_type: "client_credentials", scope: "https://graph.microsoft.com/.default" },
      { authorization: `Basic ${basic}` },
    )
    expect(response.status).toBe(200)
  })

  it("answers AADSTS errors with the documented body", async () => {
    await using emulator = await start()
    const { tenantId, adminApp } = emulator.microsoft.defaults
    const base = {
      grant_type: "client_credentials",
      client_id: adminApp.appId,
      client_secret: adminApp.secret,
      scope: "https://graph.microsoft.com/.default",
    }
    const cases: Array<[string, Record<string, string>, number, string, number]> = [
      [`/nosuch.onmicrosoft.com/oauth2/v2.0/token`, base, 400, "invalid_request", 90002],
      [`/${tenantId}/oauth2/v2.0/token`, { ...base, client_secret: "wrong" }, 401, "invalid_client", 7000215],
      [`/${tenantId}/oauth2/v2.0/token`, { ...base, client_secret: "" }, 401, "invalid_client", 7000218],
      [
        `/${tenantId}/oauth2/v2.0/token`,
        { ...base, client_id: "00000000-1111-4222-8333-444444444444" },
        400,
        "unauthorized_client",
        700016,
      ],
      [
        `/${tenantId}/oauth2/v2.0/token`,
        { ...base, scope: "https://graph.microsoft.com/User.Read" },
        400,
        "invalid_scope",
        70011,
      ],
      [
        `/${tenantId}/oauth2/v2.0/token`,
        { ...base, scope: "https://nosuch.example/.default" },
        400,
        "invalid_resource",
        500011,
      ],
      [
        `/${tenantId}/oauth2/v2.0/token`,
        { grant_type: "client_credentials", client_id: adminApp.appId },
        400,
        "invalid_request",
        900144,
      ],
      [`/${tenantId}/oauth2/v2.0/token`, { ...base, grant_type: "" }, 400, "invalid_request", 900144],
      [
        `/${tenantId}/oauth2/v2.0/token`,
        { ...base, grant_type: "password" },
        400,
        "unsupported_grant_type",
        70003,
      ],
      [`/${tenantId}/oauth2/token`, { ...base }, 400, "invalid_request", 900144],
      [`/common/oauth2/v2.0/token`, base, 400, "invalid_request", 9001023],
    ]
    for (const [path, form, status, error, code] of cases) {
      const response = await postForm(emulator, path, form, {
        "client-request-id": "6d3d1c4e-1d4c-4f59-9a35-3f8f7a0f1e21",
      })
      expect({
        path,
        status: response.status,
        error: response.body.error,
        codes: response.body.error_codes,
      }).toEqual({
        path,
        status,
        error,
        codes: [code],
      })
      expect(response.body.error_description).toMatch(AADSTS_DESCRIPTION)
      expect(response.body.error_description).toContain(`AADSTS${code}:`)
      expect(response.body.correlation_id).toBe("6d3d1c4e-1d4c-4f59-9a35-3f8f7a0f1e21")
      expect(response.body.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/)
      expect(response.headers.get("x-ms-request-id")).toBe(response.body.trace_id)
    }
    const { scope: _scope, ...withoutScope } = base
    const resourceOnV2 = await postForm(emulator, `/${tenantId}/oauth2/v2.0/token`, {
      ...withoutScope,
      resource: "https://graph.microsoft.com",
    })
    expect(resourceOnV2.body.error_codes).toEqual([901002])
  })

  it("AADSTS7000222 for an expired secret, AADSTS7000229 for an application without service principal", async () => {
    await using emulator = await start()
    const { tenantId } = emulator.microsoft.defaults
    const graph = await adminGraph(emulator)
    const app = await graph("POST", "/applications", { displayName: "no sp yet" })
    const secret = await graph("POST", `/applications/${app.body.id}/addPassword`, {
      passwordCredential: { endDateTime: new Date(Date.now() + 60_000).toISOString() },
    })
    const form = {
      grant_type: "client_credentials",
      client_id: app.body.appId,
      client_secret: secret.body.secretText,
      scope: "https://graph.microsoft.com/.default",
    }
    const noSp = await postForm(emulator, `/${tenantId}/oauth2/v2.0/token`, form)
    expect([noSp.status, noSp.body.error, noSp.body.error_codes]).toEqual([401, "invalid_client", [7000229]])
    expect(noSp.body.error_description).toContain(
      `The client application ${app.body.appId} is missing service principal`,
    )

    expect((await graph("POST", "/servicePrincipals", { appId: app.body.appId })).status).toBe(201)
    const ok = await postForm(emulator, `/${tenantId}/oauth2/v2.0/token`, form)
    expect(ok.status).toBe(200)
    expect(claimsOf(ok.body.access_token).roles).toBeUndefined()

    emulator.clock.advance(120_000)
    const expired = await postForm(emulator, `/${tenantId}/oauth2/v2.0/token`, form)
    expect([expired.status, expired.body.error_codes]).toEqual([401, [7000222]])
  })

  it("issues tokens for an application's own identifier URI when it has a service principal", async () => {
    await using emulator = await start()
    const { tenantId, adminApp } = emulator.microsoft.defaults
    const graph = await adminGraph(emulator)
    const api = await graph("POST", "/applications", {
      displayName: "rest api",
      identifierUris: ["api://sn365-rest"],
    })
    const form = {
      grant_type: "client_credentials",
      client_id: adminApp.appId,
      client_secret: adminApp.secret,
      scope: "api://sn365-rest/.default",
    }
    expect((await postForm(emulator, `/${tenantId}/oauth2/v2.0/token`, form)).body.error_codes).toEqual([
      500011,
    ])
    await graph("POST", "/servicePrincipals", { appId: api.body.appId })
    const ok = await postForm(emulator, `/${tenantId}/oauth2/v2.0/token`, form)
    expect(claimsOf(ok.body.access_token).aud).toBe("api://sn365-rest")
  })
})

describe("login: discovery", () => {
  it("serves v2 and v1 OpenID configuration for a GUID or a domain, and MSAL's instance discovery", async () => {
    await using emulator = await start()
    const { tenantId, tenantDomain } = emulator.microsoft.defaults
    const v2 = (await (
      await emulator.fetch(new Request(`${LOGIN}/${tenantDomain}/v2.0/.well-known/openid-configuration`))
    ).json()) as Record<string, unknown>
    expect(v2).toMatchObject({
      issuer: `${LOGIN}/${tenantId}/v2.0`,
      token_endpoint: `${LOGIN}/${tenantId}/oauth2/v2.0/token`,
      authorization_endpoint: `${LOGIN}/${tenantId}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${LOGIN}/${tenantId}/oauth2/v2.0/devicecode`,
      jwks_uri: `${LOGIN}/${tenantDomain}/discovery/v2.0/keys`,
      msgraph_host: "graph.microsoft.com",
    })
    const v1 = (await (
      await emulator.fetch(new Request(`${LOGIN}/${tenantId}/.well-known/openid-configuration`))
    ).json()) as Record<string, unknown>
    expect(v1).toMatchObject({
      issuer: `https://sts.windows.net/${tenantId}/`,
      token_endpoint: `${LOGIN}/${tenantId}/oauth2/token`,
    })
    const unknown = await emulator.fetch(
      new Request(`${LOGIN}/fabrikam.example/v2.0/.well-known/openid-configuration`),
    )
    expect(unknown.status).toBe(400)
    expect(((await unknown.json()) as { error_codes: Array<number> }).error_codes).toEqual([90002])
    const instance = (await (
      await emulator.fetch(
        new Request(
          `${LOGIN}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${LOGIN}/${tenantId}/oauth2/v2.0/authorize`)}`,
        ),
      )
    ).json()) as { metadata: Array<{ aliases: Array<string> }> }
    expect(instance.metadata[0]?.aliases).toContain("login.microsoftonline.com")
  })

  it("answers injected faults in the AADSTS envelope, with Retry-After", async () => {
    await using emulator = await start()
    emulator.faults.add({
      kind: "status",
      system: "login",
      status: 429,
      headers: { "retry-after": "3" },
      times: 1,
    })
    const { tenantId, adminApp } = emulator.microsoft.defaults
    const form = {
      grant_type: "client_credentials",
      client_id: adminApp.appId,
      client_secret: adminApp.secret,
      scope: "https://graph.microsoft.com/.default",
    }
    const throttled = await postForm(emulator, `/${tenantId}/oauth2/v2.0/token`, form)
    expect(throttled.status).toBe(429)
    expect(throttled.headers.get("retry-after")).toBe("3")
    expect(throttled.body).toMatchObject({ error: "temporarily_unavailable", error_codes: [90055] })
    expect((await postForm(emulator, `/${tenantId}/oauth2/v2.0/token`, form)).status).toBe(200)
  })
})

describe("login: device code", () => {
  const scope = "https://graph.microsoft.com/Application.ReadWrite.All openid profile offline_access"

  it("v2: pending, slow_down, then tokens for the approving admin (both grant_type spellings)", async () => {
    await using emulator = await start({ deviceCodeIntervalSeconds: 5 })
    const { tenantId, publicClient, adminUser } = emulator.microsoft.defaults
    const code = await postForm(emulator, `/${tenantId}/oauth2/v2.0/devicecode`, {
      client_id: publicClient.appId,
      scope,
    })
    expect(code.status).toBe(200)
    expect(code.body).toMatchObject({
      verification_uri: "https://microsoft.com/devicelogin",
      expires_in: 900,
      interval: 5,
    })
    expect(code.body.message).toContain(code.body.user_code)
    const poll = (grant: string) =>
      postForm(emulator, `/${tenantId}/oauth2/v2.0/token`, {
        grant_type: grant,
        client_id: publicClient.appId,
        device_code: code.body.device_code,
        client_info: "1",
      })
    const pending = await poll("device_code")
    expect([pending.status, pending.body.error, pending.body.error_codes]).toEqual([
      400,
      "authorization_pending",
      [70016],
    ])
    expect((await poll("device_code")).body.error).toBe("slow_down")
    emulator.clock.advance(5_000)
    expect((await poll("urn:ietf:params:oauth:grant-type:device_code")).body.error).toBe(
      "authorization_pending",
    )

    emulator.microsoft.approveDeviceCode(code.body.user_code, adminUser)
    emulator.clock.advance(5_000)
    const tokens = await poll("urn:ietf:params:oauth:grant-type:device_code")
    expect(tokens.status).toBe(200)
    expect(tokens.body.scope).toBe(
      "https://graph.microsoft.com/Application.ReadWrite.All openid profile offline_access",
    )
    expect(claimsOf(tokens.body.access_token)).toMatchObject({
      scp: "Application.ReadWrite.All",
      upn: adminUser,
      idtyp: "user",
    })
    expect(claimsOf(tokens.body.id_token)).toMatchObject({
      aud: publicClient.appId,
      preferred_username: adminUser,
    })
    expect(JSON.parse(Buffer.from(tokens.body.client_info, "base64url").toString())).toMatchObject({
      utid: tenantId,
    })
    expect(typeof tokens.body.refresh_token).toBe("string")
    expect(emulator.microsoft.deviceCodes()).toMatchObject([{ status: "approved" }])
    // A device code is redeemed once.
    emulator.clock.advance(5_000)
    expect((await poll("device_code")).body.error).toBe("bad_verification_code")

    const refreshed = await postForm(emulator, `/${tenantId}/oauth2/v2.0/token`, {
      grant_type: "refresh_token",
      client_id: publicClient.appId,
      refresh_token: tokens.body.refresh_token,
      scope: "https://graph.microsoft.com/Application.ReadWrite.All",
    })
    expect(refreshed.status).toBe(200)
  })

  it("declined, expired and unknown codes; v1 answers strings and verification_url", async () => {
    await using emulator = await start({ deviceCodeIntervalSeconds: 1 })
    const { tenantId, publicClient } = emulator.microsoft.defaults
    const issue = () =>
      postForm(emulator, `/${tenantId}/oauth2/v2.0/devicecode`, { client_id: publicClient.appId, scope })
    const poll = (deviceCode: string) =>
      postForm(emulator, `/${tenantId}/oauth2/v2.0/token`, {
        grant_type: "device_code",
        client_id: publicClient.appId,
        device_code: deviceCode,
      })
    const declined = await issue()
    emulator.microsoft.declineDeviceCode(declined.body.user_code)
    expect((await poll(declined.body.device_code)).body.error).toBe("authorization_declined")
    const denied = await issue()
    emulator.microsoft.declineDeviceCode(denied.body.user_code, "access_denied")
    expect((await poll(denied.body.device_code)).body.error).toBe("access_denied")
    expect(() => emulator.microsoft.declineDeviceCode(denied.body.user_code)).toThrow(/already declined/)

    const expired = await issue()
    emulator.clock.advance(901_000)
    const late = await poll(expired.body.device_code)
    expect([late.body.error, late.body.error_codes]).toEqual(["expired_token", [70019]])
    expect((await poll("nonsense")).body.error).toBe("bad_verification_code")

    const v1 = await postForm(emulator, `/${tenantId}/oauth2/devicecode`, {
      client_id: publicClient.appId,
      resource: "https://graph.microsoft.com",
    })
    expect(v1.body).toMatchObject({
      verification_url: "https://microsoft.com/devicelogin",
      expires_in: "900",
      interval: "1",
    })

    const confidential = await postForm(emulator, `/${tenantId}/oauth2/v2.0/devicecode`, {
      client_id: emulator.microsoft.defaults.adminApp.appId,
      scope,
    })
    expect(confidential.body.error_codes).toEqual([700016])
    expect(() => emulator.microsoft.approveDeviceCode("NOPE", "admin")).toThrow(/no device code/)
  })
})

describe("login → graph", () => {
  it("Graph accepts the token until it expires on the emulator clock", async () => {
    await using emulator = await start()
    const token = await appToken(emulator, emulator.microsoft.defaults.adminApp)
    const get = () =>
      emulator.fetch(
        new Request(`${GRAPH}/applications?$top=1`, { headers: { authorization: `Bearer ${token}` } }),
      )
    expect((await get()).status).toBe(200)
    emulator.clock.advance(3600_000)
    const expired = await get()
    expect(expired.status).toBe(401)
    expect(((await expired.json()) as { error: { code: string } }).error.code).toBe(
      "InvalidAuthenticationToken",
    )
  })
})
