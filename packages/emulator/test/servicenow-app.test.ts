import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import type { Emulator } from "../src/index.ts"
import { client, freshInstance, ITIL, start } from "./servicenow-helpers.ts"

let emulator: Emulator
beforeAll(async () => {
  emulator = await start({ servicenow: { basicAuthGate: false } })
})
afterAll(() => emulator.close())

const fresh = () => client(emulator, freshInstance())
const CROSS_SCOPE =
  "Read operation against 'oauth_entity' from scope 'x_mioms_m365_assis' has been refused due to the table's cross-scope access policy"

describe("seeded instance", () => {
  it("has the platform roles, the admin, and the app installed with its roles, privileges, tables and properties", async () => {
    const sn = fresh()
    const { instance } = sn
    const roles = emulator.servicenow.records(instance, "sys_user_role").map((r) => r.name)
    expect(roles).toEqual(
      expect.arrayContaining([
        "admin",
        "incident_manager",
        "snc_basic_auth_api_access",
        "oauth_admin",
        "user_admin",
        "x_mioms_m365_assis.insights_user",
        "x_mioms_m365_assis.administrator",
      ]),
    )
    const app = await sn.call(
      "/api/now/v2/table/sys_store_app?sysparm_query=scope=x_mioms_m365_assis&sysparm_fields=scope,name,version,active",
    )
    expect(app.json.result).toEqual([
      {
        scope: "x_mioms_m365_assis",
        name: "Microsoft 365 support integration",
        version: "1.0.11",
        active: "true",
      },
    ])
    expect(emulator.servicenow.count(instance, "sys_scope", "scope=x_mioms_m365_assis")).toBe(1)
    expect(
      emulator.servicenow
        .find(instance, "sys_scope_privilege", "ORDERBYtarget_name")
        .map((p) => [p.target_name, p.operation, p.status]),
    ).toEqual([
      ["oauth_entity", "read", "allowed"],
      ["oauth_entity_profile", "read", "allowed"],
    ])
    expect(emulator.servicenow.count(instance, "sys_db_object", "nameSTARTSWITHx_mioms_m365_assis_")).toBe(2)
    const oauth = await sn.call(
      "/api/now/v2/table/sys_db_object?sysparm_query=name=oauth_entity&sysparm_fields=name,access,read_access,ws_access",
    )
    expect(oauth.json.result).toEqual([
      { name: "oauth_entity", access: "public", read_access: "true", ws_access: "true" },
    ])
    const properties = emulator.servicenow
      .find(instance, "sys_properties", "nameSTARTSWITHx_mioms_m365_assis.")
      .map((p) => p.name)
    expect(properties).toHaveLength(12)
    expect(emulator.servicenow.property(instance, "x_mioms_m365_assis.endpoint")).toBe(
      `https://${instance}.service-now.com/api/x_mioms_m365_assis/v1/m365_support`,
    )
  })

  it("can start without the app, with another version, and with extra users", async () => {
    await using other = await start({ servicenow: { appInstalled: false, extraUsers: 5 } })
    const sn = client(other, freshInstance())
    expect(other.servicenow.count(sn.instance, "sys_store_app")).toBe(0)
    expect(other.servicenow.count(sn.instance, "sys_user")).toBe(7)
    expect((await sn.call("/api/x_mioms_m365_assis/v1/setup")).json.error.message).toBe(
      "Requested URI does not represent any resource",
    )
    await using older = await start({ servicenow: { appVersion: "1.0.11" } })
    expect(older.servicenow.find("dev1", "sys_store_app", "scope=x_mioms_m365_assis")[0]?.version).toBe(
      "1.0.11",
    )
  })

  it("seeds 50,000 users and pages through them", async () => {
    const sn = fresh()
    emulator.servicenow.seedUsers(sn.instance, 50_000)
    expect(emulator.servicenow.count(sn.instance, "sys_user")).toBe(50_002)
    const page = await sn.call(
      "/api/now/v2/table/sys_user?sysparm_fields=user_name&sysparm_offset=49990&sysparm_limit=1000",
    )
    expect(page.headers.get("x-total-count")).toBe("50002")
    expect(page.json.result.at(-1)).toEqual({ user_name: "user050000" })
  })

  it("creates instances on demand, each with its own state, and resets them", async () => {
    const a = fresh()
    const b = fresh()
    await a.call("/api/now/table/incident", { method: "POST", body: { short_description: "only in a" } })
    expect(emulator.servicenow.count(a.instance, "incident")).toBe(4)
    expect(emulator.servicenow.count(b.instance, "incident")).toBe(3)
    expect(emulator.servicenow.instances()).toEqual(expect.arrayContaining([a.instance, b.instance]))
    const snapshot = emulator.snapshot().servicenow as Record<
      string,
      { tables: Record<string, Array<Record<string, string>>> }
    >
    const admin = snapshot[a.instance]?.tables.sys_user?.find((u) => u.user_name === "admin")
    expect(admin?.user_password).toBe("[hashed]")
    await using scratch = await start()
    scratch.servicenow.ensure("devx")
    scratch.servicenow.insert("devx", "incident", { short_description: "gone after reset" })
    scratch.reset()
    expect(scratch.servicenow.count("devx", "incident")).toBe(3)
  })
})

describe("the app's modeled setup endpoint and the cross-scope switch", () => {
  it("resolves the wizard's values through oauth_entity from the app scope", async () => {
    const sn = fresh()
    const provider = await sn.call("/api/now/v2/table/oauth_entity", {
      method: "POST",
      body: {
        name: "out",
        type: "oauth_provider",
        client_id: "11111111-2222-3333-4444-555555555555",
        default_grant_type: "client_credentials",
      },
    })
    const [profile] = emulator.servicenow.find(
      sn.instance,
      "oauth_entity_profile",
      `oauth_entity=${provider.json.result.sys_id}`,
    )
    const inbound = await sn.call("/api/now/v2/table/oauth_entity", {
      method: "POST",
      body: { name: "in", type: "client" },
    })
    const set = async (name: string, value: string) => {
      const [row] = emulator.servicenow.find(sn.instance, "sys_properties", `name=${name}`)
      const response = await sn.call(`/api/now/v2/table/sys_properties/${row?.sys_id}`, {
        method: "PATCH",
        body: { value },
      })
      expect(response.status).toBe(200)
    }
    await set("x_mioms_m365_assis.outbound_oauth_profile", profile?.sys_id ?? "")
    await set("x_mioms_m365_assis.inbound_oauth_client", inbound.json.result.sys_id)
    await set("x_mioms_m365_assis.integration_user", "m365_integration")
    await set("x_mioms_m365_assis.repository_id", "repo-42")
    const summary = await sn.call("/api/x_mioms_m365_assis/v1/setup")
    expect(summary.json.result).toMatchObject({
      outbound_app_id: "11111111-2222-3333-4444-555555555555",
      client_id: inbound.json.result.client_id,
      user_name: "m365_integration",
      repository_id: "repo-42",
      setup_complete: "false",
    })
    const pickers = await sn.call("/api/x_mioms_m365_assis/v1/setup/oauth_entities?type=oauth_provider")
    expect(pickers.json.result).toEqual([
      {
        sys_id: provider.json.result.sys_id,
        name: "out",
        type: "oauth_provider",
        client_id: expect.any(String),
        profiles: [profile?.sys_id],
      },
    ])
    expect(emulator.servicenow.setupSummary(sn.instance).repository_id).toBe("repo-42")
  })

  it("answers the documented cross-scope error while Application Access refuses, and succeeds after the fix", async () => {
    const sn = fresh()
    emulator.servicenow.setCrossScopeRestricted(sn.instance, true)
    const refused = await sn.call("/api/x_mioms_m365_assis/v1/setup")
    expect([refused.status, refused.json]).toEqual([
      403,
      { error: { message: CROSS_SCOPE, detail: null }, status: "failure" },
    ])
    // The documented fix, over REST: Accessible from = All application scopes, Can read.
    for (const table of ["oauth_entity", "oauth_entity_profile"]) {
      const found = await sn.call(
        `/api/now/v2/table/sys_db_object?sysparm_query=name=${table}&sysparm_fields=sys_id,access,read_access`,
      )
      expect(found.json.result[0]).toMatchObject({ access: "package_private", read_access: "false" })
      await sn.call(`/api/now/v2/table/sys_db_object/${found.json.result[0].sys_id}`, {
        method: "PATCH",
        body: { access: "public", read_access: "true" },
      })
    }
    expect((await sn.call("/api/x_mioms_m365_assis/v1/setup")).status).toBe(200)
  })

  it("refuses when the app's privilege is denied, and callers without an app role", async () => {
    const sn = fresh()
    const [privilege] = emulator.servicenow.find(
      sn.instance,
      "sys_scope_privilege",
      "target_name=oauth_entity_profile",
    )
    emulator.servicenow.update(sn.instance, "sys_scope_privilege", privilege?.sys_id ?? "", {
      status: "denied",
    })
    expect((await sn.call("/api/x_mioms_m365_assis/v1/setup")).json.error.message).toBe(
      CROSS_SCOPE.replace("'oauth_entity'", "'oauth_entity_profile'"),
    )
    expect((await sn.call("/api/x_mioms_m365_assis/v1/setup", { auth: ITIL })).status).toBe(403)
  })

  it("can start with the cross-scope restriction on", async () => {
    await using restricted = await start({ servicenow: { crossScopeRestricted: true } })
    const sn = client(restricted, freshInstance())
    expect((await sn.call("/api/x_mioms_m365_assis/v1/setup")).json.error.message).toBe(CROSS_SCOPE)
  })
})

describe("the app's tables", () => {
  it("give new records the app's scope and need an app role", async () => {
    const sn = fresh()
    const created = await sn.call(
      "/api/now/table/x_mioms_m365_assis_linked_account?sysparm_exclude_reference_link=true",
      {
        method: "POST",
        body: { m365_admin_email: "admin@contoso.onmicrosoft.com" },
      },
    )
    const [app] = emulator.servicenow.find(sn.instance, "sys_store_app", "scope=x_mioms_m365_assis")
    expect(created.json.result.sys_scope).toBe(app?.sys_id)
    expect(
      (await sn.call("/api/now/table/x_mioms_m365_assis_linked_account", { auth: ITIL })).json.result,
    ).toEqual([])
    emulator.servicenow.grantRole(sn.instance, "itil", "x_mioms_m365_assis.insights_user")
    expect(
      (await sn.call("/api/now/table/x_mioms_m365_assis_linked_account", { auth: ITIL })).json.result,
    ).toHaveLength(1)
  })
})
