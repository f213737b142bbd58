/**
 * What `apply`, `verify`, `teardown` and `discover` return. Results never contain a secret except
 * in the `secrets` field of {@link ApplyResult}, where each is `Redacted` and present only in the
 * run that handed it over: the one that generated it, or the re-run that finished what a failed one
 * started.
 *
 * @module
 */
import type { Redacted } from "effect"
import type { ErrorSummary } from "./Errors.ts"
import type { StepOutcome, StepOwner } from "./Events.ts"
import type { NetworkReport } from "./Network.ts"
import type { Plan } from "./Plan.ts"
import type { SecretName } from "./Secrets.ts"

/** What one step did during apply or teardown. */
export interface StepReport {
  readonly step: string
  readonly title: string
  readonly owner: StepOwner
  readonly status: "succeeded" | "failed" | "skipped"
  readonly outcome?: StepOutcome
  readonly detail?: string
  readonly error?: ErrorSummary
  readonly reason?: string
  readonly durationMs: number
}

/** Identifiers of everything the setup created or found. None of these is secret. */
export interface IntegrationOutputs {
  /** Application (client) id of the Entra app (OUT_APP_ID). */
  readonly entraAppId?: string
  /** Object id of the Entra app. */
  readonly entraAppObjectId?: string
  readonly servicePrincipalId?: string
  /** keyId of the client secret ServiceNow uses. */
  readonly entraSecretKeyId?: string
  readonly outboundProviderSysId?: string
  readonly outboundProfileSysId?: string
  readonly inboundClientSysId?: string
  /** Client id of the inbound OAuth endpoint (IN_CLIENT_ID). */
  readonly inboundClientId?: string
  readonly integrationUserSysId?: string
  /** `user_name` of the integration user (SN_USER). */
  readonly integrationUserName?: string
  readonly repositoryId?: string
  /** The endpoint the wizard displays (ENDPOINT). */
  readonly endpoint?: string
}

/** The result of a successful apply. */
export interface ApplyResult {
  readonly plan: Plan
  readonly steps: ReadonlyArray<StepReport>
  readonly outputs: IntegrationOutputs
  /**
   * Secrets this run handed to their services, returned once: generated now (and written to the
   * secret store), or taken from the store where a failed run had generated them.
   */
  readonly secrets: Partial<Record<SecretName, Redacted.Redacted<string>>>
  readonly network: NetworkReport
  readonly durationMs: number
}

/** One verification check ("Testing the configuration", by machine). */
export interface VerifyCheck {
  readonly id: string
  readonly title: string
  readonly status: "pass" | "fail" | "skipped"
  /** Why it failed or was skipped. */
  readonly message?: string
  readonly remedy?: string
}

/** The result of verify. `ok` is true when no check failed. */
export interface VerifyReport {
  readonly ok: boolean
  readonly checks: ReadonlyArray<VerifyCheck>
}

/** The result of teardown: what was removed, and what was already gone. */
export interface TeardownReport {
  readonly steps: ReadonlyArray<StepReport>
  readonly removed: ReadonlyArray<{ readonly title: string; readonly key: string }>
  readonly absent: ReadonlyArray<{ readonly title: string; readonly key: string }>
}

/** What discover found on the instance: the app and its (undocumented) storage. */
export interface DiscoveryReport {
  readonly app?: {
    readonly scope: string
    readonly name: string
    readonly version: string
    readonly generation: "A" | "B" | "C" | "unknown"
  }
  readonly tables: ReadonlyArray<{ readonly name: string; readonly label?: string }>
  readonly properties: ReadonlyArray<{
    readonly name: string
    readonly type?: string
    readonly value?: string
  }>
}
