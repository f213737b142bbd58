/**
 * The Microsoft 365 administrator of `microsoft365.mode: manual`: does in the admin center exactly
 * what a hand-off asks — through the (modeled) admin-center API with their own identity — and
 * confirms. Records every request and whether what it asked to remove was still there, so a test
 * can tell a needed hand-off from one asked again for nothing.
 */
import type { ManualHandoff, ManualHandoffRequest } from "@sn365/m365"
import { vendor } from "@sn365/m365"
import { Effect, Redacted } from "effect"
import { makeEnv } from "../../../src/internal/env.ts"
import { configInput, decoded } from "../../support/emulator.ts"
import type { World } from "./world.ts"

const { FORM_LABEL, STEP_BASIC_INFORMATION, STEP_REPOSITORY } = vendor

/** One hand-off as the administrator met it. */
export interface Asked {
  readonly step: string
  readonly title: string
  /** A removal (empty Basic information, delete a repository) rather than a fill. */
  readonly removal: boolean
  /** For a removal: whether there was anything to remove. */
  readonly present: boolean
}

/** The administrator: answers hand-offs and keeps what each one asked. */
export interface Administrator {
  /** Does what `request` asks, then confirms. */
  readonly handoff: ManualHandoff
  /** Does what `request` asks without confirming (the caller decides what sn365 hears). */
  readonly perform: (request: ManualHandoffRequest) => Promise<void>
  /** Every hand-off met so far, in order (a test may empty it). */
  readonly asked: Array<Asked>
}

const field = (request: ManualHandoffRequest, label: string) =>
  request.fields.find((f) => f.label === label)?.value

const text = (value: string | Redacted.Redacted<string> | undefined) =>
  value === undefined ? "" : Redacted.isRedacted(value) ? Redacted.value(value) : value

/** The administrator of `world`'s tenant. Uses `world.fetch`, so the secrets they enter are seen on the wire. */
export const administrator = (world: World): Effect.Effect<Administrator> =>
  Effect.gen(function* () {
    // Their own identity: the admin-center API with the tenant's seeded admin app.
    const config = yield* decoded(configInput(world.emulator))
    const support = makeEnv(config, { fetch: world.fetch }).support
    const asked: Array<Asked> = []
    const state = () => world.emulator.microsoft.supportIntegration()

    const perform = (request: ManualHandoffRequest) => {
      const repository = text(field(request, FORM_LABEL.repository))
      if (request.step === STEP_BASIC_INFORMATION) {
        const applicationId = text(field(request, FORM_LABEL.applicationId))
        if (applicationId === "") {
          asked.push({ ...request, removal: true, present: state().basicInformation.applicationId != null })
          return Effect.runPromise(support.clearBasicInformation())
        }
        asked.push({ ...request, removal: false, present: true })
        return Effect.runPromise(
          support.setBasicInformation({ internalSupportTool: "ServiceNow", applicationId }),
        )
      }
      if (request.step !== STEP_REPOSITORY)
        return Promise.reject(new Error(`unknown hand-off ${request.step}`))
      const exists = state().repositories.some((r) => r.repository === repository)
      if (request.fields.length === 1) {
        asked.push({ ...request, removal: true, present: exists })
        return Effect.runPromise(support.deleteRepository(repository))
      }
      asked.push({ ...request, removal: false, present: true })
      const input = {
        endpoint: text(field(request, FORM_LABEL.endpoint)),
        authenticationType: "Basic Auth" as const,
        clientId: text(field(request, FORM_LABEL.clientId)),
        clientSecret: Redacted.make(text(field(request, FORM_LABEL.clientSecret))),
        refreshTokenExpiry: Number(text(field(request, FORM_LABEL.refreshTokenExpiry))),
        restUsername: text(field(request, FORM_LABEL.restUsername)),
        restUserPassword: Redacted.make(text(field(request, FORM_LABEL.restUserPassword))),
      }
      return Effect.runPromise(
        Effect.asVoid(
          exists
            ? support.updateRepository(repository, input)
            : support.createRepository({ repository, ...input }),
        ),
      )
    }

    return {
      perform,
      handoff: (request) => perform(request).then(() => true),
      asked,
    } satisfies Administrator
  })
