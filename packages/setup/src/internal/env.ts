/**
 * The clients and services one run uses, built once from the configuration and the options.
 *
 * @module
 */
import { defaultFetch } from "@sn365/core"
import {
  type Applications,
  apiSupportIntegration,
  makeApplications,
  makeCredential,
  manualSupportIntegration,
  type SupportIntegration,
  type TokenCredential,
} from "@sn365/m365"
import { makeServiceNow, type ServiceNowClient } from "@sn365/servicenow"
import { type AppStorage, appPropertyNames, propertyAppStorage } from "../AppStorage.ts"
import type { SetupConfig } from "../Config.ts"
import type { ProgressListener, SetupEvent } from "../Events.ts"
import { type Names, namesOf } from "../Names.ts"
import type { SetupOptions } from "../Options.ts"
import { processSecretStore, type SecretStore } from "../Secrets.ts"

/** Everything a step needs. */
export interface Env {
  readonly config: SetupConfig
  readonly names: Names
  readonly options: SetupOptions
  readonly sn: ServiceNowClient
  readonly credential: TokenCredential
  readonly apps: Applications
  readonly support: SupportIntegration
  readonly storage: AppStorage
  readonly secrets: SecretStore
  readonly emit: ProgressListener
}

const noProgress: ProgressListener = () => {}

const neverAsked = (): Promise<boolean> =>
  Promise.reject(new Error("sn365: a manual hand-off was asked for without a manualHandoff option"))

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000
const DEFAULT_REPLICATION_BUDGET_MS = 120_000

/**
 * Builds the run's clients. Nothing is requested until a step runs. Events go to `options.onEvent`
 * and to `progress` (the `Progress` service of the Effect API).
 */
export const makeEnv = (
  config: SetupConfig,
  options: SetupOptions,
  progress: ProgressListener = noProgress,
): Env => {
  const fetch = options.fetch ?? defaultFetch
  const timeout = `${options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS} millis` as const
  const names = namesOf(config)
  const sn = makeServiceNow({
    instanceUrl: names.instanceOrigin,
    auth: config.servicenow.auth,
    fetch,
    timeout,
  })
  // The timeout covers every system: Graph, the admin center and the token service included.
  const credential = makeCredential({
    tenant: config.entra.tenant,
    auth: config.entra.auth,
    fetch,
    timeout,
    ...(options.onDeviceCode === undefined ? {} : { onDeviceCode: options.onDeviceCode }),
  })
  const apps = makeApplications({
    credential,
    fetch,
    timeout,
    replicationBudget: `${options.replicationBudgetMs ?? DEFAULT_REPLICATION_BUDGET_MS} millis`,
  })
  const support =
    config.microsoft365.mode === "api"
      ? apiSupportIntegration({ credential, fetch, timeout })
      : manualSupportIntegration({
          // apply and teardown refuse manual mode without a hand-off before any request
          // (`manualHandoffProblems`); plan, verify and discover never hand anything over.
          handoff: options.manualHandoff ?? neverAsked,
        })
  const listeners = [options.onEvent, progress].filter((listener) => listener !== undefined)
  const emit = (event: SetupEvent) => {
    for (const listener of listeners) {
      try {
        listener(event)
      } catch {
        // A listener's bug must not break the run.
      }
    }
  }
  return {
    config,
    names,
    options,
    sn,
    credential,
    apps,
    support,
    storage: propertyAppStorage(sn, appPropertyNames(config.appStorage)),
    secrets: options.secrets ?? processSecretStore,
    emit,
  }
}
