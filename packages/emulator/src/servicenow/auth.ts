/**
 * Who is calling: HTTP Basic against `sys_user` (password hash), or a Bearer access token issued by
 * `/oauth_token.do`, then the Basic-auth gate of Zurich/Australia instances (servicenow-api.md §2.1,
 * §2.6): with `glide.authenticate.basic_auth.restriction.enforce=true` a Basic call is refused unless
 * the user is web-service-access-only (and `…allow_wsao` is not `false`) or holds one of
 * `…allowed_roles` explicitly — `admin` does not count.
 *
 * @module
 */
import type { Caller } from "./acl.ts"
import { type Instance, secretMatches } from "./Instance.ts"
import { type ErrorText, NOT_AUTHENTICATED, NOT_AUTHENTICATED_LOWER, PROPERTY } from "./vendor.ts"

/** The outcome of {@link authenticate}. */
export type AuthResult =
  | { readonly ok: true; readonly caller: Caller; readonly via: "basic" | "bearer" }
  | { readonly ok: false; readonly error: ErrorText }

/** Which 401 wording the Basic-auth gate uses (both observed, servicenow-api.md §1.5). */
export type GateWording = "User Not Authenticated" | "User is not authenticated"

const decodeBasic = (encoded: string): { user: string; password: string } | undefined => {
  const text = Buffer.from(encoded, "base64").toString("utf8")
  const colon = text.indexOf(":")
  return colon < 0 ? undefined : { user: text.slice(0, colon), password: text.slice(colon + 1) }
}

/** The caller of a `sys_user` row. */
export const callerOf = (instance: Instance, user: Readonly<Record<string, string>>): Caller => ({
  sysId: user.sys_id ?? "",
  userName: user.user_name ?? "",
  roles: instance.rolesOf(user.sys_id ?? ""),
})

/** Whether the user may sign in at all. */
export const canSignIn = (user: Readonly<Record<string, string>> | undefined): boolean =>
  user !== undefined && user.active === "true" && user.locked_out !== "true"

/** Whether a Basic call by this caller passes the gate. */
export const passesBasicGate = (
  instance: Instance,
  user: Readonly<Record<string, string>>,
  caller: Caller,
) => {
  if (instance.property(PROPERTY.basicAuthEnforce) !== "true") return true
  if (user.web_service_access_only === "true" && instance.property(PROPERTY.basicAuthAllowWsao) !== "false") {
    return true
  }
  const allowedRoles = (instance.property(PROPERTY.basicAuthAllowedRoles) ?? "")
    .split(",")
    .map((role) => role.trim())
    .filter((role) => role !== "")
  return allowedRoles.some((role) => caller.roles.has(role))
}

/** Authenticates a request from its `Authorization` header. */
export const authenticate = (
  instance: Instance,
  authorization: string | undefined,
  gateWording: GateWording = "User Not Authenticated",
): AuthResult => {
  const denied: AuthResult = { ok: false, error: NOT_AUTHENTICATED }
  if (authorization === undefined) return denied
  const [scheme = "", credentials = ""] = authorization.trim().split(/\s+/, 2)
  if (scheme.toLowerCase() === "basic") {
    const decoded = decodeBasic(credentials)
    if (decoded === undefined) return denied
    const user = instance.findBy("sys_user", "user_name", decoded.user)
    if (user === undefined || !canSignIn(user) || !secretMatches(user.user_password, decoded.password))
      return denied
    const caller = callerOf(instance, user)
    if (!passesBasicGate(instance, user, caller)) {
      return {
        ok: false,
        error: gateWording === "User Not Authenticated" ? NOT_AUTHENTICATED : NOT_AUTHENTICATED_LOWER,
      }
    }
    return { ok: true, caller, via: "basic" }
  }
  if (scheme.toLowerCase() === "bearer") {
    const token = instance.tokens.get(credentials)
    if (token === undefined || token.kind !== "access" || token.expiresAt <= instance.clock.now())
      return denied
    const user = instance.get("sys_user", token.user)
    if (user === undefined || !canSignIn(user)) return denied
    return { ok: true, caller: callerOf(instance, user), via: "bearer" }
  }
  return denied
}
