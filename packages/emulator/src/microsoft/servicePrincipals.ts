/**
 * Graph `servicePrincipals`: create for an application (201; 400 `NoBackingApplicationObject`
 * while the application is replicating), read by object id or `appId`, upsert by `appId` with
 * `Prefer: create-if-missing` (201/204/404), list and delete (entra-graph-msal.md §1.6).
 *
 * @module
 */
import type { EmulatorResponse } from "../server/http.ts"
import { applicationByAppId, type ServicePrincipalState, servicePrincipalByAppId } from "./directory.ts"
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
import { badRequest, denied, listable, mayAccess, noContent, notFound, odataError } from "./odata.ts"
import {
  GRAPH_ERROR,
  GRAPH_MESSAGE,
  SERVICE_PRINCIPAL_PROPERTIES,
  SERVICE_PRINCIPAL_READ_ONLY,
} from "./vendor.ts"

/** The service principal as Graph returns it. */
export const renderServicePrincipal = (sp: ServicePrincipalState): Record<string, unknown> =>
  deepMerge(
    {
      id: sp.id,
      deletedDateTime: null,
      accountEnabled: true,
      alternativeNames: [],
      appDescription: null,
      appDisplayName: null,
      appId: sp.appId,
      appOwnerOrganizationId: null,
      appRoleAssignmentRequired: false,
      description: null,
      displayName: null,
      homepage: null,
      keyCredentials: [],
      notes: null,
      passwordCredentials: [],
      replyUrls: [],
      servicePrincipalNames: [sp.appId],
      servicePrincipalType: "Application",
      signInAudience: null,
      tags: [],
    },
    sp.data,
  )

/** Creates the service principal of a (replicated) application, or explains why it cannot. */
const create = (
  call: GraphCall,
  appId: string,
  body: Readonly<Record<string, unknown>>,
): EmulatorResponse => {
  if (!call.access.create) return denied(call.context)
  const app = applicationByAppId(call.tenant, appId)
  if (app === undefined || call.directory.replicating(app.replicatedMs)) {
    if (app !== undefined && !call.access.writeAll) return denied(call.context, GRAPH_MESSAGE.ownedByBacking)
    const message = GRAPH_MESSAGE.noBackingApplication(appId)
    return badRequest(call.context, message, [
      { code: GRAPH_ERROR.noBackingApplication, message, target: "appId" },
    ])
  }
  if (!mayAccess(call.access, app.owners, true)) return denied(call.context)
  if (servicePrincipalByAppId(call.tenant, appId) !== undefined) {
    return odataError(
      call.context,
      409,
      GRAPH_ERROR.conflict,
      "Another object with the same value for property servicePrincipalNames already exists.",
    )
  }
  const web = app.data.web as { redirectUris?: Array<string> } | undefined
  const identifierUris = Array.isArray(app.data.identifierUris) ? app.data.identifierUris : []
  const sp: ServicePrincipalState = {
    id: call.random.guid(),
    appId: app.appId,
    createdMs: call.context.now,
    replicatedMs: call.directory.objectReplicatedAt(),
    data: deepMerge(
      {
        appDisplayName: app.data.displayName ?? null,
        displayName: app.data.displayName ?? null,
        appOwnerOrganizationId: call.tenant.id,
        servicePrincipalNames: [app.appId, ...identifierUris],
        signInAudience: app.data.signInAudience ?? null,
        tags: Array.isArray(app.data.tags) ? app.data.tags : [],
        replyUrls: web?.redirectUris ?? [],
      },
      withoutAnnotations({ ...body, appId: undefined }),
    ),
    owners: new Set([call.access.ownerId, ...boundOwners(body)]),
    appRoles: new Map(),
  }
  delete sp.data.appId
  call.tenant.servicePrincipals.set(sp.id, sp)
  return entityResponse(call, renderServicePrincipal(sp), {
    set: "servicePrincipals",
    typeName: "servicePrincipal",
    status: 201,
  })
}

const check = (call: GraphCall, body: Readonly<Record<string, unknown>>) =>
  checkProperties(call, body, SERVICE_PRINCIPAL_PROPERTIES, [
    ...SERVICE_PRINCIPAL_READ_ONLY,
    "passwordCredentials",
  ])

/** `POST /servicePrincipals`. */
export const createServicePrincipal = (call: GraphCall): EmulatorResponse => {
  const body = bodyObject(call)
  return check(call, body) ?? create(call, String(body.appId ?? ""), body)
}

const target = (call: GraphCall, write: boolean) => {
  const byAppId = typeof call.path.appId === "string"
  const key = byAppId ? String(call.path.appId) : String(call.path["servicePrincipal-id"] ?? "")
  const sp = byAppId ? servicePrincipalByAppId(call.tenant, key) : call.tenant.servicePrincipals.get(key)
  if (sp === undefined || call.directory.replicating(sp.replicatedMs))
    return { response: notFound(call.context, key) }
  if (!mayAccess(call.access, sp.owners, write)) return { response: denied(call.context) }
  return { sp }
}

/** `GET /servicePrincipals/{id}`, `(appId=…)`. */
export const getServicePrincipal = (call: GraphCall): EmulatorResponse => {
  const found = target(call, false)
  if ("response" in found) return found.response
  return entityResponse(call, renderServicePrincipal(found.sp), {
    set: "servicePrincipals",
    typeName: "servicePrincipal",
  })
}

/** `PATCH /servicePrincipals(appId=…)`, an upsert with `Prefer: create-if-missing`. */
export const upsertServicePrincipal = (call: GraphCall): EmulatorResponse => {
  const body = bodyObject(call)
  const problem = check(call, body)
  if (problem !== undefined) return problem
  const appId = String(call.path.appId ?? "")
  if (typeof body.appId === "string" && body.appId.toLowerCase() !== appId.toLowerCase()) {
    return badRequest(call.context, GRAPH_MESSAGE.readOnlyProperty("appId"))
  }
  const existing = servicePrincipalByAppId(call.tenant, appId)
  if (existing === undefined && prefersCreate(call)) return create(call, appId, body)
  const found = target(call, true)
  if ("response" in found) return found.response
  const { appId: _key, ...rest } = withoutAnnotations(body)
  found.sp.data = deepMerge(found.sp.data, rest)
  return noContent(call.context)
}

/** `DELETE /servicePrincipals/{id}`, `(appId=…)`. */
export const deleteServicePrincipal = (call: GraphCall): EmulatorResponse => {
  const found = target(call, true)
  if ("response" in found) return found.response
  call.tenant.servicePrincipals.delete(found.sp.id)
  return noContent(call.context)
}

/** `GET /servicePrincipals`. */
export const listServicePrincipals = (call: GraphCall): EmulatorResponse => {
  const visible = [...call.tenant.servicePrincipals.values()].filter(
    (sp) => !call.directory.replicating(sp.replicatedMs) && listable(call.access, sp),
  )
  return listResponse(call, visible.map(renderServicePrincipal), {
    set: "servicePrincipals",
    typeName: "servicePrincipal",
    filterable: {
      resource: "ServicePrincipal",
      eq: ["id", "appId", "displayName", "servicePrincipalType", "accountEnabled"],
      startsWith: ["displayName"],
      collections: ["servicePrincipalNames", "tags"],
    },
  })
}
