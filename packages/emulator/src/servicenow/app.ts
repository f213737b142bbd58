/**
 * The integration app's modeled Scripted REST API (`specs/servicenow/app.yaml`): the reads the setup
 * wizard performs from the `x_mioms_m365_assis` scope. Reading `oauth_entity` and
 * `oauth_entity_profile` from that scope obeys the tables' Application Access
 * (`sys_db_object.access`/`read_access`) and the app's `sys_scope_privilege` rows; a refusal answers
 * the wizard's documented error text (integration-procedure.md §10.1). MODELED throughout: the app's
 * storage and endpoints are undocumented (§12 Q5, Q6).
 *
 * @module
 */
import type { EmulatorResponse } from "../server/http.ts"
import { type Caller, isAdmin } from "./acl.ts"
import { failure, result } from "./envelope.ts"
import type { Instance, Row } from "./Instance.ts"
import {
  APP_CROSS_SCOPE_TABLES,
  APP_PROPERTY,
  APP_ROLE,
  APP_ROLE_REQUIRED,
  APP_SCOPE,
  CROSS_SCOPE_STATUS,
  crossScopeRefused,
  NO_RESOURCE,
} from "./vendor.ts"

/** The path of the summary endpoint. */
export const SETUP_PATH = "/api/x_mioms_m365_assis/v1/setup"
/** The path of the picker endpoint. */
export const SETUP_ENTITIES_PATH = "/api/x_mioms_m365_assis/v1/setup/oauth_entities"

/** The installed app's scope row, or `undefined`. */
export const appScopeOf = (instance: Instance): Row | undefined =>
  instance.findBy("sys_store_app", "scope", APP_SCOPE)

/** Whether a script in the app's scope may read `table` (Application Access and privileges). */
export const crossScopeReadAllowed = (instance: Instance, table: string): boolean => {
  const definition = instance.findBy("sys_db_object", "name", table)
  if (definition === undefined || definition.access !== "public" || definition.read_access !== "true")
    return false
  const appScope = appScopeOf(instance)?.sys_id
  for (const privilege of instance.rows("sys_scope_privilege").values()) {
    if (
      privilege.source_scope === appScope &&
      privilege.target_name === table &&
      privilege.operation === "read"
    ) {
      return privilege.status === "allowed"
    }
  }
  return true
}

const property = (instance: Instance, name: string) => instance.property(name) ?? ""

/** Handles a request under the app's REST namespace (already authenticated and validated). */
export const handleApp = (instance: Instance, caller: Caller, url: URL): EmulatorResponse => {
  if (appScopeOf(instance) === undefined) return failure(400, NO_RESOURCE)
  if (!isAdmin(caller) && !caller.roles.has(APP_ROLE.administrator)) return failure(403, APP_ROLE_REQUIRED)
  for (const table of APP_CROSS_SCOPE_TABLES) {
    if (!crossScopeReadAllowed(instance, table)) {
      return failure(CROSS_SCOPE_STATUS, { message: crossScopeRefused(table, APP_SCOPE), detail: null })
    }
  }
  const pathname = url.pathname.replace(/\/$/, "")
  if (pathname === SETUP_ENTITIES_PATH) {
    const type = url.searchParams.get("type")
    const profiles = [...instance.rows("oauth_entity_profile").values()]
    const entities = ["oauth_entity", "oauth_oidc_entity"].flatMap((table) => [
      ...instance.rows(table).values(),
    ])
    return result(
      200,
      entities
        .filter((row) => type === null || row.type === type)
        .map((row) => ({
          sys_id: row.sys_id ?? "",
          name: row.name ?? "",
          type: row.type ?? "",
          client_id: row.client_id ?? "",
          profiles: profiles.filter((p) => p.oauth_entity === row.sys_id).map((p) => p.sys_id ?? ""),
        })),
    )
  }
  return result(200, setupSummary(instance))
}

/** The wizard's values as the summary endpoint reports them (also used by the control). */
export const setupSummary = (instance: Instance): Readonly<Record<string, string>> => {
  const profileId = property(instance, APP_PROPERTY.outboundOAuthProfile)
  const profile = instance.get("oauth_entity_profile", profileId)
  const outbound = instance.get("oauth_entity", profile?.oauth_entity ?? "")
  const inboundId = property(instance, APP_PROPERTY.inboundOAuthClient)
  const inbound = instance.get("oauth_entity", inboundId) ?? instance.get("oauth_oidc_entity", inboundId)
  return {
    consent: property(instance, APP_PROPERTY.consent),
    outbound_oauth_profile: profileId,
    outbound_app_id: outbound?.client_id ?? "",
    inbound_oauth_client: inboundId,
    client_id: inbound?.client_id ?? "",
    external_oidc: property(instance, APP_PROPERTY.externalOidc),
    user_name: property(instance, APP_PROPERTY.integrationUser),
    repository_id: property(instance, APP_PROPERTY.repositoryId),
    sso: property(instance, APP_PROPERTY.sso),
    m365_admin_email: property(instance, APP_PROPERTY.m365AdminEmail),
    test_environment: property(instance, APP_PROPERTY.testEnvironment),
    tenant_domain: property(instance, APP_PROPERTY.tenantDomain),
    endpoint: property(instance, APP_PROPERTY.endpoint),
    setup_complete: property(instance, APP_PROPERTY.setupComplete),
  }
}
