/**
 * The Promise edge: how each package's small Promise API runs its Effects.
 *
 * @module
 */
import { Cause, Effect, Exit } from "effect"

/**
 * Runs an Effect and resolves with its value, or rejects with the failure itself — the tagged
 * error instance, so `catch (e) { if (e instanceof Unauthorized) … }` and `e._tag` work.
 * Aborting `signal` interrupts the Effect (and so aborts its requests) and rejects with the
 * signal's `reason`, as `fetch` does: an `AbortError` `DOMException` unless the caller gave one.
 *
 * @example
 * ```ts
 * export const getUser = (id: string, options?: { signal?: AbortSignal }) =>
 *   toPromise(call((signal) => api.GET("/users/{id}", { params: { path: { id } }, signal })), options)
 * ```
 */
export const toPromise = async <A, E>(
  effect: Effect.Effect<A, E>,
  options: { readonly signal?: AbortSignal | undefined } = {},
): Promise<A> => {
  const exit = await Effect.runPromiseExit(
    effect,
    options.signal === undefined ? {} : { signal: options.signal },
  )
  if (Exit.isSuccess(exit)) return exit.value
  if (options.signal?.aborted === true && Cause.hasInterruptsOnly(exit.cause)) throw options.signal.reason
  throw Cause.squash(exit.cause)
}
