/**
 * Redaction of URLs, headers, bodies and free text. Every error and log line core produces goes
 * through these functions; use them for your own logs too.
 *
 * Two complementary mechanisms: values under secret-ish *names* (query parameters, form fields,
 * JSON keys, headers) are replaced wherever they appear, and the clear text of *known secrets*
 * (the values you hold as `Redacted`) is replaced anywhere in the text, so a server echoing a
 * password back in an error message cannot leak it.
 *
 * @module
 */
import { Redacted } from "effect"
import { SERVICENOW_API_KEY_HEADER, SERVICENOW_USER_TOKEN_HEADER } from "./vendor.ts"

/** The text that replaces a secret; the same as `String(Redacted.make(x))`. */
export const REDACTED = "<redacted>"

/** A secret whose clear text must never be printed: a `Redacted` string or the clear text itself. */
export type Secret = string | Redacted.Redacted<string>

// Names are matched after lower-casing. Substrings catch `client_secret`, `user_password`,
// `refresh_token`, `client_assertion`, `x-api-key`, `JSESSIONID`, `passwordCredentials`…
const SECRET_NAME_PART =
  /password|passwd|passphrase|secret|token|assertion|api[-_]?key|authorization|cookie|credential|private[-_]?key|signature|session/
// Short names that are secrets only as a whole word: OAuth `code`, SAS `sig`, API `key`.
const SECRET_EXACT_NAMES: ReadonlySet<string> = new Set(["code", "sig", "key", "pwd", "pass", "auth", "otp"])
const SECRET_HEADERS: ReadonlySet<string> = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  SERVICENOW_API_KEY_HEADER,
  SERVICENOW_USER_TOKEN_HEADER,
])
// Known secrets shorter than this are not searched for: replacing "a" everywhere helps nobody.
const MIN_KNOWN_SECRET_LENGTH = 4
// Values a secret-ish field name can carry that are never secrets (`password_needs_reset: "false"`);
// scrubbing them would blank every `=false` in an error's URL.
const NEVER_SECRET = new Set(["true", "false", "null", "undefined"])

/**
 * Whether a parameter, field, key or header name denotes a secret (`client_secret`, `password`,
 * `access_token`, `code`, `sig`, `authorization`, `x-sn-apikey`…).
 *
 * @example
 * ```ts
 * isSecretName("client_secret") // true
 * isSecretName("client_id")     // false
 * ```
 */
export const isSecretName = (name: string): boolean => {
  const n = name.trim().toLowerCase()
  return SECRET_EXACT_NAMES.has(n) || SECRET_HEADERS.has(n) || SECRET_NAME_PART.test(n)
}

// In JSON, `code` is a vendor error code (Graph `error.code`), not an OAuth authorization code.
const isSecretJsonKey = (key: string): boolean => key.toLowerCase() !== "code" && isSecretName(key)

/**
 * The clear texts of secrets, for scrubbing. Keep the result in memory only.
 *
 * @internal
 */
export const revealSecrets = (secrets: ReadonlyArray<Secret>): Array<string> =>
  secrets
    .map((secret) => (Redacted.isRedacted(secret) ? Redacted.value(secret) : secret))
    .filter((clear): clear is string => typeof clear === "string")

const clearTexts = (secrets: ReadonlyArray<Secret>): ReadonlyArray<string> => {
  const texts = new Set<string>()
  for (const clear of revealSecrets(secrets)) {
    if (clear.length < MIN_KNOWN_SECRET_LENGTH || NEVER_SECRET.has(clear.toLowerCase())) continue
    texts.add(clear)
    texts.add(encodeURIComponent(clear))
    texts.add(new URLSearchParams({ v: clear }).toString().slice(2))
    texts.add(JSON.stringify(clear).slice(1, -1))
  }
  // Longest first, so a secret containing another is replaced whole.
  return [...texts].sort((a, b) => b.length - a.length)
}

const replaceKnown = (text: string, secrets: ReadonlyArray<Secret>): string => {
  let out = text
  for (const clear of clearTexts(secrets)) out = out.split(clear).join(REDACTED)
  return out
}

// A credential after a scheme: 8+ token characters with a digit, a base64/token symbol or mixed
// case, so that prose such as "Basic authentication is disabled" is left alone.
const AUTH_SCHEME =
  /\b(Bearer|bearer|BEARER|Basic|basic|BASIC|Digest|Negotiate|NTLM|SharedAccessSignature)(\s+)(?=[^\s,;"'<>]*(?:[0-9+/=_~-]|[a-z][^\s,;"'<>]*[A-Z]))[^\s,;"'<>]{8,}/g
const JWT = /\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi
const NAME_VALUE = /([\w.[\]-]+)=([^&\s"'<>,;]+)/g
const JSON_PAIR = /"([^"\\]{1,100})"(\s*:\s*)"((?:[^"\\]|\\.)*)"/g

/**
 * Redacts free text: known secrets, `Bearer …`/`Basic …` credentials, JWTs, URL userinfo, and the
 * values of secret-ish `name=value` pairs and `"name": "value"` JSON fragments.
 *
 * @example
 * ```ts
 * redactText("token=abc&x=1 Authorization: Bearer eyJ…") // "token=<redacted>&x=1 Authorization: Bearer <redacted>"
 * redactText("echo: hunter22", [Redacted.make("hunter22")]) // "echo: <redacted>"
 * ```
 */
export const redactText = (text: string, knownSecrets: ReadonlyArray<Secret> = []): string =>
  replaceKnown(text, knownSecrets)
    .replace(AUTH_SCHEME, (_, scheme: string, space: string) => `${scheme}${space}${REDACTED}`)
    .replace(JWT, REDACTED)
    .replace(USERINFO, (_, scheme: string) => `${scheme}${REDACTED}@`)
    .replace(NAME_VALUE, (pair, name: string) =>
      isSecretName(safeDecode(name)) ? `${name}=${REDACTED}` : pair,
    )
    .replace(JSON_PAIR, (pair, key: string, colon: string) =>
      isSecretJsonKey(key) ? `"${key}"${colon}"${REDACTED}"` : pair,
    )

const safeDecode = (s: string): string => {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "))
  } catch {
    return s
  }
}

// Redacts `a=1&b=2` keeping the caller's encoding of everything that is not a secret.
const redactParams = (params: string, knownSecrets: ReadonlyArray<Secret>): string =>
  params
    .split("&")
    .map((pair) => {
      const eq = pair.indexOf("=")
      if (eq < 0) return replaceKnown(pair, knownSecrets)
      const name = pair.slice(0, eq)
      return isSecretName(safeDecode(name))
        ? `${name}=${REDACTED}`
        : `${name}=${replaceKnown(pair.slice(eq + 1), knownSecrets)}`
    })
    .join("&")

/**
 * Redacts a URL: userinfo, secret-ish query and fragment parameters (`client_secret`, `password`,
 * `access_token`, `refresh_token`, `code`, `assertion`, `sig`, `token`…) and known secrets
 * anywhere. Text that is not a URL is redacted as free text.
 *
 * @example
 * ```ts
 * redactUrl("https://u:p@login.example/cb?code=abc&state=1") // "https://<redacted>@login.example/cb?code=<redacted>&state=1"
 * ```
 */
export const redactUrl = (url: string | URL, knownSecrets: ReadonlyArray<Secret> = []): string => {
  let parsed: URL
  try {
    parsed = typeof url === "string" ? new URL(url) : url
  } catch {
    return redactText(String(url), knownSecrets)
  }
  const userinfo = parsed.username !== "" || parsed.password !== "" ? `${REDACTED}@` : ""
  const query = parsed.search === "" ? "" : `?${redactParams(parsed.search.slice(1), knownSecrets)}`
  const fragment = parsed.hash === "" ? "" : `#${redactParams(parsed.hash.slice(1), knownSecrets)}`
  const path = replaceKnown(parsed.pathname, knownSecrets)
  return `${parsed.protocol}//${userinfo}${parsed.host}${path}${query}${fragment}`
}

/**
 * Redacts headers into a plain object: secret headers (`authorization`, `proxy-authorization`,
 * `cookie`, `set-cookie`, `x-sn-apikey`, `x-usertoken`, and any secret-ish name) become
 * `<redacted>`; other values are redacted as free text.
 *
 * @example
 * ```ts
 * redactHeaders({ Authorization: "Basic dTpw", Accept: "application/json" })
 * // { authorization: "<redacted>", accept: "application/json" }
 * ```
 */
export const redactHeaders = (
  headers: ConstructorParameters<typeof Headers>[0],
  knownSecrets: ReadonlyArray<Secret> = [],
): Record<string, string> => {
  const out: Record<string, string> = {}
  new Headers(headers).forEach((value, name) => {
    out[name] = isSecretName(name) ? REDACTED : redactText(value, knownSecrets)
  })
  return out
}

const redactJsonValue = (value: unknown, knownSecrets: ReadonlyArray<Secret>): unknown => {
  if (typeof value === "string") return redactText(value, knownSecrets)
  if (Array.isArray(value)) return value.map((item) => redactJsonValue(item, knownSecrets))
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, v]) => [
        key,
        isSecretJsonKey(key) ? REDACTED : redactJsonValue(v, knownSecrets),
      ]),
    )
  }
  return value
}

const FORM_BODY = /^[\w.%[\]-]+=[^\s]*$/

/**
 * Redacts a request or response body for a log line: JSON keys and form fields with secret-ish
 * names, then known secrets and credentials anywhere. The content type picks the parser; without
 * one the shape of the text does.
 *
 * @example
 * ```ts
 * redactBody('{"user_password":"hunter2","name":"a"}', "application/json") // '{"user_password":"<redacted>","name":"a"}'
 * redactBody("grant_type=client_credentials&client_secret=s3cr3t")       // "grant_type=client_credentials&client_secret=<redacted>"
 * ```
 */
export const redactBody = (
  body: string,
  contentType?: string | null,
  knownSecrets: ReadonlyArray<Secret> = [],
): string => {
  const type = (contentType ?? "").toLowerCase()
  const trimmed = body.trim()
  if (type.includes("json") || (type === "" && /^[[{]/.test(trimmed))) {
    try {
      return JSON.stringify(redactJsonValue(JSON.parse(trimmed), knownSecrets))
    } catch {
      return redactText(body, knownSecrets)
    }
  }
  if (type.includes("x-www-form-urlencoded") || (type === "" && FORM_BODY.test(trimmed))) {
    return redactParams(trimmed, knownSecrets)
  }
  return redactText(body, knownSecrets)
}

/**
 * The secrets a request carries, so that anything derived from its response can be scrubbed of
 * them: credentials of secret headers (a Basic header's decoded password included) and values of
 * secret-ish query parameters.
 *
 * @internal
 */
export const secretsOfRequest = (request: Request): ReadonlyArray<string> => {
  const found: Array<string> = []
  request.headers.forEach((value, name) => {
    if (!isSecretName(name)) return
    found.push(value)
    const [scheme, credentials] = value.split(/\s+/, 2)
    if (credentials === undefined) return
    found.push(credentials)
    if (scheme?.toLowerCase() === "basic") {
      const decoded = Buffer.from(credentials, "base64").toString("utf8")
      const colon = decoded.indexOf(":")
      found.push(decoded, ...(colon >= 0 ? [decoded.slice(colon + 1)] : []))
    }
  })
  new URL(request.url).searchParams.forEach((value, name) => {
    if (isSecretName(name)) found.push(value)
  })
  return found
}

const collectJsonSecrets = (value: unknown, found: Array<string>, underSecret: boolean): void => {
  if (typeof value === "string") {
    if (underSecret) found.push(value)
  } else if (Array.isArray(value)) {
    for (const item of value) collectJsonSecrets(item, found, underSecret)
  } else if (value !== null && typeof value === "object") {
    for (const [key, v] of Object.entries(value))
      collectJsonSecrets(v, found, underSecret || isSecretJsonKey(key))
  }
}

/**
 * The values of secret-ish JSON keys or form fields in a request body (a user's password, a
 * client secret in a token request), so that a server echoing them back cannot leak them.
 *
 * @internal
 */
export const secretsOfBody = (body: string, contentType: string | null): ReadonlyArray<string> => {
  const type = (contentType ?? "").toLowerCase()
  const found: Array<string> = []
  if (type.includes("json")) {
    try {
      collectJsonSecrets(JSON.parse(body), found, false)
    } catch {
      // Not JSON after all: nothing to collect by name.
    }
  } else if (type.includes("x-www-form-urlencoded")) {
    new URLSearchParams(body).forEach((value, name) => {
      if (isSecretName(name)) found.push(value)
    })
  }
  return found
}
