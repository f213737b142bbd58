/**
 * The emulated ServiceNow instance(s). PLACEHOLDER: replaced by the ServiceNow emulator work.
 *
 * @module
 */
import { json } from "../server/http.ts"
import type { EmulatedSystem, SystemContext } from "../server/system.ts"

/** Options for the emulated ServiceNow instances. */
export type ServiceNowOptions = {}

/** Run-time control and state inspection of the emulated instances. */
export type ServiceNowControl = {}

/** @internal */
export const createServiceNow = (
  _context: SystemContext,
  _options: ServiceNowOptions = {},
): { readonly system: EmulatedSystem; readonly control: ServiceNowControl } => {
  const system: EmulatedSystem = {
    name: "servicenow",
    hostPatterns: ["*.service-now.com"],
    serves: (host) => host.endsWith(".service-now.com"),
    handle: () => json(501, { error: { message: "not implemented", detail: null }, status: "failure" }),
    faultResponse: (status) => json(status, { error: { message: "fault", detail: null }, status: "failure" }),
    reset: () => {},
    snapshot: () => ({}),
  }
  return { system, control: {} }
}
