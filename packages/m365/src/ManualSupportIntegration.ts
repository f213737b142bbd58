/**
 * The support-integration port done by a person: each change becomes a hand-off listing every
 * field of the admin-center form with its label exactly as the form shows it
 * (integration-procedure.md §6.2) and the exact value to enter, and waits until the administrator
 * confirms. Secret values stay `Redacted` in the request; the hand-off decides when a person sees
 * them.
 *
 * It cannot observe the form: `getBasicInformation` answers `undefined` and `listRepositories`
 * `[]`, so a plan built on it always proposes to fill the form, and an update asks for every field.
 *
 * @module
 */
import { redactText, type Secret } from "@sn365/core"
import { Clock, Effect, Redacted } from "effect"
import { ManualStepIncomplete, RepositoryFieldsRequired } from "./Errors.ts"
import type { Repository, RepositoryInput, SupportIntegration } from "./SupportIntegration.ts"
import {
  ADD_REPOSITORY_BUTTON,
  ADMIN_FORM_LOCATION,
  BASIC_INFORMATION_TAB,
  DEFAULT_REFRESH_TOKEN_EXPIRY,
  FORM_LABEL,
  REPOSITORIES_TAB,
  STEP_BASIC_INFORMATION,
  STEP_REPOSITORY,
} from "./vendor.ts"

/** One field of the form: its label as the form shows it and the value to enter. */
export interface ManualField {
  readonly label: string
  /** Secret values stay `Redacted` until a person asks to see them. */
  readonly value: string | Redacted.Redacted<string>
  readonly secret: boolean
}

/** A step an administrator does by hand in the Microsoft 365 admin center. */
export interface ManualHandoffRequest {
  /** The procedure step: `M1` (Basic information) or `M2` (Repositories). */
  readonly step: string
  readonly title: string
  /** Where to do it, from the admin center's home page. */
  readonly location: string
  readonly fields: ReadonlyArray<ManualField>
}

/** Asks an administrator to do a step; resolves `true` when they confirm it, `false` when they decline. */
export type ManualHandoff = (request: ManualHandoffRequest) => Promise<boolean>

/** Options of {@link manualSupportIntegration}. */
export interface ManualSupportIntegrationOptions {
  readonly handoff: ManualHandoff
}

type Input = Omit<RepositoryInput, "repository">

const plain = (label: string, value: string): ManualField => ({ label, value, secret: false })
const secret = (label: string, value: Redacted.Redacted<string>): ManualField => ({
  label,
  value,
  secret: true,
})

const repositoryFields = (repository: string, repo: Input): ReadonlyArray<ManualField> => [
  plain(FORM_LABEL.repository, repository),
  plain(FORM_LABEL.endpoint, repo.endpoint),
  plain(FORM_LABEL.authenticationType, repo.authenticationType),
  plain(FORM_LABEL.clientId, repo.clientId),
  secret(FORM_LABEL.clientSecret, repo.clientSecret),
  plain(FORM_LABEL.refreshTokenExpiry, String(repo.refreshTokenExpiry ?? DEFAULT_REFRESH_TOKEN_EXPIRY)),
  plain(FORM_LABEL.restUsername, repo.restUsername),
  secret(FORM_LABEL.restUserPassword, repo.restUserPassword),
]

const REQUIRED: ReadonlyArray<keyof Input> = [
  "endpoint",
  "authenticationType",
  "clientId",
  "clientSecret",
  "restUsername",
  "restUserPassword",
]

/**
 * The support-integration port as a manual hand-off.
 *
 * @example
 * ```ts
 * const support = manualSupportIntegration({
 *   handoff: async (request) => {
 *     console.error(`${request.step} ${request.title} — ${request.location}`)
 *     for (const f of request.fields) console.error(`  ${f.label}: ${f.secret ? "(shown on request)" : f.value}`)
 *     return confirm("Saved?")
 *   },
 * })
 * ```
 */
export const manualSupportIntegration = (options: ManualSupportIntegrationOptions): SupportIntegration => {
  const ask = (request: ManualHandoffRequest) => {
    const secrets: ReadonlyArray<Secret> = request.fields.flatMap((f) =>
      Redacted.isRedacted(f.value) ? [f.value] : [],
    )
    const incomplete = (reason: "declined" | "failed", detail?: string) =>
      new ManualStepIncomplete({
        step: request.step,
        title: request.title,
        reason,
        detail,
        remedy: `Do it in the admin center (${request.location}) and run again, or confirm the hand-off once it is saved.`,
      })
    return Effect.tryPromise({
      try: () => options.handoff(request),
      catch: (cause) =>
        incomplete("failed", redactText(cause instanceof Error ? cause.message : String(cause), secrets)),
    }).pipe(Effect.flatMap((confirmed) => (confirmed ? Effect.void : Effect.fail(incomplete("declined")))))
  }

  const asRepository = (repository: string, repo: Input) =>
    Effect.map(
      Clock.currentTimeMillis,
      (now): Repository => ({
        repository,
        endpoint: repo.endpoint,
        authenticationType: repo.authenticationType,
        clientId: repo.clientId,
        clientSecretConfigured: true,
        refreshTokenExpiry: repo.refreshTokenExpiry ?? DEFAULT_REFRESH_TOKEN_EXPIRY,
        restUsername: repo.restUsername,
        restUserPasswordConfigured: true,
        lastModifiedDateTime: new Date(now).toISOString(),
      }),
    )

  return {
    // Nothing is requested: an administrator fills the form in.
    scopes: [],
    getBasicInformation: () => Effect.succeed(undefined),
    listRepositories: () => Effect.succeed([]),
    setBasicInformation: (info) =>
      ask({
        step: STEP_BASIC_INFORMATION,
        title: `Fill in the ${BASIC_INFORMATION_TAB} tab and save`,
        location: `${ADMIN_FORM_LOCATION} → ${BASIC_INFORMATION_TAB}`,
        fields: [
          plain(FORM_LABEL.internalSupportTool, info.internalSupportTool),
          plain(FORM_LABEL.applicationId, info.applicationId),
        ],
      }),
    createRepository: (repo) =>
      ask({
        step: STEP_REPOSITORY,
        title: `${ADD_REPOSITORY_BUTTON}, fill in every field and save`,
        location: `${ADMIN_FORM_LOCATION} → ${REPOSITORIES_TAB} → ${ADD_REPOSITORY_BUTTON}`,
        fields: repositoryFields(repo.repository, repo),
      }).pipe(Effect.andThen(asRepository(repo.repository, repo))),
    updateRepository: (repository, repo) => {
      const missing = REQUIRED.filter((name) => repo[name] === undefined)
      if (missing.length > 0) {
        return Effect.fail(
          new RepositoryFieldsRequired({
            repository,
            missing,
            remedy: "The manual hand-off cannot read the form, so every field must be given to re-enter it.",
          }),
        )
      }
      const full = repo as Input
      return ask({
        step: STEP_REPOSITORY,
        title: `Edit repository ${repository}: enter every field again and save`,
        location: `${ADMIN_FORM_LOCATION} → ${REPOSITORIES_TAB} → ${repository}`,
        fields: repositoryFields(repository, full),
      }).pipe(Effect.andThen(asRepository(repository, full)))
    },
    deleteRepository: (repository) =>
      ask({
        step: STEP_REPOSITORY,
        title: `Delete repository ${repository}`,
        location: `${ADMIN_FORM_LOCATION} → ${REPOSITORIES_TAB} → ${repository}`,
        fields: [plain(FORM_LABEL.repository, repository)],
      }),
    clearBasicInformation: () =>
      ask({
        step: STEP_BASIC_INFORMATION,
        title: `Empty the ${BASIC_INFORMATION_TAB} tab and save`,
        location: `${ADMIN_FORM_LOCATION} → ${BASIC_INFORMATION_TAB}`,
        fields: [plain(FORM_LABEL.internalSupportTool, ""), plain(FORM_LABEL.applicationId, "")],
      }),
  }
}
