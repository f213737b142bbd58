/**
 * Test helpers: an emulator per test (real HTTP on loopback, the real vendor URLs routed to it),
 * the seeded setup application's credential, and a recorder of retry events.
 */
import { assert } from "@effect/vitest"
import { type RetryEvent, RetryObserver } from "@sn365/core"
import { type Emulator, type EmulatorOptions, startEmulator } from "@sn365/emulator"
import { Effect, Redacted } from "effect"
import { type ApplicationsOptions, makeApplications } from "../src/Applications.ts"
import { type CredentialOptions, makeCredential } from "../src/Credential.ts"
import type { M365Error } from "../src/Errors.ts"

/** An emulator for the current test's scope. */
export const emulator = (options: EmulatorOptions = {}) =>
  Effect.acquireRelease(
    Effect.promise(() => startEmulator(options)),
    (e) => Effect.promise(() => e.close()),
  )

/** The seeded setup application (Graph `Application.ReadWrite.All` + the modeled support permission). */
export const adminCredential = (e: Emulator, options: Partial<CredentialOptions> = {}) =>
  makeCredential({
    tenant: e.microsoft.defaults.tenantId,
    auth: {
      type: "clientSecret",
      clientId: e.microsoft.defaults.adminApp.appId,
      clientSecret: Redacted.make(e.microsoft.defaults.adminApp.secret),
    },
    fetch: e.fetch,
    ...options,
  })

/** The seeded least-privilege application (`Application.ReadWrite.OwnedBy` only). */
export const ownedByCredential = (e: Emulator) =>
  makeCredential({
    tenant: e.microsoft.defaults.tenantId,
    auth: {
      type: "clientSecret",
      clientId: e.microsoft.defaults.ownedByApp.appId,
      clientSecret: Redacted.make(e.microsoft.defaults.ownedByApp.secret),
    },
    fetch: e.fetch,
  })

/** Short replication waits, so that tests never sleep long. */
export const FAST_REPLICATION = {
  replicationBudget: "5 seconds",
  replicationBackoff: { baseDelay: "50 millis", maxDelay: "200 millis" },
} as const

/** Applications as the setup application, with short replication waits. */
export const adminApps = (e: Emulator, options: Partial<ApplicationsOptions> = {}) =>
  makeApplications({ credential: adminCredential(e), fetch: e.fetch, ...FAST_REPLICATION, ...options })

/** Records retry events while `effect` runs. */
export const withRetryEvents = <A, E, R>(effect: Effect.Effect<A, E, R>) => {
  const events: Array<RetryEvent> = []
  const observed = effect.pipe(
    Effect.provideService(RetryObserver, (event) =>
      Effect.sync(() => {
        events.push(event)
      }),
    ),
  )
  return { events, effect: observed }
}

/** Requests the emulator answered for one system. */
export const countRequests = (e: Emulator, system: "login" | "graph" | "admin", path?: RegExp) =>
  e.requests.count((r) => r.system === system && (path === undefined || path.test(r.path)))

/** The claims of a JWT, unverified. */
export const claimsOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"))

/** A unique name per call, for tests sharing nothing. */
let counter = 0
export const uniqueName = (prefix = "sn365-test") => `${prefix}-${++counter}`

/** The redirect URI of the integration for an instance. */
export const redirectUri = (instance = "dev00000") => `https://${instance}.service-now.com/oauth_redirect.do`

/** Asserts an error's tag and narrows it. */
export const expectTag = <T extends M365Error["_tag"]>(
  error: M365Error,
  tag: T,
): Extract<M365Error, { _tag: T }> => {
  assert.strictEqual(error._tag, tag, error.message)
  return error as Extract<M365Error, { _tag: T }>
}
