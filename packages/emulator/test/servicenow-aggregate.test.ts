import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import type { Emulator } from "../src/index.ts"
import { client, freshInstance, ITIL, start } from "./servicenow-helpers.ts"

let emulator: Emulator
beforeAll(async () => {
  emulator = await start({ servicenow: { basicAuthGate: false } })
})
afterAll(() => emulator.close())

const fresh = () => client(emulator, freshInstance())

describe("Aggregate API", () => {
  it("counts as a string, with a query, on both URL forms", async () => {
    const sn = fresh()
    expect((await sn.call("/api/now/stats/sys_user?sysparm_count=true")).json).toEqual({
      result: { stats: { count: "2" } },
    })
    const q = encodeURIComponent("user_name=itil")
    expect((await sn.call(`/api/now/v1/stats/sys_user?sysparm_count=true&sysparm_query=${q}`)).json).toEqual({
      result: { stats: { count: "1" } },
    })
    expect((await sn.call("/api/now/stats/sys_user")).json).toEqual({ result: { stats: {} } })
  })

  it("groups and computes avg, min, max and sum", async () => {
    const sn = fresh()
    emulator.servicenow.insert(sn.instance, "incident", { short_description: "p1", priority: "1" })
    const grouped = await sn.call(
      "/api/now/stats/incident?sysparm_count=true&sysparm_group_by=priority&sysparm_sum_fields=priority",
    )
    expect(grouped.json.result).toEqual(
      expect.arrayContaining([
        {
          stats: { count: "3", sum: { priority: "15" } },
          groupby_fields: [{ field: "priority", value: "5" }],
        },
        {
          stats: { count: "1", sum: { priority: "1" } },
          groupby_fields: [{ field: "priority", value: "1" }],
        },
      ]),
    )
    const all = await sn.call(
      "/api/now/stats/incident?sysparm_avg_fields=priority&sysparm_min_fields=priority&sysparm_max_fields=priority",
    )
    expect(all.json.result.stats).toEqual({
      avg: { priority: "4" },
      min: { priority: "1" },
      max: { priority: "5" },
    })
  })

  it("honours read ACLs and refuses unknown tables", async () => {
    const sn = fresh()
    await sn.call("/api/now/v2/table/oauth_entity", { method: "POST", body: { name: "in", type: "client" } })
    expect(
      (await sn.call("/api/now/stats/oauth_entity?sysparm_count=true", { auth: ITIL })).json.result.stats
        .count,
    ).toBe("0")
    expect((await sn.call("/api/now/stats/oauth_entity?sysparm_count=true")).json.result.stats.count).toBe(
      "1",
    )
    expect((await sn.call("/api/now/stats/u_nope?sysparm_count=true")).json.error.message).toBe(
      "Invalid table u_nope",
    )
  })
})
