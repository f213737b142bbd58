/**
 * The emulated data dictionary: which tables exist, their columns and column types, display
 * columns, insert defaults and the Application Access defaults of their `sys_db_object` rows.
 * Written from `servicenow-api.md` §3 independently of `specs/` (a test compares the two).
 *
 * @module
 */
import { APPLICATION_USER_COLUMN } from "./vendor.ts"

/** How a column stores and renders its value. */
export type ColumnType =
  | "string"
  | "boolean"
  | "integer"
  | "datetime"
  /** A sys_id of `reference` (rendered `{link, value}`). */
  | "reference"
  /** One-way hashed password (`sys_user.user_password`, servicenow-api.md §3.5). Never returned. */
  | "password"
  /** Encrypted `password2` field (`oauth_entity.client_secret`, §3.1). Never returned. */
  | "password2"

/** One column. */
export interface Column {
  readonly type: ColumnType
  /** Target table of a reference. */
  readonly reference?: string
}

/** One table of the dictionary. */
export interface TableDefinition {
  readonly name: string
  readonly label: string
  /** Parent table (`sys_db_object.super_class`). */
  readonly extends?: string
  /** Scope that owns the table (`global` or the app's). */
  readonly scope: string
  readonly columns: Readonly<Record<string, Column>>
  /** Column shown as a reference's display value. */
  readonly display: string
  /** Values set on insert when the caller leaves them out. */
  readonly defaults: Readonly<Record<string, string>>
}

const s: Column = { type: "string" }
const b: Column = { type: "boolean" }
const i: Column = { type: "integer" }
const dt: Column = { type: "datetime" }
const ref = (table: string): Column => ({ type: "reference", reference: table })

/** System columns every record has (servicenow-api.md §1.6, [SN-TABLE] examples). */
export const SYSTEM_COLUMNS: Readonly<Record<string, Column>> = {
  sys_id: s,
  sys_created_on: dt,
  sys_created_by: s,
  sys_updated_on: dt,
  sys_updated_by: s,
  sys_mod_count: i,
  sys_tags: s,
}
const classed = { sys_class_name: s }
const scoped = { sys_scope: ref("sys_scope") }

const oauthEntityColumns = {
  ...classed,
  ...scoped,
  name: s,
  client_id: s,
  client_secret: { type: "password2" },
  redirect_url: s,
  logo_url: s,
  active: b,
  access_token_lifespan: i,
  refresh_token_lifespan: i,
  access: s,
  type: s,
  default_grant_type: s,
  token_url: s,
  auth_url: s,
  revoke_token_url: s,
  oauth_api_script: s,
  public_client: b,
  code_challenge_method: s,
  use_mutual_auth: b,
  comments: s,
  client_uuid: s,
  [APPLICATION_USER_COLUMN]: ref("sys_user"),
} satisfies Record<string, Column>
const oauthEntityDefaults = {
  active: "true",
  access_token_lifespan: "1800",
  refresh_token_lifespan: "8640000",
  access: "public",
  public_client: "false",
  use_mutual_auth: "false",
}

/**
 * `sys_db_object` defaults for a new table: Accessible from = all application scopes, Can read on,
 * create/update/delete off, web services on (servicenow-api.md §3.6, [SN-APPACC]).
 */
export const APPLICATION_ACCESS_DEFAULTS: Readonly<Record<string, string>> = {
  access: "public",
  read_access: "true",
  create_access: "false",
  update_access: "false",
  delete_access: "false",
  alter_access: "false",
  ws_access: "true",
  configuration_access: "false",
  client_scripts_access: "false",
  actions_access: "false",
  create_access_controls: "false",
  is_extendable: "false",
  live_feed_enabled: "false",
}
const table = (
  name: string,
  label: string,
  columns: Record<string, Column>,
  extra: Partial<Omit<TableDefinition, "name" | "label" | "columns">> = {},
): TableDefinition => ({
  name,
  label,
  scope: "global",
  display: "name",
  defaults: {},
  ...extra,
  columns: { ...SYSTEM_COLUMNS, ...columns },
})

const definitions: ReadonlyArray<TableDefinition> = [
  table("oauth_entity", "Application Registries", oauthEntityColumns, { defaults: oauthEntityDefaults }),
  table(
    "oauth_oidc_entity",
    "OAuth OIDC Entity",
    { ...oauthEntityColumns, oidc_provider_configuration: ref("oidc_provider_configuration") },
    { extends: "oauth_entity", defaults: oauthEntityDefaults },
  ),
  table(
    "oauth_entity_profile",
    "OAuth Entity Profile",
    { ...scoped, name: s, oauth_entity: ref("oauth_entity"), grant_type: s, default: b },
    { defaults: { default: "false" } },
  ),
  table("oidc_provider_configuration", "OIDC Provider Configuration", {
    ...scoped,
    name: s,
    oidc_url: s,
    oidc_config_cache_life_span: i,
    user_claim: s,
    user_field: s,
    enable_jti_verification: b,
  }),
  table(
    "oauth_credential",
    "OAuth Credential",
    { token: { type: "password2" }, type: s, expires: dt, peer: ref("oauth_entity"), user: ref("sys_user") },
    { display: "type" },
  ),
  table(
    "sys_user",
    "User",
    {
      ...classed,
      user_name: s,
      first_name: s,
      last_name: s,
      name: s,
      email: s,
      active: b,
      locked_out: b,
      password_needs_reset: b,
      web_service_access_only: b,
      internal_integration_user: b,
      user_password: { type: "password" },
      title: s,
      phone: s,
      mobile_phone: s,
      time_zone: s,
      department: ref("cmn_department"),
      company: ref("core_company"),
      manager: ref("sys_user"),
      location: ref("cmn_location"),
      vip: b,
    },
    {
      defaults: {
        active: "true",
        locked_out: "false",
        password_needs_reset: "false",
        web_service_access_only: "false",
        internal_integration_user: "false",
        vip: "false",
      },
    },
  ),
  table("sys_user_role", "Role", {
    ...scoped,
    name: s,
    description: s,
    elevated_privilege: b,
    suffix: s,
    assignable_by: ref("sys_user_role"),
  }),
  table(
    "sys_user_has_role",
    "User Role",
    {
      user: ref("sys_user"),
      role: ref("sys_user_role"),
      inherited: b,
      granted_by: ref("sys_user_group"),
      state: s,
    },
    { display: "role", defaults: { inherited: "false", state: "active" } },
  ),
  table("sys_user_group", "Group", {
    name: s,
    description: s,
    email: s,
    manager: ref("sys_user"),
    active: b,
  }),
  table(
    "sys_user_grmember",
    "Group Member",
    { user: ref("sys_user"), group: ref("sys_user_group") },
    { display: "user" },
  ),
  table(
    "sys_db_object",
    "Table",
    {
      ...scoped,
      name: s,
      label: s,
      super_class: ref("sys_db_object"),
      access: s,
      read_access: b,
      create_access: b,
      update_access: b,
      delete_access: b,
      alter_access: b,
      ws_access: b,
      configuration_access: b,
      client_scripts_access: b,
      actions_access: b,
      caller_access: s,
      create_access_controls: b,
      user_role: ref("sys_user_role"),
      is_extendable: b,
      live_feed_enabled: b,
    },
    { display: "label", defaults: APPLICATION_ACCESS_DEFAULTS },
  ),
  table(
    "sys_scope_privilege",
    "Application Cross-Scope Access",
    {
      ...scoped,
      source_scope: ref("sys_scope"),
      target_scope: ref("sys_scope"),
      target_name: s,
      target_type: s,
      operation: s,
      status: s,
    },
    { display: "target_name" },
  ),
  table("sys_scope", "Application", {
    ...classed,
    scope: s,
    name: s,
    version: s,
    vendor: s,
    active: b,
    short_description: s,
  }),
  table(
    "sys_store_app",
    "Store Application",
    {
      ...classed,
      scope: s,
      name: s,
      version: s,
      vendor: s,
      active: b,
      update_available: b,
      latest_version: s,
      short_description: s,
    },
    { extends: "sys_scope" },
  ),
  table(
    "sys_properties",
    "System Property",
    {
      ...scoped,
      name: s,
      value: s,
      type: s,
      description: s,
      choices: s,
      is_private: b,
      ignore_cache: b,
      read_roles: s,
      write_roles: s,
      suffix: s,
    },
    { defaults: { type: "string", is_private: "false", ignore_cache: "false" } },
  ),
  table(
    "incident",
    "Incident",
    {
      ...classed,
      number: s,
      short_description: s,
      description: s,
      state: s,
      priority: s,
      impact: s,
      urgency: s,
      category: s,
      caller_id: ref("sys_user"),
      assigned_to: ref("sys_user"),
      opened_by: ref("sys_user"),
      opened_at: dt,
      active: b,
      closed_at: dt,
      close_code: s,
      close_notes: s,
    },
    { display: "number", defaults: { state: "1", priority: "5", impact: "3", urgency: "3", active: "true" } },
  ),
  // The integration app's own tables (MODELED: the app's schema is undocumented, integration-procedure.md §12 Q5).
  table(
    "x_mioms_m365_assis_linked_account",
    "Linked Microsoft 365 Account",
    { ...scoped, user: ref("sys_user"), m365_admin_email: s },
    { scope: "x_mioms_m365_assis", display: "m365_admin_email" },
  ),
  table(
    "x_mioms_m365_assis_support_case",
    "Microsoft Support Case",
    { ...scoped, incident: ref("incident"), case_number: s, state: s, opened_by: ref("sys_user") },
    { scope: "x_mioms_m365_assis", display: "case_number" },
  ),
]

/** Every emulated table by name. */
export const TABLES: ReadonlyMap<string, TableDefinition> = new Map(definitions.map((t) => [t.name, t]))

/** The columns of `table` (system columns included), or `undefined` for an unknown table. */
export const columnsOf = (name: string): Readonly<Record<string, Column>> | undefined =>
  TABLES.get(name)?.columns

/** Whether a column's value is a secret that reads never return. */
export const isSecretColumn = (column: Column | undefined): boolean =>
  column?.type === "password" || column?.type === "password2"
