/**
 * Record types: which tables are typed (from `specs/servicenow/table.yaml`), what a table's records
 * and writes look like, and how `sysparm_fields`, `sysparm_display_value` and
 * `sysparm_exclude_reference_link` change the shape of what a read returns.
 *
 * @module
 */
import type { Redacted } from "effect"
import type { components } from "./generated/table.ts"

/** Every record's key. */
type SYS_ID = "sys_id"

type Schemas = components["schemas"]

/** The tables with typed records: `oauth_entity`, `sys_user`, `incident`… */
export type KnownTable = keyof Schemas["TableRecords"]

/** A reference field as read with default parameters: `{ link, value }`. */
export type Reference = Schemas["Reference"]

/** A field read with `displayValue: "all"` (references also carry `link`). */
export type DisplayValue = Schemas["DisplayValue"]

/** Any field value the Table API returns. */
export type FieldValue = Schemas["FieldValue"]

/** A record of a table without a typed schema: every value a string (references as sys_ids). */
export type UntypedRecord = Readonly<Record<string, string>>

/**
 * The record type of a table as stored values with reference links (the spec's shape): typed for
 * {@link KnownTable}s, {@link UntypedRecord} otherwise.
 *
 * @example
 * ```ts
 * type User = RecordOf<"sys_user"> // { user_name?: string; manager?: string | Reference; … }
 * ```
 */
export type RecordOf<T extends string> = T extends KnownTable ? Schemas["TableRecords"][T] : UntypedRecord

/** The writable fields of a table: strings only, a reference written as the target's sys_id. */
export type WriteOf<T extends string> = T extends KnownTable
  ? Schemas["TableWrites"][T]
  : Readonly<Record<string, string>>

/** A value to write: a string, or a `Redacted` string for passwords and secrets (kept redacted up to the wire). */
export type WriteValue = string | Redacted.Redacted<string>

/** A write body: any subset of `W`'s fields, each a {@link WriteValue}; `undefined` fields are left out. */
export type WriteInput<W> = { readonly [K in keyof W]?: WriteValue | undefined }

/** The field names of a record type, for queries and `fields`. Dot-walked paths (`caller_id.email`) are allowed too. */
export type FieldName<R> = (keyof R & string) | `${keyof R & string}.${string}`

/** `sysparm_display_value`: stored values (`false`), display values (`true`) or both (`"all"`). */
export type DisplayValueMode = boolean | "all"

type RenderField<V, D extends DisplayValueMode, X extends boolean> = [D] extends ["all"]
  ? DisplayValue
  : [D] extends [true]
    ? X extends true
      ? string
      : Exclude<V, Reference | undefined> extends string
        ? string
        : string | DisplayValue
    : X extends true
      ? Exclude<V, Reference>
      : V

type Selected<R, F extends string> = string extends F
  ? R
  : { readonly [K in F]?: K extends keyof R ? R[K] : FieldValue }

/**
 * What a read returns for record type `R` with fields `F`, display-value mode `D` and
 * `excludeReferenceLink` `X`:
 *
 * - `fields` narrows the record to those fields;
 * - `excludeReferenceLink: true` (the default) turns references into sys_id strings;
 * - `displayValue: true` turns every value into its display string; `"all"` into `{ display_value, value }`;
 * - `sys_id`, when read, is always there: every record has one and it is always readable.
 *
 * @example
 * ```ts
 * type Row = Rendered<RecordOf<"sys_user">, "user_name" | "manager", false, true>
 * // { readonly user_name?: string; readonly manager?: string }
 * ```
 */
export type Rendered<R, F extends string, D extends DisplayValueMode, X extends boolean> = {
  readonly [K in keyof Selected<R, F> as K extends SYS_ID ? never : K]: RenderField<Selected<R, F>[K], D, X>
} & (SYS_ID extends keyof Selected<R, F> ? { readonly sys_id: RenderField<string, D, X> } : unknown)
