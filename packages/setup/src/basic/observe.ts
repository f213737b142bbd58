/**
 * Observation: every resource looked up by its natural key, in two rounds of concurrent reads
 * (the second needs ids from the first). Observation only reads.
 *
 * @module
 */
import type { Application, BasicInformation, Repository, ServicePrincipal } from "@sn365/m365"
import { Query } from "@sn365/servicenow"
import { Effect, Exit, type Redacted, Stream } from "effect"
import type { WizardSnapshot } from "../AppStorage.ts"
import type { Env } from "../internal/env.ts"
import {
  APP_SCOPE,
  CROSS_SCOPE_TABLES,
  ROLE_ADMINISTRATOR,
  ROLE_INCIDENT_MANAGER,
  ROLE_INSIGHTS_USER,
} from "../vendor.ts"

/** A ServiceNow record as sn365 reads it: every value a string (references as sys_ids). */
export type Row = Readonly<Record<string, string | undefined>>

/** Everything observation found. */
export interface Observed {
  readonly app: Application | undefined
  readonly servicePrincipal: ServicePrincipal | undefined
  readonly outboundProvider: Row | undefined
  readonly outboundProfile: Row | undefined
  readonly inboundClient: Row | undefined
  readonly user: Row | undefined
  /** sys_id of the integration user's `incident_manager` grant, when held. */
  readonly userRoleGrant: string | undefined
  /** sys_ids of the roles the setup grants, by name. */
  readonly roleIds: Readonly<Record<string, string | undefined>>
  /** Application Access of the OAuth tables the app reads. */
  readonly crossScope: ReadonlyArray<Row>
  /** The app's cross-scope privileges on those tables. */
  readonly crossScopePrivileges: ReadonlyArray<Row>
  readonly wizard: WizardSnapshot
  readonly basicInformation: BasicInformation | undefined
  readonly repository: Repository | undefined
  /** Users named in `roles`, by user_name (undefined when no such user exists). */
  readonly roleUsers: ReadonlyMap<string, string | undefined>
  /** Role grants held, as `<user sys_id>:<role sys_id>` → grant sys_id. */
  readonly grantsHeld: ReadonlyMap<string, string>
  /**
   * The Entra client secret the secret store keeps from an earlier run, if any: a run that failed
   * after generating it and before handing it to ServiceNow hands over this one, not a new one.
   */
  readonly storedEntraSecret?: Redacted.Redacted<string> | undefined
}

/**
 * How long the values of one `IN` query may be, URL-encoded: a few thousand users fit in a handful
 * of requests, and every URL stays far below the 8 KB that servers commonly accept.
 */
const IN_QUERY_BUDGET = 4000

/** `IN` queries of one read in flight at once. */
const IN_CONCURRENCY = 8

/** `values` cut into runs whose encoded, comma-joined length stays within {@link IN_QUERY_BUDGET}. */
const chunks = (values: ReadonlyArray<string>): Array<ReadonlyArray<string>> => {
  const out: Array<Array<string>> = []
  let size = Number.POSITIVE_INFINITY
  for (const value of values) {
    const cost = encodeURIComponent(`${value},`).length
    if (size + cost > IN_QUERY_BUDGET) {
      out.push([])
      size = 0
    }
    out[out.length - 1]?.push(value)
    size += cost
  }
  return out
}

const rows = (stream: Stream.Stream<unknown, unknown>) =>
  Stream.runCollect(stream).pipe(Effect.map((all) => all as ReadonlyArray<Row>))

type AnyQuery = Query<Record<string, string>>

/**
 * Reads `table` rows whose `field` (dot-walks allowed) is one of `values`, in concurrent `IN`
 * queries; `also` adds conditions to each.
 */
export const readIn = (
  env: Env,
  table: string,
  field: string,
  values: ReadonlyArray<string>,
  fields: ReadonlyArray<string>,
  also: (query: AnyQuery) => AnyQuery = (query) => query,
) =>
  Effect.forEach(
    chunks([...new Set(values)]),
    (chunk) =>
      rows(
        env.sn.table(table).list({
          query: also(Query.make<Record<string, string>>().in(field, chunk)),
          fields,
          excludeReferenceLink: true,
        }),
      ),
    { concurrency: IN_CONCURRENCY },
  ).pipe(Effect.map((pages) => pages.flat()))

/** The OAuth profile fields the setup reads (observation, and the profile step's lookups). */
export const PROFILE_FIELDS = ["sys_id", "name", "oauth_entity", "grant_type", "default"] as const

const OAUTH_FIELDS = [
  "sys_id",
  "name",
  "type",
  "client_id",
  "comments",
  "token_url",
  "default_grant_type",
  "redirect_url",
  "active",
  "refresh_token_lifespan",
]
const USER_FIELDS = [
  "sys_id",
  "user_name",
  "active",
  "web_service_access_only",
  "locked_out",
  "password_needs_reset",
  "title",
]

/** What observation can share with preflight, so that a read both need is made once. */
export interface SharedReads {
  readonly basicInformation: Effect.Effect<BasicInformation | undefined, unknown>
}

/**
 * Observes every resource of a Basic setup. Every read starts at once; a read that needs an id
 * from another (the app's service principal, the provider's profiles) follows that one read alone,
 * so observation takes as many round trips as its longest chain: the Graph token, the app, its
 * service principal.
 */
export const observe = (
  env: Env,
  shared: SharedReads = { basicInformation: env.support.getBasicInformation() },
): Effect.Effect<Observed, unknown> =>
  Effect.gen(function* () {
    const { names, config } = env
    const roleUserNames = [...config.roles.insightsUsers, ...config.roles.administrators]
    const grantRoleNames = [ROLE_INCIDENT_MANAGER, ROLE_INSIGHTS_USER, ROLE_ADMINISTRATOR]

    const isOutbound = (row: Row) => row.name === names.outboundProviderName && row.type !== "client"

    const read = yield* Effect.all(
      {
        app: env.apps
          .findByUniqueName(names.appUniqueName)
          .pipe(
            Effect.flatMap(
              (app): Effect.Effect<{ app?: Application; servicePrincipal?: ServicePrincipal }, unknown> =>
                app === undefined
                  ? Effect.succeed({})
                  : Effect.map(env.apps.findServicePrincipal(app.appId), (servicePrincipal) =>
                      servicePrincipal === undefined ? { app } : { app, servicePrincipal },
                    ),
            ),
          ),
        oauth: readIn(
          env,
          "oauth_entity",
          "name",
          [names.outboundProviderName, names.inboundClientName],
          OAUTH_FIELDS,
        ).pipe(
          Effect.flatMap((oauth) => {
            const provider = oauth.find(isOutbound)
            return provider?.sys_id === undefined
              ? Effect.succeed({ oauth, profiles: [] as ReadonlyArray<Row> })
              : Effect.map(
                  readIn(env, "oauth_entity_profile", "oauth_entity", [provider.sys_id], PROFILE_FIELDS),
                  (profiles) => ({ oauth, profiles }),
                )
          }),
        ),
        users: readIn(env, "sys_user", "user_name", [names.integrationUser, ...roleUserNames], USER_FIELDS),
        roles: readIn(env, "sys_user_role", "name", grantRoleNames, ["sys_id", "name"]),
        // Found by user name and role name (dot-walked), so this read needs no id from the two above.
        grants: readIn(
          env,
          "sys_user_has_role",
          "user.user_name",
          [names.integrationUser, ...roleUserNames],
          ["sys_id", "user", "role", "inherited"],
          (query) => query.in("role.name", grantRoleNames),
        ),
        crossScope: readIn(env, "sys_db_object", "name", CROSS_SCOPE_TABLES, [
          "sys_id",
          "name",
          "access",
          "read_access",
        ]),
        privileges: readIn(env, "sys_scope_privilege", "target_name", CROSS_SCOPE_TABLES, [
          "sys_id",
          "source_scope.scope",
          "target_name",
          "operation",
          "status",
        ]),
        wizard: env.storage.read,
        // A store that cannot be read is reported by its own check (`problem`), before any write.
        storedEntraSecret: env.secrets.get("entraClientSecret").pipe(
          Effect.exit,
          Effect.map((exit) => (Exit.isSuccess(exit) ? exit.value : undefined)),
        ),
        basicInformation: shared.basicInformation,
        repositories: env.support.listRepositories(),
      },
      { concurrency: "unbounded" },
    )

    const outboundProvider = read.oauth.oauth.find(isOutbound)
    const inboundClient = read.oauth.oauth.find(
      (row) => row.name === names.inboundClientName && row.type === "client",
    )
    const usersByName = new Map(read.users.map((row) => [row.user_name, row]))
    const user = usersByName.get(names.integrationUser)
    const roleIds = Object.fromEntries(read.roles.map((row) => [row.name as string, row.sys_id]))
    const roleUsers = new Map(roleUserNames.map((name) => [name, usersByName.get(name)?.sys_id]))

    const grantsHeld = new Map<string, string>()
    for (const grant of read.grants) {
      if (grant.inherited === "true" || grant.sys_id === undefined) continue
      grantsHeld.set(`${grant.user}:${grant.role}`, grant.sys_id)
    }
    const incidentManager = roleIds[ROLE_INCIDENT_MANAGER]
    const profiles = read.oauth.profiles
    return {
      app: read.app.app,
      servicePrincipal: read.app.servicePrincipal,
      outboundProvider,
      outboundProfile: profiles.find((p) => p.default === "true") ?? profiles[0],
      inboundClient,
      user,
      userRoleGrant:
        user?.sys_id === undefined || incidentManager === undefined
          ? undefined
          : grantsHeld.get(`${user.sys_id}:${incidentManager}`),
      roleIds,
      crossScope: read.crossScope,
      crossScopePrivileges: read.privileges.filter(
        (row) => row["source_scope.scope"] === APP_SCOPE && row.operation === "read",
      ),
      wizard: read.wizard,
      basicInformation: read.basicInformation,
      repository: read.repositories.find((repo) => repo.repository === names.repositoryId),
      roleUsers,
      grantsHeld,
      storedEntraSecret: read.storedEntraSecret,
    }
  })
