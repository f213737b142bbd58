/**
 * Long timeouts on one shared interval instead of a timer each. Every request has a timeout
 * (60 s by default) that almost never fires, and a Node timer per request is scheduled with libuv
 * and torn down again on every call: about 2.5 % of a loopback GET (bench figure 5). undici keeps
 * its own socket timeouts the same way. A deadline here fires up to one tick late.
 *
 * @module
 */

/** A pending deadline (its `fire` runs at most once). */
interface Deadline {
  readonly at: number
  readonly fire: () => void
}

/** Deadlines checked every `tickMs`; the interval keeps the process alive only while one is pending. */
export const makeDeadlines = (tickMs: number) => {
  const pending = new Set<Deadline>()
  let ticker: ReturnType<typeof setInterval> | undefined

  const tick = () => {
    const now = performance.now()
    for (const deadline of pending) {
      if (deadline.at > now) continue
      pending.delete(deadline)
      deadline.fire()
    }
    if (pending.size === 0) {
      // An idle process is not woken every tick: the next deadline starts a new interval.
      clearInterval(ticker)
      ticker = undefined
    }
  }

  /** Calls `fire` `ms` from now (up to one tick later); the result cancels it. */
  const after = (ms: number, fire: () => void): (() => void) => {
    const deadline: Deadline = { at: performance.now() + ms, fire }
    pending.add(deadline)
    if (ticker === undefined) ticker = setInterval(tick, tickMs)
    else if (pending.size === 1) ticker.ref()
    return () => {
      if (pending.delete(deadline) && pending.size === 0) ticker?.unref()
    }
  }

  return {
    after,
    /** Deadlines not yet fired or cancelled. */
    pending: (): number => pending.size,
    /** Whether the interval keeps the process alive. */
    keepsAlive: (): boolean => ticker?.hasRef() ?? false,
    /** Whether the interval exists at all (held or not). */
    ticking: (): boolean => ticker !== undefined,
  }
}
