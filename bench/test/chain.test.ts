import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import type { LoggedRequest } from "@sn365/emulator"
import { describe, expect, it } from "vitest"
import { chainBreakdown, recordWrites, type Send } from "../lib/chain.ts"

const request = (path: string, startedAt: number, durationMs: number): LoggedRequest => ({
  system: "servicenow",
  method: "GET",
  host: "dev365.service-now.com",
  path: `${path}?sysparm_limit=1`,
  status: 200,
  startedAt,
  durationMs,
  faulted: false,
})

describe("chainBreakdown", () => {
  it("finds the longest run of requests that waited on each other and splits the wall time along it", () => {
    // a (0–52) → b (55–106) → d (110–165); c overlaps b, so it is not on the same chain.
    const log = [
      request("/d", 1110, 55),
      request("/a", 1000, 52),
      request("/c", 1060, 60),
      request("/b", 1055, 51),
    ]
    const sends = [
      { request: "GET /a?sysparm_limit=1", atMs: 998 },
      { request: "GET /b?sysparm_limit=1", atMs: 1054 },
      // A later send of the same request (a retry) does not explain an earlier start.
      { request: "GET /b?sysparm_limit=1", atMs: 1200 },
      { request: "GET /d?sysparm_limit=1", atMs: 1109 },
    ]
    const breakdown = chainBreakdown(log, 50, { startedAtMs: 995, wallMs: 180, sends })
    expect(breakdown.hops).toBe(3)
    expect(breakdown.chain).toEqual([
      "GET dev365.service-now.com /a",
      "GET dev365.service-now.com /b",
      "GET dev365.service-now.com /d",
    ])
    expect(breakdown.serverMs).toBe(2 + 1 + 5)
    expect(breakdown.queuedMs).toBe(2 + 1 + 1)
    expect(breakdown.gapsMs).toEqual([5, 3, 4, 10])
    expect(breakdown.clientMs).toBe(180 - 150 - 8 - 4)
  })

  it("of chains equally long, follows the one that ends last: the one the run waited for", () => {
    // a (0–50) → b (60–110) ends before a (0–50) → c (55–125); d (0–52) → c too, and ends later than a.
    const log = [request("/a", 0, 50), request("/d", 0, 52), request("/b", 60, 50), request("/c", 55, 70)]
    const breakdown = chainBreakdown(log, 50, { startedAtMs: 0, wallMs: 130 })
    expect(breakdown.hops).toBe(2)
    expect(breakdown.chain).toEqual(["GET dev365.service-now.com /d", "GET dev365.service-now.com /c"])
    expect(breakdown.gapsMs).toEqual([0, 3, 5])
  })

  it("counts a request logged a millisecond before the previous one ended as following it (Date.now() resolution)", () => {
    const breakdown = chainBreakdown([request("/a", 0, 50), request("/b", 49, 50)], 50, {
      startedAtMs: 0,
      wallMs: 99,
    })
    expect(breakdown.hops).toBe(2)
  })
})

describe("recordWrites", () => {
  it("records each request as it is written to its socket, until stopped", async () => {
    const server = createServer((_req, res) => res.end("ok"))
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      const sends: Array<Send> = []
      const stop = recordWrites(sends)
      const handedAt = Date.now()
      await (await fetch(`${origin}/api/now/v2/table/sys_user?sysparm_limit=1`)).text()
      stop()
      await (await fetch(`${origin}/not-recorded`)).text()
      expect(sends.map((send) => send.request)).toEqual(["GET /api/now/v2/table/sys_user?sysparm_limit=1"])
      expect(sends[0]?.atMs).toBeGreaterThanOrEqual(handedAt)
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
