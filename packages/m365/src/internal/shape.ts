/**
 * What Graph's and the admin center's answers must look like before anything reads them (core's
 * `validate` hook): only the properties sn365 uses are checked, so a new property never breaks a
 * client, but an application without an `id`, a tag that is a number or a repository list that is
 * `null` fails the call with `UnexpectedResponse` (`unexpected-body`) instead of crashing.
 */

type Check = (data: unknown) => string | undefined

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value)

const optional = (value: unknown, test: (v: unknown) => boolean) =>
  value === undefined || value === null || test(value)
const isString = (v: unknown) => typeof v === "string"
const isStrings = (v: unknown) => Array.isArray(v) && v.every(isString)

const credentialProblem = (credentials: unknown): string | undefined => {
  if (!optional(credentials, Array.isArray)) return "passwordCredentials is not a list"
  const bad = ((credentials as ReadonlyArray<unknown> | null) ?? []).findIndex(
    (c) =>
      !isObject(c) ||
      !optional(c.keyId, isString) ||
      !optional(c.displayName, isString) ||
      !optional(c.endDateTime, isString),
  )
  return bad < 0 ? undefined : `passwordCredentials[${bad}] is not a credential`
}

const applicationProblem = (app: unknown, where: string): string | undefined => {
  if (!isObject(app)) return `${where} is not an object`
  if (typeof app.id !== "string" || typeof app.appId !== "string") return `${where} has no id or appId`
  if (!optional(app.tags, isStrings)) return `${where}.tags is not a list of strings`
  if (!optional(app.displayName, isString) || !optional(app.signInAudience, isString))
    return `${where}.displayName or signInAudience is not a string`
  if (!optional(app.web, (web) => isObject(web) && optional(web.redirectUris, isStrings)))
    return `${where}.web.redirectUris is not a list of strings`
  const credentials = credentialProblem(app.passwordCredentials)
  return credentials === undefined ? undefined : `${where}.${credentials}`
}

/** An application (`id`, `appId`, and what sn365 reads of it). */
export const applicationBody: Check = (data) => applicationProblem(data, "the application")

/** An application, or no body (a `204` upsert of an existing one). */
export const optionalApplicationBody: Check = (data) =>
  data === undefined || data === null || data === "" ? undefined : applicationBody(data)

/** `{ value: [application…] }`. */
export const applicationListBody: Check = (data) => {
  if (!isObject(data) || !Array.isArray(data.value)) return "value is not a list"
  for (const [i, app] of data.value.entries()) {
    const problem = applicationProblem(app, `value[${i}]`)
    if (problem !== undefined) return problem
  }
  return undefined
}

/** An application read with `$select=passwordCredentials`. */
export const credentialsBody: Check = (data) =>
  isObject(data) ? credentialProblem(data.passwordCredentials) : "the body is not an object"

/** `addPassword`'s answer: the new secret's `keyId` and its one-time `secretText`. */
export const newSecretBody: Check = (data) =>
  isObject(data) && typeof data.keyId === "string" && typeof data.secretText === "string"
    ? undefined
    : "the new secret has no keyId or secretText"

/** A service principal (`id`, `appId`). */
export const servicePrincipalBody: Check = (data) =>
  isObject(data) && typeof data.id === "string" && typeof data.appId === "string"
    ? undefined
    : "the service principal has no id or appId"

/** The admin center's Basic information. */
export const basicInformationBody: Check = (data) =>
  isObject(data) &&
  optional(data.internalSupportTool, isString) &&
  optional(data.applicationId, isString) &&
  optional(data.lastModifiedDateTime, isString)
    ? undefined
    : "Basic information is not an object of strings"

const repositoryProblem = (repo: unknown, where: string): string | undefined =>
  isObject(repo) &&
  ["repository", "endpoint", "authenticationType", "clientId", "restUsername"].every((k) =>
    isString(repo[k]),
  ) &&
  typeof repo.clientSecretConfigured === "boolean" &&
  typeof repo.restUserPasswordConfigured === "boolean" &&
  typeof repo.refreshTokenExpiry === "number"
    ? undefined
    : `${where} is not a repository`

/** A repository. */
export const repositoryBody: Check = (data) => repositoryProblem(data, "the repository")

/** `{ value: [repository…] }`. */
export const repositoryListBody: Check = (data) => {
  if (!isObject(data) || !Array.isArray(data.value)) return "value is not a list"
  for (const [i, repo] of data.value.entries()) {
    const problem = repositoryProblem(repo, `value[${i}]`)
    if (problem !== undefined) return problem
  }
  return undefined
}
