/**
 * `POST /oauth_token.do` (servicenow-api.md §2.2–2.3): the password, refresh_token and
 * client_credentials grants, tokens that expire on the emulator clock, the same access token
 * returned while it is valid, and the observed 401 `server_error`/`access_denied` for every failure.
 *
 * @module
 */
import { type EmulatorResponse, json } from "../server/http.ts"
import { canSignIn } from "./auth.ts"
import { type Instance, type IssuedToken, type Row, secretMatches } from "./Instance.ts"
import {
  ACCESS_TOKEN_LIFESPAN,
  APPLICATION_USER_COLUMN,
  PROPERTY,
  REFRESH_TOKEN_LIFESPAN,
  TOKEN_ERROR,
  TOKEN_LENGTH,
  TOKEN_SCOPE,
  TOKEN_TYPE,
} from "./vendor.ts"

/** The 401 every token failure answers. */
export const tokenFailure = (): EmulatorResponse => json(401, TOKEN_ERROR)

const TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

const lifespan = (client: Row, column: string, fallback: number) => {
  const value = Number(client[column])
  return Number.isFinite(value) && value > 0 ? value : fallback
}

/** The active inbound client with this id whose secret matches. */
const clientOf = (instance: Instance, clientId: string, secret: string): Row | undefined => {
  for (const table of ["oauth_entity", "oauth_oidc_entity"]) {
    for (const row of instance.rows(table).values()) {
      if (row.client_id === clientId && row.active === "true" && secretMatches(row.client_secret, secret))
        return row
    }
  }
  return undefined
}

const issue = (
  instance: Instance,
  kind: IssuedToken["kind"],
  user: string,
  client: string,
  seconds: number,
) => {
  const token = instance.random.string(TOKEN_LENGTH, TOKEN_ALPHABET)
  instance.tokens.set(token, { kind, user, client, expiresAt: instance.clock.now() + seconds * 1000 })
  return token
}

/** A still-valid access token for this user and client, reused as the platform does ([SN-OAUTH-REQ]). */
const validAccessToken = (instance: Instance, user: string, client: string) => {
  const now = instance.clock.now()
  for (const [token, issued] of instance.tokens) {
    if (
      issued.kind === "access" &&
      issued.user === user &&
      issued.client === client &&
      issued.expiresAt > now
    ) {
      return { token, expiresIn: Math.floor((issued.expiresAt - now) / 1000) }
    }
  }
  return undefined
}

const accessToken = (instance: Instance, user: string, client: Row) => {
  const reused = validAccessToken(instance, user, client.sys_id ?? "")
  if (reused !== undefined) return reused
  const seconds = lifespan(client, "access_token_lifespan", ACCESS_TOKEN_LIFESPAN)
  return { token: issue(instance, "access", user, client.sys_id ?? "", seconds), expiresIn: seconds - 1 }
}

const success = (access: { token: string; expiresIn: number }, refreshToken?: string): EmulatorResponse =>
  json(200, {
    access_token: access.token,
    ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
    scope: TOKEN_SCOPE,
    token_type: TOKEN_TYPE,
    expires_in: access.expiresIn,
  })

/** Token behaviour that is configuration rather than instance state. */
export interface TokenOptions {
  /**
   * Whether web-service-access-only users get password grants. The docs' "interactive session"
   * wording leaves it open (servicenow-api.md §2.2, §9 #6).
   */
  readonly passwordGrantForWebServiceUsers: boolean
}

/** Handles a validated token request (`form` holds the POST body's fields only). */
export const handleToken = (
  instance: Instance,
  form: Readonly<Record<string, string>>,
  options: TokenOptions = { passwordGrantForWebServiceUsers: true },
): EmulatorResponse => {
  const client = clientOf(instance, form.client_id ?? "", form.client_secret ?? "")
  if (client === undefined) return tokenFailure()
  const clientId = client.sys_id ?? ""
  switch (form.grant_type) {
    case "password": {
      if (instance.property(PROPERTY.ropcDisabled) === "true") return tokenFailure()
      const user = instance.findBy("sys_user", "user_name", form.username ?? "")
      if (user === undefined || !canSignIn(user) || user.password_needs_reset === "true") {
        return tokenFailure()
      }
      if (user.web_service_access_only === "true" && !options.passwordGrantForWebServiceUsers)
        return tokenFailure()
      if (!secretMatches(user.user_password, form.password ?? "")) return tokenFailure()
      const userId = user.sys_id ?? ""
      const access = accessToken(instance, userId, client)
      const refresh = issue(
        instance,
        "refresh",
        userId,
        clientId,
        lifespan(client, "refresh_token_lifespan", REFRESH_TOKEN_LIFESPAN),
      )
      return success(access, refresh)
    }
    case "refresh_token": {
      const refresh = instance.tokens.get(form.refresh_token ?? "")
      if (refresh === undefined || refresh.kind !== "refresh" || refresh.client !== clientId)
        return tokenFailure()
      if (refresh.expiresAt <= instance.clock.now()) return tokenFailure()
      const user = instance.get("sys_user", refresh.user)
      if (user === undefined || !canSignIn(user) || user.password_needs_reset === "true")
        return tokenFailure()
      return success(accessToken(instance, refresh.user, client))
    }
    case "client_credentials": {
      if (instance.property(PROPERTY.clientCredentialsEnabled) !== "true") return tokenFailure()
      const user = instance.get("sys_user", client[APPLICATION_USER_COLUMN] ?? "")
      if (user === undefined || !canSignIn(user)) return tokenFailure()
      return success(accessToken(instance, user.sys_id ?? "", client))
    }
    default:
      return tokenFailure()
  }
}

/** `/oauth_revoke_token.do`: forgets the token if it was issued here. */
export const revokeToken = (instance: Instance, token: string): EmulatorResponse => {
  instance.tokens.delete(token)
  return { status: 200, headers: {}, body: "" }
}
