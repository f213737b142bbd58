/**
 * Service principals of the applications sn365 registers. A Graph-created application has none,
 * and app-only tokens fail without one (AADSTS7000229), so the setup ensures it right after the
 * application — waiting out the `NoBackingApplicationObject` race (entra-graph-msal.md §1.6).
 *
 * @module
 */
import { Effect } from "effect"
import type { M365Error, ReplicationLag } from "./Errors.ts"
import type { MicrosoftGraphServicePrincipal } from "./generated/graph.ts"
import { type Graph, isMissingBackingApplication, isNotFound, privileges } from "./internal/graph.ts"
import { servicePrincipalBody } from "./internal/shape.ts"
import { waitForReplication } from "./Replication.ts"

/** A service principal as Graph returns it; `id` (object id) and `appId` are always present. */
export type ServicePrincipal = MicrosoftGraphServicePrincipal & {
  readonly id: string
  readonly appId: string
}

/** Options of `ensureServicePrincipal`. */
export interface EnsureServicePrincipalOptions {
  /**
   * The caller has just looked and found none: create it at once, one request fewer. One that
   * exists after all (409) is read back, so the result is the same either way.
   */
  readonly knownAbsent?: boolean | undefined
}

const ENSURE_REMEDY =
  "The application was still unknown to Graph when its service principal was created; if it was not just created, check the client id (appId)."
const READ_REMEDY = "The service principal was still unknown to Graph; run again in a few minutes."

/** @internal */
export const servicePrincipalOperations = (graph: Graph) => {
  const { api } = graph

  const read = (appId: string) =>
    graph
      .send(
        (init) => api.GET("/servicePrincipals(appId='{appId}')", { params: { path: { appId } }, ...init }),
        { validate: servicePrincipalBody },
      )
      .pipe(Effect.map(({ data }) => data as ServicePrincipal))

  const findServicePrincipal = (appId: string): Effect.Effect<ServicePrincipal | undefined, M365Error> =>
    read(appId).pipe(
      Effect.catchTag("NotFound", () => Effect.succeed(undefined)),
      Effect.mapError(privileges),
    )

  const create = (appId: string) =>
    graph
      .send((init) => api.POST("/servicePrincipals", { body: { appId }, ...init }), {
        idempotent: true,
        validate: servicePrincipalBody,
      })
      .pipe(
        Effect.map(({ data }) => ({ servicePrincipal: data as ServicePrincipal, created: true })),
        waitForReplication({
          operation: "ensureServicePrincipal",
          target: appId,
          policy: graph.policy,
          isLag: isMissingBackingApplication,
          remedy: ENSURE_REMEDY,
        }),
      )

  // 409: it exists after all (created concurrently, or a replica had not seen it yet).
  const readBack = (appId: string) =>
    read(appId).pipe(
      Effect.map((servicePrincipal) => ({ servicePrincipal, created: false })),
      waitForReplication({
        operation: "findServicePrincipal",
        target: appId,
        policy: graph.policy,
        isLag: isNotFound,
        remedy: READ_REMEDY,
      }),
    )

  const ensureServicePrincipal = (
    appId: string,
    options: EnsureServicePrincipalOptions = {},
  ): Effect.Effect<{ servicePrincipal: ServicePrincipal; created: boolean }, M365Error | ReplicationLag> =>
    Effect.gen(function* () {
      if (options.knownAbsent !== true) {
        const existing = yield* findServicePrincipal(appId)
        if (existing !== undefined) return { servicePrincipal: existing, created: false }
      }
      const result = yield* create(appId).pipe(Effect.catchTag("Conflict", () => readBack(appId)))
      yield* graph.recent.remember(result.servicePrincipal.id, result.servicePrincipal.appId)
      return result
    }).pipe(Effect.mapError(privileges))

  const deleteServicePrincipal = (id: string): Effect.Effect<void, M365Error | ReplicationLag> =>
    graph
      .send((init) =>
        api.DELETE("/servicePrincipals/{servicePrincipal-id}", {
          params: { path: { "servicePrincipal-id": id } },
          ...init,
        }),
      )
      .pipe(
        Effect.asVoid,
        Effect.catchTag("NotFound", (e) =>
          Effect.flatMap(graph.recent.isRecent(id), (recent) => (recent ? Effect.fail(e) : Effect.void)),
        ),
        waitForReplication({
          operation: "deleteServicePrincipal",
          target: id,
          policy: graph.policy,
          isLag: isNotFound,
          remedy: READ_REMEDY,
        }),
        Effect.mapError(privileges),
      )

  return { findServicePrincipal, ensureServicePrincipal, deleteServicePrincipal }
}
