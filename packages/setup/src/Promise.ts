/**
 * The Promise API, for people who do not use Effect. Each function decodes the configuration
 * (rejecting with `InvalidConfig` listing every problem, before any request), runs the operation,
 * and resolves with its result or rejects with the same tagged error the Effect API fails with.
 *
 * @module
 */
import { toPromise } from "@sn365/core"
import { Effect } from "effect"
import { decodeConfig, type SetupConfig } from "./Config.ts"
import type { SetupOptions } from "./Options.ts"
import type { Plan } from "./Plan.ts"
import type { ApplyResult, DiscoveryReport, TeardownReport, VerifyReport } from "./Results.ts"
import { type ApplyOptions, apply, discover, plan, teardown, verify } from "./Setup.ts"

const run = <A, E>(
  input: unknown,
  options: SetupOptions,
  operation: (config: SetupConfig) => Effect.Effect<A, E>,
): Promise<A> => toPromise(decodeConfig(input).pipe(Effect.flatMap(operation)), { signal: options.signal })

/**
 * Sets up the integration: preflight, plan, then apply. Idempotent and resumable — run it again
 * after any failure and it continues where it stopped.
 *
 * @example
 * ```ts
 * import { setupIntegration } from "@sn365/setup"
 *
 * const result = await setupIntegration(
 *   {
 *     variant: "basic",
 *     servicenow: { instance: "dev12345", auth: { type: "basic", username: "sn365_setup", password: process.env.SN_PASSWORD } },
 *     entra: { tenant: "contoso.onmicrosoft.com", auth: { type: "clientSecret", clientId: "…", clientSecret: process.env.ENTRA_SECRET } },
 *     // A real tenant: the admin-center form by hand (its API is modeled; only the emulator serves it).
 *     microsoft365: { mode: "manual" },
 *     integration: { m365AdminEmail: "admin@contoso.com" },
 *   },
 *   {
 *     onEvent: (event) => console.error(event._tag, "step" in event ? event.step : ""),
 *     manualHandoff: async (request) => askAnAdministrator(request), // true once the form is saved
 *   },
 * )
 * console.log(result.outputs.entraAppId)
 * ```
 */
export const setupIntegration = (config: unknown, options: ApplyOptions = {}): Promise<ApplyResult> =>
  run(config, options, (c) => apply(c, options))

/** Computes what {@link setupIntegration} would do, without changing anything. */
export const planIntegration = (config: unknown, options: SetupOptions = {}): Promise<Plan> =>
  run(config, options, (c) => plan(c, options))

/** Runs the verification checks; resolves with the report (`report.ok` is false when a check failed). */
export const verifyIntegration = (config: unknown, options: SetupOptions = {}): Promise<VerifyReport> =>
  run(config, options, (c) => verify(c, options))

/** Removes everything sn365 manages for this configuration, and reports what it removed. */
export const teardownIntegration = (config: unknown, options: SetupOptions = {}): Promise<TeardownReport> =>
  run(config, options, (c) => teardown(c, options))

/** Lists the app's tables and properties on the instance. */
export const discoverIntegration = (config: unknown, options: SetupOptions = {}): Promise<DiscoveryReport> =>
  run(config, options, (c) => discover(c, options))
