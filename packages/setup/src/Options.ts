/**
 * Run-time options shared by plan, apply, verify, teardown and discover: everything that is not
 * configuration — how to reach the services, where progress and secrets go, how an administrator
 * is asked for input.
 *
 * @module
 */
import type { Fetch } from "@sn365/core"
import type { Redacted } from "effect"
import type { ProgressListener } from "./Events.ts"
import type { Resolver } from "./Network.ts"
import type { SecretStore } from "./Secrets.ts"

/** One field of the admin-center form, as an administrator must enter it. */
export interface ManualField {
  /** The label exactly as the form shows it, e.g. "Rest user password". */
  readonly label: string
  /** The value to enter. Secret values stay `Redacted` until a person asks to see them. */
  readonly value: string | Redacted.Redacted<string>
  readonly secret: boolean
}

/** A step an administrator must do by hand in the Microsoft 365 admin center. */
export interface ManualHandoffRequest {
  readonly step: string
  readonly title: string
  /** Where to do it, e.g. "Microsoft 365 admin center → Settings → Org settings → Organization profiles → support integration → Repositories". */
  readonly location: string
  readonly fields: ReadonlyArray<ManualField>
}

/**
 * Asks an administrator to do a manual step and resolves when they confirm it (`true`) or
 * decline (`false`). Used when `microsoft365.mode` is `manual`.
 */
export type ManualHandoff = (request: ManualHandoffRequest) => Promise<boolean>

/** What a device-code sign-in asks the administrator to do. */
export interface DeviceCodePrompt {
  /** Microsoft's message, e.g. "To sign in, use a web browser to open … and enter the code …". */
  readonly message: string
  readonly userCode: string
  readonly verificationUri: string
}

/** Options of every setup operation. All optional. */
export interface SetupOptions {
  /** The fetch every request goes through. Default: the global fetch. Use `routingFetch` for the emulator. */
  readonly fetch?: Fetch
  /** Receives progress events. */
  readonly onEvent?: ProgressListener
  /** Where generated secrets are kept. Default: in memory for this process. */
  readonly secrets?: SecretStore
  /** Shows the device-code sign-in prompt to the administrator (Entra `deviceCode` auth). */
  readonly onDeviceCode?: (prompt: DeviceCodePrompt) => void
  /** Required when `microsoft365.mode` is `manual`. */
  readonly manualHandoff?: ManualHandoff
  /** DNS resolver for the network preflight. Default: the system resolver. */
  readonly resolver?: Resolver
  /** Per-request timeout in milliseconds. Default 30000. */
  readonly requestTimeoutMs?: number
  /** How long to wait for a new Entra secret or app to replicate, in milliseconds. Default 120000. */
  readonly replicationBudgetMs?: number
  /** Aborts the operation; steps already running finish their current request first. */
  readonly signal?: AbortSignal
}
