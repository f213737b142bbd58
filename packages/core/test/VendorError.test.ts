import { assert, describe, it } from "@effect/vitest"
import { parseVendorError } from "../src/VendorError.ts"

const response = new Response(null, { status: 400 })
const parse = (body: unknown) => parseVendorError(body, response)

describe("parseVendorError", () => {
  it("reads the ServiceNow envelope", () => {
    assert.deepStrictEqual(
      parse({
        error: { message: "User Not Authenticated", detail: "Required to provide Auth information" },
        status: "failure",
      }),
      { message: "User Not Authenticated", detail: "Required to provide Auth information" },
    )
  })

  it("ignores a null ServiceNow detail", () => {
    assert.deepStrictEqual(
      parse({ error: { message: "Invalid table foo", detail: null }, status: "failure" }),
      {
        message: "Invalid table foo",
      },
    )
  })

  it("reads the Graph ODataError envelope with details and innerError request id", () => {
    assert.deepStrictEqual(
      parse({
        error: {
          code: "Request_BadRequest",
          message: "Invalid property value.",
          innerError: { date: "2026-01-01T00:00:00", "request-id": "rid-1", "client-request-id": "cid-1" },
          details: [{ code: "InvalidValue", message: "uniqueName is invalid", target: "uniqueName" }, "junk"],
        },
      }),
      {
        code: "Request_BadRequest",
        message: "Invalid property value.",
        detail: "InvalidValue: uniqueName is invalid (uniqueName)",
        requestId: "rid-1",
      },
    )
  })

  it("reads a lower-case innererror and the client request id when there is no request id", () => {
    assert.deepStrictEqual(parse({ error: { code: "x", innererror: { "client-request-id": "cid" } } }), {
      code: "x",
      requestId: "cid",
    })
  })

  it("reads legacy AAD Graph odata.error", () => {
    assert.deepStrictEqual(
      parse({
        "odata.error": {
          code: "Authorization_RequestDenied",
          message: { lang: "en", value: "Insufficient privileges" },
        },
      }),
      { code: "Authorization_RequestDenied", message: "Insufficient privileges" },
    )
  })

  it("reads the identity platform envelope", () => {
    assert.deepStrictEqual(
      parse({
        error: "invalid_client",
        error_description:
          "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: t-1\r\nCorrelation ID: c-1\r\nTimestamp: 2026-01-01 00:00:00Z",
        error_codes: [7000215],
        trace_id: "t-1",
        correlation_id: "c-1",
      }),
      {
        code: "invalid_client",
        message: "AADSTS7000215: Invalid client secret provided.",
        detail: "Trace ID: t-1; Correlation ID: c-1; Timestamp: 2026-01-01 00:00:00Z",
        requestId: "t-1",
      },
    )
  })

  it("reads an OAuth error without a description", () => {
    assert.deepStrictEqual(parse({ error: "invalid_grant", correlation_id: "c" }), {
      code: "invalid_grant",
      requestId: "c",
    })
  })

  it("reads top-level code and message", () => {
    assert.deepStrictEqual(parse({ code: "E1", message: "boom" }), { code: "E1", message: "boom" })
    assert.deepStrictEqual(parse({ error_message: "boom" }), { message: "boom" })
  })

  it("reads text bodies, HTML titles, and gives up on nothing useful", () => {
    assert.deepStrictEqual(parse("Service Unavailable\n"), { message: "Service Unavailable" })
    assert.deepStrictEqual(parse("<!DOCTYPE html><html><head><title> 503 Gateway </title></head></html>"), {
      message: "503 Gateway",
    })
    assert.isUndefined(parse("<html><body>no title</body></html>"))
    assert.strictEqual(parse("x".repeat(1000))?.message?.length, 300)
    assert.isUndefined(parse(""))
    assert.isUndefined(parse(undefined))
    assert.isUndefined(parse([1, 2]))
    assert.isUndefined(parse({ result: [] }))
    assert.isUndefined(parse({ error: { details: [] } }))
  })
})
