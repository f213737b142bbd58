/**
 * OData query options of directory lists, as far as the tools around sn365 use them
 * (entra-graph-msal.md §1.4): `$filter` (`eq`, `in`, `startswith`, lambda `any` on string
 * collections, joined by `and`), `$select`, `$top` (1–999, default 100) with `@odata.nextLink`
 * paging, `$orderby`, `$search`, `$count`, and the advanced-query rule (`ConsistencyLevel:
 * eventual` + `$count=true`).
 *
 * @module
 */
import { odataStringValue } from "./odata.ts"
import { GRAPH_DEFAULT_PAGE_SIZE, GRAPH_MESSAGE } from "./vendor.ts"

type Entity = Readonly<Record<string, unknown>>

/** A parsed `$filter`: a predicate, and whether it is an advanced query. */
export interface Filter {
  readonly test: (entity: Entity) => boolean
  readonly advanced: boolean
}

/** Why a query is refused: `unsupported` → 400 `Request_UnsupportedQuery`, `bad` → 400 `Request_BadRequest`. */
export interface QueryProblem {
  readonly kind: "unsupported" | "bad"
  readonly message: string
}

const STRING = "'((?:[^']|'')*)'"
const lower = (value: unknown) => (typeof value === "string" ? value.toLowerCase() : value)

/** Properties each entity supports in `$filter`, and with which operators (derived from the property docs). */
export interface FilterableProperties {
  readonly resource: string
  /** `eq`/`in` without advanced headers. */
  readonly eq: ReadonlyArray<string>
  /** `startswith` without advanced headers. */
  readonly startsWith: ReadonlyArray<string>
  /** String collections usable with `any(x:x eq '…')`. */
  readonly collections: ReadonlyArray<string>
}

const splitAnd = (filter: string): Array<string> => {
  const parts: Array<string> = []
  let depth = 0
  let quoted = false
  let start = 0
  for (let i = 0; i < filter.length; i++) {
    const c = filter[i]
    if (c === "'") quoted = !quoted
    if (quoted) continue
    if (c === "(") depth++
    if (c === ")") depth--
    if (depth === 0 && /^\s+and\s+/i.test(filter.slice(i)) && /\s/.test(c ?? "")) {
      parts.push(filter.slice(start, i))
      const match = /^\s+and\s+/i.exec(filter.slice(i))
      i += (match?.[0].length ?? 1) - 1
      start = i + 1
    }
  }
  parts.push(filter.slice(start))
  return parts.map((p) => p.trim()).filter((p) => p !== "")
}

/** Parses `$filter`; clauses joined by `and`. */
export const parseFilter = (filter: string, properties: FilterableProperties): Filter | QueryProblem => {
  const tests: Array<(entity: Entity) => boolean> = []
  let advanced = false
  const unsupportedProperty = (name: string): QueryProblem => ({
    kind: "unsupported",
    message: GRAPH_MESSAGE.unsupportedFilter(name, properties.resource),
  })
  for (const clause of splitAnd(filter)) {
    let m = new RegExp(`^(\\w+)\\s+(eq|ne)\\s+(?:${STRING}|(true|false|null))$`, "i").exec(clause)
    if (m !== null) {
      const [, name = "", op = "", text, literal] = m
      if (!properties.eq.includes(name)) return unsupportedProperty(name)
      const value =
        text !== undefined ? odataStringValue(text) : literal === "null" ? null : literal === "true"
      if (op.toLowerCase() === "ne") advanced = true
      const negate = op.toLowerCase() === "ne"
      tests.push((e) => (lower(e[name] ?? null) === lower(value)) !== negate)
      continue
    }
    m = /^(\w+)\s+in\s+\((.*)\)$/i.exec(clause)
    if (m !== null) {
      const [, name = "", list = ""] = m
      if (!properties.eq.includes(name)) return unsupportedProperty(name)
      const values = [...list.matchAll(new RegExp(STRING, "g"))].map((v) =>
        odataStringValue(v[1] ?? "").toLowerCase(),
      )
      tests.push((e) => values.includes(String(lower(e[name]))))
      continue
    }
    m = new RegExp(`^(startswith|endswith)\\((\\w+),\\s*${STRING}\\)$`, "i").exec(clause)
    if (m !== null) {
      const [, fn = "", name = "", text = ""] = m
      if (!properties.startsWith.includes(name)) return unsupportedProperty(name)
      const prefix = odataStringValue(text).toLowerCase()
      if (fn.toLowerCase() === "endswith") {
        advanced = true
        tests.push((e) => typeof e[name] === "string" && (e[name] as string).toLowerCase().endsWith(prefix))
      } else {
        tests.push((e) => typeof e[name] === "string" && (e[name] as string).toLowerCase().startsWith(prefix))
      }
      continue
    }
    m = new RegExp(`^(\\w+)/any\\((\\w+):\\s*(\\w+)\\s+eq\\s+${STRING}\\)$`, "i").exec(clause)
    if (m !== null) {
      const [, name = "", variable = "", used = "", text = ""] = m
      if (variable !== used)
        return { kind: "bad", message: `Invalid filter clause: unknown variable '${used}'.` }
      if (!properties.collections.includes(name)) return unsupportedProperty(name)
      const value = odataStringValue(text)
      tests.push((e) => Array.isArray(e[name]) && (e[name] as Array<unknown>).includes(value))
      continue
    }
    return { kind: "bad", message: `Invalid filter clause: '${clause}' is not supported by the emulator.` }
  }
  return { test: (entity) => tests.every((t) => t(entity)), advanced }
}

/** Applies `$select`; `undefined` keeps everything. Unknown names are a 400 like Graph's. */
export const select = (
  entity: Entity,
  names: ReadonlyArray<string> | undefined,
  typeName: string,
): Entity | QueryProblem => {
  if (names === undefined || names.length === 0) return entity
  const out: Record<string, unknown> = {}
  for (const raw of names) {
    const name = raw.trim()
    if (!(name in entity)) {
      return {
        kind: "bad",
        message: `Could not find a property named '${name}' on type 'microsoft.graph.${typeName}'.`,
      }
    }
    out[name] = entity[name]
  }
  return out
}

/** Paging state carried in `$skiptoken`. */
const encodeSkip = (offset: number) => Buffer.from(JSON.stringify({ o: offset })).toString("base64url")
const decodeSkip = (token: string): number | undefined => {
  try {
    const value = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { o?: unknown }
    return typeof value.o === "number" && value.o >= 0 ? value.o : undefined
  } catch {
    return undefined
  }
}

/** One page of `items` and the `@odata.nextLink` of the next one. */
export const page = <A>(
  items: ReadonlyArray<A>,
  url: URL,
  top: number | undefined,
): { readonly value: ReadonlyArray<A>; readonly nextLink: string | undefined } | QueryProblem => {
  const size = top ?? GRAPH_DEFAULT_PAGE_SIZE
  const token = url.searchParams.get("$skiptoken")
  const offset = token === null ? 0 : decodeSkip(token)
  if (offset === undefined) return { kind: "bad", message: "Invalid $skiptoken value." }
  const value = items.slice(offset, offset + size)
  if (offset + size >= items.length) return { value, nextLink: undefined }
  const next = new URL(url)
  next.searchParams.set("$skiptoken", encodeSkip(offset + size))
  return { value, nextLink: next.toString() }
}

/** Whether `value` is a {@link QueryProblem}. */
export const isProblem = (value: unknown): value is QueryProblem =>
  typeof value === "object" && value !== null && "kind" in value && "message" in value && !("test" in value)
