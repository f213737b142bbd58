/**
 * Facts about the integration procedure, each with its source. Section numbers refer to the
 * procedure specification (`docs/integration-procedure.md` in the design set, which cites the
 * Microsoft documentation files and commits).
 *
 * @module
 */

/** Date Microsoft shut the integration's service down. Source: §0, servicenow-overview.md@36ebea34. */
export const SERVICE_RETIRED_ON = "2025-05-30"

/** The scoped app's scope name. Source: §7.1. */
export const APP_SCOPE = "x_mioms_m365_assis"

/** App role that shows insights in the incident view. Source: §7.2. */
export const ROLE_INSIGHTS_USER = `${APP_SCOPE}.insights_user`

/** App role that may open Microsoft support cases. Source: §7.2. */
export const ROLE_ADMINISTRATOR = `${APP_SCOPE}.administrator`

/** Platform role of the Basic integration user. Source: §4.1 P7, §11 D14. */
export const ROLE_INCIDENT_MANAGER = "incident_manager"

/** ServiceNow's OAuth callback path, used for every redirect URL. Source: §11 D1. */
export const OAUTH_REDIRECT_PATH = "/oauth_redirect.do"

/** Token URL of the outbound provider (Entra v1 endpoint). Source: §4.1 P5, §9. */
export const entraV1TokenUrl = (tenant: string) =>
  `https://login.microsoftonline.com/${encodeURIComponent(tenant)}/oauth2/token`

/** Characters of a password credential's `hint`: the first three of its secret. Source: entra-graph-msal.md §1.5. */
export const SECRET_HINT_LENGTH = 3

/** Single-tenant sign-in audience of the outbound app. Source: §4.1 P1; entra-graph-msal §1.2. */
export const SIGN_IN_AUDIENCE_SINGLE_TENANT = "AzureADMyOrg"

/** `oauth_entity.type` of a third-party provider (outbound). Source: servicenow-api §3.1, §9 #1. */
export const OAUTH_ENTITY_TYPE_PROVIDER = "oauth_provider"

/** `oauth_entity.type` of an OAuth API endpoint for external clients (inbound). Source: servicenow-api §3.1. */
export const OAUTH_ENTITY_TYPE_CLIENT = "client"

/** Default grant type of the outbound provider. Source: §4.1 P5. */
export const GRANT_CLIENT_CREDENTIALS = "client_credentials"

/** Refresh-token expiry entered in the admin-center form, seconds. Source: §4.1 M2, §11 D2. */
export const FORM_REFRESH_TOKEN_EXPIRY = 864000

/** Platform default `refresh_token_lifespan` of an inbound OAuth endpoint, seconds. Source: §11 D2 (SN platform). */
export const INBOUND_REFRESH_TOKEN_LIFESPAN = 8640000

/** "Internal support tool" value of the admin-center form. Source: §6.2, §11 D11. */
export const INTERNAL_SUPPORT_TOOL = "ServiceNow"

/** Authentication type of the Basic variant's repository. Source: §6.2. */
export const AUTH_TYPE_BASIC = "Basic Auth" as const

/** Tables the app reads across scopes. Source: §7.3, §10.1 (the profile table is derived). */
export const CROSS_SCOPE_TABLES = ["oauth_entity", "oauth_entity_profile"] as const

/** The cross-scope error text, both apostrophe forms. Source: §10.1, §11 D13. */
export const CROSS_SCOPE_ERROR =
  /Read operation against '([a-z_]+)' from scope 'x_mioms_m365_assis' has been refused due to the table['’]s cross-scope access policy/

/** Service IPs to allow in both directions (historical since the shutdown). Source: §9. */
export const SERVICE_IPS = [
  "52.149.152.32",
  "40.83.232.243",
  "40.83.114.39",
  "13.76.138.31",
  "13.79.229.170",
  "20.105.151.142",
] as const

/** Host whose DNS answer lists the active service IPs. Source: §9, §11 D7. */
export const CONNECTOR_HOST = "connector.rave.microsoft.com"
