/**
 * Run-time options shared by plan, apply, verify, teardown and discover: everything that is not
 * configuration — how to reach the services, where progress and secrets go, how an administrator
 * is asked for input. The hand-off and device-code types are `@sn365/m365`'s, re-exported.
 *
 * @module
 */
import type { Fetch } from "@sn365/core"
import type { DeviceCodePrompt, ManualHandoff } from "@sn365/m365"
import type { ProgressListener } from "./Events.ts"
import type { Resolver } from "./Network.ts"
import type { SecretStore } from "./Secrets.ts"

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
