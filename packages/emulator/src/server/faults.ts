/**
 * Transport-level fault injection shared by every emulated system. System-specific conditions
 * (ServiceNow hibernation, the basic-auth gate, Graph replication lag…) are switches on each
 * system instead, because they change what the system itself answers.
 *
 * @module
 */
import type { EmulatorRequest, EmulatorResponse, SystemName } from "./http.ts"
import type { Random } from "./random.ts"

/**
 * What a matching request suffers:
 * - `status`: answered with `status` (and `headers`, e.g. `Retry-After`) in the system's own error
 *   envelope; the system never sees the request.
 * - `latency`: delayed by `delayMs`, then served normally.
 * - `reset`: the connection is destroyed before the request is processed (nothing is committed).
 * - `reset-after-commit`: the request is processed and its change committed, then the connection
 *   is destroyed before any response byte is sent — the client cannot know it succeeded.
 * - `hang`: no response at all until the emulator closes (a client timeout must fire).
 */
export type FaultKind = "status" | "latency" | "reset" | "reset-after-commit" | "hang"

/** One fault rule. Rules are checked in the order they were added; the first match applies. */
export interface FaultRule {
  readonly kind: FaultKind
  /** Which system; all when omitted. */
  readonly system?: SystemName
  /** HTTP method, upper-case; any when omitted. */
  readonly method?: string
  /** Matched against the URL path: a string is a prefix, a RegExp is tested. Any when omitted. */
  readonly path?: string | RegExp
  /** Let this many matching requests through before the rule starts to apply. Default 0. */
  readonly skip?: number
  /** Apply to this many matching requests, then retire the rule. Default: forever. */
  readonly times?: number
  /**
   * Apply with this probability (0..1). Default 1. The draw is a hash of the emulator's seed, the
   * rule and the request (system, method, path and query, and how many times this rule has seen
   * that same request), so concurrent requests get the same decisions whatever order they arrive in.
   */
  readonly probability?: number
  /** For `status`. */
  readonly status?: number
  /** For `status`: extra response headers such as `Retry-After`. */
  readonly headers?: Readonly<Record<string, string>>
  /** For `latency`. */
  readonly delayMs?: number
}

/** The decision for one request. */
export type FaultDecision =
  | { readonly kind: "none" }
  | { readonly kind: "status"; readonly status: number; readonly headers: Readonly<Record<string, string>> }
  | { readonly kind: "latency"; readonly delayMs: number }
  | { readonly kind: "reset" | "reset-after-commit" | "hang" }

interface ActiveRule {
  readonly rule: FaultRule
  readonly id: number
  seen: number
  applied: number
  /** How often this rule has seen each request, for the probability draw. */
  readonly occurrences: Map<string, number>
}

/** Adds, lists and clears fault rules at run time. */
export interface FaultController {
  /** Adds a rule; returns a function that removes it. */
  readonly add: (rule: FaultRule) => () => void
  /** Removes every rule. */
  readonly clear: () => void
  /** The rules still active, with how often each has applied. */
  readonly list: () => ReadonlyArray<{ readonly rule: FaultRule; readonly applied: number }>
  /** Total number of requests any rule has applied to since the emulator started. */
  readonly injected: () => number
}

const pathMatches = (pattern: string | RegExp | undefined, path: string) =>
  pattern === undefined || (typeof pattern === "string" ? path.startsWith(pattern) : pattern.test(path))

// FNV-1a over the text, then mulberry32's finaliser: a float in [0, 1) that depends only on its input.
const hashToUnit = (seed: number, text: string): number => {
  let h = (0x811c9dc5 ^ seed) >>> 0
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0
  h = Math.imul(h ^ (h >>> 15), h | 1)
  h ^= h + Math.imul(h ^ (h >>> 7), h | 61)
  return ((h ^ (h >>> 14)) >>> 0) / 4294967296
}

/** @internal */
export const makeFaults = (random: Random, initial: ReadonlyArray<FaultRule> = []) => {
  const seed = Math.floor(random.next() * 4294967296)
  let nextId = 0
  const activate = (rule: FaultRule): ActiveRule => ({
    rule,
    id: nextId++,
    seen: 0,
    applied: 0,
    occurrences: new Map(),
  })
  let rules: Array<ActiveRule> = initial.map(activate)
  let injected = 0

  const draw = (active: ActiveRule, system: SystemName, request: EmulatorRequest): number => {
    const key = `${system} ${request.method} ${request.url.pathname}${request.url.search}`
    const occurrence = (active.occurrences.get(key) ?? 0) + 1
    active.occurrences.set(key, occurrence)
    return hashToUnit(seed, `${active.id}|${key}|${occurrence}`)
  }

  const decide = (system: SystemName, request: EmulatorRequest): FaultDecision => {
    for (const active of rules) {
      const { rule } = active
      if (rule.system !== undefined && rule.system !== system) continue
      if (rule.method !== undefined && rule.method !== request.method) continue
      if (!pathMatches(rule.path, request.url.pathname)) continue
      active.seen++
      if (active.seen <= (rule.skip ?? 0)) continue
      if (rule.probability !== undefined && draw(active, system, request) >= rule.probability) continue
      active.applied++
      injected++
      if (rule.times !== undefined && active.applied >= rule.times) {
        rules = rules.filter((r) => r !== active)
      }
      switch (rule.kind) {
        case "status":
          return { kind: "status", status: rule.status ?? 500, headers: rule.headers ?? {} }
        case "latency":
          return { kind: "latency", delayMs: rule.delayMs ?? 0 }
        default:
          return { kind: rule.kind }
      }
    }
    return { kind: "none" }
  }

  const controller: FaultController = {
    add: (rule) => {
      const active = activate(rule)
      rules.push(active)
      return () => {
        rules = rules.filter((r) => r !== active)
      }
    },
    clear: () => {
      rules = []
    },
    list: () => rules.map(({ rule, applied }) => ({ rule, applied })),
    injected: () => injected,
  }
  return { decide, controller }
}

/** @internal A fault `status` answered in a system's own error envelope. */
export type FaultResponder = (status: number, request: EmulatorRequest) => EmulatorResponse
