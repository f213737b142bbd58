import { describe, expect, it } from "@effect/vitest"
import { adminGraph, start } from "./microsoft-helpers.ts"

const json = { "Content-Type": "application/json" }

describe("graph: $batch", () => {
  it("serves each request, correlates by id, and fails dependants of a failed request with 424", async () => {
    await using emulator = await start()
    const graph = await adminGraph(emulator)
    const batch = await graph("POST", "/$batch", {
      requests: [
        { id: "1", method: "POST", url: "/applications", headers: json, body: { displayName: "batched" } },
        { id: "2", method: "GET", url: "applications?$top=1" },
        { id: "3", method: "GET", url: "/applications/00000000-0000-4000-8000-000000000000" },
        {
          id: "4",
          method: "PATCH",
          url: "/applications/00000000-0000-4000-8000-000000000000",
          headers: json,
          body: { notes: "x" },
          dependsOn: ["3"],
        },
        { id: "5", method: "GET", url: "/servicePrincipals?$top=1", dependsOn: ["2"] },
      ],
    })
    expect(batch.status).toBe(200)
    const byId = Object.fromEntries(batch.body.responses.map((r: { id: string }) => [r.id, r]))
    expect(Object.keys(byId).sort()).toEqual(["1", "2", "3", "4", "5"])
    expect(byId["1"]).toMatchObject({ status: 201, body: { displayName: "batched" } })
    expect(byId["2"].status).toBe(200)
    expect(byId["3"]).toMatchObject({ status: 404, body: { error: { code: "Request_ResourceNotFound" } } })
    expect(byId["4"].status).toBe(424)
    expect(byId["5"].status).toBe(200)
    expect(emulator.microsoft.applications().some((a) => a.displayName === "batched")).toBe(true)
  })

  it("answers responses in an order that is not the request order (seeded)", async () => {
    await using emulator = await start()
    const graph = await adminGraph(emulator)
    const requests = Array.from({ length: 20 }, (_, i) => ({
      id: `r${i}`,
      method: "GET",
      url: "/applications?$top=1",
    }))
    const batch = await graph("POST", "/$batch", { requests })
    const order = batch.body.responses.map((r: { id: string }) => r.id)
    expect([...order].sort()).toEqual(requests.map((r) => r.id).sort())
    expect(order).not.toEqual(requests.map((r) => r.id))
  })

  it("throttles items one by one, each with its own Retry-After", async () => {
    await using emulator = await start()
    const graph = await adminGraph(emulator)
    emulator.microsoft.throttleGraph({ count: 1, retryAfterSeconds: 9, path: "/servicePrincipals" })
    const batch = await graph("POST", "/$batch", {
      requests: [
        { id: "a", method: "GET", url: "/servicePrincipals" },
        { id: "b", method: "GET", url: "/applications" },
      ],
    })
    const byId = Object.fromEntries(batch.body.responses.map((r: { id: string }) => [r.id, r]))
    expect(byId.a).toMatchObject({
      status: 429,
      headers: { "retry-after": "9" },
      body: { error: { code: "TooManyRequests" } },
    })
    expect(byId.b.status).toBe(200)
  })

  it("rejects malformed batches as a whole with 400", async () => {
    await using emulator = await start()
    const graph = await adminGraph(emulator)
    const get = (id: string) => ({ id, method: "GET", url: "/applications" })
    const cases: Array<[unknown, RegExp]> = [
      [{ requests: Array.from({ length: 21 }, (_, i) => get(String(i))) }, /exceeds the limit of 20/],
      [{ requests: [get("x"), get("X")] }, /duplicate request id/],
      [{ requests: [{ ...get("1"), dependsOn: ["9"] }] }, /unknown request '9'/],
      [
        { requests: [{ id: "1", method: "POST", url: "/applications", body: { displayName: "x" } }] },
        /no Content-Type/,
      ],
      [{ requests: [{ id: "1", method: "TRACE", url: "/applications" }] }, /Invalid batch payload/],
      [{}, /Invalid batch payload/],
    ]
    for (const [body, message] of cases) {
      const response = await graph("POST", "/$batch", body)
      expect({ status: response.status, code: response.body.error.code }).toEqual({
        status: 400,
        code: "BadRequest",
      })
      expect(response.body.error.message).toMatch(message)
    }
    const absolute = await graph("POST", "/$batch", {
      requests: [{ id: "1", method: "GET", url: "https://graph.microsoft.com/v1.0/applications" }],
    })
    expect(absolute.body.responses[0].status).toBe(400)
  })
})
