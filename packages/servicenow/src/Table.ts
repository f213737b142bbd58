/**
 * One table through the Table API, on explicit `v2` URLs (servicenow-api.md §1): read, list (a lazy
 * stream over every page), create, update (PATCH), replace (PUT), delete.
 *
 * Passwords and encrypted fields (`sys_user.user_password`, `oauth_entity.client_secret`) are only
 * stored correctly with `sysparm_input_display_value=true` (servicenow-api.md §3.5). Writes handle
 * this by themselves: such fields are written in a separate PATCH with that flag, so the other
 * fields keep their stored-value meaning (see {@link WriteOptions.inputDisplayValue}).
 *
 * @module
 */
import { Effect, Option, Redacted, Stream } from "effect"
import type { ServiceNowError } from "./Errors.ts"
import { type Deps, send } from "./internal/Http.ts"
import { listRecords } from "./internal/listPages.ts"
import { asksForSysId, listBody, recordBody } from "./internal/shape.ts"
import { isOrdered, type Query } from "./Query.ts"
import type { DisplayValueMode, FieldName, FieldValue, Rendered, WriteInput, WriteValue } from "./Records.ts"
import {
  INPUT_DISPLAY_VALUE_FIELDS,
  ORDER_BY,
  QUERY_SEPARATOR,
  SYS_ID,
  TABLE_API_VERSION,
  TOTAL_COUNT_HEADER,
} from "./vendor.ts"

/** Default page size of {@link TableAccessor.list}: moderate, well under the 60 s Table API quota (servicenow-api.md §1.8). */
export const DEFAULT_PAGE_SIZE = 500

/** Page size of {@link TableAccessor.first}: one round trip unless ACLs hide the first matches. */
const FIRST_PAGE_SIZE = 10

/** How records are read back (every read and write accepts these). */
export interface ReadOptions<R, F extends string, D extends DisplayValueMode, X extends boolean> {
  /** Only these fields (`sysparm_fields`, comma-joined); narrows the record type. Default: all. */
  readonly fields?: ReadonlyArray<F & FieldName<R>> | undefined
  /** `sysparm_display_value`: stored values (`false`, default), display values (`true`) or both (`"all"`). */
  readonly displayValue?: D | undefined
  /** `sysparm_exclude_reference_link`: references as sys_id strings. Default `true` (ServiceNow's default is `false`). */
  readonly excludeReferenceLink?: X | undefined
}

/** Options of {@link TableAccessor.list}. */
export interface ListOptions<R, F extends string, D extends DisplayValueMode, X extends boolean>
  extends ReadOptions<R, F, D, X> {
  /** An encoded query: a {@link Query} (escaped) or a string (sent as is). Default: every record. */
  readonly query?: Query<R> | string | undefined
  /** Records per request (`sysparm_limit`). Default 500. Halved automatically when the transaction quota cancels a page. */
  readonly pageSize?: number | undefined
  /**
   * `sysparm_no_count`: skip the count. Without the count and with `suppressPaginationHeader`, only an
   * empty page can end the list — ACL-filtered empty pages then end it early. Default `false`.
   */
  readonly noCount?: boolean | undefined
  /** `sysparm_suppress_pagination_header`: no `Link` header (pagination then uses the count). Default `false`. */
  readonly suppressPaginationHeader?: boolean | undefined
}

/** Options of writes. */
export interface WriteOptions<R, F extends string, D extends DisplayValueMode, X extends boolean>
  extends ReadOptions<R, F, D, X> {
  /**
   * `sysparm_input_display_value` for the whole write. Leave it unset: password and encrypted fields
   * are then written in a second PATCH with the flag and everything else as stored values. `true`
   * sends every field as a display value in one request (dates in the user's time zone, choices by
   * label); `false` sends every field raw — a password written so can never be used to sign in.
   */
  readonly inputDisplayValue?: boolean | undefined
}

/** `R` as read with options `F`, `D`, `X`. */
type Out<R, F extends string, D extends DisplayValueMode, X extends boolean> = Rendered<R, F, D, X>

/**
 * Typed access to one table. `R` is the record type, `W` the writable fields.
 *
 * @example
 * ```ts
 * const users = client.table("sys_user")
 * const user = yield* users.first({ query: Query.make<RecordOf<"sys_user">>().eq("user_name", "admin"), fields: ["sys_id", "email"] })
 * ```
 */
export interface TableAccessor<R, W = Readonly<Record<string, string>>> {
  /** The table name. */
  readonly name: string
  /** One record by sys_id; `NotFound` when it does not exist or an ACL hides it. */
  get<F extends string = keyof R & string, D extends DisplayValueMode = false, X extends boolean = true>(
    sysId: string,
    options?: ReadOptions<R, F, D, X>,
  ): Effect.Effect<Out<R, F, D, X>, ServiceNowError>
  /** Every matching record, page by page, lazily, in a stable order (`ORDERBYsys_id` unless the query orders). */
  list<F extends string = keyof R & string, D extends DisplayValueMode = false, X extends boolean = true>(
    options?: ListOptions<R, F, D, X>,
  ): Stream.Stream<Out<R, F, D, X>, ServiceNowError>
  /** The first matching record, or `undefined`: one request unless ACLs hide the first matches. */
  first<F extends string = keyof R & string, D extends DisplayValueMode = false, X extends boolean = true>(
    options?: Omit<ListOptions<R, F, D, X>, "pageSize">,
  ): Effect.Effect<Out<R, F, D, X> | undefined, ServiceNowError>
  /** How many records match (`X-Total-Count` of a one-record page). */
  count(options?: { readonly query?: Query<R> | string | undefined }): Effect.Effect<number, ServiceNowError>
  /** Creates a record (POST; never retried unless the server provably did not process it). */
  create<F extends string = keyof R & string, D extends DisplayValueMode = false, X extends boolean = true>(
    record: WriteInput<W>,
    options?: WriteOptions<R, F, D, X>,
  ): Effect.Effect<Out<R, F, D, X>, ServiceNowError>
  /** Changes the given fields (PATCH). */
  update<F extends string = keyof R & string, D extends DisplayValueMode = false, X extends boolean = true>(
    sysId: string,
    patch: WriteInput<W>,
    options?: WriteOptions<R, F, D, X>,
  ): Effect.Effect<Out<R, F, D, X>, ServiceNowError>
  /** Changes the given fields (PUT, retried as idempotent); the response holds every field. */
  replace<F extends string = keyof R & string, D extends DisplayValueMode = false, X extends boolean = true>(
    sysId: string,
    record: WriteInput<W>,
    options?: WriteOptions<R, F, D, X>,
  ): Effect.Effect<Out<R, F, D, X>, ServiceNowError>
  /** Deletes a record (204). */
  delete(sysId: string): Effect.Effect<void, ServiceNowError>
}

type AnyRecord = Readonly<Record<string, FieldValue>>

const displayParam = (mode: DisplayValueMode | undefined): "true" | "false" | "all" =>
  mode === "all" ? "all" : mode === true ? "true" : "false"

interface ReadParams {
  readonly sysparm_fields?: Array<string>
  readonly sysparm_display_value: "true" | "false" | "all"
  readonly sysparm_exclude_reference_link: boolean
}

/** The options as the implementation sees them, whatever the record type. */
interface LooseOptions {
  readonly fields?: ReadonlyArray<string> | undefined
  readonly displayValue?: DisplayValueMode | undefined
  readonly excludeReferenceLink?: boolean | undefined
  readonly inputDisplayValue?: boolean | undefined
}

const readParams = (options: LooseOptions = {}): ReadParams => ({
  ...(options.fields === undefined ? {} : { sysparm_fields: [...options.fields] }),
  sysparm_display_value: displayParam(options.displayValue),
  sysparm_exclude_reference_link: options.excludeReferenceLink ?? true,
})

/**
 * The encoded query of a list, with `ORDERBYsys_id` added unless it orders itself.
 *
 * @internal
 */
export const stableQuery = (query: Query<unknown> | string | undefined): string => {
  const text = query === undefined ? "" : query.toString()
  if (query !== undefined && isOrdered(query)) return text
  return [text, `${ORDER_BY}${SYS_ID}`].filter((part) => part !== "").join(QUERY_SEPARATOR)
}

/** A write body split into plain fields and those needing `sysparm_input_display_value=true`. */
interface SplitBody {
  readonly plain: Record<string, string>
  readonly displayValued: Record<string, string>
  readonly secrets: ReadonlyArray<string>
}

const splitBody = (table: string, body: Readonly<Record<string, WriteValue | undefined>>): SplitBody => {
  const special = new Set(INPUT_DISPLAY_VALUE_FIELDS[table] ?? [])
  const plain: Record<string, string> = {}
  const displayValued: Record<string, string> = {}
  const secrets: Array<string> = []
  for (const [name, value] of Object.entries(body)) {
    if (value === undefined) continue
    const text = Redacted.isRedacted(value) ? Redacted.value(value) : value
    if (Redacted.isRedacted(value) || special.has(name)) secrets.push(text)
    if (special.has(name)) displayValued[name] = text
    else plain[name] = text
  }
  return { plain, displayValued, secrets }
}

const isEmpty = (record: Record<string, string>) => Object.keys(record).length === 0

/**
 * The accessor of one table.
 *
 * @internal
 */
export const makeTable = <R, W>(deps: Deps, table: string): TableAccessor<R, W> => {
  const path = { api_version: TABLE_API_VERSION, tableName: table } as const
  const one = { ...path, sys_id: "" }

  type WriteMethod = "POST" | "PATCH" | "PUT"
  const write = (
    method: WriteMethod,
    sysId: string | undefined,
    body: Record<string, string>,
    query: ReadParams & { readonly sysparm_input_display_value?: boolean },
    secrets: ReadonlyArray<string>,
  ): Effect.Effect<AnyRecord, ServiceNowError> => {
    const operation = method === "POST" ? "create" : "update"
    return Effect.map(
      send(
        deps,
        { operation, table },
        (signal, headers) => {
          const init = { headers, signal, body }
          if (method === "POST")
            return deps.apis.table.POST("/api/now/{api_version}/table/{tableName}", {
              ...init,
              params: { path, query },
            })
          const params = { path: { ...one, sys_id: sysId ?? "" }, query }
          return method === "PUT"
            ? deps.apis.table.PUT("/api/now/{api_version}/table/{tableName}/{sys_id}", { ...init, params })
            : deps.apis.table.PATCH("/api/now/{api_version}/table/{tableName}/{sys_id}", { ...init, params })
        },
        { secrets, validate: recordBody(asksForSysId(query.sysparm_fields)) },
      ),
      (result) => result.data.result as AnyRecord,
    )
  }

  const writeRecord = (
    method: WriteMethod,
    sysId: string | undefined,
    input: Readonly<Record<string, WriteValue | undefined>>,
    options: LooseOptions = {},
  ): Effect.Effect<AnyRecord, ServiceNowError> => {
    const read = readParams(options)
    const { plain, displayValued, secrets } = splitBody(table, input)
    if (options.inputDisplayValue !== undefined) {
      const all = { ...plain, ...displayValued }
      return write(
        method,
        sysId,
        all,
        { ...read, sysparm_input_display_value: options.inputDisplayValue },
        secrets,
      )
    }
    if (isEmpty(displayValued)) return write(method, sysId, plain, read, secrets)
    // Secrets go in their own PATCH with sysparm_input_display_value=true (servicenow-api.md §3.1, §3.5).
    const setSecrets = (id: string) =>
      write("PATCH", id, displayValued, { ...read, sysparm_input_display_value: true }, secrets)
    if (method !== "POST" && isEmpty(plain)) return setSecrets(sysId ?? "")
    return Effect.flatMap(
      write(method, sysId, plain, { ...readParams({}), sysparm_fields: [SYS_ID] }, secrets),
      (created) => setSecrets(typeof created.sys_id === "string" ? created.sys_id : (sysId ?? "")),
    )
  }

  const list = (options: ListOptions<R, string, DisplayValueMode, boolean> = {}) =>
    listRecords(deps, table, {
      sysparm_query: stableQuery(options.query as Query<unknown> | string | undefined),
      sysparm_fields: options.fields,
      sysparm_limit: Math.max(1, Math.floor(options.pageSize ?? DEFAULT_PAGE_SIZE)),
      sysparm_display_value: displayParam(options.displayValue),
      sysparm_exclude_reference_link: options.excludeReferenceLink ?? true,
      sysparm_no_count: options.noCount ?? false,
      sysparm_suppress_pagination_header: options.suppressPaginationHeader ?? false,
    })

  // The casts below are where the spec's generic `AnyRecord` becomes the table's record type: the
  // request parameters (fields, display values, reference links) decide the shape, as `Rendered` says.
  return {
    name: table,
    get: (sysId, options) =>
      Effect.map(
        send(
          deps,
          { operation: "read", table },
          (signal, headers) =>
            deps.apis.table.GET("/api/now/{api_version}/table/{tableName}/{sys_id}", {
              params: { path: { ...one, sys_id: sysId }, query: readParams(options) },
              headers,
              signal,
            }),
          { validate: recordBody(asksForSysId(options?.fields)) },
        ),
        (result) => result.data.result as never,
      ),
    list: (options) => list(options) as never,
    first: (options) =>
      Effect.map(Stream.runHead(Stream.take(list({ ...options, pageSize: FIRST_PAGE_SIZE }), 1)), (head) =>
        Option.getOrUndefined(head),
      ) as never,
    count: (options = {}) =>
      Effect.map(
        send(
          deps,
          { operation: "list", table },
          (signal, headers) =>
            deps.apis.table.GET("/api/now/{api_version}/table/{tableName}", {
              params: {
                path,
                query: {
                  sysparm_query: options.query === undefined ? "" : options.query.toString(),
                  sysparm_fields: [SYS_ID],
                  sysparm_limit: 1,
                  sysparm_suppress_pagination_header: true,
                },
              },
              headers,
              signal,
            }),
          { validate: listBody(true) },
        ),
        (result) => Number(result.response.headers.get(TOTAL_COUNT_HEADER) ?? result.data.result.length),
      ),
    create: (record, options) =>
      writeRecord("POST", undefined, record as Record<string, WriteValue>, options) as never,
    update: (sysId, patch, options) =>
      writeRecord("PATCH", sysId, patch as Record<string, WriteValue>, options) as never,
    replace: (sysId, record, options) =>
      writeRecord("PUT", sysId, record as Record<string, WriteValue>, options) as never,
    delete: (sysId) =>
      Effect.asVoid(
        send(deps, { operation: "delete", table }, (signal, headers) =>
          deps.apis.table.DELETE("/api/now/{api_version}/table/{tableName}/{sys_id}", {
            params: { path: { ...one, sys_id: sysId } },
            headers,
            signal,
          }),
        ),
      ),
  }
}
