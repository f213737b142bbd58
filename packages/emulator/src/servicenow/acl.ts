/**
 * Access control as the emulator models it (servicenow-api.md §6.4): table-level read/write roles,
 * a row rule for incidents (callers see their own), field rules (secrets are unreadable), the
 * `write_roles` of system properties, and `admin` passing everything except `maint`.
 *
 * @module
 */
import { isSecretColumn, TABLES } from "./dictionary.ts"
import type { Row } from "./Instance.ts"
import { APP_ROLE, ROLE } from "./vendor.ts"

/** The authenticated caller. */
export interface Caller {
  readonly sysId: string
  readonly userName: string
  readonly roles: ReadonlySet<string>
}

/** `"any"`: every authenticated user; otherwise any of these roles (admin always passes). */
type RoleSet = "any" | ReadonlyArray<string>

interface TableAcl {
  readonly read: RoleSet
  readonly write: RoleSet
}

/** Managing OAuth needs `oauth_admin`, `mi_admin` or `admin` (servicenow-api.md §3.4, §6.4, [SN-OAUTH-INB]). */
const OAUTH: TableAcl = { read: [ROLE.oauthAdmin, ROLE.miAdmin], write: [ROLE.oauthAdmin, ROLE.miAdmin] }
const ADMIN_ONLY: TableAcl = { read: [], write: [] }
const READ_ANY_ADMIN_WRITES: TableAcl = { read: "any", write: [] }

/** Table ACLs. MODELED after the platform defaults the docs mention; unlisted tables are admin-only. */
const TABLE_ACLS: Readonly<Record<string, TableAcl>> = {
  oauth_entity: OAUTH,
  oauth_oidc_entity: OAUTH,
  oauth_entity_profile: OAUTH,
  oidc_provider_configuration: OAUTH,
  oauth_credential: OAUTH,
  sys_user: { read: "any", write: [ROLE.userAdmin] },
  sys_user_has_role: { read: "any", write: [ROLE.userAdmin] },
  sys_user_role: READ_ANY_ADMIN_WRITES,
  sys_user_group: { read: "any", write: [ROLE.userAdmin] },
  sys_user_grmember: { read: "any", write: [ROLE.userAdmin] },
  sys_db_object: READ_ANY_ADMIN_WRITES,
  sys_scope: READ_ANY_ADMIN_WRITES,
  sys_store_app: READ_ANY_ADMIN_WRITES,
  sys_scope_privilege: ADMIN_ONLY,
  sys_properties: ADMIN_ONLY,
  incident: { read: [ROLE.itil, ROLE.incidentManager], write: [ROLE.itil, ROLE.incidentManager] },
  x_mioms_m365_assis_linked_account: {
    read: [APP_ROLE.administrator, APP_ROLE.insightsUser],
    write: [APP_ROLE.administrator],
  },
  x_mioms_m365_assis_support_case: {
    read: [APP_ROLE.administrator, APP_ROLE.insightsUser],
    write: [APP_ROLE.administrator],
  },
}

/** Whether the caller holds `admin`. */
export const isAdmin = (caller: Caller): boolean => caller.roles.has(ROLE.admin)

const allowed = (caller: Caller, roles: RoleSet) =>
  isAdmin(caller) || roles === "any" || roles.some((role) => caller.roles.has(role))

const aclOf = (table: string): TableAcl => TABLE_ACLS[table] ?? ADMIN_ONLY

/** Whether the caller may read this row (table ACL, then row rules). */
export const canReadRow = (caller: Caller, table: string, row: Row): boolean => {
  if (allowed(caller, aclOf(table).read)) return true
  // Callers see their own incidents (the platform's default incident ACL).
  return table === "incident" && row.caller_id === caller.sysId
}

/** Whether the caller may create records in the table. */
export const canCreate = (caller: Caller, table: string): boolean => allowed(caller, aclOf(table).write)

/** Whether the caller may change or delete this row. */
export const canWriteRow = (caller: Caller, table: string, row: Row): boolean => {
  if (!allowed(caller, aclOf(table).write)) return false
  if (table === "sys_properties" && row.write_roles !== undefined && row.write_roles !== "") {
    const roles = row.write_roles.split(",").map((role) => role.trim())
    // `maint` is not implied by `admin`.
    if (roles.includes(ROLE.maint)) return caller.roles.has(ROLE.maint)
    return isAdmin(caller) || roles.some((role) => caller.roles.has(role))
  }
  return true
}

/** Whether a field may be read (and so queried on): secrets never are. */
export const canReadField = (table: string, column: string): boolean =>
  !isSecretColumn(TABLES.get(table)?.columns[column])
