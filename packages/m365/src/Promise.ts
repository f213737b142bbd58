/**
 * The Promise facade, for people who do not use Effect: every method of a client returns a
 * Promise that resolves with the value or rejects with the same tagged error (`e._tag`,
 * `instanceof ReplicationLag`…) the Effect API fails with.
 *
 * @module
 */
import { toPromise } from "@sn365/core"
import type { Effect } from "effect"

/** A client whose Effect-returning methods return Promises instead. */
export type Promised<T> = {
  readonly [K in keyof T]: T[K] extends (...args: infer P) => Effect.Effect<infer A, infer _E, never>
    ? (...args: P) => Promise<A>
    : T[K]
}

/**
 * The Promise form of a client: `makeCredential`, `makeApplications`, `apiSupportIntegration` or
 * `manualSupportIntegration`.
 *
 * @example
 * ```ts
 * const apps = promiseApi(makeApplications({ credential }))
 * try {
 *   const { application } = await apps.upsert("sn365-outbound", { displayName: "Outbound", web: { redirectUris } })
 * } catch (e) {
 *   if (e instanceof InsufficientPrivileges) console.error(e.remedy)
 * }
 * ```
 */
export const promiseApi = <T extends object>(api: T): Promised<T> =>
  Object.fromEntries(
    Object.entries(api).map(([name, member]) => [
      name,
      typeof member === "function"
        ? (...args: ReadonlyArray<unknown>) => toPromise(member(...args) as Effect.Effect<unknown, unknown>)
        : member,
    ]),
  ) as Promised<T>
