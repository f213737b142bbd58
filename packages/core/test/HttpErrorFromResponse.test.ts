import { assert, describe, it } from "@effect/vitest"
import type { HttpError } from "../src/HttpError.ts"
import { httpErrorFromResponse, requestIdFrom } from "../src/HttpErrorFromResponse.ts"

const NOW = Date.parse("2026-11-27T10:00:00Z")
const url = "https://graph.microsoft.com/v1.0/applications?$filter=x&client_secret=leak"

const fromStatus = (
  status: number,
  body: unknown = undefined,
  headers: Record<string, string> = {},
): HttpError =>
  httpErrorFromResponse({
    method: "get",
    url,
    response: new Response(null, { status, headers }),
    body,
    nowMs: NOW,
  })

describe("httpErrorFromResponse", () => {
  it.each([
    [400, "BadRequest"],
    [401, "Unauthorized"],
    [403, "Forbidden"],
    [404, "NotFound"],
    [405, "BadRequest"],
    [406, "BadRequest"],
    [408, "BadRequest"],
    [409, "Conflict"],
    [410, "BadRequest"],
    [415, "BadRequest"],
    [422, "BadRequest"],
    [429, "Throttled"],
    [500, "ServerError"],
    [501, "ServerError"],
    [502, "ServerError"],
    [503, "ServerError"],
    [504, "ServerError"],
    [505, "ServerError"],
    [599, "ServerError"],
    [302, "UnexpectedResponse"],
    [200, "UnexpectedResponse"],
  ])("%i → %s", (status, tag) => {
    const error = fromStatus(status)
    assert.strictEqual(error._tag, tag)
    assert.strictEqual(error.method, "GET")
    assert.strictEqual(
      error.url,
      "https://graph.microsoft.com/v1.0/applications?$filter=x&client_secret=<redacted>",
    )
    assert.strictEqual((error as { status?: number }).status, status)
  })

  it("parses the ServiceNow envelope", () => {
    const error = fromStatus(404, {
      error: {
        message: "No Record found",
        detail: "Record doesn't exist or ACL restricts the record retrieval",
      },
      status: "failure",
    })
    assert.strictEqual(error._tag, "NotFound")
    if (error._tag !== "NotFound") return
    assert.strictEqual(error.vendorMessage, "No Record found")
    assert.strictEqual(error.vendorDetail, "Record doesn't exist or ACL restricts the record retrieval")
  })

  it("parses the Graph envelope and takes the request id from the header first", () => {
    const body = {
      error: {
        code: "Authorization_RequestDenied",
        message: "Insufficient privileges",
        innerError: { "request-id": "body-id" },
      },
    }
    const withHeader = fromStatus(403, body, { "request-id": "header-id" })
    const withoutHeader = fromStatus(403, body)
    assert.strictEqual(
      withHeader._tag === "Forbidden" && withHeader.vendorCode,
      "Authorization_RequestDenied",
    )
    assert.strictEqual(withHeader.requestId, "header-id")
    assert.strictEqual(withoutHeader.requestId, "body-id")
  })

  it("parses the identity-platform envelope", () => {
    const error = fromStatus(401, {
      error: "invalid_client",
      error_description: "AADSTS7000215: Invalid client secret provided.",
    })
    assert.strictEqual(error._tag, "Unauthorized")
    if (error._tag !== "Unauthorized") return
    assert.strictEqual(error.vendorCode, "invalid_client")
    assert.strictEqual(error.vendorMessage, "AADSTS7000215: Invalid client secret provided.")
  })

  it("reads request ids from the default headers, in order, and from configured ones", () => {
    assert.strictEqual(fromStatus(500, undefined, { "x-transaction-id": "sn-tx" }).requestId, "sn-tx")
    assert.strictEqual(
      fromStatus(500, undefined, { "x-ms-request-id": "ms", "client-request-id": "c" }).requestId,
      "ms",
    )
    const custom = httpErrorFromResponse({
      method: "GET",
      url,
      response: new Response(null, { status: 500, headers: { "x-custom-id": "custom", "request-id": "g" } }),
      body: undefined,
      requestIdHeaders: ["x-custom-id"],
      nowMs: NOW,
    })
    assert.strictEqual(custom.requestId, "custom")
    assert.isUndefined(requestIdFrom(new Headers({ "request-id": " " }), ["request-id"]))
  })

  it("carries the server delay on 429 and 503", () => {
    const throttled = fromStatus(429, undefined, { "retry-after": "3" })
    const unavailable = fromStatus(503, undefined, { "retry-after-ms": "40" })
    const reset = fromStatus(429, undefined, { "x-ratelimit-reset": String(NOW / 1000 + 3600) })
    const none = fromStatus(429)
    assert.strictEqual(throttled._tag === "Throttled" && throttled.retryAfterMs, 3000)
    assert.strictEqual(unavailable._tag === "ServerError" && unavailable.retryAfterMs, 40)
    assert.strictEqual(reset._tag === "Throttled" && reset.retryAfterMs, 3_600_000)
    assert.isTrue(none._tag === "Throttled" && none.retryAfterMs === undefined)
  })

  it("uses a custom vendor parser, survives a throwing one, and clips long messages", () => {
    const custom = httpErrorFromResponse({
      method: "POST",
      url,
      response: new Response(null, { status: 400 }),
      body: { weird: "shape" },
      parseVendorError: () => ({ code: "MINE", message: "m".repeat(2000) }),
      nowMs: NOW,
    })
    assert.isTrue(custom._tag === "BadRequest" && custom.vendorCode === "MINE")
    assert.isTrue(custom._tag === "BadRequest" && custom.vendorMessage?.length === 501)
    const broken = httpErrorFromResponse({
      method: "POST",
      url,
      response: new Response(null, { status: 400 }),
      body: {},
      parseVendorError: () => {
        throw new Error("bug")
      },
      nowMs: NOW,
    })
    assert.strictEqual(broken._tag, "BadRequest")
  })

  it("scrubs known secrets the server echoes back", () => {
    const error = httpErrorFromResponse({
      method: "POST",
      url,
      response: new Response(null, { status: 400 }),
      body: { error: { message: "Password 'Echo3dPass' is too weak", detail: "password=Echo3dPass" } },
      secrets: ["Echo3dPass"],
      nowMs: NOW,
    })
    assert.notInclude(JSON.stringify(error), "Echo3dPass")
    assert.notInclude(error.message, "Echo3dPass")
  })
})
