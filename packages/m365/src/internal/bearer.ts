/**
 * Requests with a bearer token, renewed once when the resource refuses it, through core's bridge and
 * retry policy. Shared by the Graph and admin-center clients.
 */
import {
  type ApiResult,
  type CallResult,
  callWithResponse,
  type DataOf,
  type HttpError,
  withRetry,
} from "@sn365/core"
import { type Duration, Effect, Redacted } from "effect"
import type { TokenCredential } from "../Credential.ts"
import type { M365Error } from "../Errors.ts"

/**
 * Runs `call` with a token for `scope`. A token can expire early or be revoked while it is still
 * cached, so after a 401 the call is made once more with a renewed token — safe for every method,
 * because a request refused at authentication was not processed. When another call has already
 * renewed the token meanwhile, its token is used: one refusal, one renewal, however many calls
 * were in flight with the old token.
 */
const withToken = <A, E extends { readonly _tag: string }>(
  credential: TokenCredential,
  scope: string,
  call: (token: Redacted.Redacted<string>) => Effect.Effect<A, E>,
): Effect.Effect<A, E | M365Error> => {
  const renewedAfter = (refused: Redacted.Redacted<string>) =>
    Effect.flatMap(credential.getToken(scope), (current) =>
      Redacted.value(current) === Redacted.value(refused)
        ? credential.getToken(scope, { forceRefresh: true })
        : Effect.succeed(current),
    )
  return Effect.flatMap(credential.getToken(scope), (token) =>
    call(token).pipe(
      Effect.catchIf(
        (error): error is E => error._tag === "Unauthorized",
        () => Effect.flatMap(renewedAfter(token), call),
      ),
    ),
  )
}

/** What a request gets to pass on to openapi-fetch (a type literal: openapi-fetch's init wants an index signature). */
export type BearerInit = {
  readonly headers: Record<string, string>
  readonly signal: AbortSignal
}

/** Options of one request of a {@link bearerSender}. */
export interface BearerSendOptions {
  /** Overrides the method-derived idempotency of core's retry policy. */
  readonly idempotent?: boolean | undefined
  /** The shape the success body must have (`shape.ts`). */
  readonly validate?: ((data: unknown) => string | undefined) | undefined
}

/** Sends requests to one resource: `run` gets the bearer header and the abort signal. */
export type BearerSender = <R extends ApiResult>(
  run: (init: BearerInit) => Promise<R>,
  options?: BearerSendOptions,
) => Effect.Effect<CallResult<DataOf<R>>, M365Error>

/** The {@link BearerSender} of a resource: its credential, token scope, remedies and timeout. */
export const bearerSender =
  (resource: {
    readonly credential: TokenCredential
    readonly scope: string
    readonly remedy: (error: HttpError) => string | undefined
    readonly timeout?: Duration.Input | undefined
  }): BearerSender =>
  (run, options = {}) =>
    withToken(resource.credential, resource.scope, (token) =>
      callWithResponse(
        (signal) => run({ headers: { authorization: `Bearer ${Redacted.value(token)}` }, signal }),
        { remedy: resource.remedy, validate: options.validate, timeout: resource.timeout },
      ),
    ).pipe(withRetry(undefined, options.idempotent))
