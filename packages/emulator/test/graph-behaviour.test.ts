import { describe, expect, it } from "@effect/vitest"
import { adminGraph, appToken, client, GRAPH, postForm, start } from "./microsoft-helpers.ts"

describe("graph: throttling", () => {
  it("a 429 storm answers Retry-After and the throttle headers, then lets requests through", async () => {
    await using emulator = await start()
    const graph = await adminGraph(emulator)
    const stop = emulator.microsoft.throttleGraph({
      count: 2,
      retryAfterSeconds: 7,
      method: "GET",
      path: "/applications",
    })
    const first = await graph("GET", "/applications")
    expect(first.status).toBe(429)
    expect(first.headers.get("retry-after")).toBe("7")
    expect(first.headers.get("x-ms-throttle-scope")).toMatch(
      /^Tenant_Application\/ReadWrite\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/,
    )
    expect(first.body.error.code).toBe("TooManyRequests")
    expect((await graph("POST", "/applications", { displayName: "writes pass" })).status).toBe(201)
    expect((await graph("GET", "/applications")).status).toBe(429)
    expect((await graph("GET", "/applications")).status).toBe(200)
    stop()
    const forever = emulator.microsoft.throttleGraph()
    expect((await graph("GET", "/servicePrincipals")).status).toBe(429)
    forever()
    expect((await graph("GET", "/servicePrincipals")).status).toBe(200)
  })

  it("the write quota answers 429 WriteLimitExceeded with the seconds until a slot frees", async () => {
    await using emulator = await start({ graphWriteQuota: { requests: 2, windowMs: 60_000 } })
    const graph = await adminGraph(emulator)
    expect((await graph("POST", "/applications", { displayName: "a" })).status).toBe(201)
    emulator.clock.advance(10_000)
    expect((await graph("POST", "/applications", { displayName: "b" })).status).toBe(201)
    const limited = await graph("POST", "/applications", { displayName: "c" })
    expect([limited.status, limited.headers.get("retry-after")]).toEqual([429, "50"])
    expect(limited.headers.get("x-ms-throttle-information")).toBe("WriteLimitExceeded")
    expect((await graph("GET", "/applications")).status).toBe(200)
    emulator.clock.advance(50_000)
    expect((await graph("POST", "/applications", { displayName: "c" })).status).toBe(201)
    emulator.microsoft.setGraphWriteQuota(undefined)
    for (let i = 0; i < 3; i++)
      expect((await graph("POST", "/applications", { displayName: `d${i}` })).status).toBe(201)
  })

  it("reset-after-commit: the client sees a dropped connection, the application exists", async () => {
    await using emulator = await start()
    const graph = await adminGraph(emulator)
    emulator.faults.add({ kind: "reset-after-commit", system: "graph", method: "POST", times: 1 })
    await expect(graph("POST", "/applications", { displayName: "committed" })).rejects.toThrow()
    expect(emulator.microsoft.applications().filter((a) => a.displayName === "committed")).toHaveLength(1)
    emulator.faults.add({ kind: "reset", system: "graph", method: "POST", times: 1 })
    await expect(graph("POST", "/applications", { displayName: "never" })).rejects.toThrow()
    expect(emulator.microsoft.applications().some((a) => a.displayName === "never")).toBe(false)
  })

  it("generic faults are answered in the ODataError envelope", async () => {
    await using emulator = await start()
    const graph = await adminGraph(emulator)
    emulator.faults.add({
      kind: "status",
      system: "graph",
      status: 503,
      headers: { "retry-after": "2" },
      times: 1,
    })
    const unavailable = await graph("GET", "/applications")
    expect([unavailable.status, unavailable.body.error.code, unavailable.headers.get("retry-after")]).toEqual(
      [503, "serviceNotAvailable", "2"],
    )
    expect(unavailable.body.error.innerError["request-id"]).toMatch(/^[0-9a-f-]{36}$/)
    // Each status carries the code Graph gives it.
    for (const [status, code] of [
      [403, "Authorization_RequestDenied"],
      [404, "Request_ResourceNotFound"],
      [400, "Request_BadRequest"],
      [502, "generalException"],
    ] as const) {
      emulator.faults.add({ kind: "status", system: "graph", status, times: 1 })
      const answer = await graph("GET", "/applications")
      expect([answer.status, answer.body.error.code]).toEqual([status, code])
    }
  })
})

describe("graph: replication lag", () => {
  it("a new application is invisible for the window: 404s, NoBackingApplicationObject; then it replicates", async () => {
    await using emulator = await start()
    emulator.microsoft.setReplicationLag({ objectsMs: 10_000 })
    const graph = await adminGraph(emulator)
    const app = await graph("POST", "/applications", { displayName: "lagging" })
    expect(app.status).toBe(201)
    for (const [method, path, body] of [
      ["GET", `/applications/${app.body.id}`, undefined],
      ["GET", `/applications(appId='${app.body.appId}')`, undefined],
      ["PATCH", `/applications/${app.body.id}`, { notes: "x" }],
      ["POST", `/applications/${app.body.id}/addPassword`, {}],
    ] as const) {
      const response = await graph(method, path, body)
      expect({ path, status: response.status, code: response.body.error.code }).toEqual({
        path,
        status: 404,
        code: "Request_ResourceNotFound",
      })
    }
    const sp = await graph("POST", "/servicePrincipals", { appId: app.body.appId })
    expect(sp.status).toBe(400)
    expect(sp.body.error).toMatchObject({
      code: "Request_BadRequest",
      message: `The appId '${app.body.appId}' of the service principal does not reference a valid application object.`,
      details: [{ code: "NoBackingApplicationObject", target: "appId" }],
    })
    expect((await graph("GET", `/applications?$filter=appId eq '${app.body.appId}'`)).body.value).toEqual([])

    emulator.clock.advance(10_000)
    expect((await graph("GET", `/applications/${app.body.id}`)).status).toBe(200)
    expect((await graph("POST", "/servicePrincipals", { appId: app.body.appId })).status).toBe(201)
  })

  it("a new secret is refused with AADSTS7000215, a new service principal with AADSTS7000229, until replicated", async () => {
    await using emulator = await start()
    const graph = await adminGraph(emulator)
    const app = await graph("POST", "/applications", { displayName: "fresh" })
    emulator.microsoft.setReplicationLag({ objectsMs: 6_000, secretsMs: 2_000 })
    await graph("POST", "/servicePrincipals", { appId: app.body.appId })
    const secret = await graph("POST", `/applications/${app.body.id}/addPassword`, {})
    expect(secret.status).toBe(200)
    const request = () =>
      postForm(emulator, `/${emulator.microsoft.defaults.tenantId}/oauth2/v2.0/token`, {
        grant_type: "client_credentials",
        client_id: app.body.appId,
        client_secret: secret.body.secretText,
        scope: "https://graph.microsoft.com/.default",
      })
    const early = await request()
    expect([early.status, early.body.error, early.body.error_codes]).toEqual([
      401,
      "invalid_client",
      [7000215],
    ])
    emulator.clock.advance(2_000)
    expect((await request()).body.error_codes).toEqual([7000229])
    emulator.clock.advance(4_000)
    expect((await request()).status).toBe(200)
    // A window applies to what is created while it is set.
    emulator.microsoft.setReplicationLag({ secretsMs: 0 })
    const immediate = await graph("POST", `/applications/${app.body.id}/addPassword`, {})
    await appToken(emulator, { appId: app.body.appId, secret: immediate.body.secretText })
    expect(emulator.microsoft.replicationLag()).toEqual({ objectsMs: 6_000, secretsMs: 0 })
  })

  it("an upsert during the window updates the object instead of duplicating it", async () => {
    await using emulator = await start({ replicationLag: { objectsMs: 30_000 } })
    const graph = await adminGraph(emulator)
    const prefer = { prefer: "create-if-missing" }
    expect(
      (await graph("PATCH", "/applications(uniqueName='dup')", { displayName: "x" }, prefer)).status,
    ).toBe(201)
    expect(
      (await graph("PATCH", "/applications(uniqueName='dup')", { displayName: "y" }, prefer)).status,
    ).toBe(204)
    expect(emulator.microsoft.applications().filter((a) => a.uniqueName === "dup")).toHaveLength(1)
  })
})

describe("graph: secret lifetime policy", () => {
  it("addPassword beyond the policy's maximum → 400 CredentialInvalidLifetimeAsPerAppPolicy", async () => {
    await using emulator = await start()
    const graph = await adminGraph(emulator)
    const app = await graph("POST", "/applications", { displayName: "policy" })
    emulator.microsoft.setSecretLifetimePolicy({ maxLifetimeMs: 30 * 24 * 3600_000, policyId: "p-123" })
    const refused = await graph("POST", `/applications/${app.body.id}/addPassword`, {
      passwordCredential: {},
    })
    expect(refused.status).toBe(400)
    expect(refused.body.error).toMatchObject({
      code: "CredentialInvalidLifetimeAsPerAppPolicy",
      message: "Credential lifetime exceeds the max value allowed as per assigned policy 'p-123'.",
      details: [{ code: "InvalidKeyEndDate", target: "EndDate" }],
    })
    const week = new Date(Date.now() + 7 * 24 * 3600_000).toISOString()
    expect(
      (
        await graph("POST", `/applications/${app.body.id}/addPassword`, {
          passwordCredential: { endDateTime: week },
        })
      ).status,
    ).toBe(200)
    emulator.microsoft.setSecretLifetimePolicy(undefined)
    expect((await graph("POST", `/applications/${app.body.id}/addPassword`, {})).status).toBe(200)
  })
})

describe("graph: permissions", () => {
  it("Application.ReadWrite.OwnedBy manages only what it created", async () => {
    await using emulator = await start()
    const { ownedByApp, adminApp } = emulator.microsoft.defaults
    const owned = client(emulator, GRAPH, await appToken(emulator, ownedByApp))
    const app = await owned("POST", "/applications", { displayName: "mine" })
    expect(app.status).toBe(201)
    expect((await owned("POST", `/applications/${app.body.id}/addPassword`, {})).status).toBe(200)
    expect((await owned("POST", "/servicePrincipals", { appId: app.body.appId })).status).toBe(201)
    const listed = await owned("GET", "/applications")
    expect(listed.body.value.map((a: { id: string }) => a.id)).toEqual([app.body.id])

    const seeded = emulator.microsoft.application(adminApp.appId)
    for (const [method, path, body] of [
      ["GET", `/applications/${seeded?.id}`, undefined],
      ["PATCH", `/applications(appId='${adminApp.appId}')`, { notes: "hijack" }],
      ["POST", `/applications/${seeded?.id}/addPassword`, {}],
    ] as const) {
      const response = await owned(method, path, body)
      expect({
        path,
        status: response.status,
        code: response.body.error.code,
        message: response.body.error.message,
      }).toEqual({
        path,
        status: 403,
        code: "Authorization_RequestDenied",
        message: "Insufficient privileges to complete the operation.",
      })
    }
  })

  it("an application without Graph roles is refused; OwnedBy during replication gets the backing-application 403", async () => {
    await using emulator = await start()
    const graph = await adminGraph(emulator)
    const bare = await graph("POST", "/applications", { displayName: "no roles" })
    await graph("POST", "/servicePrincipals", { appId: bare.body.appId })
    const secret = await graph("POST", `/applications/${bare.body.id}/addPassword`, {})
    const none = client(
      emulator,
      GRAPH,
      await appToken(emulator, { appId: bare.body.appId, secret: secret.body.secretText }),
    )
    expect((await none("POST", "/applications", { displayName: "x" })).status).toBe(403)
    expect((await none("GET", "/applications")).body.value).toEqual([])

    const owned = client(emulator, GRAPH, await appToken(emulator, emulator.microsoft.defaults.ownedByApp))
    emulator.microsoft.setReplicationLag({ objectsMs: 5_000 })
    const fresh = await owned("POST", "/applications", { displayName: "fresh" })
    const sp = await owned("POST", "/servicePrincipals", { appId: fresh.body.appId })
    expect([sp.status, sp.body.error.message]).toEqual([
      403,
      "When using this permission, the backing application of the service principal being created must in the local tenant",
    ])
    emulator.microsoft.grantAppRoles(bare.body.appId, "https://graph.microsoft.com", [
      "Application.ReadWrite.All",
    ])
    const granted = client(
      emulator,
      GRAPH,
      await appToken(emulator, { appId: bare.body.appId, secret: secret.body.secretText }),
    )
    expect((await granted("POST", "/applications", { displayName: "now allowed" })).status).toBe(201)
  })

  it("delegated: an administrator's device-code token may manage applications, an ordinary user's may not", async () => {
    await using emulator = await start({ deviceCodeIntervalSeconds: 0 })
    const { tenantId, publicClient, adminUser, user } = emulator.microsoft.defaults
    const signIn = async (upn: string) => {
      const code = await postForm(emulator, `/${tenantId}/oauth2/v2.0/devicecode`, {
        client_id: publicClient.appId,
        scope: "https://graph.microsoft.com/Application.ReadWrite.All",
      })
      emulator.microsoft.approveDeviceCode(code.body.user_code, upn)
      const tokens = await postForm(emulator, `/${tenantId}/oauth2/v2.0/token`, {
        grant_type: "device_code",
        client_id: publicClient.appId,
        device_code: code.body.device_code,
      })
      return client(emulator, GRAPH, tokens.body.access_token)
    }
    const admin = await signIn(adminUser)
    expect((await admin("POST", "/applications", { displayName: "by admin" })).status).toBe(201)
    expect((await admin("GET", "/applications")).body.value.length).toBeGreaterThan(3)
    const ordinary = await signIn(user)
    const own = await ordinary("POST", "/applications", { displayName: "by user" })
    expect(own.status).toBe(201)
    expect((await ordinary("PATCH", `/applications/${own.body.id}`, { notes: "mine" })).status).toBe(204)
    const seeded = emulator.microsoft.application(emulator.microsoft.defaults.adminApp.appId)
    expect((await ordinary("PATCH", `/applications/${seeded?.id}`, { notes: "x" })).status).toBe(403)
  })
})
