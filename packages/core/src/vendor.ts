/**
 * Facts about the vendors' HTTP APIs that core relies on, one named constant each, with where the
 * fact comes from. Vendor-specific *meaning* (remedies, hibernation, replication lag) lives in
 * `@sn365/servicenow` and `@sn365/m365`.
 *
 * @module
 */

/** Graph's per-request id response header (learn.microsoft.com/graph/errors; docs/entra-graph-msal.md §1.9). */
export const GRAPH_REQUEST_ID_HEADER = "request-id"

/** The caller-chosen correlation id Graph and the identity platform echo (docs/entra-graph-msal.md §1.9, §5.4). */
export const CLIENT_REQUEST_ID_HEADER = "client-request-id"

/** The identity platform's (login.microsoftonline.com) request id response header (docs/entra-graph-msal.md §4.4). */
export const MS_REQUEST_ID_HEADER = "x-ms-request-id"

/** ServiceNow's transaction id response header (ServiceNow docs, RESTResponseV2 `getAllHeaders()` example output). */
export const SERVICENOW_TRANSACTION_ID_HEADER = "x-transaction-id"

/**
 * Response headers searched, in order, for the id a vendor's support asks for. Override per call
 * with `CallOptions.requestIdHeaders`.
 */
export const DEFAULT_REQUEST_ID_HEADERS: ReadonlyArray<string> = [
  GRAPH_REQUEST_ID_HEADER,
  MS_REQUEST_ID_HEADER,
  SERVICENOW_TRANSACTION_ID_HEADER,
  CLIENT_REQUEST_ID_HEADER,
]

/** Standard server delay header: delta seconds or an HTTP date (RFC 9110 §10.2.3). */
export const RETRY_AFTER_HEADER = "retry-after"

/** Server delay in milliseconds (Azure SDK `core-rest-pipeline` throttlingRetryStrategy; docs/toolchain.md §10). */
export const RETRY_AFTER_MS_HEADER = "retry-after-ms"

/** Microsoft's server delay in milliseconds (Azure SDK `core-rest-pipeline` throttlingRetryStrategy; docs/toolchain.md §10). */
export const X_MS_RETRY_AFTER_MS_HEADER = "x-ms-retry-after-ms"

/** ServiceNow rate-limit window reset, UNIX time, sent with 429s (docs/servicenow-api.md §5.2). */
export const RATE_LIMIT_RESET_HEADER = "x-ratelimit-reset"

/** ServiceNow's API-key request header (docs/servicenow-api.md §1.3, servicenow.itsm `client.py`). */
export const SERVICENOW_API_KEY_HEADER = "x-sn-apikey"

/** ServiceNow's browser-session CSRF token request header (docs/servicenow-api.md §1.3). */
export const SERVICENOW_USER_TOKEN_HEADER = "x-usertoken"

/** The Graph OData next-page property (learn.microsoft.com/graph/paging; docs/entra-graph-msal.md §1.4). */
export const ODATA_NEXT_LINK = "@odata.nextLink"
