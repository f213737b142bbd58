import { describe, expect, it } from "@effect/vitest"
import { json } from "../src/server/http.ts"
import { seededRandom } from "../src/server/random.ts"
import { startServer } from "../src/server/server.ts"
import type { EmulatedSystem } from "../src/server/system.ts"

const counter = () => {
  let commits = 0
  const system: EmulatedSystem = {
    name: "servicenow",
    hostPatterns: ["*.example.test"],
    serves: (host) => host.endsWith(".example.test"),
    handle: (request) => {
      commits++
      return json(200, { host: request.host, path: request.url.pathname, body: request.body.toString() })
    },
    faultResponse: (status) => json(status, { fault: status }),
    reset: () => {},
    snapshot: () => ({ commits }),
  }
  return { system, commits: () => commits }
}

const start = async () => {
  const c = counter()
  const server = await startServer({
    host: "127.0.0.1",
    port: 0,
    random: seededRandom(1),
    systems: [c.system],
    latencyMs: 0,
    faults: [],
  })
  const call = (path: string, host = "a.example.test", init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, { ...init, headers: { "x-forwarded-host": host, ...init.headers } })
  return { server, call, commits: c.commits }
}

describe("emulator server", () => {
  it("dispatches by X-Forwarded-Host and records the request", async () => {
    const { server, call } = await start()
    const response = await call("/x?y=1", "dev1.example.test", { method: "POST", body: "hello" })
    expect(await response.json()).toEqual({ host: "dev1.example.test", path: "/x", body: "hello" })
    expect(server.requests.all()).toMatchObject([
      { system: "servicenow", method: "POST", path: "/x?y=1", status: 200 },
    ])
    await server.close()
  })

  it("answers 421 for a host no system serves", async () => {
    const { server, call } = await start()
    expect((await call("/", "graph.microsoft.com")).status).toBe(421)
    await server.close()
  })

  it("injects a status fault in the system's envelope, with headers, a bounded number of times", async () => {
    const { server, call, commits } = await start()
    server.faults.add({ kind: "status", status: 429, headers: { "retry-after": "2" }, times: 2, skip: 1 })
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await call("/x")).status)
    expect(statuses).toEqual([200, 429, 429, 200])
    expect(commits()).toBe(2)
    expect(server.faults.injected()).toBe(2)
    expect(server.faults.list()).toHaveLength(0)
    await server.close()
  })

  it("resets the connection before committing, or after committing", async () => {
    const { server, call, commits } = await start()
    server.faults.add({ kind: "reset", times: 1 })
    await expect(call("/x")).rejects.toThrow()
    expect(commits()).toBe(0)
    server.faults.add({ kind: "reset-after-commit", method: "POST", times: 1 })
    await expect(call("/x", undefined, { method: "POST", body: "{}" })).rejects.toThrow()
    expect(commits()).toBe(1)
    await server.close()
  })

  it("matches rules by path prefix and regular expression, and by probability from the seed", async () => {
    const { server, call } = await start()
    server.faults.add({ kind: "status", status: 503, path: /^\/b/ })
    server.faults.add({ kind: "status", status: 500, path: "/a" })
    expect((await call("/abc")).status).toBe(500)
    expect((await call("/bcd")).status).toBe(503)
    server.faults.clear()
    server.faults.add({ kind: "status", status: 500, probability: 0.5 })
    const statuses: Array<number> = []
    for (let i = 0; i < 40; i++) statuses.push((await call("/c")).status)
    const failed = statuses.filter((s) => s === 500).length
    expect(failed).toBeGreaterThan(5)
    expect(failed).toBeLessThan(35)
    await server.close()
  })

  it("decides a probabilistic fault by the request, not by the order requests arrive in", async () => {
    const paths = Array.from({ length: 24 }, (_, i) => `/p${i}`)
    const decisions = async (order: ReadonlyArray<string>) => {
      const { server, call } = await start()
      server.faults.add({ kind: "status", status: 503, probability: 0.5 })
      const seen = new Map<string, Array<number>>()
      // Each path twice: the second occurrence is a fresh draw, as a retry would be.
      for (const path of [...order, ...order])
        seen.set(path, [...(seen.get(path) ?? []), (await call(path)).status])
      await server.close()
      return paths.map((path) => `${path}:${seen.get(path)?.join(",")}`)
    }
    const forwards = await decisions(paths)
    expect(await decisions([...paths].reverse())).toEqual(forwards)
    expect(forwards.some((d) => d.endsWith("503,200") || d.endsWith("200,503"))).toBe(true)
  })

  it("adds latency", async () => {
    const { server, call } = await start()
    server.setLatency(60)
    const started = Date.now()
    await call("/x")
    expect(Date.now() - started).toBeGreaterThanOrEqual(55)
    await server.close()
  })
})
