/**
 * Canary secrets — a client secret, a certificate's private key, a new secret's `secretText`,
 * access tokens, repository secrets — go through every failure and retry path this package has;
 * none may appear in an error's message, toString, JSON, util.inspect or Cause rendering, in a
 * retry event, or in a log line.
 */
import { generateKeyPairSync } from "node:crypto"
import * as util from "node:util"
import { assert, describe, it } from "@effect/vitest"
import { type RetryEvent, RetryObserver } from "@sn365/core"
import { Cause, Effect, Fiber, Logger, Redacted, References } from "effect"
import { apiSupportIntegration } from "../src/ApiSupportIntegration.ts"
import { makeApplications } from "../src/Applications.ts"
import { makeCredential } from "../src/Credential.ts"
import { promiseApi } from "../src/Promise.ts"
import { GRAPH_DEFAULT_SCOPE } from "../src/vendor.ts"
import {
  adminApps,
  adminCredential,
  emulator,
  FAST_REPLICATION,
  ownedByCredential,
  redirectUri,
  uniqueName,
} from "./support.ts"

const WRONG_SECRET = "Canary~Wr0ng.Secret-7f3a9b2c"
const REPO_SECRET = "Canary-Repo-Secret-1a2b3c"
const REPO_PASSWORD = "Canary-Rest-Passw0rd-4d5e"

const renderings = (error: unknown): ReadonlyArray<string> => {
  const e = error as Error & { toJSON?: () => unknown }
  return [
    e.message,
    String(e),
    JSON.stringify(e),
    JSON.stringify(e.toJSON?.() ?? null),
    util.inspect(e, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    e.stack ?? "",
    Cause.pretty(Cause.fail(e)),
  ]
}

describe("canary secrets never leak", () => {
  it.live("through errors, retry events and logs of every m365 path", () =>
    Effect.gen(function* () {
      const e = yield* emulator({ microsoft: { replicationLag: { secretsMs: 600_000 } } })
      const errors: Array<unknown> = []
      const events: Array<RetryEvent> = []
      const lines: Array<string> = []
      const logger = Logger.map(Logger.formatLogFmt, (line) => {
        lines.push(line)
      })
      const capture = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        effect.pipe(
          Effect.tapError((error) => Effect.sync(() => errors.push(error))),
          Effect.tapError((error) => Effect.logError("failed", error)),
          Effect.exit,
        )
      const forbidden: Array<string> = [
        WRONG_SECRET,
        REPO_SECRET,
        REPO_PASSWORD,
        e.microsoft.defaults.adminApp.secret,
      ]

      const program = Effect.gen(function* () {
        // The setup app's own token, and a wrong client secret.
        const admin = adminCredential(e)
        forbidden.push(Redacted.value(yield* admin.getToken(GRAPH_DEFAULT_SCOPE)))
        const wrong = makeCredential({
          tenant: e.microsoft.defaults.tenantId,
          auth: {
            type: "clientSecret",
            clientId: e.microsoft.defaults.adminApp.appId,
            clientSecret: Redacted.make(WRONG_SECRET),
          },
          fetch: e.fetch,
        })
        yield* capture(wrong.getToken(GRAPH_DEFAULT_SCOPE))

        // A certificate whose private key is not registered.
        const pem = generateKeyPairSync("rsa", { modulusLength: 2048 })
          .privateKey.export({ type: "pkcs8", format: "pem" })
          .toString()
        forbidden.push(pem.split("\n")[1] ?? pem)
        const certificate = makeCredential({
          tenant: e.microsoft.defaults.tenantId,
          auth: {
            type: "certificate",
            clientId: e.microsoft.defaults.adminApp.appId,
            thumbprint: "a".repeat(40),
            privateKey: Redacted.make(pem),
          },
          fetch: e.fetch,
        })
        yield* capture(certificate.getToken(GRAPH_DEFAULT_SCOPE))

        // A new secret that never replicates: confirmSecret retries, then ReplicationLag.
        const apps = adminApps(e)
        const { application } = yield* apps.upsert(uniqueName(), {
          displayName: "Canary",
          web: { redirectUris: [redirectUri()] },
        })
        yield* apps.ensureServicePrincipal(application.appId)
        const added = yield* apps.addPassword(application.id, {
          displayName: "canary",
          endDateTime: new Date(Date.now() + 86_400_000),
        })
        forbidden.push(Redacted.value(added.secretText))
        assert.notInclude(JSON.stringify(added), Redacted.value(added.secretText))
        assert.notInclude(util.inspect(added, { depth: 5 }), Redacted.value(added.secretText))
        yield* capture(
          apps.confirmSecret({
            tenant: e.microsoft.defaults.tenantId,
            appId: application.appId,
            secret: added.secretText,
            budget: "300 millis",
          }),
        )
        const probe = makeCredential({
          tenant: e.microsoft.defaults.tenantId,
          auth: { type: "clientSecret", clientId: application.appId, clientSecret: added.secretText },
          fetch: e.fetch,
        })
        yield* capture(probe.getToken(GRAPH_DEFAULT_SCOPE))

        // Graph refusals and throttling with the bearer token on every request.
        const owned = makeApplications({
          credential: ownedByCredential(e),
          fetch: e.fetch,
          ...FAST_REPLICATION,
        })
        yield* capture(owned.update(application.id, { notes: "not mine" }))
        const stop = e.microsoft.throttleGraph({ count: 1, retryAfterSeconds: 0 })
        yield* capture(apps.get(application.id))
        stop()
        yield* capture(apps.get("00000000-0000-4000-8000-00000000dead"))

        // The admin center refusing a repository that carries secrets.
        const support = apiSupportIntegration({ credential: admin, fetch: e.fetch })
        yield* capture(
          support.createRepository({
            repository: "canary",
            endpoint: " ",
            authenticationType: "Basic Auth",
            clientId: "client",
            clientSecret: Redacted.make(REPO_SECRET),
            restUsername: "user",
            restUserPassword: Redacted.make(REPO_PASSWORD),
          }),
        )
        yield* support.createRepository({
          repository: "canary",
          endpoint: "https://dev00000.service-now.com",
          authenticationType: "Basic Auth",
          clientId: "client",
          clientSecret: Redacted.make(REPO_SECRET),
          restUsername: "user",
          restUserPassword: Redacted.make(REPO_PASSWORD),
        })
        yield* capture(
          support.createRepository({
            repository: "canary",
            endpoint: "https://dev00000.service-now.com",
            authenticationType: "Basic Auth",
            clientId: "client",
            clientSecret: Redacted.make(REPO_SECRET),
            restUsername: "user",
            restUserPassword: Redacted.make(REPO_PASSWORD),
          }),
        )

        // The Promise facade rejects with the same errors.
        const rejected = yield* Effect.promise(() =>
          promiseApi(wrong)
            .getToken(GRAPH_DEFAULT_SCOPE)
            .then(
              () => undefined,
              (error: unknown) => error,
            ),
        )
        errors.push(rejected)
      })

      const fiber = yield* Effect.forkChild(
        program.pipe(
          Effect.provideService(RetryObserver, (event) => Effect.sync(() => events.push(event))),
          Effect.provideService(References.MinimumLogLevel, "Debug"),
          Effect.provideService(References.CurrentLoggers, new Set([logger])),
        ),
      )
      yield* Fiber.join(fiber)

      assert.isAtLeast(errors.length, 9)
      assert.isAtLeast(events.length, 2)
      assert.isAtLeast(lines.length, errors.length)
      const texts = [...errors.flatMap(renderings), ...events.map((event) => JSON.stringify(event)), ...lines]
      for (const secret of forbidden) {
        for (const text of texts) assert.notInclude(text, secret)
        for (const text of texts) assert.notInclude(text, encodeURIComponent(secret))
      }
      // The errors are the ones the paths are meant to produce.
      const tags = errors.map((error) => (error as { _tag: string })._tag)
      assert.includeMembers(tags, [
        "InvalidClientCredential",
        "ReplicationLag",
        "InsufficientPrivileges",
        "ApplicationNotFound",
        "BadRequest",
        "Conflict",
      ])
    }),
  )
})
