/**
 * Entra app registrations over Microsoft Graph: find, upsert by `uniqueName` (one idempotent
 * request, entra-graph-msal.md §1.3), update, delete, their client secrets and their service
 * principals — with Graph's replication lag waited out as Microsoft advises.
 *
 * Which operations wait for replication:
 *
 * - `upsert`'s read-back, `update`, `addPassword`, `ensureServicePrincipal` and `confirmSecret` —
 *   the steps that follow a create — retry "not found" answers within the budget, then fail with
 *   `ReplicationLag`.
 * - `get`, `findBy…` and `findServicePrincipal` answer at once (`ApplicationNotFound`, `undefined`),
 *   except for objects this client created within the budget, which they wait for.
 * - `delete`, `deleteServicePrincipal` and `removePassword` treat "not found" as done (idempotent
 *   teardown), again except for objects this client just created.
 *
 * @module
 */
import { type Fetch, nextFromODataNextLink, paginate } from "@sn365/core"
import { Context, Duration, Effect, Layer, Stream } from "effect"
import type { TokenCredential } from "./Credential.ts"
import { ApplicationNotFound, type M365Error, type ReplicationLag } from "./Errors.ts"
import type { MicrosoftGraphApplication } from "./generated/graph.ts"
import { errorFields } from "./internal/errorFields.ts"
import { type Graph, isNotFound, makeGraph, odataString, privileges } from "./internal/graph.ts"
import { applicationBody, applicationListBody, optionalApplicationBody } from "./internal/shape.ts"
import { type ReplicationPolicy, waitForReplication } from "./Replication.ts"
import { type ConfirmSecretInput, type NewSecret, type SecretInput, secretOperations } from "./Secrets.ts"
import {
  type EnsureServicePrincipalOptions,
  type ServicePrincipal,
  servicePrincipalOperations,
} from "./ServicePrincipals.ts"
import {
  GRAPH_DEFAULT_SCOPE,
  GRAPH_MAX_PAGE_SIZE,
  PREFER_CREATE_IF_MISSING,
  REPLICATION_BUDGET_MS,
  SIGN_IN_AUDIENCE_SINGLE_TENANT,
} from "./vendor.ts"

/** An application as Graph returns it; `id` (object id) and `appId` (client id) are always present. */
export type Application = MicrosoftGraphApplication & { readonly id: string; readonly appId: string }

/** The desired state of an application registration (procedure P1, P2). */
export interface ApplicationInput {
  /** Required by Graph; not unique. */
  readonly displayName: string
  /** Default `AzureADMyOrg` (single tenant), which the integration requires. */
  readonly signInAudience?: string | undefined
  /** The web platform's redirect URIs, e.g. `https://{inst}.service-now.com/oauth_redirect.do`. */
  readonly web: { readonly redirectUris: ReadonlyArray<string> }
  readonly tags?: ReadonlyArray<string> | undefined
  readonly notes?: string | undefined
}

/** Writable application properties for {@link Applications.update}; secrets go through `addPassword`. */
export type ApplicationPatch = Omit<
  MicrosoftGraphApplication,
  | "@odata.context"
  | "id"
  | "appId"
  | "createdDateTime"
  | "deletedDateTime"
  | "publisherDomain"
  | "passwordCredentials"
  | "uniqueName"
>

/** Entra application registrations, their secrets and service principals. */
export interface Applications {
  /**
   * The token scopes its requests are signed with (Graph's `.default`): ask the credential for
   * them ahead of the first request to have the token ready when it is needed.
   */
  readonly scopes?: ReadonlyArray<string>
  /** The application with this unique name, or `undefined`. */
  readonly findByUniqueName: (uniqueName: string) => Effect.Effect<Application | undefined, M365Error>
  /** Every application with exactly this display name (names are not unique). */
  readonly findByDisplayName: (displayName: string) => Effect.Effect<ReadonlyArray<Application>, M365Error>
  /** By object id or client id; `ApplicationNotFound` when there is none. */
  readonly get: (idOrAppId: string) => Effect.Effect<Application, M365Error>
  /**
   * Creates the application with this unique name, or updates it to `input`: one PATCH with
   * `Prefer: create-if-missing` (201 created, 204 existed; then read back).
   */
  readonly upsert: (
    uniqueName: string,
    input: ApplicationInput,
  ) => Effect.Effect<{ application: Application; created: boolean }, M365Error>
  /** PATCHes the application (object id). */
  readonly update: (id: string, patch: ApplicationPatch) => Effect.Effect<void, M365Error>
  /** Deletes the application (object id; soft delete, restorable for 30 days). Absent → success. */
  readonly delete: (id: string) => Effect.Effect<void, M365Error>
  /** Adds a client secret; its text is returned once, `Redacted`. `SecretLifetimePolicy` when a tenant policy refuses the lifetime. */
  readonly addPassword: (appObjectId: string, input: SecretInput) => Effect.Effect<NewSecret, M365Error>
  /** Removes a client secret. A key (or application) that is already gone → success. */
  readonly removePassword: (appObjectId: string, keyId: string) => Effect.Effect<void, M365Error>
  /**
   * Requests a client-credentials token with a new secret through msal until the token service
   * accepts it (AADSTS7000215/7000222/700016/7000229 are waited out); `ReplicationLag` when the
   * budget ends. The token is discarded.
   */
  readonly confirmSecret: (input: ConfirmSecretInput) => Effect.Effect<void, ReplicationLag | M365Error>
  /** The application's service principal, created if missing (`knownAbsent`: skip the lookup). */
  readonly ensureServicePrincipal: (
    appId: string,
    options?: EnsureServicePrincipalOptions,
  ) => Effect.Effect<{ servicePrincipal: ServicePrincipal; created: boolean }, M365Error>
  /** The service principal of a client id, or `undefined`. */
  readonly findServicePrincipal: (appId: string) => Effect.Effect<ServicePrincipal | undefined, M365Error>
  /** Deletes a service principal (object id). Absent → success. */
  readonly deleteServicePrincipal: (id: string) => Effect.Effect<void, M365Error>
}

/** Options of {@link makeApplications}. */
export interface ApplicationsOptions {
  /** Signs the Graph requests (`https://graph.microsoft.com/.default`). */
  readonly credential: TokenCredential
  /** Every request goes through it. Default: the global fetch. */
  readonly fetch?: Fetch | undefined
  /** How long to wait for replication. Default 2 minutes. */
  readonly replicationBudget?: Duration.Input | undefined
  /** The waits while replicating. Default: from 1 s, doubling, capped at 16 s (2 s for a new secret). */
  readonly replicationBackoff?:
    | { readonly baseDelay?: Duration.Input | undefined; readonly maxDelay?: Duration.Input | undefined }
    | undefined
  /** Per request. Default 60 s. */
  readonly timeout?: Duration.Input | undefined
}

const NOT_FOUND_REMEDY =
  "Check the object id or client id (appId) and the tenant; the signing-in application sees only the applications its permission covers."
const READ_BACK_REMEDY =
  "Graph accepted the application but did not return it yet; run again in a few minutes."
const UPDATE_REMEDY =
  "Graph still did not know the application; if it was not just created, check its object id."

const applicationOperations = (graph: Graph) => {
  const { api } = graph

  const byId = (id: string) =>
    graph.send(
      (init) =>
        api.GET("/applications/{application-id}", { params: { path: { "application-id": id } }, ...init }),
      { validate: applicationBody },
    )
  const byAppId = (appId: string) =>
    graph.send(
      (init) => api.GET("/applications(appId='{appId}')", { params: { path: { appId } }, ...init }),
      { validate: applicationBody },
    )
  const byUniqueName = (uniqueName: string) =>
    graph.send(
      (init) =>
        api.GET("/applications(uniqueName='{uniqueName}')", {
          params: { path: { uniqueName: odataString(uniqueName) } },
          ...init,
        }),
      { validate: applicationBody },
    )

  /** Waits out 404s only for what this client just created. */
  const recentAware = <A>(key: string, operation: string, effect: Effect.Effect<A, M365Error>) =>
    Effect.flatMap(graph.recent.isRecent(key), (recent) =>
      recent
        ? effect.pipe(
            waitForReplication({
              operation,
              target: key,
              policy: graph.policy,
              isLag: isNotFound,
              remedy: READ_BACK_REMEDY,
            }),
          )
        : effect,
    )

  const findByUniqueName = (uniqueName: string) =>
    recentAware(uniqueName, "findByUniqueName", byUniqueName(uniqueName)).pipe(
      Effect.map(({ data }) => data as Application | undefined),
      Effect.catchTag("NotFound", () => Effect.succeed(undefined)),
      Effect.mapError(privileges),
    )

  const findByDisplayName = (displayName: string) =>
    paginate({
      fetchPage: (next) =>
        graph.send(
          (init) =>
            api.GET("/applications", {
              params: {
                query: { $filter: `displayName eq '${odataString(displayName)}'`, $top: GRAPH_MAX_PAGE_SIZE },
              },
              ...(next === undefined ? {} : { querySerializer: () => next.search.slice(1) }),
              ...init,
            }),
          { validate: applicationListBody },
        ),
      nextLink: nextFromODataNextLink,
    }).pipe(
      Stream.flatMap((page) => Stream.fromIterable((page.data?.value ?? []) as ReadonlyArray<Application>)),
      Stream.runCollect,
      Effect.mapError(privileges),
    )

  const get = (idOrAppId: string) =>
    recentAware(
      idOrAppId,
      "get",
      byId(idOrAppId).pipe(Effect.catchTag("NotFound", () => byAppId(idOrAppId))),
    ).pipe(
      Effect.map(({ data }) => data as Application),
      Effect.catchTag("NotFound", (e) =>
        Effect.fail(
          new ApplicationNotFound({ ...errorFields(e), application: idOrAppId, remedy: NOT_FOUND_REMEDY }),
        ),
      ),
      Effect.mapError(privileges),
    )

  const upsert = (uniqueName: string, input: ApplicationInput) =>
    Effect.gen(function* () {
      const body = {
        displayName: input.displayName,
        signInAudience: input.signInAudience ?? SIGN_IN_AUDIENCE_SINGLE_TENANT,
        web: { redirectUris: [...input.web.redirectUris] },
        ...(input.tags === undefined ? {} : { tags: [...input.tags] }),
        ...(input.notes === undefined ? {} : { notes: input.notes }),
      }
      // Idempotent by its key: repeating it after a lost answer is safe.
      const { data, response } = yield* graph.send(
        (init) =>
          api.PATCH("/applications(uniqueName='{uniqueName}')", {
            params: {
              path: { uniqueName: odataString(uniqueName) },
              header: { Prefer: PREFER_CREATE_IF_MISSING },
            },
            body,
            ...init,
          }),
        { idempotent: true, validate: optionalApplicationBody },
      )
      // Trust the write (Microsoft's advice): a 201 carries the new application.
      if (response.status === 201 && data !== undefined) {
        const application = data as Application
        yield* graph.recent.remember(application.id, application.appId, uniqueName)
        return { application, created: true }
      }
      const application = yield* byUniqueName(uniqueName).pipe(
        waitForReplication({
          operation: "upsert",
          target: uniqueName,
          policy: graph.policy,
          isLag: isNotFound,
          remedy: READ_BACK_REMEDY,
        }),
        Effect.map((read) => read.data as Application),
      )
      return { application, created: false }
    }).pipe(Effect.mapError(privileges))

  const update = (id: string, patch: ApplicationPatch) =>
    graph
      .send(
        (init) =>
          api.PATCH("/applications/{application-id}", {
            params: { path: { "application-id": id } },
            body: patch,
            ...init,
          }),
        { idempotent: true },
      )
      .pipe(
        Effect.asVoid,
        waitForReplication({
          operation: "update",
          target: id,
          policy: graph.policy,
          isLag: isNotFound,
          remedy: UPDATE_REMEDY,
        }),
        Effect.mapError(privileges),
      )

  const remove = (id: string) =>
    graph
      .send((init) =>
        api.DELETE("/applications/{application-id}", { params: { path: { "application-id": id } }, ...init }),
      )
      .pipe(
        Effect.asVoid,
        Effect.catchTag("NotFound", (e) =>
          Effect.flatMap(graph.recent.isRecent(id), (recent) => (recent ? Effect.fail(e) : Effect.void)),
        ),
        waitForReplication({
          operation: "delete",
          target: id,
          policy: graph.policy,
          isLag: isNotFound,
          remedy: UPDATE_REMEDY,
        }),
        Effect.mapError(privileges),
      )

  return { findByUniqueName, findByDisplayName, get, upsert, update, delete: remove }
}

/**
 * The Graph client for Entra app registrations.
 *
 * @example
 * ```ts
 * const apps = makeApplications({ credential })
 * const { application } = yield* apps.upsert("sn365-contoso-outbound", {
 *   displayName: "ServiceNow M365 support – outbound",
 *   web: { redirectUris: ["https://contoso.service-now.com/oauth_redirect.do"] },
 * })
 * yield* apps.ensureServicePrincipal(application.appId)
 * const secret = yield* apps.addPassword(application.id, { displayName: "sn365", endDateTime: "2027-01-01T00:00:00Z" })
 * yield* apps.confirmSecret({ tenant, appId: application.appId, secret: secret.secretText })
 * ```
 */
export const makeApplications = (options: ApplicationsOptions): Applications => {
  const budgetMs =
    options.replicationBudget === undefined
      ? REPLICATION_BUDGET_MS
      : Duration.toMillis(Duration.fromInputUnsafe(options.replicationBudget))
  const policy: ReplicationPolicy = {
    budget: Duration.millis(budgetMs),
    ...(options.replicationBackoff?.baseDelay === undefined
      ? {}
      : { baseDelay: options.replicationBackoff.baseDelay }),
    ...(options.replicationBackoff?.maxDelay === undefined
      ? {}
      : { maxDelay: options.replicationBackoff.maxDelay }),
  }
  const graph = makeGraph({
    credential: options.credential,
    fetch: options.fetch,
    timeout: options.timeout,
    policy,
    budgetMs,
  })
  return {
    scopes: [GRAPH_DEFAULT_SCOPE],
    ...applicationOperations(graph),
    ...secretOperations(graph),
    ...servicePrincipalOperations(graph),
  }
}

/**
 * The applications client as an Effect service.
 *
 * @example
 * ```ts
 * const apps = yield* M365Applications
 * ```
 */
export class M365Applications extends Context.Service<M365Applications, Applications>()(
  "@sn365/m365/Applications",
) {
  /** A layer with {@link makeApplications}. */
  static readonly layer = (options: ApplicationsOptions): Layer.Layer<M365Applications> =>
    Layer.succeed(M365Applications, makeApplications(options))
}
