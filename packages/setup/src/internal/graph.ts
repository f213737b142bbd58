/**
 * Runs a dependency graph of steps with as much concurrency as the dependencies allow.
 *
 * Failure policy: once a step fails, no new step starts (its dependents and every step not yet
 * started are skipped); steps already running finish, so nothing is interrupted half-way through
 * a write. Every step is idempotent, so a later run converges from wherever this one stopped.
 *
 * @module
 */
import { Cause, Deferred, Effect, Exit } from "effect"

/** A node of the graph. */
export interface GraphNode<Id extends string> {
  readonly id: Id
  readonly dependsOn: ReadonlyArray<Id>
}

/** What happened to one node. */
export type NodeOutcome<E> =
  | { readonly status: "succeeded" }
  | { readonly status: "failed"; readonly error: E | unknown }
  | { readonly status: "skipped"; readonly reason: string }

/** Throws when a dependency is unknown or the graph has a cycle: both are programming errors. */
export const assertAcyclic = <Id extends string>(nodes: ReadonlyArray<GraphNode<Id>>): void => {
  const byId = new Map(nodes.map((node) => [node.id, node]))
  const state = new Map<Id, "visiting" | "done">()
  const visit = (id: Id, path: ReadonlyArray<Id>) => {
    const node = byId.get(id)
    if (node === undefined) throw new Error(`Step '${path.at(-1)}' depends on unknown step '${id}'`)
    if (state.get(id) === "done") return
    if (state.get(id) === "visiting") throw new Error(`Dependency cycle: ${[...path, id].join(" → ")}`)
    state.set(id, "visiting")
    for (const dep of node.dependsOn) visit(dep, [...path, id])
    state.set(id, "done")
  }
  for (const node of nodes) visit(node.id, [])
}

/**
 * Runs `run` for every node once all its dependencies succeeded. Returns every node's outcome;
 * never fails (failures are outcomes).
 */
export const runGraph = <Id extends string, N extends GraphNode<Id>, E, R>(
  nodes: ReadonlyArray<N>,
  run: (node: N) => Effect.Effect<void, E, R>,
): Effect.Effect<ReadonlyMap<Id, NodeOutcome<E>>, never, R> =>
  Effect.gen(function* () {
    assertAcyclic(nodes)
    const finished = new Map<Id, Deferred.Deferred<boolean>>()
    for (const node of nodes) finished.set(node.id, yield* Deferred.make<boolean>())
    const outcomes = new Map<Id, NodeOutcome<E>>()
    let firstFailure: Id | undefined

    const settle = (node: N, outcome: NodeOutcome<E>) => {
      outcomes.set(node.id, outcome)
      return Deferred.succeed(
        finished.get(node.id) as Deferred.Deferred<boolean>,
        outcome.status === "succeeded",
      )
    }

    yield* Effect.forEach(
      nodes,
      (node) =>
        Effect.gen(function* () {
          const results = yield* Effect.forEach(node.dependsOn, (dep) =>
            Deferred.await(finished.get(dep) as Deferred.Deferred<boolean>),
          )
          const failedDep = node.dependsOn.find((_, i) => results[i] === false)
          if (failedDep !== undefined) {
            return yield* settle(node, {
              status: "skipped",
              reason: `depends on '${failedDep}', which did not complete`,
            })
          }
          if (firstFailure !== undefined) {
            return yield* settle(node, {
              status: "skipped",
              reason: `not started because '${firstFailure}' failed`,
            })
          }
          const exit = yield* Effect.exit(run(node))
          if (Exit.isSuccess(exit)) return yield* settle(node, { status: "succeeded" })
          firstFailure ??= node.id
          return yield* settle(node, { status: "failed", error: Cause.squash(exit.cause) })
        }),
      { concurrency: "unbounded", discard: true },
    )
    return outcomes
  })
