/**
 * What the teardown proofs share: the state teardown must return the emulator to, a secret store
 * that outlives a crashed process (like `--secrets-file`), and the check every case ends with — a
 * clean teardown converges to the seeded state, a second one finds nothing, nothing that was there
 * before sn365 is gone or changed, and the secrets of what was removed are forgotten.
 */
import { assert } from "@effect/vitest"
import { Effect } from "effect"
import type { SecretName, SecretStore } from "../../../src/Secrets.ts"
import { memorySecretStore } from "../../../src/Secrets.ts"
import { type ApplyOptions, teardown } from "../../../src/Setup.ts"
import { deletedApplicationsOf, normalise } from "../../support/seeded.ts"
import type { Run } from "./crash.ts"
import { INSTANCE, runOptions, type World } from "./world.ts"

/** A JSON copy of everything the emulator holds. */
export const snapshotOf = (world: World): Record<string, unknown> => {
  world.emulator.servicenow.ensure(INSTANCE)
  return JSON.parse(JSON.stringify(world.emulator.snapshot())) as Record<string, unknown>
}

/** A world's seeded state and its durable secret store. */
export interface Baseline {
  /** The emulator before sn365 wrote anything (look-alikes seeded by a test included). */
  readonly seeded: Record<string, unknown>
  /** Survives a crash: what a secrets file would hold. */
  readonly store: SecretStore
}

/** Takes the baseline now: call it before the first apply. */
export const baselineOf = (world: World): Baseline => ({
  seeded: snapshotOf(world),
  store: memorySecretStore(),
})

/** Teardown in `world` through `fetch`, with the durable store (a crash does not lose it). */
export const teardownIn =
  (world: World, baseline: Baseline, extra: Partial<ApplyOptions> = {}): Run =>
  (fetch) =>
    teardown(world.config, runOptions(world, { fetch, secrets: baseline.store, ...extra }).options)

/** The paths where two JSON values differ (at most `limit`), for a readable failure. */
export const differences = (a: unknown, b: unknown, path = "", limit = 40): Array<string> => {
  if (JSON.stringify(a) === JSON.stringify(b)) return []
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null)
    return [`${path || "(root)"}: ${JSON.stringify(a)?.slice(0, 160)} ≠ ${JSON.stringify(b)?.slice(0, 160)}`]
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])]
  const found: Array<string> = []
  for (const key of keys) {
    found.push(
      ...differences(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        `${path}/${key}`,
        limit,
      ),
    )
    if (found.length >= limit) break
  }
  return found.slice(0, limit)
}

const SECRET_NAMES: ReadonlyArray<SecretName> = [
  "entraClientSecret",
  "inboundClientSecret",
  "integrationUserPassword",
]

/** What is wrong with the emulator after teardown compared with its baseline. */
export const leftOver = (world: World, baseline: Baseline) =>
  Effect.gen(function* () {
    const after = snapshotOf(world)
    const seededApps = new Set(
      Object.values(
        (
          baseline.seeded as {
            graph?: { tenants?: Record<string, { applications?: Array<{ id: string }> }> }
          }
        ).graph?.tenants ?? {},
      ).flatMap((tenant) => (tenant.applications ?? []).map((app) => app.id)),
    )
    const kept: Array<string> = []
    for (const name of SECRET_NAMES) if ((yield* baseline.store.get(name)) !== undefined) kept.push(name)
    return {
      /** Where the state differs from the seeded one (bookkeeping aside). */
      differences: differences(normalise(after), normalise(baseline.seeded)),
      /** Applications that were there before sn365 and are in the recycle bin now. */
      unmanagedDeleted: deletedApplicationsOf(after).filter((id) => seededApps.has(id)),
      /** Secrets still in the store although their objects are gone. */
      secretsKept: kept,
    }
  })

/** What {@link tornDown} found wrong; each part must be empty. */
export interface TornDown {
  readonly differences: ReadonlyArray<string>
  readonly unmanagedDeleted: ReadonlyArray<string>
  readonly secretsKept: ReadonlyArray<string>
  readonly removedAgain: ReadonlyArray<string>
}

/** Asserts what {@link tornDown} returned: the seeded state, nothing unmanaged deleted, no secret kept, nothing left. */
export const assertTornDown = (result: TornDown) => {
  assert.deepStrictEqual(result.differences, [], "not the seeded state")
  assert.deepStrictEqual(result.unmanagedDeleted, [], "deleted an application sn365 did not create")
  assert.deepStrictEqual(result.secretsKept, [], "secrets of removed objects still stored")
  assert.deepStrictEqual(result.removedAgain, [], "a second teardown still removed something")
}

/**
 * After whatever happened: a clean teardown succeeds, a second one removes nothing, and the state
 * is the seeded one. Returns what is wrong (the caller asserts each part is empty).
 */
export const tornDown = (
  world: World,
  baseline: Baseline,
  extra: Partial<ApplyOptions> = {},
): Effect.Effect<TornDown, unknown> =>
  Effect.gen(function* () {
    const { options } = runOptions(world, { secrets: baseline.store, ...extra })
    yield* teardown(world.config, options)
    const again = yield* teardown(world.config, options)
    return { ...(yield* leftOver(world, baseline)), removedAgain: again.removed.map((r) => r.title) }
  })
