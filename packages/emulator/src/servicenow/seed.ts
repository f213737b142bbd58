/**
 * What a fresh instance holds: the global scope, platform roles, the admin and a plain `itil`
 * user, `sys_db_object` rows with Application Access columns for every emulated table, the
 * properties the emulator reads, a few incidents, and the "Microsoft 365 support integration" app
 * installed (store app, scope, roles, cross-scope privileges, tables, and its modeled properties).
 *
 * @module
 */
import { APPLICATION_ACCESS_DEFAULTS, TABLES } from "./dictionary.ts"
import { formatDateTime, hashSecret, type Instance } from "./Instance.ts"
import {
  APP_CROSS_SCOPE_TABLES,
  APP_NAME,
  APP_PROPERTY,
  APP_ROLE,
  APP_SCOPE,
  APP_VERSION,
  appEndpoint,
  BUILD_NAME,
  GLOBAL_SCOPE,
  PROPERTY,
  ROLE,
} from "./vendor.ts"

/** What to seed; every field has a default. */
export interface SeedOptions {
  /** The admin's `user_name`. Default `admin`. */
  readonly adminUserName?: string
  /** The admin's password. Default `admin`. */
  readonly adminPassword?: string
  /** Grant the admin `snc_basic_auth_api_access`, so Basic calls pass the gate. Default `false` (like a new PDI). */
  readonly adminBasicAuthApiAccess?: boolean
  /** The Basic-auth gate (servicenow-api.md §2.6). Default `true`, like new instances. */
  readonly basicAuthGate?: boolean
  /** `glide.invalid_query.returns_no_rows`. Default `false`. */
  readonly invalidQueryReturnsNoRows?: boolean
  /** `glide.oauth.inbound.client.credential.grant_type.enabled=true`. Default `false` (absent). */
  readonly clientCredentialsEnabled?: boolean
  /** Seed `oauth_entity` and `oauth_entity_profile` refusing cross-scope reads. Default `false`. */
  readonly crossScopeRestricted?: boolean
  /** Install the integration app. Default `true`. */
  readonly appInstalled?: boolean
  /** `sys_store_app.version` of the app. Default `1.0.11` (see `APP_VERSION`). */
  readonly appVersion?: string
  /** Extra `sys_user` rows (`user000001`…). Default 0. */
  readonly extraUsers?: number
}

/** A seeded non-admin user: `itil` / `itil`, role `itil` only. */
export const ITIL_USER = { userName: "itil", password: "itil" } as const

/** Application Access of a table that refuses cross-scope reads (the "switch" of §10.1). */
export const RESTRICTED_ACCESS = { access: "package_private", read_access: "false" } as const
/** Application Access that lets other scopes read (the documented fix, integration-procedure.md §10.1). */
export const OPEN_ACCESS = { access: "public", read_access: "true" } as const

/** Adds `count` users `user000001`… after the existing ones, quickly (benchmarks stream 50,000). */
export const seedUsers = (instance: Instance, count: number): void => {
  let start = 0
  for (const user of instance.rows("sys_user").values()) if (/^user\d{6}$/.test(user.user_name ?? "")) start++
  for (let n = start + 1; n <= start + count; n++) {
    const id = String(n).padStart(6, "0")
    instance.insert("sys_user", {
      user_name: `user${id}`,
      first_name: "User",
      last_name: id,
      name: `User ${id}`,
      email: `user${id}@example.com`,
    })
  }
}

/** Grants `role` (by name) to a user (by sys_id). */
export const grantRole = (instance: Instance, userSysId: string, role: string): void => {
  const roleRow = instance.findBy("sys_user_role", "name", role)
  if (roleRow?.sys_id === undefined) throw new Error(`no role ${role}`)
  instance.insert("sys_user_has_role", { user: userSysId, role: roleRow.sys_id })
}

/** Fills a new instance. */
export const seedInstance = (instance: Instance, options: SeedOptions = {}): void => {
  // Scopes: the global scope's sys_id is `global`.
  instance.insert("sys_scope", { sys_id: GLOBAL_SCOPE, scope: GLOBAL_SCOPE, name: "Global", active: "true" })
  const appScopeId = instance.newSysId()
  const installed = options.appInstalled ?? true
  if (installed) {
    const app = {
      sys_id: appScopeId,
      scope: APP_SCOPE,
      name: APP_NAME,
      version: options.appVersion ?? APP_VERSION,
      vendor: "Microsoft",
      active: "true",
    }
    instance.insert("sys_scope", { ...app, sys_class_name: "sys_store_app" })
    instance.insert("sys_store_app", { ...app, update_available: "false", latest_version: app.version })
  }

  // Tables and their Application Access.
  const tableIds = new Map<string, string>()
  for (const definition of TABLES.values()) {
    if (definition.scope === APP_SCOPE && !installed) continue
    const restricted =
      options.crossScopeRestricted === true &&
      (APP_CROSS_SCOPE_TABLES as ReadonlyArray<string>).includes(definition.name)
    const row = instance.insert("sys_db_object", {
      ...APPLICATION_ACCESS_DEFAULTS,
      ...(restricted ? RESTRICTED_ACCESS : {}),
      name: definition.name,
      label: definition.label,
      super_class: definition.extends === undefined ? "" : (tableIds.get(definition.extends) ?? ""),
      sys_scope: definition.scope === APP_SCOPE ? appScopeId : GLOBAL_SCOPE,
      is_extendable: definition.columns.sys_class_name === undefined ? "false" : "true",
    })
    tableIds.set(definition.name, row.sys_id ?? "")
  }

  // Roles.
  for (const role of Object.values(ROLE)) {
    instance.insert("sys_user_role", {
      name: role,
      description: `Platform role ${role}`,
      sys_scope: GLOBAL_SCOPE,
    })
  }
  if (installed) {
    for (const role of Object.values(APP_ROLE)) {
      instance.insert("sys_user_role", { name: role, description: `${APP_NAME} role`, sys_scope: appScopeId })
    }
  }

  // Users.
  const admin = instance.insert("sys_user", {
    user_name: options.adminUserName ?? "admin",
    first_name: "System",
    last_name: "Administrator",
    name: "System Administrator",
    email: "admin@example.com",
    user_password: hashSecret(options.adminPassword ?? "admin"),
  })
  grantRole(instance, admin.sys_id ?? "", ROLE.admin)
  if (options.adminBasicAuthApiAccess === true)
    grantRole(instance, admin.sys_id ?? "", ROLE.basicAuthApiAccess)
  const itil = instance.insert("sys_user", {
    user_name: ITIL_USER.userName,
    first_name: "ITIL",
    last_name: "User",
    name: "ITIL User",
    email: "itil@example.com",
    user_password: hashSecret(ITIL_USER.password),
  })
  grantRole(instance, itil.sys_id ?? "", ROLE.itil)
  if ((options.extraUsers ?? 0) > 0) seedUsers(instance, options.extraUsers ?? 0)

  // Properties.
  const properties: Array<[string, string, string]> = [
    [PROPERTY.buildName, BUILD_NAME, "string"],
    [PROPERTY.basicAuthEnforce, String(options.basicAuthGate ?? true), "boolean"],
    [PROPERTY.basicAuthAllowedRoles, ROLE.basicAuthApiAccess, "string"],
    [PROPERTY.basicAuthAllowWsao, "true", "boolean"],
    [PROPERTY.ropcDisabled, "false", "boolean"],
    [PROPERTY.postBodyOnly, "true", "boolean"],
    [PROPERTY.invalidQueryReturnsNoRows, String(options.invalidQueryReturnsNoRows ?? false), "boolean"],
  ]
  if (options.clientCredentialsEnabled === true)
    properties.push([PROPERTY.clientCredentialsEnabled, "true", "boolean"])
  for (const [name, value, type] of properties) {
    instance.insert("sys_properties", { name, value, type, sys_scope: GLOBAL_SCOPE })
  }

  // A few incidents.
  for (const [caller, text] of [
    [admin.sys_id, "Email is not syncing on mobile"],
    [itil.sys_id, "Teams meeting audio drops"],
    [admin.sys_id, "SharePoint site is read-only"],
  ] as const) {
    instance.insert("incident", {
      number: `INC${String(instance.nextIncident++).padStart(7, "0")}`,
      short_description: text,
      caller_id: caller ?? "",
      opened_by: caller ?? "",
      opened_at: formatDateTime(instance.clock.now()),
    })
  }

  if (!installed) return
  // The app's cross-scope privileges (integration-procedure.md §7.3, derived: read on the two tables).
  for (const target of APP_CROSS_SCOPE_TABLES) {
    instance.insert("sys_scope_privilege", {
      source_scope: appScopeId,
      target_scope: GLOBAL_SCOPE,
      target_name: target,
      target_type: "sys_db_object",
      operation: "read",
      status: "allowed",
      sys_scope: appScopeId,
    })
  }
  // The app's modeled storage: one property per wizard value.
  const flags = new Set<string>([
    APP_PROPERTY.consent,
    APP_PROPERTY.externalOidc,
    APP_PROPERTY.sso,
    APP_PROPERTY.testEnvironment,
    APP_PROPERTY.setupComplete,
  ])
  for (const name of Object.values(APP_PROPERTY)) {
    const endpoint = name === APP_PROPERTY.endpoint
    instance.insert("sys_properties", {
      name,
      value: endpoint ? appEndpoint(instance.host) : flags.has(name) ? "false" : "",
      type: flags.has(name) ? "boolean" : "string",
      description: `${APP_NAME}: setup wizard value (modeled storage)`,
      write_roles: endpoint ? ROLE.maint : ROLE.admin,
      sys_scope: appScopeId,
    })
  }
}
