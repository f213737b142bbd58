/**
 * The fault matrix for teardown: from a set-up integration, each injected fault makes teardown
 * either complete (retrying only what is transient, honouring Retry-After, treating "already gone"
 * as done) or stop with the right typed error and a remedy — before any write when the state could
 * not be read — and then a clean teardown converges to the seeded state with nothing left behind.
 */
import { assert, describe, it } from "@effect/vitest"
import type { EmulatorOptions, LoggedRequest } from "@sn365/emulator"
import { Effect } from "effect"
import { type ApplyOptions, apply, teardown } from "../../src/Setup.ts"
import { configInput, decoded } from "../support/emulator.ts"
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
import { assertTornDown, baselineOf, tornDown } from "./support/teardown.ts"
import { INSTANCE, makeWorld, runOptions, type World, writesIn } from "./support/world.ts"

reportFigures()

interface Case {
  readonly name: string
  readonly emulator?: EmulatorOptions
  /** Configuration overrides of the run that sets the integration up (teardown uses the standard one). */
  readonly setupConfig?: Record<string, unknown>
  /** Test data the seeded state includes (before the baseline is taken). */
  readonly seed?: (world: World) => void
  /** Set before the setup, for faults that only affect what was just created. */
  readonly beforeSetup?: (world: World) => void
  readonly options?: Partial<ApplyOptions>
  /**
   * The faulty teardown runs with the setup's configuration unless this says `standard` (Basic
   * auth); the converging one always runs with the setup's (the remedy).
   */
  readonly faultyConfig?: "standard"
  /** Injects the fault after the setup (emulator rules and switches); returns what heals it. */
  readonly inject?: (world: World) => (() => void) | undefined
  /** A client-side hook on every request of the faulty teardown, awaited before it is sent (mid-run switches). */
  readonly onRequest?: RequestHook
  readonly expect: Expectation
  /** Proof from the emulator's log that the fault was met, not avoided. */
  readonly met?: (requests: ReadonlyArray<LoggedRequest>) => boolean
  /** Waits before the converging run (a late commit of a timed-out write). */
  readonly settleMs?: number
}

const USER_DELETE = /^\/api\/now\/v2\/table\/sys_user\/[0-9a-f]{32}$/

const cases: ReadonlyArray<Case> = [
  // — throttling —
  {
    name: "429 storm with Retry-After on ServiceNow deletes",
    inject: addFaults({
      kind: "status",
      system: "servicenow",
      method: "DELETE",
      status: 429,
      headers: retryAfter(1),
      times: 3,
    }),
    expect: { outcome: "succeeds", retried: /Throttled \(429\)/, delayMs: 1000 },
  },
  {
    name: "429 storm with Retry-After on Microsoft Graph deletes",
    inject: (w) => {
      w.emulator.microsoft.throttleGraph({ count: 3, retryAfterSeconds: 1, method: "DELETE" })
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
    expect: { outcome: "succeeds", retried: /Throttled \(429\)/ },
  },
  {
    name: "429 asking to wait longer than the retry budget allows",
    inject: addFaults({
      kind: "status",
      system: "servicenow",
      method: "DELETE",
      status: 429,
      headers: retryAfter(3600),
      times: 1,
    }),
    expect: { outcome: "fails", tag: ["ApplyFailed"], message: /Too Many Requests[\s\S]*rate-limit/ },
  },
  {
    name: "a ServiceNow rate-limit rule exhausted mid-run",
    inject: (w) => {
      w.emulator.clock.advance(3_600_000 - (w.emulator.clock.now() % 3_600_000) + 1_000)
      w.emulator.servicenow.addRateLimitRule(INSTANCE, { limitPerHour: 14 })
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
    expect: { outcome: "succeeds", retried: /ServiceUnavailable \(503\)|\(503\)/ },
  },
  {
    name: "502 burst on ServiceNow deletes (idempotent: retried)",
    inject: addFaults({ kind: "status", system: "servicenow", method: "DELETE", status: 502, times: 2 }),
    expect: { outcome: "succeeds", retried: /\(502\)/ },
  },
  {
    name: "502 burst on Graph deletes",
    inject: addFaults({ kind: "status", system: "graph", method: "DELETE", status: 502, times: 2 }),
    expect: { outcome: "succeeds", retried: /\(502\)/ },
  },
  {
    name: "500 on the admin center's repository delete",
    inject: addFaults({ kind: "status", system: "admin", method: "DELETE", status: 500, times: 1 }),
    expect: { outcome: "succeeds", retried: /\(500\)/ },
  },
  {
    name: "500 on the role-grant revocation batch (only DELETEs: retried)",
    inject: addFaults({
      kind: "status",
      system: "servicenow",
      path: "/api/now/v1/batch",
      status: 500,
      times: 1,
    }),
    expect: { outcome: "succeeds", retried: /\(500\)/ },
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
    expect: { outcome: "succeeds", retried: /NetworkError/ },
  },
  {
    name: "connection reset on a ServiceNow delete (before it is processed)",
    inject: addFaults({
      kind: "reset",
      system: "servicenow",
      method: "DELETE",
      path: USER_DELETE,
      times: 1,
    }),
    expect: { outcome: "succeeds", retried: /NetworkError/ },
  },
  {
    name: "connection reset after a ServiceNow delete committed (the retry finds it gone: done)",
    inject: addFaults({
      kind: "reset-after-commit",
      system: "servicenow",
      method: "DELETE",
      path: USER_DELETE,
      times: 1,
    }),
    met: (requests) => requests.some((r) => r.method === "DELETE" && r.status === 404),
    expect: { outcome: "succeeds", retried: /NetworkError/ },
  },
  {
    name: "connection reset after the Graph application delete committed",
    inject: addFaults({
      kind: "reset-after-commit",
      system: "graph",
      method: "DELETE",
      path: /^\/v1\.0\/applications\//,
      times: 1,
    }),
    expect: { outcome: "succeeds", retried: /NetworkError/ },
  },
  {
    name: "connection reset after the admin center deleted the repository",
    inject: addFaults({ kind: "reset-after-commit", system: "admin", method: "DELETE", times: 1 }),
    expect: { outcome: "succeeds", retried: /NetworkError/ },
  },
  {
    name: "connection reset after the revocation batch committed (repeated: the grants are gone, done)",
    inject: addFaults({
      kind: "reset-after-commit",
      system: "servicenow",
      path: "/api/now/v1/batch",
      times: 1,
    }),
    expect: { outcome: "succeeds", retried: /NetworkError/ },
  },
  {
    name: "connection reset after a wizard value was reset (a PATCH: stops the run)",
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
      message: /Step 'Remove App wizard values' failed: PATCH \S+\/sys_properties\/\S+ → network error/,
    },
  },
  {
    name: "an object removed by someone else while teardown runs (its delete answers 404)",
    onRequest: onFirst(
      (request) => request.method === "DELETE" && USER_DELETE.test(new URL(request.url).pathname),
      async (w, request) => {
        const sysId = new URL(request.url).pathname.split("/").at(-1) as string
        const row = w.emulator.servicenow.find(INSTANCE, "sys_user", `sys_id=${sysId}`)[0]
        assert.isDefined(row)
        // Out-of-band removal, as another administrator would do it in the UI, done before
        // sn365's own delete is sent (so that one must meet the 404).
        const removed = await w.emulator.fetch(
          new Request(`https://${INSTANCE}.service-now.com/api/now/table/sys_user/${sysId}`, {
            method: "DELETE",
            headers: { authorization: `Basic ${Buffer.from("admin:admin").toString("base64")}` },
          }),
        )
        assert.strictEqual(removed.status, 204, "the out-of-band delete")
        assert.lengthOf(w.emulator.servicenow.find(INSTANCE, "sys_user", `sys_id=${sysId}`), 0)
      },
    ),
    met: (requests) => requests.some((r) => r.method === "DELETE" && r.status === 404),
    expect: { outcome: "succeeds" },
  },
  // — slowness —
  {
    name: "slow reads past the request timeout",
    inject: addFaults({ kind: "latency", method: "GET", delayMs: 1_500, times: 3 }),
    options: { requestTimeoutMs: 500 },
    expect: { outcome: "succeeds" },
  },
  {
    name: "a slow ServiceNow delete that commits after the client gave up",
    inject: addFaults({
      kind: "latency",
      system: "servicenow",
      method: "DELETE",
      path: USER_DELETE,
      delayMs: 1_000,
      times: 1,
    }),
    options: { requestTimeoutMs: 400 },
    settleMs: 1_500,
    expect: { outcome: "succeeds" },
  },
  {
    name: "Graph never answers the application delete",
    inject: addFaults({
      kind: "hang",
      system: "graph",
      method: "DELETE",
      path: /applications/,
      times: 1,
    }),
    options: { requestTimeoutMs: 1_000 },
    expect: { outcome: "succeeds", retried: /no response|Timeout|NetworkError/ },
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
    name: "teardown right after apply, within Graph's replication lag",
    beforeSetup: (w) => w.emulator.microsoft.setReplicationLag({ objectsMs: 2_500, secretsMs: 2_500 }),
    inject: (w) => () => w.emulator.microsoft.setReplicationLag({ objectsMs: 0, secretsMs: 0 }),
    expect: { outcome: "succeeds" },
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
    name: "the basic-auth gate refuses the account teardown runs as (set up with OAuth; the remedy: OAuth)",
    emulator: { servicenow: { adminBasicAuthApiAccess: false } },
    setupConfig: OAUTH_SETUP,
    seed: insertSetupClient,
    faultyConfig: "standard",
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
    name: "cross-scope reads of the OAuth tables refused (teardown does not need them)",
    inject: (w) => {
      w.emulator.servicenow.setCrossScopeRestricted(INSTANCE, true)
      return () => w.emulator.servicenow.setCrossScopeRestricted(INSTANCE, false)
    },
    expect: { outcome: "succeeds" },
  },
  // — tokens —
  {
    name: "the Entra admin token expires mid-run",
    onRequest: onFirst(
      (request) => isWrite(request, "graph.microsoft.com") || isWrite(request, "admin.microsoft.com"),
      (w) => w.emulator.clock.advance(2 * 3_600_000),
    ),
    met: (requests) =>
      requests.some((r) => (r.system === "graph" || r.system === "admin") && r.status === 401),
    expect: { outcome: "succeeds" },
  },
  {
    name: "the ServiceNow OAuth token expires mid-run",
    setupConfig: OAUTH_SETUP,
    seed: insertSetupClient,
    onRequest: onFirst(
      (request) => isWrite(request, "service-now.com") && !request.url.includes("/oauth_token.do"),
      (w) => w.emulator.clock.advance(2 * 3_600_000),
    ),
    met: (requests) => requests.some((r) => r.system === "servicenow" && r.status === 401),
    expect: { outcome: "succeeds" },
  },
]

describe("teardown fault matrix", () => {
  for (const c of cases)
    it.live(c.name, () =>
      Effect.gen(function* () {
        stats.add("faults")
        const world = yield* makeWorld(c.emulator)
        c.seed?.(world)
        const baseline = baselineOf(world)
        c.beforeSetup?.(world)
        const setup: World =
          c.setupConfig === undefined
            ? world
            : { ...world, config: yield* decoded(configInput(world.emulator, c.setupConfig)) }
        yield* apply(setup.config, runOptions(setup, { secrets: baseline.store }).options)
        const logged = world.emulator.requests.all().length
        const writesBefore = writesIn(world.emulator).length
        const injectedBefore = world.emulator.faults.injected()
        const heal = c.inject?.(world)
        const withRules = world.emulator.faults.list().length > 0
        const faulty = c.faultyConfig === "standard" ? world : setup
        const { options, events } = runOptions(faulty, {
          secrets: baseline.store,
          ...c.options,
          ...(c.onRequest === undefined ? {} : { fetch: hookedFetch(world, c.onRequest) }),
        })
        const exit = yield* Effect.exit(teardown(faulty.config, options))
        const during = world.emulator.requests.all().slice(logged)
        stats.add(
          "faultedRequests",
          during.filter((r) => r.faulted || r.status === 0 || r.status === 429 || r.status >= 500).length,
        )
        // A case that adds emulator fault rules must meet one. Counted when a rule applies, not from
        // the log: a delayed request the client gave up on is logged only once it completes.
        if (withRules)
          assert.isAbove(
            world.emulator.faults.injected() - injectedBefore,
            0,
            "the injected fault was never met",
          )
        if (c.met !== undefined) assert.isTrue(c.met(during), "the fault was never met")
        assertOutcome(c.expect, exit, events, world, writesBefore)
        heal?.()
        world.emulator.faults.clear()
        if (c.settleMs !== undefined) yield* Effect.sleep(c.settleMs)
        const final = yield* tornDown(setup, baseline)
        assertTornDown(final)
      }),
    )
})
