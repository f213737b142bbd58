/**
 * Teardown crash-resume: every write of a clean teardown is a crash point, broken the three ways
 * apply's are (the process dies just before sending it; the server commits it and the connection
 * drops; the process dies right after the commit). Then a clean teardown must converge to the
 * seeded state — same normalisation as `e2e/teardown.test.ts` — with nothing left behind, nothing
 * that was there before sn365 touched, and the secrets of what it removed forgotten; a second
 * teardown finds nothing; and, because someone may change their mind half-way through, an apply
 * after the broken teardown converges too.
 *
 * Start states: a set-up integration, and integrations left half-way by a crashed apply. The crash
 * points are read from each state's clean teardown, so a new step's writes are covered without
 * touching this file. Besides, a clean teardown must converge from every state a crashed apply can
 * leave (apply's every write, the process dying right after its commit).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, type Scope } from "effect"
import { apply } from "../../src/Setup.ts"
import {
  breakAt,
  type CrashPoint,
  crashPointsOf,
  describeCrashResume,
  inScope,
  type Run,
} from "./support/crash.ts"
import { reportFigures, stats } from "./support/stats.ts"
import { assertTornDown, type Baseline, baselineOf, teardownIn, tornDown } from "./support/teardown.ts"
import { assertConverged, converge, makeWorld, runOptions, type World } from "./support/world.ts"

reportFigures()

interface Started {
  readonly world: World
  readonly baseline: Baseline
}

/** Apply in `world` through `fetch`, keeping its secrets where a secrets file would. */
const applyIn =
  (world: World, baseline: Baseline): Run =>
  (fetch) =>
    apply(world.config, runOptions(world, { fetch, secrets: baseline.store }).options)

const fresh = Effect.gen(function* () {
  const world = yield* makeWorld()
  return { world, baseline: baselineOf(world) } satisfies Started
})

/** An apply that stopped for good at `point`: the process died right after the server committed it. */
const crashedApply = (point: CrashPoint) =>
  Effect.gen(function* () {
    const started = yield* fresh
    yield* breakAt(started.world, point, "crash-after-commit", applyIn(started.world, started.baseline))
    return started
  })

interface StartState {
  readonly name: string
  readonly prepare: () => Effect.Effect<Started, unknown, Scope.Scope>
}

const states: ReadonlyArray<StartState> = [
  {
    name: "a set-up integration",
    prepare: () =>
      Effect.gen(function* () {
        const started = yield* fresh
        yield* applyIn(started.world, started.baseline)(started.world.fetch)
        return started
      }),
  },
  {
    name: "an apply that died right after the repository was saved (delivery mark still set, wizard not complete)",
    prepare: () =>
      crashedApply({
        signature: "POST admin.microsoft.com/modeled/supportIntegration/v1/repositories",
        ordinal: 1,
      }),
  },
  {
    name: "an apply that died right after the Entra secret was added (a secret no provider holds)",
    prepare: () =>
      crashedApply({ signature: "POST graph.microsoft.com/v1.0/applications/{id}/addPassword", ordinal: 1 }),
  },
]

const pointsByState = await Promise.all(
  states.map(async (state) => ({
    state,
    points: await inScope(
      Effect.gen(function* () {
        const { world, baseline } = yield* state.prepare()
        return yield* crashPointsOf(world, teardownIn(world, baseline))
      }),
    ),
  })),
)

/** Apply's writes from nothing: each one, committed just before the process died, is a start state. */
const applyPoints = await inScope(
  Effect.gen(function* () {
    const { world, baseline } = yield* fresh
    return yield* crashPointsOf(world, applyIn(world, baseline))
  }),
)

describeCrashResume("teardown crash-resume at every write", pointsByState, (state, point, mode) =>
  Effect.gen(function* () {
    stats.add("teardownCrashPoints")
    const { world, baseline } = yield* state.prepare()
    yield* breakAt(world, point, mode, teardownIn(world, baseline))
    assertTornDown(yield* tornDown(world, baseline))
  }),
)

describe("apply after a broken teardown", () => {
  const [{ state, points }] = pointsByState as [(typeof pointsByState)[number]]
  for (const point of points)
    it.live(`from ${state.name}, crash-after-commit at ${point.signature} #${point.ordinal}`, () =>
      Effect.gen(function* () {
        const { world, baseline } = yield* state.prepare()
        yield* breakAt(world, point, "crash-after-commit", teardownIn(world, baseline))
        assertConverged(yield* converge(world))
      }),
    )
})

describe(`teardown from every state a crashed apply leaves (${applyPoints.length} writes)`, () => {
  it("has crash points", () => {
    assert.isAbove(applyPoints.length, 0)
  })
  for (const point of applyPoints)
    it.live(`apply died right after ${point.signature} #${point.ordinal}`, () =>
      Effect.gen(function* () {
        const { world, baseline } = yield* crashedApply(point)
        assertTornDown(yield* tornDown(world, baseline))
      }),
    )
})
