import { Effect, type Scope } from "effect"
import { decodeConfig } from "../../src/Config.ts"
import { namesOf } from "../../src/Names.ts"
import { apply } from "../../src/Setup.ts"
import { configInput } from "../support/emulator.ts"
import { breakAt, crashPointsOf, describeCrashResume, inScope, type Run } from "./support/crash.ts"
import { reportFigures, stats } from "./support/stats.ts"
import { assertConverged, converge, INSTANCE, makeWorld, runOptions, type World } from "./support/world.ts"

reportFigures()

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

/** Apply in `world`, through `fetch`, with a fresh in-memory secret store (a crash loses it). */
const applyIn =
  (world: World): Run =>
  (fetch) =>
    apply(world.config, runOptions(world, { fetch }).options)

/** The writes of a clean run from `state`, in the order they were sent. */
const pointsByState = await Promise.all(
  states.map(async (state) => ({
    state,
    points: await inScope(
      Effect.gen(function* () {
        const world = yield* state.prepare()
        return yield* crashPointsOf(world, applyIn(world))
      }),
    ),
  })),
)

describeCrashResume("crash-resume at every write", pointsByState, (state, point, mode) =>
  Effect.gen(function* () {
    stats.add("crashPoints")
    const world = yield* state.prepare()
    yield* breakAt(world, point, mode, applyIn(world))
    assertConverged(yield* converge(world))
  }),
)
