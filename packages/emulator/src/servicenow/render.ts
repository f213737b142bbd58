/**
 * Field paths and record rendering (servicenow-api.md §1.6): stored values as strings, references
 * as `{link, value}` (or the sys_id with `sysparm_exclude_reference_link`), display values with
 * `sysparm_display_value=true|all`, `sysparm_fields` with dot-walking and unknown names ignored.
 * Secret columns are never rendered.
 *
 * @module
 */
import { type Column, isSecretColumn, TABLES } from "./dictionary.ts"
import type { Instance, Row } from "./Instance.ts"

/** `sysparm_display_value`. */
export type DisplayValueMode = "true" | "false" | "all"

/** How to render records. */
export interface RenderOptions {
  /** `sysparm_fields`; all readable columns when undefined. */
  readonly fields: ReadonlyArray<string> | undefined
  readonly displayValue: DisplayValueMode
  readonly excludeReferenceLink: boolean
}

/** The column a (possibly dot-walked) path ends on, with its table, or `undefined` when unknown. */
export const resolvePath = (
  table: string,
  path: string,
): { readonly table: string; readonly column: string; readonly spec: Column } | undefined => {
  const parts = path.split(".")
  let current = table
  for (let index = 0; index < parts.length; index++) {
    const column = parts[index] ?? ""
    const spec = TABLES.get(current)?.columns[column]
    if (spec === undefined) return undefined
    if (index === parts.length - 1) return { table: current, column, spec }
    if (spec.type !== "reference" || spec.reference === undefined) return undefined
    current = spec.reference
  }
  return undefined
}

/** The stored value at a (possibly dot-walked) path; `""` when empty or unreachable. */
export const valueAt = (instance: Instance, table: string, row: Row, path: string): string => {
  const dot = path.indexOf(".")
  if (dot < 0) return row[path] ?? ""
  const column = path.slice(0, dot)
  const target = TABLES.get(table)?.columns[column]?.reference
  if (target === undefined) return ""
  const next = instance.get(target, row[column] ?? "")
  return next === undefined ? "" : valueAt(instance, target, next, path.slice(dot + 1))
}

/** The display value of a reference: the target's display column, else the stored value. */
const referenceDisplay = (instance: Instance, target: string, value: string): string => {
  const definition = TABLES.get(target)
  const row = instance.get(target, value)
  return row === undefined || definition === undefined ? value : (row[definition.display] ?? value)
}

const renderValue = (
  instance: Instance,
  spec: Column,
  value: string,
  options: RenderOptions,
): string | Readonly<Record<string, string>> => {
  if (spec.type === "reference" && spec.reference !== undefined) {
    if (value === "") return ""
    const link = `https://${instance.host}/api/now/table/${spec.reference}/${value}`
    const display = options.displayValue === "false" ? "" : referenceDisplay(instance, spec.reference, value)
    switch (options.displayValue) {
      case "false":
        return options.excludeReferenceLink ? value : { link, value }
      case "true":
        return options.excludeReferenceLink ? display : { display_value: display, link }
      case "all":
        return options.excludeReferenceLink
          ? { display_value: display, value }
          : { display_value: display, value, link }
    }
  }
  return options.displayValue === "all" ? { display_value: value, value } : value
}

/** Renders one record for a response. */
export const renderRecord = (
  instance: Instance,
  table: string,
  row: Row,
  options: RenderOptions,
): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  const columns = TABLES.get(table)?.columns ?? {}
  const paths = options.fields ?? Object.keys(columns)
  for (const path of paths) {
    const resolved = resolvePath(table, path)
    if (resolved === undefined || isSecretColumn(resolved.spec)) continue
    out[path] = renderValue(instance, resolved.spec, valueAt(instance, table, row, path), options)
  }
  return out
}
