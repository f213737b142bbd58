/**
 * One emulated instance's state: its tables (rows of strings keyed by sys_id, in insertion order),
 * issued OAuth tokens, rate-limit counters and run-time switches, with the low-level record
 * operations every module uses. No ACLs and no HTTP here.
 *
 * @module
 */
import { createHash } from "node:crypto"
import type { Random } from "../server/random.ts"
import type { Clock } from "../server/system.ts"
import { TABLES } from "./dictionary.ts"
import type { RateLimiter } from "./rateLimit.ts"

/** A stored record: every value a string, as the platform stores them. */
export type Row = Record<string, string>

/** A transaction quota: when and how requests are cancelled (servicenow-api.md §5.3). */
export interface TransactionQuota {
  /** Cancel every request, reads and writes, before it runs. Default `false`. */
  readonly cancelAll?: boolean
  /** Limit for one Table API transaction, ms. Default 60000 (servicenow-api.md §5.3). */
  readonly limitMs?: number
  /**
   * Emulated cost of each row a list read scans, ms. A read is cancelled when
   * `scanned rows × msPerRow + real handling time` exceeds `limitMs`. Default 0 (never).
   */
  readonly msPerRow?: number
  /**
   * Emulated cost of each Batch API item, ms: items that would start after the batch has used
   * 30000 ms (servicenow-api.md §4.1) are left in `unserviced_requests`. Default 0 (never).
   */
  readonly msPerBatchItem?: number
}

/** An access or refresh token the instance issued. */
export interface IssuedToken {
  readonly kind: "access" | "refresh"
  readonly user: string
  readonly client: string
  readonly expiresAt: number
}

/** Marker prefix of a correctly hashed or encrypted secret. */
const HASHED = "$sn365$sha256$"

/** The stored form of a secret written with `sysparm_input_display_value=true`. */
export const hashSecret = (value: string): string =>
  `${HASHED}${createHash("sha256").update(value, "utf8").digest("hex")}`

/** Whether a stored secret was stored correctly and equals `candidate`. A raw (wrongly stored) value never matches. */
export const secretMatches = (stored: string | undefined, candidate: string): boolean =>
  stored?.startsWith(HASHED) === true && stored === hashSecret(candidate)

/** What inspection shows instead of a stored secret. */
export const maskSecret = (stored: string): string =>
  stored === "" ? "" : stored.startsWith(HASHED) ? "[hashed]" : "[plain text]"

const pad = (n: number) => String(n).padStart(2, "0")

/** `YYYY-MM-DD HH:mm:ss` in UTC, the Table API's stored date-time format (servicenow-api.md §1.6). */
export const formatDateTime = (ms: number): string => {
  const d = new Date(ms)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
}

/** One instance. Created by {@link createInstance}; mutated by the Table API and the control. */
export interface Instance {
  readonly name: string
  /** `<name>.service-now.com`. */
  readonly host: string
  readonly random: Random
  readonly clock: Clock
  readonly tables: Map<string, Map<string, Row>>
  readonly tokens: Map<string, IssuedToken>
  readonly rateLimiter: RateLimiter
  hibernating: boolean
  quota: TransactionQuota
  /** Next incident number. */
  nextIncident: number
  /** Records of `table` in insertion order (empty for a table without rows). */
  readonly rows: (table: string) => Map<string, Row>
  readonly get: (table: string, sysId: string) => Row | undefined
  /** First row whose `column` equals `value`. */
  readonly findBy: (table: string, column: string, value: string) => Row | undefined
  /** Inserts a row as `by`: system columns and table defaults filled in. Values are stored as given. */
  readonly insert: (table: string, values: Readonly<Record<string, string>>, by?: string) => Row
  /** Changes columns of a row as `by`; `touch: false` leaves `sys_updated_*` and `sys_mod_count` alone. */
  readonly update: (
    table: string,
    sysId: string,
    values: Readonly<Record<string, string>>,
    by?: string,
    touch?: boolean,
  ) => Row
  readonly remove: (table: string, sysId: string) => boolean
  /** How many inserts, updates and removals the instance has taken: unchanged means no row changed. */
  readonly writes: () => number
  /** A system property's value, `undefined` when the property does not exist. */
  readonly property: (name: string) => string | undefined
  /** Creates or changes a system property. */
  readonly setProperty: (name: string, value: string, extra?: Readonly<Record<string, string>>) => void
  /** The names of the roles held directly by the user with this sys_id (active grants). */
  readonly rolesOf: (userSysId: string) => ReadonlySet<string>
  /** A new 32-hex sys_id. */
  readonly newSysId: () => string
}

/** @internal */
export const createInstance = (
  name: string,
  random: Random,
  clock: Clock,
  rateLimiter: RateLimiter,
): Instance => {
  const tables = new Map<string, Map<string, Row>>()
  const rows = (table: string) => {
    let map = tables.get(table)
    if (map === undefined) {
      map = new Map()
      tables.set(table, map)
    }
    return map
  }
  const newSysId = () => random.hex(32)
  let writes = 0
  const findBy = (table: string, column: string, value: string) => {
    for (const row of rows(table).values()) if (row[column] === value) return row
    return undefined
  }
  const instance: Instance = {
    name,
    host: `${name}.service-now.com`,
    random,
    clock,
    tables,
    tokens: new Map(),
    rateLimiter,
    hibernating: false,
    quota: {},
    nextIncident: 10_001,
    rows,
    get: (table, sysId) => rows(table).get(sysId),
    findBy,
    insert: (table, values, by = "system") => {
      writes++
      const definition = TABLES.get(table)
      const now = formatDateTime(clock.now())
      const row: Row = {}
      // Fields neither sent nor generated get their type's null value, "" on the wire ([SN-TABLE]).
      for (const column of Object.keys(definition?.columns ?? {})) row[column] = ""
      Object.assign(row, definition?.defaults ?? {})
      if (definition?.columns.sys_class_name !== undefined) row.sys_class_name = table
      if (definition?.columns.sys_scope !== undefined) {
        // A reference: the owning scope's sys_id (`global` for the global scope).
        row.sys_scope = findBy("sys_scope", "scope", definition.scope)?.sys_id ?? definition.scope
      }
      Object.assign(row, values)
      row.sys_id = values.sys_id ?? newSysId()
      row.sys_created_on = now
      row.sys_updated_on = now
      row.sys_created_by = by
      row.sys_updated_by = by
      row.sys_mod_count = "0"
      row.sys_tags ??= ""
      rows(table).set(row.sys_id, row)
      return row
    },
    update: (table, sysId, values, by = "system", touch = true) => {
      const row = rows(table).get(sysId)
      if (row === undefined) throw new Error(`no ${table} ${sysId}`)
      writes++
      Object.assign(row, values)
      if (!touch) return row
      row.sys_updated_on = formatDateTime(clock.now())
      row.sys_updated_by = by
      row.sys_mod_count = String(Number(row.sys_mod_count ?? "0") + 1)
      return row
    },
    remove: (table, sysId) => {
      writes++
      return rows(table).delete(sysId)
    },
    writes: () => writes,
    property: (propertyName) => findBy("sys_properties", "name", propertyName)?.value,
    setProperty: (propertyName, value, extra = {}) => {
      const existing = findBy("sys_properties", "name", propertyName)
      if (existing === undefined) instance.insert("sys_properties", { name: propertyName, value, ...extra })
      else instance.update("sys_properties", existing.sys_id ?? "", { value, ...extra })
    },
    rolesOf: (userSysId) => {
      const roles = new Set<string>()
      for (const grant of rows("sys_user_has_role").values()) {
        if (grant.user !== userSysId || (grant.state !== "active" && grant.state !== "")) continue
        const role = rows("sys_user_role").get(grant.role ?? "")
        if (role?.name !== undefined) roles.add(role.name)
      }
      return roles
    },
    newSysId,
  }
  return instance
}
