/**
 * @sn365/m365 — the Microsoft side of sn365: Entra credentials through `@azure/msal-node`, app
 * registrations over Microsoft Graph, and the Microsoft 365 admin-center support-integration form
 * (a modeled API client and a manual hand-off).
 *
 * @packageDocumentation
 */
export { type ApiSupportIntegrationOptions, apiSupportIntegration } from "./ApiSupportIntegration.ts"
export {
  type Application,
  type ApplicationInput,
  type ApplicationPatch,
  type Applications,
  type ApplicationsOptions,
  M365Applications,
  makeApplications,
} from "./Applications.ts"
export {
  type AccessTokenProvider,
  type CredentialOptions,
  type DeviceCodePrompt,
  type EntraAuth,
  type GetTokenOptions,
  M365Credential,
  makeCredential,
  type TokenCredential,
  tokenCredentialFrom,
} from "./Credential.ts"
export {
  ApplicationNotFound,
  AuthenticationFailed,
  DeviceCodeFailure,
  DeviceCodeSignInFailed,
  InsufficientPrivileges,
  InvalidClientCredential,
  isM365Error,
  type M365Error,
  type M365SpecificError,
  ManualStepIncomplete,
  ReplicationLag,
  RepositoryFieldsRequired,
  SecretLifetimePolicy,
  ServicePrincipalMissing,
  TenantNotFound,
} from "./Errors.ts"
export {
  type ManualField,
  type ManualHandoff,
  type ManualHandoffRequest,
  type ManualSupportIntegrationOptions,
  manualSupportIntegration,
} from "./ManualSupportIntegration.ts"
export { type MsalNetworkClientOptions, msalNetworkClient } from "./MsalNetworkClient.ts"
export { type Promised, promiseApi } from "./Promise.ts"
export type { ReplicationPolicy } from "./Replication.ts"
export type { ConfirmSecretInput, NewSecret, SecretInput } from "./Secrets.ts"
export type { EnsureServicePrincipalOptions, ServicePrincipal } from "./ServicePrincipals.ts"
export {
  type AuthenticationType,
  type BasicInformation,
  M365SupportIntegration,
  type Repository,
  type RepositoryInput,
  type SupportIntegration,
} from "./SupportIntegration.ts"
export * as vendor from "./vendor.ts"
