/**
 * Crash points and how a run is broken at one, shared by the crash-resume proofs of apply and
 * teardown. A crash point is a write of a clean run, read from that run's own requests, so a new
 * step's writes are covered without touching the tests.
 */
import { assert, describe, it } from "@effect/vitest"
import type { Fetch } from "@sn365/core"
import { Cause, Effect, Exit, type Scope } from "effect"
import { apply } from "../../../src/Setup.ts"
import { runOptions, type World } from "./world.ts"

/** A write as a crash point: its method, its path with ids abstracted, and which one of those it is. */
export interface CrashPoint {
  readonly signature: string
  readonly ordinal: number
}

/**
 * How a run is broken at a crash point: the process dies just before sending the write; the server
 * commits it and the connection drops before the answer (the client lives on and does what it
 * does); or the process dies right after that commit.
 */
export type Mode = "crash-before" | "reset-after-commit" | "crash-after-commit"

/** Every {@link Mode}, in the order the tests try them. */
export const MODES: ReadonlyArray<Mode> = ["crash-before", "reset-after-commit", "crash-after-commit"]

const ID = /[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi

/** Whether a request changes something (token requests do not). */
export const isWrite = (request: Request) => {
  const url = new URL(request.url)
  return (
    request.method !== "GET" &&
    request.method !== "HEAD" &&
    url.hostname !== "login.microsoftonline.com" &&
    url.pathname !== "/oauth_token.do"
  )
}

/** A request as `METHOD host/path`, ids abstracted: the same request in any run. */
export const signatureOf = (request: Request) => {
  const url = new URL(request.url)
  return `${request.method} ${url.hostname}${url.pathname.replace(ID, "{id}")}`
}

/** Counts writes by signature as they go out; `onWrite` sees each with its ordinal. */
export const writeCounter = (
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

/** A run of one operation through the given fetch. */
export type Run = (fetch: Fetch) => Effect.Effect<unknown, unknown>

/** The writes of a clean run, in the order they were sent. */
export const crashPointsOf = (world: World, run: Run) =>
  Effect.gen(function* () {
    const points: Array<CrashPoint> = []
    yield* run(
      writeCounter(world.fetch, (_request, point) => {
        points.push(point)
        return undefined
      }),
    )
    return points
  })

const gone = () => Promise.reject(new TypeError("fetch failed: the process is gone"))

/**
 * A process that can die: once dead it sends nothing more, and whatever runs in it with
 * {@link Process.run} is interrupted (its in-memory state, such as a memory secret store, is lost
 * with it). What it had already sent still reaches the server, which commits it in its own time;
 * {@link Process.run} returns once the server has answered all of it, so the next run starts
 * after those commits (a commit later than that is the race no client can close: see
 * docs/security.md, Known limits).
 */
export interface Process {
  readonly dead: () => boolean
  readonly die: () => void
  /** `next` until the process dies, then every request fails before it is sent. */
  readonly guard: (next: Fetch) => Fetch
  /** Runs `effect` until it ends or the process dies, then waits for what it had sent. */
  readonly run: <A, E>(effect: Effect.Effect<A, E>) => Effect.Effect<Exit.Exit<A | undefined, E>>
}

/** `sent`, or a rejection as soon as `signal` aborts (the request itself goes on to the server). */
const unlessAborted = (sent: Promise<Response>, signal: AbortSignal) =>
  new Promise<Response>((resolve, reject) => {
    const abort = () => reject(signal.reason ?? new DOMException("aborted", "AbortError"))
    if (signal.aborted) return abort()
    signal.addEventListener("abort", abort, { once: true })
    sent.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort))
  })

/** A live {@link Process}. */
export const makeProcess = (): Process => {
  let dead = false
  let onDeath: () => void = () => {}
  const death = new Promise<void>((resolve) => {
    onDeath = resolve
  })
  const inFlight = new Set<Promise<unknown>>()
  return {
    dead: () => dead,
    die: () => {
      dead = true
      onDeath()
    },
    guard: (next) => (request) => {
      if (dead) return gone()
      // The server sees the request whatever the client does with it afterwards.
      const sent = next(new Request(request, { signal: null }))
      const settled = sent.then(
        () => undefined,
        () => undefined,
      )
      inFlight.add(settled)
      void settled.then(() => inFlight.delete(settled))
      return unlessAborted(sent, request.signal)
    },
    run: (effect) =>
      Effect.exit(Effect.raceFirst(effect, Effect.promise(() => death).pipe(Effect.as(undefined)))).pipe(
        Effect.tap(() => Effect.promise(() => Promise.all([...inFlight]))),
      ),
  }
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/**
 * Runs `run` and breaks it at `target` in `mode`. Asserts the run reached the crash point and, when
 * the process lives on after a dropped connection, that it ended in a typed error (or success),
 * never a defect. Returns the run's exit.
 */
export const breakAt = (world: World, target: CrashPoint, mode: Mode, run: Run) =>
  Effect.gen(function* () {
    let hit = false
    const process = makeProcess()
    const fetch = writeCounter(world.fetch, (request, point) => {
      if (process.dead()) return gone()
      if (hit || point.signature !== target.signature || point.ordinal !== target.ordinal) return undefined
      hit = true
      if (mode === "crash-before") {
        process.die()
        return gone()
      }
      world.emulator.faults.add({
        kind: "reset-after-commit",
        method: request.method,
        path: new RegExp(`^${escapeRegExp(new URL(request.url).pathname)}$`),
        times: 1,
      })
      if (mode === "reset-after-commit") return undefined
      return world.fetch(request).finally(process.die)
    })
    const exit = yield* process.run(run(process.guard(fetch)))
    assert.isTrue(hit, `the clean run wrote ${target.signature} #${target.ordinal}, this one never did`)
    if (mode === "reset-after-commit" && Exit.isFailure(exit))
      assert.isFalse(Cause.hasDies(exit.cause), `a defect, not a typed error:\n${Cause.pretty(exit.cause)}`)
    world.emulator.faults.clear()
    return exit
  })

/** Runs `effect` in a scope of its own, as a promise: crash points are collected before tests are declared. */
export const inScope = <A>(effect: Effect.Effect<A, unknown, Scope.Scope>): Promise<A> =>
  Effect.runPromise(Effect.scoped(effect))

/**
 * Declares crash-resume tests: per start state, a guard that a clean run from it has crash points,
 * then `resume` for every point broken in every {@link Mode}.
 */
export const describeCrashResume = <S extends { readonly name: string }>(
  title: string,
  pointsByState: ReadonlyArray<{ readonly state: S; readonly points: ReadonlyArray<CrashPoint> }>,
  resume: (state: S, point: CrashPoint, mode: Mode) => Effect.Effect<void, unknown, Scope.Scope>,
): void => {
  describe(title, () => {
    for (const { state, points } of pointsByState)
      describe(`from ${state.name} (${points.length} writes)`, () => {
        it("has crash points", () => {
          assert.isAbove(points.length, 0)
        })
        for (const point of points)
          for (const mode of MODES)
            it.live(`${mode} at ${point.signature} #${point.ordinal}`, () => resume(state, point, mode))
      })
  })
}

/** The signature of every request a clean apply sends in the world `world` builds, each once. */
export const applySignatures = (world: Effect.Effect<World, unknown, Scope.Scope>): Promise<Array<string>> =>
  inScope(
    Effect.gen(function* () {
      const built = yield* world
      const seen = new Set<string>()
      const { options } = runOptions(built, {
        fetch: (request) => {
          seen.add(signatureOf(request))
          return built.fetch(request)
        },
      })
      yield* apply(built.config, options)
      return [...seen]
    }),
  )
