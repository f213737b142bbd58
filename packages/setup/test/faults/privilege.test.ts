/**
 * Least privilege (docs/security.md): preflight reports every missing permission before any write —
 * a ServiceNow setup account without `admin`, an Entra identity without a Graph application
 * permission — and a full setup works with the least-privileged Entra identity sn365 supports,
 * `Application.ReadWrite.OwnedBy` (plus the modeled admin-center permission), end to end: apply,
 * a second apply that changes nothing, verify, teardown.
 */
import { assert, describe, it } from "@effect/vitest"
import type { Fetch } from "@sn365/core"
import type { EmulatorOptions } from "@sn365/emulator"
import { apiSupportIntegration, type ManualHandoff, makeCredential, vendor } from "@sn365/m365"
import { Cause, Effect, Exit, Redacted } from "effect"
import { apply, plan, teardown, verify } from "../../src/Setup.ts"
import { reportFigures, stats } from "./support/stats.ts"
import {
  assertConverged,
  converge,
  INSTANCE,
  makeWorld,
  runOptions,
  type World,
  writesIn,
} from "./support/world.ts"

reportFigures()

const TENANT = { id: "0b1d2c3e-4f50-4617-8a29-3b4c5d6e7f80", domain: "fabrikam.onmicrosoft.com" }
const GRAPH = "https://graph.microsoft.com"
const ADMIN = "https://admin.microsoft.com"

/** Setup identities of a test tenant, from all permissions down to none (emulator test data). */
const APPS = {
  full: { appId: "0b1d2c3e-0000-4000-8000-000000000001", secret: "fabrikam-full-secret-0001" },
  ownedBy: { appId: "0b1d2c3e-0000-4000-8000-000000000002", secret: "fabrikam-ownedby-secret-0002" },
  none: { appId: "0b1d2c3e-0000-4000-8000-000000000003", secret: "fabrikam-none-secret-0003" },
  adminCenterOnly: { appId: "0b1d2c3e-0000-4000-8000-000000000004", secret: "fabrikam-admin-secret-0004" },
  ownedByOnly: { appId: "0b1d2c3e-0000-4000-8000-000000000005", secret: "fabrikam-ownedby-only-0005" },
} as const

const emulatorOptions: EmulatorOptions = {
  microsoft: {
    tenants: [
      {
        id: TENANT.id,
        domains: [TENANT.domain],
        apps: [
          {
            ...APPS.full,
            displayName: "setup: everything",
            appRoles: {
              [GRAPH]: ["Application.ReadWrite.All"],
              [ADMIN]: ["SupportIntegration.ReadWrite.All"],
            },
          },
          {
            ...APPS.ownedBy,
            displayName: "setup: least privilege",
            appRoles: {
              [GRAPH]: ["Application.ReadWrite.OwnedBy"],
              [ADMIN]: ["SupportIntegration.ReadWrite.All"],
            },
          },
          { ...APPS.none, displayName: "setup: no permission" },
          {
            ...APPS.ownedByOnly,
            displayName: "setup: least privilege, Graph only",
            appRoles: { [GRAPH]: ["Application.ReadWrite.OwnedBy"] },
          },
          {
            ...APPS.adminCenterOnly,
            displayName: "setup: admin center only",
            appRoles: { [ADMIN]: ["SupportIntegration.ReadWrite.All"] },
          },
        ],
        users: [{ userPrincipalName: `admin@${TENANT.domain}`, roles: ["Global Administrator"] }],
      },
    ],
  },
}

const entra = (app: { appId: string; secret: string }) => ({
  tenant: TENANT.domain,
  auth: { type: "clientSecret", clientId: app.appId, clientSecret: app.secret },
})

const servicenow = (username: string, password: string) => ({
  instance: INSTANCE,
  auth: { type: "basic", username, password },
})

const worldFor = (overrides: Record<string, unknown>) =>
  makeWorld(emulatorOptions, () => ({
    integration: { m365AdminEmail: `admin@${TENANT.domain}` },
    ...overrides,
  }))

/** A setup account with the Basic-auth gate's role and the narrower admin roles, but not `admin`. */
const addNarrowAccount = (world: World) => {
  world.emulator.servicenow.insert(INSTANCE, "sys_user", {
    user_name: "sn365_setup",
    user_password: "narrow-account-password-1",
    active: "true",
  })
  for (const role of ["snc_basic_auth_api_access", "oauth_admin", "user_admin", "itil"])
    world.emulator.servicenow.grantRole(INSTANCE, "sn365_setup", role)
}

/**
 * An administrator doing the manual hand-off: enters each field in the admin center — here through
 * the modeled API, as a different identity (one with the admin-center permission) than sn365's.
 */
const administrator =
  (world: World, admin: { asked: Array<string>; requests: number }): ManualHandoff =>
  async (request) => {
    admin.asked.push(request.step)
    const fetch: Fetch = (r) => {
      if (new URL(r.url).hostname === "admin.microsoft.com") admin.requests++
      return world.fetch(r)
    }
    const support = apiSupportIntegration({
      credential: makeCredential({
        tenant: TENANT.domain,
        auth: {
          type: "clientSecret",
          clientId: APPS.full.appId,
          clientSecret: Redacted.make(APPS.full.secret),
        },
        fetch,
      }),
      fetch,
    })
    const field = (label: string) => {
      const value = request.fields.find((f) => f.label === label)?.value ?? ""
      return Redacted.isRedacted(value) ? Redacted.value(value) : value
    }
    const L = vendor.FORM_LABEL
    const entered =
      request.step === "M1"
        ? support.setBasicInformation({
            internalSupportTool: "ServiceNow",
            applicationId: field(L.applicationId),
          })
        : Effect.gen(function* () {
            const repository = field(L.repository)
            const input = {
              endpoint: field(L.endpoint),
              authenticationType: "Basic Auth" as const,
              clientId: field(L.clientId),
              clientSecret: Redacted.make(field(L.clientSecret)),
              refreshTokenExpiry: Number(field(L.refreshTokenExpiry)),
              restUsername: field(L.restUsername),
              restUserPassword: Redacted.make(field(L.restUserPassword)),
            }
            const existing = (yield* support.listRepositories()).some((r) => r.repository === repository)
            if (existing) yield* support.updateRepository(repository, input)
            else yield* support.createRepository({ repository, ...input })
          })
    await Effect.runPromise(entered as Effect.Effect<unknown, unknown>)
    return true
  }

const preflightProblems = (exit: Exit.Exit<unknown, unknown>) => {
  assert.isTrue(Exit.isFailure(exit), "preflight passed")
  if (Exit.isSuccess(exit)) return []
  assert.isFalse(Cause.hasDies(exit.cause), Cause.pretty(exit.cause))
  const error = Cause.squash(exit.cause) as {
    _tag: string
    problems?: ReadonlyArray<{ check: string; remedy: string }>
  }
  assert.strictEqual(error._tag, "PreflightFailed")
  return error.problems ?? []
}

describe("least privilege", () => {
  for (const [name, setup, expected] of [
    [
      "a ServiceNow setup account without admin",
      (world: World) => addNarrowAccount(world),
      [/ServiceNow roles/],
    ],
    ["an Entra identity without a Graph permission", () => undefined, [/Entra permissions/]],
    [
      "both at once: every problem reported together",
      (world: World) => addNarrowAccount(world),
      [/ServiceNow roles/, /Entra permissions/],
    ],
  ] as const)
    it.live(`${name}: preflight fails, nothing is written`, () =>
      Effect.gen(function* () {
        stats.add("faults")
        const narrowSn = name !== "an Entra identity without a Graph permission"
        const narrowEntra = name !== "a ServiceNow setup account without admin"
        const world = yield* worldFor({
          servicenow: narrowSn
            ? servicenow("sn365_setup", "narrow-account-password-1")
            : servicenow("admin", "admin"),
          entra: entra(narrowEntra ? APPS.adminCenterOnly : APPS.full),
        })
        setup(world)
        const { options } = runOptions(world)
        world.emulator.requests.clear()
        const problems = preflightProblems(yield* Effect.exit(apply(world.config, options)))
        for (const pattern of expected)
          assert.isTrue(
            problems.some((p) => pattern.test(p.check) && p.remedy.length > 20),
            `${pattern} in ${JSON.stringify(problems)}`,
          )
        assert.strictEqual(problems.length, expected.length, JSON.stringify(problems))
        assert.deepStrictEqual(
          writesIn(world.emulator).map((r) => `${r.method} ${r.path}`),
          [],
        )
        // plan, which only reads, reports the same.
        preflightProblems(yield* Effect.exit(plan(world.config, options)))
      }),
    )

  it.live("an Entra identity with no permission at all fails preflight before any write", () =>
    Effect.gen(function* () {
      stats.add("faults")
      const world = yield* worldFor({ servicenow: servicenow("admin", "admin"), entra: entra(APPS.none) })
      const { options } = runOptions(world)
      world.emulator.requests.clear()
      const problems = preflightProblems(yield* Effect.exit(apply(world.config, options)))
      assert.isTrue(
        problems.some((p) => /Entra permissions/.test(p.check)),
        JSON.stringify(problems),
      )
      assert.deepStrictEqual(
        writesIn(world.emulator).map((r) => `${r.method} ${r.path}`),
        [],
      )
    }),
  )

  it.live("Application.ReadWrite.OwnedBy is enough: apply, apply again, verify, teardown", () =>
    Effect.gen(function* () {
      const world = yield* worldFor({ servicenow: servicenow("admin", "admin"), entra: entra(APPS.ownedBy) })
      assertConverged(yield* converge(world))
      const app = world.emulator.microsoft.application(world.names.appUniqueName)
      assert.isDefined(app, "the app was created")
      const { options } = runOptions(world)
      const again = yield* apply(world.config, options)
      assert.isTrue(
        again.steps.every((s) => s.outcome === "kept"),
        JSON.stringify(again.steps),
      )
      const verified = yield* verify(world.config, options)
      assert.isFalse(
        verified.checks.some((c) => c.status === "fail"),
        JSON.stringify(verified.checks),
      )
      const torn = yield* teardown(world.config, options)
      assert.isAbove(torn.removed.length, 5)
      assert.isUndefined(world.emulator.microsoft.application(world.names.appUniqueName), "the app is gone")
    }),
  )

  it.live(
    "OwnedBy alone, the admin-center form entered by an administrator (manual mode): a whole setup",
    () =>
      Effect.gen(function* () {
        const world = yield* worldFor({
          servicenow: servicenow("admin", "admin"),
          entra: entra(APPS.ownedByOnly),
          microsoft365: { mode: "manual" },
        })
        const admin = { asked: [] as Array<string>, requests: 0 }
        assertConverged(yield* converge(world, { manualHandoff: administrator(world, admin) }))
        assert.sameMembers(admin.asked, ["M1", "M2"], "the administrator was asked for both tabs")
        // Every admin-center request was the administrator's: sn365's identity needed none.
        assert.strictEqual(
          world.emulator.requests.count((r) => r.system === "admin"),
          admin.requests,
        )
      }),
  )

  it.live(
    "OwnedBy cannot take over an app another identity created: preflight says why, nothing is written",
    () =>
      Effect.gen(function* () {
        stats.add("faults")
        const world = yield* worldFor({ servicenow: servicenow("admin", "admin"), entra: entra(APPS.full) })
        yield* converge(world)
        const ownedBy = yield* worldFor({
          servicenow: servicenow("admin", "admin"),
          entra: entra(APPS.ownedBy),
        })
        const taken = { ...ownedBy, emulator: world.emulator, fetch: world.fetch, wire: world.wire }
        world.emulator.requests.clear()
        const { options } = runOptions(taken)
        // Graph refuses OwnedBy even a read of an app it does not own: preflight stops, nothing is written.
        const problems = preflightProblems(yield* Effect.exit(apply(taken.config, options)))
        assert.isTrue(
          problems.some((p) => /Application\.ReadWrite\.OwnedBy, for applications it owns/.test(p.remedy)),
          JSON.stringify(problems),
        )
        assert.deepStrictEqual(
          writesIn(world.emulator).map((r) => `${r.method} ${r.path}`),
          [],
        )
      }),
  )
})
