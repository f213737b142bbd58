/**
 * A bearer token per call, renewed once when the resource refuses it. Shared by the Graph and
 * admin-center clients.
 */
import { Effect, type Redacted } from "effect"
import type { TokenCredential } from "../Credential.ts"
import type { M365Error } from "../Errors.ts"

/**
 * Runs `call` with a token for `scope`. A token can expire early or be revoked while it is still
 * cached, so after a 401 the call is made once more with a renewed token — safe for every method,
 * because a request refused at authentication was not processed.
 */
export const withToken = <A, E extends { readonly _tag: string }>(
  credential: TokenCredential,
  scope: string,
  call: (token: Redacted.Redacted<string>) => Effect.Effect<A, E>,
): Effect.Effect<A, E | M365Error> =>
  Effect.flatMap(credential.getToken(scope), call).pipe(
    Effect.catchIf(
      (error): error is E => error._tag === "Unauthorized",
      () => Effect.flatMap(credential.getToken(scope, { forceRefresh: true }), call),
    ),
  )
