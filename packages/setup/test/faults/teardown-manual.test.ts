/**
 * Teardown with `microsoft365.mode: manual`: sn365 cannot read the admin-center form, so an
 * administrator (`support/administrator.ts`, who really does what is asked) empties Basic
 * information and deletes the repository when asked. Crash points are every write of a clean
 * teardown and every hand-off of it; a hand-off is broken by the process dying before asking, by
 * the administrator declining, and by the administrator doing it while the process dies before
 * hearing so. Then a clean teardown must converge to the seeded state, and its hand-offs ask only
 * for what is still there — except the one whose outcome the dead process never heard, which it
 * cannot know. An apply after the broken teardown converges too, and a teardown converges from
 * every state a crashed manual apply leaves.
 */
import { assert, describe, it } from "@effect/vitest"
import type { Fetch } from "@sn365/core"
import type { ManualHandoff, ManualHandoffRequest } from "@sn365/m365"
import { Effect, type Scope } from "effect"
import { apply, teardown } from "../../src/Setup.ts"
import { type Administrator, administrator } from "./support/administrator.ts"
import {
  breakAt,
  type CrashPoint,
  crashPointsOf,
  inScope,
  isWrite,
  MODES,
  type Mode,
  makeProcess,
  type Run,
} from "./support/crash.ts"
import { reportFigures, stats } from "./support/stats.ts"
import { assertTornDown, type Baseline, baselineOf, tornDown } from "./support/teardown.ts"
import { assertConverged, converge, makeWorld, runOptions, type World } from "./support/world.ts"

reportFigures()

interface Started {
  readonly world: World
  readonly baseline: Baseline
  readonly admin: Administrator
}

const MANUAL = (world: World) => ({
  microsoft365: { mode: "manual" },
  integration: { m365AdminEmail: world.emulator.microsoft.defaults.adminUser },
})

const fresh = Effect.gen(function* () {
  const world = yield* makeWorld({}, (emulator) => MANUAL({ emulator } as World))
  return { world, baseline: baselineOf(world), admin: yield* administrator(world) } satisfies Started
})

const applyIn =
  ({ world, baseline }: Started, handoff: ManualHandoff): Run =>
  (fetch) =>
    apply(world.config, runOptions(world, { fetch, secrets: baseline.store, manualHandoff: handoff }).options)

const teardownIn =
  ({ world, baseline }: Started, handoff: ManualHandoff): Run =>
  (fetch) =>
    teardown(
      world.config,
      runOptions(world, { fetch, secrets: baseline.store, manualHandoff: handoff }).options,
    )

const setUp = Effect.gen(function* () {
  const started = yield* fresh
  yield* applyIn(started, started.admin.handoff)(started.world.fetch)
  return started
})

/** A hand-off as a crash point: its step and which one of those it is. */
interface HandoffPoint {
  readonly step: string
  readonly ordinal: number
}

type HandoffMode = "crash-before" | "declined" | "done-then-crash"
const HANDOFF_MODES: ReadonlyArray<HandoffMode> = ["crash-before", "declined", "done-then-crash"]

/**
 * What a broken run heard last. When that is an administrator's confirmation, the process may have
 * died before it could record it (the record is the next write), so the next run cannot know that
 * hand-off was done and may ask again; any completed write afterwards means it was recorded.
 */
interface Witness {
  readonly confirmed: (point: HandoffPoint) => void
  /** Wraps a fetch: each write that completes is seen. */
  readonly watch: (fetch: Fetch) => Fetch
  /** The hand-off the run may not have recorded, if any. */
  readonly unrecorded: () => HandoffPoint | undefined
}

const makeWitness = (): Witness => {
  let last: HandoffPoint | undefined
  return {
    confirmed: (point) => {
      last = point
    },
    watch: (fetch) => (request) => {
      const write = isWrite(request)
      return fetch(request).then((response) => {
        if (write && response.ok) last = undefined
        return response
      })
    },
    unrecorded: () => last,
  }
}

/** Counts hand-offs by step; `onHandoff` may answer one instead of the administrator. */
const handoffCounter = (
  admin: Administrator,
  onHandoff: (request: ManualHandoffRequest, point: HandoffPoint) => Promise<boolean> | undefined,
  witness?: Witness,
): ManualHandoff => {
  const seen = new Map<string, number>()
  return (request) => {
    const ordinal = (seen.get(request.step) ?? 0) + 1
    seen.set(request.step, ordinal)
    const point = { step: request.step, ordinal }
    return (
      onHandoff(request, point) ??
      admin.handoff(request).then((confirmed) => {
        witness?.confirmed(point)
        return confirmed
      })
    )
  }
}

const never = () => new Promise<boolean>(() => {})

/**
 * Runs `run` (given a hand-off) and breaks it at the hand-off `target` in `mode`. Returns the
 * hand-off the run may not have recorded, if any.
 */
const breakAtHandoff = (
  started: Started,
  target: HandoffPoint,
  mode: HandoffMode,
  run: (started: Started, handoff: ManualHandoff) => Run,
) =>
  Effect.gen(function* () {
    const process = makeProcess()
    const witness = makeWitness()
    let hit = false
    const handoff = handoffCounter(
      started.admin,
      (request, point) => {
        if (process.dead()) return never()
        if (hit || point.step !== target.step || point.ordinal !== target.ordinal) return undefined
        hit = true
        if (mode === "declined") return Promise.resolve(false)
        if (mode === "crash-before") {
          process.die()
          return never()
        }
        return started.admin.perform(request).then(() => {
          witness.confirmed(point)
          process.die()
          return never()
        })
      },
      witness,
    )
    yield* process.run(run(started, handoff)(witness.watch(process.guard(started.world.fetch))))
    assert.isTrue(hit, `the clean run asked for ${target.step} #${target.ordinal}, this one never did`)
    return witness.unrecorded()
  })

/** Breaks a teardown at the write `point` in `mode`; returns the hand-off it may not have recorded. */
const breakTeardownAt = (started: Started, point: CrashPoint, mode: Mode) =>
  Effect.gen(function* () {
    const witness = makeWitness()
    const handoff = handoffCounter(started.admin, () => undefined, witness)
    yield* breakAt(started.world, point, mode, (fetch) => teardownIn(started, handoff)(witness.watch(fetch)))
    return witness.unrecorded()
  })

/** The writes and hand-offs of a clean run of `run` from `prepare`. */
const pointsOf = (
  prepare: Effect.Effect<Started, unknown, Scope.Scope>,
  run: (started: Started, handoff: ManualHandoff) => Run,
) =>
  inScope(
    Effect.gen(function* () {
      const started = yield* prepare
      const handoffs: Array<HandoffPoint> = []
      const writes = yield* crashPointsOf(
        started.world,
        run(
          started,
          handoffCounter(started.admin, (_request, point) => {
            handoffs.push(point)
            return undefined
          }),
        ),
      )
      return { writes, handoffs }
    }),
  )

const teardownPoints = await pointsOf(setUp, teardownIn)
const applyPoints = await pointsOf(fresh, applyIn)

/**
 * A clean teardown converges, and asks the administrator only to remove what is still there
 * (`unknowable`: the one hand-off the broken run never heard of, or heard of but died before
 * recording, may be asked again).
 */
const convergesAskingOnlyWhatRemains = (started: Started, unknowable: HandoffPoint | undefined) =>
  Effect.gen(function* () {
    started.admin.asked.length = 0
    assertTornDown(yield* tornDown(started.world, started.baseline, { manualHandoff: started.admin.handoff }))
    const needless = started.admin.asked.filter((a) => a.removal && !a.present)
    const allowed = unknowable === undefined ? 0 : needless.filter((a) => a.step === unknowable.step).length
    assert.isAtMost(allowed, 1)
    assert.deepStrictEqual(
      needless.slice(allowed).map((a) => `${a.step}: ${a.title}`),
      [],
      "asked the administrator to remove what is already gone",
    )
  })

const appliesAgain = (started: Started) =>
  Effect.gen(function* () {
    assertConverged(yield* converge(started.world, { manualHandoff: started.admin.handoff }))
  })

describe(`manual-mode teardown crash-resume (${teardownPoints.writes.length} writes, ${teardownPoints.handoffs.length} hand-offs)`, () => {
  it("has crash points and hand-offs", () => {
    assert.isAbove(teardownPoints.writes.length, 0)
    assert.deepStrictEqual(
      teardownPoints.handoffs.map((h) => h.step),
      ["M2", "M1"],
    )
  })
  for (const point of teardownPoints.writes)
    for (const mode of MODES)
      it.live(`${mode} at ${point.signature} #${point.ordinal}`, () =>
        Effect.gen(function* () {
          stats.add("teardownCrashPoints")
          const started = yield* setUp
          yield* convergesAskingOnlyWhatRemains(started, yield* breakTeardownAt(started, point, mode))
        }),
      )
  for (const point of teardownPoints.handoffs)
    for (const mode of HANDOFF_MODES)
      it.live(`${mode} at hand-off ${point.step} #${point.ordinal}`, () =>
        Effect.gen(function* () {
          stats.add("teardownCrashPoints")
          const started = yield* setUp
          yield* convergesAskingOnlyWhatRemains(
            started,
            yield* breakAtHandoff(started, point, mode, teardownIn),
          )
        }),
      )
})

describe("manual mode: apply after a broken teardown", () => {
  for (const point of teardownPoints.writes)
    it.live(`crash-after-commit at ${point.signature} #${point.ordinal}`, () =>
      Effect.gen(function* () {
        const started = yield* setUp
        yield* breakAt(started.world, point, "crash-after-commit", teardownIn(started, started.admin.handoff))
        yield* appliesAgain(started)
      }),
    )
  for (const point of teardownPoints.handoffs)
    it.live(`done-then-crash at hand-off ${point.step} #${point.ordinal}`, () =>
      Effect.gen(function* () {
        const started = yield* setUp
        yield* breakAtHandoff(started, point, "done-then-crash", teardownIn)
        yield* appliesAgain(started)
      }),
    )
})

describe(`manual mode: teardown from every state a crashed apply leaves (${applyPoints.writes.length} writes, ${applyPoints.handoffs.length} hand-offs)`, () => {
  const crashed = (point: CrashPoint) =>
    Effect.gen(function* () {
      const started = yield* fresh
      yield* breakAt(started.world, point, "crash-after-commit", applyIn(started, started.admin.handoff))
      return started
    })
  it("has crash points", () => {
    assert.isAbove(applyPoints.writes.length, 0)
    assert.isAbove(applyPoints.handoffs.length, 0)
  })
  for (const point of applyPoints.writes)
    it.live(`apply died right after ${point.signature} #${point.ordinal}`, () =>
      Effect.gen(function* () {
        const started = yield* crashed(point)
        started.admin.asked.length = 0
        assertTornDown(
          yield* tornDown(started.world, started.baseline, { manualHandoff: started.admin.handoff }),
        )
      }),
    )
  for (const point of applyPoints.handoffs)
    it.live(`apply died as the administrator saved ${point.step} #${point.ordinal}`, () =>
      Effect.gen(function* () {
        const started = yield* fresh
        yield* breakAtHandoff(started, point, "done-then-crash", applyIn)
        assertTornDown(
          yield* tornDown(started.world, started.baseline, { manualHandoff: started.admin.handoff }),
        )
      }),
    )
})
