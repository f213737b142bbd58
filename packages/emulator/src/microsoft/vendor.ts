/**
 * Every fact about Microsoft's services that the emulator reproduces, one named constant each,
 * with where it comes from. `docs/entra-graph-msal.md` (§n) is the project's reference digest of
 * Microsoft's documentation; "derived" marks a choice where Microsoft documents nothing; "modeled"
 * marks the admin-center support integration, which never had a public API.
 *
 * @module
 */

// ---------------------------------------------------------------------------------------------
// Hosts

/** The identity platform (token issuer). Source: entra-graph-msal.md §4. */
export const LOGIN_HOST = "login.microsoftonline.com"
/** Microsoft Graph. Source: entra-graph-msal.md §1. */
export const GRAPH_HOST = "graph.microsoft.com"
/** The Microsoft 365 admin center. Source: integration-procedure.md §1 (host); the API is modeled. */
export const ADMIN_HOST = "admin.microsoft.com"
/** Graph's version root. Source: entra-graph-msal.md §1. */
export const GRAPH_VERSION_PATH = "/v1.0"
/** Modeled: the admin-center support-integration API root (specs/m365/support-integration.yaml). */
export const ADMIN_BASE_PATH = "/modeled/supportIntegration/v1"

// ---------------------------------------------------------------------------------------------
// Resources, audiences and permissions

/** Graph's resource URI: the `aud` of Graph access tokens. Source: entra-graph-msal.md §4.1. */
export const GRAPH_RESOURCE = "https://graph.microsoft.com"
/** Graph's application id, `resourceAppId` of its permissions. Source: entra-graph-msal.md §1.8. */
export const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
/** Modeled: the audience of admin-center support-integration tokens. */
export const ADMIN_RESOURCE = "https://admin.microsoft.com"
/** Modeled: the permission (app role and delegated scope) the support-integration API requires. */
export const SUPPORT_INTEGRATION_PERMISSION = "SupportIntegration.ReadWrite.All"

/** Graph app role: manage every application. Source: entra-graph-msal.md §1.8 (id 1bfefb4e-…). */
export const APPLICATION_READWRITE_ALL = "Application.ReadWrite.All"
/** Graph app role: create applications and manage only owned ones. Source: entra-graph-msal.md §1.8. */
export const APPLICATION_READWRITE_OWNEDBY = "Application.ReadWrite.OwnedBy"
/** Graph permission: read every application. Source: Get-MgApplicationByUniqueName permissions table. */
export const APPLICATION_READ_ALL = "Application.Read.All"
/** Graph permissions that also cover applications. Source: application-get permissions table. */
export const DIRECTORY_READWRITE_ALL = "Directory.ReadWrite.All"
export const DIRECTORY_READ_ALL = "Directory.Read.All"

/**
 * Directory roles that may manage applications through delegated permissions.
 * Source: entra-graph-msal.md §1.8 ("Application Administrator or Global Administrator").
 */
export const APPLICATION_ADMIN_ROLES = [
  "Global Administrator",
  "Application Administrator",
  "Cloud Application Administrator",
] as const
/**
 * Modeled: directory roles allowed to save the support-integration form (integration-procedure.md
 * §1: "Helpdesk Admin or Service Request Admin", "Microsoft 365 tenant admin").
 */
export const SUPPORT_INTEGRATION_ADMIN_ROLES = [
  "Global Administrator",
  "Helpdesk Administrator",
  "Service Support Administrator",
] as const

// ---------------------------------------------------------------------------------------------
// Tokens

/** Lifetime of access tokens, seconds. Source: entra-graph-msal.md §4.1 (`"expires_in":3599`). */
export const ACCESS_TOKEN_LIFETIME_SECONDS = 3599
/** v1 issuer of access tokens. Source: v1 OIDC discovery document (`https://sts.windows.net/{tenantid}/`). */
export const v1Issuer = (tenantId: string) => `https://sts.windows.net/${tenantId}/`
/** v2 issuer. Source: entra-graph-msal.md §4.4 (`https://login.microsoftonline.com/{tenantid}/v2.0`). */
export const v2Issuer = (tenantId: string) => `https://${LOGIN_HOST}/${tenantId}/v2.0`
/** Tenant aliases that are not a tenant. Source: entra-graph-msal.md §4.3 and §4.4. */
export const TENANT_ALIASES = ["common", "organizations", "consumers"] as const
/** `client_assertion_type` for certificate credentials. Source: entra-graph-msal.md §4.1. */
export const JWT_BEARER_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
/** The device-code grant, long form. Source: entra-graph-msal.md §4.3. */
export const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
/** The device-code grant as msal-node 7.2.3 sends it. Source: entra-graph-msal.md §4.3 [verified]. */
export const DEVICE_CODE_GRANT_SHORT = "device_code"
/** Scopes that ask for OIDC artefacts, not a resource. Source: entra-graph-msal.md §5.4, §5.6. */
export const OIDC_SCOPES = ["openid", "profile", "offline_access", "email"] as const
/** Device-code lifetime, seconds. Source: entra-graph-msal.md §4.3 ("expires_in (default 900)"). */
export const DEVICE_CODE_LIFETIME_SECONDS = 900
/** Device-code polling interval, seconds. Source: v2-oauth2-device-code.md sample (`"interval": 5`). */
export const DEVICE_CODE_INTERVAL_SECONDS = 5
/** Where the user enters the code. Source: v2-oauth2-device-code.md. */
export const DEVICE_LOGIN_URL = "https://microsoft.com/devicelogin"
/**
 * Microsoft's first-party public clients that may run the device-code flow in any tenant.
 * Source: Microsoft Graph PowerShell / Azure CLI client ids as used by public scripts.
 */
export const WELL_KNOWN_PUBLIC_CLIENTS: Readonly<Record<string, string>> = {
  "14d82eec-204b-4c2f-b7e8-296a70dab67e": "Microsoft Graph Command Line Tools",
  "04b07795-8ddb-461a-bbee-02f9e1bf7b46": "Microsoft Azure CLI",
}

/**
 * Aliases of the public cloud, as instance discovery returns them. Source: entra-graph-msal.md
 * §5.7 (msal-common's hard-coded aliases).
 */
export const CLOUD_ALIASES = [
  "login.microsoftonline.com",
  "login.windows.net",
  "login.microsoft.com",
  "sts.windows.net",
]

// ---------------------------------------------------------------------------------------------
// AADSTS errors. Source: entra-graph-msal.md §4.5 unless marked.

/** One identity-platform error: the OAuth `error`, the HTTP status and the AADSTS number. */
export interface AadstsError {
  readonly error: string
  readonly status: number
  readonly code: number | undefined
}

export const AADSTS = {
  /** Invalid client secret. */
  invalidSecret: { error: "invalid_client", status: 401, code: 7000215 },
  /** The secret keys are expired. */
  expiredSecret: { error: "invalid_client", status: 401, code: 7000222 },
  /** Neither `client_assertion` nor `client_secret`. */
  missingCredential: { error: "invalid_client", status: 401, code: 7000218 },
  /** The application has no service principal in the tenant (observed). */
  noServicePrincipal: { error: "invalid_client", status: 401, code: 7000229 },
  /** Application not found in the directory. */
  appNotFound: { error: "unauthorized_client", status: 400, code: 700016 },
  /** Tenant not found. */
  tenantNotFound: { error: "invalid_request", status: 400, code: 90002 },
  /** Invalid scope. */
  invalidScope: { error: "invalid_scope", status: 400, code: 70011 },
  /** Resource principal not found in the tenant. */
  resourceNotFound: { error: "invalid_resource", status: 400, code: 500011 },
  /** A required parameter is missing. */
  missingParameter: { error: "invalid_request", status: 400, code: 900144 },
  /** `resource` sent to the v2 endpoint. Source: §4.2. */
  resourceOnV2: { error: "invalid_request", status: 400, code: 901002 },
  /** Grant not supported over `/common`, `/organizations`, `/consumers`. */
  tenantRequired: { error: "invalid_request", status: 400, code: 9001023 },
  /** Unsupported grant type. Source: reference-error-codes.md (AADSTS70003 UnsupportedGrantType). */
  unsupportedGrant: { error: "unsupported_grant_type", status: 400, code: 70003 },
  /** Client assertion invalid (signature, key not registered, claims). Source: reference-error-codes.md (AADSTS700027). */
  invalidAssertion: { error: "invalid_client", status: 401, code: 700027 },
  /** Device flow: pending. */
  authorizationPending: { error: "authorization_pending", status: 400, code: 70016 },
  /** Device flow: the code expired. Source: reference-error-codes.md (AADSTS70019 CodeExpired). */
  expiredToken: { error: "expired_token", status: 400, code: 70019 },
  /** Device flow: unknown device code. Source: reference-error-codes.md (AADSTS70018 BadVerificationCode). */
  badVerificationCode: { error: "bad_verification_code", status: 400, code: 70018 },
  /** Device flow: the user declined. Source: v2-oauth2-device-code.md (`authorization_declined`); number derived. */
  authorizationDeclined: { error: "authorization_declined", status: 400, code: 70000 },
  /** Device flow: the user declined, as RFC 8628 §3.5 names it (`access_denied`); number derived. */
  accessDenied: { error: "access_denied", status: 400, code: 70000 },
  /** Device flow: polled faster than `interval`. Source: RFC 8628 §3.5 (`slow_down`; not in Microsoft's table). */
  slowDown: { error: "slow_down", status: 400, code: undefined },
  /** Tenant throttled. Source: entra-graph-msal.md §2.2 (AADSTS90055 TenantThrottlingError). */
  throttled: { error: "temporarily_unavailable", status: 429, code: 90055 },
  /** Generic server error (injected faults). Derived. */
  serverError: { error: "server_error", status: 500, code: 90033 },
} as const satisfies Record<string, AadstsError>

// ---------------------------------------------------------------------------------------------
// Graph behaviour

/** Default page size of directory lists. Source: entra-graph-msal.md §1.4. */
export const GRAPH_DEFAULT_PAGE_SIZE = 100
/** Largest `$top`. Source: entra-graph-msal.md §1.4. */
export const GRAPH_MAX_PAGE_SIZE = 999
/** Requests per `$batch`. Source: entra-graph-msal.md §2.3. */
export const GRAPH_BATCH_LIMIT = 20
/** `secretText` length range. Source: entra-graph-msal.md §1.5 (16–64 characters). */
export const SECRET_TEXT_LENGTH = 40
/** Characters in generated secrets (Entra secrets use letters, digits, `~`, `.`, `_`, `-`). Derived. */
export const SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789~._-"
/** Characters of `hint`. Source: entra-graph-msal.md §1.5 (first three characters). */
export const SECRET_HINT_LENGTH = 3
/** Default secret lifetime. Source: entra-graph-msal.md §1.5 (start + 2 years). */
export const DEFAULT_SECRET_LIFETIME_MS = 2 * 365 * 24 * 3600 * 1000
/** Write quota per application and tenant. Source: entra-graph-msal.md §2.2 (3,000 / 2 min 30 s). */
export const GRAPH_WRITE_QUOTA = { requests: 3000, windowMs: 150_000 } as const
/** Maximum length of `displayName`. Source: entra-graph-msal.md §1.2. */
export const DISPLAY_NAME_MAX = 256

/** Graph error codes. Source: entra-graph-msal.md §1.9 unless marked. */
export const GRAPH_ERROR = {
  notFound: "Request_ResourceNotFound",
  badRequest: "Request_BadRequest",
  unsupportedQuery: "Request_UnsupportedQuery",
  denied: "Authorization_RequestDenied",
  invalidToken: "InvalidAuthenticationToken",
  throttled: "TooManyRequests",
  /** Generic OData gateway errors (unknown segment, malformed batch). Source: concepts/errors.md. */
  gatewayBadRequest: "BadRequest",
  /** 424 inside `$batch`. Derived (the status is documented, the code is not). */
  failedDependency: "FailedDependency",
  /** Source: OfficeDev/microsoft-365-agents-toolkit#10998 (observed body). */
  lifetimePolicy: "CredentialInvalidLifetimeAsPerAppPolicy",
  /** Source: entra-graph-msal.md §1.6. */
  noBackingApplication: "NoBackingApplicationObject",
  /** Source: entra-graph-msal.md §1.9 (duplicate key value, e.g. SP already exists). */
  conflict: "Request_MultipleObjectsWithSameKeyValue",
  /** Generic server error (injected faults). Source: concepts/errors.md (`generalException`). */
  serverError: "generalException",
  serviceUnavailable: "serviceNotAvailable",
} as const

/** Messages whose text is documented or observed. */
export const GRAPH_MESSAGE = {
  /** Source: entra-graph-msal.md §1.9. */
  notFound: (id: string) =>
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  /** Source: entra-graph-msal.md §1.9. */
  denied: "Insufficient privileges to complete the operation.",
  /** Source: entra-graph-msal.md §1.6. */
  noBackingApplication: (appId: string) =>
    `The appId '${appId}' of the service principal does not reference a valid application object.`,
  /** Source: entra-graph-msal.md §1.6 (sic). */
  ownedByBacking:
    "When using this permission, the backing application of the service principal being created must in the local tenant",
  /** Source: OfficeDev/microsoft-365-agents-toolkit#10998. */
  lifetimePolicy: (policyId: string) =>
    `Credential lifetime exceeds the max value allowed as per assigned policy '${policyId}'.`,
  /** Source: entra-graph-msal.md §1.9 (405 example in the batching doc). */
  methodNotAllowed: "Specified HTTP method is not allowed for the request target.",
  /** Derived from Graph's OData messages. */
  requiredProperty: (property: string, resource: string) =>
    `A value is required for property '${property}' of resource '${resource}'.`,
  invalidProperty: (property: string, resource: string) =>
    `Invalid value specified for property '${property}' of resource '${resource}'.`,
  readOnlyProperty: (property: string) => `Property '${property}' is read-only and cannot be set.`,
  invalidJson:
    "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
  unsupportedFilter: (property: string, resource: string) =>
    `Unsupported or invalid query filter clause specified for property '${property}' of resource '${resource}'.`,
  advancedQuery:
    "Request with $count, $search or $orderby with $filter needs ConsistencyLevel: eventual and $count=true.",
  pageSize: (top: string) => `Invalid page size specified: '${top}'. Must be between 1 and 999 inclusive.`,
  segment: (segment: string) => `Resource not found for the segment '${segment}'.`,
  emptyToken: "Access token is empty.",
  invalidToken: "Access token validation failure. Invalid audience.",
  expiredToken: "Lifetime validation failed, the token is expired.",
  throttled: "Too many requests. Retry after the number of seconds in the Retry-After header.",
} as const

/** Default `Retry-After` of an injected Graph 429, seconds. Source: Dev Proxy GraphRandomErrorPlugin (5 s). */
export const DEFAULT_RETRY_AFTER_SECONDS = 5
/** OData content type of Graph JSON responses. Source: observed Graph responses. */
export const GRAPH_CONTENT_TYPE =
  "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"

/**
 * Every structural property of `application` in the v1.0 CSDL (entra-graph-msal.md §1.2), base
 * types included: a body may set any of them; any other name is refused like Graph refuses it.
 */
export const APPLICATION_PROPERTIES = [
  "id",
  "deletedDateTime",
  "addIns",
  "api",
  "appId",
  "applicationTemplateId",
  "appRoles",
  "authenticationBehaviors",
  "certification",
  "createdByAppId",
  "createdDateTime",
  "defaultRedirectUri",
  "description",
  "disabledByMicrosoftStatus",
  "displayName",
  "groupMembershipClaims",
  "identifierUris",
  "info",
  "isDeviceOnlyAuthSupported",
  "isDisabled",
  "isFallbackPublicClient",
  "keyCredentials",
  "logo",
  "managerApplications",
  "nativeAuthenticationApisEnabled",
  "notes",
  "oauth2RequirePostResponse",
  "optionalClaims",
  "parentalControlSettings",
  "passwordCredentials",
  "publicClient",
  "publisherDomain",
  "requestSignatureVerification",
  "requiredResourceAccess",
  "samlMetadataUrl",
  "serviceManagementReference",
  "servicePrincipalLockConfiguration",
  "signInAudience",
  "spa",
  "tags",
  "tokenEncryptionKeyId",
  "uniqueName",
  "verifiedPublisher",
  "web",
] as const

/** Every structural property of `servicePrincipal` in the v1.0 CSDL, base types included. */
export const SERVICE_PRINCIPAL_PROPERTIES = [
  "id",
  "deletedDateTime",
  "accountEnabled",
  "addIns",
  "alternativeNames",
  "appDescription",
  "appDisplayName",
  "appId",
  "applicationTemplateId",
  "appOwnerOrganizationId",
  "appRoleAssignmentRequired",
  "appRoles",
  "createdByAppId",
  "customSecurityAttributes",
  "description",
  "disabledByMicrosoftStatus",
  "displayName",
  "homepage",
  "info",
  "isDisabled",
  "keyCredentials",
  "loginUrl",
  "logoutUrl",
  "notes",
  "notificationEmailAddresses",
  "oauth2PermissionScopes",
  "passwordCredentials",
  "preferredSingleSignOnMode",
  "preferredTokenSigningKeyThumbprint",
  "replyUrls",
  "resourceSpecificApplicationPermissions",
  "samlSingleSignOnSettings",
  "servicePrincipalNames",
  "servicePrincipalType",
  "signInAudience",
  "tags",
  "tokenEncryptionKeyId",
  "verifiedPublisher",
] as const

/** Read-only properties a body may not set. Source: application / servicePrincipal resource docs ("Read-only"). */
export const APPLICATION_READ_ONLY = [
  "id",
  "appId",
  "createdDateTime",
  "deletedDateTime",
  "publisherDomain",
  "createdByAppId",
] as const
export const SERVICE_PRINCIPAL_READ_ONLY = [
  "id",
  "deletedDateTime",
  "appDisplayName",
  "appOwnerOrganizationId",
  "createdByAppId",
  "signInAudience",
] as const
/** Default `signInAudience` of new applications. Source: entra-graph-msal.md §1.2 (April 2024 change). */
export const DEFAULT_SIGN_IN_AUDIENCE = "AzureADMyOrg"
/** Redirect URI limits. Source: entra-graph-msal.md §1.2 (reply-url.md). */
export const REDIRECT_URI_MAX_LENGTH = 256
export const REDIRECT_URI_FORBIDDEN = /[!$'(),;]/
