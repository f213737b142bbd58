/**
 * Inbound REST rate-limit rules (servicenow-api.md §5.1–5.2, [SN-RATE]): hourly windows on the
 * emulator clock, counts per user per rule, precedence single user > users with role > all users
 * (lowest limit among matching role rules), `X-RateLimit-*` on every matching request, 429 with
 * `Retry-After` past the limit. Counts bite at once (the platform flushes them every 30 s: not
 * modeled) and there is no `X-RateLimit-Remaining` (§5.2).
 *
 * @module
 */
import { API_NAMES } from "./vendor.ts"

/** Which REST API a rule covers. */
export type RateLimitedApi = keyof typeof API_NAMES

/** A rate-limit rule, as on `sys_rate_limit_rules`. */
export interface RateLimitRule {
  /** Rule name, for people. */
  readonly name?: string
  /** "Request limit per hour". */
  readonly limitPerHour: number
  /** REST API. Default `table`. */
  readonly api?: RateLimitedApi
  /** HTTP method ("Resource" on the platform); all when omitted. */
  readonly method?: string
  /** Table (Table API); all when omitted. */
  readonly table?: string
  /** Apply to one user (`user_name`). */
  readonly user?: string
  /** Apply to users with this role. Without `user` or `role` the rule applies to all users. */
  readonly role?: string
  /** Default `true`. */
  readonly active?: boolean
}

/** The request being counted. */
export interface RateLimitSubject {
  readonly api: RateLimitedApi
  readonly method: string
  readonly table: string | undefined
  readonly userName: string
  readonly roles: ReadonlySet<string>
}

/** The verdict for one request. */
export interface RateLimitVerdict {
  /** `X-RateLimit-*` (and `Retry-After` when limited); empty when no rule matches. */
  readonly headers: Readonly<Record<string, string>>
  /** Set when the request is over the limit. */
  readonly exceeded?: { readonly limit: number; readonly api: string }
}

const HOUR_MS = 3_600_000

/** Rules and counters of one instance. */
export interface RateLimiter {
  /** Adds a rule; returns its sys_id (sent as `X-RateLimit-Rule`). */
  readonly add: (rule: RateLimitRule) => string
  readonly clear: () => void
  /** Clears the counts, like the "Reset Rate Limit Counts" related link. */
  readonly resetCounts: () => void
  readonly rules: () => ReadonlyArray<RateLimitRule & { readonly sys_id: string }>
  /** Counts the request and decides. */
  readonly check: (subject: RateLimitSubject, now: number) => RateLimitVerdict
}

/** @internal */
export const makeRateLimiter = (newSysId: () => string): RateLimiter => {
  let rules: Array<RateLimitRule & { readonly sys_id: string }> = []
  let counts = new Map<string, number>()
  const matches = (rule: RateLimitRule, subject: RateLimitSubject) =>
    rule.active !== false &&
    (rule.api ?? "table") === subject.api &&
    (rule.method === undefined || rule.method.toUpperCase() === subject.method) &&
    (rule.table === undefined || rule.table === subject.table)
  const pick = (subject: RateLimitSubject) => {
    const candidates = rules.filter((rule) => matches(rule, subject))
    const lowest = (list: typeof candidates) =>
      list.reduce<(typeof candidates)[number] | undefined>(
        (best, rule) => (best === undefined || rule.limitPerHour < best.limitPerHour ? rule : best),
        undefined,
      )
    return (
      lowest(candidates.filter((rule) => rule.user === subject.userName)) ??
      lowest(
        candidates.filter(
          (rule) => rule.user === undefined && rule.role !== undefined && subject.roles.has(rule.role),
        ),
      ) ??
      lowest(candidates.filter((rule) => rule.user === undefined && rule.role === undefined))
    )
  }
  return {
    add: (rule) => {
      const sysId = newSysId()
      rules.push({ ...rule, sys_id: sysId })
      return sysId
    },
    clear: () => {
      rules = []
      counts = new Map()
    },
    resetCounts: () => {
      counts = new Map()
    },
    rules: () => rules,
    check: (subject, now) => {
      const rule = pick(subject)
      if (rule === undefined) return { headers: {} }
      const windowStart = Math.floor(now / HOUR_MS) * HOUR_MS
      const reset = windowStart + HOUR_MS
      const key = `${rule.sys_id}|${subject.userName}|${windowStart}`
      const count = (counts.get(key) ?? 0) + 1
      counts.set(key, count)
      const headers: Record<string, string> = {
        "x-ratelimit-limit": String(rule.limitPerHour),
        "x-ratelimit-reset": String(Math.floor(reset / 1000)),
        "x-ratelimit-rule": rule.sys_id,
      }
      if (count <= rule.limitPerHour) return { headers }
      headers["retry-after"] = String(Math.max(1, Math.ceil((reset - now) / 1000)))
      return { headers, exceeded: { limit: rule.limitPerHour, api: API_NAMES[subject.api] } }
    },
  }
}
