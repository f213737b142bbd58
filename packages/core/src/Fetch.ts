/**
 * The one `fetch` every sn365 client uses: openapi-fetch clients take it directly and msal-node
 * reaches it through a `system.networkClient` adapter. Inject your own to add a proxy, record
 * traffic, or route the real vendor host names to the emulator with {@link routingFetch}.
 *
 * @module
 */

/**
 * A fetch function in the shape openapi-fetch calls it: one `Request` in, one `Response` out.
 *
 * @example
 * ```ts
 * const logging: Fetch = async (request) => {
 *   const response = await fetch(request)
 *   console.error(request.method, new URL(request.url).pathname, response.status)
 *   return response
 * }
 * ```
 */
export type Fetch = (request: Request) => Promise<Response>

/** The platform's global `fetch`, looked up at call time so test spies and polyfills are honoured. */
export const defaultFetch: Fetch = (request) => globalThis.fetch(request)

/**
 * Where requests for a host go instead: keys are host names, exact (`graph.microsoft.com`) or a
 * leading wildcard (`*.service-now.com`, which also matches deeper names but not the bare suffix);
 * values are origins such as `http://127.0.0.1:4010` (a path in them is ignored). {@link routingFetch}
 * throws a `TypeError` at once for a value that is not an http(s) URL.
 */
export type Routes = Readonly<Record<string, string>>

/**
 * Header carrying the host name a request was originally addressed to. It is the de-facto proxy
 * header; fetch implementations drop a caller-set `Host`, so the emulator reads this one instead.
 */
export const FORWARDED_HOST_HEADER = "x-forwarded-host"

const matchesHost = (pattern: string, host: string): boolean => {
  const p = pattern.toLowerCase()
  if (p.startsWith("*.")) return host.endsWith(p.slice(1)) && host.length > p.length - 1
  return host === p
}

/** The origin a host is routed to, or `undefined` when {@link Routes} has no entry for it. */
export const routeFor = (routes: Routes, host: string): string | undefined => {
  const h = host.toLowerCase()
  for (const [pattern, origin] of Object.entries(routes)) {
    if (matchesHost(pattern, h)) return origin
  }
  return undefined
}

// Parsing every origin up front turns a typo in a route into an error where the routes are
// written, not a failure on some later request.
const parseOrigins = (routes: Routes): ReadonlyMap<string, URL> =>
  new Map(
    Object.values(routes).map((origin) => {
      const url = URL.canParse(origin) ? new URL(origin) : undefined
      if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
        throw new TypeError(`routingFetch: route target ${JSON.stringify(origin)} is not an http(s) origin`)
      }
      return [origin, url] as const
    }),
  )

/**
 * A {@link Fetch} that sends requests for chosen host names to another origin, keeping the path,
 * query, method, headers, body and abort signal, and recording the original host in
 * `X-Forwarded-Host`. Requests for other hosts pass through unchanged. This is how tests, the demo
 * and `sn365 --emulator` reach the emulator while every URL in the SDK stays the real one.
 *
 * @example
 * ```ts
 * const fetch = routingFetch({ "*.service-now.com": "http://127.0.0.1:4010", "graph.microsoft.com": "http://127.0.0.1:4010" })
 * await fetch(new Request("https://dev12345.service-now.com/api/now/table/sys_user")) // served by 127.0.0.1:4010
 * ```
 */
export const routingFetch = (routes: Routes, next: Fetch = defaultFetch): Fetch => {
  const targets = parseOrigins(routes)
  return (request) => {
    const url = new URL(request.url)
    const origin = routeFor(routes, url.hostname)
    const target = origin === undefined ? undefined : targets.get(origin)
    if (target === undefined) return next(request)
    const headers = new Headers(request.headers)
    headers.set(FORWARDED_HOST_HEADER, url.host)
    url.protocol = target.protocol
    url.host = target.host
    return sendHolding(
      next,
      new Request(url, {
        method: request.method,
        headers,
        body: request.body,
        signal: request.signal,
        redirect: request.redirect,
        // Required by Node's fetch whenever the body is a stream.
        ...(request.body === null ? {} : { duplex: "half" }),
      } as RequestInit),
    )
  }
}

/**
 * Sends a `Request` made here and holds it until the fetch settles. undici's `Request` follows its
 * init signal through a weak reference, and Node's fetch copies the request it is given: a request
 * nothing holds is collected mid-flight, and an abort (a timeout, an interruption) then never
 * reaches the fetch, which waits for its server forever and keeps the process alive.
 */
export const sendHolding = (next: Fetch, request: Request): Promise<Response> =>
  next(request).finally(() => reachable(request))

// Referenced from the settle callback, so the request stays reachable from the pending promise.
const reachable = (_request: Request): void => undefined
