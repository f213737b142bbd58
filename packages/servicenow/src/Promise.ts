/**
 * The client for people who do not use Effect: the same operations returning Promises (rejecting
 * with the same tagged errors) and lists as async iterables.
 *
 * @module
 */
import { toPromise } from "@sn365/core"
import { Stream } from "effect"
import type { SetupSummary } from "./App.ts"
import type { BatchItem, BatchItemResult, BatchOptions } from "./Batch.ts"
import { makeServiceNow, type ServiceNowOptions } from "./Client.ts"
import type { Query } from "./Query.ts"
import type { DisplayValueMode, RecordOf, Rendered, WriteInput, WriteOf } from "./Records.ts"
import type { ListOptions, ReadOptions, TableAccessor, WriteOptions } from "./Table.ts"
import type { TokenGrant, TokenResponse } from "./Token.ts"

/** Every Promise method accepts an `AbortSignal`; aborting it aborts the request. */
export interface SignalOption {
  readonly signal?: AbortSignal | undefined
}

type Out<R, F extends string, D extends DisplayValueMode, X extends boolean> = Rendered<R, F, D, X>

/** {@link TableAccessor} with Promises. */
export interface PromiseTable<R, W> {
  /** The table name. */
  readonly name: string
  /** One record by sys_id; rejects with `NotFound` when it does not exist or an ACL hides it. */
  get<F extends string = keyof R & string, D extends DisplayValueMode = false, X extends boolean = true>(
    sysId: string,
    options?: ReadOptions<R, F, D, X> & SignalOption,
  ): Promise<Out<R, F, D, X>>
  /** Every matching record, fetched page by page as the loop advances; `break` stops fetching. */
  list<F extends string = keyof R & string, D extends DisplayValueMode = false, X extends boolean = true>(
    options?: ListOptions<R, F, D, X>,
  ): AsyncIterable<Out<R, F, D, X>>
  /** The first matching record, or `undefined`. */
  first<F extends string = keyof R & string, D extends DisplayValueMode = false, X extends boolean = true>(
    options?: Omit<ListOptions<R, F, D, X>, "pageSize"> & SignalOption,
  ): Promise<Out<R, F, D, X> | undefined>
  /** How many records match. */
  count(options?: { readonly query?: Query<R> | string | undefined } & SignalOption): Promise<number>
  /** Creates a record (passwords and secrets written correctly). */
  create<F extends string = keyof R & string, D extends DisplayValueMode = false, X extends boolean = true>(
    record: WriteInput<W>,
    options?: WriteOptions<R, F, D, X> & SignalOption,
  ): Promise<Out<R, F, D, X>>
  /** Changes the given fields (PATCH). */
  update<F extends string = keyof R & string, D extends DisplayValueMode = false, X extends boolean = true>(
    sysId: string,
    patch: WriteInput<W>,
    options?: WriteOptions<R, F, D, X> & SignalOption,
  ): Promise<Out<R, F, D, X>>
  /** Changes the given fields (PUT). */
  replace<F extends string = keyof R & string, D extends DisplayValueMode = false, X extends boolean = true>(
    sysId: string,
    record: WriteInput<W>,
    options?: WriteOptions<R, F, D, X> & SignalOption,
  ): Promise<Out<R, F, D, X>>
  /** Deletes a record. */
  delete(sysId: string, options?: SignalOption): Promise<void>
}

/** `ServiceNowClient` with Promises. */
export interface PromiseServiceNowClient {
  /** The instance's origin. */
  readonly instanceUrl: string
  /** One table, typed for the known tables. */
  table<T extends string>(name: T): PromiseTable<RecordOf<T>, WriteOf<T>>
  /** Runs requests through the Batch API; one result per item, in input order. */
  batch(
    requests: ReadonlyArray<BatchItem>,
    options?: BatchOptions & SignalOption,
  ): Promise<ReadonlyArray<BatchItemResult>>
  /** `POST /oauth_token.do` with explicit credentials. */
  token(grant: TokenGrant, options?: SignalOption): Promise<TokenResponse>
  /** The integration app's modeled setup endpoint. */
  readonly app: { setupSummary(options?: SignalOption): Promise<SetupSummary> }
}

const signalOf = (options: SignalOption | undefined) => ({ signal: options?.signal })

const promiseTable = <R, W>(table: TableAccessor<R, W>): PromiseTable<R, W> => ({
  name: table.name,
  get: (sysId, options) => toPromise(table.get(sysId, options), signalOf(options)),
  list: (options) => Stream.toAsyncIterable(table.list(options)),
  first: (options) => toPromise(table.first(options), signalOf(options)),
  count: (options) => toPromise(table.count(options), signalOf(options)),
  create: (record, options) => toPromise(table.create(record, options), signalOf(options)),
  update: (sysId, patch, options) => toPromise(table.update(sysId, patch, options), signalOf(options)),
  replace: (sysId, record, options) => toPromise(table.replace(sysId, record, options), signalOf(options)),
  delete: (sysId, options) => toPromise(table.delete(sysId), signalOf(options)),
})

/**
 * A client whose methods return Promises; failures reject with the tagged error itself
 * (`e instanceof AclDenied`, `e._tag === "InstanceHibernating"`).
 *
 * @example
 * ```ts
 * const sn = createServiceNowClient({ instanceUrl: "dev12345", auth: { type: "basic", username, password: Redacted.make(pw) } })
 * for await (const user of sn.table("sys_user").list({ fields: ["user_name"] })) console.log(user.user_name)
 * ```
 */
export const createServiceNowClient = (options: ServiceNowOptions): PromiseServiceNowClient => {
  const client = makeServiceNow(options)
  return {
    instanceUrl: client.instanceUrl,
    table: (name) => promiseTable(client.table(name)),
    batch: (requests, batchOptions) =>
      toPromise(client.batch(requests, batchOptions), signalOf(batchOptions)),
    token: (grant, tokenOptions) => toPromise(client.token(grant), signalOf(tokenOptions)),
    app: { setupSummary: (appOptions) => toPromise(client.app.setupSummary(), signalOf(appOptions)) },
  }
}
