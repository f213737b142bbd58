/**
 * The retired "Microsoft 365 support integration" app's setup endpoint — **modeled**, not documented
 * (`specs/servicenow/app.yaml`): `GET /api/x_mioms_m365_assis/v1/setup` performs the wizard's reads
 * from the app's scope, so it is where a refused cross-scope read of `oauth_entity` shows up
 * (`CrossScopeAccessDenied`). A missing app answers `AppNotInstalled`.
 *
 * @module
 */
import { Effect } from "effect"
import type { ServiceNowError } from "./Errors.ts"
import type { components } from "./generated/app.ts"
import { type Deps, send } from "./internal/Http.ts"
import { summaryBody } from "./internal/shape.ts"
import { APP_SETUP_PATH } from "./vendor.ts"

/** The wizard's values as the app resolves them; every value a string (`""` when unset). */
export type SetupSummary = components["schemas"]["SetupSummary"]

/** The integration app's (modeled) API. */
export interface AppApi {
  /** The wizard's state and its "Complete the integration" values. */
  setupSummary(): Effect.Effect<SetupSummary, ServiceNowError>
}

/** @internal */
export const makeApp = (deps: Deps): AppApi => ({
  setupSummary: () =>
    Effect.map(
      send(
        deps,
        { operation: "app" },
        (signal, headers) => deps.apis.app.GET(APP_SETUP_PATH, { headers, signal }),
        {
          validate: summaryBody,
        },
      ),
      (result) => result.data.result,
    ),
})
