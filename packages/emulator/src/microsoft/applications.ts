/**
 * Graph `applications`: create (201), read by object id, `appId` or `uniqueName` (404
 * `Request_ResourceNotFound` when missing or still replicating), list, update (204), upsert by
 * `uniqueName` with `Prefer: create-if-missing` (201/204/404), delete (204, soft),
 * `addPassword` (200, one-time `secretText`) and `removePassword` (204).
 *
 * @module
 */
import { X509Certificate } from "node:crypto"
import type { EmulatorResponse } from "../server/http.ts"
import {
  type ApplicationState,
  applicationByAppId,
  applicationByUniqueName,
  hashSecret,
  isoSeconds,
  type KeyState,
  type PasswordState,
  type TenantState,
} from "./directory.ts"
import {
  bodyObject,
  boundOwners,
  checkProperties,
  deepMerge,
  type GraphCall,
  prefersCreate,
  withoutAnnotations,
} from "./graphCall.ts"
import { entityResponse, listResponse } from "./graphList.ts"
import {
  badRequest,
  denied,
  graphJson,
  listable,
  mayAccess,
  noContent,
  notFound,
  odataError,
  odataStringValue,
} from "./odata.ts"
import { thumbprints } from "./tokenEndpoint.ts"
import {
  APPLICATION_PROPERTIES,
  APPLICATION_READ_ONLY,
  DEFAULT_SECRET_LIFETIME_MS,
  DEFAULT_SIGN_IN_AUDIENCE,
  GRAPH_ERROR,
  GRAPH_MESSAGE,
  GRAPH_RESOURCE,
  GRAPH_VERSION_PATH,
  REDIRECT_URI_FORBIDDEN,
  REDIRECT_URI_MAX_LENGTH,
  SECRET_ALPHABET,
  SECRET_HINT_LENGTH,
  SECRET_TEXT_LENGTH,
} from "./vendor.ts"

const RESOURCE = "Application"

/** A password credential as Graph returns it on reads: never the secret's text. */
export const renderPassword = (p: PasswordState, secretText: string | null = null) => ({
  customKeyIdentifier: null,
  displayName: p.displayName,
  endDateTime: isoSeconds(p.endMs),
  hint: p.hint,
  keyId: p.keyId,
  secretText,
  startDateTime: isoSeconds(p.startMs),
})

/** A key credential as Graph returns it on reads: never the key itself. */
export const renderKey = (k: KeyState) => ({
  customKeyIdentifier: k.customKeyIdentifier,
  displayName: k.displayName,
  endDateTime: isoSeconds(k.endMs),
  key: null,
  keyId: k.keyId,
  startDateTime: isoSeconds(k.startMs),
  type: k.type,
  usage: k.usage,
})

/** The application as Graph returns it, defaulted sub-objects included (entra-graph-msal.md §1.2). */
export const renderApplication = (tenant: TenantState, app: ApplicationState): Record<string, unknown> => {
  const defaults: Record<string, unknown> = {
    id: app.id,
    deletedDateTime: app.deletedMs === undefined ? null : isoSeconds(app.deletedMs),
    appId: app.appId,
    applicationTemplateId: null,
    createdDateTime: isoSeconds(app.createdMs),
    defaultRedirectUri: null,
    description: null,
    disabledByMicrosoftStatus: null,
    displayName: null,
    groupMembershipClaims: null,
    identifierUris: [],
    info: {
      logoUrl: null,
      marketingUrl: null,
      privacyStatementUrl: null,
      supportUrl: null,
      termsOfServiceUrl: null,
    },
    isDeviceOnlyAuthSupported: null,
    isFallbackPublicClient: null,
    notes: null,
    oauth2RequirePostResponse: false,
    publicClient: { redirectUris: [] },
    publisherDomain: tenant.domains[0] ?? null,
    samlMetadataUrl: null,
    serviceManagementReference: null,
    signInAudience: DEFAULT_SIGN_IN_AUDIENCE,
    spa: { redirectUris: [] },
    tags: [],
    tokenEncryptionKeyId: null,
    uniqueName: null,
    web: {
      homePageUrl: null,
      implicitGrantSettings: { enableAccessTokenIssuance: false, enableIdTokenIssuance: false },
      logoutUrl: null,
      redirectUris: [],
      redirectUriSettings: [],
    },
  }
  const merged = deepMerge(defaults, app.data)
  const web = merged.web as Record<string, unknown>
  const uris = Array.isArray(web.redirectUris) ? (web.redirectUris as Array<string>) : []
  merged.web = { ...web, redirectUriSettings: uris.map((uri) => ({ index: null, uri })) }
  merged.keyCredentials = app.keys.map(renderKey)
  merged.passwordCredentials = app.passwords.map((p) => renderPassword(p))
  return merged
}

/** How a request addresses one application. */
type Address = { readonly by: "id" | "appId" | "uniqueName"; readonly value: string }

const addressOf = (call: GraphCall): Address => {
  if (typeof call.path.uniqueName === "string")
    return { by: "uniqueName", value: odataStringValue(call.path.uniqueName) }
  if (typeof call.path.appId === "string") return { by: "appId", value: odataStringValue(call.path.appId) }
  return { by: "id", value: String(call.path["application-id"] ?? "") }
}

const lookup = (tenant: TenantState, address: Address) =>
  address.by === "id"
    ? tenant.applications.get(address.value)
    : address.by === "appId"
      ? applicationByAppId(tenant, address.value)
      : applicationByUniqueName(tenant, address.value)

/**
 * The addressed application if the caller may use it: 404 when it does not exist or is still
 * replicating, 403 when the caller may not read (or, for `write`, change) it.
 */
const target = (
  call: GraphCall,
  write: boolean,
): { readonly app: ApplicationState } | { readonly response: EmulatorResponse } => {
  const address = addressOf(call)
  const app = lookup(call.tenant, address)
  if (app === undefined || call.directory.replicating(app.replicatedMs)) {
    return { response: notFound(call.context, address.value) }
  }
  if (!mayAccess(call.access, app.owners, write)) return { response: denied(call.context) }
  return { app }
}

const validRedirectUri = (uri: string) =>
  uri.length <= REDIRECT_URI_MAX_LENGTH &&
  !REDIRECT_URI_FORBIDDEN.test(uri) &&
  (/^https:\/\/[^/]/i.test(uri) || /^http:\/\/(localhost|127\.0\.0\.1)([:/]|$)/i.test(uri))

/** Checks a create/update body beyond its JSON shape; `existing` is the application being updated. */
const checkBody = (
  call: GraphCall,
  body: Readonly<Record<string, unknown>>,
  existing: ApplicationState | undefined,
  allowPasswords: boolean,
): EmulatorResponse | undefined => {
  const readOnly = allowPasswords ? APPLICATION_READ_ONLY : [...APPLICATION_READ_ONLY, "passwordCredentials"]
  const problem = checkProperties(call, body, APPLICATION_PROPERTIES, readOnly)
  if (problem !== undefined) return problem
  const web = body.web as { redirectUris?: ReadonlyArray<string> } | null | undefined
  for (const uri of web?.redirectUris ?? []) {
    if (!validRedirectUri(uri))
      return badRequest(call.context, GRAPH_MESSAGE.invalidProperty("web.redirectUris", RESOURCE))
  }
  if (typeof body.uniqueName === "string") {
    const current = existing?.data.uniqueName
    if (typeof current === "string" && current !== body.uniqueName) {
      return badRequest(call.context, GRAPH_MESSAGE.readOnlyProperty("uniqueName"))
    }
    const other = applicationByUniqueName(call.tenant, body.uniqueName)
    if (other !== undefined && other !== existing) {
      return badRequest(
        call.context,
        "Another object with the same value for property uniqueName already exists.",
      )
    }
  }
  if (Array.isArray(body.identifierUris)) {
    for (const uri of body.identifierUris) {
      for (const app of call.tenant.applications.values()) {
        if (app === existing) continue
        const uris = Array.isArray(app.data.identifierUris) ? app.data.identifierUris : []
        if (uris.includes(uri)) {
          return badRequest(
            call.context,
            "Another object with the same value for property identifierUris already exists.",
          )
        }
      }
    }
  }
  return undefined
}

/** Parses `keyCredentials` entries (DER certificates, base64) into key state; keeps entries named by `keyId`. */
const keysFrom = (
  call: GraphCall,
  app: ApplicationState | undefined,
  list: unknown,
): Array<KeyState> | EmulatorResponse => {
  if (!Array.isArray(list)) return []
  const out: Array<KeyState> = []
  for (const entry of list as Array<Record<string, unknown>>) {
    const existing = app?.keys.find((k) => k.keyId === entry.keyId)
    if (existing !== undefined && (entry.key === undefined || entry.key === null)) {
      out.push(existing)
      continue
    }
    try {
      const certificate = new X509Certificate(Buffer.from(String(entry.key ?? ""), "base64"))
      const prints = thumbprints(certificate.raw)
      out.push({
        keyId: typeof entry.keyId === "string" ? entry.keyId : call.random.guid(),
        displayName: typeof entry.displayName === "string" ? entry.displayName : certificate.subject,
        type: String(entry.type ?? "AsymmetricX509Cert"),
        usage: String(entry.usage ?? "Verify"),
        startMs:
          typeof entry.startDateTime === "string"
            ? Date.parse(entry.startDateTime)
            : Date.parse(certificate.validFrom),
        endMs:
          typeof entry.endDateTime === "string"
            ? Date.parse(entry.endDateTime)
            : Date.parse(certificate.validTo),
        thumbprintSha1: prints.sha1,
        thumbprintSha256: prints.sha256,
        customKeyIdentifier: Buffer.from(prints.sha1, "hex").toString("base64"),
        publicKey: certificate.publicKey,
      })
    } catch {
      return badRequest(call.context, GRAPH_MESSAGE.invalidProperty("keyCredentials", RESOURCE))
    }
  }
  return out
}

/** Applies a validated body to `app.data` (and its keys). */
const apply = (call: GraphCall, app: ApplicationState, body: Readonly<Record<string, unknown>>) => {
  const { keyCredentials, passwordCredentials: _ignored, ...rest } = withoutAnnotations(body)
  if (keyCredentials !== undefined) {
    const keys = keysFrom(call, app, keyCredentials)
    if (!Array.isArray(keys)) return keys
    app.keys = keys
  }
  app.data = deepMerge(app.data, rest)
  for (const owner of boundOwners(body)) app.owners.add(owner)
  return undefined
}

type NewPassword = {
  readonly displayName?: unknown
  readonly startDateTime?: unknown
  readonly endDateTime?: unknown
}

/** Adds a secret, enforcing the tenant's lifetime policy; the text is returned once and never stored. */
const addSecret = (
  call: GraphCall,
  app: ApplicationState,
  input: NewPassword | null | undefined,
): { readonly body: Record<string, unknown> } | { readonly response: EmulatorResponse } => {
  const now = call.context.now
  const startMs = typeof input?.startDateTime === "string" ? Date.parse(input.startDateTime) : now
  const endMs =
    typeof input?.endDateTime === "string"
      ? Date.parse(input.endDateTime)
      : startMs + DEFAULT_SECRET_LIFETIME_MS
  if (Number.isNaN(startMs) || Number.isNaN(endMs) || endMs <= startMs) {
    return {
      response: badRequest(call.context, GRAPH_MESSAGE.invalidProperty("endDateTime", "PasswordCredential")),
    }
  }
  const policy = call.tenant.lifetimePolicy
  if (policy !== undefined && endMs - startMs > policy.maxLifetimeMs) {
    const message = GRAPH_MESSAGE.lifetimePolicy(policy.policyId)
    return {
      response: odataError(call.context, 400, GRAPH_ERROR.lifetimePolicy, message, {
        details: [{ code: "InvalidKeyEndDate", message, target: "EndDate" }],
      }),
    }
  }
  const secretText = call.random.string(SECRET_TEXT_LENGTH, SECRET_ALPHABET)
  const password: PasswordState = {
    keyId: call.random.guid(),
    displayName: typeof input?.displayName === "string" ? input.displayName : null,
    hint: secretText.slice(0, SECRET_HINT_LENGTH),
    hash: hashSecret(secretText),
    startMs,
    endMs,
    createdMs: now,
    replicatedMs: call.directory.secretReplicatedAt(),
  }
  app.passwords.push(password)
  return { body: renderPassword(password, secretText) }
}

/** Creates an application from a checked body; returns the 201 response. */
const create = (
  call: GraphCall,
  body: Readonly<Record<string, unknown>>,
  uniqueName?: string,
): EmulatorResponse => {
  const app: ApplicationState = {
    id: call.random.guid(),
    appId: call.random.guid(),
    createdMs: call.context.now,
    replicatedMs: call.directory.objectReplicatedAt(),
    data: { signInAudience: DEFAULT_SIGN_IN_AUDIENCE },
    passwords: [],
    keys: [],
    owners: new Set([call.access.ownerId]),
  }
  const problem = apply(call, app, uniqueName === undefined ? body : { ...body, uniqueName })
  if (problem !== undefined) return problem
  const secrets: Array<Record<string, unknown>> = []
  for (const input of Array.isArray(body.passwordCredentials) ? body.passwordCredentials : []) {
    const added = addSecret(call, app, input as NewPassword)
    if ("response" in added) return added.response
    secrets.push(added.body)
  }
  call.tenant.applications.set(app.id, app)
  const rendered = renderApplication(call.tenant, app)
  // Secrets added at creation are returned with their text in this response only.
  if (secrets.length > 0) rendered.passwordCredentials = secrets
  return graphJson(call.context, 201, {
    "@odata.context": `${GRAPH_RESOURCE}${GRAPH_VERSION_PATH}/$metadata#applications/$entity`,
    ...rendered,
  })
}

/** `POST /applications`. */
export const createApplication = (call: GraphCall): EmulatorResponse => {
  if (!call.access.create) return denied(call.context)
  const body = bodyObject(call)
  return checkBody(call, body, undefined, true) ?? create(call, body)
}

/** `GET /applications/{id}`, `(appId=…)`, `(uniqueName=…)`. */
export const getApplication = (call: GraphCall): EmulatorResponse => {
  const found = target(call, false)
  if ("response" in found) return found.response
  return entityResponse(call, renderApplication(call.tenant, found.app), {
    set: "applications",
    typeName: "application",
  })
}

/** `PATCH /applications/{id}`, `(appId=…)`; and `(uniqueName=…)` with or without `Prefer: create-if-missing`. */
export const updateApplication = (call: GraphCall): EmulatorResponse => {
  const body = bodyObject(call)
  const address = addressOf(call)
  if (address.by === "uniqueName" && prefersCreate(call)) {
    if (!call.access.create) return denied(call.context)
    // The write lands on the primary replica, which knows an application still replicating.
    const existing = applicationByUniqueName(call.tenant, address.value)
    if (existing === undefined)
      return (
        checkBody(call, { ...body, uniqueName: address.value }, undefined, false) ??
        create(call, body, address.value)
      )
    if (!mayAccess(call.access, existing.owners, true)) return denied(call.context)
    return checkBody(call, body, existing, false) ?? apply(call, existing, body) ?? noContent(call.context)
  }
  const found = target(call, true)
  if ("response" in found) return found.response
  return checkBody(call, body, found.app, false) ?? apply(call, found.app, body) ?? noContent(call.context)
}

/** `DELETE /applications/…`: soft delete, with the application's service principal. */
export const deleteApplication = (call: GraphCall): EmulatorResponse => {
  const found = target(call, true)
  if ("response" in found) return found.response
  const { app } = found
  app.deletedMs = call.context.now
  call.tenant.applications.delete(app.id)
  call.tenant.deletedApplications.set(app.id, app)
  for (const [id, sp] of call.tenant.servicePrincipals)
    if (sp.appId === app.appId) call.tenant.servicePrincipals.delete(id)
  return noContent(call.context)
}

/** `GET /applications`. */
export const listApplications = (call: GraphCall): EmulatorResponse => {
  const visible = [...call.tenant.applications.values()].filter(
    (app) => !call.directory.replicating(app.replicatedMs) && listable(call.access, app),
  )
  return listResponse(
    call,
    visible.map((app) => renderApplication(call.tenant, app)),
    {
      set: "applications",
      typeName: "application",
      filterable: {
        resource: RESOURCE,
        eq: ["id", "appId", "displayName", "signInAudience", "publisherDomain", "createdDateTime"],
        startsWith: ["displayName"],
        collections: ["identifierUris", "tags"],
      },
    },
  )
}

/** `POST /applications/…/addPassword` → 200 with the one-time `secretText`. */
export const addPassword = (call: GraphCall): EmulatorResponse => {
  const found = target(call, true)
  if ("response" in found) return found.response
  const input = bodyObject(call).passwordCredential as NewPassword | null | undefined
  const added = addSecret(call, found.app, input)
  if ("response" in added) return added.response
  return graphJson(call.context, 200, {
    "@odata.context": `${GRAPH_RESOURCE}${GRAPH_VERSION_PATH}/$metadata#microsoft.graph.passwordCredential`,
    ...added.body,
  })
}

/** `POST /applications/…/removePassword` → 204; 404 for an unknown `keyId` (derived). */
export const removePassword = (call: GraphCall): EmulatorResponse => {
  const found = target(call, true)
  if ("response" in found) return found.response
  const keyId = String(bodyObject(call).keyId ?? "").toLowerCase()
  const before = found.app.passwords.length
  found.app.passwords = found.app.passwords.filter((p) => p.keyId.toLowerCase() !== keyId)
  if (found.app.passwords.length === before) return notFound(call.context, keyId)
  return noContent(call.context)
}
