import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import type { Emulator } from "../src/index.ts"
import { basic, client, freshInstance, ITIL, start } from "./servicenow-helpers.ts"

let emulator: Emulator
beforeAll(async () => {
  emulator = await start()
})
afterAll(() => emulator.close())

const fresh = () => client(emulator, freshInstance())
const UNAUTHENTICATED = {
  error: { message: "User Not Authenticated", detail: "Required to provide Auth information" },
  status: "failure",
}

/** An inbound OAuth client with a known secret, written the right way. */
const inboundClient = async (sn: ReturnType<typeof fresh>, secret = "client-secret") => {
  const created = await sn.call("/api/now/v2/table/oauth_entity", {
    method: "POST",
    body: { name: "in", type: "client" },
  })
  const { sys_id: sysId, client_id: clientId } = created.json.result
  await sn.call(`/api/now/v2/table/oauth_entity/${sysId}?sysparm_input_display_value=true`, {
    method: "PATCH",
    body: { client_secret: secret },
  })
  return { sysId: sysId as string, clientId: clientId as string, secret }
}

describe("Basic authentication and the Basic-auth gate", () => {
  it("refuses missing and wrong credentials with the documented 401", async () => {
    const sn = fresh()
    for (const auth of [undefined, basic("admin", "wrong"), basic("ghost", "x"), "Bearer nope", "Digest x"]) {
      const response = await sn.call("/api/now/table/sys_user", { auth })
      expect([response.status, response.json]).toEqual([401, UNAUTHENTICATED])
    }
  })

  it("refuses Basic for an interactive user without snc_basic_auth_api_access while the gate is on", async () => {
    await using gated = await start({ servicenow: { adminBasicAuthApiAccess: false } })
    const sn = client(gated, freshInstance())
    expect(gated.servicenow.property(sn.instance, "glide.authenticate.basic_auth.restriction.enforce")).toBe(
      "true",
    )
    expect((await sn.call("/api/now/table/sys_user")).json).toEqual(UNAUTHENTICATED) // admin is not enough
    gated.servicenow.grantRole(sn.instance, "admin", "snc_basic_auth_api_access")
    expect((await sn.call("/api/now/table/sys_user")).status).toBe(200)
    gated.servicenow.setBasicAuthGate(sn.instance, false)
    expect((await sn.call("/api/now/table/sys_user", { auth: ITIL })).status).toBe(200)
  })

  it("lets web-service-access-only users through the gate, and can use the lower-case wording", async () => {
    await using gated = await start({
      servicenow: { adminBasicAuthApiAccess: false, basicAuthGateWording: "User is not authenticated" },
    })
    const sn = client(gated, freshInstance())
    expect((await sn.call("/api/now/table/sys_user", { auth: ITIL })).json).toEqual({
      error: { message: "User is not authenticated", detail: null },
      status: "failure",
    })
    gated.servicenow.insert(sn.instance, "sys_user", {
      user_name: "m365_integration",
      web_service_access_only: "true",
      user_password: "Pw#1",
    })
    expect(
      (await sn.call("/api/now/table/sys_user", { auth: basic("m365_integration", "Pw#1") })).status,
    ).toBe(200)
  })

  it("refuses inactive and locked-out users", async () => {
    const sn = fresh()
    const [itil] = emulator.servicenow.find(sn.instance, "sys_user", "user_name=itil")
    emulator.servicenow.grantRole(sn.instance, "itil", "snc_basic_auth_api_access")
    expect((await sn.call("/api/now/table/sys_user", { auth: ITIL })).status).toBe(200)
    emulator.servicenow.update(sn.instance, "sys_user", itil?.sys_id ?? "", { locked_out: "true" })
    expect((await sn.call("/api/now/table/sys_user", { auth: ITIL })).status).toBe(401)
  })
})

describe("/oauth_token.do", () => {
  it("grants password tokens usable as Bearer, reuses a valid access token, and refreshes", async () => {
    const sn = fresh()
    const { clientId, secret } = await inboundClient(sn)
    const grant = await sn.token({
      grant_type: "password",
      client_id: clientId,
      client_secret: secret,
      username: "admin",
      password: "admin",
    })
    expect(grant.status).toBe(200)
    expect(grant.json).toEqual({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      scope: "useraccount",
      token_type: "Bearer",
      expires_in: 1799,
    })
    const bearer = `Bearer ${grant.json.access_token}`
    expect((await sn.call("/api/now/table/sys_user?sysparm_limit=1", { auth: bearer })).status).toBe(200)
    const again = await sn.token({
      grant_type: "password",
      client_id: clientId,
      client_secret: secret,
      username: "admin",
      password: "admin",
    })
    expect(again.json.access_token).toBe(grant.json.access_token)

    emulator.clock.advance(1800_000)
    expect((await sn.call("/api/now/table/sys_user", { auth: bearer })).status).toBe(401)
    const refreshed = await sn.token({
      grant_type: "refresh_token",
      client_id: clientId,
      client_secret: secret,
      refresh_token: grant.json.refresh_token,
    })
    expect(refreshed.status).toBe(200)
    expect(refreshed.json.refresh_token).toBeUndefined()
    expect(refreshed.json.access_token).not.toBe(grant.json.access_token)
    expect(
      (await sn.call("/api/now/table/sys_user", { auth: `Bearer ${refreshed.json.access_token}` })).status,
    ).toBe(200)
  })

  it("answers every failure with 401 server_error/access_denied", async () => {
    const sn = fresh()
    const { clientId, secret } = await inboundClient(sn)
    const failures: Array<Record<string, string>> = [
      {
        grant_type: "password",
        client_id: clientId,
        client_secret: "wrong",
        username: "admin",
        password: "admin",
      },
      {
        grant_type: "password",
        client_id: clientId,
        client_secret: secret,
        username: "admin",
        password: "wrong",
      },
      { grant_type: "refresh_token", client_id: clientId, client_secret: secret, refresh_token: "nope" },
      { grant_type: "client_credentials", client_id: clientId, client_secret: secret },
      { grant_type: "authorization_code", client_id: clientId, client_secret: secret, code: "x" },
    ]
    for (const form of failures) {
      const response = await sn.token(form)
      expect([response.status, response.json], form.grant_type).toEqual([
        401,
        { error: "server_error", error_description: "access_denied" },
      ])
    }
    const json = await sn.call("/oauth_token.do", {
      method: "POST",
      auth: undefined,
      body: { grant_type: "password" },
    })
    expect(json.status).toBe(401)
  })

  it("reads parameters from the body only", async () => {
    const sn = fresh()
    const { clientId, secret } = await inboundClient(sn)
    const query = new URLSearchParams({
      grant_type: "password",
      client_id: clientId,
      client_secret: secret,
      username: "admin",
      password: "admin",
    })
    const response = await sn.call(`/oauth_token.do?${query}`, {
      method: "POST",
      auth: undefined,
      body: "",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    })
    expect(response.status).toBe(401)
  })

  it("blocks grants for a user with Password needs reset, and with the password grant disabled", async () => {
    const sn = fresh()
    const { clientId, secret } = await inboundClient(sn)
    const [itil] = emulator.servicenow.find(sn.instance, "sys_user", "user_name=itil")
    const form = {
      grant_type: "password",
      client_id: clientId,
      client_secret: secret,
      username: "itil",
      password: "itil",
    }
    expect((await sn.token(form)).status).toBe(200)
    emulator.servicenow.update(sn.instance, "sys_user", itil?.sys_id ?? "", { password_needs_reset: "true" })
    expect((await sn.token(form)).status).toBe(401)
    emulator.servicenow.update(sn.instance, "sys_user", itil?.sys_id ?? "", { password_needs_reset: "false" })
    emulator.servicenow.setProperty(sn.instance, "glide.oauth.inbound.ropc.grant_type.disabled", "true")
    expect((await sn.token(form)).status).toBe(401)
  })

  it("fails a grant when the secret or password was written without sysparm_input_display_value", async () => {
    const sn = fresh()
    const created = await sn.call("/api/now/v2/table/oauth_entity", {
      method: "POST",
      body: { name: "in", type: "client" },
    })
    await sn.call(`/api/now/v2/table/oauth_entity/${created.json.result.sys_id}`, {
      method: "PATCH",
      body: { client_secret: "s3cret" },
    })
    const clientId = created.json.result.client_id
    const form = {
      grant_type: "password",
      client_id: clientId,
      client_secret: "s3cret",
      username: "admin",
      password: "admin",
    }
    expect((await sn.token(form)).status).toBe(401)
    expect(
      emulator.servicenow.secretMatches(
        sn.instance,
        "oauth_entity",
        created.json.result.sys_id,
        "client_secret",
        "s3cret",
      ),
    ).toBe(false)
    await sn.call(
      `/api/now/v2/table/oauth_entity/${created.json.result.sys_id}?sysparm_input_display_value=true`,
      {
        method: "PATCH",
        body: { client_secret: "s3cret" },
      },
    )
    expect((await sn.token(form)).status).toBe(200)
  })

  it("grants client_credentials only with the property and an application user, without a refresh token", async () => {
    const sn = fresh()
    const { sysId, clientId, secret } = await inboundClient(sn)
    const form = { grant_type: "client_credentials", client_id: clientId, client_secret: secret }
    const [itil] = emulator.servicenow.find(sn.instance, "sys_user", "user_name=itil")
    await sn.call(`/api/now/v2/table/oauth_entity/${sysId}`, {
      method: "PATCH",
      body: { oauth_application_user: itil?.sys_id },
    })
    expect((await sn.token(form)).status).toBe(401)
    emulator.servicenow.setClientCredentials(sn.instance, true)
    const granted = await sn.token(form)
    expect(granted.status).toBe(200)
    expect(granted.json.refresh_token).toBeUndefined()
    const me = await sn.call("/api/now/table/incident?sysparm_fields=number", {
      auth: `Bearer ${granted.json.access_token}`,
    })
    expect(me.json.result.length).toBeGreaterThan(0) // itil reads incidents
    expect(emulator.servicenow.tokenCount(sn.instance)).toEqual({ access: 1, refresh: 0 })
  })

  it("expires refresh tokens on the emulator clock", async () => {
    const sn = fresh()
    const { sysId, clientId, secret } = await inboundClient(sn)
    await sn.call(`/api/now/v2/table/oauth_entity/${sysId}`, {
      method: "PATCH",
      body: { refresh_token_lifespan: "60" },
    })
    const grant = await sn.token({
      grant_type: "password",
      client_id: clientId,
      client_secret: secret,
      username: "admin",
      password: "admin",
    })
    emulator.clock.advance(61_000)
    const refreshed = await sn.token({
      grant_type: "refresh_token",
      client_id: clientId,
      client_secret: secret,
      refresh_token: grant.json.refresh_token,
    })
    expect(refreshed.status).toBe(401)
  })
})

describe("token revocation and web-service users", () => {
  it("revokes access and refresh tokens without authentication", async () => {
    const sn = fresh()
    const { clientId, secret } = await inboundClient(sn)
    const grant = await sn.token({
      grant_type: "password",
      client_id: clientId,
      client_secret: secret,
      username: "admin",
      password: "admin",
    })
    const revoke = await sn.call(
      `/oauth_revoke_token.do?token=${encodeURIComponent(grant.json.access_token)}`,
      {
        method: "POST",
        auth: undefined,
      },
    )
    expect(revoke.status).toBe(200)
    expect(
      (await sn.call("/api/now/table/sys_user", { auth: `Bearer ${grant.json.access_token}` })).status,
    ).toBe(401)
    await sn.call(`/oauth_revoke_token.do?token=${encodeURIComponent(grant.json.refresh_token)}`, {
      auth: undefined,
    })
    const refreshed = await sn.token({
      grant_type: "refresh_token",
      client_id: clientId,
      client_secret: secret,
      refresh_token: grant.json.refresh_token,
    })
    expect(refreshed.status).toBe(401)
    expect((await sn.call("/oauth_revoke_token.do", { method: "POST", auth: undefined })).status).toBe(400)
  })

  it("can refuse password grants to web-service-access-only users", async () => {
    await using strict = await start({ servicenow: { passwordGrantForWebServiceUsers: false } })
    const sn = client(strict, freshInstance())
    strict.servicenow.insert(sn.instance, "sys_user", {
      user_name: "wsao",
      web_service_access_only: "true",
      user_password: "Pw#1",
    })
    const { clientId, secret } = await inboundClient(sn)
    const form = { grant_type: "password", client_id: clientId, client_secret: secret }
    expect((await sn.token({ ...form, username: "wsao", password: "Pw#1" })).status).toBe(401)
    expect((await sn.token({ ...form, username: "admin", password: "admin" })).status).toBe(200)
  })
})
