/**
 * `POST /oauth_token.do` with explicit credentials: the password, refresh-token and
 * client-credentials grants (servicenow-api.md §2.2–2.3). Tokens come back `Redacted`.
 *
 * @module
 */
import { Clock, Effect, Redacted } from "effect"
import type { ServiceNowError } from "./Errors.ts"
import { type Deps, send } from "./internal/Http.ts"
import { tokenBody } from "./internal/shape.ts"
import { DEFAULT_ACCESS_TOKEN_LIFESPAN_S, TOKEN_PATH } from "./vendor.ts"

/** The resource-owner password grant: access **and** refresh token. */
export interface PasswordGrant {
  readonly grant: "password"
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  readonly username: string
  readonly password: Redacted.Redacted<string>
  readonly scope?: string | undefined
}

/** The refresh-token grant: a new access token for an unexpired refresh token. */
export interface RefreshGrant {
  readonly grant: "refresh_token"
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  readonly refreshToken: Redacted.Redacted<string>
  readonly scope?: string | undefined
}

/** The client-credentials grant (Washington DC and later): an access token, no refresh token. */
export interface ClientCredentialsGrant {
  readonly grant: "client_credentials"
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  readonly scope?: string | undefined
}

/** Any grant `/oauth_token.do` accepts ({@link ServiceNowClient.token}). */
export type TokenGrant = PasswordGrant | RefreshGrant | ClientCredentialsGrant

/** A token response, secrets redacted. */
export interface TokenResponse {
  readonly accessToken: Redacted.Redacted<string>
  /** With the password grant only. */
  readonly refreshToken?: Redacted.Redacted<string> | undefined
  /** Seconds from issue. */
  readonly expiresIn: number
  /** When the access token expires, ms since the epoch (by the local clock at the request). */
  readonly expiresAt: number
  /** Always `useraccount` on ServiceNow. */
  readonly scope: string
  /** Always `Bearer`. */
  readonly tokenType: string
}

const formOf = (grant: TokenGrant): Record<string, string> => {
  const common = {
    client_id: grant.clientId,
    client_secret: Redacted.value(grant.clientSecret),
    ...(grant.scope === undefined ? {} : { scope: grant.scope }),
  }
  switch (grant.grant) {
    case "password":
      return {
        grant_type: "password",
        ...common,
        username: grant.username,
        password: Redacted.value(grant.password),
      }
    case "refresh_token":
      return { grant_type: "refresh_token", ...common, refresh_token: Redacted.value(grant.refreshToken) }
    case "client_credentials":
      return { grant_type: "client_credentials", ...common }
  }
}

const secretsOf = (grant: TokenGrant): ReadonlyArray<Redacted.Redacted<string>> => {
  switch (grant.grant) {
    case "password":
      return [grant.clientSecret, grant.password]
    case "refresh_token":
      return [grant.clientSecret, grant.refreshToken]
    case "client_credentials":
      return [grant.clientSecret]
  }
}

/**
 * Requests a token. Retried on transient failures although it is a POST: a grant changes nothing
 * but the tokens issued, and ServiceNow hands out the same access token while it is valid.
 *
 * @internal
 */
export const requestToken = (deps: Deps, grant: TokenGrant): Effect.Effect<TokenResponse, ServiceNowError> =>
  Effect.gen(function* () {
    const startedAt = yield* Clock.currentTimeMillis
    const form = formOf(grant)
    const { data } = yield* send(
      deps,
      { operation: "token" },
      (signal, headers) =>
        deps.apis.oauth.POST(TOKEN_PATH, {
          // openapi-fetch types the body as the spec's union of grants; the form has the same fields.
          body: form as never,
          bodySerializer: (body: unknown) => new URLSearchParams(body as Record<string, string>),
          headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
          signal,
        }),
      { anonymous: true, idempotent: true, secrets: secretsOf(grant), validate: tokenBody },
    )
    const expiresIn = data.expires_in ?? DEFAULT_ACCESS_TOKEN_LIFESPAN_S
    return {
      accessToken: Redacted.make(data.access_token),
      refreshToken: data.refresh_token === undefined ? undefined : Redacted.make(data.refresh_token),
      expiresIn,
      expiresAt: startedAt + expiresIn * 1000,
      scope: data.scope,
      tokenType: data.token_type,
    }
  })
