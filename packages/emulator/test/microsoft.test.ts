import { describe, expect, it } from "@effect/vitest"
import { adminGraph, appToken, postForm, start } from "./microsoft-helpers.ts"

describe("microsoft: systems, seed, reset and snapshot", () => {
  it("routes the three real host names to the emulator", async () => {
    await using emulator = await start()
    expect(Object.keys(emulator.routes)).toEqual(
      expect.arrayContaining(["login.microsoftonline.com", "graph.microsoft.com", "admin.microsoft.com"]),
    )
  })

  it("reset() restores the seeded tenant (same ids) and clears everything else", async () => {
    await using emulator = await start()
    const graph = await adminGraph(emulator)
    const seeded = emulator.microsoft.applications()
    await graph("POST", "/applications", { displayName: "temporary" })
    emulator.microsoft.setReplicationLag({ objectsMs: 1000 })
    emulator.microsoft.setSecretLifetimePolicy({ maxLifetimeMs: 1000 })
    await postForm(emulator, `/${emulator.microsoft.defaults.tenantId}/oauth2/v2.0/devicecode`, {
      client_id: emulator.microsoft.defaults.publicClient.appId,
      scope: "openid",
    })
    expect(emulator.microsoft.applications()).toHaveLength(seeded.length + 1)

    emulator.reset()
    expect(emulator.microsoft.applications().map((a) => a.id)).toEqual(seeded.map((a) => a.id))
    expect(emulator.microsoft.replicationLag()).toEqual({ objectsMs: 0, secretsMs: 0 })
    expect(emulator.microsoft.deviceCodes()).toEqual([])
    expect(emulator.snapshot().graph).toMatchObject({
      tenants: { [emulator.microsoft.defaults.tenantId]: { lifetimePolicy: null } },
    })
    // The seeded secret still works after reset.
    await appToken(emulator, emulator.microsoft.defaults.adminApp)
  })

  it("snapshot() is JSON and holds no secret text", async () => {
    await using emulator = await start()
    const snapshot = JSON.stringify(emulator.snapshot())
    const { adminApp, ownedByApp } = emulator.microsoft.defaults
    expect(snapshot).not.toContain(adminApp.secret)
    expect(snapshot).not.toContain(ownedByApp.secret)
    const parsed = JSON.parse(snapshot)
    expect(Object.keys(parsed)).toEqual(expect.arrayContaining(["login", "graph", "admin"]))
  })

  it("serves configured tenants, addressed by GUID or domain, isolated from each other", async () => {
    const fabrikam = {
      id: "0c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
      domains: ["fabrikam.onmicrosoft.com", "fabrikam.com"],
      apps: [
        {
          appId: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
          displayName: "setup",
          secret: "fabrikam-secret-value-1234",
          appRoles: { "https://graph.microsoft.com": ["Application.ReadWrite.All"] },
        },
      ],
    }
    await using emulator = await start({ tenants: [fabrikam] })
    const credentials = { appId: fabrikam.apps[0]?.appId ?? "", secret: fabrikam.apps[0]?.secret ?? "" }
    for (const tenant of [
      "0c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
      "fabrikam.com",
      "FABRIKAM.onmicrosoft.com",
    ]) {
      await appToken(emulator, credentials, "https://graph.microsoft.com/.default", tenant)
    }
    const contoso = await postForm(emulator, `/${emulator.microsoft.defaults.tenantId}/oauth2/v2.0/token`, {
      grant_type: "client_credentials",
      client_id: credentials.appId,
      client_secret: credentials.secret,
      scope: "https://graph.microsoft.com/.default",
    })
    expect(contoso.body.error_codes).toEqual([90002])

    emulator.microsoft.addTenant({
      id: emulator.microsoft.defaults.tenantId,
      domains: ["contoso.onmicrosoft.com"],
    })
    expect(emulator.microsoft.tenants().map((t) => t.id)).toHaveLength(2)
    const cross = await postForm(emulator, `/contoso.onmicrosoft.com/oauth2/v2.0/token`, {
      grant_type: "client_credentials",
      client_id: credentials.appId,
      client_secret: credentials.secret,
      scope: "https://graph.microsoft.com/.default",
    })
    expect(cross.body.error_codes).toEqual([700016])
    expect(() => emulator.microsoft.applications("nosuch.example")).toThrow(/no tenant/)
    await expect(start({ tenants: [{ id: "not-a-guid", domains: [] }] })).rejects.toThrow(/GUID/)
  })
})
