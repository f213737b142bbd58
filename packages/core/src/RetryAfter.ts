/**
 * The delay a server asks for before the next attempt.
 *
 * @module
 */
import {
  RATE_LIMIT_RESET_HEADER,
  RETRY_AFTER_HEADER,
  RETRY_AFTER_MS_HEADER,
  X_MS_RETRY_AFTER_MS_HEADER,
} from "./vendor.ts"

const DECIMAL = /^\d+(\.\d+)?$/

const milliseconds = (value: string | null): number | undefined =>
  value !== null && DECIMAL.test(value.trim()) ? Math.round(Number(value.trim())) : undefined

const retryAfter = (value: string | null, nowMs: number): number | undefined => {
  if (value === null) return undefined
  const v = value.trim()
  if (DECIMAL.test(v)) return Math.round(Number(v) * 1000)
  // An HTTP date starts with the day name; `Date.parse` would also accept "-5" or "2026".
  if (!/^[A-Za-z]/.test(v)) return undefined
  const date = Date.parse(v)
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs)
}

/**
 * The server's requested delay in milliseconds, or `undefined` when it sent none (or nothing
 * readable). Looks, in order, at `retry-after-ms`, `x-ms-retry-after-ms` (milliseconds) and
 * `Retry-After` (delta seconds or an HTTP date, measured from `nowMs`); a date in the past is 0.
 *
 * @example
 * ```ts
 * retryAfterMs(new Headers({ "retry-after": "2" }), Date.now())                              // 2000
 * retryAfterMs(new Headers({ "retry-after": "Wed, 21 Oct 2026 07:28:00 GMT" }), Date.now())  // ms until then
 * ```
 */
export const retryAfterMs = (headers: Headers, nowMs: number): number | undefined =>
  milliseconds(headers.get(RETRY_AFTER_MS_HEADER)) ??
  milliseconds(headers.get(X_MS_RETRY_AFTER_MS_HEADER)) ??
  retryAfter(headers.get(RETRY_AFTER_HEADER), nowMs)

// Values this large are epoch milliseconds, smaller ones epoch seconds.
const EPOCH_MS_THRESHOLD = 1e12

/**
 * The delay until a rate-limit window resets (`X-RateLimit-Reset`, UNIX time), for a 429 that
 * carries no `Retry-After`.
 *
 * @internal
 */
export const rateLimitResetMs = (headers: Headers, nowMs: number): number | undefined => {
  const value = headers.get(RATE_LIMIT_RESET_HEADER)?.trim()
  if (value === undefined || !DECIMAL.test(value)) return undefined
  const reset = Number(value)
  return Math.max(0, Math.round(reset >= EPOCH_MS_THRESHOLD ? reset - nowMs : reset * 1000 - nowMs))
}
