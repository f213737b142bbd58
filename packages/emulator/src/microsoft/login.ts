/**
 * The emulated identity platform at `login.microsoftonline.com`: the v1 and v2 token endpoints,
 * the device-code endpoints, OIDC discovery (v1 and v2), the signing keys and MSAL's instance
 * discovery. Tenants are addressed by GUID or verified domain; an unknown one gets AADSTS90002.
 *
 * @module
 */
import { type EmulatorRequest, type EmulatorResponse, formBody, json } from "../server/http.ts"
import type { Random } from "../server/random.ts"
import type { EmulatedSystem } from "../server/system.ts"
import { aadstsError, type StsContext, stsHeaders } from "./aadsts.ts"
import type { DeviceCodes } from "./deviceCodes.ts"
import type { Directory, TenantState } from "./directory.ts"
import { jwks } from "./jwt.ts"
import {
  clientRequestIdOf,
  handleToken,
  isPublicClient,
  type RefreshTokenState,
  type TokenEndpointContext,
  tokenUrlOf,
} from "./tokenEndpoint.ts"
import {
  AADSTS,
  CLOUD_ALIASES,
  DEVICE_CODE_LIFETIME_SECONDS,
  DEVICE_LOGIN_URL,
  GRAPH_HOST,
  LOGIN_HOST,
  TENANT_ALIASES,
  v1Issuer,
  v2Issuer,
} from "./vendor.ts"

/** @internal */
export interface LoginOptions {
  readonly directory: Directory
  readonly random: Random
  readonly deviceCodes: DeviceCodes
  /** Polling interval announced by `/devicecode`, seconds. */
  readonly deviceCodeInterval: () => number
}

const BASE = `https://${LOGIN_HOST}`

/** The v2 OIDC discovery document of a tenant (entra-graph-msal.md §4.4). */
const v2Discovery = (tenantId: string, segment: string) => ({
  token_endpoint: `${BASE}/${tenantId}/oauth2/v2.0/token`,
  token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
  jwks_uri: `${BASE}/${segment}/discovery/v2.0/keys`,
  response_modes_supported: ["query", "fragment", "form_post"],
  subject_types_supported: ["pairwise"],
  id_token_signing_alg_values_supported: ["RS256"],
  response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
  scopes_supported: ["openid", "profile", "email", "offline_access"],
  issuer: v2Issuer(tenantId),
  request_uri_parameter_supported: false,
  userinfo_endpoint: `https://${GRAPH_HOST}/oidc/userinfo`,
  authorization_endpoint: `${BASE}/${tenantId}/oauth2/v2.0/authorize`,
  device_authorization_endpoint: `${BASE}/${tenantId}/oauth2/v2.0/devicecode`,
  http_logout_supported: true,
  frontchannel_logout_supported: true,
  end_session_endpoint: `${BASE}/${tenantId}/oauth2/v2.0/logout`,
  claims_supported: ["sub", "iss", "aud", "exp", "iat", "nbf", "name", "oid", "tid", "preferred_username"],
  tenant_region_scope: "EU",
  cloud_instance_name: "microsoftonline.com",
  cloud_graph_host_name: "graph.windows.net",
  msgraph_host: GRAPH_HOST,
  rbac_url: "https://pas.windows.net",
})

/** The v1 document — what the integration's OIDC provider configuration points at (§5.1). */
const v1Discovery = (tenantId: string, segment: string) => ({
  token_endpoint: `${BASE}/${tenantId}/oauth2/token`,
  token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
  jwks_uri: `${BASE}/${segment}/discovery/keys`,
  response_modes_supported: ["query", "fragment", "form_post"],
  subject_types_supported: ["pairwise"],
  id_token_signing_alg_values_supported: ["RS256"],
  response_types_supported: ["code", "id_token", "code id_token", "token id_token", "token"],
  scopes_supported: ["openid"],
  issuer: v1Issuer(tenantId),
  microsoft_multi_refresh_token: true,
  authorization_endpoint: `${BASE}/${tenantId}/oauth2/authorize`,
  device_authorization_endpoint: `${BASE}/${tenantId}/oauth2/devicecode`,
  http_logout_supported: true,
  frontchannel_logout_supported: true,
  end_session_endpoint: `${BASE}/${tenantId}/oauth2/logout`,
  claims_supported: ["sub", "iss", "aud", "exp", "iat", "nbf", "name", "oid", "tid", "upn", "unique_name"],
  check_session_iframe: `${BASE}/${tenantId}/oauth2/checksession`,
  userinfo_endpoint: `${BASE}/${tenantId}/openid/userinfo`,
  tenant_region_scope: "EU",
  cloud_instance_name: "microsoftonline.com",
  cloud_graph_host_name: "graph.windows.net",
  msgraph_host: GRAPH_HOST,
  rbac_url: "https://pas.windows.net",
})

/** MSAL's instance-discovery answer for the public cloud (entra-graph-msal.md §4.4). */
const instanceDiscovery = () => ({
  tenant_discovery_endpoint: `${BASE}/common/v2.0/.well-known/openid-configuration`,
  "api-version": "1.1",
  metadata: [{ preferred_network: LOGIN_HOST, preferred_cache: "login.windows.net", aliases: CLOUD_ALIASES }],
})

/** @internal */
export const createLogin = (options: LoginOptions) => {
  const { directory, random, deviceCodes } = options
  let refreshTokens = new Map<string, RefreshTokenState>()

  const contextOf = (request: EmulatorRequest): TokenEndpointContext => ({
    random,
    now: directory.clock.now(),
    requestId: random.guid(),
    clientRequestId: clientRequestIdOf(request.headers, request.url),
    directory,
    deviceCodes,
    refreshTokens,
  })

  const ok = (context: StsContext, body: unknown, headers: Record<string, string> = {}) =>
    json(200, body, { ...stsHeaders(context.requestId, context.clientRequestId), ...headers })

  const tenantNotFound = (context: StsContext, segment: string) =>
    aadstsError(
      context,
      AADSTS.tenantNotFound,
      `Tenant '${segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
    )

  const deviceCode = (
    context: TokenEndpointContext,
    tenant: TenantState,
    version: 1 | 2,
    form: URLSearchParams,
  ): EmulatorResponse => {
    const clientId = form.get("client_id")
    if (clientId === null || clientId === "") {
      return aadstsError(
        context,
        AADSTS.missingParameter,
        "The request body must contain the following parameter: 'client_id'.",
      )
    }
    const scopeParameter = version === 2 ? form.get("scope") : form.get("resource")
    if (scopeParameter === null || scopeParameter.trim() === "") {
      const name = version === 2 ? "scope" : "resource"
      return aadstsError(
        context,
        AADSTS.missingParameter,
        `The request body must contain the following parameter: '${name}'.`,
      )
    }
    if (!isPublicClient(context, tenant, clientId)) {
      return aadstsError(
        context,
        AADSTS.appNotFound,
        `Application with identifier '${clientId}' was not found in the directory '${tenant.displayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      )
    }
    const scopes =
      version === 2 ? scopeParameter.trim().split(/\s+/) : [`${scopeParameter.replace(/\/+$/, "")}/.default`]
    const interval = options.deviceCodeInterval()
    const state = deviceCodes.issue({
      tenantId: tenant.id,
      clientId,
      scopes,
      issuedMs: context.now,
      expiresMs: context.now + DEVICE_CODE_LIFETIME_SECONDS * 1000,
      intervalSeconds: interval,
    })
    const message = `To sign in, use a web browser to open the page ${DEVICE_LOGIN_URL} and enter the code ${state.userCode} to authenticate.`
    if (version === 2) {
      return ok(context, {
        user_code: state.userCode,
        device_code: state.deviceCode,
        verification_uri: DEVICE_LOGIN_URL,
        expires_in: DEVICE_CODE_LIFETIME_SECONDS,
        interval,
        message,
      })
    }
    return ok(context, {
      user_code: state.userCode,
      device_code: state.deviceCode,
      verification_url: DEVICE_LOGIN_URL,
      expires_in: String(DEVICE_CODE_LIFETIME_SECONDS),
      interval: String(interval),
      message,
    })
  }

  const handle = (request: EmulatorRequest): EmulatorResponse => {
    const context = contextOf(request)
    const segments = request.url.pathname.split("/").filter((s) => s !== "")
    const [segment = "", ...rest] = segments
    const route = rest.join("/")
    const cache = { "cache-control": "max-age=86400, private", "access-control-allow-origin": "*" }

    if (segment === "common" && route === "discovery/instance" && request.method === "GET") {
      return ok(context, instanceDiscovery(), cache)
    }
    if (route === "discovery/keys" || route === "discovery/v2.0/keys") return ok(context, jwks(), cache)

    const alias = (TENANT_ALIASES as ReadonlyArray<string>).includes(segment.toLowerCase())
    const tenant = alias ? undefined : directory.tenant(segment)
    if (!alias && tenant === undefined) return tenantNotFound(context, segment)

    if (route === "v2.0/.well-known/openid-configuration" || route === ".well-known/openid-configuration") {
      if (request.method !== "GET") return json(405, { error: "method_not_allowed" })
      const id = tenant?.id ?? "{tenantid}"
      return ok(
        context,
        route.startsWith("v2.0") ? v2Discovery(id, segment) : v1Discovery(id, segment),
        cache,
      )
    }

    const version = route === "oauth2/v2.0/token" || route === "oauth2/v2.0/devicecode" ? 2 : 1
    const isToken = route === "oauth2/v2.0/token" || route === "oauth2/token"
    const isDeviceCode = route === "oauth2/v2.0/devicecode" || route === "oauth2/devicecode"
    if (!isToken && !isDeviceCode) {
      return json(404, { error: "not_found", error_description: `No endpoint at ${request.url.pathname}` })
    }
    if (request.method !== "POST") {
      return aadstsError(
        context,
        { error: "invalid_request", status: 400, code: 900561 },
        "The endpoint only accepts POST requests. Received a GET request.",
      )
    }
    const form = formBody(request)
    if (isToken) {
      const grant = form.get("grant_type")
      if (tenant === undefined) {
        // App-only and device flows need a real tenant (entra-graph-msal.md §4.1).
        return aadstsError(
          context,
          AADSTS.tenantRequired,
          `The grant type ${grant ?? ""} is not supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.`,
        )
      }
      return handleToken(
        context,
        tenant,
        version,
        form,
        request.headers.authorization,
        tokenUrlOf(segment, version),
      )
    }
    if (tenant === undefined) {
      return aadstsError(
        context,
        AADSTS.tenantRequired,
        "Device code requests for a tenant alias are not emulated; use the tenant id or domain.",
      )
    }
    return deviceCode(context, tenant, version, form)
  }

  const system: EmulatedSystem = {
    name: "login",
    hostPatterns: [LOGIN_HOST],
    serves: (host) => host === LOGIN_HOST,
    handle,
    faultResponse: (status, request) => {
      const context = contextOf(request)
      const kind =
        status === 429
          ? AADSTS.throttled
          : { error: status >= 500 ? "server_error" : "invalid_request", status, code: 90033 }
      return aadstsError(context, { ...kind, status }, "A transient error has occurred. Please try again.")
    },
    reset: () => {
      refreshTokens = new Map()
    },
    snapshot: () => ({
      deviceCodes: deviceCodes.all().map((d) => ({
        userCode: d.userCode,
        tenantId: d.tenantId,
        clientId: d.clientId,
        scopes: d.scopes,
        status: d.status.kind,
        redeemed: d.redeemed,
      })),
    }),
  }
  return system
}
