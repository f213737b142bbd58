import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import type { Emulator } from "../src/index.ts"
import { client, freshInstance, ITIL, start } from "./servicenow-helpers.ts"

let emulator: Emulator
beforeAll(async () => {
  emulator = await start({ servicenow: { basicAuthGate: false } })
})
afterAll(() => emulator.close())

const fresh = () => client(emulator, freshInstance())

describe("ServiceNow fault modes", () => {
  it("hibernation: every path, the token endpoint included, answers the HTML page", async () => {
    const sn = fresh()
    emulator.servicenow.setHibernating(sn.instance, true)
    for (const path of ["/api/now/table/sys_user", "/oauth_token.do", "/anything"]) {
      const response = await sn.call(path, { method: path === "/oauth_token.do" ? "POST" : "GET" })
      expect(response.status).toBe(200)
      expect(response.headers.get("content-type")).toContain("text/html")
      expect(response.text).toContain(
        '<div class="instance-hibernating-page"><h1>Your instance is hibernating</h1>',
      )
      expect(response.text).toContain("https://developer.servicenow.com/dev.do#!/home?wu=true")
    }
    emulator.servicenow.setHibernating(sn.instance, false)
    expect((await sn.call("/api/now/table/sys_user")).status).toBe(200)
  })

  it("rate limits per user and API with X-RateLimit-* headers, 429 + Retry-After, reset by the clock", async () => {
    const sn = fresh()
    const rule = emulator.servicenow.addRateLimitRule(sn.instance, { limitPerHour: 2, user: "admin" })
    emulator.servicenow.addRateLimitRule(sn.instance, { limitPerHour: 100, role: "itil" })
    const first = await sn.call("/api/now/table/sys_user?sysparm_limit=1")
    expect(first.headers.get("x-ratelimit-limit")).toBe("2")
    expect(first.headers.get("x-ratelimit-rule")).toBe(rule)
    expect(Number(first.headers.get("x-ratelimit-reset"))).toBeGreaterThan(Date.now() / 1000)
    expect(first.headers.get("x-ratelimit-remaining")).toBeNull()
    await sn.call("/api/now/table/sys_user?sysparm_limit=1")
    const limited = await sn.call("/api/now/table/sys_user?sysparm_limit=1")
    expect(limited.status).toBe(429)
    expect(limited.json).toEqual({
      error: {
        message: "Rate limit exceeded",
        detail: "Rate limit of 2 requests per hour for Table API exceeded",
      },
      status: "failure",
    })
    const retryAfter = Number(limited.headers.get("retry-after"))
    expect(retryAfter).toBeGreaterThan(0)
    expect(retryAfter).toBeLessThanOrEqual(3600)
    expect(
      (await sn.call("/api/now/table/sys_user?sysparm_limit=1", { auth: ITIL })).headers.get(
        "x-ratelimit-limit",
      ),
    ).toBe("100")
    emulator.clock.advance(retryAfter * 1000)
    expect((await sn.call("/api/now/table/sys_user?sysparm_limit=1")).status).toBe(200)
  })

  it("lets the lowest limit win among role rules, and resets counts on demand", async () => {
    const sn = fresh()
    emulator.servicenow.addRateLimitRule(sn.instance, { limitPerHour: 5, role: "admin" })
    emulator.servicenow.addRateLimitRule(sn.instance, { limitPerHour: 1, role: "snc_basic_auth_api_access" })
    expect((await sn.call("/api/now/table/sys_user")).headers.get("x-ratelimit-limit")).toBe("1")
    expect((await sn.call("/api/now/table/sys_user")).status).toBe(429)
    emulator.servicenow.resetRateLimitCounts(sn.instance)
    expect((await sn.call("/api/now/table/sys_user")).status).toBe(200)
    emulator.servicenow.clearRateLimitRules(sn.instance)
    expect((await sn.call("/api/now/table/sys_user")).headers.get("x-ratelimit-limit")).toBeNull()
  })

  it("cancels transactions over the quota, or all of them with the switch, with the documented text", async () => {
    const sn = fresh()
    emulator.servicenow.seedUsers(sn.instance, 98)
    emulator.servicenow.setTransactionQuota(sn.instance, { limitMs: 60_000, msPerRow: 1000 })
    const big = await sn.call("/api/now/table/sys_user?sysparm_limit=100")
    expect([big.status, big.json.error.message]).toEqual([
      500,
      "Transaction cancelled: maximum execution time exceeded",
    ])
    expect(big.json.error.detail).toContain("glide.rest.debug")
    expect((await sn.call("/api/now/table/sys_user?sysparm_limit=50")).status).toBe(200)
    emulator.servicenow.setTransactionQuota(sn.instance, { cancelAll: true })
    const post = await sn.call("/api/now/table/incident", {
      method: "POST",
      body: { short_description: "x" },
    })
    expect(post.status).toBe(500)
    expect(emulator.servicenow.count(sn.instance, "incident", "short_description=x")).toBe(0)
    emulator.servicenow.setTransactionQuota(sn.instance, {})
    expect((await sn.call("/api/now/table/sys_user?sysparm_limit=100")).status).toBe(200)
  })

  it("answers generic injected status faults in the ServiceNow envelope", async () => {
    const sn = fresh()
    const remove = emulator.faults.add({
      kind: "status",
      status: 503,
      system: "servicenow",
      times: 1,
      headers: { "retry-after": "1" },
    })
    const faulted = await sn.call("/api/now/table/sys_user")
    expect(faulted.status).toBe(503)
    expect(faulted.headers.get("retry-after")).toBe("1")
    expect(faulted.json).toMatchObject({ error: { message: "Service Unavailable" }, status: "failure" })
    remove()
  })
})
