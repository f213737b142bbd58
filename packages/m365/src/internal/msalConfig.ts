/**
 * The msal-node configuration sn365 uses: the production authority, the endpoint metadata given
 * in the configuration so that msal never runs instance discovery or fetches an OpenID document
 * (entra-graph-msal.md §5.7: only token and device-code requests go out, and all of them through
 * our network client), and msal's own logging off (sn365 reports through typed events).
 */
import { type Configuration, type INetworkModule, LogLevel } from "@azure/msal-node"
import { LOGIN_HOST, LOGIN_ORIGIN, PUBLIC_CLOUD_ALIASES, PUBLIC_CLOUD_PREFERRED_CACHE } from "../vendor.ts"

/** The authority URL of a tenant (GUID or verified domain). */
export const authorityOf = (tenant: string): string => `${LOGIN_ORIGIN}/${encodeURIComponent(tenant)}`

/** The instance-discovery answer for the public cloud (entra-graph-msal.md §4.4). */
const cloudDiscoveryMetadata = (): string =>
  JSON.stringify({
    tenant_discovery_endpoint: `${LOGIN_ORIGIN}/common/v2.0/.well-known/openid-configuration`,
    "api-version": "1.1",
    metadata: [
      {
        preferred_network: LOGIN_HOST,
        preferred_cache: PUBLIC_CLOUD_PREFERRED_CACHE,
        aliases: PUBLIC_CLOUD_ALIASES,
      },
    ],
  })

/** The fields of a tenant's v2 OpenID configuration that msal reads (entra-graph-msal.md §4.4). */
const authorityMetadata = (tenant: string): string => {
  const base = authorityOf(tenant)
  return JSON.stringify({
    token_endpoint: `${base}/oauth2/v2.0/token`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    jwks_uri: `${base}/discovery/v2.0/keys`,
    issuer: `${base}/v2.0`,
  })
}

/** The shared part of every msal application sn365 creates. */
export const msalConfiguration = (
  tenant: string,
  clientId: string,
  networkClient: INetworkModule,
): Configuration => ({
  auth: {
    clientId,
    authority: authorityOf(tenant),
    knownAuthorities: [LOGIN_HOST],
    cloudDiscoveryMetadata: cloudDiscoveryMetadata(),
    authorityMetadata: authorityMetadata(tenant),
  },
  system: {
    networkClient,
    loggerOptions: { loggerCallback: () => undefined, piiLoggingEnabled: false, logLevel: LogLevel.Error },
  },
})
