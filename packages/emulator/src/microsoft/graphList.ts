/**
 * `GET /applications` and `GET /servicePrincipals`: filter, advanced-query rule, order, search,
 * count, select and paging over rendered entities.
 *
 * @module
 */
import type { EmulatorResponse } from "../server/http.ts"
import { type GraphCall, queryProblem } from "./graphCall.ts"
import { type FilterableProperties, isProblem, page, parseFilter, select } from "./graphQuery.ts"
import { graphJson, odataError } from "./odata.ts"
import {
  GRAPH_ERROR,
  GRAPH_MAX_PAGE_SIZE,
  GRAPH_MESSAGE,
  GRAPH_RESOURCE,
  GRAPH_VERSION_PATH,
} from "./vendor.ts"

type Entity = Readonly<Record<string, unknown>>

/** A list response for `entities` (already limited to what the caller may see). */
export const listResponse = (
  call: GraphCall,
  entities: ReadonlyArray<Entity>,
  options: { readonly set: string; readonly typeName: string; readonly filterable: FilterableProperties },
): EmulatorResponse => {
  const rawTop = call.url.searchParams.get("$top")
  if (rawTop !== null && !(Number(rawTop) >= 1 && Number(rawTop) <= GRAPH_MAX_PAGE_SIZE)) {
    return odataError(call.context, 400, GRAPH_ERROR.badRequest, GRAPH_MESSAGE.pageSize(rawTop))
  }
  const eventual = (call.headers.consistencylevel ?? "").toLowerCase() === "eventual"
  const count = call.query.$count === true
  const filterText = typeof call.query.$filter === "string" ? call.query.$filter : undefined
  const orderby = Array.isArray(call.query.$orderby) ? (call.query.$orderby as Array<string>) : undefined
  const search = typeof call.query.$search === "string" ? call.query.$search : undefined

  let items = [...entities]
  let advanced =
    search !== undefined ||
    call.query.$count !== undefined ||
    (orderby !== undefined && filterText !== undefined)
  if (filterText !== undefined) {
    const filter = parseFilter(filterText, options.filterable)
    if (isProblem(filter)) return queryProblem(call, filter)
    advanced ||= filter.advanced
    items = items.filter(filter.test)
  }
  if (advanced && !(eventual && count)) {
    return odataError(call.context, 400, GRAPH_ERROR.unsupportedQuery, GRAPH_MESSAGE.advancedQuery)
  }
  if (search !== undefined) {
    const match = /^"?(\w+):([^"]*)"?$/.exec(search.trim())
    if (match?.[1] === undefined)
      return queryProblem(call, { kind: "bad", message: `Invalid $search '${search}'.` })
    const [, property, term = ""] = match
    items = items.filter((e) =>
      String(e[property] ?? "")
        .toLowerCase()
        .includes(term.toLowerCase()),
    )
  }
  for (const clause of [...(orderby ?? [])].reverse()) {
    const [property = "", direction = "asc"] = clause.trim().split(/\s+/)
    if (!options.filterable.eq.includes(property)) {
      return queryProblem(call, {
        kind: "unsupported",
        message: `Sorting by '${property}' is not supported.`,
      })
    }
    const sign = direction.toLowerCase() === "desc" ? -1 : 1
    items.sort((a, b) => sign * String(a[property] ?? "").localeCompare(String(b[property] ?? "")))
  }
  const names = Array.isArray(call.query.$select) ? (call.query.$select as Array<string>) : undefined
  const paged = page(items, call.url, rawTop === null ? undefined : Number(rawTop))
  if (isProblem(paged)) return queryProblem(call, paged)
  const value: Array<Entity> = []
  for (const entity of paged.value) {
    const selected = select(entity, names, options.typeName)
    if (isProblem(selected)) return queryProblem(call, selected)
    value.push(selected)
  }
  const context = `${GRAPH_RESOURCE}${GRAPH_VERSION_PATH}/$metadata#${options.set}${names === undefined ? "" : `(${names.join(",")})`}`
  return graphJson(
    call.context,
    200,
    {
      "@odata.context": context,
      ...(count ? { "@odata.count": items.length } : {}),
      ...(paged.nextLink === undefined ? {} : { "@odata.nextLink": paged.nextLink }),
      value,
    },
    { "x-ms-resource-unit": "2" },
  )
}

/** One entity with `$select` applied and its `@odata.context`. */
export const entityResponse = (
  call: GraphCall,
  entity: Entity,
  options: { readonly set: string; readonly typeName: string; readonly status?: number },
): EmulatorResponse => {
  const names = Array.isArray(call.query.$select) ? (call.query.$select as Array<string>) : undefined
  const selected = select(entity, names, options.typeName)
  if (isProblem(selected)) return queryProblem(call, selected)
  const suffix = names === undefined ? "" : `(${names.join(",")})`
  return graphJson(call.context, options.status ?? 200, {
    "@odata.context": `${GRAPH_RESOURCE}${GRAPH_VERSION_PATH}/$metadata#${options.set}${suffix}/$entity`,
    ...selected,
  })
}
