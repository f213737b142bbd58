/**
 * The emulated ServiceNow: any number of instances on `*.service-now.com`, each created on demand
 * (seeded, see `seed.ts`) the first time its host is addressed or named in the control, or up front
 * with `options.instances`. {@link ServiceNowControl} switches each instance's fault modes and
 * inspects its state.
 *
 * @module
 */
import { STATUS_CODES } from "node:http"
import type { EmulatorRequest } from "../server/http.ts"
import { seededRandom } from "../server/random.ts"
import type { EmulatedSystem, SystemContext } from "../server/system.ts"
import { setupSummary } from "./app.ts"
import type { GateWording } from "./auth.ts"
import { isSecretColumn, TABLES } from "./dictionary.ts"
import { makeDispatcher } from "./dispatch.ts"
import { failure } from "./envelope.ts"
import {
  createInstance,
  type Instance,
  maskSecret,
  type Row,
  secretMatches,
  type TransactionQuota,
} from "./Instance.ts"
import { dropUnknownFields, parseEncodedQuery } from "./query.ts"
import { makeRateLimiter, type RateLimitRule } from "./rateLimit.ts"
import { insertRecord, storedValues, updateRecord } from "./records.ts"
import { resolvePath } from "./render.ts"
import {
  grantRole,
  OPEN_ACCESS,
  RESTRICTED_ACCESS,
  type SeedOptions,
  seedInstance,
  seedUsers,
} from "./seed.ts"
import { select } from "./table.ts"
import { APP_CROSS_SCOPE_TABLES, INSTANCE_HOST_PATTERN, INSTANCE_HOST_SUFFIX, PROPERTY } from "./vendor.ts"

export type { GateWording } from "./auth.ts"
export type { TransactionQuota } from "./Instance.ts"
export type { RateLimitedApi, RateLimitRule } from "./rateLimit.ts"

/**
 * Options for the emulated instances; they apply to every instance, including those created on
 * demand. Everything is optional.
 */
export interface ServiceNowOptions extends SeedOptions {
  /** Instances to create at start (names such as `dev12345`); others are created on first use. */
  readonly instances?: ReadonlyArray<string>
  /** Start hibernating (servicenow-api.md §6.1). Default `false`. */
  readonly hibernating?: boolean
  /** Wording of the Basic-auth gate's 401 (both observed). Default `User Not Authenticated`. */
  readonly basicAuthGateWording?: GateWording
  /**
   * Whether web-service-access-only users get OAuth password grants (servicenow-api.md §9 #6).
   * Default `true`.
   */
  readonly passwordGrantForWebServiceUsers?: boolean
  /** Give a new `oauth_provider` record a default profile, as the UI does ([SN-3P]). Default `true`. */
  readonly autoCreateProviderProfile?: boolean
  /** Transaction quota of every instance (servicenow-api.md §5.3). Default: never cancels. */
  readonly transactionQuota?: TransactionQuota
  /** Rate-limit rules of every instance (servicenow-api.md §5). Default: none. */
  readonly rateLimits?: ReadonlyArray<RateLimitRule>
}

/** A stored record as inspection shows it: secrets appear as `[hashed]` or `[plain text]`. */
export type InspectedRecord = Readonly<Record<string, string>>

/**
 * Run-time control and state inspection of the emulated instances. `instance` is an instance name
 * (`dev12345`) or its host (`dev12345.service-now.com`); an instance that does not exist yet is
 * created (seeded) by any call naming it.
 */
export interface ServiceNowControl {
  /** Names of the instances created so far. */
  readonly instances: () => ReadonlyArray<string>
  /** Creates the instance now if it does not exist. */
  readonly ensure: (instance: string) => void
  /** Every record of a table, in insertion order. */
  readonly records: (instance: string, table: string) => ReadonlyArray<InspectedRecord>
  /** Records matching an encoded query (same parser as the Table API; unknown fields dropped). */
  readonly find: (instance: string, table: string, query: string) => ReadonlyArray<InspectedRecord>
  /** Number of records, optionally matching an encoded query. */
  readonly count: (instance: string, table: string, query?: string) => number
  /**
   * Inserts a record as the platform would (generated values, side effects), bypassing ACLs.
   * Secrets and references are written as display values unless `inputDisplayValue: false`.
   */
  readonly insert: (
    instance: string,
    table: string,
    values: Readonly<Record<string, string>>,
    options?: { readonly inputDisplayValue?: boolean },
  ) => InspectedRecord
  /** Updates a record, bypassing ACLs (see {@link ServiceNowControl.insert} for `inputDisplayValue`). */
  readonly update: (
    instance: string,
    table: string,
    sysId: string,
    values: Readonly<Record<string, string>>,
    options?: { readonly inputDisplayValue?: boolean },
  ) => InspectedRecord
  /** Adds `count` users `user000001`… quickly. */
  readonly seedUsers: (instance: string, count: number) => void
  /** Grants a role (by name) to a user (by `user_name`). */
  readonly grantRole: (instance: string, userName: string, role: string) => void
  /** A system property's value. */
  readonly property: (instance: string, name: string) => string | undefined
  /** Creates or changes a system property (e.g. `glide.invalid_query.returns_no_rows`). */
  readonly setProperty: (instance: string, name: string, value: string) => void
  /** Hibernation: every path answers the hibernation page (servicenow-api.md §6.1). */
  readonly setHibernating: (instance: string, hibernating: boolean) => void
  /** The Basic-auth gate (sets `glide.authenticate.basic_auth.restriction.enforce`, §2.6). */
  readonly setBasicAuthGate: (instance: string, enforce: boolean) => void
  /** `client_credentials` on/off (sets `glide.oauth.inbound.client.credential.grant_type.enabled`). */
  readonly setClientCredentials: (instance: string, enabled: boolean) => void
  /**
   * The cross-scope switch: `true` sets `oauth_entity` and `oauth_entity_profile` to
   * `access=package_private`, `read_access=false` (the app's wizard then fails with the documented
   * text); `false` restores `public`/`true` (the documented fix, integration-procedure.md §10.1).
   */
  readonly setCrossScopeRestricted: (instance: string, restricted: boolean) => void
  /** Transaction quota (servicenow-api.md §5.3); `{}` never cancels. */
  readonly setTransactionQuota: (instance: string, quota: TransactionQuota) => void
  /** Adds a rate-limit rule; returns its sys_id (the `X-RateLimit-Rule` header). */
  readonly addRateLimitRule: (instance: string, rule: RateLimitRule) => string
  /** Removes every rate-limit rule and count. */
  readonly clearRateLimitRules: (instance: string) => void
  /** Clears the counts ("Reset Rate Limit Counts"). */
  readonly resetRateLimitCounts: (instance: string) => void
  /** Whether the user's stored password is correctly hashed and equals `password`. */
  readonly passwordMatches: (instance: string, userName: string, password: string) => boolean
  /** Whether an encrypted field is stored correctly and equals `value` (e.g. `oauth_entity.client_secret`). */
  readonly secretMatches: (
    instance: string,
    table: string,
    sysId: string,
    column: string,
    value: string,
  ) => boolean
  /** Number of unexpired access and refresh tokens. */
  readonly tokenCount: (instance: string) => { readonly access: number; readonly refresh: number }
  /** The integration app's wizard values (modeled storage; no cross-scope check). */
  readonly setupSummary: (instance: string) => Readonly<Record<string, string>>
  /** Drops every instance: the next use re-creates it seeded from the options. */
  readonly reset: () => void
  /** A JSON-serialisable copy of every instance's tables and switches (secrets masked). */
  readonly snapshot: () => Record<string, unknown>
}

const inspect = (table: string, row: Row): InspectedRecord => {
  const columns = TABLES.get(table)?.columns ?? {}
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(row))
    out[name] = isSecretColumn(columns[name]) ? maskSecret(value) : value
  return out
}

const hashName = (text: string) => {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0
  return hash
}

/** @internal */
export const createServiceNow = (
  context: SystemContext,
  options: ServiceNowOptions = {},
): { readonly system: EmulatedSystem; readonly control: ServiceNowControl } => {
  const baseSeed = Math.floor(context.random.next() * 2 ** 32)
  const writes = { autoCreateProviderProfile: options.autoCreateProviderProfile ?? true }
  const dispatch = makeDispatcher({
    gateWording: options.basicAuthGateWording ?? "User Not Authenticated",
    writes,
    tokens: { passwordGrantForWebServiceUsers: options.passwordGrantForWebServiceUsers ?? true },
  })
  let instances = new Map<string, Instance>()

  const nameOf = (instanceOrHost: string) => {
    const lower = instanceOrHost.toLowerCase()
    return lower.endsWith(INSTANCE_HOST_SUFFIX) ? lower.slice(0, -INSTANCE_HOST_SUFFIX.length) : lower
  }
  const get = (instanceOrHost: string): Instance => {
    const name = nameOf(instanceOrHost)
    let instance = instances.get(name)
    if (instance === undefined) {
      // Each instance has its own generator, so ids do not depend on the order instances appear in.
      const random = seededRandom((baseSeed ^ hashName(name)) >>> 0)
      instance = createInstance(
        name,
        random,
        context.clock,
        makeRateLimiter(() => random.hex(32)),
      )
      seedInstance(instance, options)
      instance.hibernating = options.hibernating ?? false
      instance.quota = options.transactionQuota ?? {}
      for (const rule of options.rateLimits ?? []) instance.rateLimiter.add(rule)
      instances.set(name, instance)
    }
    return instance
  }
  for (const name of options.instances ?? []) get(name)

  const query = (instance: Instance, table: string, text: string) => {
    const { query: known } = dropUnknownFields(
      parseEncodedQuery(text),
      (field) => resolvePath(table, field) !== undefined,
    )
    return select(instance, table, known)
  }
  const userOf = (instance: Instance, userName: string) => {
    const user = instance.findBy("sys_user", "user_name", userName)
    if (user === undefined) throw new Error(`no sys_user ${userName} on ${instance.name}`)
    return user
  }
  const setAccess = (instance: Instance, values: Readonly<Record<string, string>>) => {
    for (const table of APP_CROSS_SCOPE_TABLES) {
      const row = instance.findBy("sys_db_object", "name", table)
      if (row?.sys_id !== undefined) instance.update("sys_db_object", row.sys_id, values)
    }
  }

  const control: ServiceNowControl = {
    instances: () => [...instances.keys()],
    ensure: (name) => {
      get(name)
    },
    records: (name, table) => [...get(name).rows(table).values()].map((row) => inspect(table, row)),
    find: (name, table, text) => query(get(name), table, text).map((row) => inspect(table, row)),
    count: (name, table, text) =>
      text === undefined ? get(name).rows(table).size : query(get(name), table, text).length,
    insert: (name, table, values, insertOptions = {}) => {
      const instance = get(name)
      const stored = storedValues(instance, table, values, insertOptions.inputDisplayValue ?? true)
      return inspect(table, insertRecord(instance, table, stored, "system", writes))
    },
    update: (name, table, sysId, values, updateOptions = {}) => {
      const instance = get(name)
      const stored = storedValues(instance, table, values, updateOptions.inputDisplayValue ?? true)
      return inspect(table, updateRecord(instance, table, sysId, stored, "system"))
    },
    seedUsers: (name, count) => seedUsers(get(name), count),
    grantRole: (name, userName, role) => {
      const instance = get(name)
      grantRole(instance, userOf(instance, userName).sys_id ?? "", role)
    },
    property: (name, property) => get(name).property(property),
    setProperty: (name, property, value) => get(name).setProperty(property, value),
    setHibernating: (name, hibernating) => {
      get(name).hibernating = hibernating
    },
    setBasicAuthGate: (name, enforce) => get(name).setProperty(PROPERTY.basicAuthEnforce, String(enforce)),
    setClientCredentials: (name, enabled) =>
      get(name).setProperty(PROPERTY.clientCredentialsEnabled, String(enabled), { type: "boolean" }),
    setCrossScopeRestricted: (name, restricted) =>
      setAccess(get(name), restricted ? RESTRICTED_ACCESS : OPEN_ACCESS),
    setTransactionQuota: (name, quota) => {
      get(name).quota = quota
    },
    addRateLimitRule: (name, rule) => get(name).rateLimiter.add(rule),
    clearRateLimitRules: (name) => get(name).rateLimiter.clear(),
    resetRateLimitCounts: (name) => get(name).rateLimiter.resetCounts(),
    passwordMatches: (name, userName, password) => {
      const instance = get(name)
      return secretMatches(userOf(instance, userName).user_password, password)
    },
    secretMatches: (name, table, sysId, column, value) =>
      secretMatches(get(name).get(table, sysId)?.[column], value),
    tokenCount: (name) => {
      const instance = get(name)
      const now = instance.clock.now()
      let access = 0
      let refresh = 0
      for (const token of instance.tokens.values()) {
        if (token.expiresAt <= now) continue
        if (token.kind === "access") access++
        else refresh++
      }
      return { access, refresh }
    },
    setupSummary: (name) => setupSummary(get(name)),
    reset: () => {
      instances = new Map()
      for (const name of options.instances ?? []) get(name)
    },
    snapshot: () =>
      Object.fromEntries(
        [...instances].map(([name, instance]) => [
          name,
          {
            hibernating: instance.hibernating,
            quota: instance.quota,
            rateLimitRules: instance.rateLimiter.rules(),
            tables: Object.fromEntries(
              [...instance.tables].map(([table, rows]) => [
                table,
                [...rows.values()].map((row) => inspect(table, row)),
              ]),
            ),
          },
        ]),
      ),
  }

  const system: EmulatedSystem = {
    name: "servicenow",
    hostPatterns: [INSTANCE_HOST_PATTERN],
    serves: (host) => host.endsWith(INSTANCE_HOST_SUFFIX) && host.length > INSTANCE_HOST_SUFFIX.length,
    handle: (request: EmulatorRequest) => dispatch(get(request.host), request),
    faultResponse: (status) =>
      failure(status, {
        message: status === 429 ? "Rate limit exceeded" : (STATUS_CODES[status] ?? "Error"),
        detail: "Injected by the emulator",
      }),
    reset: control.reset,
    snapshot: control.snapshot,
  }
  return { system, control }
}
