import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import type { Emulator } from "../src/index.ts"
import { client, freshInstance, start } from "./servicenow-helpers.ts"

let emulator: Emulator
beforeAll(async () => {
  emulator = await start()
})
afterAll(() => emulator.close())

const fresh = () => client(emulator, freshInstance())

describe("Table API: reads", () => {
  it("lists with every value a string and references as {link, value}", async () => {
    const sn = fresh()
    const { status, json } = await sn.call("/api/now/v2/table/sys_user_has_role?sysparm_limit=1")
    expect(status).toBe(200)
    const [grant] = json.result
    expect(grant.inherited).toBe("false")
    expect(grant.user).toEqual({
      link: `https://${sn.instance}.service-now.com/api/now/table/sys_user/${grant.user.value}`,
      value: expect.stringMatching(/^[a-f0-9]{32}$/),
    })
    expect(grant.sys_id).toMatch(/^[a-f0-9]{32}$/)
    expect(grant.sys_created_on).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
    for (const value of Object.values(grant)) expect(["string", "object"]).toContain(typeof value)
  })

  it("honours sysparm_fields (unknown names ignored, dot-walking), exclude_reference_link and display values", async () => {
    const sn = fresh()
    const base = "/api/now/table/incident?sysparm_query=ORDERBYnumber&sysparm_limit=1"
    const fields = await sn.call(`${base}&sysparm_fields=number,nope,caller_id,caller_id.user_name`)
    expect(Object.keys(fields.json.result[0])).toEqual(["number", "caller_id", "caller_id.user_name"])
    expect(fields.json.result[0]["caller_id.user_name"]).toBe("admin")
    const bare = await sn.call(`${base}&sysparm_fields=caller_id&sysparm_exclude_reference_link=true`)
    expect(bare.json.result[0].caller_id).toMatch(/^[a-f0-9]{32}$/)
    const display = await sn.call(`${base}&sysparm_fields=caller_id,active&sysparm_display_value=true`)
    expect(display.json.result[0].caller_id).toEqual({
      display_value: "System Administrator",
      link: expect.any(String),
    })
    expect(display.json.result[0].active).toBe("true")
    const all = await sn.call(`${base}&sysparm_fields=caller_id,number&sysparm_display_value=all`)
    expect(all.json.result[0].number).toEqual({ display_value: "INC0010001", value: "INC0010001" })
    expect(all.json.result[0].caller_id).toEqual({
      display_value: "System Administrator",
      value: expect.any(String),
      link: expect.any(String),
    })
  })

  it("filters with sysparm_query or name=value pairs, and orders", async () => {
    const sn = fresh()
    const q = encodeURIComponent(
      "short_descriptionLIKEmeeting^ORshort_descriptionSTARTSWITHShare^ORDERBYDESCnumber",
    )
    const { json } = await sn.call(`/api/now/table/incident?sysparm_query=${q}&sysparm_fields=number`)
    expect(json.result).toEqual([{ number: "INC0010003" }, { number: "INC0010002" }])
    const pairs = await sn.call("/api/now/table/sys_user?user_name=itil&sysparm_fields=user_name")
    expect(pairs.json.result).toEqual([{ user_name: "itil" }])
  })

  it("drops unknown fields from a query (the result widens) unless glide.invalid_query.returns_no_rows", async () => {
    const sn = fresh()
    const all = await sn.call("/api/now/table/sys_user?sysparm_query=no_such_field=1")
    expect(all.json.result).toHaveLength(2)
    emulator.servicenow.setProperty(sn.instance, "glide.invalid_query.returns_no_rows", "true")
    const none = await sn.call("/api/now/table/sys_user?sysparm_query=no_such_field=1")
    expect(none.json.result).toEqual([])
  })

  it("answers v1 404 and v2 200 [] on an empty result; unversioned behaves as v2", async () => {
    const sn = fresh()
    const q = "?sysparm_query=user_name=nobody"
    expect((await sn.call(`/api/now/v1/table/sys_user${q}`)).json).toEqual({
      error: {
        message: "No Record found",
        detail: "Record doesn't exist or ACL restricts the record retrieval",
      },
      status: "failure",
    })
    expect((await sn.call(`/api/now/v1/table/sys_user${q}`)).status).toBe(404)
    expect((await sn.call(`/api/now/v2/table/sys_user${q}`)).json).toEqual({ result: [] })
    expect((await sn.call(`/api/now/table/sys_user${q}`)).json).toEqual({ result: [] })
  })

  it("paginates with X-Total-Count and a comma-joined absolute Link with conditional prev/next", async () => {
    const sn = fresh()
    emulator.servicenow.seedUsers(sn.instance, 8) // 10 users
    const page = (offset: number) =>
      sn.call(
        `/api/now/v2/table/sys_user?sysparm_query=ORDERBYuser_name&sysparm_limit=4&sysparm_offset=${offset}`,
      )
    const first = await page(0)
    expect(first.headers.get("x-total-count")).toBe("10")
    const host = `https://${sn.instance}.service-now.com/api/now/v2/table/sys_user?sysparm_query=ORDERBYuser_name`
    expect(first.headers.get("link")).toBe(
      [
        `<${host}&sysparm_offset=0&sysparm_limit=4>;rel="first"`,
        `<${host}&sysparm_offset=4&sysparm_limit=4>;rel="next"`,
        `<${host}&sysparm_offset=8&sysparm_limit=4>;rel="last"`,
      ].join(","),
    )
    const middle = await page(4)
    expect(middle.headers.get("link")).toContain('sysparm_offset=0&sysparm_limit=4>;rel="prev"')
    expect(middle.headers.get("link")).toContain('rel="next"')
    const last = await page(8)
    expect(last.json.result).toHaveLength(2)
    expect(last.headers.get("link")).not.toContain('rel="next"')
    const single = await sn.call("/api/now/v2/table/sys_user?sysparm_limit=100")
    expect(single.headers.get("link")).toBeNull()
    const quiet = await sn.call(
      "/api/now/v2/table/sys_user?sysparm_limit=4&sysparm_no_count=true&sysparm_suppress_pagination_header=true",
    )
    expect(quiet.headers.get("x-total-count")).toBeNull()
    expect(quiet.headers.get("link")).toBeNull()
  })

  it("answers a repeated list from the state after the latest write (selections are kept only until then)", async () => {
    const sn = fresh()
    const path =
      "/api/now/v2/table/sys_user?sysparm_query=user_nameSTARTSWITHbench_^ORDERBYuser_name&sysparm_fields=user_name"
    const names = async () =>
      (await sn.call(path)).json.result.map((row: { user_name: string }) => row.user_name)
    expect(await names()).toEqual([])
    const created = await sn.call("/api/now/v2/table/sys_user", {
      method: "POST",
      body: { user_name: "bench_b" },
    })
    await sn.call("/api/now/v2/table/sys_user", { method: "POST", body: { user_name: "bench_c" } })
    expect(await names()).toEqual(["bench_b", "bench_c"])
    const sysId = created.json.result.sys_id
    await sn.call(`/api/now/v2/table/sys_user/${sysId}`, { method: "PATCH", body: { user_name: "bench_d" } })
    expect(await names()).toEqual(["bench_c", "bench_d"])
    await sn.call(`/api/now/v2/table/sys_user/${sysId}`, { method: "DELETE" })
    expect(await names()).toEqual(["bench_c"])
  })

  it("reads one record, 404 for a missing one, 400 for an unknown table, and HEAD without a body", async () => {
    const sn = fresh()
    const [user] = emulator.servicenow.find(sn.instance, "sys_user", "user_name=itil")
    const one = await sn.call(`/api/now/v2/table/sys_user/${user?.sys_id}?sysparm_fields=user_name`)
    expect(one.json).toEqual({ result: { user_name: "itil" } })
    expect((await sn.call("/api/now/v2/table/sys_user/0123456789abcdef0123456789abcdef")).status).toBe(404)
    expect((await sn.call("/api/now/table/u_nope")).json).toEqual({
      error: { message: "Invalid table u_nope", detail: null },
      status: "failure",
    })
    const head = await sn.call("/api/now/table/sys_user?sysparm_limit=1", { method: "HEAD" })
    expect(head.status).toBe(200)
    expect(head.text).toBe("")
    expect(head.headers.get("x-total-count")).toBe("2")
  })
})

describe("Table API: writes", () => {
  it("creates with 201 + Location, type null values and generated fields, one record per request", async () => {
    const sn = fresh()
    const created = await sn.call("/api/now/v2/table/incident", {
      method: "POST",
      body: { short_description: "Outlook crashes" },
    })
    expect(created.status).toBe(201)
    const record = created.json.result
    expect(created.headers.get("location")).toBe(
      `https://${sn.instance}.service-now.com/api/now/v2/table/incident/${record.sys_id}`,
    )
    expect(record).toMatchObject({
      number: "INC0010004",
      short_description: "Outlook crashes",
      close_notes: "",
      state: "1",
    })
    expect(record.sys_created_by).toBe("admin")
  })

  it("ignores unknown and sys_ fields on the generic path", async () => {
    const sn = fresh()
    const created = await sn.call("/api/now/table/incident", {
      method: "POST",
      body: { short_description: "x", u_unknown: "y", sys_created_by: "mallory" },
    })
    expect(created.status).toBe(201)
    expect(created.json.result.u_unknown).toBeUndefined()
    expect(created.json.result.sys_created_by).toBe("admin")
  })

  it("updates only the fields sent with PUT and PATCH, counting modifications", async () => {
    const sn = fresh()
    const [incident] = emulator.servicenow.find(sn.instance, "incident", "number=INC0010001")
    const id = incident?.sys_id
    const put = await sn.call(`/api/now/v2/table/incident/${id}`, { method: "PUT", body: { state: "2" } })
    expect(put.json.result).toMatchObject({
      state: "2",
      short_description: "Email is not syncing on mobile",
      sys_mod_count: "1",
    })
    const patch = await sn.call(`/api/now/v2/table/incident/${id}?sysparm_fields=state,priority`, {
      method: "PATCH",
      body: { priority: "1" },
    })
    expect(patch.json.result).toEqual({ state: "2", priority: "1" })
    const quiet = await sn.call(`/api/now/v2/table/incident/${id}`, {
      method: "PATCH",
      body: { priority: "2" },
      headers: { "x-no-response-body": "true" },
    })
    expect([quiet.status, quiet.text]).toEqual([200, ""])
  })

  it("deletes with 204 and an empty body, cascading role grants of a user", async () => {
    const sn = fresh()
    const [itil] = emulator.servicenow.find(sn.instance, "sys_user", "user_name=itil")
    expect(emulator.servicenow.count(sn.instance, "sys_user_has_role", `user=${itil?.sys_id}`)).toBe(1)
    const deleted = await sn.call(`/api/now/v2/table/sys_user/${itil?.sys_id}`, { method: "DELETE" })
    expect([deleted.status, deleted.text]).toEqual([204, ""])
    expect(emulator.servicenow.count(sn.instance, "sys_user_has_role", `user=${itil?.sys_id}`)).toBe(0)
    expect((await sn.call(`/api/now/v2/table/sys_user/${itil?.sys_id}`, { method: "DELETE" })).status).toBe(
      404,
    )
  })

  it("honours X-http-method-override", async () => {
    const sn = fresh()
    const [incident] = emulator.servicenow.find(sn.instance, "incident", "number=INC0010002")
    const response = await sn.call(`/api/now/table/incident/${incident?.sys_id}`, {
      method: "POST",
      body: { state: "6" },
      headers: { "x-http-method-override": "PATCH" },
    })
    expect([response.status, response.json.result.state]).toEqual([200, "6"])
  })

  it("generates a client id and secret for an inbound client, and a default profile for a provider", async () => {
    const sn = fresh()
    const client = await sn.call("/api/now/v2/table/oauth_entity", {
      method: "POST",
      body: { name: "in", type: "client" },
    })
    expect(client.json.result.client_id).toMatch(/^[a-f0-9]{32}$/)
    expect(client.json.result.client_secret).toBeUndefined()
    expect(client.json.result).toMatchObject({
      access_token_lifespan: "1800",
      refresh_token_lifespan: "8640000",
    })
    const provider = await sn.call("/api/now/v2/table/oauth_entity", {
      method: "POST",
      body: {
        name: "out",
        type: "oauth_provider",
        client_id: "app",
        default_grant_type: "client_credentials",
      },
    })
    const profiles = emulator.servicenow.find(
      sn.instance,
      "oauth_entity_profile",
      `oauth_entity=${provider.json.result.sys_id}`,
    )
    expect(profiles).toMatchObject([
      { grant_type: "client_credentials", default: "true", name: "out default_profile" },
    ])
  })

  it("stores user_password hashed only with sysparm_input_display_value=true, and never returns it", async () => {
    const sn = fresh()
    const wrong = await sn.call("/api/now/v2/table/sys_user", {
      method: "POST",
      body: { user_name: "u1", first_name: "U", last_name: "One", user_password: "Secret#1" },
    })
    expect(wrong.json.result.user_password).toBeUndefined()
    expect(wrong.json.result.name).toBe("U One")
    expect(emulator.servicenow.passwordMatches(sn.instance, "u1", "Secret#1")).toBe(false)
    expect(emulator.servicenow.find(sn.instance, "sys_user", "user_name=u1")[0]?.user_password).toBe(
      "[plain text]",
    )
    await sn.call(`/api/now/v2/table/sys_user/${wrong.json.result.sys_id}?sysparm_input_display_value=true`, {
      method: "PATCH",
      body: { user_password: "Secret#1" },
    })
    expect(emulator.servicenow.passwordMatches(sn.instance, "u1", "Secret#1")).toBe(true)
    const read = await sn.call(
      `/api/now/v2/table/sys_user/${wrong.json.result.sys_id}?sysparm_fields=user_password,user_name`,
    )
    expect(read.json.result).toEqual({ user_name: "u1" })
  })

  it("resolves a reference given by display value only with sysparm_input_display_value=true", async () => {
    const sn = fresh()
    const create = (idv: boolean) =>
      sn.call(
        `/api/now/v2/table/incident?sysparm_input_display_value=${idv}&sysparm_exclude_reference_link=true`,
        {
          method: "POST",
          body: { short_description: "x", caller_id: "ITIL User" },
        },
      )
    const [itil] = emulator.servicenow.find(sn.instance, "sys_user", "user_name=itil")
    expect((await create(true)).json.result.caller_id).toBe(itil?.sys_id)
    expect((await create(false)).json.result.caller_id).toBe("ITIL User")
  })
})

describe("Table API: sysparm_suppress_auto_sys_field", () => {
  it("leaves sys_updated_* and sys_mod_count alone on an update", async () => {
    const sn = fresh()
    const [incident] = emulator.servicenow.find(sn.instance, "incident", "number=INC0010001")
    const patched = await sn.call(
      `/api/now/v2/table/incident/${incident?.sys_id}?sysparm_suppress_auto_sys_field=true`,
      {
        method: "PATCH",
        body: { state: "2" },
      },
    )
    expect(patched.json.result).toMatchObject({ state: "2", sys_mod_count: "0", sys_updated_by: "system" })
  })
})
