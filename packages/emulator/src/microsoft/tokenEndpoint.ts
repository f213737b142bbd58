/**
 * The token endpoint, v1 (`/{tenant}/oauth2/token`, `resource=`, numbers as strings, `expires_on`,
 * `not_before`) and v2 (`/{tenant}/oauth2/v2.0/token`, `scope=`), with the grants sn365 meets:
 * `client_credentials` (client secret, HTTP Basic, or a certificate `client_assertion`),
 * `device_code` (both spellings) and `refresh_token`. Failures are AADSTS bodies (§4.5).
 *
 * @module
 */
import { createHash } from "node:crypto"
import type { EmulatorResponse } from "../server/http.ts"
import { json } from "../server/http.ts"
import { aadstsError, type StsContext, stsHeaders } from "./aadsts.ts"
import type { DeviceCodeState, DeviceCodes } from "./deviceCodes.ts"
import {
  type ApplicationState,
  applicationByAppId,
  type Directory,
  hashSecret,
  servicePrincipalByAppId,
  type TenantState,
} from "./directory.ts"
import { decodeJwt, verifyAssertionSignature } from "./jwt.ts"
import { issueAccessToken, issueIdToken } from "./tokens.ts"
import {
  AADSTS,
  ADMIN_RESOURCE,
  APPLICATION_READWRITE_ALL,
  DEVICE_CODE_GRANT,
  DEVICE_CODE_GRANT_SHORT,
  GRAPH_APP_ID,
  GRAPH_RESOURCE,
  JWT_BEARER_ASSERTION_TYPE,
  LOGIN_HOST,
  OIDC_SCOPES,
  SUPPORT_INTEGRATION_PERMISSION,
  WELL_KNOWN_PUBLIC_CLIENTS,
} from "./vendor.ts"

/** What the token endpoint needs besides the request. */
export interface TokenEndpointContext extends StsContext {
  readonly directory: Directory
  readonly deviceCodes: DeviceCodes
  readonly refreshTokens: Map<string, RefreshTokenState>
}

/** A refresh token from the device-code flow. */
export interface RefreshTokenState {
  readonly tenantId: string
  readonly clientId: string
  readonly userId: string
}

/** A resource a token can be issued for. */
interface Resource {
  /** The `aud` of the token. */
  readonly audience: string
  /** The key under which app roles for it are granted to service principals. */
  readonly rolesKey: string
  /** What delegated `.default` means for it (simulated admin consent). */
  readonly defaultScopes: ReadonlyArray<string>
}

const trimSlash = (text: string) => text.replace(/\/+$/, "")

/** Graph, the admin center (modeled), or an application of the tenant by client id or identifier URI. */
export const resolveResource = (tenant: TenantState, identifier: string): Resource | undefined => {
  const id = trimSlash(identifier)
  if (id === GRAPH_RESOURCE || id === GRAPH_APP_ID) {
    return { audience: GRAPH_RESOURCE, rolesKey: GRAPH_RESOURCE, defaultScopes: [APPLICATION_READWRITE_ALL] }
  }
  if (id === ADMIN_RESOURCE) {
    return {
      audience: ADMIN_RESOURCE,
      rolesKey: ADMIN_RESOURCE,
      defaultScopes: [SUPPORT_INTEGRATION_PERMISSION],
    }
  }
  for (const app of tenant.applications.values()) {
    const uris = Array.isArray(app.data.identifierUris) ? app.data.identifierUris.map(String) : []
    if (app.appId.toLowerCase() === id.toLowerCase() || uris.map(trimSlash).includes(id)) {
      if (servicePrincipalByAppId(tenant, app.appId) === undefined) return undefined
      return { audience: identifier, rolesKey: app.appId, defaultScopes: [] }
    }
  }
  return undefined
}

/** Splits delegated scopes into one resource and its permission names (OIDC scopes aside). */
const delegatedResource = (
  tenant: TenantState,
  scopes: ReadonlyArray<string>,
): { readonly resource: Resource; readonly names: ReadonlyArray<string> } | { readonly invalid: string } => {
  let resourceId: string | undefined
  const names: Array<string> = []
  for (const scope of scopes) {
    if ((OIDC_SCOPES as ReadonlyArray<string>).includes(scope)) continue
    const slash = scope.lastIndexOf("/")
    const owner = slash > 0 ? scope.slice(0, slash) : GRAPH_RESOURCE
    const name = slash > 0 ? scope.slice(slash + 1) : scope
    if (resourceId !== undefined && trimSlash(owner) !== trimSlash(resourceId)) return { invalid: scope }
    resourceId = owner
    names.push(name)
  }
  const resource = resolveResource(tenant, resourceId ?? GRAPH_RESOURCE)
  if (resource === undefined) return { invalid: resourceId ?? "" }
  const expanded = names.flatMap((name) => (name === ".default" ? resource.defaultScopes : [name]))
  return { resource, names: [...new Set(expanded)] }
}

/** The client id and secret from the body or an HTTP Basic header (RFC 6749 §2.3.1). */
const clientCredentials = (form: URLSearchParams, authorization: string | undefined) => {
  const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? "")
  if (basic?.[1] !== undefined) {
    const decoded = Buffer.from(basic[1], "base64").toString("utf8")
    const colon = decoded.indexOf(":")
    if (colon > 0) {
      return {
        clientId: decodeURIComponent(decoded.slice(0, colon)),
        secret: decodeURIComponent(decoded.slice(colon + 1)),
      }
    }
  }
  return { clientId: form.get("client_id") ?? undefined, secret: form.get("client_secret") ?? undefined }
}

/** Authenticates a confidential client by secret or certificate assertion. */
const authenticateClient = (
  context: TokenEndpointContext,
  app: ApplicationState,
  form: URLSearchParams,
  secret: string | undefined,
  tokenUrl: string,
): { readonly acr: "1" | "2" } | { readonly failure: EmulatorResponse } => {
  const now = context.now
  const assertion = form.get("client_assertion")
  if (assertion !== null) {
    const fail = (reason: string) => ({
      failure: aadstsError(
        context,
        AADSTS.invalidAssertion,
        `Client assertion failed signature validation. [Reason - ${reason}, Client app ID: ${app.appId}]`,
      ),
    })
    if (form.get("client_assertion_type") !== JWT_BEARER_ASSERTION_TYPE) {
      return {
        failure: aadstsError(
          context,
          AADSTS.missingParameter,
          `The request body must contain the following parameter: 'client_assertion_type'.`,
        ),
      }
    }
    const decoded = decodeJwt(assertion)
    if (decoded === undefined) return fail("The assertion is not a well-formed JWT")
    const x5t = typeof decoded.header.x5t === "string" ? decoded.header.x5t : undefined
    const x5t256 = typeof decoded.header["x5t#S256"] === "string" ? decoded.header["x5t#S256"] : undefined
    const thumbprint = (value: string | undefined) =>
      value === undefined ? undefined : Buffer.from(value, "base64url").toString("hex").toUpperCase()
    const key = app.keys.find(
      (k) =>
        (x5t256 !== undefined && k.thumbprintSha256 === thumbprint(x5t256)) ||
        (x5t !== undefined && k.thumbprintSha1 === thumbprint(x5t)),
    )
    if (key === undefined) return fail("The key was not found")
    if (now < key.startMs || now >= key.endMs) return fail("The key is not valid at this time")
    if (!verifyAssertionSignature(decoded, key.publicKey)) return fail("The signature does not verify")
    const claims = decoded.claims
    if (claims.iss !== app.appId || claims.sub !== app.appId) return fail("iss and sub must be the client id")
    if (typeof claims.aud !== "string" || trimSlash(claims.aud) !== trimSlash(tokenUrl)) {
      return fail(`The audience must be ${tokenUrl}`)
    }
    if (typeof claims.exp !== "number" || claims.exp * 1000 <= now) return fail("The assertion has expired")
    return { acr: "2" }
  }
  if (secret === undefined || secret === "") {
    return {
      failure: aadstsError(
        context,
        AADSTS.missingCredential,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      ),
    }
  }
  const hash = hashSecret(secret)
  const match = app.passwords.find((p) => p.hash === hash)
  if (match === undefined || context.directory.replicating(match.replicatedMs) || now < match.startMs) {
    return {
      failure: aadstsError(
        context,
        AADSTS.invalidSecret,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.appId}'.`,
      ),
    }
  }
  if (now >= match.endMs) {
    return {
      failure: aadstsError(
        context,
        AADSTS.expiredSecret,
        `The provided client secret keys for app '${app.appId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
      ),
    }
  }
  return { acr: "1" }
}

const missing = (context: StsContext, name: string) =>
  aadstsError(
    context,
    AADSTS.missingParameter,
    `The request body must contain the following parameter: '${name}'.`,
  )

const notFoundApp = (context: StsContext, appId: string, tenant: TenantState) =>
  aadstsError(
    context,
    AADSTS.appNotFound,
    `Application with identifier '${appId}' was not found in the directory '${tenant.displayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  )

/** A live, replicated application by client id, or the AADSTS700016 answer. */
const visibleApp = (context: TokenEndpointContext, tenant: TenantState, appId: string) => {
  const app = applicationByAppId(tenant, appId)
  if (app === undefined || context.directory.replicating(app.replicatedMs))
    return { failure: notFoundApp(context, appId, tenant) }
  return { app }
}

const success = (context: StsContext, body: Record<string, unknown>) =>
  json(200, body, stsHeaders(context.requestId, context.clientRequestId))

/** One request to the token endpoint. `version` is `1` for `/oauth2/token`, `2` for `/oauth2/v2.0/token`. */
export const handleToken = (
  context: TokenEndpointContext,
  tenant: TenantState,
  version: 1 | 2,
  form: URLSearchParams,
  authorization: string | undefined,
  tokenUrl: string,
): EmulatorResponse => {
  const grant = form.get("grant_type")
  if (grant === null || grant === "") return missing(context, "grant_type")
  if (grant === "client_credentials") {
    return clientCredentialsGrant(context, tenant, version, form, authorization, tokenUrl)
  }
  if (grant === DEVICE_CODE_GRANT || grant === DEVICE_CODE_GRANT_SHORT)
    return deviceCodeGrant(context, tenant, form)
  if (grant === "refresh_token") return refreshGrant(context, tenant, form)
  return aadstsError(
    context,
    AADSTS.unsupportedGrant,
    `The app requested an unsupported grant type '${grant}'.`,
  )
}

const clientCredentialsGrant = (
  context: TokenEndpointContext,
  tenant: TenantState,
  version: 1 | 2,
  form: URLSearchParams,
  authorization: string | undefined,
  tokenUrl: string,
): EmulatorResponse => {
  const { clientId, secret } = clientCredentials(form, authorization)
  if (clientId === undefined || clientId === "") return missing(context, "client_id")
  let identifier: string
  if (version === 2) {
    const scope = form.get("scope")
    if (form.get("resource") !== null && scope === null) {
      return aadstsError(context, AADSTS.resourceOnV2, "The 'resource' request parameter is not supported.")
    }
    if (scope === null || scope.trim() === "") return missing(context, "scope")
    const scopes = scope.trim().split(/\s+/)
    const only = scopes[0] ?? ""
    if (scopes.length !== 1 || !only.endsWith("/.default")) {
      return aadstsError(
        context,
        AADSTS.invalidScope,
        `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      )
    }
    identifier = only.slice(0, -"/.default".length)
  } else {
    const resource = form.get("resource")
    if (resource === null || resource === "") return missing(context, "resource")
    identifier = resource
  }
  const resource = resolveResource(tenant, identifier)
  if (resource === undefined) {
    return aadstsError(
      context,
      AADSTS.resourceNotFound,
      `The resource principal named ${identifier} was not found in the tenant named ${tenant.displayName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    )
  }
  const found = visibleApp(context, tenant, clientId)
  if ("failure" in found) return found.failure
  const app = found.app
  const authenticated = authenticateClient(context, app, form, secret, tokenUrl)
  if ("failure" in authenticated) return authenticated.failure
  const sp = servicePrincipalByAppId(tenant, app.appId)
  if (sp === undefined || context.directory.replicating(sp.replicatedMs)) {
    return aadstsError(
      context,
      AADSTS.noServicePrincipal,
      `The client application ${app.appId} is missing service principal in the tenant ${tenant.id}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119`,
    )
  }
  const roles = [...(sp.appRoles.get(resource.rolesKey) ?? [])]
  const token = issueAccessToken(
    {
      tenant,
      audience: resource.audience,
      appId: app.appId,
      appidacr: authenticated.acr,
      objectId: sp.id,
      roles,
    },
    context.now,
    context.random,
  )
  if (version === 2) {
    return success(context, {
      token_type: "Bearer",
      expires_in: token.expiresIn,
      ext_expires_in: token.expiresIn,
      access_token: token.accessToken,
    })
  }
  return success(context, {
    token_type: "Bearer",
    expires_in: String(token.expiresIn),
    ext_expires_in: String(token.expiresIn),
    expires_on: String(token.expiresOn),
    not_before: String(token.issuedAt),
    resource: identifier,
    access_token: token.accessToken,
  })
}

/** Whether `clientId` may run the device-code flow in `tenant`: a public client of it, or a Microsoft one. */
export const isPublicClient = (context: TokenEndpointContext, tenant: TenantState, clientId: string) => {
  if (WELL_KNOWN_PUBLIC_CLIENTS[clientId.toLowerCase()] !== undefined) return true
  const app = applicationByAppId(tenant, clientId)
  return (
    app !== undefined &&
    !context.directory.replicating(app.replicatedMs) &&
    app.data.isFallbackPublicClient === true
  )
}

/** The token response of a signed-in user, with id token and `client_info` for MSAL's account. */
const userTokens = (
  context: TokenEndpointContext,
  tenant: TenantState,
  clientId: string,
  userId: string,
  scopes: ReadonlyArray<string>,
  form: URLSearchParams,
): EmulatorResponse => {
  const user = tenant.users.get(userId)
  const delegated = delegatedResource(tenant, scopes)
  if (user === undefined || "invalid" in delegated) {
    return aadstsError(
      context,
      AADSTS.invalidScope,
      `The provided value for the input parameter 'scope' is not valid. The scope ${"invalid" in delegated ? delegated.invalid : ""} is not valid.`,
    )
  }
  const token = issueAccessToken(
    {
      tenant,
      audience: delegated.resource.audience,
      appId: clientId,
      appidacr: "0",
      objectId: user.id,
      scopes: delegated.names,
      user,
    },
    context.now,
    context.random,
  )
  const granted = delegated.names.map((name) =>
    delegated.resource.audience === GRAPH_RESOURCE
      ? `${GRAPH_RESOURCE}/${name}`
      : `${delegated.resource.audience}/${name}`,
  )
  const oidc = scopes.filter((s) => (OIDC_SCOPES as ReadonlyArray<string>).includes(s))
  const body: Record<string, unknown> = {
    token_type: "Bearer",
    scope: [...granted, ...oidc].join(" "),
    expires_in: token.expiresIn,
    ext_expires_in: token.expiresIn,
    access_token: token.accessToken,
  }
  if (oidc.includes("offline_access")) {
    const refresh = `1.A${context.random.string(160)}`
    context.refreshTokens.set(refresh, { tenantId: tenant.id, clientId, userId })
    body.refresh_token = refresh
  }
  if (oidc.includes("openid")) body.id_token = issueIdToken(tenant, user, clientId, context.now)
  if (form.get("client_info") === "1") {
    body.client_info = Buffer.from(JSON.stringify({ uid: user.id, utid: tenant.id })).toString("base64url")
  }
  return success(context, body)
}

const deviceCodeGrant = (context: TokenEndpointContext, tenant: TenantState, form: URLSearchParams) => {
  const clientId = form.get("client_id")
  if (clientId === null || clientId === "") return missing(context, "client_id")
  const code = form.get("device_code")
  if (code === null || code === "") return missing(context, "device_code")
  const state: DeviceCodeState | undefined = context.deviceCodes.byDeviceCode(code)
  if (state === undefined || state.clientId !== clientId || state.tenantId !== tenant.id || state.redeemed) {
    return aadstsError(
      context,
      AADSTS.badVerificationCode,
      "Invalid verification code due to User typing in wrong user code.",
    )
  }
  const previous = state.lastPollMs
  state.lastPollMs = context.now
  if (context.now >= state.expiresMs)
    return aadstsError(context, AADSTS.expiredToken, "Verification code expired.")
  if (state.status.kind === "declined") {
    const kind = state.status.error === "access_denied" ? AADSTS.accessDenied : AADSTS.authorizationDeclined
    return aadstsError(context, kind, "The end user denied the authorization request.")
  }
  if (state.status.kind === "pending") {
    // RFC 8628 §3.5: polling more often than `interval` (one second of tolerance for timers).
    if (previous !== undefined && context.now - previous < (state.intervalSeconds - 1) * 1000) {
      return aadstsError(context, AADSTS.slowDown, "slow_down: polling faster than the interval.")
    }
    return aadstsError(
      context,
      AADSTS.authorizationPending,
      "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
    )
  }
  state.redeemed = true
  return userTokens(context, tenant, clientId, state.status.userId, state.scopes, form)
}

const refreshGrant = (context: TokenEndpointContext, tenant: TenantState, form: URLSearchParams) => {
  const clientId = form.get("client_id")
  if (clientId === null || clientId === "") return missing(context, "client_id")
  const token = form.get("refresh_token")
  if (token === null || token === "") return missing(context, "refresh_token")
  const state = context.refreshTokens.get(token)
  if (state === undefined || state.clientId !== clientId || state.tenantId !== tenant.id) {
    return aadstsError(
      context,
      { error: "invalid_grant", status: 400, code: 9002313 },
      "Invalid request. Request is malformed or invalid.",
    )
  }
  const scopes = (form.get("scope") ?? "").split(/\s+/).filter((s) => s !== "")
  return userTokens(context, tenant, clientId, state.userId, scopes, form)
}

/** `client-request-id` from the header or the query string (msal-node sends both). */
export const clientRequestIdOf = (headers: Readonly<Record<string, string>>, url: URL) =>
  headers["client-request-id"] ?? url.searchParams.get("client-request-id") ?? undefined

/** The v1 or v2 token URL of a tenant segment, as a client assertion's `aud` names it. */
export const tokenUrlOf = (tenantSegment: string, version: 1 | 2) =>
  `https://${LOGIN_HOST}/${tenantSegment}/oauth2/${version === 2 ? "v2.0/" : ""}token`

/** SHA-1 and SHA-256 thumbprints (upper-case hex) of DER bytes. */
export const thumbprints = (der: Buffer) => ({
  sha1: createHash("sha1").update(der).digest("hex").toUpperCase(),
  sha256: createHash("sha256").update(der).digest("hex").toUpperCase(),
})
