import type { Redacted } from "effect"
import { TOKEN_RENEWAL_OFFSET_MS } from "../vendor.ts"

/**
 * Tokens per scope, handed out until five minutes before they expire: the cache in front of every
 * token source (msal's own lookup is a chain of awaits; a provider may make a request).
 */
export const heldTokens = () => {
  const held = new Map<string, { readonly token: Redacted.Redacted<string>; readonly renewAt: number }>()
  return {
    /** The token held for `scope`, unless it is due for renewal. */
    get: (scope: string): Redacted.Redacted<string> | undefined => {
      const entry = held.get(scope)
      return entry !== undefined && Date.now() < entry.renewAt ? entry.token : undefined
    },
    keep: (scope: string, token: Redacted.Redacted<string>, expiresAtMs: number): void => {
      held.set(scope, { token, renewAt: expiresAtMs - TOKEN_RENEWAL_OFFSET_MS })
    },
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
export const sharedFlights = <A>() => {
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
