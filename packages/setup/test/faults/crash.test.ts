/**
 * Crash-resume: every write of a clean run is a crash point. For each, the run is broken there in
 * three ways — the process dies just before sending it (a step boundary, or between two writes of
 * a step); the server commits it and the connection drops before the answer (`reset-after-commit`;
 * the client lives on and does what it does); and the process dies right after that commit
 * (nothing more is sent, the in-memory secret store is lost) — then a clean run must converge with
 * no duplicate, no orphan and credentials that work together.
 *
 * The crash points are not a hand-written list: they are read from the emulator's request log of a
 * clean run from each start state, so a new step's writes are covered without touching this file.
 */
import { assert, describe, it } from "@effect/vitest"
import type { Fetch } from "@sn365/core"
import { Cause, Effect, Exit, type Scope } from "effect"
import { decodeConfig } from "../../src/Config.ts"
import { namesOf } from "../../src/Names.ts"
import { apply } from "../../src/Setup.ts"
import { configInput } from "../support/emulator.ts"
import { reportFigures, stats } from "./support/stats.ts"
import { converge, INSTANCE, makeWorld, runOptions, type World } from "./support/world.ts"

reportFigures()

/** A write as a crash point: its method, its path with ids abstracted, and which one of those it is. */
interface CrashPoint {
  readonly signature: string
  readonly ordinal: number
}

const ID = /[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi

const isWrite = (request: Request) => {
  const url = new URL(request.url)
  return (
    request.method !== "GET" &&
    request.method !== "HEAD" &&
    url.hostname !== "login.microsoftonline.com" &&
    url.pathname !== "/oauth_token.do"
  )
}

const signatureOf = (request: Request) => {
  const url = new URL(request.url)
  return `${request.method} ${url.hostname}${url.pathname.replace(ID, "{id}")}`
}

/** Counts writes by signature as they go out; `onWrite` sees each with its ordinal. */
const writeCounter = (
  next: Fetch,
  onWrite: (request: Request, point: CrashPoint) => Promise<Response> | undefined,
) => {
  const seen = new Map<string, number>()
  const fetch: Fetch = (request) => {
    if (!isWrite(request)) return next(request)
    const signature = signatureOf(request)
    const ordinal = (seen.get(signature) ?? 0) + 1
    seen.set(signature, ordinal)
    return onWrite(request, { signature, ordinal }) ?? next(request)
  }
  return fetch
}

/** Where a run starts from. */
interface StartState {
  readonly name: string
  /** Builds the world the crashing run starts in (converging earlier runs if needed). */
  readonly prepare: () => Effect.Effect<World, unknown, Scope.Scope>
}

const reconfigured = (world: World, integration: Record<string, unknown>) =>
  Effect.map(
    decodeConfig(
      configInput(world.emulator, {
        integration: { ...(world.config.integration as object), ...integration },
      }),
    ),
    (config): World => ({ ...world, config, names: namesOf(config) }),
  )

const converged = Effect.gen(function* () {
  const world = yield* makeWorld()
  const { options } = runOptions(world)
  yield* apply(world.config, options)
  return world
})

const states: ReadonlyArray<StartState> = [
  { name: "nothing set up", prepare: () => makeWorld() },
  {
    name: "a set-up integration whose settings changed and whose ServiceNow secret is unknown (every secret rotates)",
    prepare: () =>
      Effect.gen(function* () {
        const world = yield* converged
        const provider = world.emulator.servicenow.find(
          INSTANCE,
          "oauth_entity",
          `name=${world.names.outboundProviderName}`,
        )[0]
        // Someone edited the provider: sn365 no longer knows which Entra secret ServiceNow holds.
        world.emulator.servicenow.update(INSTANCE, "oauth_entity", String(provider?.sys_id), {
          comments: world.names.marker,
        })
        return yield* reconfigured(world, { refreshTokenExpiry: 432_000 })
      }),
  },
  {
    name: "a set-up integration whose integration user was deleted",
    prepare: () =>
      Effect.gen(function* () {
        const world = yield* converged
        const user = world.emulator.servicenow.find(
          INSTANCE,
          "sys_user",
          `user_name=${world.names.integrationUser}`,
        )[0]
        yield* Effect.promise(() =>
          world.emulator.fetch(
            new Request(`https://${INSTANCE}.service-now.com/api/now/table/sys_user/${user?.sys_id}`, {
              method: "DELETE",
              headers: { authorization: `Basic ${Buffer.from("admin:admin").toString("base64")}` },
            }),
          ),
        )
        return world
      }),
  },
]

/** The writes of a clean run from `state`, in the order they were sent. */
const crashPointsOf = (state: StartState) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const world = yield* state.prepare()
        const points: Array<CrashPoint> = []
        const { options } = runOptions(world, {
          fetch: writeCounter(world.fetch, (_request, point) => {
            points.push(point)
            return undefined
          }),
        })
        yield* apply(world.config, options)
        return points
      }),
    ),
  )

const pointsByState = await Promise.all(
  states.map(async (state) => ({ state, points: await crashPointsOf(state) })),
)

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

type Mode = "crash-before" | "reset-after-commit" | "crash-after-commit"

/**
 * Runs apply and breaks it at `target`: in `crash-before` mode the process "dies" before sending it;
 * otherwise the emulator commits that write and drops the connection, and in `crash-after-commit`
 * mode the process dies there too. A dead process sends nothing more and its run is interrupted.
 */
const breakAt = (world: World, target: CrashPoint, mode: Mode) =>
  Effect.gen(function* () {
    let hit = false
    let crashed = false
    let onCrash: () => void = () => {}
    const crash = new Promise<void>((resolve) => {
      onCrash = resolve
    })
    const fetch = writeCounter(world.fetch, (request, point) => {
      if (crashed) return Promise.reject(new TypeError("fetch failed: the process is gone"))
      if (hit || point.signature !== target.signature || point.ordinal !== target.ordinal) return undefined
      hit = true
      if (mode === "crash-before") {
        crashed = true
        onCrash()
        return Promise.reject(new TypeError("fetch failed: the process is gone"))
      }
      world.emulator.faults.add({
        kind: "reset-after-commit",
        method: request.method,
        path: new RegExp(`^${escapeRegExp(new URL(request.url).pathname)}$`),
        times: 1,
      })
      if (mode === "reset-after-commit") return undefined
      return world.fetch(request).finally(() => {
        crashed = true
        onCrash()
      })
    })
    const guarded: Fetch = (request) =>
      crashed ? Promise.reject(new TypeError("fetch failed: the process is gone")) : fetch(request)
    const { options } = runOptions(world, { fetch: guarded })
    const exit = yield* Effect.exit(
      Effect.raceFirst(
        apply(world.config, options),
        Effect.promise(() => crash),
      ),
    )
    assert.isTrue(hit, `the clean run wrote ${target.signature} #${target.ordinal}, this one never did`)
    if (mode === "reset-after-commit" && Exit.isFailure(exit))
      assert.isFalse(Cause.hasDies(exit.cause), `a defect, not a typed error:\n${Cause.pretty(exit.cause)}`)
    world.emulator.faults.clear()
  })

describe("crash-resume at every write", () => {
  for (const { state, points } of pointsByState)
    describe(`from ${state.name} (${points.length} writes)`, () => {
      it("has crash points", () => {
        assert.isAbove(points.length, 0)
      })
      for (const point of points)
        for (const mode of ["crash-before", "reset-after-commit", "crash-after-commit"] as const)
          it.live(`${mode} at ${point.signature} #${point.ordinal}`, () =>
            Effect.gen(function* () {
              stats.add("crashPoints")
              const world = yield* state.prepare()
              yield* breakAt(world, point, mode)
              const final = yield* converge(world)
              assert.deepStrictEqual(final.duplicates, [], "duplicates")
              assert.deepStrictEqual(final.orphans, [], "orphans")
              assert.deepStrictEqual(final.problems, [], "not converged")
              assert.deepStrictEqual(final.notKept, [], "a plan after the converging run still changes")
              assert.deepStrictEqual(final.failedChecks, [], "verify")
            }),
          )
    })
})
