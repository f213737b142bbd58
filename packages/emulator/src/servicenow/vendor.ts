/**
 * Every fact about ServiceNow the emulator reproduces, one named constant each, with where it comes
 * from. `servicenow-api.md` and `integration-procedure.md` are the shared docs (`../shared/docs/`);
 * their section numbers and source keys ([SN-TABLE]…) lead to the vendor pages. MODELED marks what
 * no public source states: the emulator's own choice, kept here so it is easy to find and change.
 *
 * @module
 */

// ---------------------------------------------------------------------------------------------------
// Hosts and paths

/** Commercial instances are `https://<name>.service-now.com` (servicenow-api.md §6.5). */
export const INSTANCE_HOST_SUFFIX = ".service-now.com"
/** Host pattern routed to the emulator (servicenow-api.md §6.5). */
export const INSTANCE_HOST_PATTERN = "*.service-now.com"
/** Table API paths: `/api/now/table/…`, `/api/now/{v1|v2}/table/…` (servicenow-api.md §1.1). */
export const TABLE_PATH = /^\/api\/now\/(?:(v1|v2)\/)?table\/([^/]+)(?:\/([^/]+))?\/?$/
/** Aggregate API paths: `/api/now/stats/{table}`, `/api/now/{v}/stats/{table}` (servicenow-api.md §4.2, [SN-AGG]). */
export const AGGREGATE_PATH = /^\/api\/now\/(?:v1\/)?stats\/([^/]+)\/?$/
/** Token endpoint (servicenow-api.md §2.2, [SN-OAUTH-REQ]). */
export const TOKEN_PATH = "/oauth_token.do"
/** Token revocation; needs no authentication (servicenow-api.md §2.2, [SN-TOKENS]). Response MODELED: 200, empty. */
export const REVOKE_PATH = "/oauth_revoke_token.do"
/** Batch API; only the versioned form is documented (servicenow-api.md §4.1, [SN-BATCH]). */
export const BATCH_PATH = "/api/now/v1/batch"
/** Scripted REST APIs of the integration app live under its scope (integration-procedure.md §12 Q6). MODELED. */
export const APP_API_PREFIX = "/api/x_mioms_m365_assis/"

// ---------------------------------------------------------------------------------------------------
// Table API defaults and limits

/** Default `sysparm_limit` (servicenow-api.md §1.2, [SN-TABLE]). */
export const DEFAULT_LIMIT = 10_000
/** `glide.rest.max_content_length` default, bytes (servicenow-api.md §5.3, [KB0747638][SN-MAXREQ]). */
export const MAX_CONTENT_LENGTH = 10_485_760
/** "REST Table API request timeout" quota (servicenow-api.md §5.3, [SN-QUOTA]). */
export const TABLE_API_QUOTA_MS = 60_000
/** "REST Batch API request timeout" quota (servicenow-api.md §4.1, [SN-BATCH]). */
export const BATCH_QUOTA_MS = 30_000
/** Status of a quota-cancelled transaction: the doc says "4xx/5xx" (servicenow-api.md §1.5). MODELED: 500. */
export const QUOTA_STATUS = 500

// ---------------------------------------------------------------------------------------------------
// Error envelope strings (servicenow-api.md §1.5, §6.4)

/** An error body's `error` member. */
export interface ErrorText {
  readonly message: string
  readonly detail: string | null
}

/** Missing or wrong credentials; also the Basic-auth gate (servicenow-api.md §1.5, observed). */
export const NOT_AUTHENTICATED: ErrorText = {
  message: "User Not Authenticated",
  detail: "Required to provide Auth information",
}
/** Lower-case variant seen on Zurich/Australia PDIs blocked by the Basic-auth gate (servicenow-api.md §1.5). */
export const NOT_AUTHENTICATED_LOWER: ErrorText = { message: "User is not authenticated", detail: null }
/** Unknown table; `detail` is JSON null (servicenow-api.md §1.5, observed). */
export const invalidTable = (table: string): ErrorText => ({
  message: `Invalid table ${table}`,
  detail: null,
})
/** Missing **or ACL-hidden** record (servicenow-api.md §1.5, §6.4). */
export const NO_RECORD: ErrorText = {
  message: "No Record found",
  detail: "Record doesn't exist or ACL restricts the record retrieval",
}
/** Create denied by ACL (servicenow-api.md §1.5, §6.4). */
export const INSERT_DENIED: ErrorText = {
  message: "Operation Failed",
  detail: "ACL Exception Insert Failed due to security constraints",
}
/** Update denied by ACL. MODELED on the documented insert text (servicenow-api.md §6.4 gives insert only). */
export const UPDATE_DENIED: ErrorText = {
  message: "Operation Failed",
  detail: "ACL Exception Update Failed due to security constraints",
}
/** Delete denied by ACL. MODELED on the documented insert text. */
export const DELETE_DENIED: ErrorText = {
  message: "Operation Failed",
  detail: "ACL Exception Delete Failed due to security constraints",
}
/** Query on a field the caller cannot read (servicenow-api.md §1.5, [KB0744425]). */
export const QUERY_DENIED: ErrorText = {
  message: "Insufficient rights to query records",
  detail: "Field(s) present in the query do not have permission to be read",
}
/** Table with "Allow access to this table via web services" off answers 403 (servicenow-api.md §3.6). MODELED wording. */
export const wsAccessDenied = (table: string): ErrorText => ({
  message: "Operation Failed",
  detail: `Web service access to table ${table} is not allowed`,
})
/** Body over the size limit (servicenow-api.md §1.5, [KB0747638]). */
export const payloadTooLarge = (bytes: number): ErrorText => ({
  message: "Exception while reading request",
  detail: `Rejected large REST payload with content-length = ${bytes} bytes. Max allowed: ${MAX_CONTENT_LENGTH} bytes.`,
})
/** Malformed JSON body. MODELED detail; the message is the documented read failure (servicenow-api.md §1.5). */
export const unreadableBody = (detail: string): ErrorText => ({
  message: "Exception while reading request",
  detail,
})
/** Unknown REST path (servicenow-api.md §1.5, observed). */
export const NO_RESOURCE: ErrorText = {
  message: "Requested URI does not represent any resource",
  detail: null,
}
/** Transaction quota cancellation (servicenow-api.md §1.5, §5.3). */
export const TRANSACTION_CANCELLED: ErrorText = {
  message: "Transaction cancelled: maximum execution time exceeded",
  detail: "Check logs for error trace or enable glide.rest.debug property to verify REST request processing",
}
/** Rate-limit denial (servicenow-api.md §5.2, [SN-RATE]). */
export const rateLimited = (limit: number, api: string): ErrorText => ({
  message: "Rate limit exceeded",
  detail: `Rate limit of ${limit} requests per hour for ${api} exceeded`,
})
/** 405, 406, 415 bodies: status codes from [SN-CODES]; wording MODELED (no public capture). */
export const METHOD_NOT_ALLOWED = "Method not Supported"
/** @see METHOD_NOT_ALLOWED */
export const NOT_ACCEPTABLE = "Requested response format is not supported"
/** @see METHOD_NOT_ALLOWED */
export const UNSUPPORTED_MEDIA_TYPE = "Requested content type is not supported"
/** A parameter or body the spec does not allow: 400 [SN-CODES]. MODELED wording. */
export const INVALID_REQUEST = "Invalid request"

/** Names of the REST APIs in rate-limit messages (servicenow-api.md §5.2 "for Table API"). */
export const API_NAMES = {
  table: "Table API",
  aggregate: "Aggregate API",
  batch: "Batch API",
  app: "Scripted REST API",
} as const

// ---------------------------------------------------------------------------------------------------
// OAuth (servicenow-api.md §2.2, §2.3)

/** The failure body of nearly every token error, HTTP 401 (servicenow-api.md §2.2, observed). */
export const TOKEN_ERROR = { error: "server_error", error_description: "access_denied" } as const
/** Token `scope` is always `useraccount` (servicenow-api.md §2.2, [SN-OAUTH-RESP]). */
export const TOKEN_SCOPE = "useraccount"
/** Token type (servicenow-api.md §2.2). */
export const TOKEN_TYPE = "Bearer"
/** `oauth_entity.access_token_lifespan` default, seconds (servicenow-api.md §2.2, [SN-OAUTH-EXT]). */
export const ACCESS_TOKEN_LIFESPAN = 1800
/** `oauth_entity.refresh_token_lifespan` default, seconds (servicenow-api.md §2.2). */
export const REFRESH_TOKEN_LIFESPAN = 8_640_000
/** Length of generated tokens. MODELED (real tokens are opaque strings of about this size). */
export const TOKEN_LENGTH = 86
/** `oauth_entity.type` of inbound clients (servicenow-api.md §3.1, [SN-GR]). */
export const CLIENT_TYPE = "client"
/** `oauth_entity.type` of third-party providers (servicenow-api.md §3.1, §9 #1). */
export const PROVIDER_TYPE = "oauth_provider"
/**
 * Column holding the "OAuth Application User" of a client-credentials client. The real column is
 * not public (servicenow-api.md §2.3 step 3, §9 #2). MODELED.
 */
export const APPLICATION_USER_COLUMN = "oauth_application_user"

// ---------------------------------------------------------------------------------------------------
// System properties (servicenow-api.md §3.9, §2.6)

/** Property names the emulator reads. */
export const PROPERTY = {
  /** Invalid queries return no rows instead of widening ([SN-TABLE]). */
  invalidQueryReturnsNoRows: "glide.invalid_query.returns_no_rows",
  /** Basic-auth gate on/off (servicenow-api.md §2.6, observed). */
  basicAuthEnforce: "glide.authenticate.basic_auth.restriction.enforce",
  /** Roles that pass the gate, default `snc_basic_auth_api_access` (§2.6, observed). */
  basicAuthAllowedRoles: "glide.authenticate.basic_auth.allowed_roles",
  /** Whether web-service-access-only users pass the gate (§2.6, observed). */
  basicAuthAllowWsao: "glide.authenticate.basic_auth.allow_wsao",
  /** Enables `client_credentials`; absent by default ([SN-CC-PROP]). */
  clientCredentialsEnabled: "glide.oauth.inbound.client.credential.grant_type.enabled",
  /** Disables the password grant ([SN-ROPC]). */
  ropcDisabled: "glide.oauth.inbound.ropc.grant_type.disabled",
  /** Token parameters only from the POST body ([SN-OAUTH-POST]). */
  postBodyOnly: "glide.oauth.allow.parameters.in.post.body.only",
  /** Instance identity read by tools (servicenow-api.md §3.9). */
  buildName: "glide.buildname",
} as const

/** Release name reported in `glide.buildname` (the docs describe Australia, servicenow-api.md header). */
export const BUILD_NAME = "Australia"

// ---------------------------------------------------------------------------------------------------
// Roles (servicenow-api.md §3.4, §2.6; integration-procedure.md §7.2)

/** Platform roles the emulator seeds and checks. */
export const ROLE = {
  admin: "admin",
  itil: "itil",
  incidentManager: "incident_manager",
  basicAuthApiAccess: "snc_basic_auth_api_access",
  oauthAdmin: "oauth_admin",
  miAdmin: "mi_admin",
  userAdmin: "user_admin",
  securityAdmin: "security_admin",
  webServiceAdmin: "web_service_admin",
  restApiExplorer: "rest_api_explorer",
  sncInternal: "snc_internal",
  /** Special role that `admin` does not imply; guards read-only properties. */
  maint: "maint",
} as const

// ---------------------------------------------------------------------------------------------------
// Hibernation (servicenow-api.md §6.1)

/** Status of the hibernation page: 200 in third-party captures, unconfirmed (servicenow-api.md §6.1, §9 #8). */
export const HIBERNATION_STATUS = 200
/** Where the page sends people to wake the instance (servicenow-api.md §6.1). */
export const WAKE_URL = "https://developer.servicenow.com/dev.do#!/home?wu=true"
/** The hibernation page; its markers are those captured in kafka-docker-playground#8778 (servicenow-api.md §6.1). */
export const HIBERNATION_PAGE = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Instance Hibernating</title></head>
<body><div class="instance-hibernating-page"><h1>Your instance is hibernating</h1>
<p class="information">Sign in to the site to wake your instance</p>
<a class="button" href="${WAKE_URL}">Sign in</a></div></body></html>
`

// ---------------------------------------------------------------------------------------------------
// Application scopes (servicenow-api.md §3.6–3.8; integration-procedure.md §7)

/** The global scope's sys_id is `global` (servicenow-api.md §1.6 shows `global` as a reference value). */
export const GLOBAL_SCOPE = "global"
/** The integration app's scope (integration-procedure.md §7.1). */
export const APP_SCOPE = "x_mioms_m365_assis"
/** The app's name (integration-procedure.md §7.1). */
export const APP_NAME = "Microsoft 365 support integration"
/**
 * Default version of the emulator's install: 1.0.11, the last version whose wizard has the Basic
 * authentication settings the setup automates (integration-procedure.md §2, generation B; 2.0.0+
 * dropped them). Seed `appVersion: "2.1.0"` for the latest documented version.
 */
export const APP_VERSION = "1.0.11"
/** The app's roles (integration-procedure.md §7.2). */
export const APP_ROLE = {
  insightsUser: "x_mioms_m365_assis.insights_user",
  administrator: "x_mioms_m365_assis.administrator",
} as const
/** Tables the app reads cross-scope (integration-procedure.md §7.3; the two privileges are derived). */
export const APP_CROSS_SCOPE_TABLES = ["oauth_entity", "oauth_entity_profile"] as const
/** The wizard's cross-scope error (integration-procedure.md §10.1, servicenow-api.md §3.1). */
export const crossScopeRefused = (table: string, scope: string) =>
  `Read operation against '${table}' from scope '${scope}' has been refused due to the table's cross-scope access policy`
/** The modeled app endpoint without an app role. MODELED. */
export const APP_ROLE_REQUIRED: ErrorText = {
  message: "Operation Failed",
  detail: "Requires role x_mioms_m365_assis.administrator",
}
/** Status of the modeled app endpoint when the cross-scope read is refused. MODELED. */
export const CROSS_SCOPE_STATUS = 403

/**
 * The app's storage: one `sys_properties` row per wizard value, `x_mioms_m365_assis.<key>`.
 * Undocumented (integration-procedure.md §12 Q5): MODELED, see the README.
 */
export const APP_PROPERTY = {
  /** W3 Agree — `true`/`false`. */
  consent: "x_mioms_m365_assis.consent",
  /** W4 — sys_id of the outbound `oauth_entity_profile`. */
  outboundOAuthProfile: "x_mioms_m365_assis.outbound_oauth_profile",
  /** W5 — sys_id of the inbound `oauth_entity` (or `oauth_oidc_entity`); empty when skipped. */
  inboundOAuthClient: "x_mioms_m365_assis.inbound_oauth_client",
  /** W5 "External OIDC Auth Token" — `true`/`false`. */
  externalOidc: "x_mioms_m365_assis.external_oidc",
  /** W6 — `user_name` of the integration user; empty when skipped. */
  integrationUser: "x_mioms_m365_assis.integration_user",
  /** W7 — repository id. */
  repositoryId: "x_mioms_m365_assis.repository_id",
  /** W8 "SSO with Microsoft 365" — `true`/`false`. */
  sso: "x_mioms_m365_assis.sso",
  /** W8 "Microsoft 365 admin email". */
  m365AdminEmail: "x_mioms_m365_assis.m365_admin_email",
  /** W8 "Test Environment" — `true`/`false`. */
  testEnvironment: "x_mioms_m365_assis.test_environment",
  /** Gen B/C tenant domain. */
  tenantDomain: "x_mioms_m365_assis.tenant_domain",
  /** W10 — `true` once the wizard's last Next was pressed. */
  setupComplete: "x_mioms_m365_assis.setup_complete",
  /** W9 "Endpoint" — displayed by the wizard, read-only (write role `maint`). */
  endpoint: "x_mioms_m365_assis.endpoint",
} as const

/** The modeled W9 endpoint value (integration-procedure.md §12 Q3: format undocumented). MODELED. */
export const appEndpoint = (host: string) => `https://${host}/api/x_mioms_m365_assis/v1/m365_support`
