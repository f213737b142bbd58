/**
 * Verification: the checks of "Testing the configuration" (procedure §8), done by machine. Each
 * check passes, fails with a reason and a remedy, or is skipped with a reason.
 *
 * @module
 */
import { Effect } from "effect"
import { summarize } from "../Errors.ts"
import type { Env } from "../internal/env.ts"
import { isDeliveryPending, isRepositoryRemoved } from "../Names.ts"
import type { VerifyCheck } from "../Results.ts"
import { AUTH_TYPE_BASIC, GRANT_CLIENT_CREDENTIALS, ROLE_INCIDENT_MANAGER } from "../vendor.ts"
import { currentSecret } from "./entra.ts"
import { basicInformationEmptied } from "./microsoft365.ts"
import type { Observed } from "./observe.ts"
import { desiredGrants, refusedTables } from "./servicenow.ts"

type Check = Omit<VerifyCheck, "id" | "title">

const pass = (message?: string): Check =>
  message === undefined ? { status: "pass" } : { status: "pass", message }
const fail = (message: string, remedy: string): Check => ({ status: "fail", message, remedy })
const skip = (message: string): Check => ({ status: "skipped", message })

const failed = (error: unknown, remedy: string): Check => {
  const summary = summarize(error)
  return fail(summary.message, summary.remedy ?? remedy)
}

const NOT_STORED = (what: string) =>
  `${what} is shown only when it is created and is not in the secret store; run verify in the same process as apply, or with the CLI's --secrets-file.`

const entraToken = (env: Env, observed: Observed) =>
  Effect.gen(function* () {
    if (observed.app === undefined) return fail("The outbound app does not exist.", "Run apply.")
    const secret = yield* env.secrets.get("entraClientSecret")
    if (secret === undefined) return skip(NOT_STORED("The Entra client secret"))
    return yield* env.apps
      .confirmSecret({ tenant: env.config.entra.tenant, appId: observed.app.appId, secret })
      .pipe(
        Effect.as(pass("client-credentials token issued")),
        Effect.catch((error: unknown) =>
          Effect.succeed(failed(error, "Check the app's secrets and service principal; run apply.")),
        ),
      )
  })

const passwordGrant = (env: Env, observed: Observed) =>
  Effect.gen(function* () {
    if (observed.inboundClient?.client_id === undefined)
      return fail("The inbound OAuth endpoint does not exist.", "Run apply.")
    const [clientSecret, password] = yield* Effect.all([
      env.secrets.get("inboundClientSecret"),
      env.secrets.get("integrationUserPassword"),
    ])
    if (clientSecret === undefined || password === undefined)
      return skip(NOT_STORED("The inbound client secret or the integration user's password"))
    return yield* env.sn
      .token({
        grant: "password",
        clientId: observed.inboundClient.client_id,
        clientSecret,
        username: env.names.integrationUser,
        password,
      })
      .pipe(
        Effect.map((token) => pass(`access token issued (expires in ${token.expiresIn ?? "?"} s)`)),
        Effect.catch((error: unknown) =>
          Effect.succeed(
            failed(
              error,
              "Check the inbound endpoint, the user's password and that the user is active; run apply.",
            ),
          ),
        ),
      )
  })

const outboundProvider = (env: Env, observed: Observed): Check => {
  const provider = observed.outboundProvider
  if (provider === undefined) return fail("The outbound OAuth provider does not exist.", "Run apply.")
  const problems = [
    provider.client_id === observed.app?.appId
      ? undefined
      : `client_id is ${provider.client_id}, not the app's ${observed.app?.appId}`,
    provider.token_url === env.names.tokenUrl ? undefined : `token_url is ${provider.token_url}`,
    provider.default_grant_type === GRANT_CLIENT_CREDENTIALS
      ? undefined
      : `default grant is ${provider.default_grant_type}`,
    observed.outboundProfile === undefined ? "it has no OAuth profile" : undefined,
    // The provider records which Entra secret it was given; it must still be one of the app's and
    // unexpired (one due for renewal still works: apply renews it, verify does not fail it).
    currentSecret(observed, env, Date.now(), 0) === undefined
      ? "it does not hold an unexpired client secret of the app"
      : undefined,
  ].filter((p) => p !== undefined)
  return problems.length === 0 ? pass() : fail(problems.join("; "), "Run apply to correct the provider.")
}

const integrationUser = (observed: Observed): Check => {
  const user = observed.user
  if (user === undefined) return fail("The integration user does not exist.", "Run apply.")
  const problems = [
    user.active === "true" ? undefined : "not active",
    user.web_service_access_only === "true" ? undefined : "not web-service-access-only",
    user.locked_out === "true" ? "locked out" : undefined,
    user.password_needs_reset === "true" ? "password needs reset (blocks OAuth grants)" : undefined,
    observed.userRoleGrant === undefined ? `missing role ${ROLE_INCIDENT_MANAGER}` : undefined,
  ].filter((p) => p !== undefined)
  return problems.length === 0 ? pass() : fail(problems.join("; "), "Run apply to correct the user.")
}

/** A value as a check message shows it: quoted, or "empty". */
const shown = (value: string | undefined): string =>
  value === undefined || value === "" ? "empty" : `'${value}'`

/** What a wizard value must be, or why it cannot be right (the record it names does not exist). */
type Expected = string | { readonly missing: string }

const appWizard = (env: Env, observed: Observed) =>
  env.sn.app.setupSummary().pipe(
    Effect.map((summary): Check => {
      const expected: Record<string, Expected> = {
        outbound_app_id: observed.app?.appId ?? { missing: "there is no app registration for it to name" },
        client_id: observed.inboundClient?.client_id ?? {
          missing: "there is no inbound OAuth endpoint for it to name",
        },
        user_name: env.names.integrationUser,
        repository_id: env.names.repositoryId,
        external_oidc: "false",
        setup_complete: "true",
      }
      const actual = (key: string) => summary[key as keyof typeof summary]
      const wrong = Object.entries(expected).filter(
        ([key, value]) => typeof value !== "string" || actual(key) !== value,
      )
      return wrong.length === 0
        ? pass("the app reads its OAuth records across scopes")
        : fail(
            wrong
              .map(([key, value]) =>
                typeof value === "string"
                  ? `${key} is ${shown(actual(key))}, expected '${value}'`
                  : `${key} is ${shown(actual(key))}, and ${value.missing}`,
              )
              .join("; "),
            "Run apply to write the wizard values.",
          )
    }),
    Effect.catch((error: unknown) =>
      Effect.succeed(
        refusedTables(observed).length > 0 || summarize(error).tag === "CrossScopeAccessDenied"
          ? failed(
              error,
              "Allow cross-scope reads of oauth_entity and oauth_entity_profile (apply with fixCrossScopeAccess).",
            )
          : failed(error, "Check that the app is installed and the setup account may read it."),
      ),
    ),
  )

const roles = (env: Env, observed: Observed): Check => {
  const wanted = desiredGrants(env)
  if (wanted.length === 0) return skip("roles names no users")
  const missing = wanted.filter(
    ({ user, role }) => !observed.grantsHeld.has(`${observed.roleUsers.get(user)}:${observed.roleIds[role]}`),
  )
  return missing.length === 0
    ? pass(`${wanted.length} grant(s) held`)
    : fail(
        `${missing.length} of ${wanted.length} grants missing, e.g. ${missing[0]?.user} → ${missing[0]?.role}`,
        "Run apply.",
      )
}

const basicInformation = (env: Env, observed: Observed): Check => {
  if (basicInformationEmptied(observed))
    return fail(
      "A teardown asked the administrator to empty Basic information, and stopped before removing the rest.",
      "Run teardown to finish removing the integration, or apply to set it up again.",
    )
  if (env.config.microsoft365.mode === "manual") return skip("entered by hand; the form cannot be read back")
  const info = observed.basicInformation
  if (observed.app === undefined)
    return fail(
      `Application ID is ${shown(info?.applicationId)}, and there is no app registration for it to name`,
      "Run apply.",
    )
  return info?.applicationId === observed.app.appId && info?.internalSupportTool === "ServiceNow"
    ? pass()
    : fail(`Application ID is ${shown(info?.applicationId)}, expected '${observed.app.appId}'`, "Run apply.")
}

const repository = (env: Env, observed: Observed): Check => {
  if (isRepositoryRemoved(observed.inboundClient?.comments))
    return fail(
      "A teardown had the administrator delete the repository, and stopped before removing the rest.",
      "Run teardown to finish removing the integration, or apply to set it up again.",
    )
  if (isDeliveryPending(observed.inboundClient?.comments))
    return fail(
      "The repository may lack the inbound client secret and the integration user's password: a previous run rotated them (or asked for the repository's removal) and stopped before the repository received them.",
      "Run apply: it rotates them again and writes the repository.",
    )
  if (env.config.microsoft365.mode === "manual") return skip("entered by hand; the form cannot be read back")
  const repo = observed.repository
  if (repo === undefined) return fail(`Repository '${env.names.repositoryId}' does not exist.`, "Run apply.")
  const problems = [
    repo.authenticationType === AUTH_TYPE_BASIC
      ? undefined
      : `authentication type ${repo.authenticationType}`,
    repo.clientId === observed.inboundClient?.client_id
      ? undefined
      : "client id differs from the inbound endpoint",
    repo.restUsername === env.names.integrationUser ? undefined : `rest username ${repo.restUsername}`,
    repo.endpoint === observed.wizard.endpoint?.value ? undefined : "endpoint differs from the wizard's",
    repo.clientSecretConfigured && repo.restUserPasswordConfigured ? undefined : "a secret is not set",
  ].filter((p) => p !== undefined)
  return problems.length === 0 ? pass() : fail(problems.join("; "), "Run apply to rewrite the repository.")
}

/** Runs every check; the slow ones (token requests, the app endpoint) concurrently. */
export const runChecks = (env: Env, observed: Observed): Effect.Effect<ReadonlyArray<VerifyCheck>> =>
  Effect.gen(function* () {
    const [entra, snToken, wizard] = yield* Effect.all(
      [entraToken(env, observed), passwordGrant(env, observed), appWizard(env, observed)],
      { concurrency: "unbounded" },
    )
    const checks: Array<[string, string, Check]> = [
      ["entra.token", "Entra token with the outbound app's secret", entra],
      ["servicenow.passwordGrant", "ServiceNow password grant with the inbound client", snToken],
      ["servicenow.outboundProvider", "Outbound OAuth provider", outboundProvider(env, observed)],
      ["servicenow.integrationUser", "Integration user", integrationUser(observed)],
      ["servicenow.appWizard", "App wizard values and cross-scope reads", wizard],
      ["servicenow.roles", "App role grants", roles(env, observed)],
      ["microsoft365.basicInformation", "Admin center: basic information", basicInformation(env, observed)],
      ["microsoft365.repository", "Admin center: repository", repository(env, observed)],
    ]
    return checks.map(([id, title, check]) => ({ id, title, ...check }))
  })
