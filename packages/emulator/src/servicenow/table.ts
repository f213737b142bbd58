/**
 * The Table API (servicenow-api.md §1): list, read, create, update, delete and HEAD on
 * `/api/now/table/…` and `/api/now/{v1|v2}/table/…`, with encoded queries, pagination headers,
 * display values, `sysparm_limit` applied before ACL filtering, v1 404 / v2 `[]` on empty results,
 * and the documented error strings. Requests arrive authenticated and validated against the spec.
 *
 * @module
 */
import { type EmulatorResponse, empty } from "../server/http.ts"
import { type Caller, canCreate, canReadField, canReadRow, canWriteRow } from "./acl.ts"
import { failure, result } from "./envelope.ts"
import type { Instance, Row } from "./Instance.ts"
import {
  dropUnknownFields,
  type EncodedQuery,
  matchesQuery,
  parseEncodedQuery,
  sortRecords,
} from "./query.ts"
import { deleteRecord, insertRecord, storedValues, updateRecord, type WriteOptions } from "./records.ts"
import { type DisplayValueMode, type RenderOptions, renderRecord, resolvePath, valueAt } from "./render.ts"
import {
  DEFAULT_LIMIT,
  DELETE_DENIED,
  INSERT_DENIED,
  invalidTable,
  NO_RECORD,
  PROPERTY,
  QUERY_DENIED,
  QUOTA_STATUS,
  TABLE_API_QUOTA_MS,
  TABLE_PATH,
  TRANSACTION_CANCELLED,
  UPDATE_DENIED,
  wsAccessDenied,
} from "./vendor.ts"

/** A Table API call after authentication and validation. */
export interface TableCall {
  readonly instance: Instance
  readonly caller: Caller
  /** Effective method (after `X-http-method-override`). */
  readonly method: string
  readonly url: URL
  /** Validated, coerced query parameters (`sysparm_*`). */
  readonly query: Readonly<Record<string, unknown>>
  /** Validated header parameters (lower-case names). */
  readonly header: Readonly<Record<string, unknown>>
  readonly body: unknown
  /** `performance.now()` when the request arrived (quota). */
  readonly startedAt: number
  readonly writes: WriteOptions
}

const bool = (value: unknown) => value === true || value === "true"

const renderOptions = (query: Readonly<Record<string, unknown>>): RenderOptions => ({
  fields: Array.isArray(query.sysparm_fields) ? (query.sysparm_fields as Array<string>) : undefined,
  displayValue: (query.sysparm_display_value as DisplayValueMode | undefined) ?? "false",
  excludeReferenceLink: bool(query.sysparm_exclude_reference_link),
})

/** The table API's path parts, or `undefined` when the path is not a Table API path. */
export const parseTablePath = (
  pathname: string,
):
  | { readonly version: "v1" | "v2" | undefined; readonly table: string; readonly sysId: string | undefined }
  | undefined => {
  const match = TABLE_PATH.exec(pathname)
  if (match === null) return undefined
  const decode = (text: string | undefined) => (text === undefined ? undefined : decodeURIComponent(text))
  return {
    version: match[1] as "v1" | "v2" | undefined,
    table: decode(match[2]) ?? "",
    sysId: decode(match[3]),
  }
}

/** The name=value filter pairs of a GET list (every query parameter not starting with `sysparm_`). */
const pairsQuery = (url: URL): string =>
  [...url.searchParams]
    .filter(([name]) => !name.startsWith("sysparm_"))
    .map(([name, value]) => `${name}=${value.replaceAll("^", "^^")}`)
    .join("^")

/** `Link`: comma-joined absolute URLs; prev/next only where they apply (servicenow-api.md §1.3). */
const linkHeader = (
  instance: Instance,
  url: URL,
  offset: number,
  limit: number,
  total: number,
): string | undefined => {
  if (offset === 0 && total <= limit) return undefined
  const at = (rowOffset: number) => {
    const params = new URLSearchParams(url.searchParams)
    params.delete("sysparm_offset")
    params.delete("sysparm_limit")
    params.set("sysparm_offset", String(rowOffset))
    params.set("sysparm_limit", String(limit))
    return `https://${instance.host}${url.pathname}?${params.toString()}`
  }
  const lastOffset = total === 0 ? 0 : Math.floor((total - 1) / limit) * limit
  const links = [`<${at(0)}>;rel="first"`]
  if (offset > 0) links.push(`<${at(Math.max(0, offset - limit))}>;rel="prev"`)
  if (offset + limit < total) links.push(`<${at(offset + limit)}>;rel="next"`)
  links.push(`<${at(lastOffset)}>;rel="last"`)
  return links.join(",")
}

const list = (call: TableCall, table: string, version: "v1" | "v2" | undefined): EmulatorResponse => {
  const { instance, caller, query, url } = call
  const text = typeof query.sysparm_query === "string" ? query.sysparm_query : pairsQuery(url)
  const parsed = parseEncodedQuery(text)
  // A query on a field the caller cannot read is refused ([KB0744425]).
  const fieldsInQuery = [...parsed.groups.flat(2).map((c) => c.field), ...parsed.orderBy.map((o) => o.field)]
  for (const field of fieldsInQuery) {
    const resolved = resolvePath(table, field)
    if (resolved !== undefined && !canReadField(resolved.table, resolved.column))
      return failure(403, QUERY_DENIED)
  }
  const { query: known, dropped } = dropUnknownFields(
    parsed,
    (field) => resolvePath(table, field) !== undefined,
  )
  const invalid = dropped.length > 0 || parsed.invalid.length > 0
  const noRows = invalid && instance.property(PROPERTY.invalidQueryReturnsNoRows) === "true"
  const matched = noRows ? [] : select(instance, table, known)
  const limit = typeof query.sysparm_limit === "number" ? query.sysparm_limit : DEFAULT_LIMIT
  const offset = typeof query.sysparm_offset === "number" ? query.sysparm_offset : 0
  // The page is cut before ACLs are evaluated, so it can come back short ([SN-TABLE], §1.8).
  const page = matched.slice(offset, offset + limit)
  const quota = instance.quota
  if ((quota.msPerRow ?? 0) > 0) {
    const cost = page.length * (quota.msPerRow ?? 0) + (performance.now() - call.startedAt)
    if (cost > (quota.limitMs ?? TABLE_API_QUOTA_MS)) return failure(QUOTA_STATUS, TRANSACTION_CANCELLED)
  }
  const readable = page.filter((row) => canReadRow(caller, table, row))
  if (version === "v1" && readable.length === 0) return failure(404, NO_RECORD)
  const headers: Record<string, string> = {}
  if (!bool(query.sysparm_no_count)) headers["x-total-count"] = String(matched.length)
  const link = bool(query.sysparm_suppress_pagination_header)
    ? undefined
    : linkHeader(instance, url, offset, limit, matched.length)
  if (link !== undefined) headers.link = link
  const options = renderOptions(query)
  return result(
    200,
    readable.map((row) => renderRecord(instance, table, row, options)),
    headers,
  )
}

/** Selections kept per instance until its next write: paging through a large table filters and sorts once. */
interface Selections {
  readonly writes: number
  readonly byQuery: Map<string, ReadonlyArray<Row>>
}

const SELECTIONS_KEPT = 32
const selections = new WeakMap<Instance, Selections>()

/** Rows of `table` matching a query, in query order. */
export const select = (instance: Instance, table: string, query: EncodedQuery): ReadonlyArray<Row> => {
  let kept = selections.get(instance)
  if (kept === undefined || kept.writes !== instance.writes()) {
    kept = { writes: instance.writes(), byQuery: new Map() }
    selections.set(instance, kept)
  }
  const key = `${table}\u0000${JSON.stringify(query)}`
  const hit = kept.byQuery.get(key)
  if (hit !== undefined) return hit
  const get = (row: Row, field: string) => valueAt(instance, table, row, field)
  const rows = [...instance.rows(table).values()].filter((row) =>
    matchesQuery(query, (field) => get(row, field)),
  )
  const sorted = sortRecords(rows, query.orderBy, get)
  if (kept.byQuery.size >= SELECTIONS_KEPT) kept.byQuery.clear()
  kept.byQuery.set(key, sorted)
  return sorted
}

const location = (instance: Instance, url: URL, sysId: string) =>
  `https://${instance.host}${url.pathname.replace(/\/$/, "")}/${sysId}`

/** Handles one Table API call. */
export const handleTable = (call: TableCall): EmulatorResponse => {
  const { instance, caller, method, query, url } = call
  const path = parseTablePath(url.pathname)
  if (path === undefined) return failure(400, invalidTable(""))
  const { table, sysId, version } = path
  const tableRow = instance.findBy("sys_db_object", "name", table)
  if (tableRow === undefined) return failure(400, invalidTable(table))
  if (tableRow.ws_access === "false") return failure(403, wsAccessDenied(table))
  const noBody = bool(call.header["x-no-response-body"])
  const by = caller.userName

  if (sysId === undefined) {
    if (method === "GET" || method === "HEAD") {
      const response = list(call, table, version)
      return method === "HEAD" ? { ...response, body: "" } : response
    }
    // POST
    if (!canCreate(caller, table)) return failure(403, INSERT_DENIED)
    const body = (call.body ?? {}) as Record<string, unknown>
    const values = storedValues(instance, table, body, bool(query.sysparm_input_display_value))
    const row = insertRecord(instance, table, values, by, call.writes)
    const headers = { location: location(instance, url, row.sys_id ?? "") }
    if (noBody) return empty(201, headers)
    return result(201, renderRecord(instance, table, row, renderOptions(query)), headers)
  }

  const row = instance.get(table, sysId)
  // Missing and ACL-hidden records look the same: 404 (servicenow-api.md §1.5, PySNC#81).
  if (row === undefined || !canReadRow(caller, table, row)) return failure(404, NO_RECORD)
  switch (method) {
    case "GET":
      return result(200, renderRecord(instance, table, row, renderOptions(query)))
    case "HEAD":
      return { ...result(200, renderRecord(instance, table, row, renderOptions(query))), body: "" }
    case "DELETE":
      if (!canWriteRow(caller, table, row)) return failure(403, DELETE_DENIED)
      deleteRecord(instance, table, sysId)
      return empty(204)
    default: {
      // PUT and PATCH both change only the fields sent ([SN-TABLE]).
      if (!canWriteRow(caller, table, row)) return failure(403, UPDATE_DENIED)
      const body = (call.body ?? {}) as Record<string, unknown>
      const values = storedValues(instance, table, body, bool(query.sysparm_input_display_value))
      const updated = updateRecord(
        instance,
        table,
        sysId,
        values,
        by,
        !bool(query.sysparm_suppress_auto_sys_field),
      )
      if (noBody) return empty(200)
      return result(200, renderRecord(instance, table, updated, renderOptions(query)))
    }
  }
}
