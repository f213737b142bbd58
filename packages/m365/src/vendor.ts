/**
 * Every fact about Microsoft's services that @sn365/m365 relies on, one named constant each, with
 * where it comes from. `entra-graph-msal.md §n` and `integration-procedure.md §n` are the project's
 * reference digests of Microsoft's documentation (`docs/` beside the design); "modeled" marks the
 * admin-center support-integration API, which never had a public contract
 * (`specs/m365/support-integration.yaml`).
 *
 * @module
 */

// ---------------------------------------------------------------------------------------------
// Hosts, base URLs and scopes

/** The public-cloud identity platform origin (token issuer). Source: entra-graph-msal.md §4.1. */
export const LOGIN_ORIGIN = "https://login.microsoftonline.com"

/** Its host, as msal's `knownAuthorities` names it. Source: entra-graph-msal.md §5.2. */
export const LOGIN_HOST = "login.microsoftonline.com"

/** Aliases of the public cloud, as instance discovery returns them. Source: entra-graph-msal.md §5.7. */
export const PUBLIC_CLOUD_ALIASES = [
  "login.microsoftonline.com",
  "login.windows.net",
  "login.microsoft.com",
  "sts.windows.net",
] as const

/** The cache host instance discovery prefers for the public cloud. Source: entra-graph-msal.md §4.4. */
export const PUBLIC_CLOUD_PREFERRED_CACHE = "login.windows.net"

/** Microsoft Graph v1.0 root. Source: entra-graph-msal.md §1. */
export const GRAPH_BASE_URL = "https://graph.microsoft.com/v1.0"

/** Graph's resource URI, the `aud` of its tokens. Source: entra-graph-msal.md §4.1. */
export const GRAPH_RESOURCE = "https://graph.microsoft.com"

/** The scope that asks for Graph's granted permissions (app-only and delegated). Source: entra-graph-msal.md §4.1. */
export const GRAPH_DEFAULT_SCOPE = `${GRAPH_RESOURCE}/.default`

/** Graph's application id, the `resourceAppId` of its permissions. Source: entra-graph-msal.md §1.8. */
export const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"

/** Modeled: the admin-center support-integration API root. Source: specs/m365/support-integration.yaml `servers`. */
export const ADMIN_API_BASE_URL = "https://admin.microsoft.com/modeled/supportIntegration/v1"

/** Modeled: the audience of support-integration tokens. Source: specs/m365/support-integration.yaml `info`. */
export const ADMIN_RESOURCE = "https://admin.microsoft.com"

/** Modeled: the scope sn365 requests for the support-integration API. Source: specs/m365/support-integration.yaml `info`. */
export const ADMIN_DEFAULT_SCOPE = `${ADMIN_RESOURCE}/.default`

// ---------------------------------------------------------------------------------------------
// Permissions

/** App role: manage every application. Source: entra-graph-msal.md §1.8. */
export const APPLICATION_READWRITE_ALL = "Application.ReadWrite.All"
/** Id of the `Application.ReadWrite.All` app role. Source: entra-graph-msal.md §1.8. */
export const APPLICATION_READWRITE_ALL_ROLE_ID = "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9"
/** Id of the delegated `Application.ReadWrite.All` scope. Source: entra-graph-msal.md §1.8 (as quoted by public scripts). */
export const APPLICATION_READWRITE_ALL_SCOPE_ID = "bdfbf15f-ee85-4955-8675-146e8e5296b5"
/** App role: create applications and manage only owned ones. Source: entra-graph-msal.md §1.8. */
export const APPLICATION_READWRITE_OWNEDBY = "Application.ReadWrite.OwnedBy"
/** Id of the `Application.ReadWrite.OwnedBy` app role. Source: entra-graph-msal.md §1.8. */
export const APPLICATION_READWRITE_OWNEDBY_ROLE_ID = "18a4783c-866b-4cc7-a460-3d5e5662c884"
/** Modeled: the support-integration permission (app role or delegated scope). Source: specs/m365/support-integration.yaml. */
export const SUPPORT_INTEGRATION_PERMISSION = "SupportIntegration.ReadWrite.All"

// ---------------------------------------------------------------------------------------------
// Graph requests

/** Header that turns a PATCH by alternate key into an upsert. Source: entra-graph-msal.md §1.3. */
export const PREFER_HEADER = "Prefer"
/** Its value. Source: entra-graph-msal.md §1.3 (application-upsert.md). */
export const PREFER_CREATE_IF_MISSING = "create-if-missing"
/** Single-tenant sign-in audience, which the integration requires. Source: entra-graph-msal.md §1.2; integration-procedure.md P1. */
export const SIGN_IN_AUDIENCE_SINGLE_TENANT = "AzureADMyOrg"
/** Largest Graph page (`$top`). Source: entra-graph-msal.md §1.4. */
export const GRAPH_MAX_PAGE_SIZE = 999

// ---------------------------------------------------------------------------------------------
// Graph error codes and messages (branch on codes; messages only where Graph gives no code)

/** 404 on a missing (or not yet replicated) object. Source: entra-graph-msal.md §1.9. */
export const GRAPH_RESOURCE_NOT_FOUND = "Request_ResourceNotFound"
/** 403 insufficient privileges. Source: entra-graph-msal.md §1.9. */
export const GRAPH_AUTHORIZATION_DENIED = "Authorization_RequestDenied"
/** `details[].code` of a service-principal create whose application has not replicated. Source: entra-graph-msal.md §1.6. */
export const GRAPH_NO_BACKING_APPLICATION = "NoBackingApplicationObject"
/** Message of the same failure (older responses carry no detail code). Source: entra-graph-msal.md §1.6. */
export const GRAPH_NO_BACKING_APPLICATION_TEXT = "does not reference a valid application object"
/** 403 message of the same race under `Application.ReadWrite.OwnedBy`. Source: entra-graph-msal.md §1.6 (terraform-provider-azuread#581, #611). */
export const GRAPH_OWNEDBY_BACKING_TEXT = "backing application of the service principal"
/** Code of a secret refused by a tenant lifetime policy. Source: OfficeDev/microsoft-365-agents-toolkit#10998 (observed body). */
export const GRAPH_LIFETIME_POLICY = "CredentialInvalidLifetimeAsPerAppPolicy"
/** Message of the same refusal. Source: entra-graph-msal.md §1.5. */
export const GRAPH_LIFETIME_POLICY_TEXT = "Credential lifetime exceeds the max value allowed"
/** 401 on a missing, expired or invalid bearer token. Source: entra-graph-msal.md §1.9. */
export const GRAPH_INVALID_TOKEN = "InvalidAuthenticationToken"

// ---------------------------------------------------------------------------------------------
// Identity platform (AADSTS) codes. Source: entra-graph-msal.md §4.5 unless marked.

/** Invalid client secret (also: a new secret not yet replicated). */
export const AADSTS_INVALID_SECRET = "7000215"
/** The client secret keys are expired (also seen right after registration, §2.1). */
export const AADSTS_EXPIRED_SECRET = "7000222"
/** Neither `client_assertion` nor `client_secret` in the request. */
export const AADSTS_MISSING_CREDENTIAL = "7000218"
/** The application has no service principal in the tenant. */
export const AADSTS_MISSING_SERVICE_PRINCIPAL = "7000229"
/** Application not found in the directory (wrong tenant, no consent, or not yet replicated). */
export const AADSTS_APPLICATION_NOT_FOUND = "700016"
/** Tenant not found. */
export const AADSTS_TENANT_NOT_FOUND = "90002"
/** Invalid scope. */
export const AADSTS_INVALID_SCOPE = "70011"
/** Resource principal not found in the tenant. */
export const AADSTS_RESOURCE_NOT_FOUND = "500011"
/** Consent not granted. */
export const AADSTS_CONSENT_REQUIRED = "65001"
/** The application is disabled. */
export const AADSTS_APPLICATION_DISABLED = "7000112"
/** Client assertion (certificate) invalid. Source: reference-error-codes.md (AADSTS700027). */
export const AADSTS_INVALID_ASSERTION = "700027"
/** Tenant throttled by the token service. Source: entra-graph-msal.md §2.2. */
export const AADSTS_TENANT_THROTTLED = "90055"

/**
 * Token-endpoint answers that mean "not replicated yet" right after a secret, app or service
 * principal was created; retried within the budget. Source: entra-graph-msal.md §2.1.
 */
export const AADSTS_REPLICATION_CODES: ReadonlyArray<string> = [
  AADSTS_INVALID_SECRET,
  AADSTS_EXPIRED_SECRET,
  AADSTS_APPLICATION_NOT_FOUND,
  AADSTS_MISSING_SERVICE_PRINCIPAL,
]

/** Device-code poll: the user declined. Source: entra-graph-msal.md §4.3. */
export const DEVICE_CODE_DECLINED = "authorization_declined"
/** Device-code poll: the code expired. Source: entra-graph-msal.md §4.3. */
export const DEVICE_CODE_EXPIRED = "expired_token"
/** Device-code poll: unknown code. Source: entra-graph-msal.md §4.3. */
export const DEVICE_CODE_BAD_CODE = "bad_verification_code"

// ---------------------------------------------------------------------------------------------
// Replication lag and token lifetimes

/** First wait after a replication 404. Source: entra-graph-msal.md §2.1 (backoff from 1 s). */
export const REPLICATION_BASE_DELAY_MS = 1_000
/** Cap of one wait. Source: entra-graph-msal.md §2.1 (cap ~16 s). */
export const REPLICATION_MAX_DELAY_MS = 16_000
/** Default total budget. Source: entra-graph-msal.md §2.1 (~2 min). */
export const REPLICATION_BUDGET_MS = 120_000
/** Cap of one wait while a new secret replicates. Source: entra-graph-msal.md §2.1 (backoff 1–2 s). */
export const SECRET_REPLICATION_MAX_DELAY_MS = 2_000

/** msal treats a token as expired this long before `expires_in`. Source: entra-graph-msal.md §5.5. */
export const TOKEN_RENEWAL_OFFSET_MS = 300_000

// ---------------------------------------------------------------------------------------------
// Microsoft 365 admin center — the support-integration form (integration-procedure.md §6)

/** Where the form lives. Source: integration-procedure.md §6.1. */
export const ADMIN_FORM_LOCATION =
  "Microsoft 365 admin center (https://admin.microsoft.com) → Settings → Org settings → Organization profiles → support integration"

/** The tab with the support tool and the application id. Source: integration-procedure.md §6.1. */
export const BASIC_INFORMATION_TAB = "Basic information"
/** The tab with the repositories. Source: integration-procedure.md §6.1. */
export const REPOSITORIES_TAB = "Repositories"
/** The button that opens the repository dialog (Gen A; Gen B/C: "New repository"). Source: integration-procedure.md §6.2. */
export const ADD_REPOSITORY_BUTTON = "Add a repository"

/** Field labels exactly as the form shows them (Gen A wording). Source: integration-procedure.md §6.2. */
export const FORM_LABEL = {
  internalSupportTool: "Internal support tool",
  applicationId: "Application ID to issue OAuth token",
  repository: "Repository",
  endpoint: "Endpoint",
  authenticationType: "Authentication type",
  clientId: "Client ID",
  clientSecret: "Client secret",
  refreshTokenExpiry: "Refresh token expiry",
  restUsername: "Rest username",
  restUserPassword: "Rest user password",
} as const

/** The only internal support tool the guides name. Source: integration-procedure.md §6.2. */
export const INTERNAL_SUPPORT_TOOL = "ServiceNow"
/** The form's refresh-token expiry for Basic Auth, seconds. Source: integration-procedure.md §6.2 (864000). */
export const DEFAULT_REFRESH_TOKEN_EXPIRY = 864_000

/** Error codes of the modeled admin-center API that sn365 tells apart. Source: modeled, specs/m365/support-integration.yaml (error.code). */
export const ADMIN_ERROR = {
  applicationNotFound: "ApplicationNotFound",
  repositoryNotFound: "RepositoryNotFound",
} as const

/** Procedure step id of the Basic information tab. Source: integration-procedure.md §4.1 (M1). */
export const STEP_BASIC_INFORMATION = "M1"
/** Procedure step id of the repository dialog. Source: integration-procedure.md §4.1 (M2). */
export const STEP_REPOSITORY = "M2"
