/**
 * How the client authenticates (servicenow-api.md §2): Basic, the OAuth password grant (refreshed
 * before expiry with the refresh token, then by signing in again), client credentials, or any
 * bearer-token provider. OAuth tokens are obtained single-flight: however many requests need a new
 * token at once, one token request is made.
 *
 * @module
 */
import { Clock, Effect, Redacted, Semaphore } from "effect"
import type { ServiceNowError } from "./Errors.ts"
import type { Authorizer } from "./internal/Http.ts"
import type { ClientCredentialsGrant, PasswordGrant, TokenGrant, TokenResponse } from "./Token.ts"
import { TOKEN_REFRESH_SKEW_MS } from "./vendor.ts"

/**
 * Credentials, in the same shapes as the setup configuration. Secrets are `Redacted`.
 *
 * - `basic`: `Authorization: Basic …` on every request. New Zurich/Australia instances refuse it
 *   unless the account is Web Service Access Only or holds `snc_basic_auth_api_access`.
 * - `oauthPassword`: the password grant against `/oauth_token.do`, refreshed before expiry.
 * - `oauthClientCredentials`: the client-credentials grant (needs the instance property and an
 *   OAuth Application User on the client).
 * - `bearer`: a token, or an Effect that provides one (run for every request: cache inside it).
 */
export type ServiceNowAuth =
  | {
      readonly type: "basic"
      readonly username: string
      readonly password: Redacted.Redacted<string>
    }
  | {
      readonly type: "oauthPassword"
      readonly clientId: string
      readonly clientSecret: Redacted.Redacted<string>
      readonly username: string
      readonly password: Redacted.Redacted<string>
    }
  | {
      readonly type: "oauthClientCredentials"
      readonly clientId: string
      readonly clientSecret: Redacted.Redacted<string>
    }
  | {
      readonly type: "bearer"
      readonly token: Redacted.Redacted<string> | Effect.Effect<Redacted.Redacted<string>, ServiceNowError>
    }

/** Obtains tokens; supplied by the client. */
export type TokenRequester = (grant: TokenGrant) => Effect.Effect<TokenResponse, ServiceNowError>

const bearer = (token: Redacted.Redacted<string>) => Redacted.make(`Bearer ${Redacted.value(token)}`)

const basicHeader = (username: string, password: Redacted.Redacted<string>) =>
  Redacted.make(`Basic ${Buffer.from(`${username}:${Redacted.value(password)}`, "utf8").toString("base64")}`)

interface CachedToken {
  readonly header: Redacted.Redacted<string>
  readonly refreshToken: Redacted.Redacted<string> | undefined
  /** Renew from this time on (before the real expiry). */
  readonly renewAt: number
}

// Renew a minute early, or at half-life for tokens shorter than two minutes.
const renewAt = (token: TokenResponse) =>
  token.expiresAt - Math.min(TOKEN_REFRESH_SKEW_MS, (token.expiresIn * 1000) / 2)

/**
 * A token cache for the OAuth grants: a valid token is reused; an expiring one is refreshed (refresh
 * token first, a full grant when that fails); concurrent callers share one token request.
 */
const oauthAuthorizer = (
  grant: PasswordGrant | ClientCredentialsGrant,
  requestToken: TokenRequester,
): Omit<Authorizer, "kind" | "username" | "secrets"> => {
  let cached: CachedToken | undefined
  const lock = Semaphore.makeUnsafe(1)

  const obtain = Effect.gen(function* () {
    const previous = cached
    const refreshed =
      previous?.refreshToken === undefined
        ? undefined
        : yield* requestToken({
            grant: "refresh_token",
            clientId: grant.clientId,
            clientSecret: grant.clientSecret,
            refreshToken: previous.refreshToken,
          }).pipe(Effect.option)
    const token = refreshed?._tag === "Some" ? refreshed.value : yield* requestToken(grant)
    cached = {
      header: bearer(token.accessToken),
      // The refresh grant returns no refresh token: the old one stays valid (servicenow-api.md §2.2).
      refreshToken: token.refreshToken ?? previous?.refreshToken,
      renewAt: renewAt(token),
    }
    return cached.header
  })

  const current = Effect.map(Clock.currentTimeMillis, (now) =>
    cached !== undefined && now < cached.renewAt ? cached.header : undefined,
  )

  return {
    header: Effect.flatMap(current, (valid) =>
      valid !== undefined
        ? Effect.succeed(valid)
        : // Single flight: the first caller fetches; the others wait, then find the new token.
          lock.withPermits(1)(
            Effect.flatMap(current, (again) => (again !== undefined ? Effect.succeed(again) : obtain)),
          ),
    ),
    refused: (header) =>
      Effect.sync(() => {
        if (cached !== undefined && Redacted.value(cached.header) === Redacted.value(header))
          cached = { ...cached, renewAt: 0 }
        return true
      }),
  }
}

/**
 * The {@link Authorizer} of a {@link ServiceNowAuth}.
 *
 * @internal
 */
export const makeAuthorizer = (auth: ServiceNowAuth, requestToken: TokenRequester): Authorizer => {
  switch (auth.type) {
    case "basic": {
      const header = basicHeader(auth.username, auth.password)
      return {
        kind: "basic",
        username: auth.username,
        header: Effect.succeed(header),
        refused: () => Effect.succeed(false),
        secrets: [auth.password],
      }
    }
    case "oauthPassword":
      return {
        kind: "oauthPassword",
        username: auth.username,
        secrets: [auth.clientSecret, auth.password],
        ...oauthAuthorizer(
          {
            grant: "password",
            clientId: auth.clientId,
            clientSecret: auth.clientSecret,
            username: auth.username,
            password: auth.password,
          },
          requestToken,
        ),
      }
    case "oauthClientCredentials":
      return {
        kind: "oauthClientCredentials",
        username: undefined,
        secrets: [auth.clientSecret],
        ...oauthAuthorizer(
          { grant: "client_credentials", clientId: auth.clientId, clientSecret: auth.clientSecret },
          requestToken,
        ),
      }
    case "bearer": {
      const provider = auth.token
      const isStatic = Redacted.isRedacted(provider)
      return {
        kind: "bearer",
        username: undefined,
        header: isStatic ? Effect.succeed(bearer(provider)) : Effect.map(provider, bearer),
        // A provider may have a fresher token; a fixed token will not change.
        refused: () => Effect.succeed(!isStatic),
        secrets: isStatic ? [provider] : [],
      }
    }
  }
}
