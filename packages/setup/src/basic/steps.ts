/**
 * The Basic variant as a dependency graph of resource steps. The edges follow the procedure's
 * data flow (§4.2): the outbound app's id feeds the ServiceNow provider; the inbound client, the
 * user and the wizard's endpoint feed the admin-center repository; the wizard is completed last.
 *
 * @module
 */
import type { Step } from "../internal/step.ts"
import { repositoryDelivered } from "./delivery.ts"
import { entraApp, entraSecret, entraSecretReady, entraServicePrincipal, entraStaleSecrets } from "./entra.ts"
import { basicInformation, repository } from "./microsoft365.ts"
import type { Observed } from "./observe.ts"
import {
  crossScope,
  inboundClient,
  integrationUser,
  integrationUserRole,
  outboundProfile,
  outboundProvider,
  outboundProviderSecret,
  roleGrants,
  setupComplete,
  wizard,
} from "./servicenow.ts"

/** Ids of the Basic variant's steps. */
export type BasicStepId =
  | "entra.app"
  | "entra.servicePrincipal"
  | "entra.secret"
  | "entra.secretReady"
  | "entra.staleSecrets"
  | "servicenow.outboundProvider"
  | "servicenow.outboundProviderSecret"
  | "servicenow.outboundProfile"
  | "servicenow.inboundClient"
  | "servicenow.integrationUser"
  | "servicenow.integrationUserRole"
  | "servicenow.crossScope"
  | "servicenow.wizard"
  | "servicenow.setupComplete"
  | "servicenow.roleGrants"
  | "microsoft365.basicInformation"
  | "microsoft365.repository"
  | "servicenow.repositoryDelivered"

/** A step of the Basic variant. */
export type BasicStep = Step<BasicStepId, Observed>

/** Every step, in the order plans list them. */
export const basicSteps: ReadonlyArray<BasicStep> = [
  entraApp,
  entraServicePrincipal,
  entraSecret,
  entraSecretReady,
  crossScope,
  outboundProvider,
  outboundProviderSecret,
  outboundProfile,
  inboundClient,
  integrationUser,
  integrationUserRole,
  wizard,
  basicInformation,
  repository,
  repositoryDelivered,
  setupComplete,
  roleGrants,
  entraStaleSecrets,
]

/** Teardown order: dependents before what they depend on. Steps without `destroy` are left alone. */
export const teardownOrder: ReadonlyArray<BasicStepId> = [
  "servicenow.roleGrants",
  "microsoft365.repository",
  "microsoft365.basicInformation",
  "servicenow.wizard",
  "servicenow.integrationUserRole",
  "servicenow.integrationUser",
  "servicenow.inboundClient",
  "servicenow.outboundProfile",
  "servicenow.outboundProvider",
  "entra.servicePrincipal",
  "entra.app",
]
