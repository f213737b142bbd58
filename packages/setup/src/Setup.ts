/**
 * The four operations of sn365 as Effects — plan, apply, verify, teardown — plus discover.
 * UNDER CONSTRUCTION: signatures are final; bodies land with the ServiceNow and Microsoft clients.
 *
 * @module
 */
import { Effect } from "effect"
import type { SetupConfig } from "./Config.ts"
import type {
  ApplyFailed,
  CrossScopeAccessDenied,
  InvalidConfig,
  ManualStepNotConfirmed,
  PreflightFailed,
  UnmanagedResourceConflict,
  VerificationFailed,
} from "./Errors.ts"
import type { SetupOptions } from "./Options.ts"
import type { Plan } from "./Plan.ts"
import type { ApplyResult, DiscoveryReport, TeardownReport, VerifyReport } from "./Results.ts"

/** Every error a setup operation can fail with. */
export type SetupError =
  | InvalidConfig
  | PreflightFailed
  | CrossScopeAccessDenied
  | UnmanagedResourceConflict
  | ApplyFailed
  | VerificationFailed
  | ManualStepNotConfirmed

const pending = Effect.die(new Error("@sn365/setup: not implemented yet"))

/** Observes both sides and computes what apply would do. Makes no change. */
export const plan = (_config: SetupConfig, _options: SetupOptions = {}): Effect.Effect<Plan, SetupError> =>
  pending

/**
 * Brings both sides to the desired state: preflight, observe, plan, then apply the plan along its
 * dependency graph. `confirm` is asked with the plan before any write (return `false` to stop).
 */
export const apply = (
  _config: SetupConfig,
  _options: SetupOptions & { readonly confirm?: (plan: Plan) => Promise<boolean> } = {},
): Effect.Effect<ApplyResult, SetupError> => pending

/** Runs the checks of "Testing the configuration" by machine. Fails with VerificationFailed when a check fails. */
export const verify = (
  _config: SetupConfig,
  _options: SetupOptions = {},
): Effect.Effect<VerifyReport, SetupError> => pending

/** Removes exactly what sn365 manages, secrets included, in reverse dependency order. */
export const teardown = (
  _config: SetupConfig,
  _options: SetupOptions = {},
): Effect.Effect<TeardownReport, SetupError> => pending

/** Lists the app's tables and `x_mioms_m365_assis.*` properties on the instance. */
export const discover = (
  _config: SetupConfig,
  _options: SetupOptions = {},
): Effect.Effect<DiscoveryReport, SetupError> => pending
