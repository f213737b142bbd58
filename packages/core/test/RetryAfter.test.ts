import { assert, describe, it } from "@effect/vitest"
import { rateLimitResetMs, retryAfterMs } from "../src/RetryAfter.ts"

const NOW = Date.parse("2026-11-27T10:00:00Z")
const h = (init: Record<string, string>) => new Headers(init)

describe("retryAfterMs", () => {
  it("reads Retry-After delta seconds", () => {
    assert.strictEqual(retryAfterMs(h({ "retry-after": "120" }), NOW), 120_000)
    assert.strictEqual(retryAfterMs(h({ "Retry-After": " 0 " }), NOW), 0)
    assert.strictEqual(retryAfterMs(h({ "retry-after": "1.5" }), NOW), 1500)
  })

  it("reads Retry-After as an HTTP date, relative to now, never negative", () => {
    assert.strictEqual(retryAfterMs(h({ "retry-after": "Fri, 27 Nov 2026 10:00:30 GMT" }), NOW), 30_000)
    assert.strictEqual(retryAfterMs(h({ "retry-after": "Fri, 27 Nov 2026 09:00:00 GMT" }), NOW), 0)
  })

  it("reads retry-after-ms and x-ms-retry-after-ms, which win over Retry-After", () => {
    assert.strictEqual(retryAfterMs(h({ "retry-after-ms": "250", "retry-after": "9" }), NOW), 250)
    assert.strictEqual(retryAfterMs(h({ "x-ms-retry-after-ms": "750", "retry-after": "9" }), NOW), 750)
    assert.strictEqual(retryAfterMs(h({ "retry-after-ms": "100", "x-ms-retry-after-ms": "750" }), NOW), 100)
  })

  it("is undefined when absent or unreadable", () => {
    assert.isUndefined(retryAfterMs(h({}), NOW))
    assert.isUndefined(retryAfterMs(h({ "retry-after": "soon" }), NOW))
    assert.isUndefined(retryAfterMs(h({ "retry-after": "-5" }), NOW))
    assert.strictEqual(retryAfterMs(h({ "retry-after-ms": "x", "retry-after": "2" }), NOW), 2000)
  })
})

describe("rateLimitResetMs", () => {
  it("reads epoch seconds and epoch milliseconds", () => {
    assert.strictEqual(rateLimitResetMs(h({ "x-ratelimit-reset": String(NOW / 1000 + 60) }), NOW), 60_000)
    assert.strictEqual(rateLimitResetMs(h({ "x-ratelimit-reset": String(NOW + 5000) }), NOW), 5000)
    assert.strictEqual(rateLimitResetMs(h({ "x-ratelimit-reset": String(NOW / 1000 - 60) }), NOW), 0)
  })

  it("is undefined when absent or unreadable", () => {
    assert.isUndefined(rateLimitResetMs(h({}), NOW))
    assert.isUndefined(rateLimitResetMs(h({ "x-ratelimit-reset": "later" }), NOW))
  })
})
