/**
 * @sn365/servicenow — a typed ServiceNow REST client: the Table API (typed records, lazy pagination,
 * encoded-query builder, passwords written correctly), OAuth and Basic authentication, the Batch
 * API, and the integration app's modeled setup endpoint.
 *
 * @packageDocumentation
 */
export type { AppApi, SetupSummary } from "./App.ts"
export type { ServiceNowAuth } from "./Auth.ts"
export {
  BatchItem,
  type BatchItemFailure,
  type BatchItemResult,
  type BatchItemSuccess,
  type BatchMethod,
  type BatchOptions,
  type BatchWriteOptions,
  DEFAULT_BATCH_CHUNK_SIZE,
} from "./Batch.ts"
export {
  instanceOrigin,
  makeServiceNow,
  ServiceNow,
  type ServiceNowClient,
  type ServiceNowOptions,
} from "./Client.ts"
export {
  AclDenied,
  AclOperation,
  AppNotInstalled,
  BasicAuthGate,
  BatchItemUnserviced,
  CrossScopeAccessDenied,
  InstanceHibernating,
  isServiceNowSpecificError,
  type ServiceNowError,
  type ServiceNowSpecificError,
  TransactionCancelled,
} from "./Errors.ts"
export {
  createServiceNowClient,
  type PromiseServiceNowClient,
  type PromiseTable,
  type SignalOption,
} from "./Promise.ts"
export { escapeValue, isOrdered, Query, type QueryValue } from "./Query.ts"
export type {
  DisplayValue,
  DisplayValueMode,
  FieldName,
  FieldValue,
  KnownTable,
  RecordOf,
  Reference,
  Rendered,
  UntypedRecord,
  WriteInput,
  WriteOf,
  WriteValue,
} from "./Records.ts"
export {
  DEFAULT_PAGE_SIZE,
  type ListOptions,
  type ReadOptions,
  type TableAccessor,
  type WriteOptions,
} from "./Table.ts"
export type {
  ClientCredentialsGrant,
  PasswordGrant,
  RefreshGrant,
  TokenGrant,
  TokenResponse,
} from "./Token.ts"
