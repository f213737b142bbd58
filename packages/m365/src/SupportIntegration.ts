/**
 * The Microsoft 365 admin-center support-integration form (Settings → Org settings → Organization
 * profiles → support integration; procedure steps M1 and M2) as a port with two implementations:
 *
 * - `apiSupportIntegration` — a client of the **modeled** API in
 *   `specs/m365/support-integration.yaml`. Microsoft retired the integration on 2025-05-30 and never
 *   documented an API for this form; the modeled one is served only by `@sn365/emulator`.
 * - `manualSupportIntegration` — hands each change to an administrator with the exact values for
 *   every field, and waits for their confirmation.
 *
 * @module
 */
import { Context, type Effect, type Redacted } from "effect"
import type { M365Error } from "./Errors.ts"

/** The "Basic information" tab (M1). */
export interface BasicInformation {
  /** "Internal support tool". */
  readonly internalSupportTool: "ServiceNow"
  /** "Application ID to issue OAuth token": the Outbound app's client id. */
  readonly applicationId: string
  /** When the tab was last saved, when known. */
  readonly lastModifiedDateTime?: string | undefined
}

/** "Authentication type": the only two values the guides name. */
export type AuthenticationType = "Basic Auth" | "AAD Auth"

/** A repository as entered in the "Add a repository" dialog (M2). Secrets stay `Redacted`. */
export interface RepositoryInput {
  /** "Repository": the repository id the ServiceNow wizard shows. */
  readonly repository: string
  /** "Endpoint", as the ServiceNow wizard shows it. */
  readonly endpoint: string
  readonly authenticationType: AuthenticationType
  /** "Client ID": the ServiceNow inbound OAuth client id (Basic Auth). */
  readonly clientId: string
  /** "Client secret". */
  readonly clientSecret: Redacted.Redacted<string>
  /** "Refresh token expiry", seconds. Default 864000. */
  readonly refreshTokenExpiry?: number | undefined
  /** "Rest username": the integration user's user name (Basic Auth). */
  readonly restUsername: string
  /** "Rest user password". */
  readonly restUserPassword: Redacted.Redacted<string>
}

/** A repository as the form keeps it: secrets are never returned, only whether they are set. */
export interface Repository {
  /** "Repository": the repository id. */
  readonly repository: string
  readonly endpoint: string
  readonly authenticationType: AuthenticationType
  readonly clientId: string
  readonly clientSecretConfigured: boolean
  readonly refreshTokenExpiry: number
  readonly restUsername: string
  readonly restUserPasswordConfigured: boolean
  readonly createdDateTime?: string | undefined
  readonly lastModifiedDateTime?: string | undefined
}

/** The port: what the setup does with the admin-center form. */
export interface SupportIntegration {
  /**
   * The token scopes its requests are signed with (the admin center's `.default`; none for the
   * manual hand-off): ask the credential for them ahead of the first request to have the token
   * ready when it is needed.
   */
  readonly scopes?: ReadonlyArray<string>
  /** The Basic information tab, or `undefined` when it was never saved (or cannot be observed). */
  readonly getBasicInformation: () => Effect.Effect<BasicInformation | undefined, M365Error>
  readonly setBasicInformation: (info: {
    readonly internalSupportTool: "ServiceNow"
    readonly applicationId: string
  }) => Effect.Effect<void, M365Error>
  /** Empties the Basic information tab (teardown); the manual hand-off asks an administrator to. */
  readonly clearBasicInformation: () => Effect.Effect<void, M365Error>
  /** Every repository (empty when they cannot be observed). */
  readonly listRepositories: () => Effect.Effect<ReadonlyArray<Repository>, M365Error>
  readonly createRepository: (repo: RepositoryInput) => Effect.Effect<Repository, M365Error>
  /**
   * Changes a repository. The form never returns secrets, so `clientSecret` and
   * `restUserPassword` must be given again (`RepositoryFieldsRequired` otherwise).
   */
  readonly updateRepository: (
    repository: string,
    repo: Partial<Omit<RepositoryInput, "repository">>,
  ) => Effect.Effect<Repository, M365Error>
  /** Deletes a repository. Absent → success. */
  readonly deleteRepository: (repository: string) => Effect.Effect<void, M365Error>
}

/**
 * The support-integration port as an Effect service.
 *
 * @example
 * ```ts
 * program.pipe(Effect.provideService(M365SupportIntegration, manualSupportIntegration({ handoff })))
 * ```
 */
export class M365SupportIntegration extends Context.Service<M365SupportIntegration, SupportIntegration>()(
  "@sn365/m365/SupportIntegration",
) {}
