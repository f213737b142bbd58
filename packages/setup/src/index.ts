/**
 * @sn365/setup — the Microsoft 365 support integration with ServiceNow as one typed, idempotent,
 * resumable operation: plan, apply, verify, teardown.
 *
 * @packageDocumentation
 */
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
  ApplyFailed,
  ConfigProblem,
  CrossScopeAccessDenied,
  ErrorSummary,
  InvalidConfig,
  ManualStepNotConfirmed,
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
export { DnsResolver, type NetworkReport, networkPreflight, type Resolver } from "./Network.ts"
export type {
  DeviceCodePrompt,
  ManualField,
  ManualHandoff,
  ManualHandoffRequest,
  SetupOptions,
} from "./Options.ts"
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
  type SecretName,
  type SecretStore,
  Secrets,
} from "./Secrets.ts"
export { apply, discover, plan, type SetupError, teardown, verify } from "./Setup.ts"
export * as vendor from "./vendor.ts"
