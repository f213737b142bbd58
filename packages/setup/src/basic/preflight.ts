/**
 * Preflight: before any write, both sides are reachable, the credentials work, the signed-in
 * identities hold what the setup needs, and the app is installed. A failing preflight changes
 * nothing. All checks run at once and every problem is reported together.
 *
 * @module
 */
import { Query } from "@sn365/servicenow"
import { Effect, Redacted, Stream } from "effect"
import { type PreflightProblem, summarize } from "../Errors.ts"
import type { Env } from "../internal/env.ts"
import { APP_SCOPE } from "../vendor.ts"

/** What preflight learned about the installed app. */
export interface AppInfo {
  readonly name: string
  readonly version: string
  /** The wizard generation (procedure §2) the version implies. */
  readonly generation: "A" | "B" | "C" | "unknown"
}

/** Graph application permissions that let sn365 create and manage its app. Source: entra-graph-msal §1.8. */
export const GRAPH_APP_ROLES = ["Application.ReadWrite.All", "Application.ReadWrite.OwnedBy"] as const
/** Delegated scope an administrator signs in with. Source: entra-graph-msal §1.8. */
export const GRAPH_DELEGATED_SCOPE = "Application.ReadWrite.All"
/** Microsoft Graph's default scope for a token. */
export const GRAPH_SCOPE = "https://graph.microsoft.com/.default"
/** ServiceNow role the setup account must hold (OAuth records, users, properties, Application Access). */
export const SERVICENOW_SETUP_ROLE = "admin"

/** Maps an app version to the wizard generation of procedure §2 (A < 1.0.7 ≤ B ≤ 1.0.11 < 2.0.0 ≤ C). */
export const generationOf = (version: string): AppInfo["generation"] => {
  const [major, minor, patch] = version.split(".").map((part) => Number.parseInt(part, 10))
  if (major === undefined || Number.isNaN(major)) return "unknown"
  if (major >= 2) return "C"
  if (major === 1 && (minor ?? 0) === 0 && (patch ?? 0) >= 7) return "B"
  if (major === 1 && (minor ?? 0) === 0) return "A"
  return "unknown"
}

const ENTRA_SIGN_IN = "Entra sign-in"

const problem = (check: string, error: unknown, remedy: string): PreflightProblem => {
  const summary = summarize(error)
  return { check, message: summary.message, remedy: summary.remedy ?? remedy, tag: summary.tag }
}

/** The claims of a JWT access token, or undefined when the token is opaque. */
const claimsOf = (token: string): Record<string, unknown> | undefined => {
  const payload = token.split(".")[1]
  if (payload === undefined) return undefined
  try {
    return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>
  } catch {
    return undefined
  }
}

/** Whether the setup account holds the setup role: one read, by user name and role name (dot-walked). */
const holdsSetupRole = (env: Env, username: string) =>
  env.sn
    .table("sys_user_has_role")
    .first({
      query: Query.make<Record<string, string>>()
        .eq("user.user_name", username)
        .eq("role.name", SERVICENOW_SETUP_ROLE),
      fields: ["sys_id"],
    })
    .pipe(Effect.map((grant) => grant !== undefined))

const checkServiceNow = (env: Env) =>
  Effect.gen(function* () {
    const problems: Array<PreflightProblem> = []
    const auth = env.config.servicenow.auth
    // Both reads at once; the role check only counts when the sign-in worked.
    const [app, holds] = yield* Effect.all(
      [
        env.sn
          .table("sys_store_app")
          .first({
            query: Query.make<{ scope: string }>().eq("scope", APP_SCOPE),
            fields: ["name", "version", "active"],
          })
          .pipe(Effect.result),
        auth.type === "basic" || auth.type === "oauthPassword"
          ? holdsSetupRole(env, auth.username).pipe(Effect.result)
          : Effect.succeed(undefined),
      ],
      { concurrency: "unbounded" },
    )
    let appInfo: AppInfo | undefined
    if (app._tag === "Failure") {
      problems.push(
        problem(
          "ServiceNow sign-in",
          app.failure,
          `Check servicenow.instance and the credentials in servicenow.auth.`,
        ),
      )
      return { problems, appInfo }
    }
    if (app.success === undefined || app.success.active === "false") {
      problems.push({
        check: "ServiceNow app",
        message: `The Microsoft 365 support integration app (${APP_SCOPE}) is not installed${app.success === undefined ? "" : " or not active"} on ${env.names.instanceOrigin}.`,
        remedy:
          "Install the app from the ServiceNow Store (it was withdrawn with the service on 2025-05-30), or use `sn365 teardown` to remove an old installation's objects.",
      })
    } else {
      const version = String(app.success.version ?? "")
      appInfo = { name: String(app.success.name ?? APP_SCOPE), version, generation: generationOf(version) }
    }
    if (holds !== undefined && (auth.type === "basic" || auth.type === "oauthPassword")) {
      if (holds._tag === "Failure")
        problems.push(problem("ServiceNow roles", holds.failure, "Check the setup account's roles."))
      else if (!holds.success)
        problems.push({
          check: "ServiceNow roles",
          message: `The setup account '${auth.username}' does not hold the '${SERVICENOW_SETUP_ROLE}' role.`,
          remedy: `Grant '${SERVICENOW_SETUP_ROLE}' to '${auth.username}' (it creates OAuth records, a user, app properties and may change Application Access), or run setup as an administrator.`,
        })
    }
    return { problems, appInfo }
  })

const checkEntra = (env: Env) =>
  Effect.gen(function* () {
    const token = yield* env.credential.getToken(GRAPH_SCOPE).pipe(Effect.result)
    if (token._tag === "Failure")
      return [problem(ENTRA_SIGN_IN, token.failure, "Check entra.tenant and the credentials in entra.auth.")]
    const claims = claimsOf(Redacted.value(token.success))
    if (claims === undefined) return []
    const roles = Array.isArray(claims.roles) ? (claims.roles as Array<string>) : []
    const scopes = typeof claims.scp === "string" ? claims.scp.split(" ") : []
    const ok = GRAPH_APP_ROLES.some((role) => roles.includes(role)) || scopes.includes(GRAPH_DELEGATED_SCOPE)
    return ok
      ? []
      : [
          {
            check: "Entra permissions",
            message: `The token for Microsoft Graph carries neither ${GRAPH_APP_ROLES.join(" nor ")} (application) nor ${GRAPH_DELEGATED_SCOPE} (delegated).`,
            remedy:
              "Grant the setup app the Microsoft Graph application permission Application.ReadWrite.OwnedBy (least privilege) with admin consent, or sign in by device code as an Application Administrator.",
          },
        ]
  })

const checkMicrosoft365 = (env: Env, basicInformation: Effect.Effect<unknown, unknown>) =>
  env.config.microsoft365.mode === "manual"
    ? Effect.succeed([] as Array<PreflightProblem>)
    : basicInformation.pipe(
        Effect.as([] as Array<PreflightProblem>),
        Effect.catch((error: unknown) =>
          Effect.succeed([
            problem(
              "Microsoft 365 admin center",
              error,
              "The setup identity needs the (modeled) SupportIntegration.ReadWrite.All permission, or use microsoft365.mode = manual.",
            ),
          ]),
        ),
      )

// The admin center's token comes from the same credential as Graph's: when signing in failed,
// it fails the same way, and saying so twice helps no one.
const sameSignInFailure = (problem: PreflightProblem, entra: ReadonlyArray<PreflightProblem>) =>
  entra.some((e) => e.check === ENTRA_SIGN_IN && e.tag !== undefined && e.tag === problem.tag)

/**
 * Runs every preflight check at once. Never fails: problems are returned. `basicInformation` is the
 * admin center's read, shared with observation when both run.
 */
export const preflight = (
  env: Env,
  basicInformation: Effect.Effect<unknown, unknown> = env.support.getBasicInformation(),
) =>
  Effect.all([checkServiceNow(env), checkEntra(env), checkMicrosoft365(env, basicInformation)], {
    concurrency: "unbounded",
  }).pipe(
    Effect.map(([servicenow, entra, m365]) => ({
      problems: [...servicenow.problems, ...entra, ...m365.filter((p) => !sameSignInFailure(p, entra))],
      app: servicenow.appInfo,
    })),
  )

/**
 * The secret store's problem, if it has one: `apply` generates secrets (the Entra client secret, the
 * inbound client secret, the integration user's password) that are returned once and must be kept,
 * and `teardown` forgets them as it removes their objects.
 */
export const secretStoreProblems = (env: Env): Effect.Effect<ReadonlyArray<PreflightProblem>> =>
  env.secrets.problem === undefined
    ? Effect.succeed([])
    : Effect.map(env.secrets.problem(), (message) =>
        message === undefined
          ? []
          : [
              {
                check: "Secret store",
                message,
                remedy:
                  "Use a secrets file this account can read and write (a path in a writable folder), or another store.",
              },
            ],
      )

/**
 * With `microsoft365.mode: "manual"`, `apply` and `teardown` hand the admin-center form to an
 * administrator through `options.manualHandoff`: without one they would stop at the form, after
 * changing everything before it, so its absence is a problem found before any request.
 */
export const manualHandoffProblems = (env: Env): ReadonlyArray<PreflightProblem> =>
  env.config.microsoft365.mode === "manual" && env.options.manualHandoff === undefined
    ? [
        {
          check: "Manual hand-off",
          message:
            "microsoft365.mode is 'manual', but no manualHandoff option was given: nothing could show the admin-center form to an administrator.",
          remedy:
            "Pass manualHandoff (it shows the values and resolves true once the form is saved), or run the sn365 command, which asks at the terminal.",
        },
      ]
    : []

/** Lists the app's tables and properties (`discover`). */
export const discoverApp = (env: Env) =>
  Effect.all(
    {
      tables: env.sn
        .table("sys_db_object")
        .list({
          query: Query.make<{ name: string }>().startsWith("name", `${APP_SCOPE}_`).orderBy("name"),
          fields: ["name", "label"],
        })
        .pipe(Stream.runCollect),
      properties: env.sn
        .table("sys_properties")
        .list({
          query: Query.make<{ name: string }>().startsWith("name", `${APP_SCOPE}.`).orderBy("name"),
          fields: ["name", "type", "value"],
        })
        .pipe(Stream.runCollect),
    },
    { concurrency: "unbounded" },
  )
