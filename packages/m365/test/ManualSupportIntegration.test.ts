/** The manual hand-off implementation of the support-integration port. */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { type ManualHandoffRequest, manualSupportIntegration } from "../src/ManualSupportIntegration.ts"
import type { RepositoryInput } from "../src/SupportIntegration.ts"
import { expectTag } from "./support.ts"

const repository: RepositoryInput = {
  repository: "repo-001",
  endpoint: "https://dev00000.service-now.com/api/x_mioms_m365_assis",
  authenticationType: "Basic Auth",
  clientId: "inbound-client-id",
  clientSecret: Redacted.make("inbound-client-secret-1"),
  restUsername: "m365_integration",
  restUserPassword: Redacted.make("integration-password-1"),
}

const recording = (answer: boolean) => {
  const requests: Array<ManualHandoffRequest> = []
  const support = manualSupportIntegration({
    handoff: async (request) => {
      requests.push(request)
      return answer
    },
  })
  return { requests, support }
}

describe("manualSupportIntegration", () => {
  it.effect("Basic information: the two fields, labelled as the form labels them (M1)", () =>
    Effect.gen(function* () {
      const { requests, support } = recording(true)
      yield* support.setBasicInformation({ internalSupportTool: "ServiceNow", applicationId: "app-id" })
      assert.strictEqual(requests[0]?.step, "M1")
      assert.include(
        requests[0]?.location ?? "",
        "Organization profiles → support integration → Basic information",
      )
      assert.deepStrictEqual(requests[0]?.fields, [
        { label: "Internal support tool", value: "ServiceNow", secret: false },
        { label: "Application ID to issue OAuth token", value: "app-id", secret: false },
      ])
    }),
  )

  it.effect("a repository: every field of the dialog with its exact value, secrets Redacted (M2)", () =>
    Effect.gen(function* () {
      const { requests, support } = recording(true)
      const created = yield* support.createRepository(repository)
      const request = requests[0]
      assert.strictEqual(request?.step, "M2")
      assert.include(request?.location ?? "", "Repositories → Add a repository")
      assert.deepStrictEqual(
        request?.fields.map((f) => [f.label, f.secret]),
        [
          ["Repository", false],
          ["Endpoint", false],
          ["Authentication type", false],
          ["Client ID", false],
          ["Client secret", true],
          ["Refresh token expiry", false],
          ["Rest username", false],
          ["Rest user password", true],
        ],
      )
      const value = (label: string) => request?.fields.find((f) => f.label === label)?.value
      assert.strictEqual(value("Refresh token expiry"), "864000")
      assert.strictEqual(value("Authentication type"), "Basic Auth")
      const secret = value("Client secret")
      assert.isTrue(Redacted.isRedacted(secret))
      assert.strictEqual(Redacted.value(secret as Redacted.Redacted<string>), "inbound-client-secret-1")
      assert.notInclude(JSON.stringify(request), "inbound-client-secret-1")
      assert.notInclude(JSON.stringify(request), "integration-password-1")
      assert.strictEqual(created.repository, "repo-001")
      assert.isTrue(created.clientSecretConfigured)
    }),
  )

  it.effect("it cannot observe: reads are empty", () =>
    Effect.gen(function* () {
      const { requests, support } = recording(true)
      assert.isUndefined(yield* support.getBasicInformation())
      assert.deepStrictEqual(yield* support.listRepositories(), [])
      assert.lengthOf(requests, 0)
    }),
  )

  it.effect("an administrator who declines is ManualStepIncomplete", () =>
    Effect.gen(function* () {
      const { support } = recording(false)
      const error = expectTag(
        yield* Effect.flip(support.createRepository(repository)),
        "ManualStepIncomplete",
      )
      assert.strictEqual(error.reason, "declined")
      assert.strictEqual(error.step, "M2")
    }),
  )

  it.effect("a failing hand-off is ManualStepIncomplete, its message scrubbed of the secrets", () =>
    Effect.gen(function* () {
      const support = manualSupportIntegration({
        handoff: (request) =>
          Promise.reject(
            new Error(
              `terminal closed while showing ${Redacted.value(request.fields[4]?.value as Redacted.Redacted<string>)}`,
            ),
          ),
      })
      const error = expectTag(
        yield* Effect.flip(support.createRepository(repository)),
        "ManualStepIncomplete",
      )
      assert.strictEqual(error.reason, "failed")
      assert.include(error.detail ?? "", "terminal closed")
      assert.notInclude(JSON.stringify(error), "inbound-client-secret-1")
      assert.notInclude(error.message, "inbound-client-secret-1")
    }),
  )

  it.effect("an update needs every field again (the form cannot be read)", () =>
    Effect.gen(function* () {
      const { requests, support } = recording(true)
      const error = expectTag(
        yield* Effect.flip(support.updateRepository("repo-001", { endpoint: "x" })),
        "RepositoryFieldsRequired",
      )
      assert.includeMembers([...error.missing], ["clientSecret", "restUserPassword", "clientId"])
      const { repository: id, ...fields } = repository
      const updated = yield* support.updateRepository(id, fields)
      assert.strictEqual(updated.endpoint, repository.endpoint)
      assert.strictEqual(requests[0]?.fields[0]?.value, "repo-001")
    }),
  )

  it.effect("delete and clear are hand-offs too", () =>
    Effect.gen(function* () {
      const { requests, support } = recording(true)
      yield* support.deleteRepository("repo-001")
      yield* support.clearBasicInformation()
      assert.deepStrictEqual(
        requests.map((r) => r.step),
        ["M2", "M1"],
      )
    }),
  )
})
