/**
 * The Batch API, `POST /api/now/v1/batch` (servicenow-api.md §4.1): many requests in few round
 * trips. Items are sent in chunks, bodies Base64-encoded; each result or error is mapped back to its
 * item by id; items ServiceNow leaves unserviced (the 30 s batch quota) are sent again, a bounded
 * number of times.
 *
 * @module
 */
import { httpErrorFromResponse, isSecretName } from "@sn365/core"
import { Clock, Effect, Redacted } from "effect"
import { BatchItemUnserviced, type ServiceNowError } from "./Errors.ts"
import type { components } from "./generated/batch.ts"
import { type Operation, toServiceNowError } from "./internal/errorMapping.ts"
import { type Deps, send } from "./internal/Http.ts"
import { batchBody } from "./internal/shape.ts"
import type { Query } from "./Query.ts"
import type { WriteInput, WriteValue } from "./Records.ts"
import { stableQuery } from "./Table.ts"
import {
  BATCH_PATH,
  BATCH_UNSERVICED_RESENDS,
  INPUT_DISPLAY_VALUE_FIELDS,
  TABLE_API_VERSION,
} from "./vendor.ts"

/** Items per Batch API request unless `chunkSize` says otherwise. */
export const DEFAULT_BATCH_CHUNK_SIZE = 50

/** Rows of a {@link BatchItem.list} item unless `limit` says otherwise. */
export const DEFAULT_BATCH_LIST_LIMIT = 100

/** Options of a batch call. */
export interface BatchOptions {
  /** Items per Batch API request (default 50): ServiceNow runs them one after another, within its 30 s batch quota. */
  readonly chunkSize?: number | undefined
  /**
   * Batch requests in flight at once (default 1: one after another, so every item runs in input
   * order). Raise it for independent items — role grants, for instance — to overlap the round trips
   * of several chunks; keep it small, they share the instance's API threads and rate limits.
   */
  readonly concurrency?: number | undefined
}

/** A method a batch item may use. */
export type BatchMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE"

/**
 * One request of a batch. Build Table API items with the {@link BatchItem} constructors, or write
 * your own: `url` is relative to the instance (`/api/now/v2/table/incident?sysparm_limit=1`).
 */
export interface BatchItem {
  /** Unique within the call; default: the item's position (`"0"`, `"1"`…). */
  readonly id?: string | undefined
  readonly method: BatchMethod
  readonly url: string
  /** JSON body (POST, PUT, PATCH); sent Base64-encoded. `Redacted` values are revealed only on the wire. */
  readonly body?: Readonly<Record<string, WriteValue>> | undefined
}

const tableUrl = (table: string, sysId?: string, query: Record<string, string> = {}) => {
  const path = `/api/now/${TABLE_API_VERSION}/table/${encodeURIComponent(table)}${sysId === undefined ? "" : `/${encodeURIComponent(sysId)}`}`
  const search = new URLSearchParams(query).toString()
  return search === "" ? path : `${path}?${search}`
}

/** Options of the Table API item constructors. */
export interface BatchWriteOptions {
  /** Item id; default its position. */
  readonly id?: string | undefined
  /**
   * `sysparm_input_display_value`. Default: `true` when the body holds a password or encrypted
   * field (a batch item cannot be split in two writes), `false` otherwise.
   */
  readonly inputDisplayValue?: boolean | undefined
  /** `sysparm_fields` of the response. */
  readonly fields?: ReadonlyArray<string> | undefined
}

const writeQuery = (table: string, body: Readonly<Record<string, unknown>>, options: BatchWriteOptions) => {
  const special = INPUT_DISPLAY_VALUE_FIELDS[table] ?? []
  const displayValue = options.inputDisplayValue ?? Object.keys(body).some((name) => special.includes(name))
  return {
    sysparm_exclude_reference_link: "true",
    ...(displayValue ? { sysparm_input_display_value: "true" } : {}),
    ...(options.fields === undefined ? {} : { sysparm_fields: options.fields.join(",") }),
  }
}

const defined = (body: Readonly<Record<string, WriteValue | undefined>>): Record<string, WriteValue> =>
  Object.fromEntries(
    Object.entries(body).filter((entry): entry is [string, WriteValue] => entry[1] !== undefined),
  )

/**
 * Constructors of Table API batch items (explicit `v2` URLs, references as sys_ids).
 *
 * @example
 * ```ts
 * const items = users.map((user) => BatchItem.create("sys_user_has_role", { user, role }, { id: user }))
 * const results = yield* client.batch(items)
 * ```
 */
export const BatchItem = {
  /** GET one record. */
  get: (
    table: string,
    sysId: string,
    options: Omit<BatchWriteOptions, "inputDisplayValue"> = {},
  ): BatchItem => ({
    id: options.id,
    method: "GET",
    url: tableUrl(table, sysId, {
      sysparm_exclude_reference_link: "true",
      ...(options.fields === undefined ? {} : { sysparm_fields: options.fields.join(",") }),
    }),
  }),
  /**
   * GET one page of a list (`sysparm_limit`, default 100): a batch does not paginate. The query is
   * ordered by sys_id unless it orders itself, as `table.list` does.
   */
  list: (
    table: string,
    options: {
      readonly id?: string | undefined
      readonly query?: Query<unknown> | string | undefined
      readonly fields?: ReadonlyArray<string> | undefined
      readonly limit?: number | undefined
    } = {},
  ): BatchItem => ({
    id: options.id,
    method: "GET",
    url: tableUrl(table, undefined, {
      sysparm_query: stableQuery(options.query),
      sysparm_exclude_reference_link: "true",
      sysparm_limit: String(options.limit ?? DEFAULT_BATCH_LIST_LIMIT),
      ...(options.fields === undefined ? {} : { sysparm_fields: options.fields.join(",") }),
    }),
  }),
  /** POST a record. */
  create: <W = Readonly<Record<string, string>>>(
    table: string,
    record: WriteInput<W>,
    options: BatchWriteOptions = {},
  ): BatchItem => {
    const body = defined(record as Record<string, WriteValue | undefined>)
    return {
      id: options.id,
      method: "POST",
      url: tableUrl(table, undefined, writeQuery(table, body, options)),
      body,
    }
  },
  /** PATCH a record. */
  update: <W = Readonly<Record<string, string>>>(
    table: string,
    sysId: string,
    patch: WriteInput<W>,
    options: BatchWriteOptions = {},
  ): BatchItem => {
    const body = defined(patch as Record<string, WriteValue | undefined>)
    return {
      id: options.id,
      method: "PATCH",
      url: tableUrl(table, sysId, writeQuery(table, body, options)),
      body,
    }
  },
  /** DELETE a record. */
  delete: (table: string, sysId: string, options: { readonly id?: string | undefined } = {}): BatchItem => ({
    id: options.id,
    method: "DELETE",
    url: tableUrl(table, sysId),
  }),
} as const

/** A serviced item that succeeded (2xx). */
export interface BatchItemSuccess {
  readonly _tag: "Success"
  readonly id: string
  /** Position of the item in the input. */
  readonly index: number
  /** The item's HTTP status. */
  readonly status: number
  /** The parsed JSON body (`undefined` when empty, e.g. a DELETE). */
  readonly body: unknown
  /** `body.result`, the Table API's payload. */
  readonly result: unknown
  readonly error?: undefined
}

/** An item that failed: its error, mapped as for an ordinary request. */
export interface BatchItemFailure {
  readonly _tag: "Failure"
  readonly id: string
  readonly index: number
  /** The item's HTTP status; `0` when it was never serviced. */
  readonly status: number
  readonly error: ServiceNowError
  readonly body?: undefined
  readonly result?: undefined
}

/** The outcome of one item, in input order. */
export type BatchItemResult = BatchItemSuccess | BatchItemFailure

interface Prepared {
  readonly id: string
  readonly index: number
  readonly item: BatchItem
  readonly wire: components["schemas"]["BatchItem"]
  readonly secrets: ReadonlyArray<string>
}

type Serviced = components["schemas"]["ServicedRequest"]

const IDEMPOTENT: ReadonlySet<BatchMethod> = new Set(["GET", "PUT", "DELETE"])
const JSON_HEADERS = [
  { name: "Accept", value: "application/json" },
  { name: "Content-Type", value: "application/json" },
]

const prepare = (item: BatchItem, index: number): Prepared => {
  const id = item.id ?? String(index)
  const secrets: Array<string> = []
  const body =
    item.body === undefined
      ? undefined
      : Object.fromEntries(
          Object.entries(item.body).map(([name, value]) => {
            const text = Redacted.isRedacted(value) ? Redacted.value(value) : value
            if (Redacted.isRedacted(value) || isSecretName(name)) secrets.push(text)
            return [name, text]
          }),
        )
  return {
    id,
    index,
    item,
    secrets,
    wire: {
      id,
      method: item.method,
      url: item.url,
      headers: JSON_HEADERS,
      exclude_response_headers: false,
      ...(body === undefined ? {} : { body: Buffer.from(JSON.stringify(body), "utf8").toString("base64") }),
    },
  }
}

const decode = (base64: string | undefined): { readonly text: string; readonly json: unknown } => {
  const text = base64 === undefined ? "" : Buffer.from(base64, "base64").toString("utf8")
  if (text === "") return { text, json: undefined }
  try {
    return { text, json: JSON.parse(text) as unknown }
  } catch {
    return { text, json: text }
  }
}

const operationOf = (method: BatchMethod): Operation =>
  method === "GET" ? "read" : method === "POST" ? "create" : method === "DELETE" ? "delete" : "update"

const tableOf = (url: string) => /\/table\/([^/?]+)/.exec(url)?.[1]

const outcome = (deps: Deps, prepared: Prepared, served: Serviced, nowMs: number): BatchItemResult => {
  const { text, json } = decode(served.body)
  if (served.status_code < 400) {
    const result = typeof json === "object" && json !== null && "result" in json ? json.result : undefined
    return {
      _tag: "Success",
      id: prepared.id,
      index: prepared.index,
      status: served.status_code,
      body: json,
      result,
    }
  }
  const headers = new Headers(
    (served.headers ?? []).map(({ name, value }) => [name, value] as [string, string]),
  )
  const error = httpErrorFromResponse({
    method: prepared.item.method,
    url: new URL(prepared.item.url, deps.instanceUrl),
    response: new Response(text === "" ? null : text, { status: served.status_code, headers }),
    body: json,
    secrets: [...deps.auth.secrets, ...prepared.secrets],
    nowMs,
  })
  const table = tableOf(prepared.item.url)
  return {
    _tag: "Failure",
    id: prepared.id,
    index: prepared.index,
    status: served.status_code,
    error: toServiceNowError({
      instanceUrl: deps.instanceUrl,
      auth: deps.auth.kind,
      username: deps.auth.username,
      operation: operationOf(prepared.item.method),
      table: table === undefined ? undefined : decodeURIComponent(table),
    })(error),
  }
}

const sendChunk = (deps: Deps, chunk: ReadonlyArray<Prepared>) =>
  send(
    deps,
    { operation: "batch" },
    (signal, headers) =>
      deps.apis.batch.POST(BATCH_PATH, {
        body: { rest_requests: chunk.map((p) => p.wire) },
        headers,
        signal,
      }),
    {
      // A batch of reads and idempotent writes may be repeated; one with a POST or PATCH may not.
      idempotent: chunk.every((p) => IDEMPOTENT.has(p.item.method)) ? true : undefined,
      secrets: chunk.flatMap((p) => p.secrets),
      validate: batchBody,
    },
  )

/** Runs one chunk, re-sending unserviced items up to {@link BATCH_UNSERVICED_RESENDS} times. */
const runChunk = (deps: Deps, chunk: ReadonlyArray<Prepared>) =>
  Effect.gen(function* () {
    const results: Array<BatchItemResult> = []
    let pending = chunk
    for (let attempt = 1; pending.length > 0 && attempt <= BATCH_UNSERVICED_RESENDS + 1; attempt++) {
      const { data } = yield* sendChunk(deps, pending)
      const nowMs = yield* Clock.currentTimeMillis
      const byId = new Map(pending.map((p) => [p.id, p]))
      for (const served of data.serviced_requests) {
        const prepared = byId.get(served.id)
        if (prepared === undefined) continue
        results.push(outcome(deps, prepared, served, nowMs))
        byId.delete(served.id)
      }
      // Whatever came back neither serviced nor listed as unserviced is sent again too.
      pending = [...byId.values()]
      if (attempt === BATCH_UNSERVICED_RESENDS + 1) {
        for (const p of pending) {
          results.push({
            _tag: "Failure",
            id: p.id,
            index: p.index,
            status: 0,
            error: new BatchItemUnserviced({
              method: p.item.method,
              url: new URL(p.item.url, deps.instanceUrl).href,
              id: p.id,
              attempts: attempt,
              remedy:
                "The batch ran out of its 30 s quota before this item every time: send fewer or lighter items per batch (chunkSize).",
            }),
          })
        }
      }
    }
    return results
  })

/**
 * Runs `items` through the Batch API in chunks of `chunkSize` (default 50), `concurrency` chunks
 * at a time (default 1: in order; ServiceNow runs a batch's items sequentially). A throttled chunk
 * (429) waits as the server asks and is sent again, per core's retry policy. Resolves with one
 * result per item, in input order; fails only when a whole batch request fails (authentication,
 * hibernation…).
 *
 * @internal
 */
export const runBatch = (
  deps: Deps,
  items: ReadonlyArray<BatchItem>,
  options: BatchOptions = {},
): Effect.Effect<ReadonlyArray<BatchItemResult>, ServiceNowError> =>
  Effect.gen(function* () {
    const prepared = items.map(prepare)
    const ids = new Set(prepared.map((p) => p.id))
    if (ids.size !== prepared.length)
      return yield* Effect.die(new Error("sn365: batch item ids must be unique"))
    const size = Math.max(1, Math.floor(options.chunkSize ?? DEFAULT_BATCH_CHUNK_SIZE))
    const chunks: Array<ReadonlyArray<Prepared>> = []
    for (let start = 0; start < prepared.length; start += size)
      chunks.push(prepared.slice(start, start + size))
    const results = yield* Effect.forEach(chunks, (chunk) => runChunk(deps, chunk), {
      concurrency: Math.max(1, Math.floor(options.concurrency ?? 1)),
    })
    return results.flat().sort((a, b) => a.index - b.index)
  })
