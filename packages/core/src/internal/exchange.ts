/**
 * What the transport learned about the request behind a call, shared between `transportFetch`
 * (which sees the `Request`) and the bridge (which only sees openapi-fetch's promise).
 *
 * openapi-fetch builds the `Request` itself, so the bridge cannot see its method and URL, and a
 * network failure rejects without them. The bridge therefore opens an exchange in an
 * `AsyncLocalStorage` around the call; `transportFetch`, running inside that async context,
 * records the request there. Responses that went through `transportFetch` are remembered so the
 * bridge can refuse clients built without it.
 */
import { AsyncLocalStorage } from "node:async_hooks"
import { type Secret, secretsOfRequest } from "../Redact.ts"

/** The mutable record of one call (one attempt). */
export interface Exchange {
  /** Method of the last request sent. */
  method?: string
  /** Unredacted URL of the first request, before redirects and routing. Never print it raw. */
  url?: string
  /** Status of the final response, once there is one. */
  status?: number
  /**
   * Secrets found so far: those the caller named and those of the request bodies. Incomplete
   * until the requests in `unscanned` are scanned, so never read it directly: use {@link secretsOf}.
   */
  readonly scanned: Array<Secret>
  /**
   * Requests sent whose header and query secrets are not in `scanned` yet: finding them costs a
   * little on every request, so it is done only when something is about to be redacted.
   */
  readonly unscanned: Array<Request>
  /** The call's request-id headers, for errors raised inside `transportFetch`. */
  readonly requestIdHeaders?: ReadonlyArray<string> | undefined
}

/** Every secret of the exchange so far, the requests' own included. */
export const secretsOf = (exchange: Exchange): ReadonlyArray<Secret> => {
  if (exchange.unscanned.length > 0)
    for (const request of exchange.unscanned.splice(0)) exchange.scanned.push(...secretsOfRequest(request))
  return exchange.scanned
}

const storage = new AsyncLocalStorage<Exchange>()

/** Runs `f` with `exchange` as the current exchange of every `transportFetch` it reaches. */
export const runInExchange = <A>(exchange: Exchange, f: () => A): A => storage.run(exchange, f)

/** The current call's exchange, or a fresh one when `transportFetch` is used outside the bridge. */
export const currentExchange = (): Exchange => storage.getStore() ?? { scanned: [], unscanned: [] }

/** What `transportFetch` remembers about a final response. */
export interface ResponseInfo {
  readonly method: string
  /** Unredacted URL of the request as the client addressed it. Never print it raw. */
  readonly url: string
  /** Set when the body, read as text or JSON, must not be an HTML page: the error to throw if it is. */
  readonly refuseHtml?: ((html: string) => Error) | undefined
}

// A property rather than a WeakMap entry: it is set on every response (bench figure 5).
const VETTED: unique symbol = Symbol("sn365/vetted")
type Marked = Response & { [VETTED]?: ResponseInfo }

/** Marks a response as having passed through `transportFetch`. */
export const markVetted = (response: Response, info: ResponseInfo): void => {
  ;(response as Marked)[VETTED] = info
}

/** The request behind a response that passed through `transportFetch`, else `undefined`. */
export const responseInfo = (response: Response): ResponseInfo | undefined => (response as Marked)[VETTED]
