/**
 * @sn365/core — the shared transport of every sn365 client.
 *
 * @packageDocumentation
 */
export {
  type ApiResult,
  type CallOptions,
  type CallResult,
  call,
  callWithResponse,
  type DataOf,
} from "./Call.ts"
export {
  defaultFetch,
  type Fetch,
  FORWARDED_HOST_HEADER,
  type Routes,
  routeFor,
  routingFetch,
} from "./Fetch.ts"
export {
  BadRequest,
  brokenConnectionRemedy,
  Conflict,
  Forbidden,
  type HttpError,
  InsecureTransport,
  isHttpError,
  isTransient,
  mayHaveBeenProcessed,
  NetworkError,
  NotFound,
  ServerError,
  Throttled,
  Timeout,
  Unauthorized,
  UnexpectedResponse,
  UnexpectedResponseReason,
  withRemedy,
} from "./HttpError.ts"
export { type ErrorResponseInput, httpErrorFromResponse, requestIdFrom } from "./HttpErrorFromResponse.ts"
export {
  type Link,
  nextFromLinkHeader,
  nextFromODataNextLink,
  type Page,
  type PaginateOptions,
  paginate,
  parseLinkHeader,
} from "./Pagination.ts"
export { toPromise } from "./Promise.ts"
export {
  isSecretName,
  REDACTED,
  redactBody,
  redactHeaders,
  redactText,
  redactUrl,
  type Secret,
} from "./Redact.ts"
export {
  backoffDelayMs,
  type RetryEvent,
  RetryObserver,
  type RetryOptions,
  retrySchedule,
  withRetry,
} from "./Retry.ts"
export { retryAfterMs } from "./RetryAfter.ts"
export { commaQuerySerializer, pathSerializer } from "./Serializers.ts"
export { isAllowedUrl, isLoopbackHost, type TransportOptions, transportFetch } from "./Transport.ts"
export { parseVendorError, type VendorError, type VendorErrorParser } from "./VendorError.ts"
export {
  CLIENT_REQUEST_ID_HEADER,
  DEFAULT_REQUEST_ID_HEADERS,
  GRAPH_REQUEST_ID_HEADER,
  MS_REQUEST_ID_HEADER,
  ODATA_NEXT_LINK,
  RATE_LIMIT_RESET_HEADER,
  RETRY_AFTER_HEADER,
  RETRY_AFTER_MS_HEADER,
  SERVICENOW_API_KEY_HEADER,
  SERVICENOW_TRANSACTION_ID_HEADER,
  SERVICENOW_USER_TOKEN_HEADER,
  X_MS_RETRY_AFTER_MS_HEADER,
} from "./vendor.ts"
