import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import type { Emulator } from "../src/index.ts"
import { client, freshInstance, ITIL, start } from "./servicenow-helpers.ts"

let emulator: Emulator
beforeAll(async () => {
  emulator = await start({ servicenow: { basicAuthGate: false } })
})
afterAll(() => emulator.close())

const fresh = () => client(emulator, freshInstance())
const NO_RECORD = {
  error: { message: "No Record found", detail: "Record doesn't exist or ACL restricts the record retrieval" },
  status: "failure",
}

describe("ACLs", () => {
  it("hides OAuth tables from a non-admin: empty lists, 404 on records, 403 on insert", async () => {
    const sn = fresh()
    const created = await sn.call("/api/now/v2/table/oauth_entity", {
      method: "POST",
      body: { name: "in", type: "client" },
    })
    const id = created.json.result.sys_id
    const list = await sn.call("/api/now/v2/table/oauth_entity", { auth: ITIL })
    expect([list.status, list.json.result]).toEqual([200, []])
    expect(list.headers.get("x-total-count")).toBe("1") // the limit and count come before the ACL
    const one = await sn.call(`/api/now/v2/table/oauth_entity/${id}`, { auth: ITIL })
    expect([one.status, one.json]).toEqual([404, NO_RECORD])
    const patch = await sn.call(`/api/now/v2/table/oauth_entity/${id}`, {
      auth: ITIL,
      method: "PATCH",
      body: { name: "x" },
    })
    expect(patch.status).toBe(404)
    const insert = await sn.call("/api/now/v2/table/oauth_entity", {
      auth: ITIL,
      method: "POST",
      body: { name: "x" },
    })
    expect([insert.status, insert.json]).toEqual([
      403,
      {
        error: {
          message: "Operation Failed",
          detail: "ACL Exception Insert Failed due to security constraints",
        },
        status: "failure",
      },
    ])
    const v1 = await sn.call("/api/now/v1/table/oauth_entity", { auth: ITIL })
    expect(v1.status).toBe(404)
  })

  it("derives roles from sys_user_has_role: granting oauth_admin opens the OAuth tables", async () => {
    const sn = fresh()
    await sn.call("/api/now/v2/table/oauth_entity", { method: "POST", body: { name: "in", type: "client" } })
    const [itil] = emulator.servicenow.find(sn.instance, "sys_user", "user_name=itil")
    const [role] = emulator.servicenow.find(sn.instance, "sys_user_role", "name=oauth_admin")
    const grant = await sn.call("/api/now/v2/table/sys_user_has_role", {
      method: "POST",
      body: { user: itil?.sys_id ?? "", role: role?.sys_id ?? "" },
    })
    expect(grant.status).toBe(201)
    expect((await sn.call("/api/now/v2/table/oauth_entity", { auth: ITIL })).json.result).toHaveLength(1)
  })

  it("applies sysparm_limit before row ACLs, so pages come back short", async () => {
    const sn = fresh()
    // Seeded incidents 1 and 3 are the admin's; a user without itil sees only their own.
    const [itil] = emulator.servicenow.find(sn.instance, "sys_user", "user_name=itil")
    const grants = emulator.servicenow.find(sn.instance, "sys_user_has_role", `user=${itil?.sys_id}`)
    await sn.call(`/api/now/v2/table/sys_user_has_role/${grants[0]?.sys_id}`, { method: "DELETE" })
    const page = (offset: number) =>
      sn.call(
        `/api/now/v2/table/incident?sysparm_query=ORDERBYnumber&sysparm_limit=1&sysparm_offset=${offset}&sysparm_fields=number`,
        {
          auth: ITIL,
        },
      )
    const first = await page(0)
    expect(first.json.result).toEqual([])
    expect(first.headers.get("x-total-count")).toBe("3")
    expect(first.headers.get("link")).toContain('rel="next"')
    expect((await page(1)).json.result).toEqual([{ number: "INC0010002" }])
  })

  it("refuses a query on a field nobody may read", async () => {
    const sn = fresh()
    const response = await sn.call("/api/now/v2/table/sys_user?sysparm_query=user_passwordISNOTEMPTY")
    expect([response.status, response.json]).toEqual([
      403,
      {
        error: {
          message: "Insufficient rights to query records",
          detail: "Field(s) present in the query do not have permission to be read",
        },
        status: "failure",
      },
    ])
  })

  it("refuses updates of a non-admin, and of the read-only app endpoint property even for admin", async () => {
    const sn = fresh()
    const [admin] = emulator.servicenow.find(sn.instance, "sys_user", "user_name=admin")
    const update = await sn.call(`/api/now/v2/table/sys_user/${admin?.sys_id}`, {
      auth: ITIL,
      method: "PATCH",
      body: { title: "x" },
    })
    expect([update.status, update.json.error.detail]).toEqual([
      403,
      "ACL Exception Update Failed due to security constraints",
    ])
    const [endpoint] = emulator.servicenow.find(
      sn.instance,
      "sys_properties",
      "name=x_mioms_m365_assis.endpoint",
    )
    const write = await sn.call(`/api/now/v2/table/sys_properties/${endpoint?.sys_id}`, {
      method: "PATCH",
      body: { value: "x" },
    })
    expect(write.status).toBe(403)
    const [repo] = emulator.servicenow.find(
      sn.instance,
      "sys_properties",
      "name=x_mioms_m365_assis.repository_id",
    )
    const ok = await sn.call(`/api/now/v2/table/sys_properties/${repo?.sys_id}`, {
      method: "PATCH",
      body: { value: "repo-1" },
    })
    expect(ok.status).toBe(200)
    const deny = await sn.call(`/api/now/v2/table/sys_properties/${repo?.sys_id}`, {
      auth: ITIL,
      method: "DELETE",
    })
    expect(deny.status).toBe(404) // sys_properties is admin-only: hidden, so 404
  })

  it("answers 403 for a table whose web-service access is off", async () => {
    const sn = fresh()
    const [table] = emulator.servicenow.find(sn.instance, "sys_db_object", "name=incident")
    emulator.servicenow.update(sn.instance, "sys_db_object", table?.sys_id ?? "", { ws_access: "false" })
    expect((await sn.call("/api/now/table/incident")).status).toBe(403)
  })
})
