/**
 * The world a fault test runs in: an emulator, a fetch that records every secret that crosses
 * the wire (so the final state can be checked end to end without trusting sn365's own account),
 * and the checks every case ends with — no duplicate, no orphan, and a converged integration
 * whose credentials actually work together.
 */
import { assert } from "@effect/vitest"
import type { Fetch } from "@sn365/core"
import type { Emulator, EmulatorOptions } from "@sn365/emulator"
import { Effect } from "effect"
import type { SetupConfig } from "../../../src/Config.ts"
import type { SetupEvent } from "../../../src/Events.ts"
import { MANAGED_TAG, type Names, namesOf, recordedKeyId } from "../../../src/Names.ts"
import type { SetupOptions } from "../../../src/Options.ts"
import { memorySecretStore } from "../../../src/Secrets.ts"
import { type ApplyOptions, apply, plan, verify } from "../../../src/Setup.ts"
import { ROLE_INCIDENT_MANAGER } from "../../../src/vendor.ts"
import { configInput, decoded, emulatorForSetup, INSTANCE } from "../../support/emulator.ts"
import { stats } from "./stats.ts"

export { INSTANCE }

/** Secret values seen on the wire, by field name (`client_secret`, `user_password`, `secretText`…). */
export type Wire = Map<string, Set<string>>

/** Field names whose values are secrets sn365 generates and hands to a system. */
const SECRET_FIELDS = new Set(["client_secret", "user_password", "clientSecret", "restUserPassword"])

const collect = (wire: Wire, value: unknown) => {
  if (Array.isArray(value)) for (const item of value) collect(wire, item)
  else if (value !== null && typeof value === "object")
    for (const [key, v] of Object.entries(value)) {
      if (SECRET_FIELDS.has(key) && typeof v === "string") {
        const set = wire.get(key) ?? new Set<string>()
        set.add(v)
        wire.set(key, set)
      } else collect(wire, v)
    }
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/**
 * A fetch in front of the emulator that records the secrets of every request that reaches it, and
 * the `secretText` of every `addPassword` answer (when an answer arrives at all).
 */
export const wireFetch =
  (next: Fetch, wire: Wire): Fetch =>
  async (request) => {
    if (request.body !== null) collect(wire, parse(await request.clone().text()))
    const response = await next(request)
    if (request.url.endsWith("/addPassword") && response.ok) {
      const body = parse(await response.clone().text()) as { secretText?: unknown } | undefined
      if (typeof body?.secretText === "string") collect(wire, { client_secret: body.secretText })
    }
    return response
  }

/** One fault test's world. */
export interface World {
  readonly emulator: Emulator
  readonly wire: Wire
  /** The emulator's fetch behind the wire recorder; wrap it to inject client-side faults. */
  readonly fetch: Fetch
  readonly config: SetupConfig
  readonly names: Names
}

/** Starts an emulator (scoped) and decodes the standard config, with optional overrides. */
export const makeWorld = (
  options: EmulatorOptions = {},
  overrides: (emulator: Emulator) => Record<string, unknown> = () => ({}),
) =>
  Effect.gen(function* () {
    const emulator = yield* emulatorForSetup(options)
    const config = yield* decoded(configInput(emulator, overrides(emulator)))
    const wire: Wire = new Map()
    return {
      emulator,
      wire,
      fetch: wireFetch(emulator.fetch, wire),
      config,
      names: namesOf(config),
    } satisfies World
  })

/** Options for one run: a private secret store (a crash loses it), no DNS, an event log. */
export const runOptions = (world: World, extra: Partial<ApplyOptions> = {}) => {
  const events: Array<SetupEvent> = []
  const options: ApplyOptions = {
    fetch: world.fetch,
    secrets: memorySecretStore(),
    resolver: async () => [],
    onEvent: (event) => events.push(event),
    replicationBudgetMs: 20_000,
    requestTimeoutMs: 5_000,
    ...extra,
  }
  return { options, events }
}

type Row = Readonly<Record<string, unknown>>

const str = (value: unknown) => (typeof value === "string" ? value : undefined)

/** What the emulator holds for this setup, found by natural keys only. */
export const stateOf = (world: World) => {
  const { emulator, names } = world
  const sn = (table: string) => emulator.servicenow.records(INSTANCE, table) as ReadonlyArray<Row>
  const apps = emulator.microsoft
    .applications()
    .filter(
      (a) =>
        a.uniqueName === names.appUniqueName ||
        a.displayName === names.appDisplayName ||
        (((a.tags as Array<string> | undefined) ?? []).includes(MANAGED_TAG) &&
          ((a.tags as Array<string> | undefined) ?? []).includes(`sn365:instance:${names.instance}`)),
    )
  const app = apps[0]
  const appId = str(app?.appId)
  const servicePrincipals = emulator.microsoft.servicePrincipals().filter((sp) => sp.appId === appId)
  const secrets = ((app?.passwordCredentials as ReadonlyArray<Row> | undefined) ?? []).filter(
    (c) => c.displayName === names.secretDisplayName,
  )
  const oauth = sn("oauth_entity")
  const providers = oauth.filter((r) => r.name === names.outboundProviderName)
  const inbounds = oauth.filter((r) => r.name === names.inboundClientName)
  const provider = providers[0]
  const profiles = sn("oauth_entity_profile").filter(
    (r) => provider !== undefined && r.oauth_entity === provider.sys_id,
  )
  const users = sn("sys_user")
  const integrationUsers = users.filter((r) => r.user_name === names.integrationUser)
  const userId = (name: string) => users.find((u) => u.user_name === name)?.sys_id
  const roleId = (name: string) => sn("sys_user_role").find((r) => r.name === name)?.sys_id
  const grants = sn("sys_user_has_role")
  const grantsOf = (user: string, role: string) =>
    grants.filter((g) => g.user === userId(user) && g.role === roleId(role) && g.inherited !== "true")
  const properties = sn("sys_properties").filter((p) => str(p.name)?.startsWith("x_mioms_m365_assis."))
  const support = emulator.microsoft.supportIntegration()
  const repositories = support.repositories.filter((r) => r.repository === names.repositoryId)
  return {
    apps,
    app,
    appId,
    servicePrincipals,
    secrets,
    providers,
    inbounds,
    profiles,
    integrationUsers,
    grantsOf,
    properties,
    repositories,
    basicInformation: support.basicInformation,
  }
}

/** The grants a config asks for, plus the integration user's own role. */
const wantedGrants = (world: World) => [
  { user: world.names.integrationUser, role: ROLE_INCIDENT_MANAGER },
  ...world.config.roles.insightsUsers.map((user) => ({ user, role: "x_mioms_m365_assis.insights_user" })),
  ...world.config.roles.administrators.map((user) => ({ user, role: "x_mioms_m365_assis.administrator" })),
]

/**
 * Duplicates and orphans: more than one of anything sn365 manages, or an sn365 secret on the app
 * that ServiceNow does not hold. Valid at any moment (also mid-way through a failed run, except
 * for the secret check, which only a converged run must pass).
 */
export const duplicatesIn = (world: World): Array<string> => {
  const s = stateOf(world)
  const many = (what: string, n: number) => (n > 1 ? [`${n} × ${what}`] : [])
  const propertyNames = new Map<string, number>()
  for (const p of s.properties)
    propertyNames.set(String(p.name), (propertyNames.get(String(p.name)) ?? 0) + 1)
  const found = [
    ...many("Entra application", s.apps.length),
    ...many("service principal", s.servicePrincipals.length),
    ...many("outbound provider", s.providers.length),
    ...many("inbound OAuth endpoint", s.inbounds.length),
    ...many("outbound profile", s.profiles.length),
    ...many("integration user", s.integrationUsers.length),
    ...wantedGrants(world).flatMap(({ user, role }) =>
      many(`grant ${user} → ${role}`, s.grantsOf(user, role).length),
    ),
    ...[...propertyNames].flatMap(([name, n]) => many(`property ${name}`, n)),
    ...many("repository", s.repositories.length),
  ]
  stats.add("duplicates", found.length)
  return found
}

/** An sn365 secret on the app that the provider does not record: left behind, unreported. */
export const orphansIn = (world: World): Array<string> => {
  const s = stateOf(world)
  const recorded = recordedKeyId(str(s.providers[0]?.comments))
  const found = s.secrets
    .filter((c) => str(c.keyId)?.toLowerCase() !== recorded)
    .map((c) => `Entra secret ${str(c.keyId)} that ServiceNow does not hold`)
  stats.add("orphans", found.length)
  return found
}

/**
 * Whether the integration is complete and its credentials fit together: exactly one of each
 * object; the provider holds a current secret of the app; the repository holds the inbound
 * endpoint's secret and the integration user's password; the admin center names the app; the
 * wizard is complete. Returns what is wrong.
 */
export const problemsIn = (world: World): Array<string> => {
  const { emulator, names, wire } = world
  const s = stateOf(world)
  const problems: Array<string> = []
  const one = (what: string, n: number) => {
    if (n !== 1) problems.push(`${n} × ${what}, expected 1`)
  }
  one("Entra application", s.apps.length)
  one("service principal", s.servicePrincipals.length)
  one("sn365 Entra secret", s.secrets.length)
  one("outbound provider", s.providers.length)
  one("inbound OAuth endpoint", s.inbounds.length)
  one("outbound profile", s.profiles.length)
  one("integration user", s.integrationUsers.length)
  for (const { user, role } of wantedGrants(world))
    one(`grant ${user} → ${role}`, s.grantsOf(user, role).length)
  one("repository", s.repositories.length)
  const provider = s.providers[0]
  const inbound = s.inbounds[0]
  const repository = s.repositories[0]
  const sent = (field: string) => [...(wire.get(field) ?? [])]
  if (provider !== undefined && s.appId !== undefined) {
    const held = sent("client_secret").find((v) =>
      emulator.servicenow.secretMatches(
        INSTANCE,
        "oauth_entity",
        String(provider.sys_id),
        "client_secret",
        v,
      ),
    )
    if (held === undefined) problems.push("the outbound provider holds no secret sn365 sent")
    else if (!emulator.microsoft.isSecretValid(s.appId, held))
      problems.push("the outbound provider's secret is not a valid secret of the app")
    if (recordedKeyId(str(provider.comments)) !== str(s.secrets[0]?.keyId)?.toLowerCase())
      problems.push("the provider does not record the keyId of the app's sn365 secret")
  }
  if (repository !== undefined && inbound !== undefined) {
    const clientSecret = sent("clientSecret").find((v) =>
      emulator.microsoft.isRepositorySecretValid(names.repositoryId, "clientSecret", v),
    )
    if (
      clientSecret === undefined ||
      !emulator.servicenow.secretMatches(
        INSTANCE,
        "oauth_entity",
        String(inbound.sys_id),
        "client_secret",
        clientSecret,
      )
    )
      problems.push("the repository's client secret is not the inbound endpoint's secret")
    const password = sent("restUserPassword").find((v) =>
      emulator.microsoft.isRepositorySecretValid(names.repositoryId, "restUserPassword", v),
    )
    if (
      password === undefined ||
      !emulator.servicenow.passwordMatches(INSTANCE, names.integrationUser, password)
    )
      problems.push("the repository's rest user password is not the integration user's password")
    if (repository.clientId !== inbound.client_id)
      problems.push("the repository's client id is not the inbound endpoint's")
  }
  if (s.basicInformation.applicationId !== s.appId) problems.push("Basic information does not name the app")
  const summary = emulator.servicenow.setupSummary(INSTANCE)
  if (summary.setup_complete !== "true") problems.push("the wizard is not complete")
  if (summary.outbound_app_id !== s.appId) problems.push("the wizard's outbound app is not the app")
  return problems
}

/**
 * A clean run after whatever happened: apply succeeds, a plan afterwards changes nothing, verify
 * passes, and the state has no duplicate, no orphan and no problem. Fails the test otherwise.
 */
export const converge = (world: World, extra: Partial<SetupOptions> = {}) =>
  Effect.gen(function* () {
    const { options } = runOptions(world, extra)
    const result = yield* apply(world.config, options)
    const after = yield* plan(world.config, options)
    const verified = yield* verify(world.config, options)
    const notKept = after.changes.filter((c) => c.action !== "keep").map((c) => `${c.step}:${c.action}`)
    const failed = verified.checks.filter((c) => c.status === "fail").map((c) => `${c.id}: ${c.message}`)
    return {
      result,
      notKept,
      failedChecks: failed,
      duplicates: duplicatesIn(world),
      orphans: orphansIn(world),
      problems: problemsIn(world),
    }
  })

/** What {@link converge} found wrong; each part must be empty. */
export interface Converged {
  readonly duplicates: ReadonlyArray<string>
  readonly orphans: ReadonlyArray<string>
  readonly problems: ReadonlyArray<string>
  readonly notKept: ReadonlyArray<string>
  readonly failedChecks: ReadonlyArray<string>
}

/** Asserts what {@link converge} returned: no duplicate, no orphan, no problem, nothing to change, verify passes. */
export const assertConverged = (final: Converged) => {
  assert.deepStrictEqual(final.duplicates, [], "duplicates")
  assert.deepStrictEqual(final.orphans, [], "orphans")
  assert.deepStrictEqual(final.problems, [], "not converged")
  assert.deepStrictEqual(final.notKept, [], "a plan after the converging run still changes")
  assert.deepStrictEqual(final.failedChecks, [], "verify")
}

/** Writes in the emulator's request log (token requests are not writes). */
export const writesIn = (emulator: Emulator) =>
  emulator.requests
    .all()
    .filter(
      (r) =>
        r.method !== "GET" &&
        r.method !== "HEAD" &&
        r.system !== "login" &&
        !r.path.startsWith("/oauth_token.do"),
    )
