/**
 * Every fact about ServiceNow this client relies on, one named constant each, with where it comes
 * from. `servicenow-api.md` is the shared reference (`docs/servicenow-api.md`); its section numbers
 * and source keys ([SN-TABLE]…) lead to the vendor pages. MODELED marks what no public source
 * states (the retired integration app's endpoint).
 *
 * @module
 */

// ---------------------------------------------------------------------------------------------------
// Hosts and paths

/** Commercial instances are `https://<name>.service-now.com` (servicenow-api.md §6.5). */
export const INSTANCE_HOST_SUFFIX = ".service-now.com"

/** The Table API version called explicitly: v2 answers `[]` where v1 answers 404 (servicenow-api.md §1.1, [SN-TABLE]). */
export const TABLE_API_VERSION = "v2"
/** Token endpoint (servicenow-api.md §2.2, [SN-OAUTH-REQ]). */
export const TOKEN_PATH = "/oauth_token.do"
/** Batch API; only the versioned form is documented (servicenow-api.md §4.1, [SN-BATCH]). */
export const BATCH_PATH = "/api/now/v1/batch"
/** The retired integration app's setup endpoint (specs/servicenow/app.yaml). MODELED. */
export const APP_SETUP_PATH = "/api/x_mioms_m365_assis/v1/setup"
/** Where the hibernation page sends people to wake a developer instance (servicenow-api.md §6.1). */
export const WAKE_URL = "https://developer.servicenow.com/dev.do#!/home?wu=true"

// ---------------------------------------------------------------------------------------------------
// Table API parameters and limits

/** Server default `sysparm_limit` when none is sent (servicenow-api.md §1.2, [SN-TABLE]). */
export const SERVER_DEFAULT_LIMIT = 10_000
/** Response header with the number of matching records (servicenow-api.md §1.3, [SN-TABLE]). */
export const TOTAL_COUNT_HEADER = "x-total-count"
/** Encoded-query separator; a literal caret in a value is written `^^` (servicenow-api.md §1.7, [SN-GSU]). */
export const QUERY_SEPARATOR = "^"
/** Ordering keywords of encoded queries (servicenow-api.md §1.7, [SN-EQ]). */
export const ORDER_BY = "ORDERBY"
/** @see ORDER_BY */
export const ORDER_BY_DESC = "ORDERBYDESC"
/** Every record's unique key, always readable: the stable sort of list pages (servicenow-api.md §1.8, derived). */
export const SYS_ID = "sys_id"

/**
 * Fields that are stored correctly only when written with `sysparm_input_display_value=true`: the
 * hashed `sys_user.user_password` and encrypted `password2` fields such as
 * `oauth_entity.client_secret` (servicenow-api.md §1.2, §3.1, §3.5, [OI-PWD][PSSNOW]).
 */
export const INPUT_DISPLAY_VALUE_FIELDS: Readonly<Record<string, ReadonlyArray<string>>> = {
  sys_user: ["user_password"],
  oauth_entity: ["client_secret"],
  oauth_oidc_entity: ["client_secret"],
}

// ---------------------------------------------------------------------------------------------------
// OAuth (servicenow-api.md §2.2)

/** Refresh an access token this long before it expires, as PySNC and the Ansible collection do (servicenow-api.md §8). */
export const TOKEN_REFRESH_SKEW_MS = 60_000
/** Token lifetime assumed when a response carries no `expires_in`: `access_token_lifespan` default (servicenow-api.md §2.2). */
export const DEFAULT_ACCESS_TOKEN_LIFESPAN_S = 1800

// ---------------------------------------------------------------------------------------------------
// Batch API (servicenow-api.md §4.1)

/** Times a batch's `unserviced_requests` are sent again, as PySNC does (servicenow-api.md §4.1). */
export const BATCH_UNSERVICED_RESENDS = 3
/** The "REST Batch API request timeout" quota that leaves items unserviced (servicenow-api.md §4.1, [SN-BATCH]). */
export const BATCH_QUOTA_SECONDS = 30

// ---------------------------------------------------------------------------------------------------
// Error strings (servicenow-api.md §1.5, §6.4; clients should branch on status first)

/** `error.message` of an ACL refusal of a write (servicenow-api.md §1.5, §6.4). */
export const OPERATION_FAILED = "Operation Failed"
/** `error.detail` fragment of ACL refusals: `ACL Exception Insert Failed due to security constraints` (§1.5). */
export const ACL_EXCEPTION = "ACL Exception"
/** `error.message` of a query on a field the caller cannot read (servicenow-api.md §1.5, [KB0744425]). */
export const QUERY_DENIED = "Insufficient rights to query records"
/** `error.message` of an OAuth token without the REST API auth scope (servicenow-api.md §2.4, [SN-SCOPE-TS]). */
export const MISSING_API_SCOPE = "Missing required api access scope"
/** `error.message` prefix of a transaction-quota cancellation (servicenow-api.md §5.3, [SN-QUOTA]). */
export const TRANSACTION_CANCELLED = "Transaction cancelled"
/** `error.message` of an unknown REST path — the integration app is not installed (servicenow-api.md §1.5). */
export const NO_RESOURCE = "Requested URI does not represent any resource"
/** `error.message` prefix of an unknown table (servicenow-api.md §1.5). */
export const INVALID_TABLE = "Invalid table"
/** `error.message` of a request body over `glide.rest.max_content_length` (servicenow-api.md §5.3, [KB0747638]). */
export const UNREADABLE_REQUEST = "Exception while reading request"
/** Lower-case 401 wording reported only for Basic calls refused by the Basic-auth gate (servicenow-api.md §1.5, §2.6). */
export const BASIC_AUTH_GATE_WORDING = "User is not authenticated"
/** Text of the hibernation page (kafka-docker-playground#8778, servicenow-api.md §6.1). */
export const HIBERNATION_MARKER = /instance-hibernating-page|instance is hibernating/i
/** The page's title as an error message, should it come with an error status (unconfirmed, servicenow-api.md §9 #8). */
export const HIBERNATION_TITLE = /\bhibernat/i
/**
 * The wizard's cross-scope refusal (integration-procedure.md §10.1, servicenow-api.md §3.1):
 * `Read operation against '<table>' from scope '<scope>' has been refused due to the table's cross-scope access policy`.
 */
export const CROSS_SCOPE_REFUSED = /Read operation against '([^']+)' from scope '([^']+)' has been refused/

// ---------------------------------------------------------------------------------------------------
// Names used in remedies

/** Role that lets an interactive account pass the Basic-auth gate (servicenow-api.md §2.6, [SN-BA-RESTRICT]). */
export const BASIC_AUTH_API_ACCESS_ROLE = "snc_basic_auth_api_access"
/** Property that disables the password grant (servicenow-api.md §2.2, [SN-ROPC]). */
export const ROPC_DISABLED_PROPERTY = "glide.oauth.inbound.ropc.grant_type.disabled"
/** Property that enables client_credentials (servicenow-api.md §2.3, [SN-CC-PROP]). */
export const CLIENT_CREDENTIALS_PROPERTY = "glide.oauth.inbound.client.credential.grant_type.enabled"
/** Role of the integration app's administrators (integration-procedure.md §7.2). */
export const APP_ADMIN_ROLE = "x_mioms_m365_assis.administrator"
/** Roles that manage OAuth records (servicenow-api.md §3.4, [SN-OAUTH-INB]). */
export const OAUTH_ADMIN_ROLES = ["oauth_admin", "mi_admin", "admin"] as const
