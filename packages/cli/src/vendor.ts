/**
 * Facts the CLI relies on about the vendors' hosts and the emulator, one named constant each.
 *
 * @module
 */

/**
 * The real host names every request of a setup goes to, as `routingFetch` patterns. `--emulator`
 * routes all of them to the emulator. Sources: ServiceNow instances (`*.service-now.com`,
 * docs/servicenow-api.md), the identity platform and Graph (docs/entra-graph-msal.md), and the
 * admin-center host of the modeled support-integration contract (`specs/m365/support-integration.yaml`
 * `servers`; procedure §6.1).
 */
export const VENDOR_HOST_PATTERNS = [
  "*.service-now.com",
  "login.microsoftonline.com",
  "graph.microsoft.com",
  "admin.microsoft.com",
] as const

/** Port `sn365 emulator` listens on by default. */
export const DEFAULT_EMULATOR_PORT = 4365

/** Seed of `sn365 emulator` and `sn365 demo` by default (the emulator's own default). */
export const DEFAULT_EMULATOR_SEED = 365

/** File `sn365 init` writes by default. */
export const DEFAULT_INIT_FILE = "sn365.config.yaml"
