/**
 * Access tokens: issued by the token service, checked by Graph and the admin center. Tokens are
 * RS256 JWTs in Entra's v1 access-token shape (`aud`, `iss`, `tid`, `appid`, `oid`, `roles` or
 * `scp`…), so any party that fetches the `jwks_uri` can verify them; expiry follows the emulator
 * clock.
 *
 * @module
 */
import type { Random } from "../server/random.ts"
import type { Directory, TenantState, UserState } from "./directory.ts"
import { type Claims, signJwt, verifyJwt } from "./jwt.ts"
import { ACCESS_TOKEN_LIFETIME_SECONDS, v1Issuer, v2Issuer } from "./vendor.ts"

/** Who calls: an application (client credentials) or a user through a client (device code). */
export interface Principal {
  readonly tenant: TenantState
  readonly kind: "app" | "user"
  /** The calling client's id (`appid`). */
  readonly appId: string
  /** The service principal's object id (app tokens) or the user's object id (user tokens). */
  readonly objectId: string
  /** App roles (`roles`), application tokens only. */
  readonly roles: ReadonlySet<string>
  /** Delegated scopes (`scp`), user tokens only. */
  readonly scopes: ReadonlySet<string>
  readonly user: UserState | undefined
}

/** What goes into an access token. */
export interface AccessTokenRequest {
  readonly tenant: TenantState
  readonly audience: string
  readonly appId: string
  /** `1` secret, `2` certificate, `0` public client. */
  readonly appidacr: "0" | "1" | "2"
  readonly objectId: string
  readonly roles?: ReadonlyArray<string>
  readonly scopes?: ReadonlyArray<string>
  readonly user?: UserState
}

/** An access token and its lifetime, in seconds of the emulator clock. */
export interface IssuedToken {
  readonly accessToken: string
  readonly expiresIn: number
  readonly issuedAt: number
  readonly expiresOn: number
}

/** Signs an access token valid for {@link ACCESS_TOKEN_LIFETIME_SECONDS} from `nowMs`. */
export const issueAccessToken = (request: AccessTokenRequest, nowMs: number, random: Random): IssuedToken => {
  const iat = Math.floor(nowMs / 1000)
  const exp = iat + ACCESS_TOKEN_LIFETIME_SECONDS
  const claims: Record<string, unknown> = {
    aud: request.audience,
    iss: v1Issuer(request.tenant.id),
    iat,
    nbf: iat,
    exp,
    appid: request.appId,
    appidacr: request.appidacr,
    idtyp: request.user === undefined ? "app" : "user",
    oid: request.objectId,
    sub: request.objectId,
    tid: request.tenant.id,
    uti: random.string(22),
    ver: "1.0",
  }
  if (request.roles !== undefined && request.roles.length > 0) claims.roles = [...request.roles]
  if (request.scopes !== undefined && request.scopes.length > 0) claims.scp = request.scopes.join(" ")
  if (request.user !== undefined) {
    claims.upn = request.user.userPrincipalName
    claims.unique_name = request.user.userPrincipalName
    claims.name = request.user.displayName
  }
  return {
    accessToken: signJwt(claims),
    expiresIn: ACCESS_TOKEN_LIFETIME_SECONDS,
    issuedAt: iat,
    expiresOn: exp,
  }
}

/** An OIDC id token (v2) for a user signed in through `clientId`. */
export const issueIdToken = (tenant: TenantState, user: UserState, clientId: string, nowMs: number) => {
  const iat = Math.floor(nowMs / 1000)
  return signJwt({
    aud: clientId,
    iss: v2Issuer(tenant.id),
    iat,
    nbf: iat,
    exp: iat + ACCESS_TOKEN_LIFETIME_SECONDS,
    name: user.displayName,
    oid: user.id,
    preferred_username: user.userPrincipalName,
    sub: user.id,
    tid: tenant.id,
    ver: "2.0",
  })
}

/** Why a bearer token was refused. */
export type BearerProblem = "missing" | "malformed" | "expired" | "audience"

/** Checks an `Authorization: Bearer …` header for one of `audiences`, at the emulator clock. */
export const authenticate = (
  directory: Directory,
  authorization: string | undefined,
  audiences: ReadonlyArray<string>,
):
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly problem: BearerProblem } => {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? "")
  if (match?.[1] === undefined) return { ok: false, problem: "missing" }
  const claims: Claims | undefined = verifyJwt(match[1])
  if (claims === undefined) return { ok: false, problem: "malformed" }
  const now = directory.clock.now() / 1000
  if (typeof claims.exp !== "number" || claims.exp <= now) return { ok: false, problem: "expired" }
  if (typeof claims.nbf === "number" && claims.nbf > now + 300) return { ok: false, problem: "expired" }
  if (typeof claims.aud !== "string" || !audiences.includes(claims.aud))
    return { ok: false, problem: "audience" }
  const tenant = typeof claims.tid === "string" ? directory.tenant(claims.tid) : undefined
  if (tenant === undefined) return { ok: false, problem: "malformed" }
  const objectId = String(claims.oid ?? "")
  const isUser = claims.idtyp === "user"
  return {
    ok: true,
    principal: {
      tenant,
      kind: isUser ? "user" : "app",
      appId: String(claims.appid ?? ""),
      objectId,
      roles: new Set(Array.isArray(claims.roles) ? claims.roles.map(String) : []),
      scopes: new Set(typeof claims.scp === "string" ? claims.scp.split(" ").filter((s) => s !== "") : []),
      user: isUser ? tenant.users.get(objectId) : undefined,
    },
  }
}
