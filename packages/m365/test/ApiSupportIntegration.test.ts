/** The modeled admin-center API client against the emulator. */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { apiSupportIntegration } from "../src/ApiSupportIntegration.ts"
import type { RepositoryInput } from "../src/SupportIntegration.ts"
import {
  adminApps,
  adminCredential,
  countRequests,
  emulator,
  expectTag,
  ownedByCredential,
  redirectUri,
  uniqueName,
} from "./support.ts"

const repository: RepositoryInput = {
  repository: "repo-001",
  endpoint: "https://dev00000.service-now.com/api/x_mioms_m365_assis",
  authenticationType: "Basic Auth",
  clientId: "inbound-client-id",
  clientSecret: Redacted.make("inbound-client-secret-1"),
  restUsername: "m365_integration",
  restUserPassword: Redacted.make("integration-password-1"),
}

describe("apiSupportIntegration", () => {
  it.live("Basic information: undefined until saved, then the Outbound app's client id", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const support = apiSupportIntegration({ credential: adminCredential(e), fetch: e.fetch })
      assert.isUndefined(yield* support.getBasicInformation())
      const { application } = yield* adminApps(e).upsert(uniqueName(), {
        displayName: "Outbound",
        web: { redirectUris: [redirectUri()] },
      })
      yield* support.setBasicInformation({
        internalSupportTool: "ServiceNow",
        applicationId: application.appId,
      })
      const info = yield* support.getBasicInformation()
      assert.strictEqual(info?.internalSupportTool, "ServiceNow")
      assert.strictEqual(info?.applicationId, application.appId)
      assert.isString(info?.lastModifiedDateTime)
    }),
  )

  it.live("an application id that is not registered is ApplicationNotFound", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const support = apiSupportIntegration({ credential: adminCredential(e), fetch: e.fetch })
      const error = expectTag(
        yield* Effect.flip(
          support.setBasicInformation({
            internalSupportTool: "ServiceNow",
            applicationId: "00000000-0000-4000-8000-00000000dead",
          }),
        ),
        "ApplicationNotFound",
      )
      assert.strictEqual(error.vendorCode, "ApplicationNotFound")
      assert.strictEqual(error.status, 400)
    }),
  )

  it.live(
    "repositories: create, list (secrets only as configured), update with the secrets, delete twice",
    () =>
      Effect.gen(function* () {
        const e = yield* emulator()
        const support = apiSupportIntegration({ credential: adminCredential(e), fetch: e.fetch })
        assert.deepStrictEqual(yield* support.listRepositories(), [])
        const created = yield* support.createRepository(repository)
        assert.strictEqual(created.repository, "repo-001")
        assert.strictEqual(created.refreshTokenExpiry, 864000)
        assert.isTrue(created.clientSecretConfigured && created.restUserPasswordConfigured)
        assert.isFalse("clientSecret" in created)
        assert.isTrue(
          e.microsoft.isRepositorySecretValid("repo-001", "clientSecret", "inbound-client-secret-1"),
        )
        assert.deepStrictEqual(
          (yield* support.listRepositories()).map((r) => r.repository),
          ["repo-001"],
        )

        const updated = yield* support.updateRepository("repo-001", {
          endpoint: "https://dev00000.service-now.com/api/other",
          clientSecret: Redacted.make("inbound-client-secret-2"),
          restUserPassword: Redacted.make("integration-password-2"),
        })
        assert.strictEqual(updated.endpoint, "https://dev00000.service-now.com/api/other")
        assert.strictEqual(updated.clientId, "inbound-client-id")
        assert.isTrue(
          e.microsoft.isRepositorySecretValid("repo-001", "restUserPassword", "integration-password-2"),
        )

        yield* support.deleteRepository("repo-001")
        assert.deepStrictEqual(yield* support.listRepositories(), [])
        yield* support.deleteRepository("repo-001")
      }),
  )

  it.live("a 404 says whether the repository is missing or the modeled API is not there at all", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const support = apiSupportIntegration({ credential: adminCredential(e), fetch: e.fetch })
      const missing = yield* Effect.flip(support.updateRepository("no-such-repo", repository))
      assert.strictEqual(missing._tag, "NotFound")
      assert.include(missing.remedy ?? "", "No repository with this id")
      // A real admin center: its own 404 page, not the modeled API's error.
      const real = apiSupportIntegration({
        credential: adminCredential(e),
        fetch: async (request) =>
          new URL(request.url).host === "admin.microsoft.com"
            ? new Response("<html><body>Page not found</body></html>", {
                status: 404,
                headers: { "content-type": "text/html" },
              })
            : e.fetch(request),
      })
      const absent = yield* Effect.flip(real.getBasicInformation())
      assert.strictEqual(absent._tag, "NotFound")
      assert.include(absent.remedy ?? "", 'use microsoft365.mode "manual" against a real tenant')
    }),
  )

  it.live("an update without the secrets is refused before any request", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const support = apiSupportIntegration({ credential: adminCredential(e), fetch: e.fetch })
      const error = expectTag(
        yield* Effect.flip(support.updateRepository("repo-001", { endpoint: "x" })),
        "RepositoryFieldsRequired",
      )
      assert.deepStrictEqual(error.missing, ["clientSecret", "restUserPassword"])
      assert.strictEqual(countRequests(e, "admin"), 0)
    }),
  )

  it.live("a duplicate repository is Conflict, a form error BadRequest naming the field", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const support = apiSupportIntegration({ credential: adminCredential(e), fetch: e.fetch })
      yield* support.createRepository(repository)
      const conflict = expectTag(yield* Effect.flip(support.createRepository(repository)), "Conflict")
      assert.strictEqual(conflict.vendorCode, "RepositoryAlreadyExists")
      assert.include(conflict.remedy ?? "", "update it instead")
      const invalid = expectTag(
        yield* Effect.flip(
          support.createRepository({ ...repository, repository: "repo-002", endpoint: " " }),
        ),
        "BadRequest",
      )
      assert.strictEqual(invalid.vendorCode, "ValidationFailed")
      assert.include(invalid.vendorDetail ?? "", "endpoint")
    }),
  )

  it.live("a caller without the support-integration permission gets InsufficientPrivileges", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const support = apiSupportIntegration({ credential: ownedByCredential(e), fetch: e.fetch })
      const error = expectTag(yield* Effect.flip(support.listRepositories()), "InsufficientPrivileges")
      assert.strictEqual(error.requiredPermission, "SupportIntegration.ReadWrite.All")
    }),
  )

  it.live("clearBasicInformation empties the tab again (and is idempotent)", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const support = apiSupportIntegration({ credential: adminCredential(e), fetch: e.fetch })
      const { application } = yield* adminApps(e).upsert(uniqueName(), {
        displayName: "Outbound",
        web: { redirectUris: [redirectUri()] },
      })
      yield* support.setBasicInformation({
        internalSupportTool: "ServiceNow",
        applicationId: application.appId,
      })
      yield* support.clearBasicInformation()
      assert.isUndefined(yield* support.getBasicInformation())
      yield* support.clearBasicInformation()
    }),
  )
})
