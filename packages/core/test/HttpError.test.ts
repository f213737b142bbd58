import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import {
  BadRequest,
  Conflict,
  Forbidden,
  type HttpError,
  InsecureTransport,
  isHttpError,
  isTransient,
  mayHaveBeenProcessed,
  NetworkError,
  NotFound,
  ServerError,
  Throttled,
  Timeout,
  Unauthorized,
  UnexpectedResponse,
  withRemedy,
} from "../src/HttpError.ts"

const req = { method: "GET", url: "https://dev1.service-now.com/api/now/table/sys_user" }

describe("messages", () => {
  it("say method, URL, status, vendor text, request id and remedy", () => {
    const e = new Unauthorized({
      ...req,
      status: 401,
      vendorMessage: "User Not Authenticated",
      vendorDetail: "Required to provide Auth information",
      vendorCode: "E401",
      requestId: "tx-1",
      remedy: "Check the password",
    })
    assert.strictEqual(
      e.message,
      "GET https://dev1.service-now.com/api/now/table/sys_user → 401 Unauthorized: User Not Authenticated (Required to provide Auth information) [E401] [request id tx-1] — Check the password",
    )
    assert.strictEqual(e.toString(), `Unauthorized: ${e.message}`)
  })

  it.each([
    [new BadRequest({ ...req, status: 400 }), "→ 400 Bad Request"],
    [new BadRequest({ ...req, status: 405 }), "→ 405 Method Not Allowed"],
    [new BadRequest({ ...req, status: 421 }), "→ 421 Misdirected Request"],
    [new BadRequest({ ...req, status: 499 }), "→ 499 Bad Request"],
    [new Forbidden({ ...req, status: 403 }), "→ 403 Forbidden"],
    [new NotFound({ ...req, status: 404 }), "→ 404 Not Found"],
    [new Conflict({ ...req, status: 409 }), "→ 409 Conflict"],
    [
      new Throttled({ ...req, status: 429, retryAfterMs: 2000 }),
      "→ 429 Too Many Requests, server asks to wait 2000 ms",
    ],
    [new Throttled({ ...req, status: 429 }), "→ 429 Too Many Requests"],
    [new ServerError({ ...req, status: 503 }), "→ 503 Server Error"],
    [new Timeout({ ...req, timeoutMs: 5000 }), "→ no response within 5000 ms (request aborted)"],
    [
      new NetworkError({ ...req, code: "ECONNRESET", detail: "socket hang up" }),
      "→ network error ECONNRESET (socket hang up)",
    ],
    [new NetworkError(req), "→ network error without a code"],
    [
      new UnexpectedResponse({ ...req, reason: "html-content-type", status: 200, contentType: "text/html" }),
      "→ 200: an HTML page where JSON was expected (text/html)",
    ],
    [
      new UnexpectedResponse({ ...req, reason: "cross-origin-redirect", location: "evil.example" }),
      "→ a redirect to another origin, not followed to evil.example",
    ],
    [new InsecureTransport(req), "→ refused: only https is allowed"],
  ] as ReadonlyArray<[HttpError, string]>)("%s", (error, expected) => {
    assert.include(error.message, expected)
    assert.isTrue(error.message.startsWith(`GET ${req.url}`))
  })
})

describe("isTransient", () => {
  it.each([
    [new Throttled({ ...req, status: 429 }), true],
    [new ServerError({ ...req, status: 500 }), true],
    [new ServerError({ ...req, status: 502 }), true],
    [new ServerError({ ...req, status: 503 }), true],
    [new ServerError({ ...req, status: 504 }), true],
    [new ServerError({ ...req, status: 501 }), false],
    [new ServerError({ ...req, status: 505 }), false],
    [new Timeout({ ...req, timeoutMs: 1 }), true],
    [new NetworkError({ ...req, code: "ECONNRESET" }), true],
    [new NetworkError({ ...req, code: "ECONNREFUSED" }), true],
    [new NetworkError({ ...req, code: "EAI_AGAIN" }), true],
    [new NetworkError({ ...req, code: "UND_ERR_SOCKET" }), true],
    [new NetworkError(req), true],
    [new NetworkError({ ...req, code: "ENOTFOUND" }), false],
    [new NetworkError({ ...req, code: "CERT_HAS_EXPIRED" }), false],
    [new NetworkError({ ...req, code: "DEPTH_ZERO_SELF_SIGNED_CERT" }), false],
    [new NetworkError({ ...req, code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" }), false],
    [new BadRequest({ ...req, status: 408 }), true],
    [new BadRequest({ ...req, status: 400 }), false],
    [new Unauthorized({ ...req, status: 401 }), false],
    [new Forbidden({ ...req, status: 403 }), false],
    [new NotFound({ ...req, status: 404 }), false],
    [new Conflict({ ...req, status: 409 }), false],
    [new UnexpectedResponse({ ...req, reason: "html-body" }), false],
    [new InsecureTransport(req), false],
  ] as ReadonlyArray<[HttpError, boolean]>)("%s → %s", (error, expected) => {
    assert.strictEqual(isTransient(error), expected)
  })
})

describe("withRemedy", () => {
  it("copies the error with the remedy, keeping class and fields", () => {
    const original = new Throttled({ ...req, status: 429, retryAfterMs: 10 })
    const copy = withRemedy(original, "Raise the rate limit rule")
    assert.instanceOf(copy, Throttled)
    assert.strictEqual(copy._tag, "Throttled")
    assert.strictEqual(copy.retryAfterMs, 10)
    assert.strictEqual(copy.remedy, "Raise the rate limit rule")
    assert.isUndefined(original.remedy)
    assert.include(copy.message, "— Raise the rate limit rule")
  })
})

describe("the family", () => {
  it("is recognised by isHttpError, and nothing else is", () => {
    assert.isTrue(isHttpError(new NotFound({ ...req, status: 404 })))
    assert.isFalse(isHttpError(new Error("x")))
    assert.isFalse(isHttpError({ _tag: "NotFound" }))
  })

  it("serialises its fields with its tag", () => {
    const e = new Conflict({ ...req, status: 409, vendorCode: "Request_MultipleObjectsWithSameKeyValue" })
    assert.deepStrictEqual(JSON.parse(JSON.stringify(e)), {
      _tag: "Conflict",
      ...req,
      status: 409,
      vendorCode: "Request_MultipleObjectsWithSameKeyValue",
    })
  })

  it.effect("fails and is caught by tag", () =>
    Effect.gen(function* () {
      const caught = yield* Effect.fail(new Forbidden({ ...req, status: 403 }) as HttpError).pipe(
        Effect.catchTag("Forbidden", (e) => Effect.succeed(e.status)),
        Effect.orElseSucceed(() => 0),
      )
      assert.strictEqual(caught, 403)
    }),
  )

  it("tells a connection that broke once open from one that never opened", () => {
    const network = (code: string | undefined) => new NetworkError({ ...req, code })
    for (const code of ["ECONNRESET", "EPIPE", "UND_ERR_SOCKET"])
      assert.isTrue(mayHaveBeenProcessed(network(code)))
    for (const code of ["ECONNREFUSED", "ENOTFOUND", "CERT_HAS_EXPIRED", undefined])
      assert.isFalse(mayHaveBeenProcessed(network(code)))
  })
})
