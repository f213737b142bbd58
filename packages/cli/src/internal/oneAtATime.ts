/** Serialising what talks to the person at the terminal. */

/**
 * `f`, called one call at a time: a call made while another runs waits for it to settle (whether
 * it succeeds or fails) before it starts.
 */
export const oneAtATime = <Args extends ReadonlyArray<unknown>, R>(
  f: (...args: Args) => Promise<R>,
): ((...args: Args) => Promise<R>) => {
  let previous: Promise<unknown> = Promise.resolve()
  return (...args) => {
    const turn = previous.then(() => f(...args))
    previous = turn.catch(() => undefined)
    return turn
  }
}
