/**
 * Microsoft 365 admin-center steps of the Basic variant: Basic information (M1) and the repository
 * (M2). Through the modeled API, or by an administrator when `microsoft365.mode` is `manual`.
 *
 * @module
 */
import { Effect } from "effect"
import { PreflightFailed } from "../Errors.ts"
import { type StepPlan, secretChange, set } from "../internal/step.ts"
import { isDeliveryPending } from "../Names.ts"
import { AUTH_TYPE_BASIC, INTERNAL_SUPPORT_TOOL } from "../vendor.ts"
import type { Observed } from "./observe.ts"
import type { BasicStep } from "./steps.ts"

type Env = Parameters<BasicStep["plan"]>[1]

/**
 * In manual mode the form cannot be read back. sn365 then takes "the wizard was completed (W10)
 * with the values it still shows" as proof that the administrator saved M1 and M2, because the
 * procedure completes the wizard only after the form is saved.
 */
const manualFormDone = (observed: Observed, env: Env) =>
  observed.wizard.setupComplete?.value === "true" &&
  observed.wizard.integrationUser?.value === env.names.integrationUser &&
  observed.wizard.repositoryId?.value === env.names.repositoryId &&
  observed.inboundClient !== undefined &&
  observed.user !== undefined &&
  observed.app !== undefined

/** Basic information names this setup's app (so teardown may empty it). */
const basicInformationIsOurs = (observed: Observed) =>
  observed.app !== undefined && observed.basicInformation?.applicationId === observed.app.appId

/**
 * Manual mode cannot read the form; teardown asks the administrator to empty it when the wizard
 * still names this setup's repository (so the form was filled by an earlier apply).
 */
const formWasFilled = (observed: Observed, env: Env) =>
  observed.wizard.repositoryId?.value === env.names.repositoryId

/** The repository's non-secret fields as they should be. */
const desiredRepository = (observed: Observed, env: Env, clientId: string) => ({
  endpoint: observed.wizard.endpoint?.value ?? "",
  authenticationType: AUTH_TYPE_BASIC as typeof AUTH_TYPE_BASIC,
  clientId,
  refreshTokenExpiry: String(env.config.integration.refreshTokenExpiry),
  restUsername: env.names.integrationUser,
})

const repositoryDiff = (observed: Observed, env: Env) => {
  const desired = desiredRepository(
    observed,
    env,
    observed.inboundClient?.client_id ?? "(new inbound client id)",
  )
  const repo = observed.repository
  if (repo === undefined) return Object.entries(desired).map(([f, v]) => set(f, v))
  const current: Record<string, string> = {
    endpoint: repo.endpoint,
    authenticationType: repo.authenticationType,
    clientId: repo.clientId,
    refreshTokenExpiry: String(repo.refreshTokenExpiry),
    restUsername: repo.restUsername,
  }
  return Object.entries(desired).flatMap(([field, to]) =>
    current[field] === to ? [] : [{ field, from: current[field] ?? "", to }],
  )
}

/**
 * Whether the repository must be (re)written in this run. Its secrets are write-only, so writing
 * it means rotating the inbound client secret and the integration user's password as well.
 */
export const repositoryNeedsWrite = (observed: Observed, env: Env): boolean => {
  if (isDeliveryPending(observed.inboundClient?.comments)) return true
  if (env.config.microsoft365.mode === "manual") return !manualFormDone(observed, env)
  const repo = observed.repository
  return (
    repo === undefined ||
    observed.inboundClient === undefined ||
    observed.user === undefined ||
    !repo.clientSecretConfigured ||
    !repo.restUserPasswordConfigured ||
    repositoryDiff(observed, env).length > 0
  )
}

const manualNote = (env: Env) =>
  env.config.microsoft365.mode === "manual" ? "entered by an administrator" : undefined

export const basicInformation: BasicStep = {
  id: "microsoft365.basicInformation",
  title: "Basic information",
  owner: "microsoft365",
  dependsOn: ["entra.app"],
  key: () => "support integration",
  plan: (observed, env): StepPlan => {
    const appId = observed.app?.appId ?? "(app id of the new app)"
    const desired = { internalSupportTool: INTERNAL_SUPPORT_TOOL, applicationId: appId }
    if (env.config.microsoft365.mode === "manual") {
      return manualFormDone(observed, env)
        ? { action: "keep", changes: [] }
        : {
            action: "update",
            changes: Object.entries(desired).map(([f, v]) => set(f, v)),
            reason: "entered by an administrator",
          }
    }
    const current = observed.basicInformation
    const changes = Object.entries(desired).flatMap(([field, to]) => {
      const from = current?.[field as keyof typeof desired] ?? ""
      return from === to ? [] : [{ field, from, to }]
    })
    const note = manualNote(env)
    return {
      action: changes.length === 0 ? "keep" : "update",
      changes,
      ...(note === undefined ? {} : { reason: note }),
    }
  },
  apply: (_observed, plan, env, outputs) =>
    plan.action === "keep"
      ? Effect.succeed({ outcome: "kept" })
      : env.support
          .setBasicInformation({
            internalSupportTool: INTERNAL_SUPPORT_TOOL,
            applicationId: (outputs.app as { appId: string }).appId,
          })
          .pipe(Effect.as({ outcome: "updated" })),
  destroy: (observed, env) =>
    (
      env.config.microsoft365.mode === "manual"
        ? formWasFilled(observed, env)
        : basicInformationIsOurs(observed)
    )
      ? env.support.clearBasicInformation().pipe(Effect.as({ outcome: "deleted" }))
      : Effect.succeed({ outcome: "absent" }),
}

export const repository: BasicStep = {
  id: "microsoft365.repository",
  title: "Repository",
  owner: "microsoft365",
  dependsOn: ["servicenow.inboundClient", "servicenow.integrationUser"],
  key: (env) => env.names.repositoryId,
  plan: (observed, env): StepPlan => {
    if ((observed.wizard.endpoint?.value ?? "") === "")
      return {
        action: "blocked",
        changes: [],
        reason: "the app shows no Endpoint",
        blocker: new PreflightFailed({
          problems: [
            {
              check: "app endpoint",
              message: "The app's wizard shows no Endpoint (W9), which the repository needs.",
              remedy:
                "Check that the Microsoft 365 support integration app is installed and its wizard reachable; see `sn365 discover`.",
            },
          ],
        }),
      }
    if (!repositoryNeedsWrite(observed, env)) return { action: "keep", changes: [] }
    const changes = [
      ...repositoryDiff(observed, env),
      secretChange("clientSecret"),
      secretChange("restUserPassword"),
    ]
    const note = isDeliveryPending(observed.inboundClient?.comments)
      ? "a previous run rotated its secrets and stopped before writing it"
      : manualNote(env)
    return {
      action:
        observed.repository === undefined && env.config.microsoft365.mode === "api" ? "create" : "update",
      changes,
      ...(note === undefined ? {} : { reason: note }),
    }
  },
  apply: (observed, plan, env, outputs) =>
    Effect.gen(function* () {
      if (plan.action === "keep") return { outcome: "kept" }
      const inbound = outputs.inboundClient
      const user = outputs.user
      if (inbound?.secret === undefined || user?.password === undefined)
        return yield* Effect.die(new Error("the repository is written only with freshly rotated secrets"))
      const input = {
        ...desiredRepository(observed, env, inbound.clientId),
        authenticationType: AUTH_TYPE_BASIC,
        refreshTokenExpiry: env.config.integration.refreshTokenExpiry,
        clientSecret: inbound.secret,
        restUserPassword: user.password,
      }
      if (observed.repository === undefined)
        yield* env.support.createRepository({ repository: env.names.repositoryId, ...input })
      else yield* env.support.updateRepository(env.names.repositoryId, input)
      // The inbound endpoint's pending mark is cleared by `servicenow.repositoryDelivered`.
      return { outcome: observed.repository === undefined ? "created" : "updated" }
    }),
  destroy: (observed, env) =>
    (
      env.config.microsoft365.mode === "manual"
        ? formWasFilled(observed, env)
        : observed.repository !== undefined
    )
      ? env.support.deleteRepository(env.names.repositoryId).pipe(Effect.as({ outcome: "deleted" }))
      : Effect.succeed({ outcome: "absent" }),
}
