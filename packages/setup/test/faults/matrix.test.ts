/**
 * The fault matrix: for each injected fault the setup either succeeds (retrying only what is
 * transient, honouring Retry-After) or stops with the right typed error and a remedy — before any
 * write when preflight can know — and then a clean run converges with no duplicate, no orphan and
 * credentials that work together.
 */
import { assert, describe, it } from "@effect/vitest"
import type { EmulatorOptions, LoggedRequest } from "@sn365/emulator"
import { Effect } from "effect"
import { decodeConfig } from "../../src/Config.ts"
import { namesOf } from "../../src/Names.ts"
import { type ApplyOptions, apply } from "../../src/Setup.ts"
import { configInput } from "../support/emulator.ts"
import {
  addFaults,
  hookedFetch,
  insertSetupClient,
  isWrite,
  OAUTH_SETUP,
  onFirst,
  type RequestHook,
  retryAfter,
} from "./support/inject.ts"
import { assertOutcome, type Expectation } from "./support/outcome.ts"
import { reportFigures, stats } from "./support/stats.ts"
import { assertConverged, converge, INSTANCE, makeWorld, runOptions, type World } from "./support/world.ts"

reportFigures()

interface Case {
  readonly name: string
  readonly emulator?: EmulatorOptions
  readonly config?: Record<string, unknown>
  readonly options?: Partial<ApplyOptions>
  /** Injects the fault (emulator rules and switches); returns what heals it. */
  readonly inject?: (world: World) => (() => void) | undefined
  /** A client-side hook on every request, awaited before it is sent (mid-run switches). */
  readonly onRequest?: RequestHook
  readonly expect: Expectation
  /** Config changes the remedy asks for, applied before the converging run. */
  readonly remedy?: Record<string, unknown>
  /** Proof from the emulator's log that the fault was met, not avoided. */
  readonly met?: (requests: ReadonlyArray<LoggedRequest>) => boolean
  /** Waits before the converging run (a late commit of a timed-out write). */
  readonly settleMs?: number
}

const TABLE_POST = /^\/api\/now\/v2\/table\//

const cases: ReadonlyArray<Case> = [
  // — throttling —
  {
    name: "429 storm with Retry-After on ServiceNow creates (retried: the server did not process them)",
    inject: addFaults({
      kind: "status",
      system: "servicenow",
      method: "POST",
      path: TABLE_POST,
      status: 429,
      headers: retryAfter(1),
      times: 3,
    }),
    expect: { outcome: "succeeds", retried: /Throttled \(429\)/, delayMs: 1000 },
  },
  {
    name: "429 storm with Retry-After on Microsoft Graph",
    inject: (w) => {
      w.emulator.microsoft.throttleGraph({ count: 3, retryAfterSeconds: 1, method: "PATCH" })
      return undefined
    },
    expect: { outcome: "succeeds", retried: /Throttled \(429\)/, delayMs: 1000 },
  },
  {
    name: "429 storm with Retry-After on the admin center",
    inject: addFaults({
      kind: "status",
      system: "admin",
      status: 429,
      headers: retryAfter(1),
      times: 3,
    }),
    expect: { outcome: "succeeds" },
  },
  {
    name: "429 asking to wait longer than the retry budget allows",
    inject: addFaults({
      kind: "status",
      system: "servicenow",
      method: "POST",
      path: TABLE_POST,
      status: 429,
      headers: retryAfter(3600),
      times: 1,
    }),
    expect: {
      outcome: "fails",
      tag: ["ApplyFailed"],
      message: /Too Many Requests[\s\S]*rate-limit/,
    },
  },
  {
    name: "a ServiceNow rate-limit rule exhausted mid-run",
    inject: (w) => {
      // Hourly windows: start at the top of an hour, so the wait asked for is always long.
      w.emulator.clock.advance(3_600_000 - (w.emulator.clock.now() % 3_600_000) + 1_000)
      // About 20 Table API requests make a first setup (9 of them reads): 12 run out mid-apply.
      w.emulator.servicenow.addRateLimitRule(INSTANCE, { limitPerHour: 12 })
      return () => w.emulator.servicenow.clearRateLimitRules(INSTANCE)
    },
    expect: { outcome: "fails", tag: ["ApplyFailed", "PreflightFailed"], message: /Too Many Requests/ },
  },
  {
    name: "Graph's per-application write quota exhausted",
    inject: (w) => {
      w.emulator.microsoft.setGraphWriteQuota({ requests: 1, windowMs: 150_000 })
      return () => w.emulator.microsoft.setGraphWriteQuota(undefined)
    },
    expect: { outcome: "fails", tag: ["ApplyFailed"], message: /Too Many Requests/ },
  },
  // — server errors —
  {
    name: "503 burst with Retry-After on reads",
    inject: addFaults({ kind: "status", method: "GET", status: 503, headers: retryAfter(1), times: 4 }),
    expect: { outcome: "succeeds" },
  },
  {
    name: "502 burst on the Graph upsert (idempotent by its key: retried)",
    inject: addFaults({ kind: "status", system: "graph", method: "PATCH", status: 502, times: 2 }),
    expect: { outcome: "succeeds", retried: /ServerError \(502\)/ },
  },
  {
    name: "500 on a ServiceNow create (it may have committed: not retried)",
    inject: addFaults({
      kind: "status",
      system: "servicenow",
      method: "POST",
      path: "/api/now/v2/table/oauth_entity",
      status: 500,
      times: 1,
    }),
    expect: { outcome: "fails", tag: ["ApplyFailed"], message: /500 Server Error[\s\S]*run apply again/ },
  },
  {
    name: "500 on addPassword",
    inject: addFaults({ kind: "status", system: "graph", path: /addPassword$/, status: 500, times: 1 }),
    expect: { outcome: "fails", tag: ["ApplyFailed"], message: /500 Server Error/ },
  },
  {
    name: "500 on the repository create in the admin center",
    inject: addFaults({ kind: "status", system: "admin", method: "POST", status: 500, times: 1 }),
    expect: { outcome: "fails", tag: ["ApplyFailed"], message: /500 Server Error/ },
  },
  {
    name: "a storm of random 503s and resets on every read",
    inject: (w) => {
      w.emulator.faults.add({ kind: "reset", method: "GET", probability: 0.1 })
      w.emulator.faults.add({ kind: "status", method: "GET", status: 503, probability: 0.15 })
      return () => w.emulator.faults.clear()
    },
    options: { requestTimeoutMs: 2_000 },
    expect: { outcome: "succeeds" },
  },
  // — connections —
  {
    name: "connection resets on reads",
    inject: addFaults({ kind: "reset", method: "GET", times: 4 }),
    expect: { outcome: "succeeds" },
  },
  {
    name: "connection reset on a ServiceNow create (before it is processed)",
    inject: addFaults({
      kind: "reset",
      system: "servicenow",
      method: "POST",
      path: TABLE_POST,
      times: 1,
    }),
    expect: { outcome: "fails", tag: ["ApplyFailed"], message: /network error/ },
  },
  {
    name: "connection reset after a ServiceNow create committed",
    inject: addFaults({
      kind: "reset-after-commit",
      system: "servicenow",
      method: "POST",
      path: TABLE_POST,
      times: 1,
    }),
    expect: { outcome: "fails", tag: ["ApplyFailed"], message: /network error/ },
  },
  {
    name: "connection reset after a wizard value's PATCH committed (not repeated: stops the run)",
    inject: addFaults({
      kind: "reset-after-commit",
      system: "servicenow",
      method: "PATCH",
      path: /sys_properties/,
      times: 1,
    }),
    expect: {
      outcome: "fails",
      tag: ["ApplyFailed"],
      message: /Step 'App wizard values' failed: PATCH \S+\/sys_properties\/\S+ → network error/,
    },
  },
  {
    name: "connection reset after addPassword committed (a secret nobody saw)",
    inject: addFaults({ kind: "reset-after-commit", system: "graph", path: /addPassword$/, times: 1 }),
    expect: { outcome: "fails", tag: ["ApplyFailed"], message: /network error/ },
  },
  {
    name: "connection reset after the Graph upsert committed (repeated safely)",
    inject: addFaults({ kind: "reset-after-commit", system: "graph", method: "PATCH", times: 1 }),
    expect: { outcome: "succeeds", retried: /NetworkError/ },
  },
  {
    name: "connection reset after the admin center saved the repository",
    inject: addFaults({ kind: "reset-after-commit", system: "admin", method: "POST", times: 1 }),
    expect: { outcome: "fails", tag: ["ApplyFailed"], message: /network error/ },
  },
  // — slowness —
  {
    name: "slow reads past the request timeout",
    inject: addFaults({ kind: "latency", method: "GET", delayMs: 1_500, times: 3 }),
    options: { requestTimeoutMs: 500 },
    expect: { outcome: "succeeds" },
  },
  {
    name: "a slow ServiceNow create that commits after the client gave up",
    inject: addFaults({
      kind: "latency",
      system: "servicenow",
      method: "POST",
      path: "/api/now/v2/table/sys_user",
      delayMs: 1_000,
      times: 1,
    }),
    options: { requestTimeoutMs: 400 },
    settleMs: 1_500,
    expect: { outcome: "fails", tag: ["ApplyFailed"], message: /no response within 400 ms/ },
  },
  {
    name: "Graph never answers addPassword",
    inject: addFaults({ kind: "hang", system: "graph", path: /addPassword$/, times: 1 }),
    options: { requestTimeoutMs: 1_000 },
    expect: { outcome: "fails", tag: ["ApplyFailed"], message: /no response within 1000 ms/ },
  },
  {
    name: "the admin center never answers a read",
    inject: addFaults({ kind: "hang", system: "admin", method: "GET", times: 1 }),
    options: { requestTimeoutMs: 1_000 },
    expect: { outcome: "succeeds" },
  },
  {
    name: "the token endpoint never answers",
    inject: addFaults({ kind: "hang", system: "login", times: 1 }),
    options: { requestTimeoutMs: 1_000 },
    expect: { outcome: "succeeds" },
  },
  // — Graph replication —
  {
    name: "Graph replication lag within the bound",
    inject: (w) => {
      w.emulator.microsoft.setReplicationLag({ objectsMs: 2_500, secretsMs: 2_500 })
      return () => w.emulator.microsoft.setReplicationLag({ objectsMs: 0, secretsMs: 0 })
    },
    expect: { outcome: "succeeds", retried: /NotFound|BadRequest|Forbidden|InvalidClient|Unauthorized/ },
  },
  {
    name: "Graph replication lag beyond the bound",
    inject: (w) => {
      w.emulator.microsoft.setReplicationLag({ objectsMs: 60_000, secretsMs: 60_000 })
      return () => {
        w.emulator.microsoft.setReplicationLag({ objectsMs: 0, secretsMs: 0 })
        w.emulator.clock.advance(61_000)
      }
    },
    options: { replicationBudgetMs: 1_500 },
    expect: { outcome: "fails", tag: ["ApplyFailed"], message: /ReplicationLag|replicat/ },
  },
  // — ServiceNow conditions —
  {
    name: "a hibernating instance",
    inject: (w) => {
      w.emulator.servicenow.setHibernating(INSTANCE, true)
      return () => w.emulator.servicenow.setHibernating(INSTANCE, false)
    },
    expect: { outcome: "fails", tag: ["PreflightFailed"], message: /hibernat[\s\S]*Wake/i, noWrites: true },
  },
  {
    name: "the instance hibernates mid-run",
    onRequest: (w, request) => {
      if (isWrite(request, "service-now.com")) w.emulator.servicenow.setHibernating(INSTANCE, true)
    },
    inject: (w) => () => w.emulator.servicenow.setHibernating(INSTANCE, false),
    expect: { outcome: "fails", tag: ["ApplyFailed"], message: /hibernat[\s\S]*Wake/i },
  },
  {
    name: "the basic-auth gate refuses the setup account",
    emulator: { servicenow: { adminBasicAuthApiAccess: false } },
    inject: (w) => () => w.emulator.servicenow.grantRole(INSTANCE, "admin", "snc_basic_auth_api_access"),
    expect: {
      outcome: "fails",
      tag: ["PreflightFailed"],
      message: /snc_basic_auth_api_access/,
      noWrites: true,
    },
  },
  {
    name: "the Table API transaction quota cancels every request",
    inject: (w) => {
      w.emulator.servicenow.setTransactionQuota(INSTANCE, { cancelAll: true })
      return () => w.emulator.servicenow.setTransactionQuota(INSTANCE, {})
    },
    expect: { outcome: "fails", tag: ["PreflightFailed"], message: /Transaction cancelled/, noWrites: true },
  },
  {
    name: "cross-scope reads of the OAuth tables refused",
    inject: (w) => {
      w.emulator.servicenow.setCrossScopeRestricted(INSTANCE, true)
      return undefined
    },
    expect: {
      outcome: "fails",
      tag: ["CrossScopeAccessDenied"],
      message: /oauth_entity[\s\S]*fixCrossScopeAccess/,
      noWrites: true,
    },
    remedy: { fixCrossScopeAccess: true },
  },
  // — tokens and policies —
  {
    name: "the Entra admin token expires mid-run",
    onRequest: onFirst(
      (request) => isWrite(request, "graph.microsoft.com"),
      (w) => w.emulator.clock.advance(2 * 3_600_000),
    ),
    met: (requests) => requests.some((r) => r.system === "graph" && r.status === 401),
    expect: { outcome: "succeeds" },
  },
  {
    name: "the ServiceNow OAuth token expires mid-run",
    config: OAUTH_SETUP,
    inject: (w) => {
      insertSetupClient(w)
      return undefined
    },
    onRequest: onFirst(
      (request) => isWrite(request, "service-now.com") && !request.url.includes("/oauth_token.do"),
      (w) => w.emulator.clock.advance(2 * 3_600_000),
    ),
    met: (requests) => requests.some((r) => r.system === "servicenow" && r.status === 401),
    expect: { outcome: "succeeds" },
  },
  {
    name: "a tenant policy caps secret lifetimes",
    inject: (w) => {
      w.emulator.microsoft.setSecretLifetimePolicy({ maxLifetimeMs: 90 * 86_400_000, policyId: "policy-90d" })
      return undefined
    },
    expect: { outcome: "fails", tag: ["ApplyFailed"], message: /secretLifetimeDays/ },
    remedy: { secretLifetimeDays: 60 },
  },
]

describe("fault matrix", () => {
  for (const c of cases)
    it.live(c.name, () =>
      Effect.gen(function* () {
        stats.add("faults")
        const world = yield* makeWorld(c.emulator, () => c.config ?? {})
        const injectedBefore = world.emulator.faults.injected()
        const heal = c.inject?.(world)
        const withRules = world.emulator.faults.list().length > 0
        const { options, events } = runOptions(world, {
          ...c.options,
          ...(c.onRequest === undefined ? {} : { fetch: hookedFetch(world, c.onRequest) }),
        })
        const exit = yield* Effect.exit(apply(world.config, options))
        const faulted = world.emulator.requests
          .all()
          .filter((r) => r.faulted || r.status === 0 || r.status === 429 || r.status >= 500).length
        stats.add("faultedRequests", faulted)
        // A case that adds emulator fault rules must meet one. Counted when a rule applies, not from
        // the log: a delayed request the client gave up on is logged only once it completes.
        if (withRules)
          assert.isAbove(
            world.emulator.faults.injected() - injectedBefore,
            0,
            "the injected fault was never met",
          )
        if (c.met !== undefined)
          assert.isTrue(c.met(world.emulator.requests.all()), "the fault was never met")
        assertOutcome(c.expect, exit, events, world)
        heal?.()
        world.emulator.faults.clear()
        if (c.settleMs !== undefined) yield* Effect.sleep(c.settleMs)
        const healed =
          c.remedy === undefined
            ? world
            : yield* Effect.map(
                decodeConfig(
                  configInput(world.emulator, {
                    integration: { ...(world.config.integration as object), ...c.remedy },
                  }),
                ),
                (config) => ({ ...world, config, names: namesOf(config) }),
              )
        const final = yield* converge(healed)
        assertConverged(final)
      }),
    )
})
