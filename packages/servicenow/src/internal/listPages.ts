/**
 * A Table API list as a lazy stream of pages (servicenow-api.md §1.8). `sysparm_limit` is applied
 * before ACLs, so a short or empty page says nothing about the end; the end is, in order:
 *
 * 1. the `Link` header without `rel="next"` (the next page is the server's link, followed verbatim);
 * 2. without `Link` (suppressed, or a single page), `offset + limit >= X-Total-Count`;
 * 3. with neither (`sysparm_no_count` and suppressed headers), an empty page.
 *
 * A page cancelled by the transaction quota is asked for again with half the page size.
 */
import { nextFromLinkHeader, type Page, paginate } from "@sn365/core"
import { Effect, Stream } from "effect"
import type { ServiceNowError } from "../Errors.ts"
import type { FieldValue } from "../Records.ts"
import { TABLE_API_VERSION, TOTAL_COUNT_HEADER } from "../vendor.ts"
import { type Deps, send } from "./Http.ts"
import { asksForSysId, listBody } from "./shape.ts"

/** The list parameters, as sent (`sysparm_*`). */
export interface ListQuery {
  readonly sysparm_query: string
  readonly sysparm_fields?: ReadonlyArray<string> | undefined
  readonly sysparm_limit: number
  readonly sysparm_offset?: number | undefined
  readonly sysparm_display_value: "true" | "false" | "all"
  readonly sysparm_exclude_reference_link: boolean
  readonly sysparm_no_count: boolean
  readonly sysparm_suppress_pagination_header: boolean
}

type AnyRecord = Readonly<Record<string, FieldValue>>

interface ListPage extends Page<{ readonly result: ReadonlyArray<AnyRecord> }> {
  /** The URL this page was read from. */
  readonly url: URL
}

const OFFSET = "sysparm_offset"
const LIMIT = "sysparm_limit"

/** `a=1&b=x,y`: form style, lists comma-joined, every value percent-encoded (as openapi-fetch would). */
const serialize = (query: ListQuery): string =>
  Object.entries(query)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => {
      const text = Array.isArray(value) ? value.join(",") : String(value)
      return `${name}=${encodeURIComponent(text)}`
    })
    .join("&")

const pathOf = (table: string) => `/api/now/${TABLE_API_VERSION}/table/${encodeURIComponent(table)}`

/** The URL of the first page. */
export const firstPageUrl = (instanceUrl: string, table: string, query: ListQuery): URL =>
  new URL(`${pathOf(table)}?${serialize(query)}`, instanceUrl)

const numberParam = (url: URL, name: string, fallback: number) => {
  const value = Number(url.searchParams.get(name))
  return Number.isInteger(value) && value >= 0 ? value : fallback
}

const withParam = (url: URL, name: string, value: number): URL => {
  const next = new URL(url)
  next.searchParams.set(name, String(value))
  return next
}

/** The next page's URL, or `undefined` at the end. */
const nextPage = (page: ListPage): string | undefined => {
  if (page.response.headers.has("link")) return nextFromLinkHeader(page)
  const offset = numberParam(page.url, OFFSET, 0)
  const limit = numberParam(page.url, LIMIT, 1)
  const total = page.response.headers.get(TOTAL_COUNT_HEADER)
  if (total !== null && total.trim() !== "") {
    return offset + limit < Number(total) ? withParam(page.url, OFFSET, offset + limit).href : undefined
  }
  return page.data.result.length === 0 ? undefined : withParam(page.url, OFFSET, offset + limit).href
}

/** Reads one page; a quota cancellation is retried with half the page size. */
const readPage = (deps: Deps, table: string, url: URL): Effect.Effect<ListPage, ServiceNowError> =>
  send(
    deps,
    { operation: "list", table },
    (signal, headers) =>
      deps.apis.table.GET("/api/now/{api_version}/table/{tableName}", {
        params: { path: { api_version: TABLE_API_VERSION, tableName: table } },
        // The URL carries every parameter (the server's next link verbatim, or ours).
        querySerializer: () => url.search.slice(1),
        headers,
        signal,
      }),
    { validate: listBody(asksForSysId(url.searchParams.get("sysparm_fields")?.split(","))) },
  ).pipe(
    Effect.map((result) => ({ data: { result: result.data.result }, response: result.response, url })),
    Effect.catchTag("TransactionCancelled", (error) => {
      const limit = numberParam(url, LIMIT, 1)
      return limit > 1
        ? readPage(deps, table, withParam(url, LIMIT, Math.floor(limit / 2)))
        : Effect.fail(error)
    }),
  )

/** Every record of a list, page by page, lazily: memory is bounded by one page. */
export const listRecords = (
  deps: Deps,
  table: string,
  query: ListQuery,
): Stream.Stream<AnyRecord, ServiceNowError> =>
  paginate({
    fetchPage: (next) => readPage(deps, table, next ?? firstPageUrl(deps.instanceUrl, table, query)),
    nextLink: nextPage,
  }).pipe(Stream.flatMap((page) => Stream.fromIterable(page.data.result)))
