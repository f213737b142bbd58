/**
 * The shape of one resource step: how it plans from what was observed, how it applies that plan
 * idempotently, and how teardown removes it.
 *
 * @module
 */
import type { Effect, Redacted } from "effect"
import type { StepOutcome, StepOwner } from "../Events.ts"
import type { FieldChange, PlanAction } from "../Plan.ts"
import type { SecretName } from "../Secrets.ts"
import type { Env } from "./env.ts"

/** The ids and secrets steps hand to the steps that depend on them, filled in during apply. */
export interface Outputs {
  app?: { readonly id: string; readonly appId: string }
  servicePrincipalId?: string
  secret?: { readonly keyId: string; readonly secretText?: Redacted.Redacted<string> }
  outboundProviderSysId?: string
  /** The profiles the instance made with a provider created in this run (read in the same batch). */
  newProviderProfiles?: ReadonlyArray<Readonly<Record<string, string | undefined>>>
  outboundProfileSysId?: string
  inboundClient?: {
    readonly sysId: string
    readonly clientId: string
    readonly secret?: Redacted.Redacted<string>
  }
  user?: { readonly sysId: string; readonly userName: string; readonly password?: Redacted.Redacted<string> }
}

/** What planning decided for one step. */
export interface StepPlan {
  readonly action: PlanAction
  readonly changes: ReadonlyArray<FieldChange>
  readonly reason?: string
  /** For `blocked`: the error apply fails with before any write. */
  readonly blocker?: unknown
}

/** What applying (or tearing down) one step did. */
export interface StepResult {
  readonly outcome: StepOutcome
  readonly detail?: string
}

/** One resource step of a variant, generic over what observation produced. */
export interface Step<Id extends string, Observed> {
  readonly id: Id
  readonly title: string
  readonly owner: StepOwner
  readonly dependsOn: ReadonlyArray<Id>
  /** The natural key shown in plans and reports. */
  readonly key: (env: Env, observed: Observed) => string
  readonly plan: (observed: Observed, env: Env) => StepPlan
  readonly apply: (
    observed: Observed,
    plan: StepPlan,
    env: Env,
    outputs: Outputs,
  ) => Effect.Effect<StepResult, unknown>
  /** Removes what this step manages; absent for steps teardown leaves alone. */
  readonly destroy?: (observed: Observed, env: Env) => Effect.Effect<StepResult, unknown>
  /** Secrets that belong to this step's object; teardown forgets them once the object is gone. */
  readonly secrets?: ReadonlyArray<SecretName>
}

/** A field change for a value that is set for the first time. */
export const set = (field: string, to: string): FieldChange => ({ field, to })

/** A field change for a secret: no values, rendered as `(secret)`. */
export const secretChange = (field: string): FieldChange => ({ field, secret: true })

/** The changes between `current` and `desired` for the listed fields. */
export const diff = (
  current: Readonly<Record<string, string | undefined>>,
  desired: Readonly<Record<string, string>>,
): ReadonlyArray<FieldChange> =>
  Object.entries(desired).flatMap(([field, to]) => {
    const from = current[field] ?? ""
    return from === to ? [] : [{ field, from, to }]
  })

/** `create` with every desired field, `update` with the differences, or `keep`. */
export const createOrUpdate = (
  current: Readonly<Record<string, string | undefined>> | undefined,
  desired: Readonly<Record<string, string>>,
): StepPlan => {
  if (current === undefined)
    return { action: "create", changes: Object.entries(desired).map(([f, v]) => set(f, v)) }
  const changes = diff(current, desired)
  return { action: changes.length === 0 ? "keep" : "update", changes }
}
