/**
 * Writing records the way the Table API does: which body fields are stored and how
 * (`sysparm_input_display_value` for secrets and references, servicenow-api.md §1.2, §3.5), the
 * platform's generated values (client ids and secrets, incident numbers, a user's full name), the
 * default profile of a new third-party provider, and cascading deletes. Used by the Table API and
 * by the control's test helpers.
 *
 * @module
 */
import { TABLES } from "./dictionary.ts"
import { hashSecret, type Instance, type Row } from "./Instance.ts"
import { CLIENT_TYPE, PROVIDER_TYPE } from "./vendor.ts"

/** Behaviour switches of writes. */
export interface WriteOptions {
  /** Create a default `oauth_entity_profile` for a new `oauth_provider` record. */
  readonly autoCreateProviderProfile: boolean
}

/**
 * The stored form of a request body: unknown and `sys_` fields dropped (the platform ignores them),
 * secrets hashed only with `inputDisplayValue` (otherwise stored as sent, so a later login fails),
 * references given by display value resolved only with `inputDisplayValue`.
 */
export const storedValues = (
  instance: Instance,
  table: string,
  body: Readonly<Record<string, unknown>>,
  inputDisplayValue: boolean,
): Row => {
  const columns = TABLES.get(table)?.columns ?? {}
  const out: Row = {}
  for (const [name, raw] of Object.entries(body)) {
    const column = columns[name]
    if (column === undefined || name.startsWith("sys_")) continue
    const value = typeof raw === "string" ? raw : raw === null || raw === undefined ? "" : String(raw)
    if (column.type === "password" || column.type === "password2") {
      out[name] = inputDisplayValue && value !== "" ? hashSecret(value) : value
    } else if (
      column.type === "reference" &&
      inputDisplayValue &&
      value !== "" &&
      column.reference !== undefined
    ) {
      const target = column.reference
      const display = TABLES.get(target)?.display ?? "name"
      out[name] =
        instance.get(target, value) !== undefined
          ? value
          : (instance.findBy(target, display, value)?.sys_id ?? value)
    } else {
      out[name] = value
    }
  }
  return out
}

const fullName = (row: Row) =>
  [row.first_name ?? "", row.last_name ?? ""].filter((part) => part !== "").join(" ")

/** Inserts a record with the platform's generated values and side effects. */
export const insertRecord = (
  instance: Instance,
  table: string,
  values: Row,
  by: string,
  options: WriteOptions,
): Row => {
  const prepared: Row = { ...values }
  if (table === "sys_user" && (prepared.name ?? "") === "") prepared.name = fullName(prepared)
  if (table === "incident" && (prepared.number ?? "") === "") {
    prepared.number = `INC${String(instance.nextIncident++).padStart(7, "0")}`
  }
  if (table === "oauth_entity" || table === "oauth_oidc_entity") {
    // Client ID is generated (32 hex) and a blank secret is generated for external clients ([SN-OAUTH-EXT]).
    if ((prepared.type ?? "") === CLIENT_TYPE || table === "oauth_oidc_entity") {
      if ((prepared.client_id ?? "") === "") prepared.client_id = instance.random.hex(32)
      if ((prepared.client_secret ?? "") === "")
        prepared.client_secret = hashSecret(instance.random.string(20))
    }
    if ((prepared.client_uuid ?? "") === "") prepared.client_uuid = instance.random.hex(32)
  }
  const row = instance.insert(table, prepared, by)
  if (table === "oauth_entity" && row.type === PROVIDER_TYPE && options.autoCreateProviderProfile) {
    // The UI creates a default profile with the chosen grant type and no scopes ([SN-3P]).
    instance.insert(
      "oauth_entity_profile",
      {
        name: `${row.name ?? ""} default_profile`,
        oauth_entity: row.sys_id ?? "",
        grant_type: row.default_grant_type ?? "",
        default: "true",
      },
      by,
    )
  }
  return row
}

/** Updates a record, keeping derived values in step. */
export const updateRecord = (
  instance: Instance,
  table: string,
  sysId: string,
  values: Row,
  by: string,
  /** `false` with `sysparm_suppress_auto_sys_field=true`: `sys_updated_*` and `sys_mod_count` stay. */
  touchSystemFields = true,
): Row => {
  const row = instance.update(table, sysId, values, by, touchSystemFields)
  if (
    table === "sys_user" &&
    values.name === undefined &&
    (values.first_name !== undefined || values.last_name !== undefined)
  ) {
    row.name = fullName(row)
  }
  return row
}

/** What deleting a record of a table also deletes. MODELED on the platform's cascade rules. */
const CASCADES: Readonly<Record<string, ReadonlyArray<readonly [table: string, column: string]>>> = {
  sys_user: [["sys_user_has_role", "user"]],
  sys_user_role: [["sys_user_has_role", "role"]],
  oauth_entity: [["oauth_entity_profile", "oauth_entity"]],
}

/** Deletes a record and what cascades from it. */
export const deleteRecord = (instance: Instance, table: string, sysId: string): void => {
  instance.remove(table, sysId)
  for (const [child, column] of CASCADES[table] ?? []) {
    for (const [id, row] of instance.rows(child)) if (row[column] === sysId) instance.remove(child, id)
  }
  if (table === "sys_user") {
    for (const [token, issued] of instance.tokens) if (issued.user === sysId) instance.tokens.delete(token)
  }
}
