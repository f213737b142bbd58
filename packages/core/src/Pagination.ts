/**
 * Pagination as a `Stream` of pages, following the next link a vendor returns: RFC 8288 `Link`
 * headers (ServiceNow) or `@odata.nextLink` (Graph).
 *
 * @module
 */
import { Effect, Option, Stream } from "effect"
import { UnexpectedResponse } from "./HttpError.ts"
import { responseInfo } from "./internal/exchange.ts"
import { redactUrl } from "./Redact.ts"
import { ODATA_NEXT_LINK } from "./vendor.ts"

/** One page: what `callWithResponse` succeeds with. */
export interface Page<D = unknown> {
  readonly data: D
  readonly response: Response
}

/** One entry of a `Link` header. */
export interface Link {
  /** The target, as written (may be relative). */
  readonly url: string
  /** Relation types, lower case (`rel="next last"` gives both). */
  readonly rel: ReadonlyArray<string>
  /** All parameters, names lower case, first occurrence wins. */
  readonly params: Readonly<Record<string, string>>
}

const isSpace = (c: string | undefined): boolean => c === " " || c === "\t" || c === "\r" || c === "\n"

const readQuoted = (value: string, start: number): [string, number] => {
  let out = ""
  let i = start + 1
  for (; i < value.length && value[i] !== '"'; i++) {
    if (value[i] === "\\") i++
    out += value[i] ?? ""
  }
  return [out, i + 1]
}

const readToken = (value: string, start: number, stops: string): [string, number] => {
  let i = start
  while (i < value.length && !stops.includes(value[i] ?? "") && !isSpace(value[i])) i++
  return [value.slice(start, i), i]
}

const skipSpaces = (value: string, start: number): number => {
  let i = start
  while (isSpace(value[i])) i++
  return i
}

// Parses `; name=value; name="quoted"` up to the comma ending one link.
const readParams = (value: string, start: number): [Record<string, string>, number] => {
  const params: Record<string, string> = {}
  let i = start
  while (i < value.length) {
    i = skipSpaces(value, i)
    const c = value[i]
    if (c === ",") return [params, i + 1]
    if (c === "<") return [params, i]
    if (c !== ";") {
      i++
      continue
    }
    const [name, afterName] = readToken(value, skipSpaces(value, i + 1), "=;,<")
    i = skipSpaces(value, afterName)
    let paramValue = ""
    if (value[i] === "=") {
      i = skipSpaces(value, i + 1)
      ;[paramValue, i] = value[i] === '"' ? readQuoted(value, i) : readToken(value, i, ";,<")
    }
    const key = name.toLowerCase()
    if (key !== "" && !(key in params)) params[key] = paramValue
  }
  return [params, i]
}

/**
 * Parses an RFC 8288 `Link` header. Tolerates what servers send: no spaces after commas
 * (ServiceNow), spaces anywhere, quoted or bare values, several relation types, extra parameters,
 * commas inside quoted values.
 *
 * @example
 * ```ts
 * parseLinkHeader('<https://x/a?o=0>;rel="first",<https://x/a?o=10>;rel="next"')
 * // [{ url: "https://x/a?o=0", rel: ["first"], … }, { url: "https://x/a?o=10", rel: ["next"], … }]
 * ```
 */
export const parseLinkHeader = (value: string): ReadonlyArray<Link> => {
  const links: Array<Link> = []
  let i = 0
  while (i < value.length) {
    const open = value.indexOf("<", i)
    const close = open < 0 ? -1 : value.indexOf(">", open)
    if (close < 0) break
    const [params, next] = readParams(value, close + 1)
    const rel = (params.rel ?? "")
      .toLowerCase()
      .split(/\s+/)
      .filter((r) => r !== "")
    links.push({ url: value.slice(open + 1, close).trim(), rel, params })
    i = next
  }
  return links
}

/**
 * The `rel="next"` target of a page's `Link` header (ServiceNow Table API), if any.
 *
 * @example
 * ```ts
 * paginate({ fetchPage, nextLink: nextFromLinkHeader })
 * ```
 */
export const nextFromLinkHeader = (page: Page): string | undefined => {
  const header = page.response.headers.get("link")
  return header === null ? undefined : parseLinkHeader(header).find((link) => link.rel.includes("next"))?.url
}

/**
 * The `@odata.nextLink` of a page's body (Microsoft Graph), if any.
 *
 * @example
 * ```ts
 * paginate({ fetchPage, nextLink: nextFromODataNextLink })
 * ```
 */
export const nextFromODataNextLink = (page: Page): string | undefined => {
  const data = page.data
  if (typeof data !== "object" || data === null) return undefined
  const link = (data as Readonly<Record<string, unknown>>)[ODATA_NEXT_LINK]
  return typeof link === "string" && link !== "" ? link : undefined
}

/** Options of {@link paginate}. */
export interface PaginateOptions<P extends Page, E, R> {
  /**
   * Fetches a page: the first with `next` undefined, then each next link, resolved and checked.
   * Retry in here (`withRetry`), not around the stream, which would start again from page one.
   */
  readonly fetchPage: (next: URL | undefined) => Effect.Effect<P, E, R>
  /** The next link of a page, or `undefined` on the last page. */
  readonly nextLink: (page: P) => string | undefined
}

// The next link must stay on the origin of the page's request: credentials go with it.
const resolveNext = (
  page: Page,
  link: string | undefined,
  seen: Set<string>,
): Effect.Effect<URL | undefined, UnexpectedResponse> => {
  if (link === undefined) return Effect.succeed(undefined)
  const base = responseInfo(page.response)?.url ?? page.response.url
  const failure = (
    reason: "cross-origin-next-link" | "invalid-next-link" | "repeated-next-link",
    location?: string,
  ) =>
    new UnexpectedResponse({
      method: responseInfo(page.response)?.method ?? "GET",
      url: redactUrl(base),
      reason,
      status: page.response.status,
      location,
    })
  let next: URL
  try {
    next = base === "" ? new URL(link) : new URL(link, base)
  } catch {
    return Effect.fail(failure("invalid-next-link"))
  }
  if (base !== "" && next.origin !== new URL(base).origin) {
    return Effect.fail(failure("cross-origin-next-link", next.host))
  }
  if (seen.has(next.href)) return Effect.fail(failure("repeated-next-link"))
  seen.add(next.href)
  return Effect.succeed(next)
}

/**
 * A stream of pages: fetches the first, then follows `nextLink` until there is none. A next link
 * to another origin than the page's request, or to a page already read (a server bug that would
 * loop forever), fails the stream with `UnexpectedResponse`.
 *
 * @example
 * ```ts
 * const users = paginate({
 *   fetchPage: (next) =>
 *     callWithResponse((signal) =>
 *       api.GET("/table/{tableName}", {
 *         params: { path: { tableName: "sys_user" }, query: { sysparm_limit: 100 } },
 *         ...(next ? { querySerializer: () => next.search.slice(1) } : {}),
 *         signal,
 *       })).pipe(withRetry()),
 *   nextLink: nextFromLinkHeader,
 * }).pipe(Stream.flatMap((page) => Stream.fromIterable(page.data.result ?? [])))
 * ```
 */
export const paginate = <P extends Page, E, R>(
  options: PaginateOptions<P, E, R>,
): Stream.Stream<P, E | UnexpectedResponse, R> =>
  Stream.suspend(() => {
    const seen = new Set<string>()
    return Stream.paginate(Option.none<URL>(), (next: Option.Option<URL>) =>
      Effect.flatMap(options.fetchPage(Option.getOrUndefined(next)), (page) =>
        Effect.map(
          resolveNext(page, options.nextLink(page), seen),
          (url) => [[page], url === undefined ? Option.none() : Option.some(Option.some(url))] as const,
        ),
      ),
    )
  })
