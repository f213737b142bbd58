/**
 * @sn365/emulator — a stateful loopback emulator of a ServiceNow instance, the Microsoft Entra
 * token service, Microsoft Graph and the (modeled) Microsoft 365 admin-center support integration.
 *
 * @packageDocumentation
 */
export { type Emulator, type EmulatorOptions, startEmulator } from "./Emulator.ts"
export type {
  AppSeed,
  CertificateRegistration,
  DeviceCodeInfo,
  GraphThrottle,
  MicrosoftControl,
  MicrosoftDefaults,
  MicrosoftOptions,
  ReplicationLag,
  TenantSeed,
  UserSeed,
  WriteQuota,
} from "./microsoft/index.ts"
export type { FaultController, FaultKind, FaultRule } from "./server/faults.ts"
export type { EmulatorRequest, EmulatorResponse, SystemName } from "./server/http.ts"
export type { LoggedRequest, RequestLog } from "./server/requestLog.ts"
export type { Clock } from "./server/system.ts"
export type {
  GateWording,
  InspectedRecord,
  RateLimitedApi,
  RateLimitRule,
  ServiceNowControl,
  ServiceNowOptions,
  TransactionQuota,
} from "./servicenow/index.ts"
