/**
 * The Aggregate API, `GET /api/now/stats/{tableName}` (servicenow-api.md §4.2, [SN-AGG]): count,
 * avg/min/max/sum and group-by over the records an encoded query selects and the caller may read;
 * every number a string.
 *
 * @module
 */
import type { EmulatorResponse } from "../server/http.ts"
import { type Caller, canReadField, canReadRow } from "./acl.ts"
import { failure, result } from "./envelope.ts"
import type { Instance, Row } from "./Instance.ts"
import { dropUnknownFields, parseEncodedQuery } from "./query.ts"
import { resolvePath, valueAt } from "./render.ts"
import { select } from "./table.ts"
import { AGGREGATE_PATH, invalidTable, PROPERTY, QUERY_DENIED } from "./vendor.ts"

const fieldList = (value: unknown): ReadonlyArray<string> =>
  Array.isArray(value) ? (value as Array<string>) : []

const numbers = (instance: Instance, table: string, rows: ReadonlyArray<Row>, field: string) =>
  rows.map((row) => Number(valueAt(instance, table, row, field))).filter((n) => Number.isFinite(n))

const format = (n: number) => String(Number.isInteger(n) ? n : Number(n.toFixed(4)))

/** The `stats` object of a set of rows. */
const stats = (
  instance: Instance,
  table: string,
  rows: ReadonlyArray<Row>,
  query: Readonly<Record<string, unknown>>,
): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  if (query.sysparm_count === true) out.count = String(rows.length)
  const per = (name: string, reduce: (values: ReadonlyArray<number>) => number | undefined) => {
    const fields = fieldList(query[`sysparm_${name}_fields`])
    if (fields.length === 0) return
    out[name] = Object.fromEntries(
      fields.map((field) => {
        const value = reduce(numbers(instance, table, rows, field))
        return [field, value === undefined ? "" : format(value)]
      }),
    )
  }
  const sum = (values: ReadonlyArray<number>) => values.reduce((a, b) => a + b, 0)
  per("avg", (values) => (values.length === 0 ? undefined : sum(values) / values.length))
  per("min", (values) => (values.length === 0 ? undefined : Math.min(...values)))
  per("max", (values) => (values.length === 0 ? undefined : Math.max(...values)))
  per("sum", sum)
  return out
}

/** Handles a validated Aggregate API call. */
export const handleAggregate = (
  instance: Instance,
  caller: Caller,
  url: URL,
  query: Readonly<Record<string, unknown>>,
): EmulatorResponse => {
  const table = decodeURIComponent(AGGREGATE_PATH.exec(url.pathname)?.[1] ?? "")
  if (instance.findBy("sys_db_object", "name", table) === undefined) return failure(400, invalidTable(table))
  const parsed = parseEncodedQuery(typeof query.sysparm_query === "string" ? query.sysparm_query : "")
  const used = [...parsed.groups.flat(2).map((c) => c.field), ...fieldList(query.sysparm_group_by)]
  for (const field of used) {
    const resolved = resolvePath(table, field)
    if (resolved !== undefined && !canReadField(resolved.table, resolved.column))
      return failure(403, QUERY_DENIED)
  }
  const { query: known, dropped } = dropUnknownFields(
    parsed,
    (field) => resolvePath(table, field) !== undefined,
  )
  const noRows =
    (dropped.length > 0 || parsed.invalid.length > 0) &&
    instance.property(PROPERTY.invalidQueryReturnsNoRows) === "true"
  const rows = noRows ? [] : select(instance, table, known).filter((row) => canReadRow(caller, table, row))
  const groupBy = fieldList(query.sysparm_group_by).filter((field) => resolvePath(table, field) !== undefined)
  if (groupBy.length === 0) return result(200, { stats: stats(instance, table, rows, query) })
  const groups = new Map<string, Array<Row>>()
  for (const row of rows) {
    const key = JSON.stringify(groupBy.map((field) => valueAt(instance, table, row, field)))
    const group = groups.get(key)
    if (group === undefined) groups.set(key, [row])
    else group.push(row)
  }
  return result(
    200,
    [...groups].map(([key, members]) => ({
      stats: stats(instance, table, members, query),
      groupby_fields: (JSON.parse(key) as Array<string>).map((value, index) => ({
        field: groupBy[index],
        value,
      })),
    })),
  )
}
