/**
 * Microsoft 365 admin-center steps of the Basic variant: Basic information (M1) and the repository
 * (M2). Through the modeled API, or by an administrator when `microsoft365.mode` is `manual`.
 *
 * @module
 */
import { Effect } from "effect"
import { PreflightFailed } from "../Errors.ts"
import { type StepPlan, secretChange, set } from "../internal/step.ts"
import {
  BASIC_INFORMATION_EMPTIED_TAG,
  BASIC_INFORMATION_EMPTYING_TAG,
  inboundComments,
  isDeliveryPending,
  isMarked,
  isRepositoryRemoved,
  repositoryRemovedComments,
} from "../Names.ts"
import { AUTH_TYPE_BASIC, INTERNAL_SUPPORT_TOOL } from "../vendor.ts"
import { appTagsOf } from "./entra.ts"
import type { Observed } from "./observe.ts"
import {
  basicInformationIsOurs,
  managedApp,
  repositoryIsOurs,
  wizardNamesOurRepository,
  wizardNamesOurUser,
} from "./ownership.ts"
import type { BasicStep } from "./steps.ts"

type Env = Parameters<BasicStep["plan"]>[1]

const hasTag = (observed: Observed, tag: string) => (managedApp(observed)?.tags ?? []).includes(tag)

/**
 * A manual-mode teardown asked the administrator to empty Basic information: it may no longer name
 * the app (the tags on the app say so; they go with the app, which teardown removes last).
 */
export const basicInformationEmptied = (observed: Observed) =>
  hasTag(observed, BASIC_INFORMATION_EMPTYING_TAG) || hasTag(observed, BASIC_INFORMATION_EMPTIED_TAG)

const EMPTY_TAGS: ReadonlyArray<string> = [BASIC_INFORMATION_EMPTYING_TAG, BASIC_INFORMATION_EMPTIED_TAG]

/**
 * In manual mode the form cannot be read back. sn365 then takes "the wizard was completed (W10)
 * with the values it still shows" as proof that the administrator saved M1 and M2, because the
 * procedure completes the wizard only after the form is saved — unless a teardown has since had
 * the administrator empty it.
 */
const manualFormDone = (observed: Observed, env: Env) =>
  observed.wizard.setupComplete?.value === "true" &&
  observed.wizard.integrationUser?.value === env.names.integrationUser &&
  observed.wizard.repositoryId?.value === env.names.repositoryId &&
  observed.inboundClient !== undefined &&
  observed.user !== undefined &&
  observed.app !== undefined &&
  !basicInformationEmptied(observed)

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
            reason: basicInformationEmptied(observed)
              ? "emptied by an earlier teardown; entered by an administrator"
              : "entered by an administrator",
          }
    }
    const current = observed.basicInformation
    const changes = Object.entries(desired).flatMap(([field, to]) => {
      const from = current?.[field as keyof typeof desired] ?? ""
      return from === to ? [] : [{ field, from, to }]
    })
    // A manual-mode teardown emptied it before the mode changed: saved again, its record dropped.
    const emptied = basicInformationEmptied(observed)
    return {
      action: changes.length === 0 && !emptied ? "keep" : "update",
      changes,
      ...(emptied ? { reason: "emptied by an earlier teardown" } : {}),
    }
  },
  apply: (observed, plan, env, outputs) =>
    Effect.gen(function* () {
      if (plan.action === "keep") return { outcome: "kept" }
      const app = outputs.app as { id: string; appId: string }
      yield* env.support.setBasicInformation({
        internalSupportTool: INTERNAL_SUPPORT_TOOL,
        applicationId: app.appId,
      })
      // Filled again: a teardown's record that it was emptied no longer holds.
      if (basicInformationEmptied(observed))
        yield* env.apps.update(app.id, {
          tags: appTagsOf(observed.app, env).filter((tag) => !EMPTY_TAGS.includes(tag)),
        })
      return { outcome: "updated" }
    }),
  destroy: (observed, env) =>
    Effect.gen(function* () {
      const absent = { outcome: "absent" } as const
      if (env.config.microsoft365.mode === "api") {
        if (!basicInformationIsOurs(observed)) return absent
        yield* env.support.clearBasicInformation()
        return { outcome: "deleted" }
      }
      // Manual: the form cannot be read. Basic information can have been filled only once the app
      // existed, so the app is where teardown records asking the administrator to empty it — before
      // asking (from then on an apply must have it filled again) and once they confirmed (a resumed
      // teardown does not ask again).
      const app = managedApp(observed)
      if (app !== undefined) {
        if (hasTag(observed, BASIC_INFORMATION_EMPTIED_TAG)) return absent
        const others = (app.tags ?? []).filter((tag) => !EMPTY_TAGS.includes(tag))
        if (!hasTag(observed, BASIC_INFORMATION_EMPTYING_TAG))
          yield* env.apps.update(app.id, { tags: [...others, BASIC_INFORMATION_EMPTYING_TAG] })
        yield* env.support.clearBasicInformation()
        yield* env.apps.update(app.id, { tags: [...others, BASIC_INFORMATION_EMPTIED_TAG] })
        return { outcome: "deleted" }
      }
      // The app was removed outside sn365: the wizard naming this setup is the only sign left.
      if (!wizardNamesOurUser(observed, env)) return absent
      yield* env.support.clearBasicInformation()
      yield* env.storage.write({ integrationUser: "" }, observed.wizard)
      return { outcome: "deleted" }
    }),
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
    const note = isRepositoryRemoved(observed.inboundClient?.comments)
      ? "deleted by an earlier teardown"
      : isDeliveryPending(observed.inboundClient?.comments)
        ? "a previous run rotated its secrets (or asked for its removal) and stopped before writing it"
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
    Effect.gen(function* () {
      const absent = { outcome: "absent" } as const
      const { names } = env
      if (env.config.microsoft365.mode === "api") {
        if (!repositoryIsOurs(observed, env)) return absent
        yield* env.support.deleteRepository(names.repositoryId)
        return { outcome: "deleted" }
      }
      // Manual: the form cannot be read. The repository can have been entered only once the inbound
      // endpoint existed, so that endpoint is where teardown records asking the administrator to
      // delete it — before asking (the delivery mark: from then on an apply must have it entered
      // again) and once they confirmed (a resumed teardown does not ask again).
      const inbound = observed.inboundClient
      if (inbound?.sys_id !== undefined && isMarked(inbound.comments, names)) {
        if (isRepositoryRemoved(inbound.comments)) return absent
        const endpoint = env.sn.table("oauth_entity")
        if (!isDeliveryPending(inbound.comments))
          yield* endpoint.update(
            inbound.sys_id,
            { comments: inboundComments(names, true) },
            { fields: ["sys_id"] },
          )
        yield* env.support.deleteRepository(names.repositoryId)
        yield* endpoint.update(
          inbound.sys_id,
          { comments: repositoryRemovedComments(names) },
          { fields: ["sys_id"] },
        )
        return { outcome: "deleted" }
      }
      // The endpoint was removed outside sn365: the wizard naming this setup is the only sign left.
      if (!wizardNamesOurRepository(observed, env)) return absent
      yield* env.support.deleteRepository(names.repositoryId)
      yield* env.storage.write({ repositoryId: "" }, observed.wizard)
      return { outcome: "deleted" }
    }),
}
