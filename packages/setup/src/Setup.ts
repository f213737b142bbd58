/**
 * The operations of sn365 as Effects: plan, apply, verify, teardown and discover.
 *
 * Data flow: config → preflight and observation (concurrently; reads only) → plan (pure) → apply
 * along the dependency graph → result. Every step is idempotent, so a run that stops anywhere —
 * a failure, a crash, an interrupt — is resumed by running apply again.
 *
 * @module
 */
import { Cause, Effect, Exit, Fiber } from "effect"
import type { Observed } from "./basic/observe.ts"
import { discoverApp, manualHandoffProblems, preflight, secretStoreProblems } from "./basic/preflight.ts"
import { type BasicStep, type BasicStepId, basicSteps, teardownOrder } from "./basic/steps.ts"
import { runChecks } from "./basic/verify.ts"
import type { SetupConfig } from "./Config.ts"
import {
  ApplyCancelled,
  ApplyFailed,
  type CrossScopeAccessDenied,
  type InvalidConfig,
  PreflightFailed,
  summarize,
  type UnmanagedResourceConflict,
  type VerificationFailed,
} from "./Errors.ts"
import { Progress } from "./Events.ts"
import { type Env, makeEnv } from "./internal/env.ts"
import { runGraph } from "./internal/graph.ts"
import { observeOnly, phase, readFailure, readState, tracked } from "./internal/run.ts"
import type { Outputs, StepPlan } from "./internal/step.ts"
import { DnsResolver, networkPreflight } from "./Network.ts"
import type { SetupOptions } from "./Options.ts"
import { hasChanges, type Plan } from "./Plan.ts"
import type { ApplyResult, DiscoveryReport, StepReport, TeardownReport, VerifyReport } from "./Results.ts"

/** Every error a setup operation can fail with. */
export type SetupError =
  | InvalidConfig
  | ApplyCancelled
  | PreflightFailed
  | CrossScopeAccessDenied
  | UnmanagedResourceConflict
  | ApplyFailed
  | VerificationFailed

/** Options of {@link apply}: the common options plus a confirmation hook. */
export interface ApplyOptions extends SetupOptions {
  /** Asked with the plan before any write; return `false` to stop without changing anything. */
  readonly confirm?: (plan: Plan) => Promise<boolean>
}

const planSteps = (env: Env, observed: Observed) =>
  new Map<BasicStepId, StepPlan>(basicSteps.map((step) => [step.id, step.plan(observed, env)]))

const toPlan = (
  env: Env,
  observed: Observed,
  plans: ReadonlyMap<BasicStepId, StepPlan>,
  warnings: ReadonlyArray<string>,
): Plan => ({
  variant: env.config.variant,
  instance: env.names.instanceOrigin,
  tenant: env.names.tenant,
  changes: basicSteps.map((step) => {
    const plan = plans.get(step.id) as StepPlan
    return {
      step: step.id,
      title: step.title,
      owner: step.owner,
      key: step.key(env, observed),
      action: plan.action,
      changes: plan.changes,
      ...(plan.reason === undefined ? {} : { reason: plan.reason }),
    }
  }),
  warnings,
})

const warningsFor = (env: Env, app: { version: string; generation: string } | undefined) => {
  const warnings: Array<string> = []
  if (app !== undefined && app.generation === "C")
    warnings.push(
      `The app is version ${app.version} (generation C, 2.0.0+), whose wizard has no Basic-auth inbound settings; sn365 writes the Basic variant's values as modeled.`,
    )
  const { refreshTokenExpiry, inboundRefreshTokenLifespan } = env.config.integration
  if (refreshTokenExpiry !== inboundRefreshTokenLifespan)
    warnings.push(
      `The form's refresh token expiry (${refreshTokenExpiry} s) is not the inbound endpoint's refresh token lifespan (${inboundRefreshTokenLifespan} s); Microsoft's setup guide documents both values, so sn365 keeps them.`,
    )
  return warnings
}

const provideCommon =
  (options: SetupOptions) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    options.resolver === undefined
      ? effect
      : effect.pipe(Effect.provideService(DnsResolver, options.resolver))

/** Observes both sides and computes what apply would do. Makes no change. */
export const plan = (config: SetupConfig, options: SetupOptions = {}): Effect.Effect<Plan, SetupError> =>
  Effect.gen(function* () {
    const env = makeEnv(config, options, yield* Progress)
    const { observed, app } = yield* readState(env)
    return toPlan(env, observed, planSteps(env, observed), warningsFor(env, app))
  }).pipe(provideCommon(options))

/** The first blocker of a plan, if any: apply refuses to start while one exists. */
const firstBlocker = (plans: ReadonlyMap<BasicStepId, StepPlan>) =>
  [...plans.values()].find((p) => p.action === "blocked")?.blocker

const outputsOf = (outputs: Outputs, observed: Observed, env: Env): ApplyResult["outputs"] => {
  const defined = <T extends Record<string, unknown>>(record: T) =>
    Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as {
      [K in keyof T]: Exclude<T[K], undefined>
    }
  return defined({
    entraAppId: outputs.app?.appId,
    entraAppObjectId: outputs.app?.id,
    servicePrincipalId: outputs.servicePrincipalId,
    entraSecretKeyId: outputs.secret?.keyId,
    outboundProviderSysId: outputs.outboundProviderSysId,
    outboundProfileSysId: outputs.outboundProfileSysId,
    inboundClientSysId: outputs.inboundClient?.sysId,
    inboundClientId: outputs.inboundClient?.clientId,
    integrationUserSysId: outputs.user?.sysId,
    integrationUserName: outputs.user?.userName,
    repositoryId: env.names.repositoryId,
    endpoint: observed.wizard.endpoint?.value,
  })
}

/**
 * Brings both sides to the desired state: preflight, observe, plan, then apply the plan along its
 * dependency graph. Nothing is written when preflight fails, when the plan has a blocked resource
 * or when `confirm` declines.
 */
export const apply = (
  config: SetupConfig,
  options: ApplyOptions = {},
): Effect.Effect<ApplyResult, SetupError> =>
  Effect.gen(function* () {
    const started = Date.now()
    const env = makeEnv(config, options, yield* Progress)
    const handoff = manualHandoffProblems(env)
    if (handoff.length > 0) return yield* new PreflightFailed({ problems: handoff })
    // The network report (a DNS lookup the setup itself does not need) runs beside everything else.
    const network = yield* Effect.forkChild(networkPreflight)
    const { observed, app } = yield* readState(env)
    const plans = planSteps(env, observed)
    const thePlan = toPlan(env, observed, plans, warningsFor(env, app))
    // A run that writes may generate secrets, returned once: the store must be able to keep them
    // before anything is created. A run that changes nothing does not need it.
    if (hasChanges(thePlan)) {
      const problems = yield* secretStoreProblems(env)
      if (problems.length > 0) return yield* new PreflightFailed({ problems })
    }
    const blocker = firstBlocker(plans)
    if (blocker !== undefined) return yield* Effect.fail(blocker as SetupError)
    // The time a person takes to read the plan is not the setup's duration.
    const waitedFrom = Date.now()
    const confirm = options.confirm
    if (confirm !== undefined && !(yield* Effect.promise(() => confirm(thePlan))))
      return yield* new ApplyCancelled({})
    const waitedMs = Date.now() - waitedFrom

    yield* phase(env, "apply")
    const outputs: Outputs = {}
    const reports = new Map<string, StepReport>()
    const outcomes = yield* runGraph(basicSteps, (step) =>
      tracked(env, step, reports, step.apply(observed, plans.get(step.id) as StepPlan, env, outputs)),
    )
    for (const step of basicSteps) {
      const outcome = outcomes.get(step.id)
      if (outcome?.status === "skipped") {
        reports.set(step.id, {
          step: step.id,
          title: step.title,
          owner: step.owner,
          status: "skipped",
          reason: outcome.reason,
          durationMs: 0,
        })
        env.emit({ _tag: "StepSkipped", step: step.id, title: step.title, reason: outcome.reason })
      }
    }
    const [failed, ...alsoFailed] = basicSteps.filter((step) => outcomes.get(step.id)?.status === "failed")
    if (failed !== undefined) {
      const errorOf = (step: BasicStep) => reports.get(step.id)?.error ?? { tag: "Error", message: "failed" }
      return yield* new ApplyFailed({
        operation: "apply",
        step: failed.id,
        title: failed.title,
        error: errorOf(failed),
        completed: basicSteps.filter((s) => outcomes.get(s.id)?.status === "succeeded").map((s) => s.id),
        notStarted: basicSteps.filter((s) => outcomes.get(s.id)?.status === "skipped").map((s) => s.id),
        ...(alsoFailed.length === 0
          ? {}
          : { alsoFailed: alsoFailed.map((s) => ({ step: s.id, title: s.title, error: errorOf(s) })) }),
      })
    }
    const secrets: ApplyResult["secrets"] = {}
    if (outputs.secret?.secretText !== undefined) secrets.entraClientSecret = outputs.secret.secretText
    if (outputs.inboundClient?.secret !== undefined)
      secrets.inboundClientSecret = outputs.inboundClient.secret
    if (outputs.user?.password !== undefined) secrets.integrationUserPassword = outputs.user.password
    return {
      plan: thePlan,
      steps: basicSteps.map((step) => reports.get(step.id) as StepReport),
      outputs: outputsOf(outputs, observed, env),
      secrets,
      network: yield* Fiber.join(network),
      durationMs: Date.now() - started - waitedMs,
    }
  }).pipe(provideCommon(options))

/**
 * Runs the checks of "Testing the configuration" by machine. Returns a report whose `ok` is false
 * when a check failed; fails only when the state cannot be read at all.
 */
export const verify = (
  config: SetupConfig,
  options: SetupOptions = {},
): Effect.Effect<VerifyReport, SetupError> =>
  Effect.gen(function* () {
    const env = makeEnv(config, options, yield* Progress)
    const { observed } = yield* readState(env)
    yield* phase(env, "verify")
    const checks = yield* runChecks(env, observed)
    return { ok: checks.every((check) => check.status !== "fail"), checks }
  }).pipe(provideCommon(options))

/**
 * Removes exactly what sn365 manages — the app (with its secrets) and service principal, the OAuth
 * records, the integration user and its role, the configured role grants, the wizard values and
 * the admin-center repository — in reverse dependency order, and reports what it removed.
 * Application Access changes made with `fixCrossScopeAccess` are left in place.
 */
export const teardown = (
  config: SetupConfig,
  options: SetupOptions = {},
): Effect.Effect<TeardownReport, SetupError> =>
  Effect.gen(function* () {
    const env = makeEnv(config, options, yield* Progress)
    const handoff = manualHandoffProblems(env)
    if (handoff.length > 0) return yield* new PreflightFailed({ problems: handoff })
    yield* phase(env, "observe")
    const observed = yield* observeOnly(env)
    // Each step forgets its secrets as it goes: a store that cannot be changed would stop teardown
    // after its first removal, so it is checked before the first.
    const problems = yield* secretStoreProblems(env)
    if (problems.length > 0) return yield* new PreflightFailed({ problems })
    yield* phase(env, "teardown")
    const reports = new Map<string, StepReport>()
    const removed: Array<{ title: string; key: string }> = []
    const absent: Array<{ title: string; key: string }> = []
    for (const [index, step] of teardownSteps.entries()) {
      const destroy = step.destroy as NonNullable<BasicStep["destroy"]>
      const exit = yield* Effect.exit(tracked(env, step, reports, destroy(observed, env)))
      if (Exit.isFailure(exit)) {
        return yield* new ApplyFailed({
          operation: "teardown",
          step: step.id,
          title: `Remove ${step.title}`,
          error: summarize(Cause.squash(exit.cause)),
          completed: teardownSteps.slice(0, index).map((s) => s.id),
          notStarted: teardownSteps.slice(index + 1).map((s) => s.id),
        })
      }
      yield* Effect.forEach(step.secrets ?? [], env.secrets.remove, { discard: true })
      ;(exit.value.outcome === "deleted" ? removed : absent).push({
        title: step.title,
        key: step.key(env, observed),
      })
    }
    return { steps: teardownSteps.map((s) => reports.get(s.id) as StepReport), removed, absent }
  }).pipe(provideCommon(options))

/** The steps teardown runs, in teardown order (those with a `destroy`). */
const teardownSteps = teardownOrder.flatMap((id) =>
  basicSteps.filter((s) => s.id === id && s.destroy !== undefined),
)

const SECRET_PROPERTY_TYPES = new Set(["password", "password2"])

/** Lists the app, its tables and its `x_mioms_m365_assis.*` properties (values of password properties withheld). */
export const discover = (
  config: SetupConfig,
  options: SetupOptions = {},
): Effect.Effect<DiscoveryReport, SetupError> =>
  Effect.gen(function* () {
    const env = makeEnv(config, options, yield* Progress)
    const checked = yield* preflight(env)
    const found = yield* discoverApp(env).pipe(Effect.mapError((error) => readFailure("discover", error)))
    return {
      ...(checked.app === undefined ? {} : { app: { scope: "x_mioms_m365_assis", ...checked.app } }),
      tables: found.tables.map((row) => ({
        name: String(row.name),
        ...(row.label ? { label: String(row.label) } : {}),
      })),
      properties: found.properties.map((row) => ({
        name: String(row.name),
        ...(row.type ? { type: String(row.type) } : {}),
        ...(SECRET_PROPERTY_TYPES.has(String(row.type)) ? {} : { value: String(row.value ?? "") }),
      })),
    }
  }).pipe(provideCommon(options))
