/**
 * Hostile input, generated with fast-check: configuration fields (instance names such as
 * `evil.com/x` or `a@b`, unicode, very long strings, tenants, emails, user names with `^`, `^OR`
 * and commas), and server answers (truncated JSON, HTML, wrong types, huge or empty bodies, next
 * links to other hosts). Whatever comes in, the result is a typed error or a correct result —
 * never a defect, never a request to a host the configuration did not name, never an encoded query
 * that matches anything but the exact value.
 */
import { assert, describe, it } from "@effect/vitest"
import type { Fetch } from "@sn365/core"
import { type Emulator, startEmulator } from "@sn365/emulator"
import { Cause, Effect, Exit } from "effect"
import fc from "fast-check"
import { decodeConfig } from "../../src/Config.ts"
import { apply, plan } from "../../src/Setup.ts"
import { configInput } from "../support/emulator.ts"
import { reportFigures, stats } from "./support/stats.ts"
import {
  assertConverged,
  converge,
  INSTANCE,
  makeWorld,
  runOptions,
  type World,
  wireFetch,
} from "./support/world.ts"

reportFigures()

const SEED = Number(process.env.SN365_FAULTS_SEED ?? 365)
const MICROSOFT_HOSTS = ["login.microsoftonline.com", "graph.microsoft.com", "admin.microsoft.com"]

/** The instance host a configuration names, derived independently of sn365's own code. */
const intendedHost = (instance: string) =>
  /^[a-z0-9-]+$/i.test(instance) ? `${instance.toLowerCase()}.service-now.com` : new URL(instance).host

/** A fetch that records every request and reaches only the emulator (anything else: not found). */
const recording = (emulator: Emulator, seen: Array<URL>): Fetch => {
  const routed = new Set(["graph.microsoft.com", "login.microsoftonline.com", "admin.microsoft.com"])
  return (request) => {
    const url = new URL(request.url)
    seen.push(url)
    if (routed.has(url.hostname) || url.hostname.endsWith(".service-now.com")) return emulator.fetch(request)
    return Promise.reject(new TypeError("fetch failed", { cause: { code: "ENOTFOUND" } }))
  }
}

const withEmulator = <A>(use: (emulator: Emulator) => Promise<A>, options = {}) =>
  startEmulator({
    servicenow: { adminBasicAuthApiAccess: true, invalidQueryReturnsNoRows: true },
    ...options,
  }).then((emulator) => use(emulator).finally(() => emulator.close()))

const noDefect = (exit: Exit.Exit<unknown, unknown>, input: unknown) => {
  if (Exit.isFailure(exit))
    assert.isFalse(
      Cause.hasDies(exit.cause),
      `a defect for ${JSON.stringify(input)}:\n${Cause.pretty(exit.cause)}`,
    )
}

// — configuration —

const hostileInstances = [
  "evil.com/x",
  "a@b",
  "dev365.service-now.com",
  "https://evil.com",
  "https://dev365.service-now.com@evil.com",
  "https://evil.com\\@dev365.service-now.com",
  "https://dev365.service-now.com/x",
  "https://dev365.service-now.com?x=1",
  "https://dev365.service-now.com#x",
  "http://dev365.service-now.com",
  "http://localhost:1234",
  "https://127.0.0.1",
  "https://[::1]:8443",
  "javascript:alert(1)",
  "file:///etc/passwd",
  "//evil.com",
  "dev365?x=1",
  "dev365#frag",
  " dev365",
  "dev365\n",
  "dév365",
  "%2e%2e",
  "-dev",
  "a".repeat(64),
  "a".repeat(300),
  "https://dev365.service-now.com.evil.com",
  "https://xn--dv365-bsa.service-now.com",
]
const hostileTenants = [
  "contoso.onmicrosoft.com/../evil",
  "contoso.onmicrosoft.com?x=1",
  "contoso.onmicrosoft.com#x",
  "evil.com/x",
  "a@b",
  "../../common",
  "common",
  "9c7a4e2b-3650-4d1f-8a65-5e0c1f365365/oauth2",
  "contoso.onmicrosoft.com",
  "9c7a4e2b-3650-4d1f-8a65-5e0c1f365365",
  "ç.com",
  "x".repeat(300),
]
const hostileNames = [
  "a^ORuser_name=admin",
  "a^NQuser_name=admin",
  "a^",
  "^",
  "a,admin",
  "user_nameSTARTSWITHa",
  "admin^EQ",
  "🙂 user",
  "x".repeat(100),
  "x".repeat(101),
  "",
  "a\u0000b",
]

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.string({
    unit: fc.constantFrom("^", "O", "R", ",", "=", "a", "/", "@", ".", ":", "%", " "),
    maxLength: 20,
  }),
)

/** Hostile values per field. */
const hostileFields = fc.record({
  instance: fc.oneof(fc.constantFrom(...hostileInstances), fc.webUrl(), fc.domain(), text),
  tenant: fc.oneof(fc.constantFrom(...hostileTenants), fc.uuid(), fc.domain(), text),
  email: fc.oneof(fc.emailAddress(), text, fc.constantFrom("a@b", "<a@b.c>", "a@b.c\n", "x".repeat(300))),
  prefix: fc.oneof(fc.constantFrom("a", "a-b", "Évil", "x".repeat(30), "sn365^OR"), text),
  integrationUser: fc.oneof(fc.constantFrom(...hostileNames), text),
  repositoryId: fc.oneof(fc.constantFrom("a/b", "../x", "?x=1", "x".repeat(101)), text),
  roles: fc.array(fc.oneof(fc.constantFrom(...hostileNames), text), { maxLength: 4 }),
})
type Fields = typeof hostileFields extends fc.Arbitrary<infer F> ? F : never

/** A valid configuration with one to three fields made hostile. */
const configArbitrary = fc
  .tuple(
    fc.subarray(
      ["instance", "tenant", "email", "prefix", "integrationUser", "repositoryId", "roles"] as const,
      {
        minLength: 1,
        maxLength: 3,
      },
    ),
    hostileFields,
  )
  .map(([chosen, hostile]) => {
    const input: Partial<Fields> & Pick<Fields, "instance" | "tenant" | "email" | "prefix" | "roles"> = {
      instance: INSTANCE,
      tenant: "contoso.onmicrosoft.com",
      email: "admin@contoso.onmicrosoft.com",
      prefix: "sn365",
      roles: [],
    }
    for (const field of chosen) Object.assign(input, { [field]: hostile[field] })
    return input
  })

describe("hostile input", () => {
  it("configuration: a typed InvalidConfig or a run that only reaches the hosts it names", async () => {
    await withEmulator(async (emulator) => {
      const defaults = configInput(emulator) as {
        servicenow: { auth: unknown }
        entra: { auth: unknown }
      }
      let planned = 0
      await fc.assert(
        fc.asyncProperty(configArbitrary, async (input) => {
          stats.add("hostile")
          const raw = {
            variant: "basic",
            servicenow: { instance: input.instance, auth: defaults.servicenow.auth },
            entra: { tenant: input.tenant, auth: defaults.entra.auth },
            integration: {
              m365AdminEmail: input.email,
              prefix: input.prefix,
              ...(input.integrationUser === undefined ? {} : { integrationUser: input.integrationUser }),
              ...(input.repositoryId === undefined ? {} : { repositoryId: input.repositoryId }),
            },
            roles: { insightsUsers: input.roles },
          }
          const decoded = await Effect.runPromiseExit(decodeConfig(raw))
          noDefect(decoded, raw)
          if (Exit.isFailure(decoded)) {
            const error = Cause.squash(decoded.cause) as { _tag: string; problems: ReadonlyArray<unknown> }
            assert.strictEqual(error._tag, "InvalidConfig")
            assert.isNotEmpty(error.problems)
            return
          }
          const config = decoded.value
          planned++
          const seen: Array<URL> = []
          const exit = await Effect.runPromiseExit(
            plan(config, {
              fetch: recording(emulator, seen),
              resolver: async () => [],
              requestTimeoutMs: 2_000,
              replicationBudgetMs: 1_000,
            }),
          )
          noDefect(exit, raw)
          const allowed = new Set([intendedHost(config.servicenow.instance), ...MICROSOFT_HOSTS])
          for (const url of seen) {
            assert.isTrue(allowed.has(url.host), `request to ${url.host} for ${JSON.stringify(raw)}`)
            if (url.hostname === "login.microsoftonline.com")
              assert.strictEqual(url.pathname.split("/")[1], config.entra.tenant, url.href)
          }
        }),
        { seed: SEED, numRuns: 200 },
      )
      // Enough hostile configurations were valid to exercise the requests, not just the decoder.
      assert.isAbove(planned, 40)
    })
  })

  it("user names in roles with ^, ^OR, commas and unicode match exactly those users, never others", async () => {
    const userName = fc.oneof(
      fc.constantFrom(
        ...hostileNames.filter((n) => n.length > 0 && n.length <= 100 && !n.includes("\u0000")),
      ),
      fc.string({
        unit: fc.constantFrom("^", "O", "R", "N", "Q", ",", "=", "a", "b", "é", "🙂", "!"),
        minLength: 1,
        maxLength: 12,
      }),
    )
    // Half the runs have every user present, so the grants are applied, not only planned.
    const existence = fc.oneof(
      fc.constant(Array.from({ length: 6 }, () => true)),
      fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    )
    let applied = 0
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(userName, { minLength: 1, maxLength: 6 }),
        existence,
        async (names, exists) => {
          stats.add("hostile")
          await withEmulator(async (emulator) => {
            const present = names.filter((_, i) => exists[i])
            for (const name of present)
              emulator.servicenow.insert(INSTANCE, "sys_user", { user_name: name, active: "true" })
            const config = await Effect.runPromise(
              decodeConfig(configInput(emulator, { roles: { insightsUsers: names, administrators: [] } })),
            )
            const grantsBefore = new Set(
              emulator.servicenow.records(INSTANCE, "sys_user_has_role").map((g) => g.sys_id),
            )
            const options = { fetch: emulator.fetch, resolver: async () => [], replicationBudgetMs: 5_000 }
            const planned = await Effect.runPromise(plan(config, options))
            const grants = planned.changes.find((c) => c.step === "servicenow.roleGrants")
            const missing = names.filter((n) => !present.includes(n))
            if (missing.length > 0) {
              assert.strictEqual(grants?.action, "blocked", JSON.stringify({ names, present, grants }))
              for (const name of missing.slice(0, 5)) assert.include(grants?.reason ?? "", name)
              return
            }
            assert.strictEqual(grants?.action, "create", JSON.stringify({ names, grants }))
            await Effect.runPromise(apply(config, options))
            applied++
            const role = emulator.servicenow.find(
              INSTANCE,
              "sys_user_role",
              "name=x_mioms_m365_assis.insights_user",
            )[0]
            const users = emulator.servicenow.records(INSTANCE, "sys_user")
            const granted = emulator.servicenow
              .records(INSTANCE, "sys_user_has_role")
              .filter((g) => !grantsBefore.has(g.sys_id) && g.role === role?.sys_id)
              .map((g) => users.find((u) => u.sys_id === g.user)?.user_name)
            assert.sameMembers(granted, names)
          })
        },
      ),
      { seed: SEED, numRuns: 40 },
    )
    assert.isAtLeast(applied, 10)
  })
})

describe("unusual but valid configurations", () => {
  it("converge: after one apply, a second changes nothing and nothing is duplicated", async () => {
    const settings = fc.record({
      prefix: fc.stringMatching(/^[a-z][a-z0-9_-]{1,23}$/),
      integrationUser: fc.option(fc.stringMatching(/^[a-z][a-z0-9._^,-]{0,30}$/), { nil: undefined }),
      repositoryId: fc.option(fc.string({ minLength: 1, maxLength: 100 }), { nil: undefined }),
      secretLifetimeDays: fc.integer({ min: 1, max: 730 }),
      testEnvironment: fc.boolean(),
      ssoWithMicrosoft365: fc.boolean(),
      refreshTokenExpiry: fc.integer({ min: 60, max: 864_000 }),
    })
    await fc.assert(
      fc.asyncProperty(settings, async (integration) => {
        stats.add("hostile")
        await Effect.runPromise(
          Effect.scoped(
            Effect.gen(function* () {
              const world = yield* makeWorld({}, (emulator) => ({
                integration: {
                  m365AdminEmail: emulator.microsoft.defaults.adminUser,
                  ...Object.fromEntries(Object.entries(integration).filter(([, v]) => v !== undefined)),
                },
              }))
              const { options } = runOptions(world)
              yield* apply(world.config, options)
              const final = yield* converge(world)
              const kept = final.result.steps.filter((step) => step.outcome !== "kept")
              assert.deepStrictEqual(
                kept.map((step) => `${step.step}:${step.outcome}`),
                [],
                `a second apply changed something for ${JSON.stringify(integration)}`,
              )
              assertConverged(final)
            }),
          ),
        )
      }),
      { seed: SEED, numRuns: 30 },
    )
  })
})

// — server answers —

/** What a hostile server does to one answer. */
const mutationArbitrary = fc.oneof(
  fc.record({ kind: fc.constant("truncate" as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant("html" as const) }),
  fc.record({ kind: fc.constant("empty" as const) }),
  fc.record({ kind: fc.constant("null" as const) }),
  fc.record({
    kind: fc.constant("wrongType" as const),
    pick: fc.nat(),
    value: fc.constantFrom<unknown>(
      null,
      42,
      true,
      [],
      {},
      "",
      "x".repeat(100_000),
      { sys_id: 1 },
      [[1]],
      -1,
    ),
  }),
  fc.record({ kind: fc.constant("huge" as const) }),
  fc.record({ kind: fc.constant("deep" as const) }),
  fc.record({ kind: fc.constant("nextLink" as const) }),
  fc.record({ kind: fc.constant("binary" as const) }),
)
type Mutation = typeof mutationArbitrary extends fc.Arbitrary<infer M> ? M : never

const EVIL = "evil.example"

/** Every value position of a JSON document, as paths. */
const positions = (
  value: unknown,
  path: ReadonlyArray<string | number> = [],
): Array<ReadonlyArray<string | number>> => {
  if (Array.isArray(value)) return [path, ...value.flatMap((v, i) => positions(v, [...path, i]))]
  if (value !== null && typeof value === "object")
    return [path, ...Object.entries(value).flatMap(([k, v]) => positions(v, [...path, k]))]
  return [path]
}

const replaceAt = (value: unknown, path: ReadonlyArray<string | number>, replacement: unknown): unknown => {
  if (path.length === 0) return replacement
  const [head, ...rest] = path
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? replaceAt(v, rest, replacement) : v))
  if (value !== null && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, k === head ? replaceAt(v, rest, replacement) : v]),
    )
  return value
}

const mutate = async (response: Response, mutation: Mutation): Promise<Response> => {
  const body = await response.text()
  const headers = new Headers(response.headers)
  headers.delete("content-length")
  const json = (value: unknown) => new Response(JSON.stringify(value), { status: response.status, headers })
  switch (mutation.kind) {
    case "truncate":
      return new Response(body.slice(0, Math.floor(body.length * mutation.at)), {
        status: response.status,
        headers,
      })
    case "html":
      headers.set("content-type", "text/html; charset=utf-8")
      return new Response("<!DOCTYPE html><html><body>Service unavailable</body></html>", {
        status: 200,
        headers,
      })
    case "empty":
      return new Response("", { status: 200, headers })
    case "null":
      return new Response("null", { status: 200, headers })
    case "huge":
      return json({ result: [{ name: "x".repeat(8 * 1024 * 1024) }], value: [] })
    case "deep":
      return new Response(`${"[".repeat(100_000)}${"]".repeat(100_000)}`, { status: 200, headers })
    case "binary":
      return new Response(new Uint8Array([0xff, 0xfe, 0x00, 0x7b, 0xc3, 0x28]), {
        status: response.status,
        headers,
      })
    case "nextLink": {
      headers.set("link", `<https://${EVIL}/api/now/v2/table/sys_user?sysparm_offset=1>;rel="next"`)
      let parsed: unknown
      try {
        parsed = JSON.parse(body)
      } catch {
        return new Response(body, { status: response.status, headers })
      }
      return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
        ? json({ ...parsed, "@odata.nextLink": `https://${EVIL}/v1.0/applications?$skiptoken=x` })
        : new Response(body, { status: response.status, headers })
    }
    case "wrongType": {
      let parsed: unknown
      try {
        parsed = JSON.parse(body)
      } catch {
        return new Response(body, { status: response.status, headers })
      }
      const all = positions(parsed)
      return json(replaceAt(parsed, all[mutation.pick % all.length] ?? [], mutation.value))
    }
  }
}

describe("hostile server answers", () => {
  it("truncated, HTML, wrong types, huge, deep, binary, foreign next links: a typed error or a correct result", async () => {
    // How many requests a clean run makes: the hostile answer goes to one of them.
    const requests = await withEmulator(async (emulator) => {
      const config = await Effect.runPromise(decodeConfig(configInput(emulator)))
      emulator.requests.clear()
      await Effect.runPromise(apply(config, { fetch: emulator.fetch, resolver: async () => [] }))
      return emulator.requests.count()
    })
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: requests - 1 }), mutationArbitrary, async (index, mutation) => {
        stats.add("hostile")
        await Effect.runPromise(
          Effect.scoped(
            Effect.gen(function* () {
              const emulator = yield* Effect.acquireRelease(
                Effect.promise(() => startEmulator({ servicenow: { adminBasicAuthApiAccess: true } })),
                (e) => Effect.promise(() => e.close()),
              )
              const config = yield* decodeConfig(configInput(emulator))
              const wire = new Map<string, Set<string>>()
              const world: World = {
                emulator,
                wire,
                fetch: wireFetch(emulator.fetch, wire),
                config,
                names: (yield* Effect.promise(() => import("../../src/Names.ts"))).namesOf(config),
              }
              const seen: Array<URL> = []
              let n = 0
              const hostile: Fetch = async (request) => {
                seen.push(new URL(request.url))
                const response = await world.fetch(request)
                return n++ === index ? mutate(response, mutation) : response
              }
              const exit = yield* Effect.exit(
                apply(config, {
                  fetch: hostile,
                  resolver: async () => [],
                  requestTimeoutMs: 5_000,
                  replicationBudgetMs: 2_000,
                }),
              )
              noDefect(exit, { index, mutation: { ...mutation, value: undefined } })
              for (const url of seen)
                assert.include([`${INSTANCE}.service-now.com`, ...MICROSOFT_HOSTS], url.host, url.href)
              assertConverged(yield* converge(world))
            }),
          ),
        )
      }),
      { seed: SEED, numRuns: 120 },
    )
  })
})
