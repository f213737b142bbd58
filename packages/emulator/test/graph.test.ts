import { describe, expect, it } from "@effect/vitest"
import { adminGraph, appToken, client, GRAPH, postForm, start } from "./microsoft-helpers.ts"

const REDIRECT = "https://dev12345.service-now.com/oauth_redirect.do"

describe("graph: applications", () => {
  it("POST /applications → 201 with ids, defaulted sub-objects and @odata.context", async () => {
    await using emulator = await start()
    const graph = await adminGraph(emulator)
    const created = await graph("POST", "/applications", {
      displayName: "ServiceNow outbound",
      signInAudience: "AzureADMyOrg",
      web: { redirectUris: [REDIRECT] },
    })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#applications/$entity",
      displayName: "ServiceNow outbound",
      signInAudience: "AzureADMyOrg",
      publisherDomain: emulator.microsoft.defaults.tenantDomain,
      passwordCredentials: [],
      keyCredentials: [],
      identifierUris: [],
      tags: [],
      uniqueName: null,
      web: {
        redirectUris: [REDIRECT],
        redirectUriSettings: [{ index: null, uri: REDIRECT }],
        implicitGrantSettings: { enableAccessTokenIssuance: false, enableIdTokenIssuance: false },
      },
    })
    expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(created.body.appId).toMatch(/^[0-9a-f-]{36}$/)
    expect(created.headers.get("request-id")).toMatch(/^[0-9a-f-]{36}$/)

    for (const path of [`/applications/${created.body.id}`, `/applications(appId='${created.body.appId}')`]) {
      const read = await graph("GET", path)
      expect(read.status).toBe(200)
      expect(read.body.id).toBe(created.body.id)
    }
    const selected = await graph("GET", `/applications/${created.body.id}?$select=appId,displayName`)
    expect(selected.body).toEqual({
      "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#applications(appId,displayName)/$entity",
      appId: created.body.appId,
      displayName: "ServiceNow outbound",
    })
    expect((await graph("GET", "/myorganization/applications?$top=1")).status).toBe(200)
  })

  it("rejects what Graph rejects, in the ODataError envelope", async () => {
    await using emulator = await start()
    const graph = await adminGraph(emulator)
    const cases: Array<[string, string, unknown, number, string, RegExp]> = [
      [
        "POST",
        "/applications",
        { signInAudience: "AzureADMyOrg" },
        400,
        "Request_BadRequest",
        /A value is required for property 'displayName'/,
      ],
      [
        "POST",
        "/applications",
        { displayName: 42 },
        400,
        "Request_BadRequest",
        /Invalid value specified for property 'displayName'/,
      ],
      [
        "POST",
        "/applications",
        { displayName: "x", colour: "blue" },
        400,
        "Request_BadRequest",
        /Property 'colour' does not exist/,
      ],
      [
        "POST",
        "/applications",
        { displayName: "x", appId: "abc" },
        400,
        "Request_BadRequest",
        /'appId' is read-only/,
      ],
      [
        "POST",
        "/applications",
        { displayName: "x", web: { redirectUris: ["http://contoso.com/cb"] } },
        400,
        "Request_BadRequest",
        /web.redirectUris/,
      ],
      [
        "GET",
        "/applications/00000000-0000-4000-8000-000000000000",
        undefined,
        404,
        "Request_ResourceNotFound",
        /^Resource '00000000-0000-4000-8000-000000000000' does not exist or one of its queried reference-property objects are not present\.$/,
      ],
      ["GET", "/widgets", undefined, 400, "BadRequest", /Resource not found for the segment 'widgets'/],
      ["PUT", "/applications", {}, 405, "Request_BadRequest", /not allowed/],
      [
        "GET",
        "/applications?$top=1000",
        undefined,
        400,
        "Request_BadRequest",
        /Invalid page size specified: '1000'/,
      ],
    ]
    for (const [method, path, body, status, code, message] of cases) {
      const response = await graph(method, path, body, {
        "client-request-id": "0f0e0d0c-0b0a-4909-8807-060504030201",
      })
      expect({ path, status: response.status, code: response.body.error.code }).toEqual({
        path,
        status,
        code,
      })
      expect(response.body.error.message).toMatch(message)
      expect(response.body.error.innerError).toMatchObject({
        "client-request-id": "0f0e0d0c-0b0a-4909-8807-060504030201",
        "request-id": response.headers.get("request-id"),
      })
      expect(response.body.error.innerError.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/)
    }
    const malformed = await emulator.fetch(
      new Request(`${GRAPH}/applications`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${await appToken(emulator, emulator.microsoft.defaults.adminApp)}`,
          "content-type": "application/json",
        },
        body: "{nope",
      }),
    )
    expect(malformed.status).toBe(400)
    expect(((await malformed.json()) as { error: { message: string } }).error.message).toMatch(
      /Unable to read JSON request payload/,
    )
  })

  it("401 InvalidAuthenticationToken without a token or with another audience's token", async () => {
    await using emulator = await start()
    const anonymous = client(emulator, GRAPH, undefined)
    const missing = await anonymous("GET", "/applications")
    expect([missing.status, missing.body.error.code, missing.body.error.message]).toEqual([
      401,
      "InvalidAuthenticationToken",
      "Access token is empty.",
    ])
    const adminToken = await appToken(
      emulator,
      emulator.microsoft.defaults.adminApp,
      "https://admin.microsoft.com/.default",
    )
    const wrong = await client(emulator, GRAPH, adminToken)("GET", "/applications")
    expect([wrong.status, wrong.body.error.code]).toEqual([401, "InvalidAuthenticationToken"])
    const garbage = await client(emulator, GRAPH, "not.a.jwt")("GET", "/applications")
    expect(garbage.status).toBe(401)
  })

  it("upsert by uniqueName: 201 with Prefer, 204 when it exists, 404 without Prefer when missing", async () => {
    await using emulator = await start()
    const graph = await adminGraph(emulator)
    const prefer = { prefer: "create-if-missing" }
    const body = { displayName: "sn365 outbound", signInAudience: "AzureADMyOrg" }
    const missing = await graph("PATCH", "/applications(uniqueName='sn365-outbound')", body)
    expect([missing.status, missing.body.error.code]).toEqual([404, "Request_ResourceNotFound"])

    const created = await graph("PATCH", "/applications(uniqueName='sn365-outbound')", body, prefer)
    expect(created.status).toBe(201)
    expect(created.body.uniqueName).toBe("sn365-outbound")

    const again = await graph(
      "PATCH",
      "/applications(uniqueName='sn365-outbound')",
      { ...body, notes: "v2" },
      prefer,
    )
    expect([again.status, again.body]).toEqual([204, undefined])
    const plain = await graph("PATCH", "/applications(uniqueName='sn365-outbound')", {
      displayName: "renamed",
    })
    expect(plain.status).toBe(204)
    const read = await graph("GET", "/applications(uniqueName='sn365-outbound')")
    expect(read.body).toMatchObject({ id: created.body.id, displayName: "renamed", notes: "v2" })
    expect((await graph("GET", "/applications(uniqueName=%27sn365-outbound%27)")).status).toBe(200)

    const noName = await graph("PATCH", "/applications(uniqueName='other')", { notes: "x" }, prefer)
    expect(noName.body.error.message).toMatch(/A value is required for property 'displayName'/)
    const immutable = await graph("PATCH", `/applications/${created.body.id}`, { uniqueName: "changed" })
    expect(immutable.body.error.message).toMatch(/'uniqueName' is read-only/)
    const secrets = await graph("PATCH", `/applications/${created.body.id}`, { passwordCredentials: [] })
    expect([secrets.status, secrets.body.error.message]).toEqual([
      400,
      "Property 'passwordCredentials' is read-only and cannot be set.",
    ])
    expect(emulator.microsoft.applications().filter((a) => a.uniqueName === "sn365-outbound")).toHaveLength(1)
  })

  it("addPassword → 200 with a one-time secretText; removePassword → 204", async () => {
    await using emulator = await start()
    const graph = await adminGraph(emulator)
    const app = await graph("POST", "/applications", { displayName: "with secret" })
    await graph("POST", "/servicePrincipals", { appId: app.body.appId })
    const added = await graph("POST", `/applications(appId='${app.body.appId}')/addPassword`, {
      passwordCredential: { displayName: "sn365 outbound" },
    })
    expect(added.status).toBe(200)
    const { secretText, hint, keyId, startDateTime, endDateTime } = added.body
    expect(added.body).toMatchObject({ customKeyIdentifier: null, displayName: "sn365 outbound" })
    expect(secretText.length).toBeGreaterThanOrEqual(16)
    expect(secretText.length).toBeLessThanOrEqual(64)
    expect(hint).toBe(secretText.slice(0, 3))
    expect(Date.parse(endDateTime) - Date.parse(startDateTime)).toBe(2 * 365 * 24 * 3600 * 1000)

    const read = await graph("GET", `/applications/${app.body.id}`)
    expect(read.body.passwordCredentials).toEqual([
      {
        customKeyIdentifier: null,
        displayName: "sn365 outbound",
        endDateTime,
        hint,
        keyId,
        secretText: null,
        startDateTime,
      },
    ])
    expect(JSON.stringify(emulator.snapshot())).not.toContain(secretText)
    expect(emulator.microsoft.isSecretValid(app.body.appId, secretText)).toBe(true)
    expect(emulator.microsoft.isSecretValid(app.body.appId, `${secretText}x`)).toBe(false)
    await appToken(emulator, { appId: app.body.appId, secret: secretText })

    const removed = await graph("POST", `/applications/${app.body.id}/removePassword`, { keyId })
    expect(removed.status).toBe(204)
    expect((await graph("POST", `/applications/${app.body.id}/removePassword`, { keyId })).status).toBe(404)
    expect(emulator.microsoft.isSecretValid(app.body.appId, secretText)).toBe(false)
    const refused = await postForm(emulator, `/${emulator.microsoft.defaults.tenantId}/oauth2/v2.0/token`, {
      grant_type: "client_credentials",
      client_id: app.body.appId,
      client_secret: secretText,
      scope: "https://graph.microsoft.com/.default",
    })
    expect(refused.body.error_codes).toEqual([7000215])
    expect(
      (await graph("POST", `/applications/${app.body.id}/removePassword`, { keyId: "nope" })).status,
    ).toBe(400)
  })

  it("passwordCredentials in a create body are added and returned once (April 2024 behaviour)", async () => {
    await using emulator = await start()
    const graph = await adminGraph(emulator)
    const created = await graph("POST", "/applications", {
      displayName: "created with secret",
      passwordCredentials: [{ displayName: "initial" }],
    })
    expect(created.body.passwordCredentials[0].secretText).toHaveLength(40)
    const read = await graph("GET", `/applications/${created.body.id}`)
    expect(read.body.passwordCredentials[0].secretText).toBeNull()
  })

  it("DELETE → 204, the application and its service principal are gone", async () => {
    await using emulator = await start()
    const graph = await adminGraph(emulator)
    const app = await graph("POST", "/applications", { displayName: "doomed" })
    await graph("POST", "/servicePrincipals", { appId: app.body.appId })
    expect((await graph("DELETE", `/applications(appId='${app.body.appId}')`)).status).toBe(204)
    expect((await graph("GET", `/applications/${app.body.id}`)).status).toBe(404)
    expect((await graph("GET", `/servicePrincipals(appId='${app.body.appId}')`)).status).toBe(404)
    expect((await graph("DELETE", `/applications/${app.body.id}`)).status).toBe(404)
    expect(emulator.snapshot().graph).toMatchObject({
      tenants: { [emulator.microsoft.defaults.tenantId]: { deletedApplications: [app.body.id] } },
    })
  })

  it("accepts a certificate through keyCredentials and never returns the key", async () => {
    await using emulator = await start()
    const graph = await adminGraph(emulator)
    const app = await graph("POST", "/applications", { displayName: "cert app" })
    const bad = await graph("PATCH", `/applications/${app.body.id}`, {
      keyCredentials: [{ type: "AsymmetricX509Cert", usage: "Verify", key: "bm90IGEgY2VydA==" }],
    })
    expect(bad.body.error.message).toMatch(/keyCredentials/)
  })
})

describe("graph: lists", () => {
  it("pages with @odata.nextLink (default 100, $top ≤ 999) and filters the way tools do", async () => {
    await using emulator = await start()
    const graph = await adminGraph(emulator)
    for (let i = 0; i < 5; i++) {
      await graph("POST", "/applications", {
        displayName: `sn365 app ${i}`,
        identifierUris: [`api://sn365-${i}`],
        tags: i === 0 ? ["sn365"] : [],
      })
    }
    const all: Array<string> = []
    let next: string | undefined = "/applications?$top=2&$filter=startswith(displayName,'SN365 APP')"
    let pages = 0
    while (next !== undefined) {
      const response = await graph("GET", next)
      expect(response.status).toBe(200)
      expect(response.body["@odata.context"]).toBe("https://graph.microsoft.com/v1.0/$metadata#applications")
      all.push(...response.body.value.map((a: { displayName: string }) => a.displayName))
      next = response.body["@odata.nextLink"]?.replace(GRAPH, "")
      pages++
    }
    expect(pages).toBe(3)
    expect(all.sort()).toEqual(["sn365 app 0", "sn365 app 1", "sn365 app 2", "sn365 app 3", "sn365 app 4"])

    const byName = await graph(
      "GET",
      "/applications?$filter=displayName eq 'sn365 app 3'&$select=displayName,appId",
    )
    expect(byName.body.value).toEqual([{ displayName: "sn365 app 3", appId: expect.any(String) }])
    const byAppId = await graph("GET", `/applications?$filter=appId eq '${byName.body.value[0].appId}'`)
    expect(byAppId.body.value).toHaveLength(1)
    const byUri = await graph("GET", "/applications?$filter=identifierUris/any(s:s eq 'api://sn365-2')")
    expect(byUri.body.value.map((a: { displayName: string }) => a.displayName)).toEqual(["sn365 app 2"])
    const byTag = await graph(
      "GET",
      "/applications?$filter=tags/any(t:t eq 'sn365') and startswith(displayName,'sn365')",
    )
    expect(byTag.body.value).toHaveLength(1)
    const all100 = await graph("GET", "/applications")
    expect(all100.body.value.length).toBe(8)
    expect(all100.body["@odata.nextLink"]).toBeUndefined()
  })

  it("uniqueName is not filterable; advanced queries need ConsistencyLevel: eventual and $count=true", async () => {
    await using emulator = await start()
    const graph = await adminGraph(emulator)
    const unique = await graph("GET", "/applications?$filter=uniqueName eq 'x'")
    expect([unique.status, unique.body.error.code]).toEqual([400, "Request_UnsupportedQuery"])
    expect(unique.body.error.message).toMatch(/property 'uniqueName' of resource 'Application'/)
    for (const query of [
      "$count=true",
      "$filter=endswith(displayName,'x')",
      '$search="displayName:sn365"',
      "$filter=displayName eq 'a'&$orderby=displayName",
    ]) {
      const refused = await graph("GET", `/applications?${query}`)
      expect({ query, code: refused.body.error?.code }).toEqual({ query, code: "Request_UnsupportedQuery" })
      const allowed = await graph(
        "GET",
        `/applications?${query}${query.includes("$count") ? "" : "&$count=true"}`,
        undefined,
        {
          consistencylevel: "eventual",
        },
      )
      expect({ query, status: allowed.status }).toEqual({ query, status: 200 })
      expect(typeof allowed.body["@odata.count"]).toBe("number")
    }
    const ordered = await graph("GET", "/applications?$orderby=displayName desc&$select=displayName")
    const names = ordered.body.value.map((a: { displayName: string }) => a.displayName)
    expect(names).toEqual([...names].sort().reverse())
    expect((await graph("GET", "/applications?$select=nope")).body.error.message).toMatch(
      /Could not find a property named 'nope'/,
    )
  })
})

describe("graph: service principals", () => {
  it("create (201), duplicate (409), read by appId, upsert (201/204/404), list, delete (204)", async () => {
    await using emulator = await start()
    const graph = await adminGraph(emulator)
    const app = await graph("POST", "/applications", { displayName: "needs sp", tags: ["HideApp"] })
    const sp = await graph("POST", "/servicePrincipals", { appId: app.body.appId })
    expect(sp.status).toBe(201)
    expect(sp.body).toMatchObject({
      "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals/$entity",
      appId: app.body.appId,
      appDisplayName: "needs sp",
      displayName: "needs sp",
      accountEnabled: true,
      servicePrincipalType: "Application",
      appOwnerOrganizationId: emulator.microsoft.defaults.tenantId,
      tags: ["HideApp"],
    })
    expect((await graph("POST", "/servicePrincipals", { appId: app.body.appId })).status).toBe(409)
    expect((await graph("POST", "/servicePrincipals", {})).body.error.message).toMatch(
      /A value is required for property 'appId'/,
    )
    expect((await graph("GET", `/servicePrincipals(appId='${app.body.appId}')`)).body.id).toBe(sp.body.id)
    expect((await graph("GET", `/servicePrincipals/${sp.body.id}`)).body.appId).toBe(app.body.appId)
    const listed = await graph("GET", `/servicePrincipals?$filter=appId eq '${app.body.appId}'`)
    expect(listed.body.value.map((s: { id: string }) => s.id)).toEqual([sp.body.id])
    expect(
      (await graph("PATCH", `/servicePrincipals(appId='${app.body.appId}')`, { notes: "n" })).status,
    ).toBe(204)
    expect((await graph("DELETE", `/servicePrincipals/${sp.body.id}`)).status).toBe(204)
    expect(
      (await graph("PATCH", `/servicePrincipals(appId='${app.body.appId}')`, { notes: "n" })).status,
    ).toBe(404)
    const upserted = await graph(
      "PATCH",
      `/servicePrincipals(appId='${app.body.appId}')`,
      {},
      { prefer: "create-if-missing" },
    )
    expect(upserted.status).toBe(201)
    const again = await graph(
      "PATCH",
      `/servicePrincipals(appId='${app.body.appId}')`,
      {},
      { prefer: "create-if-missing" },
    )
    expect(again.status).toBe(204)
    expect((await graph("DELETE", `/servicePrincipals(appId='${app.body.appId}')`)).status).toBe(204)
    const orphan = await graph("POST", "/servicePrincipals", {
      appId: "11111111-2222-4333-8444-555555555555",
    })
    expect([orphan.status, orphan.body.error.details[0].code]).toEqual([400, "NoBackingApplicationObject"])
  })
})

describe("graph: headers", () => {
  it("takes create-if-missing among other preferences", async () => {
    await using emulator = await start()
    const graph = await adminGraph(emulator)
    const created = await graph(
      "PATCH",
      "/applications(uniqueName='with-prefs')",
      { displayName: "x" },
      { prefer: "return=minimal, create-if-missing" },
    )
    expect(created.status).toBe(201)
  })
})

describe("graph: spec coverage", () => {
  it("serves every operation of specs/microsoft-graph/applications.yaml", async () => {
    const { document } = await import("../src/generated/graph.ts")
    const { GRAPH_OPERATION_IDS } = await import("../src/microsoft/graph.ts")
    const declared = Object.values(document.paths as Record<string, Record<string, { operationId?: string }>>)
      .flatMap((item) => Object.values(item))
      .map((operation) => operation.operationId)
      .filter((id): id is string => typeof id === "string")
    expect([...declared].sort()).toEqual([...GRAPH_OPERATION_IDS].sort())
  })
})
