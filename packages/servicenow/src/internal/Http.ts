/**
 * The client's plumbing: one `transportFetch` around the user's fetch, one openapi-fetch client per
 * spec, and {@link send} — authenticate, call through core's bridge, map the error to its
 * ServiceNow meaning, re-authenticate once on a refused token, and retry with core's policy.
 */
import {
  type ApiResult,
  type CallResult,
  callWithResponse,
  commaQuerySerializer,
  type DataOf,
  defaultFetch,
  type Fetch,
  pathSerializer,
  type RetryOptions,
  type Secret,
  transportFetch,
  withRetry,
} from "@sn365/core"
import { type Duration, Effect, Redacted } from "effect"
import createClient, { type Client } from "openapi-fetch"
import type { ServiceNowError } from "../Errors.ts"
import type { paths as AppPaths } from "../generated/app.ts"
import type { paths as BatchPaths } from "../generated/batch.ts"
import type { paths as OAuthPaths } from "../generated/oauth.ts"
import type { paths as TablePaths } from "../generated/table.ts"
import { type AuthKind, type ErrorContext, toServiceNowError } from "./errorMapping.ts"

/** The openapi-fetch clients of one instance, sharing one transport. */
export interface Apis {
  readonly table: Client<TablePaths>
  readonly batch: Client<BatchPaths>
  readonly app: Client<AppPaths>
  readonly oauth: Client<OAuthPaths>
}

/** Builds the clients for an instance origin. */
export const makeApis = (instanceUrl: string, fetch: Fetch | undefined): Apis => {
  const options = {
    baseUrl: instanceUrl,
    fetch: transportFetch(fetch ?? defaultFetch),
    // transportFetch follows redirects itself; a request built so is not copied again.
    redirect: "manual",
    headers: { accept: "application/json" },
    // `sysparm_fields=a,b`: ServiceNow wants comma-joined lists, not repeated parameters (servicenow-api.md §1.2).
    // core's serializers write what openapi-fetch's would, with less work per request (bench figure 5).
    querySerializer: commaQuerySerializer,
    pathSerializer,
  } as const
  return {
    table: createClient<TablePaths>(options),
    batch: createClient<BatchPaths>(options),
    app: createClient<AppPaths>(options),
    oauth: createClient<OAuthPaths>(options),
  }
}

/** Who the requests are made as: the `Authorization` header and how to renew it. */
export interface Authorizer {
  readonly kind: AuthKind
  /** The account, for Basic and the password grant (never a secret). */
  readonly username: string | undefined
  /** The current `Authorization` header value (a token is obtained or refreshed as needed). */
  readonly header: Effect.Effect<Redacted.Redacted<string>, ServiceNowError>
  /** The server refused `header`: forget it. `true` when a new header is worth one more attempt. */
  readonly refused: (header: Redacted.Redacted<string>) => Effect.Effect<boolean>
  /** Credentials to scrub from anything derived from a response. */
  readonly secrets: ReadonlyArray<Secret>
}

/**
 * The authorizer of token requests, which carry their credentials in the form body: no header, and
 * the grant's user for remedies.
 */
export const grantAuthorizer = (grant: {
  readonly grant: string
  readonly username?: string | undefined
}): Authorizer => ({
  kind: grant.grant === "client_credentials" ? "oauthClientCredentials" : "oauthPassword",
  username: grant.username,
  header: Effect.die(new Error("sn365: token requests are sent without an Authorization header")),
  refused: () => Effect.succeed(false),
  secrets: [],
})

/** What every request needs. */
export interface Deps {
  readonly instanceUrl: string
  readonly apis: Apis
  readonly auth: Authorizer
  readonly timeout: Duration.Input | undefined
  readonly retry: RetryOptions
}

/** Options of one {@link send}. */
export interface SendOptions {
  /** Overrides the method-derived idempotency of core's retry policy. */
  readonly idempotent?: boolean | undefined
  /** More secrets to scrub (values of a write body). */
  readonly secrets?: ReadonlyArray<Secret> | undefined
  /** No `Authorization` header (the token endpoint). */
  readonly anonymous?: boolean | undefined
  /** The shape the success body must have (see `shape.ts`). */
  readonly validate?: ((data: unknown) => string | undefined) | undefined
}

/** The request context the error mapping needs, minus what {@link Deps} knows. */
export type RequestContext = Pick<ErrorContext, "operation" | "table">

/**
 * Sends one request: `run` receives the abort signal and the headers to pass on. Fails with the
 * ServiceNow meaning of the error; retried per core's policy (per attempt, after the mapping, so
 * hibernation, ACL refusals and quota cancellations are not retried).
 */
export const send = <R extends ApiResult>(
  deps: Deps,
  request: RequestContext,
  run: (signal: AbortSignal, headers: Record<string, string>) => Promise<R>,
  options: SendOptions = {},
): Effect.Effect<CallResult<DataOf<R>>, ServiceNowError> => {
  const { auth } = deps
  const callOptions = {
    timeout: deps.timeout,
    secrets: options.secrets === undefined ? auth.secrets : [...auth.secrets, ...options.secrets],
    validate: options.validate,
  }
  // One node for both the error mapping and the renewal: this runs on every request (figure 5).
  const attempt = (
    header: Redacted.Redacted<string> | undefined,
    renewed: boolean,
  ): Effect.Effect<CallResult<DataOf<R>>, ServiceNowError> =>
    Effect.catch(
      callWithResponse(
        (signal) => run(signal, header === undefined ? {} : { authorization: Redacted.value(header) }),
        callOptions,
      ),
      (cause) => {
        const error = toServiceNowError(errorContext(deps, request))(cause)
        if (error._tag !== "Unauthorized" || header === undefined || renewed) return Effect.fail(error)
        // A token can be revoked or expire early: renew it once, then report.
        return Effect.flatMap(auth.refused(header), (renew) =>
          renew
            ? Effect.flatMap(auth.header, (renewedHeader) => attempt(renewedHeader, true))
            : Effect.fail(error),
        )
      },
    )
  const once = options.anonymous
    ? attempt(undefined, false)
    : Effect.flatMap(auth.header, (header) => attempt(header, false))
  return once.pipe(withRetry(deps.retry, options.idempotent))
}

const errorContext = (deps: Deps, request: RequestContext): ErrorContext => ({
  ...request,
  instanceUrl: deps.instanceUrl,
  auth: deps.auth.kind,
  username: deps.auth.username,
})
