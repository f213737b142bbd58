/**
 * @sn365/setup — the Microsoft 365 support integration with ServiceNow as one typed, idempotent,
 * resumable operation: plan, apply, verify, teardown.
 *
 * @packageDocumentation
 */

export type { DeviceCodePrompt, ManualField, ManualHandoff, ManualHandoffRequest } from "@sn365/m365"
export {
  type AppStorage,
  appPropertyNames,
  DEFAULT_APP_PROPERTIES,
  propertyAppStorage,
  type WizardKey,
  type WizardSnapshot,
} from "./AppStorage.ts"
export {
  BasicConfig,
  decodeConfig,
  EntraAuth,
  Instance,
  IntegrationSettings,
  instanceName,
  instanceOrigin,
  ServiceNowAuth,
  SetupConfig,
  type SetupConfigInput,
  Tenant,
} from "./Config.ts"
export {
  ApplyCancelled,
  ApplyFailed,
  ConfigProblem,
  CrossScopeAccessDenied,
  ErrorSummary,
  InvalidConfig,
  PreflightFailed,
  PreflightProblem,
  summarize,
  UnmanagedResourceConflict,
  VerificationFailed,
} from "./Errors.ts"
export {
  type Phase,
  Progress,
  type ProgressListener,
  type SetupEvent,
  type StepOutcome,
  type StepOwner,
} from "./Events.ts"
export { type Names, namesOf } from "./Names.ts"
export { DnsResolver, type NetworkReport, networkPreflight, type Resolver } from "./Network.ts"
export type { SetupOptions } from "./Options.ts"
export {
  type FieldChange,
  hasChanges,
  type Plan,
  type PlanAction,
  type PlannedChange,
  type PlanSummary,
  renderPlan,
  summarizePlan,
} from "./Plan.ts"
export {
  discoverIntegration,
  planIntegration,
  setupIntegration,
  teardownIntegration,
  verifyIntegration,
} from "./Promise.ts"
export type {
  ApplyResult,
  DiscoveryReport,
  IntegrationOutputs,
  StepReport,
  TeardownReport,
  VerifyCheck,
  VerifyReport,
} from "./Results.ts"
export {
  generateClientSecret,
  generatePassword,
  memorySecretStore,
  processSecretStore,
  type SecretName,
  type SecretStore,
} from "./Secrets.ts"
export { fileErrorReason, fileSecretStore, isSharedFile } from "./SecretsFile.ts"
export { type ApplyOptions, apply, discover, plan, type SetupError, teardown, verify } from "./Setup.ts"
export * as vendor from "./vendor.ts"
