/**
 * Teardown never touches what sn365 does not manage. Look-alikes are seeded — objects with sn365's
 * names but without its marker (set up by hand, as the procedure describes), another prefix's
 * integration on the same instance, another instance's integration in the same tenant, an
 * unrelated Entra app with sn365's display name, a user not listed in `roles` holding the app's
 * roles — and after teardown everything but sn365's own objects is byte for byte what it was
 * (bookkeeping included: not even a write that changed nothing).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { makeEnv } from "../../src/internal/env.ts"
import { namesOf } from "../../src/Names.ts"
import { apply, teardown } from "../../src/Setup.ts"
import { ROLE_ADMINISTRATOR, ROLE_INCIDENT_MANAGER, ROLE_INSIGHTS_USER } from "../../src/vendor.ts"
import { configInput, decoded } from "../support/emulator.ts"
import { deletedApplicationsOf } from "../support/seeded.ts"
import { reportFigures } from "./support/stats.ts"
import { differences, snapshotOf } from "./support/teardown.ts"
import { INSTANCE, makeWorld, runOptions, stateOf, type World } from "./support/world.ts"

reportFigures()

type Row = Readonly<Record<string, unknown>>

/** The same emulator with another configuration. */
const withConfig = (world: World, overrides: Record<string, unknown>) =>
  Effect.map(
    decoded(configInput(world.emulator, overrides)),
    (config): World => ({ ...world, config, names: namesOf(config) }),
  )

/** `snapshot` without the objects whose `sys_id` or `id` is in `ids`, and without the recycle bin. */
const without = (snapshot: unknown, ids: ReadonlySet<string>): unknown => {
  if (Array.isArray(snapshot))
    return snapshot
      .filter((item) => {
        const row = item as Row | null
        return !(
          typeof row === "object" &&
          row !== null &&
          (ids.has(String(row.sys_id)) || ids.has(String(row.id)))
        )
      })
      .map((item) => without(item, ids))
  if (typeof snapshot !== "object" || snapshot === null) return snapshot
  return Object.fromEntries(
    Object.entries(snapshot)
      .filter(([key]) => key !== "deletedApplications")
      .map(([key, value]) => [key, without(value, ids)]),
  )
}

/** The ids of every object a setup of `world`'s configuration owns right now. */
const ownedBy = (world: World): Set<string> => {
  const s = stateOf(world)
  const sn = (table: string) => world.emulator.servicenow.records(INSTANCE, table) as ReadonlyArray<Row>
  const userIds = new Set(s.integrationUsers.map((u) => String(u.sys_id)))
  const roleIds = new Set(
    sn("sys_user_role")
      .filter((r) => [ROLE_INCIDENT_MANAGER, ROLE_INSIGHTS_USER, ROLE_ADMINISTRATOR].includes(String(r.name)))
      .map((r) => String(r.sys_id)),
  )
  const roleUsers = new Set(
    sn("sys_user")
      .filter((u) =>
        [...world.config.roles.insightsUsers, ...world.config.roles.administrators].includes(
          String(u.user_name),
        ),
      )
      .map((u) => String(u.sys_id)),
  )
  const grants = sn("sys_user_has_role").filter(
    (g) => roleIds.has(String(g.role)) && (userIds.has(String(g.user)) || roleUsers.has(String(g.user))),
  )
  // By unique name only: `stateOf` also counts apps that merely look like sn365's.
  const apps = world.emulator.microsoft
    .applications()
    .filter((a) => a.uniqueName === world.names.appUniqueName)
  const appIds = new Set(apps.map((a) => a.appId))
  return new Set(
    [
      ...apps.map((a) => a.id),
      ...world.emulator.microsoft
        .servicePrincipals()
        .filter((sp) => appIds.has(sp.appId))
        .map((sp) => sp.id),
      ...s.providers.map((r) => r.sys_id),
      ...s.profiles.map((r) => r.sys_id),
      ...s.inbounds.map((r) => r.sys_id),
      ...s.integrationUsers.map((r) => r.sys_id),
      ...grants.map((g) => g.sys_id),
    ].map(String),
  )
}

/**
 * Runs teardown of `world`'s configuration and checks that it removed exactly `owned` (the ids of
 * its objects) and left everything else byte for byte as it was.
 */
const tearDownAndCompare = (world: World, owned: ReadonlySet<string>) =>
  Effect.gen(function* () {
    const before = snapshotOf(world)
    const { options } = runOptions(world)
    const report = yield* teardown(world.config, options)
    const after = snapshotOf(world)
    assert.deepStrictEqual(
      differences(without(after, owned), without(before, owned)),
      [],
      "teardown changed something that is not sn365's",
    )
    for (const id of owned)
      assert.notInclude(
        JSON.stringify(without(after, new Set())),
        `"${id}"`,
        `sn365's object ${id} is still there`,
      )
    const deleted = deletedApplicationsOf(after).filter((id) => !deletedApplicationsOf(before).includes(id))
    assert.isTrue(
      deleted.every((id) => owned.has(id)),
      `deleted applications sn365 does not own: ${deleted}`,
    )
    return report
  })

/** A user not listed in `roles` who holds both app roles (granted by someone else). */
const seedBob = (world: World) => {
  world.emulator.servicenow.insert(INSTANCE, "sys_user", {
    user_name: "bob",
    first_name: "Bob",
    last_name: "Smith",
  })
  world.emulator.servicenow.grantRole(INSTANCE, "bob", ROLE_INSIGHTS_USER)
  world.emulator.servicenow.grantRole(INSTANCE, "bob", ROLE_ADMINISTRATOR)
}

/**
 * What an administrator following the procedure by hand creates, under the very names sn365 would
 * use — but without sn365's marker: the Entra app (sn365's unique name, no `sn365:managed` tag)
 * with a secret named like sn365's, its service principal, the provider and its profile, the
 * inbound endpoint, the integration user with `incident_manager`, the wizard naming all of them,
 * Basic information naming the app, and the repository.
 */
const seedHandMade = (world: World) =>
  Effect.gen(function* () {
    const { names, emulator } = world
    const env = makeEnv(world.config, runOptions(world).options)
    const { application: app } = yield* env.apps.upsert(names.appUniqueName, {
      displayName: names.appDisplayName,
      signInAudience: "AzureADMyOrg",
      web: { redirectUris: [names.redirectUrl] },
      tags: ["set-up-by-hand"],
    })
    yield* env.apps.ensureServicePrincipal(app.appId)
    const secret = yield* env.apps.addPassword(app.id, {
      displayName: names.secretDisplayName,
      endDateTime: new Date(Date.now() + 90 * 86_400_000).toISOString(),
    })
    const sn = emulator.servicenow
    const provider = sn.insert(INSTANCE, "oauth_entity", {
      name: names.outboundProviderName,
      type: "oauth_provider",
      client_id: app.appId,
      client_secret: Redacted.value(secret.secretText),
      token_url: names.tokenUrl,
      default_grant_type: "client_credentials",
      comments: "Set up by hand, 2024",
    })
    const profile = sn.insert(INSTANCE, "oauth_entity_profile", {
      name: names.outboundProfileName,
      oauth_entity: String(provider.sys_id),
      grant_type: "client_credentials",
      default: "true",
    })
    const inbound = sn.insert(INSTANCE, "oauth_entity", {
      name: names.inboundClientName,
      type: "client",
      client_id: "0123456789abcdef0123456789abcdef",
      client_secret: "hand-made-inbound-secret",
      comments: "Set up by hand, 2024",
    })
    sn.insert(INSTANCE, "sys_user", {
      user_name: names.integrationUser,
      first_name: "Microsoft 365",
      last_name: "Support Integration",
      title: "Integration account",
      web_service_access_only: "true",
      user_password: "hand-made-password-1",
    })
    sn.grantRole(INSTANCE, names.integrationUser, ROLE_INCIDENT_MANAGER)
    sn.grantRole(INSTANCE, "itil", "itil")
    const wizard: Record<string, string> = {
      consent: "true",
      outbound_oauth_profile: String(profile.sys_id),
      inbound_oauth_client: String(inbound.sys_id),
      integration_user: names.integrationUser,
      repository_id: names.repositoryId,
      sso: "true",
      m365_admin_email: "someone@contoso.onmicrosoft.com",
      test_environment: "true",
      setup_complete: "true",
    }
    for (const [key, value] of Object.entries(wizard))
      sn.setProperty(INSTANCE, `x_mioms_m365_assis.${key}`, value)
    yield* env.support.setBasicInformation({ internalSupportTool: "ServiceNow", applicationId: app.appId })
    yield* env.support.createRepository({
      repository: names.repositoryId,
      endpoint: `${names.instanceOrigin}/api/x_mioms_m365_assis/v1/m365_support`,
      authenticationType: "Basic Auth",
      clientId: "0123456789abcdef0123456789abcdef",
      clientSecret: Redacted.make("hand-made-inbound-secret"),
      restUsername: names.integrationUser,
      restUserPassword: Redacted.make("hand-made-password-1"),
    })
  })

describe("teardown touches only what sn365 manages", () => {
  it.live("objects with sn365's names but not its marker (a setup done by hand): nothing is touched", () =>
    Effect.gen(function* () {
      const world = yield* makeWorld()
      seedBob(world)
      yield* seedHandMade(world)
      // Apply refuses to take them over…
      const refused = yield* Effect.flip(apply(world.config, runOptions(world).options))
      assert.strictEqual(refused._tag, "UnmanagedResourceConflict")
      // …and teardown leaves every one of them as it was.
      const report = yield* tearDownAndCompare(world, new Set())
      assert.deepStrictEqual(report.removed, [])
    }),
  )

  it.live(
    "next to another prefix's integration, another instance's, an app with sn365's display name and a user not in roles holding the app roles",
    () =>
      Effect.gen(function* () {
        const world = yield* makeWorld()
        const sn = world.emulator.servicenow
        seedBob(world)
        sn.insert(INSTANCE, "sys_user", { user_name: "carol", first_name: "Carol", last_name: "Jones" })
        // Unrelated apps: sn365's display name without its unique name or tag, and a similar one.
        const env = makeEnv(world.config, runOptions(world).options)
        for (const [uniqueName, displayName] of [
          ["contoso-m365-support", world.names.appDisplayName],
          ["contoso-m365-support-old", `${world.names.appDisplayName} (old)`],
        ] as const)
          yield* env.apps.upsert(uniqueName, {
            displayName,
            signInAudience: "AzureADMyOrg",
            web: { redirectUris: [world.names.redirectUrl] },
            tags: ["contoso"],
          })

        // sn365's integration, then another prefix's on the same instance (it takes over the
        // wizard and — same repository id by default — the repository), then another instance's in
        // the same tenant (it takes over Basic information).
        yield* apply(world.config, runOptions(world).options)
        const other = yield* withConfig(world, {
          integration: { m365AdminEmail: world.emulator.microsoft.defaults.adminUser, prefix: "other" },
          roles: { insightsUsers: ["carol"], administrators: ["carol"] },
        })
        yield* apply(other.config, runOptions(other).options)
        const elsewhere = yield* withConfig(world, {
          servicenow: { instance: "dev999", auth: { type: "basic", username: "admin", password: "admin" } },
        })
        yield* apply(elsewhere.config, runOptions(elsewhere).options)

        const owned = ownedBy(world)
        assert.isAtLeast(owned.size, 9)
        const report = yield* tearDownAndCompare(world, owned)
        assert.includeMembers(
          report.removed.map((r) => r.title),
          ["App registration (outbound)", "Integration user", "App role grants"],
        )
        // The wizard, the repository and Basic information belong to the others now: left alone.
        assert.notInclude(
          report.removed.map((r) => r.title),
          "Repository",
        )
      }),
  )
})
