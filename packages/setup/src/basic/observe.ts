/**
 * Observation: every resource looked up by its natural key, in two rounds of concurrent reads
 * (the second needs ids from the first). Observation only reads.
 *
 * @module
 */
import type { Application, BasicInformation, Repository, ServicePrincipal } from "@sn365/m365"
import { Query } from "@sn365/servicenow"
import { Effect, Stream } from "effect"
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
}

/** How many names or ids go into one `IN` query, keeping URLs well under server limits. */
const IN_CHUNK = 100

const chunks = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

const rows = (stream: Stream.Stream<unknown, unknown>) =>
  Stream.runCollect(stream).pipe(Effect.map((all) => all as ReadonlyArray<Row>))

/** Reads `table` rows whose `field` is one of `values`, in chunked concurrent queries. */
export const readIn = (
  env: Env,
  table: string,
  field: string,
  values: ReadonlyArray<string>,
  fields: ReadonlyArray<string>,
) =>
  Effect.forEach(
    chunks([...new Set(values)], IN_CHUNK),
    (chunk) =>
      rows(
        env.sn.table(table).list({
          query: Query.make<Record<string, string>>().in(field, chunk),
          fields,
          excludeReferenceLink: true,
        }),
      ),
    { concurrency: 8 },
  ).pipe(Effect.map((pages) => pages.flat()))

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

/** Observes every resource of a Basic setup. */
export const observe = (env: Env): Effect.Effect<Observed, unknown> =>
  Effect.gen(function* () {
    const { names, config } = env
    const roleUserNames = [...config.roles.insightsUsers, ...config.roles.administrators]

    const first = yield* Effect.all(
      {
        app: env.apps.findByUniqueName(names.appUniqueName),
        oauth: readIn(
          env,
          "oauth_entity",
          "name",
          [names.outboundProviderName, names.inboundClientName],
          OAUTH_FIELDS,
        ),
        users: readIn(env, "sys_user", "user_name", [names.integrationUser, ...roleUserNames], USER_FIELDS),
        roles: readIn(
          env,
          "sys_user_role",
          "name",
          [ROLE_INCIDENT_MANAGER, ROLE_INSIGHTS_USER, ROLE_ADMINISTRATOR],
          ["sys_id", "name"],
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
        basicInformation: env.support.getBasicInformation(),
        repositories: env.support.listRepositories(),
      },
      { concurrency: "unbounded" },
    )

    const outboundProvider = first.oauth.find(
      (row) => row.name === names.outboundProviderName && row.type !== "client",
    )
    const inboundClient = first.oauth.find(
      (row) => row.name === names.inboundClientName && row.type === "client",
    )
    const user = first.users.find((row) => row.user_name === names.integrationUser)
    const roleIds = Object.fromEntries(first.roles.map((row) => [row.name as string, row.sys_id]))
    const roleUsers = new Map(
      roleUserNames.map((name) => [name, first.users.find((u) => u.user_name === name)?.sys_id]),
    )
    const grantUsers = [user?.sys_id, ...roleUsers.values()].filter((id): id is string => id !== undefined)
    const grantRoles = Object.values(roleIds).filter((id): id is string => id !== undefined)

    const second = yield* Effect.all(
      {
        servicePrincipal:
          first.app === undefined
            ? Effect.succeed(undefined)
            : env.apps.findServicePrincipal(first.app.appId),
        profiles:
          outboundProvider?.sys_id === undefined
            ? Effect.succeed([] as ReadonlyArray<Row>)
            : readIn(
                env,
                "oauth_entity_profile",
                "oauth_entity",
                [outboundProvider.sys_id],
                ["sys_id", "name", "oauth_entity", "grant_type", "default"],
              ),
        grants:
          grantUsers.length === 0 || grantRoles.length === 0
            ? Effect.succeed([] as ReadonlyArray<Row>)
            : readIn(env, "sys_user_has_role", "user", grantUsers, ["sys_id", "user", "role", "inherited"]),
      },
      { concurrency: "unbounded" },
    )

    const grantsHeld = new Map<string, string>()
    for (const grant of second.grants) {
      if (grant.inherited === "true" || grant.sys_id === undefined) continue
      grantsHeld.set(`${grant.user}:${grant.role}`, grant.sys_id)
    }
    const incidentManager = roleIds[ROLE_INCIDENT_MANAGER]
    return {
      app: first.app,
      servicePrincipal: second.servicePrincipal,
      outboundProvider,
      outboundProfile: second.profiles.find((p) => p.default === "true") ?? second.profiles[0],
      inboundClient,
      user,
      userRoleGrant:
        user?.sys_id === undefined || incidentManager === undefined
          ? undefined
          : grantsHeld.get(`${user.sys_id}:${incidentManager}`),
      roleIds,
      crossScope: first.crossScope,
      crossScopePrivileges: first.privileges.filter(
        (row) => row["source_scope.scope"] === APP_SCOPE && row.operation === "read",
      ),
      wizard: first.wizard,
      basicInformation: first.basicInformation,
      repository: first.repositories.find((repo) => repo.repository === names.repositoryId),
      roleUsers,
      grantsHeld,
    }
  })
