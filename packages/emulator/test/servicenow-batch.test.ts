import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import type { Emulator } from "../src/index.ts"
import { client, freshInstance, ITIL, start } from "./servicenow-helpers.ts"

let emulator: Emulator
beforeAll(async () => {
  emulator = await start({ servicenow: { basicAuthGate: false } })
})
afterAll(() => emulator.close())

const fresh = () => client(emulator, freshInstance())
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64")
const unb64 = (value: string) => JSON.parse(Buffer.from(value, "base64").toString("utf8"))
const json = [
  { name: "Content-Type", value: "application/json" },
  { name: "Accept", value: "application/json" },
]

describe("Batch API", () => {
  it("runs items in order with Base64 bodies and per-item results and errors", async () => {
    const sn = fresh()
    const response = await sn.call("/api/now/v1/batch", {
      method: "POST",
      body: {
        batch_request_id: "1",
        rest_requests: [
          {
            id: "11",
            method: "GET",
            url: "/api/now/table/incident?sysparm_limit=1&sysparm_fields=number",
            headers: json,
            exclude_response_headers: true,
          },
          {
            id: "12",
            method: "POST",
            url: "/api/now/v2/table/incident",
            headers: json,
            body: b64({ short_description: "from batch" }),
          },
          { id: "13", method: "GET", url: "/api/now/table/u_nope", headers: json },
          { id: "14", method: "GET", url: "/api/now/v1/batch", headers: json },
        ],
      },
    })
    expect(response.status).toBe(200)
    const { batch_request_id, serviced_requests: served, unserviced_requests } = response.json
    expect([batch_request_id, unserviced_requests]).toEqual(["1", []])
    expect(served.map((s: { id: string; status_code: number }) => [s.id, s.status_code])).toEqual([
      ["11", 200],
      ["12", 201],
      ["13", 400],
      ["14", 400],
    ])
    expect(unb64(served[0].body)).toEqual({ result: [{ number: "INC0010001" }] })
    expect(served[0].headers).toBeUndefined()
    expect(served[1].status_text).toBe("Created")
    expect(served[1].headers).toContainEqual({
      name: "location",
      value: expect.stringContaining("/api/now/v2/table/incident/"),
    })
    expect(served[2].error_message).toBe("Invalid table u_nope")
    expect(typeof served[0].execution_time).toBe("number")
    expect(emulator.servicenow.count(sn.instance, "incident", "short_description=from batch")).toBe(1)
  })

  it("checks each item's ACL with the batch's credentials", async () => {
    const sn = fresh()
    const response = await sn.call("/api/now/v1/batch", {
      method: "POST",
      auth: ITIL,
      body: {
        rest_requests: [
          {
            id: "a",
            method: "POST",
            url: "/api/now/table/oauth_entity",
            headers: json,
            body: b64({ name: "x" }),
          },
        ],
      },
    })
    expect(response.json.serviced_requests[0]).toMatchObject({
      status_code: 403,
      error_message: "Operation Failed",
    })
  })

  it("refuses an unauthenticated batch and leaves items past the 30 s quota unserviced", async () => {
    const sn = fresh()
    const items = ["a", "b", "c", "d"].map((id) => ({
      id,
      method: "GET",
      url: "/api/now/table/sys_user?sysparm_limit=1",
      headers: json,
    }))
    expect(
      (
        await sn.call("/api/now/v1/batch", {
          method: "POST",
          auth: undefined,
          body: { rest_requests: items },
        })
      ).status,
    ).toBe(401)
    emulator.servicenow.setTransactionQuota(sn.instance, { msPerBatchItem: 12_000 })
    const response = await sn.call("/api/now/v1/batch", { method: "POST", body: { rest_requests: items } })
    expect(response.json.serviced_requests.map((s: { id: string }) => s.id)).toEqual(["a", "b"])
    expect(response.json.unserviced_requests).toEqual(["c", "d"])
  })

  it("rejects a malformed batch with 400", async () => {
    const sn = fresh()
    const response = await sn.call("/api/now/v1/batch", {
      method: "POST",
      body: { rest_requests: [{ id: "a" }] },
    })
    expect([response.status, response.json.status]).toEqual([400, "failure"])
  })
})
