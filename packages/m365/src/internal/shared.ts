import type { Redacted } from "effect"
import { TOKEN_RENEWAL_OFFSET_MS } from "../vendor.ts"

/** What a token source answers: the token, and when it expires (`undefined`: not held). */
export interface FetchedToken {
  readonly token: Redacted.Redacted<string>
  readonly expiresAtMs: number | undefined
}

/**
 * The cache in front of every token source (msal's own lookup is a chain of awaits; a provider may
 * make a request): a token per scope, handed out until five minutes before it expires, and one
 * token request in flight per scope. A forced renewal (after a refused token) has a flight of its
 * own, shared by concurrent refusals.
 */
export const tokenCache = () => {
  const held = new Map<string, { readonly token: Redacted.Redacted<string>; readonly renewAt: number }>()
  const flights = sharedFlights<Redacted.Redacted<string>>()
  return {
    /** The token held for `scope`, unless `force` or it is due for renewal. */
    held: (scope: string, force: boolean): Redacted.Redacted<string> | undefined => {
      const entry = force ? undefined : held.get(scope)
      return entry !== undefined && Date.now() < entry.renewAt ? entry.token : undefined
    },
    /** Joins the request for `scope` in flight, or starts one with `start`, and holds its token. */
    request: (
      scope: string,
      force: boolean,
      signal: AbortSignal,
      start: (signal: AbortSignal) => Promise<FetchedToken>,
    ): Promise<Redacted.Redacted<string>> =>
      flights(force ? `${scope}\u0000refresh` : scope, signal, async (shared) => {
        const { token, expiresAtMs } = await start(shared)
        if (expiresAtMs !== undefined)
          held.set(scope, { token, renewAt: expiresAtMs - TOKEN_RENEWAL_OFFSET_MS })
        return token
      }),
  }
}

/**
 * One in-flight promise per key, shared by every concurrent caller: ten Graph calls starting at
 * once ask the token service once. The work is aborted only when every caller has gone away.
 */

interface Flight<A> {
  readonly promise: Promise<A>
  readonly controller: AbortController
  waiters: number
}

/** Returns `run(key, signal, start)`: joins the flight for `key`, or starts one with `start`. */
const sharedFlights = <A>() => {
  const flights = new Map<string, Flight<A>>()
  return (key: string, signal: AbortSignal, start: (signal: AbortSignal) => Promise<A>): Promise<A> => {
    let flight = flights.get(key)
    // A flight every caller left is being aborted: start afresh.
    if (flight === undefined || flight.controller.signal.aborted) {
      const controller = new AbortController()
      const created: Flight<A> = {
        controller,
        waiters: 0,
        promise: start(controller.signal).finally(() => {
          if (flights.get(key) === created) flights.delete(key)
        }),
      }
      flights.set(key, created)
      flight = created
    }
    const joined = flight
    joined.waiters++
    signal.addEventListener(
      "abort",
      () => {
        joined.waiters--
        if (joined.waiters === 0) joined.controller.abort()
      },
      { once: true },
    )
    return joined.promise
  }
}
