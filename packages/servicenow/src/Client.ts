/**
 * The ServiceNow client: `makeServiceNow(options)` builds it, `ServiceNow` is the same as an Effect
 * service with a layer.
 *
 * @module
 */
import type { Fetch, RetryOptions } from "@sn365/core"
import { Context, type Duration, type Effect, Layer } from "effect"
import { type AppApi, makeApp } from "./App.ts"
import { makeAuthorizer, type ServiceNowAuth } from "./Auth.ts"
import { type BatchItem, type BatchItemResult, type BatchOptions, runBatch } from "./Batch.ts"
import type { ServiceNowError } from "./Errors.ts"
import { type Deps, grantAuthorizer, makeApis } from "./internal/Http.ts"
import type { RecordOf, WriteOf } from "./Records.ts"
import { makeTable, type TableAccessor } from "./Table.ts"
import { requestToken, type TokenGrant, type TokenResponse } from "./Token.ts"
import { INSTANCE_HOST_SUFFIX } from "./vendor.ts"

/** Options of {@link makeServiceNow}. */
export interface ServiceNowOptions {
  /** The instance: `https://dev12345.service-now.com` (any path is ignored) or just `dev12345`. */
  readonly instanceUrl: string
  readonly auth: ServiceNowAuth
  /** The fetch to send requests with (a proxy, a recorder, `emulator.fetch`). Default: the global fetch. */
  readonly fetch?: Fetch | undefined
  /** Per attempt, covering the request and reading the body. Default 60 s (the Table API quota). */
  readonly timeout?: Duration.Input | undefined
  /** Core's retry policy (GET/PUT/DELETE retried on transient failures; POST/PATCH only when provably unprocessed). */
  readonly retry?: RetryOptions | undefined
}

/** A client of one ServiceNow instance. */
export interface ServiceNowClient {
  /** The instance's origin, e.g. `https://dev12345.service-now.com`. */
  readonly instanceUrl: string
  /**
   * The Table API for one table: typed records for the tables in the spec (`sys_user`,
   * `oauth_entity`…), `Record<string, string>` for any other.
   */
  table<T extends string>(name: T): TableAccessor<RecordOf<T>, WriteOf<T>>
  /** Runs requests through the Batch API, chunked (optionally several chunks at once); one result per item, in input order. */
  batch(
    requests: ReadonlyArray<BatchItem>,
    options?: BatchOptions,
  ): Effect.Effect<ReadonlyArray<BatchItemResult>, ServiceNowError>
  /** `POST /oauth_token.do` with explicit credentials (not the client's own). */
  token(grant: TokenGrant): Effect.Effect<TokenResponse, ServiceNowError>
  /** The integration app's modeled setup endpoint. */
  readonly app: AppApi
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i

/**
 * The origin of an instance given as a URL or a bare instance name. Throws a `TypeError` naming
 * the value when it is neither (a programming error, found before any request).
 */
export const instanceOrigin = (instanceUrl: string): string => {
  if (DNS_LABEL.test(instanceUrl)) return `https://${instanceUrl.toLowerCase()}${INSTANCE_HOST_SUFFIX}`
  if (URL.canParse(instanceUrl)) return new URL(instanceUrl).origin
  throw new TypeError(
    `instanceUrl ${JSON.stringify(instanceUrl)} is neither an instance name such as "dev12345" nor a URL such as "https://dev12345.service-now.com".`,
  )
}

/**
 * Builds a client. Nothing is sent until an Effect of it runs; OAuth tokens are obtained on first use
 * and shared by every request of this client.
 *
 * @example
 * ```ts
 * const client = makeServiceNow({
 *   instanceUrl: "https://dev12345.service-now.com",
 *   auth: { type: "basic", username: "m365_setup", password: Redacted.make(process.env.SN_PASSWORD ?? "") },
 * })
 * const admins = yield* client.table("sys_user").list({ query: Query.make<RecordOf<"sys_user">>().like("user_name", "admin") }).pipe(Stream.runCollect)
 * ```
 */
export const makeServiceNow = (options: ServiceNowOptions): ServiceNowClient => {
  const instanceUrl = instanceOrigin(options.instanceUrl)
  const apis = makeApis(instanceUrl, options.fetch)
  const base = { instanceUrl, apis, timeout: options.timeout, retry: options.retry ?? {} }
  // Token requests carry their credentials in the body, not in an Authorization header.
  const token = (grant: TokenGrant) => requestToken({ ...base, auth: grantAuthorizer(grant) }, grant)
  const deps: Deps = { ...base, auth: makeAuthorizer(options.auth, token) }
  return {
    instanceUrl,
    table: <T extends string>(name: T) => makeTable<RecordOf<T>, WriteOf<T>>(deps, name),
    batch: (requests, batchOptions) => runBatch(deps, requests, batchOptions),
    token,
    app: makeApp(deps),
  }
}

/**
 * The client as an Effect service.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function* () {
 *   const sn = yield* ServiceNow
 *   return yield* sn.table("sys_user").count()
 * }).pipe(Effect.provide(ServiceNow.layer({ instanceUrl, auth })))
 * ```
 */
export class ServiceNow extends Context.Service<ServiceNow, ServiceNowClient>()(
  "@sn365/servicenow/ServiceNow",
) {
  /** A layer providing a client built with {@link makeServiceNow}. */
  static layer(options: ServiceNowOptions): Layer.Layer<ServiceNow> {
    return Layer.succeed(ServiceNow, makeServiceNow(options))
  }
}
