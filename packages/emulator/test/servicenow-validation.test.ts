import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { document } from "../src/generated/servicenow-table.ts"
import type { Emulator } from "../src/index.ts"
import { isSecretColumn, TABLES } from "../src/servicenow/dictionary.ts"
import { client, freshInstance, start } from "./servicenow-helpers.ts"

let emulator: Emulator
beforeAll(async () => {
  emulator = await start({ servicenow: { basicAuthGate: false } })
})
afterAll(() => emulator.close())

const fresh = () => client(emulator, freshInstance())

describe("requests the spec does not allow", () => {
  it("answers an unknown REST path with 400 and the documented text", async () => {
    const sn = fresh()
    for (const path of ["/api/now/tables/incident", "/api/now/v3/table/incident", "/api/other"]) {
      const response = await sn.call(path)
      expect([response.status, response.json], path).toEqual([
        400,
        {
          error: { message: "Requested URI does not represent any resource", detail: null },
          status: "failure",
        },
      ])
    }
  })

  it("answers 405 with Allow, 406 for an Accept it cannot produce, 415 and 400 for content types", async () => {
    const sn = fresh()
    const notAllowed = await sn.call("/api/now/table/incident", { method: "DELETE" })
    expect(notAllowed.status).toBe(405)
    expect(notAllowed.headers.get("allow")).toContain("POST")
    expect(notAllowed.json.status).toBe("failure")
    expect((await sn.call("/api/now/table/incident", { headers: { accept: "text/html" } })).status).toBe(406)
    expect((await sn.call("/api/now/table/incident", { headers: { accept: "*/*" } })).status).toBe(200)
    const post = (headers: Record<string, string>) =>
      sn.call("/api/now/table/incident", { method: "POST", body: '{"short_description":"x"}', headers })
    expect((await post({ "content-type": "text/plain" })).status).toBe(415)
    expect((await post({ "content-type": "application/json; charset=utf-8" })).status).toBe(201)
  })

  it("answers a body that is not JSON, and one over 10 MB, with 400 Exception while reading request", async () => {
    const sn = fresh()
    const broken = await sn.call("/api/now/table/incident", { method: "POST", body: "{nope" })
    expect([broken.status, broken.json.error.message]).toEqual([400, "Exception while reading request"])
    const huge = await sn.call("/api/now/table/incident", {
      method: "POST",
      body: JSON.stringify({ short_description: "x".repeat(10_485_760) }),
    })
    expect(huge.status).toBe(400)
    expect(huge.json.error.detail).toMatch(
      /^Rejected large REST payload with content-length = \d+ bytes\. Max allowed: 10485760 bytes\.$/,
    )
  })

  it("validates parameters: types and enums; typed paths serve display values like the platform", async () => {
    const sn = fresh()
    const bad = await sn.call("/api/now/table/incident?sysparm_limit=ten")
    expect([bad.status, bad.json.error.message]).toEqual([400, "Invalid request"])
    expect(bad.json.error.detail).toContain("sysparm_limit")
    expect((await sn.call("/api/now/table/incident?sysparm_display_value=maybe")).status).toBe(400)
    expect((await sn.call("/api/now/table/incident?sysparm_offset=-1")).status).toBe(400)
    // The typed per-table paths type stored values, but the platform serves the same URL with display values.
    const display = await sn.call(
      "/api/now/v2/table/sys_user?sysparm_display_value=all&sysparm_query=user_name=admin",
    )
    expect(display.status).toBe(200)
    expect(display.json.result[0].user_name).toEqual({ display_value: "admin", value: "admin" })
    expect((await sn.call("/api/now/v2/table/incident?sysparm_display_value=false")).status).toBe(200)
    expect((await sn.call("/api/now/v2/table/u_custom?sysparm_display_value=true")).status).toBe(400) // unknown table
  })

  it("refuses unknown fields and non-string values on the typed paths", async () => {
    const sn = fresh()
    const typo = await sn.call("/api/now/v2/table/sys_user", { method: "POST", body: { user_nam: "x" } })
    expect([typo.status, typo.json.error.detail]).toEqual([400, expect.stringContaining("user_nam")])
    const boolean = await sn.call("/api/now/v2/table/sys_user", {
      method: "POST",
      body: { user_name: "x", active: true },
    })
    expect(boolean.status).toBe(400)
  })
})

describe("the emulator's dictionary and specs/servicenow/table.yaml", () => {
  it("describe the same columns for every typed table", () => {
    const schemas = document.components.schemas as unknown as Record<
      string,
      { properties: Record<string, unknown> }
    >
    for (const table of document.components.schemas.TableName.enum) {
      const columns = TABLES.get(table)?.columns
      expect(columns, table).toBeDefined()
      const readable = Object.entries(columns ?? {})
        .filter(([, column]) => !isSecretColumn(column))
        .map(([name]) => name)
        .sort()
      expect(Object.keys(schemas[table]?.properties ?? {}).sort(), table).toEqual(readable)
      const writable = Object.keys(columns ?? {})
        .filter((name) => !name.startsWith("sys_"))
        .sort()
      expect(Object.keys(schemas[`${table}_write`]?.properties ?? {}).sort(), table).toEqual(writable)
    }
  })
})
