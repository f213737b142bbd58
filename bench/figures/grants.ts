/**
 * Figure 3: bulk role grants. `x_mioms_m365_assis.insights_user` for N users, some of whom hold
 * it already — sn365's `apply` (Batch API, bounded concurrency, 429 honoured) against one grant
 * request at a time, and against the limit that batch size, concurrency and the rate limit allow.
 *
 * @module
 */
import type { LoggedRequest } from "@sn365/emulator"
import { makeServiceNow, Query } from "@sn365/servicenow"
import { memorySecretStore, setupIntegration, vendor } from "@sn365/setup"
import { Effect, Redacted, Stream } from "effect"
import { type Identities, identitiesOf, setupConfig } from "../lib/config.ts"
import { type Bench, INSTANCE, touch } from "../lib/host.ts"
import type { TaskContext } from "../lib/protocol.ts"
import { median } from "../lib/stats.ts"

/** Users to grant the role to. */
export const GRANT_USERS = 2000
/** Every n-th of them holds the role already. */
const ALREADY_GRANTED_EVERY = 10
/** The emulator's rate-limit rule on the Batch API for the run (requests per hour per user). */
export const BATCH_RATE_LIMIT_PER_HOUR = 100
/** How many names go into one `IN` read of the baseline. */
const READ_CHUNK = 100

const userNames = (count: number) =>
  Array.from({ length: count }, (_, i) => `user${String(i + 1).padStart(6, "0")}`)

interface GrantArgs {
  readonly identities: Identities
  readonly users: number
}

/** Tasks run in the worker. */
export const tasks = {
  /** A plain setup first (not timed), so the timed apply below only has the grants to make. */
  prepare: async ({ identities }: GrantArgs, { fetch }: TaskContext) => {
    await setupIntegration(setupConfig(identities), {
      fetch,
      secrets: memorySecretStore(),
      resolver: async () => [],
    })
    return true
  },
  /** sn365: `apply` with N insights users. */
  ours: async ({ identities, users }: GrantArgs, { fetch }: TaskContext) => {
    const started = performance.now()
    const result = await setupIntegration(setupConfig(identities, { insightsUsers: userNames(users) }), {
      fetch,
      secrets: memorySecretStore(),
      resolver: async () => [],
    })
    const wallMs = performance.now() - started
    const grants = result.steps.find((step) => step.step === "servicenow.roleGrants")
    return { wallMs, detail: grants?.detail ?? "" }
  },
  /** One request at a time: the same reads, then one POST per missing grant, each awaited. */
  oneByOne: async ({ users }: GrantArgs, { fetch }: TaskContext) => {
    const sn = makeServiceNow({
      instanceUrl: INSTANCE,
      auth: { type: "basic", username: "admin", password: Redacted.make("admin") },
      fetch,
    })
    const started = performance.now()
    const program = Effect.gen(function* () {
      const role = yield* sn.table("sys_user_role").first({
        query: Query.make<{ name: string }>().eq("name", vendor.ROLE_INSIGHTS_USER),
        fields: ["sys_id"],
      })
      const roleId = role?.sys_id ?? ""
      const names = userNames(users)
      const ids: Array<string> = []
      const held = new Set<string>()
      for (let i = 0; i < names.length; i += READ_CHUNK) {
        const found = yield* sn
          .table("sys_user")
          .list({
            query: Query.make<{ user_name: string }>().in("user_name", names.slice(i, i + READ_CHUNK)),
            fields: ["sys_id"],
          })
          .pipe(Stream.runCollect)
        const chunk = found.map((row) => String(row.sys_id))
        ids.push(...chunk)
        const grants = yield* sn
          .table("sys_user_has_role")
          .list({
            query: Query.make<{ user: string; role: string }>().in("user", chunk).eq("role", roleId),
            fields: ["user"],
          })
          .pipe(Stream.runCollect)
        for (const grant of grants) held.add(String(grant.user))
      }
      let created = 0
      for (const user of ids) {
        if (held.has(user)) continue
        yield* sn.table("sys_user_has_role").create({ user, role: roleId }, { fields: ["sys_id"] })
        created++
      }
      return created
    })
    const created = await Effect.runPromise(program)
    return { wallMs: performance.now() - started, created }
  },
}

/** The numbers of figure 3. */
export interface GrantFigures {
  readonly users: number
  readonly alreadyGranted: number
  readonly granted: number
  readonly ours: {
    readonly wallMs: ReadonlyArray<number>
    readonly medianMs: number
    readonly batches: number
    readonly batchSize: number
    readonly concurrency: number
    readonly throttled: number
    readonly requests: number
    /** The emulator's own time to execute the inserts (measured without latency, see `serverTime`). */
    readonly serverMs: number
  }
  readonly oneByOne: {
    readonly wallMs: number
    readonly requests: number
    readonly created: number
    /** Mean time the emulator took per request beyond the injected latency. */
    readonly serverMsPerRequest: number
  }
  readonly rateLimitPerHour: number
  /** What batch size, concurrency, latency and server time allow, in ms (see {@link limitMs}). */
  readonly limitMs: number
  readonly duplicates: number
  readonly missing: number
  /** Figure 3: one-at-a-time ÷ ours. */
  readonly speedUp: number
  /** Figure 3: ours ÷ the limit. */
  readonly vsLimit: number
}

/** The most requests in flight at once among `requests`. */
export const peakConcurrency = (requests: ReadonlyArray<LoggedRequest>): number => {
  const edges = requests.flatMap((r) => [
    { at: r.startedAt, delta: 1 },
    { at: r.startedAt + r.durationMs, delta: -1 },
  ])
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta)
  let current = 0
  let peak = 0
  for (const edge of edges) {
    current += edge.delta
    peak = Math.max(peak, current)
  }
  return peak
}

/**
 * The limit: the reads the apply needs before any write (the Graph token, then the app — two
 * round trips; the users and their grants are read alongside), then ⌈B/c⌉ rounds of c concurrent
 * batches, where B = ⌈missing grants / batch size⌉ must fit the hourly rate limit, and no faster
 * than the server can execute the items one after another (the emulator runs them on one thread,
 * as a ServiceNow batch runs its items in sequence).
 */
export const limitMs = (input: {
  readonly latencyMs: number
  readonly batches: number
  readonly concurrency: number
  readonly serverMs: number
  readonly rateLimitPerHour: number
}): number => {
  const readHops = 2
  const rounds = Math.ceil(input.batches / Math.max(1, input.concurrency))
  if (input.batches > input.rateLimitPerHour)
    throw new Error(`${input.batches} batches exceed the rate limit of ${input.rateLimitPerHour}/hour`)
  return readHops * input.latencyMs + Math.max(rounds * input.latencyMs, input.latencyMs + input.serverMs)
}

const isBatch = (r: LoggedRequest) => r.method === "POST" && r.path.startsWith("/api/now/v1/batch")

/** Seeds N users, grants every n-th the role, adds the Batch API rate-limit rule. */
const seed = (bench: Bench, users: number) => {
  const { emulator } = bench
  emulator.reset()
  touch(emulator)
  emulator.servicenow.seedUsers(INSTANCE, users)
  const names = userNames(users)
  for (let i = ALREADY_GRANTED_EVERY - 1; i < names.length; i += ALREADY_GRANTED_EVERY)
    emulator.servicenow.grantRole(INSTANCE, names[i] as string, vendor.ROLE_INSIGHTS_USER)
  emulator.servicenow.addRateLimitRule(INSTANCE, {
    name: "bench: Batch API",
    api: "batch",
    limitPerHour: BATCH_RATE_LIMIT_PER_HOUR,
  })
}

/** Grants of the role per user, from the emulator's own state. */
const grantCounts = (bench: Bench) => {
  const role = bench.emulator.servicenow.find(
    INSTANCE,
    "sys_user_role",
    `name=${vendor.ROLE_INSIGHTS_USER}`,
  )[0]
  const counts = new Map<string, number>()
  for (const grant of bench.emulator.servicenow.find(INSTANCE, "sys_user_has_role", `role=${role?.sys_id}`)) {
    const user = String(grant.user)
    counts.set(user, (counts.get(user) ?? 0) + 1)
  }
  return counts
}

const checkGrants = (bench: Bench, users: number) => {
  const counts = grantCounts(bench)
  const ids = new Set(
    bench.emulator.servicenow
      .find(INSTANCE, "sys_user", "user_nameSTARTSWITHuser")
      .map((row) => String(row.sys_id)),
  )
  let duplicates = 0
  let missing = 0
  for (const id of ids) {
    const count = counts.get(id) ?? 0
    if (count === 0) missing++
    if (count > 1) duplicates += count - 1
  }
  if (ids.size !== users) throw new Error(`expected ${users} users, found ${ids.size}`)
  return { duplicates, missing }
}

/**
 * How long the emulator itself takes to execute the grants: the same inserts sent straight to it in
 * as many batches, without latency, timed by its own request log (so no client time is included).
 */
const serverTime = async (bench: Bench, users: number, batches: number): Promise<number> => {
  const { emulator } = bench
  seed(bench, users)
  emulator.servicenow.clearRateLimitRules(INSTANCE)
  const role = emulator.servicenow.find(INSTANCE, "sys_user_role", `name=${vendor.ROLE_INSIGHTS_USER}`)[0]
  const held = grantCounts(bench)
  const missing = emulator.servicenow
    .find(INSTANCE, "sys_user", "user_nameSTARTSWITHuser")
    .map((row) => String(row.sys_id))
    .filter((id) => !held.has(id))
  const size = Math.ceil(missing.length / Math.max(1, batches))
  emulator.setLatency(0)
  emulator.requests.clear()
  try {
    for (let start = 0; start < missing.length; start += size) {
      const items = missing.slice(start, start + size).map((user, i) => ({
        id: String(start + i),
        method: "POST",
        url: "/api/now/v2/table/sys_user_has_role?sysparm_fields=sys_id",
        headers: [
          { name: "Content-Type", value: "application/json" },
          { name: "Accept", value: "application/json" },
        ],
        body: Buffer.from(JSON.stringify({ user, role: role?.sys_id })).toString("base64"),
      }))
      const response = await emulator.fetch(
        new Request(`https://${INSTANCE}.service-now.com/api/now/v1/batch`, {
          method: "POST",
          headers: {
            authorization: `Basic ${Buffer.from("admin:admin").toString("base64")}`,
            "content-type": "application/json",
            accept: "application/json",
          },
          body: JSON.stringify({ rest_requests: items }),
        }),
      )
      if (!response.ok) throw new Error(`calibration batch failed: ${response.status}`)
      await response.arrayBuffer()
    }
    return emulator.requests.all().reduce((sum, r) => sum + r.durationMs, 0)
  } finally {
    emulator.setLatency(bench.latencyMs)
  }
}

/** Runs figure 3. */
export const grantFigures = async (bench: Bench): Promise<GrantFigures> => {
  const { emulator, latencyMs } = bench
  const identities = identitiesOf(emulator)
  const users = GRANT_USERS
  const alreadyGranted = Math.floor(users / ALREADY_GRANTED_EVERY)
  const worker = await bench.worker()
  try {
    const wall: Array<number> = []
    let last: {
      batches: number
      concurrency: number
      throttled: number
      requests: number
      serverMs: number
    } = {
      batches: 0,
      concurrency: 0,
      throttled: 0,
      requests: 0,
      serverMs: 0,
    }
    let verdict = { duplicates: 0, missing: 0 }
    for (let run = 0; run < bench.warmups + bench.runs; run++) {
      bench.log(
        `grants: sn365 run ${run + 1}/${bench.warmups + bench.runs}${run < bench.warmups ? " (warm-up)" : ""}`,
      )
      seed(bench, users)
      await worker.run("grants.prepare", { identities, users })
      emulator.requests.clear()
      const ours = await worker.run<{ wallMs: number }>("grants.ours", { identities, users })
      const log = emulator.requests.all()
      const batches = log.filter(isBatch)
      const serviced = batches.filter((r) => r.status === 200)
      const result = checkGrants(bench, users)
      verdict = {
        duplicates: Math.max(verdict.duplicates, result.duplicates),
        missing: Math.max(verdict.missing, result.missing),
      }
      if (run < bench.warmups) continue
      wall.push(ours.wallMs)
      last = {
        batches: serviced.length,
        concurrency: peakConcurrency(batches),
        throttled: log.filter((r) => r.status === 429).length,
        requests: log.length,
        serverMs: 0,
      }
    }
    last = { ...last, serverMs: await serverTime(bench, users, last.batches) }

    bench.log(`grants: one request at a time (${users - alreadyGranted} sequential POSTs, one run)`)
    seed(bench, users)
    emulator.requests.clear()
    const baseline = await worker.run<{ wallMs: number; created: number }>("grants.oneByOne", {
      identities,
      users,
    })
    const baselineLog = emulator.requests.all()
    const baselineRequests = baselineLog.length
    const baselineServerMs =
      baselineLog.reduce((sum, r) => sum + Math.max(0, r.durationMs - latencyMs), 0) / baselineLog.length
    const baselineCheck = checkGrants(bench, users)
    if (baselineCheck.missing > 0 || baselineCheck.duplicates > 0)
      throw new Error(`the one-at-a-time baseline left ${JSON.stringify(baselineCheck)}`)

    const granted = users - alreadyGranted
    const oursMedian = median(wall)
    const limit = limitMs({
      latencyMs,
      batches: last.batches,
      concurrency: last.concurrency,
      serverMs: last.serverMs,
      rateLimitPerHour: BATCH_RATE_LIMIT_PER_HOUR,
    })
    return {
      users,
      alreadyGranted,
      granted,
      ours: {
        wallMs: wall,
        medianMs: oursMedian,
        batches: last.batches,
        batchSize: Math.ceil(granted / Math.max(1, last.batches)),
        concurrency: last.concurrency,
        throttled: last.throttled,
        requests: last.requests,
        serverMs: last.serverMs,
      },
      oneByOne: {
        wallMs: baseline.wallMs,
        requests: baselineRequests,
        created: baseline.created,
        serverMsPerRequest: baselineServerMs,
      },
      rateLimitPerHour: BATCH_RATE_LIMIT_PER_HOUR,
      limitMs: limit,
      duplicates: verdict.duplicates,
      missing: verdict.missing,
      speedUp: baseline.wallMs / oursMedian,
      vsLimit: oursMedian / limit,
    }
  } finally {
    await worker.close()
  }
}
